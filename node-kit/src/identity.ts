// Koii node identity. A Koii node is known by its ed25519 key (base58 public key, as on K2); it attests with a
// secp256k1 key (EVM address in the attester set). The binding record ties them together: the same statement is
// signed by BOTH keys, so anyone can check that the Koii node controls the attesting key and vice versa, and the
// Koii task (docs/relayer.md) can pay and slash the node that owns an attester address.

import { base58Decode, base58Encode, recoverSigner, signDigest } from "@maskoii/sdk";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { type Address, getAddress, type Hex, isAddress, keccak256, stringToBytes } from "viem";
import { z } from "zod";
import { InvalidBindingRecordError } from "./errors.ts";

export const BINDING_VERSION = 1;

export const bindingRecordSchema = z
  .object({
    version: z.literal(BINDING_VERSION),
    /** The Koii node's ed25519 public key, base58. */
    koiiPublicKey: z.string().min(32).max(44),
    /** The secp256k1 attesting address (checksummed). */
    attester: z.string().refine((a) => isAddress(a, { strict: true }), "expected a checksummed address"),
    /** Unix seconds; a later record for the same Koii key supersedes an earlier one. */
    issuedAt: z.number().int().nonnegative(),
    /** ed25519 signature over the statement, 64 bytes hex. */
    koiiSignature: z.string().regex(/^0x[0-9a-f]{128}$/),
    /** secp256k1 signature r ‖ s ‖ v over keccak256(statement), 65 bytes hex. */
    attesterSignature: z.string().regex(/^0x[0-9a-f]{130}$/),
  })
  .strict();
export type BindingRecord = z.infer<typeof bindingRecordSchema>;

/**
 * The exact bytes both keys sign. Its fixed text prefix keeps it apart from EIP-712 attestation digests
 * (whose preimages start with 0x1901), so a binding signature can never be replayed as an attestation.
 */
export function bindingStatement(koiiPublicKey: string, attester: Address, issuedAt: number): Uint8Array {
  return stringToBytes(
    `maskoii attester binding v${BINDING_VERSION}\nkoii: ${koiiPublicKey}\nattester: ${getAddress(attester)}\nissuedAt: ${issuedAt}`,
  );
}

/** The base58 Koii public key of an ed25519 private key. */
export function koiiPublicKeyOf(ed25519PrivateKey: Hex): string {
  return base58Encode(ed25519.getPublicKey(hexToBytes(ed25519PrivateKey.slice(2))));
}

/** Signs a binding record with both keys. */
export function createBindingRecord(args: {
  ed25519PrivateKey: Hex;
  secp256k1PrivateKey: Hex;
  attester: Address;
  issuedAt: number;
}): BindingRecord {
  const koiiPublicKey = koiiPublicKeyOf(args.ed25519PrivateKey);
  const statement = bindingStatement(koiiPublicKey, args.attester, args.issuedAt);
  const koiiSignature = ed25519.sign(statement, hexToBytes(args.ed25519PrivateKey.slice(2)));
  const sig = signDigest(keccak256(statement), args.secp256k1PrivateKey);
  return {
    version: BINDING_VERSION,
    koiiPublicKey,
    attester: getAddress(args.attester),
    issuedAt: args.issuedAt,
    koiiSignature: `0x${bytesToHex(koiiSignature)}`,
    attesterSignature: `${sig.r}${sig.s.slice(2)}${sig.v.toString(16).padStart(2, "0")}`,
  };
}

/**
 * Verifies a binding record: its shape, the ed25519 signature under `koiiPublicKey` and the secp256k1 signature
 * recovering to `attester`. Returns the parsed record; throws `InvalidBindingRecordError` saying what failed.
 */
export function verifyBindingRecord(value: unknown): BindingRecord {
  const parsed = bindingRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidBindingRecordError(`${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  const record = parsed.data;
  const publicKey = base58Decode(record.koiiPublicKey);
  if (publicKey === undefined || publicKey.length !== 32) {
    throw new InvalidBindingRecordError("koiiPublicKey is not a 32-byte base58 key");
  }
  const statement = bindingStatement(record.koiiPublicKey, record.attester as Address, record.issuedAt);
  let koiiOk = false;
  try {
    koiiOk = ed25519.verify(hexToBytes(record.koiiSignature.slice(2)), statement, publicKey);
  } catch {
    koiiOk = false;
  }
  if (!koiiOk) throw new InvalidBindingRecordError("the Koii ed25519 signature does not verify");
  const sig = record.attesterSignature;
  let recovered: Address;
  try {
    recovered = recoverSigner(keccak256(statement), {
      r: `0x${sig.slice(2, 66)}`,
      s: `0x${sig.slice(66, 130)}`,
      v: Number.parseInt(sig.slice(130, 132), 16),
    });
  } catch (cause) {
    throw new InvalidBindingRecordError(`the attester signature is invalid: ${(cause as Error).message}`);
  }
  if (recovered !== getAddress(record.attester)) {
    throw new InvalidBindingRecordError(`the attester signature recovers to ${recovered}, not ${record.attester}`);
  }
  return record;
}

// -- relayer request authentication (attester/auth.ts) -----------------------------------------------------------
// A relayer that an attester's allow-list names signs each request with its node identity key (the same ed25519 key
// and base58 public key as above) over the method, path, a millisecond timestamp and the body's SHA-256. The fixed
// text prefix keeps these apart from binding statements and attestation digests.

/** The headers a signed relayer request carries. */
export const RELAYER_AUTH_HEADERS = {
  key: "x-maskoii-relayer",
  timestamp: "x-maskoii-timestamp",
  signature: "x-maskoii-signature",
} as const;

/** The exact bytes a relayer signs for one request. */
export function relayerRequestStatement(
  method: string,
  path: string,
  timestampMs: number,
  body: Uint8Array,
): Uint8Array {
  return stringToBytes(
    `maskoii relayer request v1\n${method.toUpperCase()}\n${path}\n${timestampMs}\n${bytesToHex(sha256(body))}`,
  );
}

/** Signs a request: the three headers to send with it. */
export function signRelayerRequest(
  ed25519PrivateKey: Hex,
  request: { method: string; path: string; body: Uint8Array | string; timestampMs?: number },
): Record<string, string> {
  const timestampMs = request.timestampMs ?? Date.now();
  const body = typeof request.body === "string" ? stringToBytes(request.body) : request.body;
  const statement = relayerRequestStatement(request.method, request.path, timestampMs, body);
  return {
    [RELAYER_AUTH_HEADERS.key]: koiiPublicKeyOf(ed25519PrivateKey),
    [RELAYER_AUTH_HEADERS.timestamp]: String(timestampMs),
    [RELAYER_AUTH_HEADERS.signature]: `0x${bytesToHex(ed25519.sign(statement, hexToBytes(ed25519PrivateKey.slice(2))))}`,
  };
}

/** Whether `signature` (0x + 64 bytes hex) is `publicKey`'s (base58) ed25519 signature over `statement`. */
export function verifyRelayerSignature(publicKey: string, statement: Uint8Array, signature: string): boolean {
  const key = base58Decode(publicKey);
  if (key === undefined || key.length !== 32 || !/^0x[0-9a-f]{128}$/.test(signature)) return false;
  try {
    return ed25519.verify(hexToBytes(signature.slice(2)), statement, key);
  } catch {
    return false;
  }
}

/**
 * A relayer's request signer (its node identity key): the headers of each request to an attester. Timestamps are
 * strictly increasing per signer, so two identical requests sent in one millisecond still carry distinct signatures
 * (an attester refuses a signature it already accepted as a replay).
 */
export class RelayerRequestSigner {
  readonly #privateKey: Hex;
  /** The base58 public key: what an attester's `attester.auth.relayers` lists. */
  readonly publicKey: string;
  readonly #now: () => number;
  #last = 0;

  constructor(ed25519PrivateKey: Hex, now: () => number = Date.now) {
    this.#privateKey = ed25519PrivateKey;
    this.publicKey = koiiPublicKeyOf(ed25519PrivateKey);
    this.#now = now;
  }

  /** The three auth headers for `method` on `url` (its path, without the query, is signed) with `body`. */
  headers(method: string, url: string, body: Uint8Array | string = ""): Record<string, string> {
    this.#last = Math.max(this.#now(), this.#last + 1);
    return signRelayerRequest(this.#privateKey, {
      method,
      path: new URL(url).pathname,
      body,
      timestampMs: this.#last,
    });
  }
}
