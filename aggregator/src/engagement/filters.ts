// The beacon filters (docs/protocol.md §12.1): each a small function with a stable drop code. The ones that decide
// what counts (everything but `not-home` and `rate-limited`) are deterministic functions of the beacon, the beacons
// accepted before it and the chain; the node's clock enters only through `wrong-epoch`'s "closed / in the future".
import { type Address, type Hex, isAddressEqual } from "viem";
import { accountOfAuthor } from "../accounts.ts";
import { adCampaignOf, type BeaconFields, postItemOf } from "./beacon.ts";
import type { BeaconStore } from "./beacon-store.ts";

export const DROP_CODES = [
  "bad-signature",
  "not-home",
  "rate-limited",
  "wrong-epoch",
  "replay",
  "unbound",
  "unknown-target",
  "self-engagement",
  "own-ad",
  "burst",
] as const;
export type DropCode = (typeof DROP_CODES)[number];
export type Verdict = "accepted" | DropCode;

/** Client clocks may run this far ahead; a beacon is also taken this long after its epoch ended. */
export const BEACON_SKEW_SECONDS = 60;
/** Burst: beacons of one persona whose `at` lie within this many seconds of each other count together. */
export const BURST_WINDOW_SECONDS = 60;
/** Burst: at most this many beacons of one persona on one target inside the window. */
export const BURST_TARGET_LIMIT = 3;
/** Burst: at most this many beacons of one persona on any targets inside the window. */
export const BURST_PERSONA_LIMIT = 30;

/** The community clock (CommunityRegistry `genesis`, `epochLength`; immutable). */
export type EpochClock = { readonly genesis: number; readonly epochLength: number };

/** What the filters ask the chain. */
export interface EngagementChain {
  clock(): Promise<EpochClock>;
  /** The persona an account is bound to now (undefined when unbound or revoked). */
  personaOf(platform: number, accountId: Hex): Promise<Address | undefined>;
  /** Where a persona is paid (IdentityRegistry.payoutOf: the persona itself, family EVM, when it set none). */
  payoutOf(persona: Address): Promise<{ family: number; recipient: Hex }>;
}

/** A campaign as the own-ad and unknown-target filters need it (the one campaign reader provides it). */
export type CampaignInfo = {
  readonly advertiser: Address;
  targets(community: bigint): Promise<boolean>;
};
export type CampaignLookup = (campaignId: bigint) => Promise<CampaignInfo | undefined>;

/** The author (network-qualified, `farcaster:fid:3`) of a post of the community, or undefined when it has none. */
export type PostLookup = (community: bigint, itemId: string) => Promise<string | undefined>;

/** What a filter sees of one beacon; lookups are memoized per beacon. */
export type FilterInput = {
  readonly beacon: BeaconFields;
  readonly id: Hex;
  readonly nowMs: number;
  readonly chain: EngagementChain;
  readonly store: BeaconStore;
  /** The post's author persona (null when the author is bound to none) or the ad's campaign; undefined: no target. */
  target(): Promise<ResolvedTarget | undefined>;
};

export type ResolvedTarget =
  | { readonly kind: "post"; readonly author: string; readonly creator: Address | null }
  | { readonly kind: "ad"; readonly campaignId: bigint; readonly campaign: CampaignInfo };

export type BeaconFilter = { readonly code: DropCode; drops(input: FilterInput): Promise<boolean> };

/** Resolves a beacon's target: the post in the community with its author's persona, or the campaign targeting it. */
export async function resolveTarget(
  beacon: BeaconFields,
  lookups: { posts: PostLookup; campaigns: CampaignLookup | undefined; chain: EngagementChain },
): Promise<ResolvedTarget | undefined> {
  const community = BigInt(beacon.community);
  const campaignId = adCampaignOf(beacon.target);
  if (campaignId !== undefined) {
    const campaign = await lookups.campaigns?.(campaignId);
    if (campaign === undefined || !(await campaign.targets(community))) return undefined;
    return { kind: "ad", campaignId, campaign };
  }
  const itemId = postItemOf(beacon.target);
  const author = itemId === undefined ? undefined : await lookups.posts(community, itemId);
  if (author === undefined) return undefined;
  const account = accountOfAuthor(author);
  const creator =
    account === undefined ? undefined : await lookups.chain.personaOf(account.platform, account.accountId);
  return { kind: "post", author, creator: creator ?? null };
}

/** `at` inside the epoch, the epoch not closed (plus skew), `at` not in the future (beyond skew). */
export const wrongEpoch: BeaconFilter = {
  code: "wrong-epoch",
  async drops({ beacon, nowMs, chain }) {
    const { genesis, epochLength } = await chain.clock();
    const start = genesis + beacon.epoch * epochLength;
    const end = start + epochLength;
    const now = Math.floor(nowMs / 1_000);
    return (
      beacon.at < start || beacon.at >= end || now >= end + BEACON_SKEW_SECONDS || beacon.at > now + BEACON_SKEW_SECONDS
    );
  },
};

/** The beacon's id, or the persona's nonce, was accepted before. */
export const replay: BeaconFilter = {
  code: "replay",
  drops: ({ beacon, id, store }) => store.seen(id, beacon.persona as Address, beacon.nonce as Hex),
};

/** The account is not bound to the persona now. */
export const unbound: BeaconFilter = {
  code: "unbound",
  async drops({ beacon, chain }) {
    const persona = await chain.personaOf(beacon.platform, beacon.accountId as Hex);
    return persona === undefined || !isAddressEqual(persona, beacon.persona as Address);
  },
};

/** No such post in the community, or no such campaign targeting it. */
export const unknownTarget: BeaconFilter = {
  code: "unknown-target",
  drops: async ({ target }) => (await target()) === undefined,
};

/** The post's author is bound to the beacon's persona (through any of its accounts, on any platform). */
export const selfEngagement: BeaconFilter = {
  code: "self-engagement",
  async drops({ beacon, target }) {
    const t = await target();
    return t?.kind === "post" && t.creator !== null && isAddressEqual(t.creator, beacon.persona as Address);
  },
};

/** The ad's advertiser is the persona, its payout recipient, or paid at the same recipient. */
export const ownAd: BeaconFilter = {
  code: "own-ad",
  async drops({ beacon, target, chain }) {
    const t = await target();
    if (t?.kind !== "ad") return false;
    const persona = beacon.persona as Address;
    const advertiser = t.campaign.advertiser;
    if (isAddressEqual(advertiser, persona)) return true;
    const [mine, theirs] = await Promise.all([chain.payoutOf(persona), chain.payoutOf(advertiser)]);
    if (mine.family === EVM_FAMILY && BigInt(mine.recipient) === BigInt(advertiser)) return true;
    return mine.family === theirs.family && BigInt(mine.recipient) === BigInt(theirs.recipient);
  },
};

const EVM_FAMILY = 1;

/** Too many beacons of the persona on one target, or on any, with `at` inside the burst window. */
export const burst: BeaconFilter = {
  code: "burst",
  async drops({ beacon, store }) {
    const near = await store.near(
      beacon.persona as Address,
      beacon.at - BURST_WINDOW_SECONDS + 1,
      beacon.at + BURST_WINDOW_SECONDS - 1,
    );
    if (near.length >= BURST_PERSONA_LIMIT) return true;
    return near.filter((t) => t === beacon.target).length >= BURST_TARGET_LIMIT;
  },
};

/** The filters that decide what counts, in the order they run (the first that drops names the verdict). */
export const BEACON_FILTERS: readonly BeaconFilter[] = [
  wrongEpoch,
  replay,
  unbound,
  unknownTarget,
  selfEngagement,
  ownAd,
  burst,
];
