// EpochReporter over a real store: an epoch below k is recorded as rolled over and its carry stored; the next epoch's
// report bills the carried counts (the same bytes as one epoch with everything), consumes the carry, and its payout
// state is what the following report builds on; a decided epoch is never rebuilt; an auditor with the same history
// recomputes the report (its carry before that epoch included).
import { encodeEpochReport } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEpochReport } from "../src/epoch/builder.ts";
import { EMPTY_CARRY, type ReportContribution, type ReportInputsSource } from "../src/epoch/inputs.ts";
import { EngagementReportsKind } from "../src/epoch/koii-kind.ts";
import { PayoutStore } from "../src/epoch/payout-store.ts";
import { EpochReporter } from "../src/epoch/reporter.ts";
import { AggregatorStore } from "../src/store.ts";

const addr = (n: number): Address => getAddress(toHex(n, { size: 20 }));
const h32 = (s: string): Hex => keccak256(toHex(s));
const ZERO = `0x${"00".repeat(32)}` as Hex;
const P1 = addr(0x101);
const source: ReportInputsSource = {
  inputsFor: async ({ community, epoch }) => ({
    community,
    epoch,
    campaigns: [
      {
        id: 1n,
        token: addr(0xa1),
        cpm: 3_000n,
        cpe: 40n,
        epochCap: 10n ** 20n,
        available: 10n ** 20n,
        epochSpent: 0n,
        live: true,
        targets: true,
      },
    ],
    policy: { creators: 7_000, treasury: 1_500, operators: 1_000, protocol: 500 },
    k: 4,
    payouts: new Map(),
    saltSecret: h32("secret"),
    solanaUnits: new Map(),
  }),
};
const contribution = (node: string, accounts: number, impressions: number): ReportContribution => ({
  node,
  hash: h32(`${node}${accounts}${impressions}`),
  users: [
    {
      leaf: h32(node),
      accounts,
      ads: [{ campaignId: 1n, impressions, engagements: 1 }],
      creators: [{ persona: P1, points: accounts }],
    },
  ],
});

let clock = 0;

describe("EpochReporter", () => {
  const stores: AggregatorStore[] = [];
  const payouts: PayoutStore[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const s = await AggregatorStore.open({ kind: "sqlite", path: ":memory:" });
      stores.push(s);
      payouts.push(new PayoutStore(s.db));
    }
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  const reporter = (i: number) =>
    new EpochReporter({
      store: payouts[i] as PayoutStore,
      inputs: source,
      attesterKey: generatePrivateKey(),
      domain: { domain: 1, epochReports: addr(0xe9), attesterSetId: 1n },
      now: () => (clock += 1_000),
    });

  it("rolls an epoch below k over, then bills it with the next and builds on its root", async () => {
    const small = [contribution("n1", 2, 10)];
    const next = [contribution("n1", 3, 20)];
    for (const i of [0, 1]) {
      const out = await reporter(i).close({ community: 5n, epoch: 1n, prevPayoutRoot: ZERO, contributions: small });
      expect(out.kind).toBe("rolled-over");
    }
    const store = payouts[0] as PayoutStore;
    expect(await store.outcomeOf(5n, 1n)).toBe("rolled-over");
    expect((await store.carryBefore(5n, 2n)).accounts).toBe(2);
    // Deciding epoch 1 again changes nothing.
    expect(await reporter(0).close({ community: 5n, epoch: 1n, prevPayoutRoot: ZERO, contributions: next })).toEqual({
      kind: "decided",
      outcome: "rolled-over",
    });

    const out = await reporter(0).close({ community: 5n, epoch: 2n, prevPayoutRoot: ZERO, contributions: next });
    if (out.kind !== "report") throw new Error(`expected a report, got ${out.kind}`);
    // The same bytes as one epoch holding both nodes' counts.
    const both = buildEpochReport({
      ...(await source.inputsFor({ community: 5n, epoch: 2n, campaignIds: [1n], personas: [P1] })),
      contributions: [...small.map((c) => ({ ...c, node: "n0" })), ...next],
      carry: EMPTY_CARRY,
      prev: { root: ZERO, entries: [] },
    });
    if (both.kind !== "report") throw new Error("no combined report");
    expect(encodeEpochReport(out.report)).toBe(encodeEpochReport(both.report));
    expect(out.report.engagedAccounts).toBe(5);
    expect(await store.carryBefore(5n, 3n)).toEqual(EMPTY_CARRY);

    // An auditor with the same history (it rolled epoch 1 over too) recomputes it.
    const stored = await store.report(5n, 2n);
    if (stored === undefined) throw new Error("not stored");
    const kind = new EngagementReportsKind({
      store: payouts[1] as PayoutStore,
      inputs: source,
      fetchContribution: async (ref) => next.find((c) => c.node === ref.node),
    });
    const item = {
      community: "5",
      epoch: "2",
      reportHash: stored.reportHash,
      prevPayoutRoot: ZERO,
      contributions: stored.contributions.map((c) => ({ node: c.node, hash: c.hash })),
    };
    expect(await kind.auditItem(item)).toEqual([]);

    // The next report builds on the stored root: cumulative amounts grow, slots stay.
    const third = await reporter(0).close({
      community: 5n,
      epoch: 3n,
      prevPayoutRoot: out.report.payoutRoot,
      contributions: [...next, contribution("n2", 1, 7)],
    });
    if (third.kind !== "report") throw new Error(`expected a third report, got ${third.kind}`);
    expect(third.report.prevPayoutRoot).toBe(out.report.payoutRoot);
    const [before, after] = [out.payout.entries[0], third.payout.entries[0]];
    expect(after?.slot).toBe(before?.slot);
    expect(after?.salt).toBe(before?.salt);
    expect((after?.cumulative ?? 0n) - (before?.cumulative ?? 0n)).toBe(
      third.lines[0]?.creators.reduce((s, c) => s + c.amount, 0n),
    );
    // Pending: newest first; a settled report is no longer served as pending.
    expect((await store.pendingReports(10)).map((r) => r.epoch)).toEqual([3n, 2n]);
    await store.markSettled(5n, 2n);
    expect((await store.pendingReports(10)).map((r) => r.epoch)).toEqual([3n]);
    // A root this node never built cannot be built on.
    await expect(
      reporter(0).close({ community: 5n, epoch: 4n, prevPayoutRoot: h32("unknown"), contributions: next }),
    ).rejects.toThrow(/payout state/);

    // Unless it imports that state (a report made outside the task): leaves checked against the root, stored once.
    const other = payouts[1] as PayoutStore;
    const imported = { prevRoot: out.report.payoutRoot, community: 5n, epoch: 3n, reportHash: third.reportHash, at: 1 };
    expect(await other.payoutState(third.report.payoutRoot)).toBeUndefined();
    const [first, ...rest] = third.payout.entries;
    if (first === undefined) throw new Error("the third report pays no one");
    const tampered = [{ ...first, cumulative: first.cumulative + 1n }, ...rest];
    await expect(
      other.importPayoutState({ ...imported, state: { root: third.report.payoutRoot, entries: tampered } }),
    ).rejects.toThrow(/not to the root/);
    const state = { root: third.report.payoutRoot, entries: third.payout.entries };
    expect(await other.importPayoutState({ ...imported, state })).toBe(true);
    expect(await other.importPayoutState({ ...imported, state })).toBe(false);
    const bySlot = <E extends { slot: bigint }>(es: readonly E[]) => [...es].sort((a, b) => Number(a.slot - b.slot));
    const importedState = await other.payoutState(third.report.payoutRoot);
    expect(importedState?.root).toBe(third.report.payoutRoot.toLowerCase());
    expect(bySlot(importedState?.entries ?? [])).toEqual(bySlot(third.payout.entries));
  });
});
