import { silentLogger } from "@maskoii/node-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AttesterObserver } from "../src/attester/observer.ts";
import { AttesterSigner } from "../src/attester/signer.ts";
import type { AttesterSetView } from "../src/chains/adapter.ts";
import { MessageWatcher } from "../src/chains/watcher.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeChain, members, sampleMessage } from "./helpers.ts";

const [me, other] = members(2, "observer attester");
const setOf = (setId: bigint, who: { address: `0x${string}` }[]): AttesterSetView => ({
  setId,
  attesters: who.map((w) => w.address),
  weights: who.map(() => 1n),
  thresholdBps: 6667,
  totalWeight: BigInt(who.length),
  expiresAt: 0,
});

describe("attester observer", () => {
  let store: Store;
  let a: FakeChain;
  let b: FakeChain;
  let observer: AttesterObserver;

  beforeEach(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    a = new FakeChain(1001, setOf(1n, [me!]));
    b = new FakeChain(1002, setOf(1n, [me!]));
    const chains = new Map([
      [1001, a],
      [1002, b],
    ]);
    const log = silentLogger();
    const watchers = [a, b].map(
      (adapter) => new MessageWatcher({ adapter, store, startBlock: 0, maxBlockRange: 1000, role: "attester", log }),
    );
    const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log });
    observer = new AttesterObserver({ chains, watchers, store, signer, log });
  });
  afterEach(async () => store.close());

  it("signs final messages for the destination's current set, and re-signs open ones after a rotation", async () => {
    const m = sampleMessage(0n);
    a.sent.push(m);
    expect(observer.ready).toBe(false);
    await observer.tick();
    expect(observer.ready).toBe(true);
    let sigs = await store.getSignatures(m.messageId);
    expect(sigs.map((s) => [s.domain, s.attesterSetId, s.verifier])).toEqual([[1002, 1n, b.verifier]]);

    b.set = setOf(2n, [me!, other!]);
    await observer.tick();
    sigs = await store.getSignatures(m.messageId);
    expect(sigs.map((s) => s.attesterSetId).sort()).toEqual([1n, 2n]);
  });

  it("a signed message delivered later is closed by the sweep (the signing cursor never re-checks it)", async () => {
    const log = silentLogger();
    const watchers = [a, b].map(
      (adapter) => new MessageWatcher({ adapter, store, startBlock: 0, maxBlockRange: 1000, role: "attester", log }),
    );
    const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log });
    const chains = new Map([
      [1001, a],
      [1002, b],
    ]);
    // Without a sweep due, a delivery after signing stays unknown: the signing cursor is past the message.
    const slow = new AttesterObserver({ chains, watchers, store, signer, log, sweepIntervalMs: 3_600_000 });
    const [p, q, m, n] = [sampleMessage(20n), sampleMessage(21n), sampleMessage(22n), sampleMessage(23n)];
    a.sent.push(p, q, m, n);
    await slow.tick();
    expect(await store.getSignatures(p.messageId)).toHaveLength(1);
    b.markDelivered(p);
    await slow.tick();
    expect(await store.closedAmong([p.messageId])).toEqual([]);
    // With sweeps due every tick: the signing cursor is past m too, only the sweep re-checks it, and closes it.
    const swept = new AttesterObserver({ chains, watchers, store, signer, log, sweepIntervalMs: 0 });
    await swept.tick();
    expect(await store.getSignatures(m.messageId)).toHaveLength(1);
    b.markDelivered(m);
    await swept.tick();
    const closed = await store.closedAmong([p.messageId, q.messageId, m.messageId, n.messageId]);
    expect(closed.sort()).toEqual([p.messageId, m.messageId].map((id) => id.toLowerCase()).sort());
  });

  it("does not sign messages that are not final, already delivered, or when it is not in the set", async () => {
    const late = { ...sampleMessage(1n), blockNumber: 500n };
    const done = sampleMessage(2n);
    const m = sampleMessage(3n);
    a.sent.push(late, done, m);
    b.markDelivered(done);
    b.set = setOf(1n, [other!]);
    await observer.tick();
    expect(await store.getSignatures(m.messageId)).toEqual([]);
    b.set = setOf(2n, [me!]);
    await observer.tick();
    expect(await store.getSignatures(late.messageId)).toEqual([]);
    expect(await store.getSignatures(done.messageId)).toEqual([]);
    expect(await store.getSignatures(m.messageId)).toHaveLength(1);
    // Once delivered, a message is closed: a later rotation does not re-sign it.
    b.markDelivered(m);
    await observer.tick();
    b.set = setOf(3n, [me!]);
    await observer.tick();
    expect(await store.getSignatures(m.messageId)).toHaveLength(1);
  });

  it("stops signing once removed for equivocation (weight 0)", async () => {
    const m = sampleMessage(4n);
    a.sent.push(m);
    // index 0 is this node, removed: weight 0.
    b.set = { ...setOf(5n, [me!, other!]), weights: [0n, 1n], totalWeight: 1n };
    await observer.tick();
    expect(await store.getSignatures(m.messageId)).toEqual([]);
  });

  it("is not ready while its rounds fail (RPC down)", async () => {
    await observer.tick();
    expect(observer.ready).toBe(true);
    a.finalizedBlock = async () => {
      throw new Error("connection refused");
    };
    const m = { ...sampleMessage(6n, 1002, 1001), blockNumber: 150n };
    b.sent.push(m);
    b.head = 200n;
    await observer.tick();
    expect(observer.ready).toBe(false);
    expect(observer.lastError).toContain("scan 1001: connection refused");
    // Chain A's failure does not stop B -> A messages from being scanned (but signing for A reads A: it fails too).
    expect(await store.getObserved(m.messageId)).toBeDefined();
  });
});
