// Counting votes and splitting a round's reward pool (docs/protocol.md §9.4, §9.5). Pure integer functions: the
// same inputs give the same outputs on every node, whatever order they arrive in, and no unit is created or lost.

/** A signed vote reduced to what the tally needs. */
export type VoteLike = {
  readonly auditor: string;
  readonly subject: string;
  readonly verdict: "pass" | "fail";
  readonly faults: readonly { readonly code: string }[];
};

export type SubjectTally = {
  readonly subject: string;
  /** Stake of the auditors that voted fail / pass (an auditor with any fail vote on the subject counts as fail). */
  readonly failStake: bigint;
  readonly passStake: bigint;
  /** Stake of every other staked node: the denominator of the quorum. */
  readonly othersStake: bigint;
  readonly slashed: boolean;
  /** The fail quorum is met by votes naming equivocation alone. */
  readonly equivocation: boolean;
};

const BPS = 10_000n;

function meets(part: bigint, whole: bigint, quorumBps: number): boolean {
  return part > 0n && part * BPS >= whole * BigInt(quorumBps);
}

/**
 * Tallies votes per subject. Only votes by staked nodes about other staked nodes count, one per (auditor, subject).
 * A subject is slashed when the stake voting fail reaches `quorumBps` of all the other nodes' stake.
 */
export function tallyVotes(args: {
  stakes: ReadonlyMap<string, bigint>;
  votes: readonly VoteLike[];
  quorumBps: number;
}): Map<string, SubjectTally> {
  const total = [...args.stakes.values()].reduce((a, b) => a + b, 0n);
  /** subject -> auditor -> "fail" | "equivocation" | "pass" */
  const views = new Map<string, Map<string, "pass" | "fail" | "equivocation">>();
  for (const v of args.votes) {
    if (v.auditor === v.subject) continue;
    if ((args.stakes.get(v.auditor) ?? 0n) <= 0n || !args.stakes.has(v.subject)) continue;
    const byAuditor = views.get(v.subject) ?? new Map<string, "pass" | "fail" | "equivocation">();
    views.set(v.subject, byAuditor);
    const mine: "pass" | "fail" | "equivocation" =
      v.verdict === "pass" ? "pass" : v.faults.some((f) => f.code === "equivocation") ? "equivocation" : "fail";
    const previous = byAuditor.get(v.auditor);
    const rank = { pass: 0, fail: 1, equivocation: 2 } as const;
    if (previous === undefined || rank[mine] > rank[previous]) byAuditor.set(v.auditor, mine);
  }
  const out = new Map<string, SubjectTally>();
  for (const [subject, stake] of args.stakes) {
    const othersStake = total - stake;
    let failStake = 0n;
    let passStake = 0n;
    let equivocationStake = 0n;
    for (const [auditor, view] of views.get(subject) ?? []) {
      const w = args.stakes.get(auditor) ?? 0n;
      if (view === "pass") passStake += w;
      else failStake += w;
      if (view === "equivocation") equivocationStake += w;
    }
    out.set(subject, {
      subject,
      failStake,
      passStake,
      othersStake,
      slashed: meets(failStake, othersStake, args.quorumBps),
      equivocation: meets(equivocationStake, othersStake, args.quorumBps),
    });
  }
  return out;
}

export type Reward = { readonly node: string; readonly stake: bigint; readonly amount: bigint };
export type Slash = {
  readonly node: string;
  readonly reason: "audit" | "equivocation";
  readonly bps: number;
  readonly stakeBefore: bigint;
  readonly penalty: bigint;
  readonly stakeAfter: bigint;
};

export type Distribution = {
  readonly round: number;
  readonly pool: bigint;
  /** Nodes paid this round, ascending by node key. */
  readonly rewards: readonly Reward[];
  /** What nobody earned (no node passed): kept by the task. rewards + unallocated = pool. */
  readonly unallocated: bigint;
  readonly slashes: readonly Slash[];
};

/**
 * Splits `pool` over the rewarded nodes (submitted, not slashed, staked) in proportion to stake: each gets
 * floor(pool·stake/S); the remainder goes one unit each to the largest fractional parts (pool·stake mod S), ties by
 * node key ascending (largest-remainder method). Slashed nodes get nothing and lose floor(stake·bps/10000).
 */
export function distribute(args: {
  round: number;
  pool: bigint;
  stakes: ReadonlyMap<string, bigint>;
  submitted: ReadonlySet<string>;
  tallies: ReadonlyMap<string, SubjectTally>;
  slashBps: number;
  equivocationSlashBps: number;
}): Distribution {
  if (args.pool < 0n) throw new RangeError("pool must be non-negative");
  const nodes = [...args.stakes.keys()].sort();
  const slashes: Slash[] = [];
  const rewarded: { node: string; stake: bigint }[] = [];
  for (const node of nodes) {
    const stake = args.stakes.get(node) ?? 0n;
    if (stake < 0n) throw new RangeError(`negative stake for ${node}`);
    const t = args.tallies.get(node);
    if (t?.slashed === true) {
      const bps = t.equivocation ? args.equivocationSlashBps : args.slashBps;
      const penalty = (stake * BigInt(bps)) / BPS;
      slashes.push({
        node,
        reason: t.equivocation ? "equivocation" : "audit",
        bps,
        stakeBefore: stake,
        penalty,
        stakeAfter: stake - penalty,
      });
      continue;
    }
    if (args.submitted.has(node) && stake > 0n) rewarded.push({ node, stake });
  }
  const total = rewarded.reduce((a, r) => a + r.stake, 0n);
  if (total === 0n) return { round: args.round, pool: args.pool, rewards: [], unallocated: args.pool, slashes };
  const shares = rewarded.map((r) => ({
    ...r,
    amount: (args.pool * r.stake) / total,
    fraction: (args.pool * r.stake) % total,
  }));
  let remainder = args.pool - shares.reduce((a, s) => a + s.amount, 0n);
  const order = [...shares].sort((a, b) =>
    a.fraction === b.fraction ? (a.node < b.node ? -1 : 1) : a.fraction > b.fraction ? -1 : 1,
  );
  for (const s of order) {
    if (remainder === 0n) break;
    s.amount += 1n;
    remainder -= 1n;
  }
  return {
    round: args.round,
    pool: args.pool,
    rewards: shares.map(({ node, stake, amount }) => ({ node, stake, amount })),
    unallocated: 0n,
    slashes,
  };
}

/** The stake ledger after a distribution's slashes. */
export function applySlashes(stakes: ReadonlyMap<string, bigint>, d: Distribution): Map<string, bigint> {
  const next = new Map(stakes);
  for (const s of d.slashes) next.set(s.node, s.stakeAfter);
  return next;
}

/** JSON form (amounts as decimal strings). */
export function distributionToJson(d: Distribution): unknown {
  return {
    round: d.round,
    pool: d.pool.toString(),
    rewards: d.rewards.map((r) => ({ node: r.node, stake: r.stake.toString(), amount: r.amount.toString() })),
    unallocated: d.unallocated.toString(),
    slashes: d.slashes.map((s) => ({
      node: s.node,
      reason: s.reason,
      bps: s.bps,
      stakeBefore: s.stakeBefore.toString(),
      penalty: s.penalty.toString(),
      stakeAfter: s.stakeAfter.toString(),
    })),
  };
}
