// The pure report builder (docs/protocol.md §12.3): byte-identical reports whatever the contribution order, conservation
// of each line's creators' share across EVM and Solana personas, spend never above the cap or the budget, the k gate
// and its roll-over, the cumulative tree built on the previous one; then the same properties over seeded random inputs.
import {
  claimProof,
  encodeEpochReport,
  lineSpend,
  PayoutTree,
  splitSpend,
  verifyClaimProof,
  verifyPayoutProof,
} from "@maskoii/sdk";
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { type BuiltReport, buildEpochReport, divideByPoints, trimToLimit } from "../src/epoch/builder.ts";
import {
  type CreatorPayout,
  EMPTY_CARRY,
  type EpochReportInput,
  type ReportCampaign,
  type ReportContribution,
} from "../src/epoch/inputs.ts";

const addr = (n: number): Address => getAddress(toHex(n, { size: 20 }));
const h32 = (s: string): Hex => keccak256(toHex(s));
const T1 = addr(0xa1);
const T2 = addr(0xa2);
const [P1, P2, P3, P4] = [addr(0x101), addr(0x102), addr(0x103), addr(0x104)];
const SOL_P3 = h32("solana wallet of P3");
const EMPTY_ROOT = `0x${"00".repeat(32)}` as Hex;

const campaign = (id: number, over: Partial<ReportCampaign> = {}): ReportCampaign => ({
  id: BigInt(id),
  token: T1,
  cpm: 2_000_000n,
  cpe: 70_000n,
  epochCap: 10n ** 30n,
  available: 10n ** 30n,
  epochSpent: 0n,
  live: true,
  targets: true,
  ...over,
});

const user = (
  leaf: string,
  accounts: number,
  ads: [number, number, number][],
  creators: [Address, number][],
): ReportContribution["users"][number] => ({
  leaf: h32(leaf),
  accounts,
  ads: ads.map(([id, impressions, engagements]) => ({ campaignId: BigInt(id), impressions, engagements })),
  creators: creators.map(([persona, points]) => ({ persona, points })),
});

const contributions: ReportContribution[] = [
  {
    node: "nodeB",
    hash: h32("b"),
    users: [
      user("u1", 2, [[1, 40, 3]], [[P1, 45]]),
      user(
        "u2",
        1,
        [
          [1, 10, 0],
          [2, 7, 1],
        ],
        [[P3, 12]],
      ),
    ],
  },
  {
    node: "nodeA",
    hash: h32("a"),
    users: [
      user(
        "u3",
        1,
        [[2, 100, 20]],
        [
          [P2, 33],
          [P1, 5],
        ],
      ),
    ],
  },
  {
    node: "nodeC",
    hash: h32("c"),
    users: [
      user(
        "u4",
        3,
        [
          [3, 50, 5],
          [4, 9, 9],
          [1, 1, 1],
        ],
        [
          [P4, 7],
          [P3, 2],
        ],
      ),
    ],
  },
];

const payouts = new Map<Address, CreatorPayout>([
  [P1, { family: "evm", recipient: P1 }],
  [P2, { family: "evm", recipient: addr(0x202) }],
  [P3, { family: "svm", recipient: SOL_P3 }],
]);

function input(over: Partial<EpochReportInput> = {}): EpochReportInput {
  return {
    community: 7n,
    epoch: 3n,
    contributions,
    campaigns: [
      campaign(1),
      campaign(2, { token: T2, cpm: 10n ** 18n, cpe: 3n * 10n ** 16n }),
      campaign(3, { live: false }),
      campaign(4, { targets: false }),
    ],
    policy: { creators: 5_000, treasury: 2_000, operators: 2_500, protocol: 500 },
    k: 5,
    carry: EMPTY_CARRY,
    prev: { root: EMPTY_ROOT, entries: [] },
    payouts,
    saltSecret: h32("operators' secret"),
    solanaUnits: new Map([[T2, 10n ** 10n]]),
    ...over,
  };
}

function built(i: EpochReportInput): BuiltReport {
  const out = buildEpochReport(i);
  if (out.kind !== "report") throw new Error(`expected a report, got ${out.kind}`);
  return out;
}

/** Every invariant a built report must hold against its input. */
function checkInvariants(i: EpochReportInput, r: BuiltReport): void {
  const campaigns = new Map(i.campaigns.map((c) => [c.id, c]));
  let prevId = -1n;
  for (const [n, l] of r.lines.entries()) {
    const c = campaigns.get(l.campaignId);
    if (c === undefined) throw new Error("line of an unknown campaign");
    expect(c.live && c.targets).toBe(true);
    expect(l.campaignId > prevId).toBe(true);
    prevId = l.campaignId;
    expect(l.spend).toBe(lineSpend({ impressions: l.impressions, engagements: l.engagements, cpm: c.cpm, cpe: c.cpe }));
    expect(l.spend <= c.epochCap - c.epochSpent || l.spend === 0n).toBe(true);
    expect(l.spend <= c.available).toBe(true);
    expect(l.creatorsShare).toBe(splitSpend(l.spend, i.policy).creators);
    const sum = l.creators.reduce((s, a) => s + a.amount, 0n);
    expect(sum + l.unallocated).toBe(l.creatorsShare);
    const svm = l.creators.filter((a) => a.family === "svm").reduce((s, a) => s + a.amount, 0n);
    expect(svm).toBe(l.solanaCreators);
    expect(r.report.lines[n]?.solanaCreators).toBe(l.solanaCreators);
    if (l.creators.some((a) => a.family === "evm")) expect(l.unallocated).toBe(0n);
  }
  for (const s of r.solana) {
    expect(s.total % s.unit).toBe(0n);
    const lineSum = r.lines.filter((l) => l.token === s.token).reduce((t, l) => t + l.solanaCreators, 0n);
    expect(s.total).toBe(lineSum);
    expect(s.leaves.reduce((t, l) => t + l.amount, 0n)).toBe(s.total / s.unit);
    for (const leaf of s.leaves) {
      expect(verifyClaimProof({ leaf, proof: claimProof(s.leaves, leaf.index), root: s.root })).toBe(true);
    }
  }
  const tree = PayoutTree.build(r.payout.entries);
  expect(tree.root).toBe(r.report.payoutRoot);
  for (const [n, entry] of tree.entries.entries()) {
    expect(verifyPayoutProof({ entry, proof: tree.proof(n), root: r.report.payoutRoot })).toBe(true);
  }
}

describe("buildEpochReport", () => {
  it("gives identical report bytes, tree and claims in any contribution order", () => {
    const a = built(input());
    const orders = [
      [2, 0, 1],
      [1, 2, 0],
      [0, 2, 1],
    ];
    for (const o of orders) {
      const b = built(input({ contributions: o.map((n) => contributions[n] as ReportContribution) }));
      expect(encodeEpochReport(b.report)).toBe(encodeEpochReport(a.report));
      expect(b.payout).toEqual(a.payout);
      expect(b.solana).toEqual(a.solana);
    }
    checkInvariants(input(), a);
  });

  it("bills live targeting campaigns only, ascending, with the contract's spend", () => {
    const r = built(input());
    // Campaign 3 is not live, 4 does not target the community: dropped.
    expect(r.report.lines.map((l) => l.campaignId)).toEqual([1n, 2n]);
    const [l1, l2] = r.lines;
    expect([l1?.impressions, l1?.engagements]).toEqual([51n, 4n]);
    expect([l2?.impressions, l2?.engagements]).toEqual([107n, 21n]);
    expect(l1?.spend).toBe((51n * 2_000_000n) / 1000n + 4n * 70_000n);
    expect(r.report.engagedAccounts).toBe(7);
    expect(r.report.prevPayoutRoot).toBe(EMPTY_ROOT);
    expect(r.report.expired).toEqual([]);
  });

  it("pays Solana personas whole shared units and the rest to EVM personas, conserving each share", () => {
    const r = built(input());
    const l2 = r.lines[1];
    if (l2 === undefined) throw new Error("no line 2");
    // Line 2's token has a Solana route (unit 1e10): P3's part is a multiple of it, the EVM side absorbs the rest.
    expect(l2.solanaCreators % 10n ** 10n).toBe(0n);
    expect(l2.solanaCreators > 0n).toBe(true);
    expect(l2.creators.map((c) => c.persona)).toEqual([P1, P2, P3, P4]);
    // Line 1's token has no Solana route: P3 gets nothing there, the EVM personas share all of it.
    expect(r.lines[0]?.solanaCreators).toBe(0n);
    expect(r.lines[0]?.creators.some((c) => c.persona === P3)).toBe(false);
    expect(r.report.solana).toEqual([{ token: T2, root: r.solana[0]?.root, leafCount: 1 }]);
    expect(r.solana[0]?.leaves[0]?.claimant).toBe(SOL_P3);
    // P2 is paid at its named recipient; P4 names no payout and is paid at itself.
    const p2 = r.payout.entries.find((e) => e.account.endsWith(P2.slice(2).toLowerCase()));
    expect(p2?.recipient.endsWith("0202")).toBe(true);
    const p4 = r.payout.entries.find((e) => e.account.endsWith(P4.slice(2).toLowerCase()));
    expect(p4?.recipient).toBe(p4?.account);
    // (P1, P2, P4) × (T1, T2): 6 EVM leaves; P3 has none.
    expect(r.report.payoutLeafCount).toBe(6);
    checkInvariants(input(), r);
  });

  it("trims counts so spend fits the epoch cap room and the available budget", () => {
    const cap = input({
      campaigns: [
        campaign(1, { epochCap: 500_000n, epochSpent: 100_000n }),
        campaign(2, { token: T2, available: 75_000n }),
      ],
    });
    const r = built(cap);
    const [l1, l2] = r.lines;
    expect(l1?.spend).toBeLessThanOrEqual(400_000n);
    // Engagements first (4 × 70,000 = 280,000), then impressions fill the 120,000 left: 60 at 2,000 each, 51 asked.
    expect([l1?.impressions, l1?.engagements]).toEqual([51n, 4n]);
    expect(l2?.engagements).toBe(1n);
    expect(l2?.spend).toBeLessThanOrEqual(75_000n);
    checkInvariants(cap, r);
    expect(trimToLimit({ impressions: 10n, engagements: 10n }, { cpm: 1000n, cpe: 5n }, 23n)).toEqual({
      impressions: 3n,
      engagements: 4n,
    });
    expect(trimToLimit({ impressions: 10n, engagements: 10n }, { cpm: 1500n, cpe: 0n }, 0n)).toEqual({
      impressions: 0n,
      engagements: 10n,
    });
    // A campaign with no room at all bills nothing and gets no line.
    const none = built(input({ campaigns: [campaign(1, { available: 0n }), campaign(2, { token: T2 })] }));
    expect(none.report.lines.map((l) => l.campaignId)).toEqual([2n]);
  });

  it("divides by points with the largest remainder, ties persona ascending", () => {
    const w = new Map([
      ["0x02", 1n],
      ["0x01", 1n],
      ["0x03", 1n],
    ]);
    expect([...divideByPoints(10n, w)].sort()).toEqual([
      ["0x01", 4n],
      ["0x02", 3n],
      ["0x03", 3n],
    ]);
    expect(
      [
        ...divideByPoints(
          7n,
          new Map([
            ["0x0a", 3n],
            ["0x0b", 1n],
          ]),
        ),
      ].sort(),
    ).toEqual([
      ["0x0a", 5n],
      ["0x0b", 2n],
    ]);
    expect(divideByPoints(5n, new Map()).size).toBe(0);
  });

  it("rolls an epoch below k over and bills it with the next one", () => {
    const small = input({ contributions: [contributions[1] as ReportContribution], k: 5 });
    const out = buildEpochReport(small);
    if (out.kind !== "rolled-over") throw new Error(`expected a roll-over, got ${out.kind}`);
    expect(out.engagedAccounts).toBe(1);
    expect(out.carry.accounts).toBe(1);
    expect(out.carry.ads).toEqual([{ campaignId: 2n, impressions: 100, engagements: 20 }]);
    expect(out.carry.creators).toEqual([
      { persona: P1, points: 5 },
      { persona: P2, points: 33 },
    ]);
    // Next epoch: the other two nodes' contributions plus the carry = the three together.
    const next = built(
      input({
        epoch: 4n,
        carry: out.carry,
        contributions: [contributions[0], contributions[2]] as ReportContribution[],
      }),
    );
    const together = built(input({ epoch: 4n }));
    expect(encodeEpochReport(next.report)).toBe(encodeEpochReport(together.report));
    // Still below k with the carry: everything carried again, summed.
    const again = buildEpochReport(input({ contributions: [], carry: out.carry, k: 2 }));
    expect(again.kind).toBe("rolled-over");
  });

  it("reports nothing when k is reached but nothing is billable", () => {
    const out = buildEpochReport(input({ campaigns: [campaign(3, { live: false })] }));
    expect(out).toEqual({ kind: "empty", engagedAccounts: 7 });
  });

  it("builds on the previous root: slots and salts kept, cumulative amounts added", () => {
    const first = built(input());
    const second = built(input({ epoch: 4n, prev: first.payout }));
    expect(second.report.prevPayoutRoot).toBe(first.report.payoutRoot);
    for (const e of first.payout.entries) {
      const after = second.payout.entries.find((x) => x.account === e.account && x.token === e.token);
      expect(after?.slot).toBe(e.slot);
      expect(after?.salt).toBe(e.salt);
      expect(after?.cumulative).toBe(2n * e.cumulative);
    }
    // A persona that moved its EVM payout gets the new recipient in the next root.
    const moved = new Map(payouts);
    moved.set(P1, { family: "evm", recipient: addr(0x999) });
    const third = built(
      input({
        epoch: 5n,
        prev: second.payout,
        contributions: [contributions[2] as ReportContribution],
        k: 1,
        payouts: moved,
      }),
    );
    const p1 = third.payout.entries.find((e) => e.account.endsWith(P1.slice(2).toLowerCase()));
    expect(p1?.recipient.endsWith("0999")).toBe(true);
    checkInvariants(input({ epoch: 4n, prev: first.payout }), second);
  });

  it("refuses a node listed twice and a policy that does not sum to 10,000", () => {
    const twice = [contributions[0], contributions[0]] as ReportContribution[];
    expect(() => buildEpochReport(input({ contributions: twice }))).toThrow(/listed twice/);
    expect(() =>
      buildEpochReport(input({ policy: { creators: 5_000, treasury: 2_000, operators: 2_000, protocol: 500 } })),
    ).toThrow(/policy/);
  });

  it("holds every invariant over seeded random inputs, in any order", () => {
    let seed = 0x2545f491;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const personas = Array.from({ length: 9 }, (_, n) => addr(0x300 + n));
    const kinds = { report: 0, "rolled-over": 0, empty: 0 };
    for (let round = 0; round < 60; round++) {
      const pay = new Map<Address, CreatorPayout>();
      for (const [n, p] of personas.entries()) {
        if (rnd(3) === 0) pay.set(p, { family: "svm", recipient: h32(`sol${n}`) });
        else if (rnd(2) === 0) pay.set(p, { family: "evm", recipient: addr(0x400 + n) });
      }
      const nodes: ReportContribution[] = Array.from({ length: 1 + rnd(4) }, (_, n) => ({
        node: `node${n}`,
        hash: h32(`node${n}`),
        users: Array.from({ length: rnd(5) }, (_, u) =>
          user(
            `r${round}n${n}u${u}`,
            1 + rnd(3),
            Array.from({ length: rnd(4) }, () => [1 + rnd(6), rnd(101), rnd(21)] as [number, number, number]),
            Array.from(
              { length: rnd(4) },
              () => [personas[rnd(personas.length)] as Address, 1 + rnd(40)] as [Address, number],
            ),
          ),
        ),
      }));
      const campaigns = Array.from({ length: 6 }, (_, n) =>
        campaign(n + 1, {
          token: rnd(2) === 0 ? T1 : T2,
          cpm: BigInt(rnd(5)) * 10n ** BigInt(rnd(18)),
          cpe: BigInt(rnd(5)) * 10n ** BigInt(rnd(17)),
          epochCap: BigInt(rnd(1_000_000)) * 10n ** BigInt(rnd(14)),
          available: BigInt(rnd(1_000_000)) * 10n ** BigInt(rnd(14)),
          epochSpent: BigInt(rnd(1000)) * 10n ** BigInt(rnd(12)),
          live: rnd(5) !== 0,
          targets: rnd(6) !== 0,
        }),
      );
      const i = input({ contributions: nodes, campaigns, payouts: pay, k: 1 + rnd(6) });
      const out = buildEpochReport(i);
      const shuffled = buildEpochReport({ ...i, contributions: [...nodes].reverse() });
      expect(shuffled.kind).toBe(out.kind);
      kinds[out.kind]++;
      if (out.kind === "report" && shuffled.kind === "report") {
        expect(encodeEpochReport(shuffled.report)).toBe(encodeEpochReport(out.report));
        checkInvariants(i, out);
      } else if (out.kind === "rolled-over") {
        expect(out.engagedAccounts < i.k).toBe(true);
      }
    }
    // The seeds exercise every outcome, reports most.
    expect(kinds.report).toBeGreaterThan(20);
    expect(kinds["rolled-over"]).toBeGreaterThan(0);
    expect(kinds.empty).toBeGreaterThan(0);
  });
});
