import { parseGwei } from "viem";
import { describe, expect, it } from "vitest";
import type { AttesterSetView, QueuedTransferView } from "../src/chains/adapter.ts";
import { availableAt, releasableAt, UNLIMITED } from "../src/chains/rate-limit.ts";
import { failureOf } from "../src/delivery-failure.ts";
import { diagnose } from "../src/doctor.ts";
import { ChainRpcError, FeeCapExceededError, TransactionExpiredError, TransactionStuckError } from "../src/errors.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeAttesters, FakeChain, members, sampleMessage } from "./helpers.ts";

const keys = members(3, "doctor attester");
const set: AttesterSetView = {
  setId: 1n,
  attesters: keys.map((k) => k.address),
  weights: [1n, 1n, 1n],
  thresholdBps: 6666,
  totalWeight: 3n,
  expiresAt: 0,
};

function setup() {
  const a = new FakeChain(1001, set);
  const b = new FakeChain(1002, set);
  const m = sampleMessage(5n);
  a.sent.push(m);
  const attesters = new FakeAttesters(keys, b, [0, 1, 2]);
  const run = (id = m.messageId, store?: Store) =>
    diagnose({
      ...(store === undefined ? {} : { store }),
      messageId: id,
      chains: new Map([
        [1001, a],
        [1002, b],
      ]),
      startBlocks: new Map(),
      attesters,
    });
  return { a, b, m, attesters, run };
}

describe("doctor", () => {
  it("unknown message", async () => {
    const { run } = setup();
    expect((await run(sampleMessage(99n).messageId)).stage).toBe("unknown");
  });

  it("not final yet", async () => {
    const { a, run } = setup();
    a.head = 3n;
    const d = await run();
    expect(d.stage).toBe("not-final");
    expect(d.detail).toContain("final head is 3");
  });

  it("already delivered, recipient failed, paused", async () => {
    const s1 = setup();
    s1.b.markDelivered(s1.m);
    expect((await s1.run()).stage).toBe("delivered");
    const s2 = setup();
    s2.b.status.set(s2.m.messageId, "failed");
    expect((await s2.run()).stage).toBe("recipient-failed");
    const s3 = setup();
    s3.b.paused = true;
    expect((await s3.run()).stage).toBe("paused");
  });

  it("below quorum names who signed, who is missing and who is unreachable", async () => {
    const { attesters, run } = setup();
    attesters.online = new Set([2]);
    const d = await run();
    expect(d.stage).toBe("below-quorum");
    if (d.stage !== "below-quorum") return;
    expect(d.signers).toEqual([keys[2]!.address]);
    expect(d.missing).toEqual([keys[0]!.address, keys[1]!.address]);
    expect(d.unreachable).toEqual(["attester0", "attester1"]);
  });

  it("quorum reached: waiting for a relayer", async () => {
    const { run } = setup();
    const d = await run();
    expect(d.stage).toBe("awaiting-relayer");
    expect(d.detail).toContain("not tracked");
  });
});

describe("doctor: rate-limited", () => {
  const view = (over: Partial<QueuedTransferView> = {}): QueuedTransferView => ({
    queueId: "7",
    bridge: "0x00000000000000000000000000000000000000b1",
    token: "0x00000000000000000000000000000000000000c1",
    recipient: "0x00000000000000000000000000000000000000d1",
    origin: 1001,
    wireAmount: 200n,
    deliveryTx: "0xabc",
    released: false,
    bucket: { level: 100n, capacity: 300n, refillPerSecond: 1n, lastUpdated: 1_000, available: 110n },
    now: 1_010,
    releasableAt: 1_100,
    release: "anyone may call releaseQueued(7) on TokenBridge 0xb1",
    ...over,
  });

  it("a delivered message whose transfer is queued is rate-limited: queue id, releasable time, how to release", async () => {
    const { b, m, run } = setup();
    b.markDelivered(m);
    const calls: bigint[] = [];
    Object.assign(b, {
      queuedTransfer: async (message: string, fromBlock: bigint) => {
        expect(message).toBe(m.message);
        calls.push(fromBlock);
        return view();
      },
    });
    const d = await run();
    expect(calls).toEqual([0n]);
    expect(d.stage).toBe("rate-limited");
    expect(d.detail).toContain("queue id 7");
    expect(d.detail).toContain("held 110 of 200");
    expect(d.detail).toContain("releasable from unix time 1100 (in 90 s)");
    expect(d.detail).toContain("releaseQueued(7)");
  });

  it("above capacity: never at the current limit; released: delivered, naming the queue entry", async () => {
    const s1 = setup();
    s1.b.markDelivered(s1.m);
    Object.assign(s1.b, { queuedTransfer: async () => view({ releasableAt: null }) });
    const never = await s1.run();
    expect(never.stage).toBe("rate-limited");
    expect(never.detail).toContain("never at the current limit");

    const s2 = setup();
    s2.b.markDelivered(s2.m);
    Object.assign(s2.b, { queuedTransfer: async () => view({ released: true }) });
    const done = await s2.run();
    expect(done.stage).toBe("delivered");
    expect(done.detail).toContain("queue id 7, and has been released");

    // A chain without the method (or no queue entry) is plainly delivered.
    const s3 = setup();
    s3.b.markDelivered(s3.m);
    const plain = await s3.run();
    expect(plain.stage).toBe("delivered");
    expect(plain.detail).not.toContain("queue");
  });

  it("bucket math mirrors RateLimit.sol: refill, capacity cap, unlimited, never above capacity or without refill", () => {
    const b = { level: 100n, capacity: 300n, refillPerSecond: 2n, lastUpdated: 1_000 };
    expect(availableAt(b, 1_000)).toBe(100n);
    expect(availableAt(b, 1_050)).toBe(200n);
    expect(availableAt(b, 1_500)).toBe(300n);
    expect(availableAt({ ...b, capacity: UNLIMITED }, 1_000)).toBe(UNLIMITED);
    // 250 needs 150 more at 2/s: 75 s after lastUpdated (rounded up for odd amounts).
    expect(releasableAt(b, 250n, 1_010)).toBe(1_075);
    expect(releasableAt(b, 251n, 1_010)).toBe(1_076);
    expect(releasableAt(b, 100n, 1_010)).toBe(1_010);
    expect(releasableAt(b, 301n, 1_010)).toBeNull();
    expect(releasableAt({ ...b, refillPerSecond: 0n }, 150n, 1_010)).toBeNull();
    expect(releasableAt({ ...b, capacity: 0n, level: 0n }, 1n, 1_010)).toBeNull();
  });
});

describe("doctor: underpriced (from the relayer's store)", () => {
  async function tracked(store: Store, m: ReturnType<typeof sampleMessage>) {
    await store.addDelivery({
      messageId: m.messageId,
      origin: m.origin,
      destination: m.destination,
      nonce: m.nonce,
      message: m.message,
      state: "pending",
      attempts: 0,
      nextAttemptAt: 0,
      firstSeenAt: 1,
      quorumAt: null,
      deliveredAt: null,
      txHash: null,
      gasUsed: null,
      lastError: null,
    });
  }

  it("fee cap below the base fee: names the cap, the base fee and relayer.fees.maxFeePerGasGwei", async () => {
    const { m, run } = setup();
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    try {
      await tracked(store, m);
      const error = new FeeCapExceededError(1002, parseGwei("50"), parseGwei("10"));
      await store.updateDelivery(m.messageId, { attempts: 1, lastError: error.message, lastFailure: failureOf(error) });
      expect((await store.getDelivery(m.messageId))?.lastFailure).toEqual({
        code: "FeeCapExceeded",
        facts: { domain: "1002", baseFeePerGas: "50000000000", cap: "10000000000" },
      });
      const d = await run(m.messageId, store);
      expect(d.stage).toBe("underpriced");
      if (d.stage !== "underpriced") return;
      expect(d.cap).toBe(parseGwei("10"));
      expect(d.baseFeePerGas).toBe(parseGwei("50"));
      expect(d.configField).toBe("relayer.fees.maxFeePerGasGwei");
      expect(d.detail).toContain("base fee 50000000000 wei (50 gwei)");
      expect(d.detail).toContain("fee cap 10000000000 wei (10 gwei)");
    } finally {
      await store.close();
    }
  });

  it("stuck after bumping (also after giving up), Solana expiry; a later non-price failure or a wait clears it", async () => {
    const { m, run } = setup();
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    try {
      await tracked(store, m);
      const stuck = new TransactionStuckError(1002, 4, ["0xaa", "0xbb"], parseGwei("12.5"));
      await store.updateDelivery(m.messageId, { state: "failed", attempts: 5, lastFailure: failureOf(stuck) });
      const d = await run(m.messageId, store);
      expect(d.stage).toBe("underpriced");
      if (d.stage === "underpriced") {
        expect(d.code).toBe("TransactionStuck");
        expect(d.maxFeePerGas).toBe(parseGwei("12.5"));
        expect(d.detail).toContain("nonce 4, last 0xbb");
        expect(d.detail).toContain("12500000000 wei (12.5 gwei)");
        expect(d.detail).toContain("gave up after 5 attempts");
      }

      const expired = new TransactionExpiredError(1003, "deliver", 4, 8_000);
      await store.updateDelivery(m.messageId, { state: "pending", lastFailure: failureOf(expired) });
      const s = await run(m.messageId, store);
      expect(s.stage).toBe("underpriced");
      if (s.stage === "underpriced") {
        expect(s.microLamports).toBe(8_000n);
        expect(s.configField).toContain("priorityFee.maxMicroLamports");
      }

      // An RPC failure is recorded with its code, and is not "underpriced".
      await store.updateDelivery(m.messageId, { lastFailure: failureOf(new ChainRpcError(1002, "x", "down")) });
      expect((await store.getDelivery(m.messageId))?.lastFailure?.code).toBe("ChainRpcFailed");
      expect((await run(m.messageId, store)).stage).toBe("awaiting-relayer");
      // A wait (below quorum, paused) clears the failure.
      await store.updateDelivery(m.messageId, { lastFailure: failureOf(undefined) });
      expect((await store.getDelivery(m.messageId))?.lastFailure).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
