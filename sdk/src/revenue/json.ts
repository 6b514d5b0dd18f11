/**
 * JSON forms of the revenue values, for files, APIs and the vectors: integers that can exceed 2^53 are decimal strings,
 * bytes are 0x-hex. `parse*` validate untrusted JSON with zod and throw `InvalidRevenueJsonError` listing every issue;
 * `*ToJson` write the same shape.
 */
import { type Address, getAddress, type Hex, isAddress } from "viem";
import { z } from "zod";
import { InvalidRevenueJsonError } from "../errors/index.ts";
import type { IdentityBinding } from "./binding.ts";
import { checkPayoutEntry, type PayoutEntry } from "./payout-tree.ts";
import { checkEpochReport, type EpochReport } from "./report.ts";

const bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes of 0x-hex")
  .transform((s) => s.toLowerCase() as Hex);
const address = z
  .string()
  .refine((s) => isAddress(s, { strict: true }), "expected a 20-byte address (valid checksum if mixed-case)")
  .transform((s) => getAddress(s) as Address);
/** An unsigned integer of `bits` bits as a decimal string (or a safe JSON integer). */
const uint = (bits: number) =>
  z
    .union([z.string().regex(/^(0|[1-9][0-9]*)$/, "expected a decimal string"), z.number().int().nonnegative()])
    .transform((v) => BigInt(v))
    .refine((v) => v < 1n << BigInt(bits), `expected at most ${bits} bits`);
const smallUint = (bits: number) =>
  z
    .number()
    .int()
    .nonnegative()
    .max(2 ** bits - 1);

/** JSON of an EpochReport. */
export const epochReportJsonSchema = z
  .object({
    communityId: uint(64),
    epoch: uint(64),
    engagedAccounts: smallUint(32),
    lines: z.array(
      z
        .object({
          campaignId: uint(64),
          impressions: uint(64),
          engagements: uint(64),
          spend: uint(128),
          solanaCreators: uint(128),
        })
        .strict(),
    ),
    prevPayoutRoot: bytes32,
    payoutRoot: bytes32,
    payoutLeafCount: smallUint(32),
    expired: z.array(z.object({ token: address, amount: uint(128) }).strict()),
    solana: z.array(z.object({ token: address, root: bytes32, leafCount: smallUint(32) }).strict()).optional(),
  })
  .strict();

/** JSON of an IdentityBinding. The platform is any integer here; encoding it refuses unknown ones (UnknownPlatform). */
export const identityBindingJsonSchema = z
  .object({
    platform: z.number().int().min(0).max(255),
    accountId: bytes32,
    persona: address,
    sequence: uint(64),
  })
  .strict();

/** JSON of a payout entry. */
export const payoutEntryJsonSchema = z
  .object({
    slot: uint(256),
    account: bytes32,
    token: bytes32,
    recipient: bytes32,
    cumulative: uint(256),
    salt: bytes32,
  })
  .strict();

function parseWith<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidRevenueJsonError(
    what,
    result.error.issues.map((i) => ({ field: i.path.length === 0 ? "(root)" : i.path.join("."), message: i.message })),
  );
}

/** Parses the JSON of an epoch report. */
export function parseEpochReport(value: unknown): EpochReport {
  return parseWith("epoch report", epochReportJsonSchema, value);
}

/** Parses the JSON of an identity binding. */
export function parseIdentityBinding(value: unknown): IdentityBinding {
  return parseWith("identity binding", identityBindingJsonSchema, value);
}

/** Parses a JSON array of payout entries. */
export function parsePayoutEntries(value: unknown): PayoutEntry[] {
  return parseWith("payout entries", z.array(payoutEntryJsonSchema), value);
}

/** The JSON of an epoch report (range-checked first). */
export function epochReportToJson(report: EpochReport) {
  const r = checkEpochReport(report);
  return {
    communityId: r.communityId.toString(),
    epoch: r.epoch.toString(),
    engagedAccounts: r.engagedAccounts,
    lines: r.lines.map((l) => ({
      campaignId: l.campaignId.toString(),
      impressions: l.impressions.toString(),
      engagements: l.engagements.toString(),
      spend: l.spend.toString(),
      solanaCreators: l.solanaCreators.toString(),
    })),
    prevPayoutRoot: r.prevPayoutRoot,
    payoutRoot: r.payoutRoot,
    payoutLeafCount: r.payoutLeafCount,
    expired: r.expired.map((e) => ({ token: e.token, amount: e.amount.toString() })),
    solana: r.solana.map((d) => ({ token: d.token, root: d.root, leafCount: d.leafCount })),
  };
}

/** The JSON of a payout entry (range-checked first). */
export function payoutEntryToJson(entry: PayoutEntry) {
  const e = checkPayoutEntry(entry);
  return {
    slot: e.slot.toString(),
    account: e.account,
    token: e.token,
    recipient: e.recipient,
    cumulative: e.cumulative.toString(),
    salt: e.salt,
  };
}
