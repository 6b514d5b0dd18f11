// Verifies one message of a Farcaster hub's HTTP API (Hubble or Snapchain) before anything reads it: the body is
// ALWAYS decoded from the signed `dataBytes` (never from the JSON `data` beside them, which `validateMessage` does not
// compare with the bytes it hashes), then `@farcaster/core` checks the BLAKE3 hash over those bytes and the ed25519
// signature over the hash, and the signer must be one of the fid's keys. A message the hub sent without `dataBytes`
// is re-encoded from its JSON data, and the hash check then holds only if that encoding is the one that was signed.
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import {
  bytesToHexString,
  type FarcasterNetwork,
  HashScheme,
  hashSchemeFromJSON,
  Message,
  MessageData,
  SignatureScheme,
  signatureSchemeFromJSON,
  validations,
} from "@farcaster/core";
import { blake3 } from "@noble/hashes/blake3.js";
import { z } from "zod";
import type { Reject } from "../item.ts";

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `expected ${bytes} hex bytes`);

/** One message as the hub's HTTP API returns it: hash and signer in 0x hex, signature and dataBytes in base64. */
export const hubMessageSchema = z.object({
  data: z.record(z.string(), z.unknown()).optional(),
  hash: hex(20),
  hashScheme: z.union([z.string(), z.number()]),
  signature: z.string().min(1),
  signatureScheme: z.union([z.string(), z.number()]),
  signer: hex(32),
  dataBytes: z.string().min(1).optional(),
});

/** Who may sign for each fid: its active ed25519 keys (from key registry events, or configured). */
export type SignerSource = { isSigner(fid: number, signer: `0x${string}`): Promise<boolean> };

export type VerifiedMessage = { readonly data: MessageData; readonly hash: `0x${string}`; readonly signer: string };

function bytesOf(text: string): Uint8Array {
  if (/^0x[0-9a-fA-F]*$/.test(text)) return Buffer.from(text.slice(2), "hex");
  return Buffer.from(text, "base64");
}

/** The JSON data's nested cast ids carry their hash in 0x hex (the HTTP API's form); protobuf's JSON wants base64. */
function hexHashesToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexHashesToBase64);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === "hash" && typeof v === "string" && v.startsWith("0x")
        ? Buffer.from(v.slice(2), "hex").toString("base64")
        : hexHashesToBase64(v);
  }
  return out;
}

const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");
/** Signers' public keys as OpenSSL key objects, by hex (a bounded cache: a channel has a few thousand signers). */
const publicKeys = new Map<string, KeyObject>();

function publicKeyOf(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw).toString("hex");
  let key = publicKeys.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: "der", type: "spki" });
    if (publicKeys.size >= 10_000) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/**
 * `validateMessage`'s pluggable primitives, as Hubble plugs in its native ones: the BLAKE3 hash is `@noble/hashes`'
 * (the one `@farcaster/core` uses), the ed25519 check runs in OpenSSL (node:crypto), several times faster than the
 * pure-JS default. Same verdicts: a key that is not 32 bytes or a signature not 64 is refused before OpenSSL sees it.
 */
export const nodeValidationMethods: NonNullable<Parameters<typeof validations.validateMessage>[1]> = {
  blake3_20: (bytes) => blake3(bytes, { dkLen: 20 }),
  // validateMessage never signs; like the pure-JS method's failure, an empty signature (the node signs nothing).
  ed25519_signMessageHash: async () => new Uint8Array(0),
  ed25519_verify: async (signature, hash, publicKey) => {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return verify(null, hash, publicKeyOf(publicKey), signature);
    } catch {
      return false;
    }
  },
};

/** Verifies `raw`; the verified body (decoded from the signed bytes), or the reason it was refused. */
export async function verifyHubMessage(
  raw: unknown,
  options: { readonly network: FarcasterNetwork; readonly signers: SignerSource },
): Promise<VerifiedMessage | Reject> {
  const parsed = hubMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { reason: "malformed", detail: `${issue?.path.join(".") ?? "(message)"}: ${issue?.message ?? "invalid"}` };
  }
  const json = parsed.data;
  const nativeId = json.hash.toLowerCase();
  let dataBytes: Uint8Array;
  let data: MessageData;
  try {
    if (json.dataBytes !== undefined) {
      dataBytes = bytesOf(json.dataBytes);
      data = MessageData.decode(dataBytes);
    } else {
      if (json.data === undefined) return { reason: "malformed", detail: "neither data nor dataBytes", nativeId };
      data = MessageData.fromJSON(hexHashesToBase64(json.data));
      dataBytes = MessageData.encode(data).finish();
    }
  } catch (error) {
    return { reason: "malformed", detail: `undecodable data: ${(error as Error).message}`, nativeId };
  }
  const message = Message.create({
    data,
    dataBytes,
    hash: bytesOf(json.hash),
    hashScheme: hashSchemeFromJSON(json.hashScheme),
    signature: bytesOf(json.signature),
    signatureScheme: signatureSchemeFromJSON(json.signatureScheme),
    signer: bytesOf(json.signer),
  });
  if (message.hashScheme !== HashScheme.BLAKE3 || message.signatureScheme !== SignatureScheme.ED25519) {
    return { reason: "bad-scheme", detail: "only BLAKE3 hashes and ed25519 signatures are accepted", nativeId };
  }
  const valid = await validations.validateMessage(message, nodeValidationMethods);
  if (valid.isErr()) return { reason: "bad-message", detail: valid.error.message, nativeId };
  if (data.network !== options.network) {
    return { reason: "wrong-network", detail: `network ${data.network}, expected ${options.network}`, nativeId };
  }
  const signer = json.signer.toLowerCase() as `0x${string}`;
  if (!(await options.signers.isSigner(data.fid, signer))) {
    return { reason: "unknown-signer", detail: `${signer} is not a signer of fid ${data.fid}`, nativeId };
  }
  const hash = bytesToHexString(message.hash);
  if (hash.isErr()) return { reason: "malformed", detail: hash.error.message, nativeId };
  return { data, hash: hash.value, signer };
}

/** A fixed signer list (tests, and operators who pin the keys they trust). */
export function configuredSigners(signers: Readonly<Record<string, readonly string[]>>): SignerSource {
  const byFid = new Map(
    Object.entries(signers).map(([fid, keys]) => [Number(fid), new Set(keys.map((k) => k.toLowerCase()))]),
  );
  return { isSigner: async (fid, signer) => byFid.get(fid)?.has(signer) === true };
}
