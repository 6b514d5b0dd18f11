// The tables other modules keep in the node's store (src/koii/store.ts, src/keeper-store.ts), run against
// every backend (test/backends.ts): the same PostgreSQL statements must mean the same on SQLite, PGlite and a server.
import { applyMigrations, openSqlClient, ROUND_MIGRATIONS } from "@maskoii/node-kit";
import type { Address, Hex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { KeeperStore, keeperCursorName } from "../src/keeper-store.ts";
import { KoiiStore } from "../src/koii/store.ts";
import { openStore } from "../src/store/index.ts";
import { MIGRATIONS } from "../src/store/schema.ts";
import { SqlStore } from "../src/store/sql.ts";
import type { Store } from "../src/store/types.ts";
import { storeBackends } from "./backends.ts";
import { sampleMessage } from "./helpers.ts";

const BRIDGE = "0x00000000000000000000000000000000000000Bb" as Address;
const ATTESTER = "0x000000000000000000000000000000000000aAaA" as Address;
const hex32 = (n: number): Hex => `0x${n.toString(16).padStart(64, "0")}`;

describe.each(storeBackends)("module stores (%s)", (_name, backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  const open = async (): Promise<Store> => {
    const { config, drop } = await backend();
    const store = await openStore(config);
    cleanups.push(async () => {
      await store.close();
      await drop();
    });
    return store;
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("koii: submissions, votes, stakes wider than 64 bits, distributions once, evidence flags, reports", async () => {
    const koii = KoiiStore.of(await open());
    expect(
      await koii.saveSubmission({ round: 3, kind: "attest", node: "b", hash: hex32(1), body: { x: 1 }, own: true }),
    ).toBe(true);
    expect(
      await koii.saveSubmission({ round: 3, kind: "attest", node: "b", hash: hex32(2), body: { x: 2 }, own: false }),
    ).toBe(false);
    await koii.saveSubmission({ round: 3, kind: "attest", node: "a", hash: hex32(3), body: 7, own: false });
    expect(await koii.getSubmission(3, "attest", "b")).toEqual({ x: 1 });
    expect(await koii.listSubmissions(3, "attest")).toEqual([7, { x: 1 }]);
    expect(await koii.getSubmission(4, "attest", "b")).toBeUndefined();

    const vote = { round: 3, kind: "attest", auditor: "a", subject: "b", verdict: "fail" as const, body: { v: 1 } };
    expect(await koii.saveVote(vote)).toBe(true);
    expect(await koii.saveVote({ ...vote, body: { v: 2 } })).toBe(false);
    await koii.saveVote({ ...vote, auditor: "c", subject: "a", verdict: "pass", body: "12345" });
    expect(await koii.listVotes(3, "attest")).toEqual([{ v: 1 }, "12345"]);
    expect(await koii.listVotes(3, "attest", "c")).toEqual(["12345"]);

    const big = 10n ** 30n + 7n;
    await koii.seedStakes(
      new Map([
        ["a", big],
        ["b", 5n],
      ]),
    );
    await koii.seedStakes(new Map([["a", 1n]]));
    expect(await koii.stakes()).toEqual(
      new Map([
        ["a", big],
        ["b", 5n],
      ]),
    );
    expect(await koii.lastDistributedRound("attest")).toBe(-1);
    expect(
      await koii.saveDistribution({ round: 3, kind: "attest", body: { d: 1 }, newStakes: new Map([["b", 0n]]) }),
    ).toBe(true);
    expect(
      await koii.saveDistribution({ round: 3, kind: "attest", body: { d: 2 }, newStakes: new Map([["a", 0n]]) }),
    ).toBe(false);
    expect(await koii.stakes()).toEqual(
      new Map([
        ["a", big],
        ["b", 0n],
      ]),
    );
    expect(await koii.getDistribution(3, "attest")).toEqual({ d: 1 });
    expect(await koii.lastDistributedRound("attest")).toBe(3);

    const attested = { attester: ATTESTER, origin: 1001, nonce: 2n ** 64n - 1n, round: 3 };
    expect(await koii.recordAttested({ ...attested, messageId: hex32(10), item: { i: 1 } })).toEqual([]);
    expect(await koii.recordAttested({ ...attested, messageId: hex32(11), item: { i: 2 } })).toEqual([
      { messageId: hex32(10), item: { i: 1 } },
    ]);

    const evidence = {
      evidenceId: hex32(20),
      signer: ATTESTER,
      attributable: true,
      reason: "unbacked",
      source: "relayer",
      body: { e: 1 },
      round: 3,
      createdAt: 100,
    };
    expect(await koii.saveEvidence(evidence)).toBe(true);
    expect(await koii.saveEvidence(evidence)).toBe(false);
    await koii.saveEvidence({ ...evidence, evidenceId: hex32(21), attributable: false, createdAt: 101 });
    await koii.saveEvidence({ ...evidence, evidenceId: hex32(22), signer: null, attributable: false });
    expect(await koii.evidenceAgainst(ATTESTER, 3)).toEqual([{ ...evidence, signer: ATTESTER.toLowerCase() }]);
    expect(await koii.countEvidence()).toBe(3);

    expect(await koii.getEquivocationReport(ATTESTER, 1002)).toBeUndefined();
    await koii.saveEquivocationReport(ATTESTER, 1002, "failed", null);
    await koii.saveEquivocationReport(ATTESTER, 1002, "slashed", hex32(30));
    expect(await koii.getEquivocationReport(ATTESTER, 1002)).toEqual({ outcome: "slashed", txHash: hex32(30) });
  });

  it("koii: own attestations read the core tables, with each covered message", async () => {
    const store = await open();
    const [m1, m2] = [sampleMessage(2n ** 64n - 1n), sampleMessage(4n)];
    for (const m of [m1, m2]) await store.recordObserved({ ...m, observedAt: 1 });
    const target = { domain: 1002, verifier: hex32(99), attesterSetId: 2n ** 64n - 1n };
    const common = { ...target, signer: ATTESTER, signature: `0x${"11".repeat(65)}` as Hex };
    await store.saveSignatures([
      { ...common, kind: "message", value: m1.messageId, messageIds: [m1.messageId], createdAt: 1_000 },
      { ...common, kind: "batch", value: hex32(5), messageIds: [m2.messageId, m1.messageId], createdAt: 1_001 },
      { ...common, kind: "message", value: m2.messageId, messageIds: [m2.messageId], createdAt: 2_000 },
    ]);
    const own = await KoiiStore.of(store).ownAttestations(1_000, 2_000);
    expect(own.map((a) => [a.kind, a.attesterSetId, a.messages.map((m) => m.nonce)])).toEqual([
      ["message", 2n ** 64n - 1n, [2n ** 64n - 1n]],
      ["batch", 2n ** 64n - 1n, [4n, 2n ** 64n - 1n]],
    ]);
    expect(own[1]?.messages[0]).toEqual({
      messageId: m2.messageId,
      origin: m2.origin,
      nonce: m2.nonce,
      txHash: m2.txHash,
      blockNumber: m2.blockNumber,
      message: m2.message,
    });
  });

  it("keeper: a scan adds each entry once with its cursor, claims go oldest queue id first, updates read back", async () => {
    const keeper = KeeperStore.of(await open());
    const entry = (queueId: bigint) => ({
      queueId,
      origin: 1001,
      token: "0x00000000000000000000000000000000000000Cc" as Address,
      recipient: "0x00000000000000000000000000000000000000Dd" as Address,
      amount: 2n ** 200n + queueId,
      blockNumber: 40n,
      queuedTx: hex32(Number(queueId) + 1),
    });
    expect(await keeper.getCursor(1002, BRIDGE)).toBeUndefined();
    expect(await keeper.recordScan(1002, BRIDGE, [entry(10n), entry(9n)], 41n, 500)).toBe(2);
    expect(await keeper.recordScan(1002, BRIDGE, [entry(10n), entry(11n)], 42n, 600)).toBe(1);
    expect(await keeper.getCursor(1002, BRIDGE)).toBe(42n);
    expect(keeperCursorName(1002, BRIDGE)).toBe(`keeper:queued:1002:${BRIDGE.toLowerCase()}`);

    const claim = { domain: 1002, bridge: BRIDGE, chainNow: 100, now: 1_000, leaseUntil: 5_000 };
    expect((await keeper.claimDue({ ...claim, limit: 2 })).map((r) => r.queueId)).toEqual([9n, 10n]);
    // Leased until 5_000: the next claim before then gets only the last one.
    expect((await keeper.claimDue({ ...claim, limit: 10 })).map((r) => r.queueId)).toEqual([11n]);
    expect(await keeper.claimDue({ ...claim, limit: 10 })).toEqual([]);

    await keeper.update(1002, BRIDGE, 9n, { state: "released", releaseTx: hex32(77), gasUsed: 2n ** 65n }, 1_100);
    await keeper.update(1002, BRIDGE, 10n, { releaseAfter: 200, nextAttemptAt: 0, attempts: 1 }, 1_100);
    const nine = await keeper.get(1002, BRIDGE, 9n);
    expect(nine).toMatchObject({ state: "released", releaseTx: hex32(77), gasUsed: 2n ** 65n, updatedAt: 1_100 });
    expect(nine?.amount).toBe(2n ** 200n + 9n);
    // 10 waits for its bucket (chain time 200); 11 is still leased.
    expect(await keeper.claimDue({ ...claim, now: 2_000, limit: 10 })).toEqual([]);
    expect((await keeper.claimDue({ ...claim, chainNow: 200, now: 2_000, limit: 10 })).map((r) => r.queueId)).toEqual([
      10n,
    ]);
    expect((await keeper.list()).map((r) => [r.queueId, r.state])).toEqual([
      [9n, "released"],
      [10n, "queued"],
      [11n, "queued"],
    ]);
    expect(await keeper.list(1001)).toEqual([]);
  });
});

// Before node-kit, one migration 101 created the round's tables and the attestation kind's together. Now node-kit
// contributes 101 (the round's) and the relayer 102 (the kind's, IF NOT EXISTS): a store migrated by the old combined
// list must open with the new one, keep its rows, and record 102 without creating anything twice.
describe.each(storeBackends)("migrations split across packages (%s)", (_name, backend) => {
  it("a store migrated by the old combined 101 opens with node-kit's 101 + the relayer's 102", async () => {
    const m102 = MIGRATIONS.find((m) => m.version === 102);
    if (m102 === undefined || ROUND_MIGRATIONS[0] === undefined) throw new Error("missing migrations 101/102");
    const legacy101 = {
      version: 101,
      name: "koii task rounds",
      sql: ROUND_MIGRATIONS[0].sql + m102.sql.replaceAll(" IF NOT EXISTS", ""),
    };
    // The old list: 1..6, the combined 101, 7 (what a store had when 101 was split; later migrations apply on top).
    const legacy = MIGRATIONS.filter((m) => m.version !== 102 && (m.version <= 7 || m.version === 101)).map((m) =>
      m.version === 101 ? legacy101 : m,
    );
    expect(legacy.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 101, 7]);
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 101, 102, 7, 8]);

    const { config, drop } = await backend();
    try {
      const old = await openSqlClient(config);
      await applyMigrations(old, legacy);
      const before = new KoiiStore(old);
      await before.saveSubmission({ round: 1, kind: "k", node: "a", hash: hex32(1), body: { x: 1 }, own: true });
      await before.saveEquivocationReport(ATTESTER, 1002, "slashed", hex32(2));

      // The node opens the same database (the same client: PGlite in memory lives as long as its connection).
      const store = await SqlStore.open(old);
      try {
        const koii = KoiiStore.of(store);
        expect(await koii.getSubmission(1, "k", "a")).toEqual({ x: 1 });
        expect(await koii.getEquivocationReport(ATTESTER, 1002)).toEqual({ outcome: "slashed", txHash: hex32(2) });
        const attested = { attester: ATTESTER, origin: 1001, nonce: 5n, round: 1 };
        expect(await koii.recordAttested({ ...attested, messageId: hex32(10), item: { i: 1 } })).toEqual([]);
        const versions = await store.sql.query<{ version: unknown }>(
          "SELECT version FROM schema_migrations ORDER BY version",
        );
        expect(versions.map((r) => Number(r.version))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 101, 102]);
      } finally {
        await store.close();
      }
    } finally {
      await drop();
    }
  });
});
