// The personalized feed (issue 16 point 1): candidate sources → features and ranking (the skeleton: ids, scores and
// their breakdowns) → hydration of the page's entries (the timeline entries, the ad creatives). Everything is read as
// of the cursor's `asOf`, so the same inputs give the same bytes and paging never repeats or skips an entry.
import { concat, type Hex, keccak256, stringToBytes } from "viem";
import { type CampaignReader, tagWord } from "../campaigns.ts";
import type { CommunityReader } from "../communities.ts";
import type { AggregatorStore } from "../store.ts";
import type { TimelineEntry, TimelineService } from "../timeline.ts";
import { adRotation, isAdSlot, organicIndexAt, positionOfOrganic } from "./ads.ts";
import { type Candidate, communityCandidates, followCandidates, reactionCounts } from "./candidates.ts";
import { encodeFeedCursor, type FeedCursor } from "./cursor.ts";
import type { FeedStore } from "./feed-store.ts";
import { DEFAULT_WEIGHTS, FEATURES, type Feature, type Ranked, rank, type Source, type Why } from "./rank.ts";

export type FeedOptions = {
  /** At most one position in `adEvery` is an ad (≥ 3). */
  readonly adEvery: number;
  readonly halfLifeMs: number;
  /** Communities this node serves beyond the user's: the out-of-network pool. */
  readonly outOfNetwork: readonly bigint[];
  /** Reactions an out-of-network post needs. */
  readonly minReactions: number;
  /** Candidates ranked per request (the newest). */
  readonly maxCandidates: number;
};

export const DEFAULT_FEED_OPTIONS: FeedOptions = {
  adEvery: 5,
  halfLifeMs: 6 * 3_600_000,
  outOfNetwork: [],
  minReactions: 2,
  maxCandidates: 2_000,
};

export type PostEntry = {
  readonly type: "post";
  readonly id: string;
  readonly cursor: string;
  readonly score: number;
  readonly why: Why;
  readonly community: string | null;
  readonly post: TimelineEntry;
};
export type AdEntry = {
  readonly type: "ad";
  readonly label: "Sponsored";
  readonly id: string;
  readonly cursor: string;
  readonly campaignId: string;
  /** What a beacon about this ad names. */
  readonly target: string;
  readonly advertiser: string;
  readonly creativeURI: string;
  readonly creativeHash: Hex;
  readonly why: { readonly community: string; readonly matchingTags: number; readonly slot: number };
};
export type FeedEntry = PostEntry | AdEntry;
export type FeedPage = {
  readonly community: string;
  readonly persona: string | null;
  readonly asOf: number;
  readonly weights: Record<Feature, number>;
  readonly entries: readonly FeedEntry[];
  readonly nextCursor: string | null;
};

type Skeleton = { ranked: Ranked[]; byId: Map<string, Candidate>; descriptors: Map<string, string[]> };

const COMMUNITY_TAG = /#([\p{L}\p{N}_]+)$/u;

export class FeedService {
  readonly #store: AggregatorStore;
  readonly #feedStore: FeedStore;
  readonly #timelines: TimelineService;
  readonly #communities: CommunityReader;
  readonly #campaigns: CampaignReader | undefined;
  readonly #options: FeedOptions;
  readonly #now: () => number;
  /** Ranked skeletons by (persona, community, asOf): paging a feed ranks it once. */
  readonly #skeletons = new Map<string, Promise<Skeleton>>();

  constructor(deps: {
    store: AggregatorStore;
    feedStore: FeedStore;
    timelines: TimelineService;
    communities: CommunityReader;
    campaigns?: CampaignReader;
    options?: Partial<FeedOptions>;
    now?: () => number;
  }) {
    this.#store = deps.store;
    this.#feedStore = deps.feedStore;
    this.#timelines = deps.timelines;
    this.#communities = deps.communities;
    this.#campaigns = deps.campaigns;
    this.#options = { ...DEFAULT_FEED_OPTIONS, ...deps.options };
    this.#now = deps.now ?? Date.now;
  }

  get feedStore(): FeedStore {
    return this.#feedStore;
  }

  /** One page; undefined when the community does not exist on chain. */
  async page(args: {
    community: bigint;
    persona?: string;
    limit: number;
    cursor?: FeedCursor;
  }): Promise<FeedPage | undefined> {
    if ((await this.#communities.sourcesOf(args.community)) === undefined) return undefined;
    const persona = args.persona?.toLowerCase() ?? "";
    const community = args.community.toString();
    // A first page of the anonymous feed reads as of the current whole second, so concurrent readers share one ranked
    // skeleton (one build); a persona's feed reads as of now, never before settings or feedback it just sent. The
    // cursor carries the instant for the pages after it.
    const now = this.#now();
    const asOf = args.cursor?.asOf ?? (persona === "" ? Math.floor(now / 1000) * 1000 : now);
    const settings = persona === "" ? undefined : await this.#feedStore.settingsAt(persona, asOf);
    const weights = { ...DEFAULT_WEIGHTS };
    for (const f of FEATURES) weights[f] = settings?.weights[f] ?? weights[f];

    const skeleton = await this.#skeleton(persona, args.community, asOf);
    const { ranked } = skeleton;
    const every = this.#options.adEvery;

    // Where this page starts: the cursor's position, unless its last organic item has moved (a moderator hid a post
    // above it): then right after that item, so nothing served repeats.
    let position = 0;
    if (args.cursor !== undefined) {
      const { lastId, position: at } = args.cursor;
      const k = lastId === null ? -1 : ranked.findIndex((r) => r.id === lastId);
      position = k < 0 || organicIndexAt(at, every) === k + 1 ? at : positionOfOrganic(k + 1, every);
    }

    const wanted = new Set<Hex>((settings?.tags ?? []).map(tagWord));
    for (const d of skeleton.descriptors.get(community) ?? []) {
      const tag = COMMUNITY_TAG.exec(d)?.[1];
      if (tag !== undefined) wanted.add(tagWord(tag));
    }
    const seed = keccak256(concat([stringToBytes(`${persona}|${community}|${asOf}`)]));
    const ads =
      this.#campaigns === undefined
        ? []
        : adRotation(await this.#campaigns.activeFor(args.community, Math.floor(asOf / 1000)), wanted, seed);

    const entries: FeedEntry[] = [];
    let lastOrganic: string | null = args.cursor?.lastId ?? null;
    let more = false;
    const cursorAt = (p: number) =>
      encodeFeedCursor({ asOf, position: p + 1, lastId: lastOrganic, community, persona });
    for (let p = position; ; p++) {
      const o = organicIndexAt(p, every);
      if (o >= ranked.length) break;
      if (entries.length >= args.limit) {
        more = true;
        break;
      }
      if (isAdSlot(p, every)) {
        const slot = (p + 1) / every - 1;
        const c = ads.length === 0 ? undefined : ads[slot % ads.length];
        if (c === undefined) continue;
        entries.push({
          type: "ad",
          label: "Sponsored",
          id: `ad:${c.id}:${slot}`,
          cursor: cursorAt(p),
          campaignId: c.id.toString(),
          target: `ad:${c.id}`,
          advertiser: c.advertiser,
          creativeURI: c.creativeURI,
          creativeHash: c.creativeHash,
          why: { community, matchingTags: c.tags.filter((t) => wanted.has(t)).length, slot },
        });
        continue;
      }
      const r = ranked[o];
      const candidate = r === undefined ? undefined : skeleton.byId.get(r.id);
      if (r === undefined || candidate === undefined) break;
      lastOrganic = r.id;
      entries.push({
        type: "post",
        id: r.id,
        cursor: cursorAt(p),
        score: r.why.total,
        why: r.why,
        community: candidate.community,
        post: candidate.entry,
      });
    }
    const last = entries.at(-1);
    return {
      community,
      persona: persona === "" ? null : persona,
      asOf,
      weights,
      entries,
      nextCursor: more && last !== undefined ? last.cursor : null,
    };
  }

  #skeleton(persona: string, community: bigint, asOf: number): Promise<Skeleton> {
    const key = `${persona}|${community}|${asOf}`;
    const hit = this.#skeletons.get(key);
    if (hit !== undefined) return hit;
    const built = this.#build(persona, community, asOf);
    this.#skeletons.set(key, built);
    built.catch(() => this.#skeletons.delete(key));
    // A small cache: the oldest skeletons go first.
    while (this.#skeletons.size > 128) {
      const oldest = this.#skeletons.keys().next().value;
      if (oldest === undefined) break;
      this.#skeletons.delete(oldest);
    }
    return built;
  }

  async #build(persona: string, community: bigint, asOf: number): Promise<Skeleton> {
    const settings = persona === "" ? undefined : await this.#feedStore.settingsAt(persona, asOf);
    const feedback =
      persona === "" ? new Map<string, "more" | "less">() : await this.#feedStore.feedbackAt(persona, asOf);
    const weights = { ...DEFAULT_WEIGHTS };
    for (const f of FEATURES) weights[f] = settings?.weights[f] ?? weights[f];
    const mine = [community, ...(settings?.communities ?? []).map(BigInt)].filter((c, i, all) => all.indexOf(c) === i);
    const inNetwork = await communityCandidates(this.#timelines, mine, asOf, "community");
    const follows = await followCandidates(this.#store, this.#communities, settings?.follows ?? [], asOf);
    const others = this.#options.outOfNetwork.filter((c) => !mine.includes(c));
    const outside = await communityCandidates(this.#timelines, others, asOf, "out-of-network");
    const outsideCounts = await reactionCounts(
      this.#store,
      outside.candidates.map((c) => c.entry),
      asOf,
    );
    const wellEngaged = outside.candidates.filter(
      (c) => (outsideCounts.get(c.entry.id) ?? 0) >= this.#options.minReactions,
    );

    // One candidate per post: in-network before follows before out-of-network; a cross-post of a kept one goes.
    const byId = new Map<string, Candidate>();
    const seen = new Set<string>();
    for (const c of [...inNetwork.candidates, ...follows, ...wellEngaged]) {
      if (seen.has(c.entry.id)) continue;
      for (const id of [c.entry.id, ...c.entry.duplicates]) seen.add(id);
      byId.set(c.entry.id, c);
    }
    const kept = [...byId.values()]
      .sort((a, b) => b.entry.createdAt - a.entry.createdAt || (a.entry.id < b.entry.id ? -1 : 1))
      .slice(0, this.#options.maxCandidates);
    const counts = await reactionCounts(
      this.#store,
      kept.map((c) => c.entry),
      asOf,
    );
    const ranked = rank(
      kept.map((c) => ({
        id: c.entry.id,
        author: c.entry.author.id,
        createdAt: c.entry.createdAt,
        source: c.source as Source,
        reactions: counts.get(c.entry.id) ?? 0,
      })),
      { follows: new Set(settings?.follows ?? []), feedback },
      weights,
      { asOf, halfLifeMs: this.#options.halfLifeMs },
    );
    return { ranked, byId, descriptors: inNetwork.descriptors };
  }
}
