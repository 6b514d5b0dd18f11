// Encrypted key files: scrypt (password -> 32-byte key) and AES-256-GCM over the raw private key. The public part
// (key kind and address / public key) is the GCM associated data, so it cannot be swapped without the tag failing.
// The private key exists in memory only; it is never logged and never taken from argv.
import { readFile, writeFile } from "node:fs/promises";
import { addressOfPrivateKey } from "@maskoii/sdk";
import { gcm } from "@noble/ciphers/aes.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Hex } from "viem";
import { z } from "zod";
import { KeystoreKindMismatchError, KeystoreMalformedError, KeystoreWrongPasswordError } from "../errors.ts";

/** secp256k1: attesting / transaction key (EVM address). ed25519: Koii node identity. */
export type KeyKind = "secp256k1" | "ed25519";

/** scrypt cost. The default (N = 2^17, r = 8, p = 1) is the Ethereum keystore's; tests may pass a cheaper one. */
export type ScryptParams = { n: number; r: number; p: number };
export const DEFAULT_SCRYPT: ScryptParams = { n: 2 ** 17, r: 8, p: 1 };
/** Below this N a keystore is refused on load: a file cheap to brute force is a bug, not a choice. */
export const MIN_SCRYPT_N = 2 ** 10;

const hexString = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes of lower-case hex`);

export const keystoreSchema = z
  .object({
    version: z.literal(1),
    kind: z.enum(["secp256k1", "ed25519"]),
    /** EVM address (secp256k1) or hex public key (ed25519). */
    publicId: z.string().min(1),
    crypto: z
      .object({
        kdf: z.literal("scrypt"),
        kdfparams: z
          .object({
            n: z
              .number()
              .int()
              .min(MIN_SCRYPT_N)
              .refine((n) => (n & (n - 1)) === 0, "n must be a power of two"),
            r: z.number().int().min(1).max(64),
            p: z.number().int().min(1).max(16),
            salt: hexString(32),
          })
          .strict(),
        cipher: z.literal("aes-256-gcm"),
        nonce: hexString(12),
        ciphertext: hexString(48),
      })
      .strict(),
  })
  .strict();
export type KeystoreFile = z.infer<typeof keystoreSchema>;

/** A decrypted key. `privateKey` is 0x-hex; keep it out of logs. */
export type UnlockedKey = { readonly kind: KeyKind; readonly publicId: string; readonly privateKey: Hex };

/** The public identifier stored next to the ciphertext: the EVM address, or the ed25519 public key in hex. */
export function publicIdOf(kind: KeyKind, privateKey: Hex): string {
  if (kind === "secp256k1") return addressOfPrivateKey(privateKey);
  return `0x${bytesToHex(ed25519.getPublicKey(hexToBytes(privateKey.slice(2))))}`;
}

/** A fresh random private key of `kind`. */
export function generatePrivateKey(kind: KeyKind): Hex {
  const bytes = kind === "secp256k1" ? secp256k1.utils.randomSecretKey() : ed25519.utils.randomSecretKey();
  return `0x${bytesToHex(bytes)}`;
}

function associatedData(kind: KeyKind, publicId: string): Uint8Array {
  return utf8ToBytes(`maskoii-keystore-v1:${kind}:${publicId.toLowerCase()}`);
}

async function deriveKey(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  return scryptAsync(utf8ToBytes(password.normalize("NFKC")), salt, {
    N: params.n,
    r: params.r,
    p: params.p,
    dkLen: 32,
    maxmem: 2 ** 31,
  });
}

/** Encrypts `privateKey` under `password`. */
export async function encryptKey(
  kind: KeyKind,
  privateKey: Hex,
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<KeystoreFile> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey))
    throw new KeystoreMalformedError("(new)", "private key must be 32 bytes");
  const publicId = publicIdOf(kind, privateKey);
  const salt = randomBytes(32);
  const nonce = randomBytes(12);
  const key = await deriveKey(password, salt, params);
  const ciphertext = gcm(key, nonce, associatedData(kind, publicId)).encrypt(hexToBytes(privateKey.slice(2)));
  key.fill(0);
  return {
    version: 1,
    kind,
    publicId,
    crypto: {
      kdf: "scrypt",
      kdfparams: { ...params, salt: bytesToHex(salt) },
      cipher: "aes-256-gcm",
      nonce: bytesToHex(nonce),
      ciphertext: bytesToHex(ciphertext),
    },
  };
}

/** Validates a parsed keystore object. */
export function parseKeystore(value: unknown, source: string): KeystoreFile {
  const result = keystoreSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new KeystoreMalformedError(source, `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

/** Decrypts a keystore. Throws `KeystoreWrongPasswordError` when the tag does not verify. */
export async function decryptKey(file: KeystoreFile, password: string, source = "keystore"): Promise<UnlockedKey> {
  const { kdfparams } = file.crypto;
  const key = await deriveKey(password, hexToBytes(kdfparams.salt), kdfparams);
  let plain: Uint8Array;
  try {
    plain = gcm(key, hexToBytes(file.crypto.nonce), associatedData(file.kind, file.publicId)).decrypt(
      hexToBytes(file.crypto.ciphertext),
    );
  } catch {
    throw new KeystoreWrongPasswordError(source);
  } finally {
    key.fill(0);
  }
  const privateKey: Hex = `0x${bytesToHex(plain)}`;
  plain.fill(0);
  if (publicIdOf(file.kind, privateKey).toLowerCase() !== file.publicId.toLowerCase()) {
    throw new KeystoreMalformedError(source, "decrypted key does not match its public id");
  }
  return { kind: file.kind, publicId: file.publicId, privateKey };
}

/** Writes a keystore file (mode 0600; refuses to overwrite). */
export async function writeKeystore(path: string, file: KeystoreFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
}

/** Reads and decrypts a keystore file, checking its kind. */
export async function unlockKeystore(path: string, password: string, expected: KeyKind): Promise<UnlockedKey> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new KeystoreMalformedError(path, cause instanceof Error ? cause.message : String(cause));
  }
  const file = parseKeystore(json, path);
  if (file.kind !== expected) throw new KeystoreKindMismatchError(path, expected, file.kind);
  return decryptKey(file, password, path);
}
