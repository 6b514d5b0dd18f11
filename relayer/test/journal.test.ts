import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@maskoii/node-kit";
import { attestationDigest, recoverSigner } from "@maskoii/sdk";
import { keccak256, stringToHex, toHex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { afterAll, describe, expect, it } from "vitest";
import { AttesterSigner } from "../src/attester/signer.ts";
import type { StoreConfig } from "../src/config.ts";
import { RotationConflictError, SigningConflictError } from "../src/errors.ts";
import { openStore } from "../src/store/index.ts";
import { storeBackends } from "./backends.ts";

const KEY = keccak256(stringToHex("journal test attester"));
const ADDRESS = "0x0000000000000000000000000000000000000001" as const;
const target = { domain: 1002, verifier: toHex(7n, { size: 32 }), attesterSetId: 1n };
const idA = keccak256(stringToHex("message A"));
const idB = keccak256(stringToHex("message B"));

/** One durable store per backend, reopened by every `open()` of its describe block. */
type Durable = readonly [string, (dir: string) => Promise<{ config: StoreConfig; drop: () => Promise<void> }>];
const durable: Durable[] = [
  [
    "sqlite file",
    async (dir) => ({ config: { kind: "sqlite", path: join(dir, "store.sqlite") }, drop: async () => {} }),
  ],
  ["pglite on disk", async (dir) => ({ config: { kind: "pglite", dataDir: join(dir, "db") }, drop: async () => {} })],
  ...storeBackends.filter(([name]) => name === "postgres").map(([, setup]): Durable => ["postgres", () => setup()]),
];

describe.each(durable)("signing journal (%s)", (_name, backend) => {
  const dir = mkdtemp(join(tmpdir(), "maskoii-journal-"));
  const setup = dir.then(backend);
  afterAll(async () => {
    await (await setup).drop();
    await rm(await dir, { recursive: true, force: true });
  });

  const open = async () => {
    const store = await openStore((await setup).config);
    const signer = new AttesterSigner({ address: ADDRESS, privateKey: KEY, store, log: silentLogger() });
    return { store, signer };
  };

  it("refuses a conflicting (origin, nonce) after the store is closed and reopened", async () => {
    const first = await open();
    const sig = await first.signer.signMessage({ messageId: idA, originDomain: 1001, nonce: 7n }, target);
    expect(sig.signature).toMatch(/^0x[0-9a-f]{130}$/);
    await first.store.close();

    const second = await open();
    await expect(
      second.signer.signMessage({ messageId: idB, originDomain: 1001, nonce: 7n }, target),
    ).rejects.toBeInstanceOf(SigningConflictError);
    // Nothing was signed for B, in any form.
    expect(await second.store.getSignatures(idB)).toEqual([]);
    // The journaled id can still be (re)signed, e.g. for a new set after a rotation.
    const again = await second.signer.signMessage({ messageId: idA, originDomain: 1001, nonce: 7n }, target);
    expect(again.signature).toBe(sig.signature);
    const rotated = await second.signer.signMessage(
      { messageId: idA, originDomain: 1001, nonce: 7n },
      { ...target, attesterSetId: 2n },
    );
    expect(rotated.signature).not.toBe(sig.signature);
    expect(await second.store.getSignatures(idA)).toHaveLength(2);
    // Same nonce on another origin is a different pair.
    await second.signer.signMessage({ messageId: idB, originDomain: 1003, nonce: 7n }, target);
    await second.store.close();
  });

  it("refuses a batch containing a conflicting message, and signs none of it", async () => {
    const { store, signer } = await open();
    const idC = keccak256(stringToHex("message C"));
    await expect(
      signer.signBatch(
        [
          { messageId: idC, originDomain: 1001, nonce: 8n },
          { messageId: idB, originDomain: 1001, nonce: 7n },
        ],
        target,
      ),
    ).rejects.toBeInstanceOf(SigningConflictError);
    expect((await store.getSignatures(idC)).filter((s) => s.kind === "batch")).toEqual([]);
    const batch = await signer.signBatch(
      [
        { messageId: idC, originDomain: 1001, nonce: 8n },
        { messageId: idA, originDomain: 1001, nonce: 7n },
      ],
      target,
    );
    expect(batch.messageIds).toEqual([idC, idA]);
    expect((await store.getSignatures(idA)).map((s) => s.kind).sort()).toEqual(["batch", "message", "message"]);
    await store.close();
  });

  it("journals the origin block of every message it signs (alone, in bulk, in a batch), across a reopen", async () => {
    const { store, signer } = await open();
    const id = (s: string) => keccak256(stringToHex(s));
    await signer.signMessage({ messageId: id("block 1"), originDomain: 1005, nonce: 1n, originBlock: 100n }, target);
    await signer.signMessages(
      [
        { messageId: id("block 2"), originDomain: 1005, nonce: 2n, originBlock: 200n },
        { messageId: id("block 3"), originDomain: 1005, nonce: 3n, originBlock: 300n },
      ],
      target,
    );
    await signer.signBatch([{ messageId: id("block 4"), originDomain: 1005, nonce: 4n, originBlock: 400n }], target);
    await store.close();
    const reopened = await open();
    for (const n of [1n, 2n, 3n, 4n]) {
      expect(await reopened.store.getJournal(1005, n)).toMatchObject({
        messageId: id(`block ${n}`),
        originBlock: n * 100n,
      });
    }
    await reopened.store.close();
  });

  it("a journal row is written even if the process dies before the signature is stored", async () => {
    const { store } = await open();
    // Simulates the crash window: journal reserved, no signature saved.
    expect(await store.journalReserve(1001, 9n, idA)).toBe(idA);
    await store.close();
    const reopened = await open();
    await expect(
      reopened.signer.signMessage({ messageId: idB, originDomain: 1001, nonce: 9n }, target),
    ).rejects.toBeInstanceOf(SigningConflictError);
    await reopened.store.close();
  });

  it("signs at most one rotation per (domain, gateway, set id), across a restart", async () => {
    const first = await open();
    const next = keccak256(stringToHex("next set A"));
    const sig = await first.signer.signRotation(target, next);
    expect(recoverSigner(attestationDigest("rotation", { ...target, value: next }), sig)).toBe(
      privateKeyToAddress(KEY),
    );
    await first.store.close();
    const second = await open();
    await expect(second.signer.signRotation(target, keccak256(stringToHex("next set B")))).rejects.toBeInstanceOf(
      RotationConflictError,
    );
    // Same hash again is fine (idempotent), and another set id or domain is a different slot.
    await second.signer.signRotation(target, next);
    await second.signer.signRotation({ ...target, attesterSetId: 2n }, keccak256(stringToHex("next set B")));
    await second.store.close();
  });
});
