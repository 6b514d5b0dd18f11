// The bulk hot path: the store's bulk methods, the attester's POST /signatures, the HTTP client's signaturesMany
// (with its per-id fallback for attesters without the route) and the signer's signMessages.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger } from "@maskoii/node-kit";
import { attestationDigest, recoverSigner } from "@maskoii/sdk";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BULK_IDS, startAttesterServer } from "../src/attester/server.ts";
import { AttesterSigner } from "../src/attester/signer.ts";
import { AttesterClient, answersFor } from "../src/collector.ts";
import { Metrics } from "../src/metrics.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeChain, members, sampleMessage } from "./helpers.ts";

const [me] = members(1, "bulk attester");
const chain = new FakeChain(1002, {
  setId: 4n,
  attesters: [me!.address],
  weights: [1n],
  thresholdBps: 10_000,
  totalWeight: 1n,
  expiresAt: 0,
});
const target = { domain: 1002, verifier: chain.verifier, attesterSetId: 4n };
const split = (sig: string) => ({
  r: `0x${sig.slice(2, 66)}` as Hex,
  s: `0x${sig.slice(66, 130)}` as Hex,
  v: Number.parseInt(sig.slice(130), 16),
});
const signable = (m: ReturnType<typeof sampleMessage>) => ({
  messageId: m.messageId,
  originDomain: m.origin,
  nonce: m.nonce,
});

describe("store bulk methods (PGlite)", () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
  });
  afterAll(async () => store.close());

  it("journalReserveMany keeps the first id per (origin, nonce), across and within calls", async () => {
    const [a, b, c] = [sampleMessage(1n), sampleMessage(2n), sampleMessage(3n)];
    const other = `0x${"ee".repeat(32)}` as Hex;
    expect(await store.journalReserveMany([])).toEqual([]);
    expect(await store.journalReserve(1001, 1n, a.messageId)).toBe(a.messageId);
    const held = await store.journalReserveMany([
      { origin: 1001, nonce: 1n, messageId: other }, // journaled earlier as a
      { origin: 1001, nonce: 2n, messageId: b.messageId },
      { origin: 1001, nonce: 2n, messageId: other }, // same pair twice in one call: the first wins
      { origin: 1001, nonce: 3n, messageId: c.messageId.toUpperCase().replace("0X", "0x") as Hex },
    ]);
    expect(held).toEqual([a.messageId, b.messageId, b.messageId, c.messageId]);
    expect(await store.journalReserve(1001, 2n, other)).toBe(b.messageId);
  });

  it("getObservedMany, listOpenObservedAfter and updateDeliveries", async () => {
    const ms = [10n, 11n, 12n].map((n, i) => ({ ...sampleMessage(n, 1001, 1003), observedAt: 100 + i }));
    for (const m of ms) await store.recordObserved(m);
    const unknown = sampleMessage(99n).messageId;
    const got = await store.getObservedMany([ms[2]!.messageId, unknown, ms[0]!.messageId]);
    expect(got.map((m) => m.nonce).sort()).toEqual([10n, 12n]);
    expect(await store.getObservedMany([])).toEqual([]);
    expect((await store.listOpenObservedAfter(1003, undefined, 10)).map((m) => m.nonce)).toEqual([10n, 11n, 12n]);
    expect((await store.listOpenObservedAfter(1003, ms[0], 10)).map((m) => m.nonce)).toEqual([11n, 12n]);
    expect((await store.listOpenObservedAfter(1003, ms[0], 1)).map((m) => m.nonce)).toEqual([11n]);
    await store.markObservedClosed([ms[1]!.messageId]);
    expect((await store.listOpenObservedAfter(1003, ms[0], 10)).map((m) => m.nonce)).toEqual([12n]);

    for (const m of ms) {
      await store.addDelivery({
        ...m,
        state: "pending",
        attempts: 0,
        nextAttemptAt: 0,
        firstSeenAt: 0,
        quorumAt: null,
        deliveredAt: null,
        txHash: null,
        gasUsed: null,
        lastError: null,
      });
    }
    const tx = `0x${"ab".repeat(32)}` as Hex;
    await store.updateDeliveries([ms[0]!.messageId, ms[2]!.messageId], {
      state: "delivered",
      txHash: tx,
      gasUsed: 2n ** 70n,
      deliveredAt: 7,
      lastError: null,
    });
    await store.updateDeliveries([], { state: "failed" });
    expect(await store.getDelivery(ms[0]!.messageId)).toMatchObject({
      state: "delivered",
      txHash: tx,
      gasUsed: 2n ** 70n,
    });
    expect(await store.getDelivery(ms[1]!.messageId)).toMatchObject({ state: "pending", txHash: null });
    expect(await store.countDeliveries()).toEqual({ pending: 1, delivered: 2, skipped: 0, failed: 0 });
  });
});

describe("signer.signMessages", () => {
  it("journals first, signs the clean ones, refuses conflicts, and is idempotent per target", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    try {
      const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log: silentLogger() });
      const [a, b] = [sampleMessage(20n), sampleMessage(21n)];
      const forgedB = { ...signable(b), messageId: `0x${"cd".repeat(32)}` as Hex };
      await store.journalReserve(1001, 21n, b.messageId);
      const first = await signer.signMessages([signable(a), forgedB], target);
      expect(first.signed.map((s) => s.value)).toEqual([a.messageId]);
      expect(first.conflicts.map((c) => [c.requested, c.journaled])).toEqual([[forgedB.messageId, b.messageId]]);
      const digest = attestationDigest("message", { ...target, value: a.messageId });
      expect(recoverSigner(digest, split(first.signed[0]!.signature))).toBe(me!.address);
      const again = await signer.signMessages([signable(a), signable(b)], target);
      expect(again.conflicts).toEqual([]);
      expect(again.signed[0]).toEqual(first.signed[0]); // the stored one, not a new signature
      expect(await store.getMessageSignatures([a.messageId, b.messageId, forgedB.messageId])).toHaveLength(2);
      expect(await signer.signMessages([], target)).toEqual({ signed: [], conflicts: [] });
    } finally {
      await store.close();
    }
  });
});

describe("POST /signatures and AttesterClient.signaturesMany", () => {
  let store: Store;
  let url = "";
  let close: () => Promise<void> = async () => {};
  let legacy: Server;
  let legacyUrl = "";
  const observed = [sampleMessage(30n), sampleMessage(31n)];
  const unseen = sampleMessage(32n);
  const post = async (body: unknown) => {
    const response = await fetch(`${url}/signatures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    const metrics = new Metrics();
    const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log: silentLogger() });
    for (const m of observed) await store.recordObserved({ ...m, observedAt: 1 });
    await signer.signMessages([signable(observed[0]!)], target);
    const server = await startAttesterServer(
      {
        store,
        chains: new Map([[1002, chain]]),
        signer,
        metrics,
        log: silentLogger(),
        ready: () => true,
        signBatches: true,
      },
      { host: "127.0.0.1", port: 0 },
    );
    url = server.url;
    close = server.close;
    // An attester of an earlier version: no POST /signatures (404), only GET /signatures/:id (proxied to the real one).
    legacy = createServer((req, res) => {
      if (req.method === "GET" && req.url?.startsWith("/signatures/")) {
        fetch(`${url}${req.url}`).then(async (r) => {
          res.writeHead(r.status, { "content-type": "application/json" });
          res.end(await r.text());
        });
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":"not found"}');
    });
    await new Promise<void>((resolve) => legacy.listen(0, "127.0.0.1", resolve));
    legacyUrl = `http://127.0.0.1:${(legacy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await close();
    legacy.closeAllConnections();
    await new Promise<void>((resolve) => legacy.close(() => resolve()));
    await store.close();
  });

  it("rejects malformed requests with 400", async () => {
    expect((await post("{not json")).status).toBe(400);
    expect((await post({})).status).toBe(400);
    expect((await post({ messageIds: [] })).status).toBe(400);
    expect((await post({ messageIds: ["0x1234"] })).status).toBe(400);
    expect((await post({ messageIds: [observed[0]!.messageId], extra: 1 })).status).toBe(400);
    const tooMany = Array.from({ length: MAX_BULK_IDS + 1 }, (_, i) => sampleMessage(BigInt(1000 + i)).messageId);
    const refused = await post({ messageIds: tooMany });
    expect(refused.status).toBe(400);
    expect(String(refused.json.error)).toContain("bad signatures request");
  });

  it("answers a mix of signed, observed-but-unsigned and unknown ids, once per id", async () => {
    const [signed, unsigned] = observed;
    const upper = signed!.messageId.toUpperCase().replace("0X", "0x");
    const { status, json } = await post({
      messageIds: [signed!.messageId, unsigned!.messageId, unseen.messageId, upper],
    });
    expect(status).toBe(200);
    expect(json.attester).toBe(me!.address);
    const results = json.results as { messageId: string; observed: boolean; signatures: { signature: string }[] }[];
    expect(results.map((r) => [r.messageId, r.observed, r.signatures.length])).toEqual([
      [signed!.messageId, true, 1],
      [unsigned!.messageId, true, 0],
      [unseen.messageId, false, 0],
    ]);
    const digest = attestationDigest("message", { ...target, value: signed!.messageId });
    expect(recoverSigner(digest, split(results[0]!.signatures[0]!.signature))).toBe(me!.address);
  });

  it("the client asks each endpoint once, falls back to GET per id on a 404, and reports a dead endpoint", async () => {
    const client = new AttesterClient([url, legacyUrl, "http://127.0.0.1:1"], 2_000);
    const ids = [observed[0]!.messageId, unseen.messageId];
    const bulk = await client.signaturesMany(ids);
    expect(bulk.map((b) => b.ok)).toEqual([true, true, false]);
    for (const b of bulk.slice(0, 2)) {
      if (!b.ok) throw new Error("unreachable");
      expect(b.attester).toBe(me!.address);
      expect(b.results.get(ids[0]!)?.observed).toBe(true);
      expect(b.results.get(ids[0]!)?.signatures).toHaveLength(1);
      expect(b.results.get(ids[1]!)).toMatchObject({ observed: false, signatures: [] });
    }
    const perId = answersFor(bulk, unseen.messageId);
    expect(perId.map((a) => (a.ok ? a.observed : a.error.length > 0))).toEqual([false, false, true]);
  });
});
