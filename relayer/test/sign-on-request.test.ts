// Delayed message signatures (attester.messageSignDelayMs): the signing loop leaves young messages unsigned (a
// batching relayer needs only batch roots), signs them once they have been open long enough, and signs on request
// (POST /signatures with sign: true, through the relayer's HTTP client) with the same checks: journal first, the
// destination's current set, nothing delivered, nothing signed twice.
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@maskoii/node-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AttesterObserver } from "../src/attester/observer.ts";
import { startAttesterServer } from "../src/attester/server.ts";
import { AttesterSigner } from "../src/attester/signer.ts";
import type { AttesterSetView } from "../src/chains/adapter.ts";
import { MessageWatcher } from "../src/chains/watcher.ts";
import { AttesterClient } from "../src/collector.ts";
import { Metrics } from "../src/metrics.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeChain, members, sampleMessage } from "./helpers.ts";

const [me] = members(1, "delayed attester");
const set: AttesterSetView = {
  setId: 3n,
  attesters: [me!.address],
  weights: [1n],
  thresholdBps: 10_000,
  totalWeight: 1n,
  expiresAt: 0,
};

describe("attester: delayed message signatures, signed on request", () => {
  let store: Store;
  let a: FakeChain;
  let b: FakeChain;
  let close: () => Promise<void> = async () => {};

  beforeEach(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    a = new FakeChain(1001, { ...set });
    b = new FakeChain(1002, { ...set });
  });
  afterEach(async () => {
    await close();
    await store.close();
  });

  function observer(signDelayMs: number): AttesterObserver {
    const log = silentLogger();
    const chains = new Map([
      [1001, a],
      [1002, b],
    ]);
    const watchers = [new MessageWatcher({ adapter: a, store, startBlock: 0, maxBlockRange: 1000, role: "a", log })];
    const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log });
    return new AttesterObserver({ chains, watchers, store, signer, log, signDelayMs });
  }

  it("the loop signs a message only once it has been open for the delay", async () => {
    const m = sampleMessage(0n);
    a.sent.push(m);
    const o = observer(300);
    await o.tick();
    expect(await store.getObserved(m.messageId)).toBeDefined();
    expect(await store.getSignatures(m.messageId)).toEqual([]);
    await sleep(350);
    await o.tick();
    const sigs = await store.getSignatures(m.messageId);
    expect(sigs.map((s) => [s.kind, s.domain, s.attesterSetId])).toEqual([["message", 1002, 3n]]);
  });

  it("signNow signs observed, undelivered messages at once, once, and journals them first", async () => {
    const m = sampleMessage(1n);
    const done = sampleMessage(2n);
    const unseen = sampleMessage(3n);
    a.sent.push(m, done);
    b.markDelivered(done);
    const o = observer(3_600_000);
    await o.tick();
    expect(await store.getSignatures(m.messageId)).toEqual([]);
    await o.signNow([m.messageId, done.messageId, unseen.messageId]);
    expect(await store.getSignatures(m.messageId)).toHaveLength(1);
    // The journal holds (origin, nonce) -> id: a conflicting id for the same pair would be refused.
    expect(await store.journalReserve(m.origin, m.nonce, m.messageId)).toBe(m.messageId);
    expect(await store.getSignatures(done.messageId)).toEqual([]);
    expect(await store.getSignatures(unseen.messageId)).toEqual([]);
    await o.signNow([m.messageId]);
    expect(await store.getSignatures(m.messageId)).toHaveLength(1);
  });

  it("POST /signatures with sign: true (the relayer's client) returns a fresh signature; without it, none", async () => {
    const m = sampleMessage(4n);
    const other = sampleMessage(5n);
    a.sent.push(m, other);
    const o = observer(3_600_000);
    await o.tick();
    const metrics = new Metrics();
    const server = await startAttesterServer(
      {
        store,
        chains: new Map([[1002, b]]),
        signer: new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log: silentLogger() }),
        metrics,
        log: silentLogger(),
        ready: () => true,
        signBatches: true,
        signNow: (ids) => o.signNow(ids),
      },
      { host: "127.0.0.1", port: 0 },
    );
    close = server.close;
    const client = new AttesterClient([server.url], 5_000);

    const [plain] = await client.signaturesMany([m.messageId]);
    expect(plain?.ok && plain.results.get(m.messageId)).toEqual({
      messageId: m.messageId,
      observed: true,
      signatures: [],
    });
    const [signed] = await client.signaturesMany([m.messageId], { sign: true });
    if (signed === undefined || !signed.ok) throw new Error("bulk request failed");
    const result = signed.results.get(m.messageId);
    expect(result?.observed).toBe(true);
    expect(result?.signatures.map((s) => [s.kind, s.signer, s.attesterSetId])).toEqual([["message", me!.address, "3"]]);
    // Only what was asked for is signed.
    expect(await store.getSignatures(other.messageId)).toEqual([]);
  });
});
