// The feed's ranking (issue 16 point 1), a pure function of its inputs, in the spirit of X's published pipeline
// (candidate sources, feature scoring, an author-diversity pass) and Bluesky's feed generators (a skeleton of ids and
// scores, hydrated afterwards). Every feature has a value and a user-tunable weight; an item's score is the sum of
// value × weight × sign over the features, and the item carries that breakdown (`why`).
//
//   engagement  ln(1 + reactions ingested for the post or its cross-posts)          +
//   recency     0.5 ^ (age / half-life)                                            +
//   following   1 when the user follows the author                                 +
//   positive    "more like this" on the post (1) plus on its author (1)            +
//   negative    "less like this" on the post (1) plus on its author (1)            −
//   diversity   how many posts by the same author rank above it                    −
//
// Values, contributions and totals are rounded to 6 decimals; the total is the sum of the rounded contributions in
// FEATURES order (rounded again), so the breakdown adds up to the score as served.
export const FEATURES = ["engagement", "recency", "following", "positive", "negative", "diversity"] as const;
export type Feature = (typeof FEATURES)[number];

export const FEATURE_SIGN: Record<Feature, 1 | -1> = {
  engagement: 1,
  recency: 1,
  following: 1,
  positive: 1,
  negative: -1,
  diversity: -1,
};

export const DEFAULT_WEIGHTS: Record<Feature, number> = {
  engagement: 1,
  recency: 2,
  following: 1,
  positive: 2,
  negative: 4,
  diversity: 0.5,
};

export type Source = "community" | "follow" | "out-of-network";

/** One candidate as ranking sees it (the skeleton). */
export type RankInput = {
  readonly id: string;
  readonly author: string;
  readonly createdAt: number;
  readonly source: Source;
  readonly reactions: number;
};

export type Signals = {
  readonly follows: ReadonlySet<string>;
  /** Feedback in force, by `item:<id>` / `author:<id>`. */
  readonly feedback: ReadonlyMap<string, "more" | "less">;
};

export type FeatureContribution = {
  readonly feature: Feature;
  readonly value: number;
  readonly weight: number;
  readonly contribution: number;
};
export type Why = {
  readonly source: Source;
  readonly features: readonly FeatureContribution[];
  readonly total: number;
};
export type Ranked = RankInput & { readonly why: Why };

export const round6 = (x: number): number => {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
};

function breakdown(values: Record<Feature, number>, weights: Record<Feature, number>): FeatureContribution[] {
  return FEATURES.map((feature) => {
    const value = round6(values[feature]);
    const weight = weights[feature];
    return { feature, value, weight, contribution: round6(FEATURE_SIGN[feature] * weight * value) };
  });
}

export function totalOf(features: readonly FeatureContribution[]): number {
  let total = 0;
  for (const f of features) total += f.contribution;
  return round6(total);
}

function order(a: { total: number; createdAt: number; id: string }, b: typeof a): number {
  return b.total - a.total || b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Ranks the candidates at `asOf` (ms): the features without diversity first, then a greedy pass that takes, at each
 * position, the best candidate once every author's earlier posts count against it. Ties break on newer, then id.
 */
export function rank(
  candidates: readonly RankInput[],
  signals: Signals,
  weights: Record<Feature, number>,
  options: { asOf: number; halfLifeMs: number },
): Ranked[] {
  const fb = (key: string, want: "more" | "less") => (signals.feedback.get(key) === want ? 1 : 0);
  const base = candidates.map((c) => {
    const values: Record<Feature, number> = {
      engagement: Math.log1p(Math.max(0, c.reactions)),
      recency: 0.5 ** (Math.max(0, options.asOf - c.createdAt) / options.halfLifeMs),
      following: signals.follows.has(c.author) ? 1 : 0,
      positive: fb(`item:${c.id}`, "more") + fb(`author:${c.author}`, "more"),
      negative: fb(`item:${c.id}`, "less") + fb(`author:${c.author}`, "less"),
      diversity: 0,
    };
    return { c, values, total: totalOf(breakdown(values, weights)) };
  });
  // Per author, its candidates best first; the greedy pass looks at each author's head only.
  const byAuthor = new Map<string, typeof base>();
  for (const b of [...base].sort((x, y) => order({ ...x, ...x.c }, { ...y, ...y.c }))) {
    const list = byAuthor.get(b.c.author) ?? [];
    list.push(b);
    byAuthor.set(b.c.author, list);
  }
  const taken = new Map<string, number>();
  const out: Ranked[] = [];
  while (out.length < base.length) {
    let best: { author: string; features: FeatureContribution[]; total: number; c: RankInput } | undefined;
    for (const [author, list] of byAuthor) {
      const head = list[taken.get(author) ?? 0];
      if (head === undefined) continue;
      const features = breakdown({ ...head.values, diversity: taken.get(author) ?? 0 }, weights);
      const cand = { author, features, total: totalOf(features), c: head.c };
      if (best === undefined || order({ ...cand, ...cand.c }, { ...best, ...best.c }) < 0) best = cand;
    }
    if (best === undefined) break;
    taken.set(best.author, (taken.get(best.author) ?? 0) + 1);
    out.push({ ...best.c, why: { source: best.c.source, features: best.features, total: best.total } });
  }
  return out;
}
