// The aggregation bench's world (issue 16 point 6): one community epoch with its posts, one campaign, the users'
// personas and bindings, and the chain as the node reads it.
//
// The chain stand-in: 100,000 on-chain bindings are too slow to create on a hardhat chain, so the intake and the feed
// read a pre-loaded binding view instead — `MapChain`, an `EngagementChain`/`CommunityReader`/`CampaignReader` backed
// by Maps. The node caches exactly these reads (ChainCommunityReader, ChainEngagementReader, ChainCampaignReader), so
// after warm-up a real node answers them from memory too; everything else (signatures, filters, store, contribution,
// report, feed) is the real code.
import {
  accountOfAuthor,
  type Campaign,
  type CampaignLookup,
  type CampaignReader,
  type CommunityReader,
  type EngagementChain,
  type EngagementDomain,
  type EpochClock,
  type Item,
  isLive,
  type PostLookup,
  type StreamRef,
} from "@maskoii/aggregator";
import { type Address, getAddress, type Hex, keccak256, stringToBytes, toHex } from "viem";

export const COMMUNITY = 1n;
export const CAMPAIGN = 1n;
export const DOMAIN: EngagementDomain = {
  chainId: 31337,
  communityRegistry: getAddress(`0x${"c0".repeat(20)}`),
};
export const CLOCK: EpochClock = { genesis: 1_790_000_000, epochLength: 86_400 };
export const EPOCH = 3;
export const EPOCH_START = CLOCK.genesis + EPOCH * CLOCK.epochLength;
export const EPOCH_END = EPOCH_START + CLOCK.epochLength;
/** The node's clock during ingest: 10 s after the epoch ended (inside the 60 s skew, so the epoch still takes beacons). */
export const INGEST_NOW_MS = (EPOCH_END + 10) * 1_000;
/** After the close grace: contributions can be built. */
export const CLOSE_NOW_MS = (EPOCH_END + 3_600) * 1_000;
export const SOURCE = "mastodon:tag:bench.example#bench";
export const STREAM: StreamRef = { connector: "bench", stream: "tag:bench" };
export const ADVERTISER = getAddress(`0x${"ad".repeat(20)}`);
export const TOKEN = getAddress(`0x${"70".repeat(20)}`);

export const CREATORS = 50;
export const POSTS = 1_000;

/** A deterministic secp256k1 key of the bench (`user 7`, `creator 3`). */
export const benchKey = (label: string): Hex => keccak256(stringToBytes(`maskoii bench aggregate ${label}`));

/** A mastodon account of the bench: its author string and its registry account. */
export function benchAccount(name: string): { author: string; platform: number; accountId: Hex } {
  const author = `mastodon:acct:${name}@bench.example`;
  const account = accountOfAuthor(author);
  if (account === undefined) throw new RangeError(`no platform account for ${author}`);
  return { author, platform: account.platform, accountId: account.accountId };
}

export const postId = (n: number): string =>
  `mastodon:https://bench.example/users/creator${n % CREATORS}/statuses/${n}`;

/** The community's posts: POSTS posts by CREATORS creators, spread over the epoch. */
export function posts(): Item[] {
  return Array.from({ length: POSTS }, (_, n) => ({
    id: postId(n),
    network: "mastodon" as const,
    kind: "post" as const,
    author: benchAccount(`creator${n % CREATORS}`).author,
    body: `creator ${n % CREATORS} writes post number ${n} about the bench community`,
    url: null,
    parent: null,
    createdAt: (EPOCH_START + Math.floor(((n + 0.5) * CLOCK.epochLength) / POSTS)) * 1_000,
  }));
}

export const campaign: Campaign = {
  id: CAMPAIGN,
  advertiser: ADVERTISER,
  token: TOKEN,
  cpm: 2_000_000n,
  cpe: 70_000n,
  epochCap: 10n ** 30n,
  available: 10n ** 30n,
  epochSpend: 0n,
  capEpoch: 0,
  pendingReports: 0,
  funded: 10n ** 30n,
  spent: 0n,
  refunded: 0n,
  start: EPOCH_START - 86_400,
  end: EPOCH_END + 30 * 86_400,
  pausedAt: 0,
  cancelledAt: 0,
  creativeHash: keccak256(toHex("bench creative")),
  creativeURI: "ipfs://bench-creative",
  tags: [],
  communities: [COMMUNITY],
};

/** The chain reads of the intake, the feed and the report inputs, from Maps (see the file's header). */
export class MapChain implements EngagementChain, CommunityReader, CampaignReader {
  /** `${platform}:${accountId lower-case}` → persona. */
  readonly #bindings = new Map<string, Address>();

  bind(platform: number, accountId: Hex, persona: Address): void {
    this.#bindings.set(`${platform}:${accountId.toLowerCase()}`, persona);
  }
  get bindings(): number {
    return this.#bindings.size;
  }
  async clock(): Promise<EpochClock> {
    return CLOCK;
  }
  async personaOf(platform: number, accountId: Hex): Promise<Address | undefined> {
    return this.#bindings.get(`${platform}:${accountId.toLowerCase()}`);
  }
  /** Nobody set a payout: each persona is paid at itself (family EVM). */
  async payoutOf(persona: Address): Promise<{ family: number; recipient: Hex }> {
    return { family: 1, recipient: persona };
  }
  async sourcesOf(id: bigint): Promise<string[] | undefined> {
    return id === COMMUNITY ? [SOURCE] : undefined;
  }
  async isModerator(): Promise<boolean> {
    return false;
  }
  async campaign(id: bigint): Promise<Campaign | undefined> {
    return id === CAMPAIGN ? campaign : undefined;
  }
  async targets(id: bigint, community: bigint): Promise<boolean> {
    return id === CAMPAIGN && community === COMMUNITY;
  }
  async lastCampaignId(): Promise<bigint> {
    return CAMPAIGN;
  }
  async activeFor(community: bigint, t: number): Promise<Campaign[]> {
    return community === COMMUNITY && isLive(campaign, t) ? [campaign] : [];
  }
  /** The intake's narrow campaign view (as node.ts builds it from the campaign reader). */
  readonly lookup: CampaignLookup = async (id) =>
    id === CAMPAIGN ? { advertiser: ADVERTISER, targets: (c) => this.targets(id, c) } : undefined;
}

/** The community → streams resolution the node does from its connectors: the one bench stream. */
export const streamsOf = async (community: bigint): Promise<readonly StreamRef[] | undefined> =>
  community === COMMUNITY ? [STREAM] : undefined;

export type { PostLookup };
