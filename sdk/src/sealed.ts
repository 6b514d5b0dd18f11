/**
 * Private payloads: an application seals its payload to the recipient's X25519 public key before `send`, so the
 * attesters and relayers that carry the message only ever see ciphertext; the recipient (or its off-chain agent)
 * opens it. Attesters still sign the message id over the sealed bytes, so nothing else in the protocol changes.
 *
 * Layout: `uint8 version (1) ‖ ephemeral X25519 public key (32) ‖ XChaCha20 nonce (24) ‖ ciphertext ‖ Poly1305 tag (16)`.
 * Key: HKDF-SHA256 over the X25519 shared secret, salted with `ephemeral ‖ recipient` public keys. The associated
 * data binds the seal to its destination domain and recipient, so a sealed payload cannot be replayed to another
 * recipient or chain and still open.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { bytesToHex, type Hex, hexToBytes } from "viem";
import { InvalidSealKeyError, SealedPayloadMalformedError, SealedPayloadUnopenableError } from "./errors/index.ts";
import { assertBytes32, assertHex, assertSmallUint } from "./internal/assert.ts";
import { MAX_PAYLOAD_LENGTH } from "./message.ts";

export const SEALED_PAYLOAD_VERSION = 1;
const EPHEMERAL_LENGTH = 32;
const NONCE_LENGTH = 24;
const TAG_LENGTH = 16;
/** Bytes a seal adds to the plaintext. */
export const SEAL_OVERHEAD = 1 + EPHEMERAL_LENGTH + NONCE_LENGTH + TAG_LENGTH;
/** Largest plaintext whose sealed form still fits a message payload. */
export const MAX_SEALED_PLAINTEXT_LENGTH = MAX_PAYLOAD_LENGTH - SEAL_OVERHEAD;

const INFO = new TextEncoder().encode("maskoii sealed payload v1");
const AAD_PREFIX = new TextEncoder().encode("maskoii/sealed/v1");

/** Where a sealed payload is going: it opens only with the same context. */
export type SealContext = { destinationDomain: number; recipient: Hex };

export type SealKeyPair = { secretKey: Hex; publicKey: Hex };

/** A fresh X25519 key pair for a recipient. */
export function generateSealKeyPair(): SealKeyPair {
  const secretKey = x25519.utils.randomSecretKey();
  return { secretKey: bytesToHex(secretKey), publicKey: bytesToHex(x25519.getPublicKey(secretKey)) };
}

/** The X25519 public key of a secret key. */
export function sealPublicKey(secretKey: Hex): Hex {
  return bytesToHex(x25519.getPublicKey(key("secretKey", secretKey)));
}

/** Seals `plaintext` to `recipientPublicKey` for `context`. A fresh ephemeral key and nonce every call. */
export function sealPayload(plaintext: Hex, recipientPublicKey: Hex, context: SealContext): Hex {
  const message = hexToBytes(assertHex("plaintext", plaintext));
  if (message.length > MAX_SEALED_PLAINTEXT_LENGTH) {
    throw new SealedPayloadMalformedError(
      `plaintext of ${message.length} bytes exceeds ${MAX_SEALED_PLAINTEXT_LENGTH} (the sealed form must fit a payload)`,
    );
  }
  const recipient = key("recipientPublicKey", recipientPublicKey);
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = xchacha20poly1305(
    deriveKey(x25519.getSharedSecret(ephemeralSecret, recipient), ephemeral, recipient),
    nonce,
    aad(context),
  );
  const sealed = cipher.encrypt(message);
  const out = new Uint8Array(1 + EPHEMERAL_LENGTH + NONCE_LENGTH + sealed.length);
  out[0] = SEALED_PAYLOAD_VERSION;
  out.set(ephemeral, 1);
  out.set(nonce, 1 + EPHEMERAL_LENGTH);
  out.set(sealed, 1 + EPHEMERAL_LENGTH + NONCE_LENGTH);
  return bytesToHex(out);
}

/** Opens a sealed payload with the recipient's secret key; throws unless key, context and bytes all match. */
export function openPayload(sealedPayload: Hex, recipientSecretKey: Hex, context: SealContext): Hex {
  const bytes = hexToBytes(assertHex("sealedPayload", sealedPayload));
  if (bytes.length < SEAL_OVERHEAD) {
    throw new SealedPayloadMalformedError(`${bytes.length} bytes is shorter than the ${SEAL_OVERHEAD}-byte envelope`);
  }
  if (bytes[0] !== SEALED_PAYLOAD_VERSION) {
    throw new SealedPayloadMalformedError(`unsupported version ${bytes[0]} (expected ${SEALED_PAYLOAD_VERSION})`);
  }
  const secret = key("recipientSecretKey", recipientSecretKey);
  const ephemeral = bytes.subarray(1, 1 + EPHEMERAL_LENGTH);
  const nonce = bytes.subarray(1 + EPHEMERAL_LENGTH, 1 + EPHEMERAL_LENGTH + NONCE_LENGTH);
  const body = bytes.subarray(1 + EPHEMERAL_LENGTH + NONCE_LENGTH);
  const recipient = x25519.getPublicKey(secret);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, ephemeral);
  } catch {
    // A low-order ephemeral key yields no shared secret: the payload cannot be opened.
    throw new SealedPayloadUnopenableError();
  }
  try {
    return bytesToHex(xchacha20poly1305(deriveKey(shared, ephemeral, recipient), nonce, aad(context)).decrypt(body));
  } catch {
    throw new SealedPayloadUnopenableError();
  }
}

function deriveKey(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  const salt = new Uint8Array(EPHEMERAL_LENGTH * 2);
  salt.set(ephemeral, 0);
  salt.set(recipient, EPHEMERAL_LENGTH);
  return hkdf(sha256, shared, salt, INFO, 32);
}

function aad(context: SealContext): Uint8Array {
  const destination = assertSmallUint("destinationDomain", context.destinationDomain, 32);
  const recipient = hexToBytes(assertBytes32("recipient", context.recipient));
  const out = new Uint8Array(AAD_PREFIX.length + 4 + 32);
  out.set(AAD_PREFIX, 0);
  new DataView(out.buffer).setUint32(AAD_PREFIX.length, destination);
  out.set(recipient, AAD_PREFIX.length + 4);
  return out;
}

function key(field: string, value: Hex): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new InvalidSealKeyError(field, value);
  return hexToBytes(value);
}
