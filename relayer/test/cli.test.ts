import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyBindingRecord } from "@maskoii/node-kit";
import { addressOfPrivateKey } from "@maskoii/sdk";
import { keccak256, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers.ts";

const PASSWORD = "cli test password";
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? "", ...extra });

describe("maskoii CLI (processes)", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-cli-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("keys new / show / bind: a verifiable binding record; the password only from the environment", async () => {
    const withPassword = env({ MASKOII_KEYSTORE_PASSWORD: PASSWORD });
    const a = await runCli(["keys", "new", "--kind", "secp256k1", "--out", join(dir, "a.json")], { env: withPassword });
    expect(a.code, a.stderr).toBe(0);
    const created = JSON.parse(a.stdout) as { publicId: string };
    expect(created.publicId).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const k = await runCli(["keys", "new", "--kind", "ed25519", "--out", join(dir, "k.json")], { env: withPassword });
    expect(k.code, k.stderr).toBe(0);
    const show = await runCli(["keys", "show", "--keystore", join(dir, "a.json")]);
    expect(JSON.parse(show.stdout)).toEqual({ kind: "secp256k1", publicId: created.publicId });
    const bind = await runCli(["keys", "bind", "--keystore", join(dir, "a.json"), "--identity", join(dir, "k.json")], {
      env: withPassword,
    });
    expect(bind.code, bind.stderr).toBe(0);
    expect(verifyBindingRecord(JSON.parse(bind.stdout)).attester).toBe(created.publicId);
    // Nothing secret on stdout.
    expect(bind.stdout + a.stdout).not.toContain(PASSWORD);
  });

  it("keys import reads the key from a file and the password from a file", async () => {
    const key = keccak256(stringToHex("cli import key"));
    await writeFile(join(dir, "key.hex"), `${key}\n`);
    await writeFile(join(dir, "pw"), `${PASSWORD}\n`);
    const out = join(dir, "imported.json");
    const r = await runCli([
      "keys",
      "import",
      "--kind",
      "secp256k1",
      "--out",
      out,
      "--key-file",
      join(dir, "key.hex"),
      "--password-file",
      join(dir, "pw"),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).publicId).toBe(addressOfPrivateKey(key));
    expect(await readFile(out, "utf8")).not.toContain(key.slice(2));
  });

  it("fails with exit 2 and a precise message: wrong password, no password, bad config, bad usage", async () => {
    const wrong = await runCli(["keys", "bind", "--keystore", join(dir, "a.json"), "--identity", join(dir, "k.json")], {
      env: env({ MASKOII_KEYSTORE_PASSWORD: "wrong" }),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("KeystoreWrongPassword");
    const none = await runCli(["keys", "bind", "--keystore", join(dir, "a.json"), "--identity", join(dir, "k.json")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("SecretUnavailable");

    await writeFile(join(dir, "bad.json"), JSON.stringify({ chains: [{ domain: 1001, rpcUrl: "x" }], keys: {} }));
    const bad = await runCli(["attester", "--config", join(dir, "bad.json")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("chains.0.rpcUrl: expected an http(s) URL");

    const flag = await runCli(["attester", "--private-key", "0x01"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("usage:");
    const unknown = await runCli(["frobnicate", "--config", join(dir, "bad.json")]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command frobnicate");
  });
});
