import { Writable } from "node:stream";
import { createLogger, type Logger, silentLogger } from "@maskoii/node-kit";
import { attestationDigest, batchRoot, MessageTooShortError, signDigest } from "@maskoii/sdk";
import type { Hex } from "viem";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packSignature } from "../src/attester/signer.ts";
import type { AttesterSetView } from "../src/chains/adapter.ts";
import { MessageWatcher } from "../src/chains/watcher.ts";
import { ChainRpcError } from "../src/errors.ts";
import { Metrics } from "../src/metrics.ts";
import { Relayer } from "../src/relayer-service.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeAttesters, FakeChain, members, sampleMessage } from "./helpers.ts";

const keys = members(3);
const set: AttesterSetView = {
  setId: 1n,
  attesters: keys.map((k) => k.address),
  weights: [1n, 1n, 1n],
  thresholdBps: 6666,
  totalWeight: 3n,
  expiresAt: 0,
};

describe("relayer service (fake chains, real store)", () => {
  let store: Store;
  let chainA: FakeChain;
  let chainB: FakeChain;
  let attesters: FakeAttesters;
  let metrics: Metrics;
  let clock: number;

  beforeEach(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    chainA = new FakeChain(1001, { ...set });
    chainB = new FakeChain(1002, { ...set });
    attesters = new FakeAttesters(keys, chainB, [0, 1, 2]);
    metrics = new Metrics();
    clock = 1_000_000;
  });
  afterEach(async () => store.close());

  function relayer(maxBatchSize = 1, maxAttempts = 3, log: Logger = silentLogger()): Relayer {
    const chains = new Map([
      [1001, chainA],
      [1002, chainB],
    ]);
    let r: Relayer | undefined;
    const watcher = new MessageWatcher({
      adapter: chainA,
      store,
      startBlock: 0,
      maxBlockRange: 50,
      role: "relayer",
      log: silentLogger(),
      onMessage: async (m) => r?.track(m),
    });
    r = new Relayer({
      chains,
      watchers: [watcher],
      store,
      attesters,
      log,
      metrics,
      pollIntervalMs: 1_000,
      retry: { baseMs: 1_000, maxMs: 10_000, maxAttempts },
      maxBatchSize,
      now: () => clock,
    });
    return r;
  }

  it("waits below the threshold, then delivers once the quorum is there", async () => {
    const m = sampleMessage(0n);
    chainA.sent.push(m);
    attesters.online = new Set([1]);
    attesters.extra = [
      { source: "garbage", signature: "0x00" },
      { source: "outsider", signature: `0x${"11".repeat(64)}1b` },
    ];
    const r = relayer();
    await r.tick();
    let d = await store.getDelivery(m.messageId);
    expect(d?.state).toBe("pending");
    expect(d?.attempts).toBe(0);
    expect(d?.lastError).toContain("below quorum: 1/3");
    expect(d?.lastError).toContain(keys[0]!.address);
    expect(chainB.deliveries).toEqual([]);
    expect(await metrics.render()).toMatch(/maskoii_signatures_total\{kind="message",outcome="rejected-malformed"\} 1/);

    attesters.online = new Set([0, 1]);
    await r.tick(); // not due yet: nothing happens
    expect(chainB.deliveries).toEqual([]);
    clock += 1_000;
    await r.tick();
    d = await store.getDelivery(m.messageId);
    expect(d?.state).toBe("delivered");
    expect(d?.quorumAt).toBe(clock);
    expect(chainB.deliveries).toEqual([{ method: "deliver", ids: [m.messageId] }]);
    clock += 10_000;
    await r.tick();
    expect(chainB.deliveries).toHaveLength(1);
  });

  it("skips a message someone else delivered already", async () => {
    const m = sampleMessage(1n);
    chainA.sent.push(m);
    chainB.markDelivered(m);
    await relayer().tick();
    expect((await store.getDelivery(m.messageId))?.state).toBe("skipped");
    expect(chainB.deliveries).toEqual([]);
  });

  it("delivers ready messages of one destination in a Merkle batch", async () => {
    const ms = [sampleMessage(2n), sampleMessage(3n), sampleMessage(4n)];
    chainA.sent.push(...ms);
    await relayer(8).tick();
    expect(chainB.deliveries).toEqual([{ method: "deliverBatch", ids: ms.map((m) => m.messageId) }]);
    expect(await store.countDeliveries()).toEqual({ pending: 0, delivered: 3, skipped: 0, failed: 0 });
  });

  it("falls back to single deliveries when the batch root lacks a quorum", async () => {
    const ms = [sampleMessage(5n), sampleMessage(6n)];
    chainA.sent.push(...ms);
    const r = relayer(8);
    const original = attesters.batch.bind(attesters);
    attesters.batch = async (d, ids) => (await original(d, ids)).slice(0, 1);
    await r.tick();
    expect(chainB.deliveries.map((x) => x.method)).toEqual(["deliver", "deliver"]);
  });

  it("batches what a quorum observed final from their root signatures alone (no per-message signatures)", async () => {
    const ms = [sampleMessage(40n), sampleMessage(41n), sampleMessage(42n)];
    chainA.sent.push(...ms);
    const original = attesters.signatures.bind(attesters);
    // Observed by all, but no message signatures served: only the batch root gets signed.
    attesters.signatures = async (id) => (await original(id)).map((a) => (a.ok ? { ...a, signatures: [] } : a));
    await relayer(8).tick();
    expect(chainB.deliveries).toEqual([{ method: "deliverBatch", ids: ms.map((m) => m.messageId) }]);
    for (const m of ms)
      expect(await store.getDelivery(m.messageId)).toMatchObject({ state: "delivered", quorumAt: clock });
    expect(await metrics.render()).toMatch(/maskoii_stage_seconds_count\{stage="deliver_tx"\} 1/);
  });

  it("does not batch a message observed by less than the threshold weight; it waits for quorum", async () => {
    const ms = [sampleMessage(43n), sampleMessage(44n)];
    chainA.sent.push(...ms);
    attesters.online = new Set([0]);
    await relayer(8).tick();
    expect(chainB.deliveries).toEqual([]);
    for (const m of ms) {
      const d = await store.getDelivery(m.messageId);
      expect(d).toMatchObject({ state: "pending", attempts: 0 });
      expect(d?.lastError).toContain("below quorum: 1/3");
    }
  });

  it("a message someone else delivered is recorded as skipped and left out of the batch (nothing paid for it)", async () => {
    const ms = [sampleMessage(45n), sampleMessage(46n), sampleMessage(47n)];
    chainA.sent.push(...ms);
    chainB.markDelivered(ms[1]!);
    await relayer(8).tick();
    expect(chainB.deliveries).toEqual([{ method: "deliverBatch", ids: [ms[0]!.messageId, ms[2]!.messageId] }]);
    expect((await store.getDelivery(ms[1]!.messageId))?.state).toBe("skipped");
    expect(await store.countDeliveries()).toEqual({ pending: 0, delivered: 2, skipped: 1, failed: 0 });
  });

  it("a batch records a message delivered by someone else while the batch was in flight as skipped (MessageSkipped)", async () => {
    const ms = [sampleMessage(48n), sampleMessage(49n), sampleMessage(50n)];
    chainA.sent.push(...ms);
    // Delivered by a racing relayer after this one's check, before its batch lands: the gateway skips it on chain.
    const deliverBatch = chainB.deliverBatch.bind(chainB);
    chainB.deliverBatch = async (messages, proofs, attestation) => {
      chainB.markDelivered(ms[1]!);
      return deliverBatch(messages, proofs, attestation);
    };
    await relayer(8).tick();
    expect(chainB.deliveries).toEqual([{ method: "deliverBatch", ids: ms.map((m) => m.messageId) }]);
    expect((await store.getDelivery(ms[1]!.messageId))?.state).toBe("skipped");
    expect(await store.countDeliveries()).toEqual({ pending: 0, delivered: 2, skipped: 1, failed: 0 });
  });

  it("an endpoint whose batch-root signature is rejected has its per-message answers checked and reported too", async () => {
    const ms = [sampleMessage(30n), sampleMessage(31n)];
    chainA.sent.push(...ms);
    const ids = ms.map((m) => m.messageId);
    const root = batchRoot(ids);
    const [outsider] = members(1, "byzantine batch and message signer");
    const sign = (kind: "batch" | "message", value: Hex) =>
      packSignature(
        signDigest(
          attestationDigest(kind, { domain: 1002, verifier: chainB.verifier, attesterSetId: 1n, value }),
          outsider!.key,
        ),
      );
    const claim = (kind: "batch" | "message", value: Hex, signature: Hex) => ({
      kind,
      value,
      domain: 1002,
      verifier: chainB.verifier,
      attesterSetId: "1",
      signer: outsider!.address,
      messageIds: kind === "batch" ? ids : [value],
      createdAt: 0,
      signature,
    });
    const originalBatch = attesters.batch.bind(attesters);
    attesters.batch = async (d, batchIds) => [
      ...(await originalBatch(d, batchIds)),
      { source: "byzantine", ok: true, observed: true, signatures: [claim("batch", root, sign("batch", root))] },
    ];
    const originalMany = attesters.signaturesMany.bind(attesters);
    attesters.signaturesMany = async (many) => [
      ...(await originalMany(many)),
      {
        source: "byzantine",
        ok: true,
        attester: outsider!.address,
        results: new Map(
          many.map((id) => [
            id.toLowerCase(),
            { observed: true, signatures: [claim("message", id, sign("message", id)), claim("message", id, "0x01")] },
          ]),
        ),
      },
    ];
    await relayer(8).tick();
    // Delivered once by the honest quorum; the byzantine endpoint's message signatures were examined and reported.
    expect(chainB.deliveries).toEqual([{ method: "deliverBatch", ids }]);
    const text = await metrics.render();
    expect(text).toMatch(/maskoii_signatures_total\{kind="batch",outcome="rejected-not-a-member"\} 1/);
    expect(text).toMatch(/maskoii_signatures_total\{kind="message",outcome="rejected-not-a-member"\} 2/);
    expect(text).toMatch(/maskoii_signatures_total\{kind="message",outcome="rejected-malformed"\} 2/);
  });

  it("reports rejected batch-root signatures (log line naming the endpoint, signatures metric) like message ones", async () => {
    const ms = [sampleMessage(20n), sampleMessage(21n)];
    chainA.sent.push(...ms);
    const ids = ms.map((m) => m.messageId);
    const root = batchRoot(ids);
    const [outsider] = members(1, "byzantine batch signer");
    const claim = {
      kind: "batch" as const,
      value: root,
      domain: 1002,
      verifier: chainB.verifier,
      attesterSetId: "1",
      signer: outsider!.address,
      messageIds: ids,
      createdAt: 0,
    };
    const digest = attestationDigest("batch", {
      domain: 1002,
      verifier: chainB.verifier,
      attesterSetId: 1n,
      value: root,
    });
    const original = attesters.batch.bind(attesters);
    attesters.batch = async (d, batchIds) => [
      ...(await original(d, batchIds)),
      {
        source: "byzantine",
        ok: true,
        observed: true,
        signatures: [
          { ...claim, signature: packSignature(signDigest(digest, outsider!.key)) },
          { ...claim, signature: "0xdeadbeef" },
        ],
      },
    ];
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of chunk.toString().split("\n")) if (line !== "") lines.push(JSON.parse(line));
        cb();
      },
    });
    await relayer(8, 3, createLogger({ level: "info" }, sink)).tick();
    // The honest quorum carries the batch; the byzantine answers are ignored, and reported.
    expect(chainB.deliveries).toEqual([{ method: "deliverBatch", ids }]);
    const ignored = lines.filter((l) => l.msg === "ignored an attester signature");
    expect(ignored.map((l) => [l.kind, l.source, l.reason, l.root])).toEqual([
      ["batch", "byzantine", "not-a-member", root],
      ["batch", "byzantine", "malformed", root],
    ]);
    const text = await metrics.render();
    expect(text).toMatch(/maskoii_signatures_total\{kind="batch",outcome="rejected-not-a-member"\} 1/);
    expect(text).toMatch(/maskoii_signatures_total\{kind="batch",outcome="rejected-malformed"\} 1/);
    expect(text).not.toMatch(/maskoii_signatures_total\{kind="message",outcome="rejected/);
  });

  it("retries failed deliveries with backoff and parks the message after maxAttempts", async () => {
    const m = sampleMessage(7n);
    chainA.sent.push(m);
    chainB.failNext = 1;
    const r = relayer(1, 3);
    await r.tick();
    let d = await store.getDelivery(m.messageId);
    expect(d?.attempts).toBe(1);
    expect(d?.state).toBe("pending");
    expect(d?.nextAttemptAt).toBeGreaterThan(clock);
    expect(d?.lastError).toContain("connection refused");
    clock += 10_000;
    await r.tick();
    d = await store.getDelivery(m.messageId);
    expect(d?.state).toBe("delivered");

    // A later block, past the watcher's cursor.
    const n = { ...sampleMessage(8n), blockNumber: 150n };
    chainA.sent.push(n);
    chainA.head = 200n;
    chainB.failNext = 100;
    for (let i = 0; i < 5; i++) {
      await r.tick();
      clock += 10_000;
    }
    d = await store.getDelivery(n.messageId);
    expect(d?.state).toBe("failed");
    expect(d?.attempts).toBe(3);
  });

  it("reads retryable: a retryable typed error backs off, a non-retryable one fails the message at once", async () => {
    const m = sampleMessage(7n);
    chainA.sent.push(m);
    chainB.failNext = 1;
    chainB.failWith = () => new ChainRpcError(1002, "eth_sendRawTransaction", new Error("ECONNRESET"));
    const r = relayer(1, 5);
    await r.tick();
    let d = await store.getDelivery(m.messageId);
    expect(d?.state).toBe("pending");
    expect(d?.attempts).toBe(1);
    expect(d?.lastFailure?.code).toBe("ChainRpcFailed");

    clock += 10_000;
    await r.tick();
    expect((await store.getDelivery(m.messageId))?.state).toBe("delivered");

    const n = { ...sampleMessage(8n), blockNumber: 150n };
    chainA.sent.push(n);
    chainA.head = 200n;
    chainB.failNext = 1;
    // Not a refusal, but no retry can change it: an sdk error (the message bytes cannot be decoded) is not retryable.
    chainB.failWith = () => new MessageTooShortError(10);
    await r.tick();
    d = await store.getDelivery(n.messageId);
    expect(d?.state).toBe("failed");
    expect(d?.attempts).toBe(1);
    expect(d?.lastError).toMatch(/^MessageTooShort: /);
  });

  it("waits while the destination gateway is paused, without counting attempts", async () => {
    const m = sampleMessage(9n);
    chainA.sent.push(m);
    chainB.paused = true;
    const r = relayer();
    await r.tick();
    const d = await store.getDelivery(m.messageId);
    expect(d?.state).toBe("pending");
    expect(d?.attempts).toBe(0);
    expect(d?.lastError).toContain("paused");
    chainB.paused = false;
    clock += 1_000;
    await r.tick();
    expect((await store.getDelivery(m.messageId))?.state).toBe("delivered");
  });

  it("records a recipient failure as delivered with the reason", async () => {
    const m = sampleMessage(10n);
    chainA.sent.push(m);
    chainB.recipientReverts = true;
    await relayer().tick();
    const d = await store.getDelivery(m.messageId);
    expect(d?.state).toBe("delivered");
    expect(d?.lastError).toContain("MessageFailed");
  });

  it("a restarted relayer over the same store does not deliver again", async () => {
    const m = sampleMessage(11n);
    chainA.sent.push(m);
    await relayer().tick();
    expect(chainB.deliveries).toHaveLength(1);
    // Forget the on-chain record so only the store can prevent a second delivery attempt.
    chainB.status.clear();
    clock += 60_000;
    await relayer().tick();
    expect(chainB.deliveries).toHaveLength(1);
  });
});

describe("watcher", () => {
  it("ignores a MessageSent whose fields do not match its bytes, and resumes from its cursor", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    const chain = new FakeChain(1001, set);
    const good = sampleMessage(0n);
    const forged = { ...sampleMessage(1n), messageId: sampleMessage(2n).messageId as Hex };
    const wrongOrigin = sampleMessage(3n, 1002, 1001);
    chain.sent.push(good, forged, wrongOrigin);
    const seen: Hex[] = [];
    const watcher = new MessageWatcher({
      adapter: chain,
      store,
      startBlock: 0,
      maxBlockRange: 5,
      role: "attester",
      log: silentLogger(),
      onMessage: async (m) => {
        seen.push(m.messageId);
      },
    });
    chain.head = 10n;
    expect(await watcher.poll()).toBe(1);
    expect(seen).toEqual([good.messageId]);
    expect(await store.getCursor("attester:watch:1001")).toBe(10n);
    expect(await watcher.poll()).toBe(0);
    expect(seen).toHaveLength(1);
    // Bounded: two ranges of 5 blocks per call at most.
    chain.head = 100n;
    await watcher.poll(2);
    expect(await store.getCursor("attester:watch:1001")).toBe(20n);
    await store.close();
  });
});
