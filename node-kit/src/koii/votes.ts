// Audit votes: an auditor's signed verdict on one peer's submission for a round (docs/protocol.md §9.3). Signed with
// the auditor's Koii ed25519 key over a canonical header, so votes can be gossiped and counted by anyone.

import { base58Decode } from "@maskoii/sdk";
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, type Hex, hexToBytes, stringToBytes } from "viem";
import { z } from "zod";
import { InvalidKoiiArtefactError } from "../errors.ts";
import { koiiPublicKeyOf } from "../identity.ts";
import { CanonicalWriter, textHash } from "./bytes.ts";
import type { Fault } from "./kind.ts";

export const VOTE_VERSION = 1;
const VOTE_TAG = stringToBytes("maskoii koii vote v1");
/** Bounds that keep a vote small; a builder truncates to them, a verifier refuses more. */
export const MAX_FAULTS = 32;
export const MAX_DETAIL = 512;

export const voteSchema = z
  .object({
    version: z.literal(VOTE_VERSION),
    taskId: z.string().min(1).max(64),
    round: z.number().int().min(0),
    kind: z.string().min(1).max(64),
    auditor: z.string().min(32).max(44),
    subject: z.string().min(32).max(44),
    /** keccak256 of the judged submission's header. */
    submissionHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    verdict: z.enum(["pass", "fail"]),
    faults: z
      .array(z.object({ code: z.string().min(1).max(64), detail: z.string().max(MAX_DETAIL) }).strict())
      .max(MAX_FAULTS),
    signature: z.string().regex(/^0x[0-9a-f]{128}$/),
  })
  .strict()
  .refine((v) => (v.verdict === "fail") === v.faults.length > 0, {
    message: "a fail vote names its faults, a pass vote has none",
    path: ["faults"],
  });

export type Vote = z.infer<typeof voteSchema>;
type UnsignedVote = Omit<Vote, "signature">;

function key32(base58: string, field: string): Uint8Array {
  const bytes = base58Decode(base58);
  if (bytes === undefined || bytes.length !== 32) throw new RangeError(`${field} is not a 32-byte base58 key`);
  return bytes;
}

/** The exact bytes an auditor signs. */
export function voteHeader(v: UnsignedVote): Uint8Array {
  const w = new CanonicalWriter()
    .raw(VOTE_TAG)
    .fixed(textHash(v.taskId), 32)
    .uint(v.round, 8)
    .fixed(textHash(v.kind), 32)
    .raw(key32(v.auditor, "auditor"))
    .raw(key32(v.subject, "subject"))
    .fixed(v.submissionHash as Hex, 32)
    .uint(v.verdict === "pass" ? 1 : 0, 1)
    .uint(v.faults.length, 2);
  for (const f of v.faults) w.text(f.code, 1).text(f.detail, 2);
  return w.toBytes();
}

/** Signs a vote; the verdict follows from the faults (none = pass). */
export function signVote(args: {
  taskId: string;
  round: number;
  kind: string;
  subject: string;
  submissionHash: Hex;
  faults: readonly Fault[];
  ed25519PrivateKey: Hex;
}): Vote {
  const faults = args.faults
    .slice(0, MAX_FAULTS)
    .map((f) => ({ code: f.code.slice(0, 64), detail: f.detail.slice(0, MAX_DETAIL) }));
  const unsigned: UnsignedVote = {
    version: VOTE_VERSION,
    taskId: args.taskId,
    round: args.round,
    kind: args.kind,
    auditor: koiiPublicKeyOf(args.ed25519PrivateKey),
    subject: args.subject,
    submissionHash: args.submissionHash.toLowerCase(),
    verdict: faults.length === 0 ? "pass" : "fail",
    faults,
  };
  const signature = bytesToHex(ed25519.sign(voteHeader(unsigned), hexToBytes(args.ed25519PrivateKey)));
  return { ...unsigned, signature };
}

/** Verifies a vote's shape, task, round, kind and ed25519 signature; throws InvalidKoiiArtefactError. */
export function verifyVote(value: unknown, expected: { taskId: string; round: number; kind: string }): Vote {
  const parsed = voteSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidKoiiArtefactError(
      "vote",
      "malformed",
      `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const v = parsed.data;
  if (v.taskId !== expected.taskId) throw new InvalidKoiiArtefactError("vote", "wrong-task", v.taskId);
  if (v.round !== expected.round) throw new InvalidKoiiArtefactError("vote", "wrong-round", String(v.round));
  if (v.kind !== expected.kind) throw new InvalidKoiiArtefactError("vote", "wrong-kind", v.kind);
  let ok = false;
  try {
    const { signature, ...unsigned } = v;
    ok = ed25519.verify(hexToBytes(signature as Hex), voteHeader(unsigned), key32(v.auditor, "auditor"));
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidKoiiArtefactError("vote", "bad-signature", `not signed by ${v.auditor}`);
  return v;
}
