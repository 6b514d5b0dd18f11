// The relayer's concurrent and pipelined deliveries (fake chains, real PGlite store): the batches of one round are
// sent at once up to maxInFlight (one at a time to an adapter that does not send concurrently), a pipelined tick
// returns while its deliveries are mined and the next tick neither re-sends nor releases them, drain lets the ones in
// flight finish and sends nothing new, the destination's set is read once per setCacheMs, and a scanned range is
// tracked with one store write.
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@maskoii/node-kit";
import type { Hex } from "viem";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttesterSetView, DeliveryResult } from "../src/chains/adapter.ts";
import { MessageWatcher } from "../src/chains/watcher.ts";
import { Metrics } from "../src/metrics.ts";
import { Relayer } from "../src/relayer-service.ts";
import { openStore } from "../src/store/index.ts";
import type { ObservedMessage, Store } from "../src/store/types.ts";
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

/** A destination whose deliveries wait for `open()` and that counts how many were in flight at once. */
class GatedChain extends FakeChain {
  concurrentDeliveries: boolean;
  inFlight = 0;
  maxInFlight = 0;
  setReads = 0;
  #gate: Promise<void> = Promise.resolve();
  #release: () => void = () => {};

  constructor(domain: number, concurrent: boolean) {
    super(domain, { ...set });
    this.concurrentDeliveries = concurrent;
  }

  close(): void {
    this.#gate = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  open(): void {
    this.#release();
  }

  override async getAttesterSet(): Promise<AttesterSetView> {
    this.setReads++;
    return this.set;
  }

  override async deliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<DeliveryResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Yield first, so that concurrent sends overlap even when the gate is open.
      await sleep(5);
      await this.#gate;
      return await super.deliverBatch(messages, proofs, attestation);
    } finally {
      this.inFlight--;
    }
  }
}

describe("relayer: concurrent and pipelined deliveries", () => {
  let store: Store;
  let chainA: FakeChain;
  let chainB: GatedChain;
  let attesters: FakeAttesters;
  let tracked: number[];

  beforeEach(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    chainA = new FakeChain(1001, { ...set });
    tracked = [];
  });
  afterEach(async () => store.close());

  function relayer(
    destination: GatedChain,
    options: { maxBatchSize: number; maxInFlight?: number; pipeline?: boolean; setCacheMs?: number },
  ): Relayer {
    chainB = destination;
    attesters = new FakeAttesters(keys, chainB, [0, 1, 2]);
    let r: Relayer | undefined;
    const watcher = new MessageWatcher({
      adapter: chainA,
      store,
      startBlock: 0,
      maxBlockRange: 50,
      role: "relayer",
      log: silentLogger(),
      onMessages: async (ms: readonly ObservedMessage[]) => {
        tracked.push(ms.length);
        await r?.trackMany(ms);
      },
    });
    r = new Relayer({
      chains: new Map([
        [1001, chainA],
        [1002, chainB],
      ]),
      watchers: [watcher],
      store,
      attesters,
      log: silentLogger(),
      metrics: new Metrics(),
      pollIntervalMs: 1_000,
      retry: { baseMs: 1_000, maxMs: 10_000, maxAttempts: 3 },
      instanceId: "r1",
      ...options,
    });
    return r;
  }

  const deliveredIds = () => chainB.deliveries.flatMap((d) => d.ids);

  it("sends the batches of one round concurrently, at most maxInFlight at once, each message once", async () => {
    const ms = Array.from({ length: 8 }, (_, i) => sampleMessage(BigInt(i)));
    chainA.sent.push(...ms);
    const r = relayer(new GatedChain(1002, true), { maxBatchSize: 2, maxInFlight: 3 });
    const report = await r.tick();
    expect(report.claimed).toBe(8);
    expect(chainB.deliveries).toHaveLength(4);
    expect(chainB.maxInFlight).toBe(3);
    expect(deliveredIds().sort()).toEqual(ms.map((m) => m.messageId).sort());
    expect(await store.countDeliveries()).toEqual({ pending: 0, delivered: 8, skipped: 0, failed: 0 });
    // One store write for the scanned range (one onMessages call with all 8).
    expect(tracked).toEqual([8]);
  });

  it("sends one at a time to an adapter that does not declare concurrent deliveries", async () => {
    chainA.sent.push(...Array.from({ length: 6 }, (_, i) => sampleMessage(BigInt(i))));
    const r = relayer(new GatedChain(1002, false), { maxBatchSize: 2, maxInFlight: 4 });
    await r.tick();
    expect(chainB.deliveries).toHaveLength(3);
    expect(chainB.maxInFlight).toBe(1);
  });

  it("pipelined: the tick returns while its delivery is mined; the next tick skips those messages and keeps their claims", async () => {
    const first = [sampleMessage(0n), sampleMessage(1n)];
    chainA.sent.push(...first);
    const gated = new GatedChain(1002, true);
    gated.close();
    const r = relayer(gated, { maxBatchSize: 4, pipeline: true });
    await r.tick();
    expect(r.inFlight).toBe(2);
    expect(chainB.deliveries).toEqual([]);
    for (const m of first) expect((await store.getClaim(m.messageId))?.claimedBy).toBe("r1");

    // A new message arrives while the first batch is in flight: only it is claimed and sent.
    const late = { ...sampleMessage(2n), blockNumber: 101n };
    chainA.sent.push(late);
    chainA.head = 101n;
    const second = await r.tick();
    expect(second.claimed).toBe(1);
    expect(r.inFlight).toBe(3);
    for (const m of first) expect((await store.getClaim(m.messageId))?.claimedBy).toBe("r1");

    gated.open();
    await r.settled();
    expect(r.inFlight).toBe(0);
    expect(deliveredIds().sort()).toEqual([...first, late].map((m) => m.messageId).sort());
    expect(chainB.deliveries.map((d) => d.ids.length).sort()).toEqual([1, 2]);
    // Finished deliveries hand their claims back.
    for (const m of [...first, late]) expect(await store.getClaim(m.messageId)).toBeUndefined();
    // Nothing is sent twice by later ticks.
    await r.tick();
    await r.settled();
    expect(chainB.deliveries).toHaveLength(2);
  });

  it("drain while a pipelined delivery is in flight: it finishes, nothing new is sent, claims are handed back", async () => {
    const ms = Array.from({ length: 4 }, (_, i) => sampleMessage(BigInt(i)));
    chainA.sent.push(...ms);
    const gated = new GatedChain(1002, true);
    gated.close();
    // Batches of 2, one in flight at a time: the first is being sent, the second waits its turn.
    const r = relayer(gated, { maxBatchSize: 2, maxInFlight: 1, pipeline: true });
    const tick = r.tick();
    await sleep(50);
    expect(r.inFlight).toBe(2);
    r.drain();
    gated.open();
    const report = await tick;
    await r.settled();
    // The batch in flight was delivered; the one not started yet was not sent and its claims are free again.
    expect(chainB.deliveries).toHaveLength(1);
    expect(report.released).toBe(2);
    const counts = await store.countDeliveries();
    expect(counts).toEqual({ pending: 2, delivered: 2, skipped: 0, failed: 0 });
    for (const m of ms) expect(await store.getClaim(m.messageId)).toBeUndefined();
    // A drained relayer claims nothing any more.
    expect((await r.tick()).claimed).toBe(0);
  });

  it("asks the attesters to sign on request only where message signatures are needed", async () => {
    const calls: { ids: number; sign: boolean }[] = [];
    const spy = (source: FakeAttesters) => {
      const original = source.signaturesMany.bind(source);
      source.signaturesMany = async (ids, options) => {
        calls.push({ ids: ids.length, sign: options?.sign === true });
        return original(ids, options);
      };
    };
    // Batch mode: two messages observed by a quorum go into a batch (no signing asked); a lone one needs it.
    chainA.sent.push(sampleMessage(0n), sampleMessage(1n));
    const r = relayer(new GatedChain(1002, true), { maxBatchSize: 8 });
    spy(attesters);
    await r.tick();
    expect(chainB.deliveries.map((d) => d.method)).toEqual(["deliverBatch"]);
    expect(calls).toEqual([{ ids: 2, sign: false }]);
    chainA.sent.push({ ...sampleMessage(2n), blockNumber: 101n });
    chainA.head = 101n;
    await r.tick();
    expect(chainB.deliveries.map((d) => d.method)).toEqual(["deliverBatch", "deliver"]);
    expect(calls.slice(1)).toEqual([
      { ids: 1, sign: false },
      { ids: 1, sign: true },
    ]);
    // Single mode: the round's one request asks for signing.
    calls.length = 0;
    const single = relayer(new GatedChain(1002, true), { maxBatchSize: 1 });
    spy(attesters);
    chainA.sent.push({ ...sampleMessage(3n), blockNumber: 102n });
    chainA.head = 102n;
    await single.tick();
    expect(calls).toEqual([{ ids: 1, sign: true }]);
  });

  it("reads the destination's attester set at most once per setCacheMs", async () => {
    chainA.sent.push(sampleMessage(0n));
    const gated = new GatedChain(1002, true);
    const r = relayer(gated, { maxBatchSize: 1, setCacheMs: 60_000 });
    await r.tick();
    chainA.sent.push({ ...sampleMessage(1n), blockNumber: 101n });
    chainA.head = 101n;
    await r.tick();
    expect(chainB.deliveries).toHaveLength(2);
    expect(gated.setReads).toBe(1);

    const uncached = new GatedChain(1002, true);
    const r2 = relayer(uncached, { maxBatchSize: 1, setCacheMs: 0 });
    chainA.sent.push({ ...sampleMessage(2n), blockNumber: 102n });
    chainA.head = 102n;
    await r2.tick();
    expect(uncached.setReads).toBe(1);
    chainA.sent.push({ ...sampleMessage(3n), blockNumber: 103n });
    chainA.head = 103n;
    await r2.tick();
    expect(uncached.setReads).toBe(2);
  });
});
