// Vote tally and reward distribution: pure integer functions, checked on fixed cases and on a seeded random loop
// (fast-check is not installed; the seed makes every failure reproducible).
import { describe, expect, it } from "vitest";
import { applySlashes, distribute, distributionToJson, tallyVotes, type VoteLike } from "../src/koii/distribution.ts";

/** xorshift32: a tiny deterministic generator. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const big = (r: () => number, max: number) => BigInt(Math.floor(r() * max));

describe("koii distribution", () => {
  it("splits by stake with the largest-remainder rule, exactly", () => {
    const stakes = new Map([
      ["a", 1n],
      ["b", 1n],
      ["c", 1n],
    ]);
    const d = distribute({
      round: 3,
      pool: 100n,
      stakes,
      submitted: new Set(["a", "b", "c"]),
      tallies: tallyVotes({ stakes, votes: [], quorumBps: 6667 }),
      slashBps: 1000,
      equivocationSlashBps: 10_000,
    });
    // 33 each, remainder 1 to the smallest key among equal fractions.
    expect(d.rewards.map((r) => [r.node, r.amount])).toEqual([
      ["a", 34n],
      ["b", 33n],
      ["c", 33n],
    ]);
    expect(d.unallocated).toBe(0n);
    expect(distributionToJson(d)).toMatchObject({ pool: "100", unallocated: "0" });
  });

  it("a node failed by a stake quorum is slashed and unpaid; a minority fail vote changes nothing", () => {
    const stakes = new Map([
      ["a", 300n],
      ["b", 300n],
      ["c", 400n],
    ]);
    const fail = (auditor: string, subject: string, code = "not-on-chain"): VoteLike => ({
      auditor,
      subject,
      verdict: "fail",
      faults: [{ code }],
    });
    const pass = (auditor: string, subject: string): VoteLike => ({ auditor, subject, verdict: "pass", faults: [] });
    // c is failed by a and b (600 of the others' 600); c's fail vote on a is 400 of 700 < 66.67 %.
    const votes = [fail("a", "c"), fail("b", "c"), fail("c", "a"), pass("b", "a"), pass("a", "b"), pass("c", "b")];
    const tallies = tallyVotes({ stakes, votes, quorumBps: 6667 });
    expect(tallies.get("c")).toMatchObject({ slashed: true, failStake: 600n, othersStake: 600n, equivocation: false });
    expect(tallies.get("a")).toMatchObject({ slashed: false, failStake: 400n, passStake: 300n });
    const d = distribute({
      round: 1,
      pool: 1_000n,
      stakes,
      submitted: new Set(["a", "b", "c"]),
      tallies,
      slashBps: 2_500,
      equivocationSlashBps: 10_000,
    });
    expect(d.rewards.map((r) => r.node)).toEqual(["a", "b"]);
    expect(d.rewards.reduce((s, r) => s + r.amount, 0n)).toBe(1_000n);
    expect(d.slashes).toEqual([
      { node: "c", reason: "audit", bps: 2_500, stakeBefore: 400n, penalty: 100n, stakeAfter: 300n },
    ]);
    expect(applySlashes(stakes, d).get("c")).toBe(300n);
    // The same votes, equivocation named by the quorum: the whole stake.
    const eq = tallyVotes({
      stakes,
      votes: [fail("a", "c", "equivocation"), fail("b", "c", "equivocation")],
      quorumBps: 6667,
    });
    expect(eq.get("c")?.equivocation).toBe(true);
  });

  it("votes by unstaked auditors, self-votes and duplicates do not count", () => {
    const stakes = new Map([
      ["a", 10n],
      ["b", 10n],
      ["c", 0n],
    ]);
    const t = tallyVotes({
      stakes,
      votes: [
        { auditor: "c", subject: "a", verdict: "fail", faults: [{ code: "x" }] },
        { auditor: "a", subject: "a", verdict: "fail", faults: [{ code: "x" }] },
        { auditor: "z", subject: "a", verdict: "fail", faults: [{ code: "x" }] },
        { auditor: "b", subject: "a", verdict: "pass", faults: [] },
        { auditor: "b", subject: "a", verdict: "pass", faults: [] },
      ],
      quorumBps: 6667,
    });
    expect(t.get("a")).toMatchObject({ failStake: 0n, passStake: 10n, slashed: false });
  });

  it("nobody passes: the pool stays unallocated", () => {
    const stakes = new Map([["a", 5n]]);
    const d = distribute({
      round: 0,
      pool: 77n,
      stakes,
      submitted: new Set(),
      tallies: new Map(),
      slashBps: 0,
      equivocationSlashBps: 0,
    });
    expect(d).toMatchObject({ rewards: [], unallocated: 77n });
  });

  it("property: conservation, proportionality within one unit, order independence, slashing arithmetic (seeded)", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 12);
      const names = Array.from({ length: n }, (_, i) => `node${String(i).padStart(2, "0")}`);
      const stakes = new Map(names.map((k) => [k, r() < 0.1 ? 0n : 1n + big(r, 1e12)]));
      const submitted = new Set(names.filter(() => r() < 0.8));
      const votes: VoteLike[] = [];
      for (const auditor of names) {
        for (const subject of names) {
          if (auditor === subject || r() < 0.3) continue;
          const failing = r() < 0.25;
          votes.push({
            auditor,
            subject,
            verdict: failing ? "fail" : "pass",
            faults: failing ? [{ code: r() < 0.3 ? "equivocation" : "not-on-chain" }] : [],
          });
        }
      }
      const pool = big(r, 1e15);
      const args = {
        round: seed,
        pool,
        stakes,
        submitted,
        slashBps: Math.floor(r() * 10_001),
        equivocationSlashBps: 10_000,
      };
      const tallies = tallyVotes({ stakes, votes, quorumBps: 6667 });
      const d = distribute({ ...args, tallies });
      const paid = d.rewards.reduce((s, x) => s + x.amount, 0n);
      expect(paid + d.unallocated, `seed ${seed}`).toBe(pool);
      const slashed = new Set(d.slashes.map((s) => s.node));
      const rewardedStake = d.rewards.reduce((s, x) => s + x.stake, 0n);
      for (const x of d.rewards) {
        expect(slashed.has(x.node), `seed ${seed}`).toBe(false);
        expect(submitted.has(x.node), `seed ${seed}`).toBe(true);
        const exactFloor = (pool * x.stake) / rewardedStake;
        expect(x.amount >= exactFloor && x.amount <= exactFloor + 1n, `seed ${seed}`).toBe(true);
      }
      for (const s of d.slashes) {
        expect(s.stakeAfter + s.penalty, `seed ${seed}`).toBe(s.stakeBefore);
        expect(tallies.get(s.node)?.slashed, `seed ${seed}`).toBe(true);
      }
      // Stake is conserved: what the ledger loses is exactly the penalties.
      const before = [...stakes.values()].reduce((a, b) => a + b, 0n);
      const after = [...applySlashes(stakes, d).values()].reduce((a, b) => a + b, 0n);
      expect(before - after, `seed ${seed}`).toBe(d.slashes.reduce((a, s) => a + s.penalty, 0n));
      // Order independence: shuffled stakes and votes give the same distribution.
      const shuffledStakes = new Map([...stakes].reverse());
      const shuffledVotes = [...votes].reverse();
      const again = distribute({
        ...args,
        stakes: shuffledStakes,
        tallies: tallyVotes({ stakes: shuffledStakes, votes: shuffledVotes, quorumBps: 6667 }),
      });
      expect(distributionToJson(again), `seed ${seed}`).toEqual(distributionToJson(d));
    }
  });
});
