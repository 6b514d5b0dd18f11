// Campaigns on chain (issue 16): THE campaign reader of the aggregator. CampaignLedger stores each campaign's terms and
// state (`campaign(id)`, `targets(id, community)`, `lastCampaignId()`); its tags, creative hash and creative URI are
// only published in the `CampaignCreated` event, so the reader takes them from the event log. Answers are cached for
// `cacheMs` (as `ChainCommunityReader` does). The feed's ad slots, the beacons' `ad:` targets and the epoch reports
// read campaigns through this interface.
import { campaignLedgerAbi } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, keccak256, type PublicClient, stringToBytes } from "viem";
import { ReadCache } from "./read-cache.ts";

/** How many of the newest campaigns `activeFor` looks at (bounded work per feed request). */
export const MAX_CAMPAIGN_SCAN = 1_000n;

/** A campaign: the stored struct plus what only its `CampaignCreated` event carries. */
export type Campaign = {
  readonly id: bigint;
  readonly advertiser: Address;
  readonly token: Address;
  /** Token units per 1,000 impressions, per engagement. */
  readonly cpm: bigint;
  readonly cpe: bigint;
  readonly epochCap: bigint;
  /** Budget neither spent, nor reserved by a pending report, nor refunded. */
  readonly available: bigint;
  readonly epochSpend: bigint;
  readonly capEpoch: number;
  readonly pendingReports: number;
  readonly funded: bigint;
  readonly spent: bigint;
  readonly refunded: bigint;
  /** Unix seconds: first second it runs, first second it no longer runs, paused / cancelled at (0 = not). */
  readonly start: number;
  readonly end: number;
  readonly pausedAt: number;
  readonly cancelledAt: number;
  readonly creativeHash: Hex;
  readonly creativeURI: string;
  /** Content tags (32-byte words, `tagWord` of a hashtag by convention), as published. */
  readonly tags: readonly Hex[];
  /** Target communities, as published (strictly ascending). */
  readonly communities: readonly bigint[];
};

/** A content tag as a campaign publishes it: keccak256 of the lowercased tag without a leading `#`. */
export function tagWord(tag: string): Hex {
  return keccak256(stringToBytes(tag.replace(/^#/, "").normalize("NFKC").toLowerCase()));
}

/** Live at `t` (unix seconds): started, not ended, not paused, not cancelled, budget left. */
export function isLive(c: Campaign, t: number): boolean {
  return c.start <= t && t < c.end && c.pausedAt === 0 && c.cancelledAt === 0 && c.available > 0n;
}

export interface CampaignReader {
  /** The campaign, or undefined when no campaign has that id. */
  campaign(id: bigint): Promise<Campaign | undefined>;
  targets(id: bigint, community: bigint): Promise<boolean>;
  lastCampaignId(): Promise<bigint>;
  /** Campaigns live at `t` (unix seconds) that target `community`, by id ascending. */
  activeFor(community: bigint, t: number): Promise<Campaign[]>;
}

type Published = { tags: readonly Hex[]; creativeURI: string; communities: readonly bigint[] };

/** Reads CampaignLedger through a viem client, caching answers for `cacheMs`. */
export class ChainCampaignReader implements CampaignReader {
  readonly #client: PublicClient;
  readonly #ledger: Address;
  readonly #cache: ReadCache;
  /** What the creation events published never changes: kept without expiry. */
  readonly #published = new Map<bigint, Promise<Published | undefined>>();

  constructor(args: { client: PublicClient; campaignLedger: Address; cacheMs?: number }) {
    this.#client = args.client;
    this.#ledger = args.campaignLedger;
    this.#cache = new ReadCache(args.cacheMs ?? 10_000);
  }

  lastCampaignId(): Promise<bigint> {
    return this.#cache.get("last", async () =>
      BigInt(
        await this.#client.readContract({
          address: this.#ledger,
          abi: campaignLedgerAbi,
          functionName: "lastCampaignId",
        }),
      ),
    );
  }

  targets(id: bigint, community: bigint): Promise<boolean> {
    return this.#cache.get(`targets:${id}:${community}`, () =>
      this.#client.readContract({
        address: this.#ledger,
        abi: campaignLedgerAbi,
        functionName: "targets",
        args: [id, community],
      }),
    );
  }

  #publishedOf(id: bigint): Promise<Published | undefined> {
    let p = this.#published.get(id);
    if (p === undefined) {
      p = this.#client
        .getContractEvents({
          address: this.#ledger,
          abi: campaignLedgerAbi,
          eventName: "CampaignCreated",
          args: { campaignId: id },
          fromBlock: 0n,
          toBlock: "latest",
          strict: true,
        })
        .then((logs) => {
          const params = logs[0]?.args.params;
          if (params === undefined) return undefined;
          return {
            tags: params.tags.map((t) => t.toLowerCase() as Hex),
            creativeURI: params.creativeURI,
            communities: params.communities.map(BigInt),
          };
        });
      this.#published.set(id, p);
      p.then(
        (v) => v === undefined && this.#published.delete(id),
        () => this.#published.delete(id),
      );
    }
    return p;
  }

  campaign(id: bigint): Promise<Campaign | undefined> {
    return this.#cache.get(`campaign:${id}`, async () => {
      if (id <= 0n || id > (await this.lastCampaignId())) return undefined;
      const [c, published] = await Promise.all([
        this.#client.readContract({
          address: this.#ledger,
          abi: campaignLedgerAbi,
          functionName: "campaign",
          args: [id],
        }),
        this.#publishedOf(id),
      ]);
      if (c.advertiser === "0x0000000000000000000000000000000000000000" || published === undefined) return undefined;
      return {
        id,
        advertiser: getAddress(c.advertiser),
        token: getAddress(c.token),
        cpm: BigInt(c.cpm),
        cpe: BigInt(c.cpe),
        epochCap: BigInt(c.epochCap),
        available: BigInt(c.available),
        epochSpend: BigInt(c.epochSpend),
        capEpoch: Number(c.capEpoch),
        pendingReports: Number(c.pendingReports),
        funded: BigInt(c.funded),
        spent: BigInt(c.spent),
        refunded: BigInt(c.refunded),
        start: Number(c.start),
        end: Number(c.end),
        pausedAt: Number(c.pausedAt),
        cancelledAt: Number(c.cancelledAt),
        creativeHash: c.creativeHash,
        creativeURI: published.creativeURI,
        tags: published.tags,
        communities: published.communities,
      };
    });
  }

  async activeFor(community: bigint, t: number): Promise<Campaign[]> {
    const last = await this.lastCampaignId();
    const ids: bigint[] = [];
    const first = last > MAX_CAMPAIGN_SCAN ? last - MAX_CAMPAIGN_SCAN + 1n : 1n;
    for (let id = first; id <= last; id++) ids.push(id);
    const campaigns = await Promise.all(ids.map((id) => this.campaign(id)));
    const live = campaigns.filter((c): c is Campaign => c !== undefined && isLive(c, t));
    const targeted = await Promise.all(live.map((c) => this.targets(c.id, community)));
    return live.filter((_, i) => targeted[i] === true);
  }
}
