// What a user signs for the feed (issue 16 point 1): settings, feedback and reads, each under its own ASCII tag, with
// the domain (chain id and CommunityRegistry address) in the bytes, so a signature is valid for one format, one
// deployment, one chain. The persona signs keccak256(bytes) with EIP-191 `personal_sign`.
import { RequestRejectedError } from "@maskoii/node-kit";
import { type Address, getAddress, type Hex, keccak256, recoverMessageAddress, stringToBytes } from "viem";
import { z } from "zod";
import { FEATURES, type Feature } from "./rank.ts";

export const FEED_SETTINGS_TAG = "maskoii feed settings v1";
export const FEED_FEEDBACK_TAG = "maskoii feed feedback v1";
export const FEED_READ_TAG = "maskoii feed read v1";

/** How far a signed `at` may be from the node's clock: writes, reads. */
export const WRITE_SKEW_SECONDS = 300;
export const READ_SKEW_SECONDS = 60;

export type FeedDomain = { readonly chainId: number; readonly communityRegistry: Address };

export const MAX_WEIGHT = 10;
const communityId = z
  .string()
  .regex(/^[1-9][0-9]{0,19}$/, "expected a community id")
  .refine((s) => !/^[0-9]+$/.test(s) || BigInt(s) < 2n ** 64n, "expected a uint64");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");
const author = z.string().regex(/^[a-z]+:\S{1,500}$/, "expected a network-qualified author (farcaster:fid:3)");
const itemId = z.string().regex(/^[a-z]+:\S{1,500}$/, "expected a canonical item id");
const unixSeconds = z
  .number()
  .int()
  .positive()
  .max(2 ** 40);
export const signatureSchema = z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature");

/** User-tunable weights, each in [0, MAX_WEIGHT]; an omitted one keeps its default. */
export const weightsSchema = z
  .object(
    Object.fromEntries(
      FEATURES.map((f) => [f, z.number().min(0, "at least 0").max(MAX_WEIGHT, `at most ${MAX_WEIGHT}`).optional()]),
    ) as Record<Feature, z.ZodOptional<z.ZodNumber>>,
  )
  .strict();
export type Weights = Record<Feature, number>;

export const feedSettingsSchema = z
  .object({
    /** The communities whose timelines are the user's in-network candidates (beside the one asked for). */
    communities: z.array(communityId).max(32, "at most 32").default([]),
    /** Authors the user follows (network-qualified ids), from any community this node serves. */
    follows: z.array(author).max(500, "at most 500").default([]),
    /** Interests, lowercase, matched against campaigns' tags (`tagWord`). */
    tags: z
      .array(z.string().regex(/^[\p{Ll}\p{Lo}\p{N}_-]{1,64}$/u, "expected a lowercase tag"))
      .max(32, "at most 32")
      .default([]),
    weights: weightsSchema.default({}),
  })
  .strict();
export type FeedSettings = z.infer<typeof feedSettingsSchema>;

export const signedSettingsSchema = z
  .object({ persona: address, at: unixSeconds, settings: feedSettingsSchema, signature: signatureSchema })
  .strict();
export type SignedSettings = z.infer<typeof signedSettingsSchema>;

export const feedbackTargetSchema = z.union([z.object({ item: itemId }).strict(), z.object({ author }).strict()]);
export const signedFeedbackSchema = z
  .object({
    persona: address,
    at: unixSeconds,
    target: feedbackTargetSchema,
    signal: z.enum(["more", "less"]),
    signature: signatureSchema,
  })
  .strict();
export type SignedFeedback = z.infer<typeof signedFeedbackSchema>;
export type Feedback = Omit<SignedFeedback, "signature">;

/** `item:<id>` or `author:<id>`: how feedback names what it is about. */
export function targetKey(target: Feedback["target"]): string {
  return "item" in target ? `item:${target.item}` : `author:${target.author}`;
}

function header(tag: string, domain: FeedDomain, persona: string, at: number): string[] {
  return [
    tag,
    `chain: ${domain.chainId}`,
    `registry: ${getAddress(domain.communityRegistry)}`,
    `persona: ${getAddress(persona)}`,
    `at: ${at}`,
  ];
}

/** The canonical bytes of a settings update (the JSON in a fixed key order, weights in FEATURES order). */
export function feedSettingsBytes(domain: FeedDomain, persona: string, at: number, s: FeedSettings): Uint8Array {
  const weights = Object.fromEntries(FEATURES.filter((f) => s.weights[f] !== undefined).map((f) => [f, s.weights[f]]));
  const body = JSON.stringify({ communities: s.communities, follows: s.follows, tags: s.tags, weights });
  return stringToBytes([...header(FEED_SETTINGS_TAG, domain, persona, at), `settings: ${body}`].join("\n"));
}

export function feedFeedbackBytes(domain: FeedDomain, f: Feedback): Uint8Array {
  return stringToBytes(
    [
      ...header(FEED_FEEDBACK_TAG, domain, f.persona, f.at),
      `target: ${targetKey(f.target)}`,
      `signal: ${f.signal}`,
    ].join("\n"),
  );
}

export function feedReadBytes(domain: FeedDomain, persona: string, at: number): Uint8Array {
  return stringToBytes(header(FEED_READ_TAG, domain, persona, at).join("\n"));
}

/** The digest the persona signs with `personal_sign` (as a raw 32-byte message). */
export function feedDigest(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}

/** Throws 401 naming `signature` unless `signature` over `bytes` recovers to `persona`; 400 naming `at` when stale. */
export async function checkSigned(
  bytes: Uint8Array,
  persona: string,
  at: number,
  signature: string,
  nowSeconds: number,
  skewSeconds: number,
): Promise<void> {
  if (Math.abs(nowSeconds - at) > skewSeconds) {
    throw new RequestRejectedError(400, `at ${at} is more than ${skewSeconds} s from the node's clock`, {
      field: "at",
    });
  }
  let signer: Address;
  try {
    signer = await recoverMessageAddress({ message: { raw: feedDigest(bytes) }, signature: signature as Hex });
  } catch {
    throw new RequestRejectedError(401, "the signature does not recover", { field: "signature" });
  }
  if (getAddress(signer) !== getAddress(persona)) {
    throw new RequestRejectedError(401, `the signature is not ${getAddress(persona)}'s`, { field: "signature" });
  }
}
