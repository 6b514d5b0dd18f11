import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { addressOfPrivateKey } from "@maskoii/sdk";
import { afterAll, describe, expect, it } from "vitest";
import {
  KeystoreKindMismatchError,
  KeystoreMalformedError,
  KeystoreWrongPasswordError,
  SecretUnavailableError,
} from "../src/errors.ts";
import {
  decryptKey,
  encryptKey,
  generatePrivateKey,
  parseKeystore,
  type ScryptParams,
  unlockKeystore,
  writeKeystore,
} from "../src/keys/keystore.ts";
import { readPassword } from "../src/keys/secrets.ts";
import { createLogger } from "../src/log.ts";

/** Cheap scrypt for tests (the minimum a keystore may have). */
const FAST: ScryptParams = { n: 2 ** 10, r: 8, p: 1 };

describe("keystore", () => {
  const dir = mkdtemp(join(tmpdir(), "maskoii-keys-"));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it("round trips a secp256k1 key through a file; the file holds no plaintext key", async () => {
    const key = generatePrivateKey("secp256k1");
    const file = await encryptKey("secp256k1", key, "correct horse", FAST);
    expect(file.publicId).toBe(addressOfPrivateKey(key));
    const path = join(await dir, "a.json");
    await writeKeystore(path, file);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, "utf8");
    expect(text).not.toContain(key.slice(2));
    const unlocked = await unlockKeystore(path, "correct horse", "secp256k1");
    expect(unlocked.privateKey).toBe(key);
    await expect(writeKeystore(path, file)).rejects.toThrow(/EEXIST/);
  });

  it("round trips an ed25519 key", async () => {
    const key = generatePrivateKey("ed25519");
    const unlocked = await decryptKey(await encryptKey("ed25519", key, "pw", FAST), "pw");
    expect(unlocked.privateKey).toBe(key);
    expect(unlocked.publicId).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("refuses a wrong password", async () => {
    const file = await encryptKey("secp256k1", generatePrivateKey("secp256k1"), "right", FAST);
    await expect(decryptKey(file, "wrong")).rejects.toBeInstanceOf(KeystoreWrongPasswordError);
  });

  it("detects a swapped public id (authenticated as GCM associated data)", async () => {
    const file = await encryptKey("secp256k1", generatePrivateKey("secp256k1"), "pw", FAST);
    const other = addressOfPrivateKey(generatePrivateKey("secp256k1"));
    await expect(decryptKey({ ...file, publicId: other }, "pw")).rejects.toBeInstanceOf(KeystoreWrongPasswordError);
  });

  it("refuses malformed files, weak scrypt and the wrong kind", async () => {
    expect(() => parseKeystore({ version: 1 }, "x")).toThrow(KeystoreMalformedError);
    const file = await encryptKey("secp256k1", generatePrivateKey("secp256k1"), "pw", FAST);
    const weak = { ...file, crypto: { ...file.crypto, kdfparams: { ...file.crypto.kdfparams, n: 16 } } };
    expect(() => parseKeystore(weak, "x")).toThrow(/kdfparams.n/);
    const path = join(await dir, "kind.json");
    await writeKeystore(path, file);
    await expect(unlockKeystore(path, "pw", "ed25519")).rejects.toBeInstanceOf(KeystoreKindMismatchError);
    await expect(unlockKeystore(join(await dir, "none.json"), "pw", "ed25519")).rejects.toBeInstanceOf(
      KeystoreMalformedError,
    );
  });

  it("reads the password from a file, then the environment, then stdin; never silently empty", async () => {
    const pwFile = join(await dir, "pw");
    await writeFile(pwFile, "from-file\n");
    expect(await readPassword({ file: pwFile, env: { MASKOII_KEYSTORE_PASSWORD: "env" } })).toBe("from-file");
    expect(await readPassword({ env: { MASKOII_KEYSTORE_PASSWORD: "env" } })).toBe("env");
    expect(await readPassword({ env: {}, stdin: Readable.from(["from-stdin\n"]) })).toBe("from-stdin");
    await expect(readPassword({ env: {} })).rejects.toBeInstanceOf(SecretUnavailableError);
    await expect(readPassword({ file: join(await dir, "nope"), env: {} })).rejects.toBeInstanceOf(
      SecretUnavailableError,
    );
  });

  it("logs never carry a private key or password field", () => {
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const log = createLogger({ level: "info" }, sink);
    log.info({ privateKey: "0xdeadbeef", nested: { password: "hunter2" }, messageId: "0x01" }, "hello");
    expect(out).not.toContain("deadbeef");
    expect(out).not.toContain("hunter2");
    expect(out).toContain("[redacted]");
    expect(out).toContain("0x01");
  });
});
