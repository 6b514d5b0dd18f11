// The intake of `POST /beacons` (docs/protocol.md §12.1): each beacon of a batch gets a verdict, `accepted` or a drop
// code. Order: the home-node rule (`not-home`), the signature (`bad-signature`), the persona's token bucket
// (`rate-limited`, charged only for correctly signed beacons, so a forger cannot drain someone's bucket), then the
// filters that decide what counts (filters.ts). Beacons are judged one at a time across all requests, so a replay or
// a burst split over concurrent batches is caught like one inside a batch. Accepted beacons are stored; drops are
// only counted.

import type { BucketSettings, SqlClient } from "@maskoii/node-kit";
import { RateLimiter, RequestRejectedError } from "@maskoii/node-kit";
import { type Address, getAddress, type Hex } from "viem";
import type { StreamRef } from "../communities.ts";
import { homeNodeOf } from "../home-node.ts";
import type { AggregatorMetrics } from "../metrics.ts";
import {
  adCampaignOf,
  type Beacon,
  type BeaconFields,
  beaconId,
  type EngagementDomain,
  type SignedBeaconBatch,
  verifyBeaconBatchSignature,
  verifyBeaconSignature,
} from "./beacon.ts";
import type { BeaconStore } from "./beacon-store.ts";
import {
  BEACON_FILTERS,
  type BeaconFilter,
  type CampaignLookup,
  type EngagementChain,
  type FilterInput,
  type PostLookup,
  type ResolvedTarget,
  resolveTarget,
  type Verdict,
} from "./filters.ts";

/** One node of the task: its Koii public key (base58) and the URL clients and peers reach it at. */
export type TaskNodeRef = { readonly koiiPublicKey: string; readonly url: string };

export type BeaconVerdict = { readonly beaconId: Hex; readonly verdict: Verdict };

export type BatchOutcome =
  | { readonly status: 200; readonly verdicts: readonly BeaconVerdict[] }
  | { readonly status: 421; readonly home: TaskNodeRef }
  | { readonly status: 429; readonly retryAfterSeconds: number; readonly verdicts: readonly BeaconVerdict[] };

export const DEFAULT_BEACON_RATE: BucketSettings = { perSecond: 2, burst: 60 };

export type BeaconIntakeDeps = {
  readonly store: BeaconStore;
  readonly chain: EngagementChain;
  readonly posts: PostLookup;
  /** The campaign reader's narrow view; without it every `ad:` beacon is `unknown-target`. */
  readonly campaigns?: CampaignLookup;
  readonly domain: EngagementDomain;
  /** This node's Koii public key, and the task's nodes (this one among them). */
  readonly self: string;
  readonly nodes: readonly TaskNodeRef[];
  readonly rate?: BucketSettings;
  readonly metrics?: AggregatorMetrics;
  readonly now?: () => number;
  /** The counting filters (tests remove one to show what it catches). */
  readonly filters?: readonly BeaconFilter[];
};

export class BeaconIntake {
  readonly #deps: BeaconIntakeDeps;
  readonly #limiter: RateLimiter;
  readonly #now: () => number;
  readonly #filters: readonly BeaconFilter[];
  readonly #keys: readonly string[];
  #tail: Promise<unknown> = Promise.resolve();

  constructor(deps: BeaconIntakeDeps) {
    if (!deps.nodes.some((n) => n.koiiPublicKey === deps.self)) {
      throw new RangeError(`this node (${deps.self}) is not among the task's nodes`);
    }
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#limiter = new RateLimiter(deps.rate ?? DEFAULT_BEACON_RATE, { maxClients: 100_000, now: this.#now });
    this.#filters = deps.filters ?? BEACON_FILTERS;
    this.#keys = deps.nodes.map((n) => n.koiiPublicKey);
  }

  /** The persona's home node. */
  homeOf(persona: Address): TaskNodeRef {
    const key = homeNodeOf(getAddress(persona), this.#keys);
    const node = this.#deps.nodes.find((n) => n.koiiPublicKey === key);
    if (node === undefined) throw new RangeError(`no node ${key}`);
    return node;
  }

  /** Judges a batch (validated beacons, each signed), one beacon at a time. */
  submit(beacons: readonly Beacon[]): Promise<BatchOutcome> {
    return this.#enqueue(beacons, (b) => verifyBeaconSignature(b as Beacon, this.#deps.domain));
  }

  /**
   * Judges a batch-signed batch (validated): its one signature is checked once (a bad signature, or a member naming
   * another persona, makes every member `bad-signature`), then every member goes through the same filters.
   */
  submitSigned(batch: SignedBeaconBatch): Promise<BatchOutcome> {
    let valid: Promise<boolean> | undefined;
    return this.#enqueue(batch.beacons, () => {
      valid ??= verifyBeaconBatchSignature(batch, this.#deps.domain);
      return valid;
    });
  }

  #enqueue(beacons: readonly BeaconFields[], signed: (b: BeaconFields) => Promise<boolean>): Promise<BatchOutcome> {
    const run = this.#tail.then(() => this.#judgeBatch(beacons, signed));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #judgeBatch(
    beacons: readonly BeaconFields[],
    signed: (b: BeaconFields) => Promise<boolean>,
  ): Promise<BatchOutcome> {
    const homes = beacons.map((b) => this.homeOf(b.persona as Address));
    const first = homes[0];
    if (first !== undefined && homes.every((h) => h.koiiPublicKey !== this.#deps.self)) {
      for (const _ of beacons) this.#count("not-home");
      return { status: 421, home: first };
    }
    const verdicts: BeaconVerdict[] = [];
    let retryAfterSeconds = 0;
    for (const [i, beacon] of beacons.entries()) {
      const id = beaconId(beacon, this.#deps.domain);
      let verdict: Verdict;
      if (homes[i]?.koiiPublicKey !== this.#deps.self) verdict = "not-home";
      else if (!(await signed(beacon))) verdict = "bad-signature";
      else {
        const wait = this.#take(beacon.persona);
        if (wait !== undefined) {
          verdict = "rate-limited";
          retryAfterSeconds = Math.max(retryAfterSeconds, wait);
        } else verdict = await this.#judge(beacon, id);
      }
      this.#count(verdict);
      verdicts.push({ beaconId: id, verdict });
    }
    if (verdicts.every((v) => v.verdict === "rate-limited")) return { status: 429, retryAfterSeconds, verdicts };
    return { status: 200, verdicts };
  }

  /** Takes a token for the persona; the seconds to wait when there is none. */
  #take(persona: string): number | undefined {
    try {
      this.#limiter.take(persona.toLowerCase(), "beacons");
      return undefined;
    } catch (error) {
      if (error instanceof RequestRejectedError && error.status === 429) return error.retryAfterSeconds ?? 1;
      throw error;
    }
  }

  async #judge(beacon: BeaconFields, id: Hex): Promise<Verdict> {
    let resolved: Promise<ResolvedTarget | undefined> | undefined;
    const input: FilterInput = {
      beacon,
      id,
      nowMs: this.#now(),
      chain: this.#deps.chain,
      store: this.#deps.store,
      target: () => {
        resolved ??= resolveTarget(beacon, {
          posts: this.#deps.posts,
          campaigns: this.#deps.campaigns,
          chain: this.#deps.chain,
        });
        return resolved;
      },
    };
    for (const filter of this.#filters) if (await filter.drops(input)) return filter.code;
    const target = await input.target();
    const campaign = adCampaignOf(beacon.target);
    const stored = await this.#deps.store.insert(
      {
        beaconId: id,
        community: beacon.community,
        epoch: beacon.epoch,
        persona: beacon.persona as Address,
        platform: beacon.platform,
        accountId: beacon.accountId as Hex,
        action: beacon.action,
        target: beacon.target,
        campaign: campaign === undefined ? null : campaign.toString(),
        creator: target?.kind === "post" ? target.creator : null,
        nonce: beacon.nonce as Hex,
        at: beacon.at,
      },
      this.#now(),
    );
    return stored ? "accepted" : "replay";
  }

  #count(verdict: Verdict): void {
    const m = this.#deps.metrics;
    if (m === undefined) return;
    if (verdict === "accepted") m.beaconsAccepted.inc();
    else m.beaconDrops.inc({ reason: verdict });
  }
}

/**
 * The post lookup over the node's store: the item is a post stored through one of the community's streams (its
 * sources as the node's connectors read them). `streamsOf` is the node's community → streams resolution.
 */
export function storePostLookup(
  db: SqlClient,
  streamsOf: (community: bigint) => Promise<readonly StreamRef[] | undefined>,
): PostLookup {
  return async (community, itemId) => {
    const streams = await streamsOf(community);
    if (streams === undefined || streams.length === 0) return undefined;
    const params: unknown[] = [itemId];
    const where = streams
      .map((s) => {
        params.push(s.connector, s.stream);
        return `(s.connector = $${params.length - 1} AND s.stream = $${params.length})`;
      })
      .join(" OR ");
    const rows = await db.query<{ author: string }>(
      `SELECT i.author FROM agg_items i JOIN agg_item_streams s ON s.item_id = i.id
       WHERE i.id = $1 AND i.kind = 'post' AND (${where}) LIMIT 1`,
      params,
    );
    return rows[0]?.author;
  };
}
