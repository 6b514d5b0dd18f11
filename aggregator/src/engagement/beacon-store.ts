// Where a node keeps engagement (docs/protocol.md §12.1–12.2): its accepted beacons (`agg_beacons`; a beacon id and a
// persona's nonce are each unique, which is the replay check) and the contributions it built (`agg_contributions`).
// Dropped beacons are never stored, only counted (metrics). Once an epoch is settled on chain, `pruneSettled`
// deletes its beacons and contributions: no per-user activity outlives its settlement.
import type { Migration, SqlClient } from "@maskoii/node-kit";
import type { Address, Hex } from "viem";

export const BEACON_MIGRATIONS: readonly Migration[] = [
  {
    version: 1620,
    name: "aggregator engagement beacons and contributions",
    sql: `
CREATE TABLE agg_beacons (
  beacon_id TEXT PRIMARY KEY,
  community TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  persona TEXT NOT NULL,
  platform INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  campaign TEXT,
  creator TEXT,
  nonce TEXT NOT NULL,
  at BIGINT NOT NULL,
  received_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX agg_beacons_nonce ON agg_beacons (persona, nonce);
CREATE INDEX agg_beacons_epoch ON agg_beacons (community, epoch);
CREATE INDEX agg_beacons_persona_at ON agg_beacons (persona, at);
CREATE TABLE agg_contributions (
  community TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  body TEXT NOT NULL,
  hash TEXT NOT NULL,
  built_at BIGINT NOT NULL,
  PRIMARY KEY (community, epoch)
)`,
  },
];

/** An accepted beacon as stored (what a contribution is folded from). */
export type StoredBeacon = {
  readonly beaconId: Hex;
  readonly community: string;
  readonly epoch: number;
  /** Lower-case hex. */
  readonly persona: Address;
  readonly platform: number;
  readonly accountId: Hex;
  readonly action: "impression" | "engagement";
  readonly target: string;
  /** The campaign of an `ad:` target. */
  readonly campaign: string | null;
  /** The persona the target post's author is bound to, when it is (lower-case hex). */
  readonly creator: Address | null;
  readonly nonce: Hex;
  readonly at: number;
};

type Row = Record<string, unknown>;

function toBeacon(r: Row): StoredBeacon {
  return {
    beaconId: String(r.beacon_id) as Hex,
    community: String(r.community),
    epoch: Number(r.epoch),
    persona: String(r.persona) as Address,
    platform: Number(r.platform),
    accountId: String(r.account_id) as Hex,
    action: r.action === "engagement" ? "engagement" : "impression",
    target: String(r.target),
    campaign: r.campaign === null ? null : String(r.campaign),
    creator: r.creator === null ? null : (String(r.creator) as Address),
    nonce: String(r.nonce) as Hex,
    at: Number(r.at),
  };
}

export class BeaconStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  /** Whether a beacon with this id, or this persona's nonce, was accepted before. */
  async seen(beaconId: Hex, persona: Address, nonce: Hex): Promise<boolean> {
    const rows = await this.#db.query(
      "SELECT 1 AS hit FROM agg_beacons WHERE beacon_id = $1 OR (persona = $2 AND nonce = $3) LIMIT 1",
      [beaconId.toLowerCase(), persona.toLowerCase(), nonce.toLowerCase()],
    );
    return rows.length > 0;
  }

  /** The targets of the persona's accepted beacons with `at` in [from, to]. */
  async near(persona: Address, from: number, to: number): Promise<string[]> {
    const rows = await this.#db.query<{ target: string }>(
      "SELECT target FROM agg_beacons WHERE persona = $1 AND at >= $2 AND at <= $3",
      [persona.toLowerCase(), from, to],
    );
    return rows.map((r) => r.target);
  }

  /** Stores an accepted beacon; false when its id or nonce is already stored (a replay that raced the check). */
  async insert(b: StoredBeacon, receivedAt: number): Promise<boolean> {
    const rows = await this.#db.query(
      `INSERT INTO agg_beacons (beacon_id, community, epoch, persona, platform, account_id, action, target, campaign,
         creator, nonce, at, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING beacon_id`,
      [
        b.beaconId.toLowerCase(),
        b.community,
        b.epoch,
        b.persona.toLowerCase(),
        b.platform,
        b.accountId.toLowerCase(),
        b.action,
        b.target,
        b.campaign,
        b.creator?.toLowerCase() ?? null,
        b.nonce.toLowerCase(),
        b.at,
        receivedAt,
      ],
    );
    return rows.length > 0;
  }

  /** Every accepted beacon of one community epoch, by id. */
  async beaconsOf(community: string, epoch: number): Promise<StoredBeacon[]> {
    const rows = await this.#db.query<Row>(
      "SELECT * FROM agg_beacons WHERE community = $1 AND epoch = $2 ORDER BY beacon_id",
      [community, epoch],
    );
    return rows.map(toBeacon);
  }

  async contribution(community: string, epoch: number): Promise<string | undefined> {
    const rows = await this.#db.query<{ body: string }>(
      "SELECT body FROM agg_contributions WHERE community = $1 AND epoch = $2",
      [community, epoch],
    );
    return rows[0]?.body;
  }

  /** Keeps the first contribution built for the epoch (a later build of the same beacons is the same bytes). */
  async saveContribution(community: string, epoch: number, body: string, hash: Hex, now: number): Promise<void> {
    await this.#db.query(
      `INSERT INTO agg_contributions (community, epoch, body, hash, built_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (community, epoch) DO NOTHING`,
      [community, epoch, body, hash, now],
    );
  }

  /**
   * Deletes the beacons and contributions of the community's epochs up to `epochUpTo` (settled: their report final on
   * chain, or folded into a later final one). Returns how many of each went.
   */
  async pruneSettled(community: string, epochUpTo: number): Promise<{ beacons: number; contributions: number }> {
    return this.#db.transaction(async (tx) => {
      const beacons = await tx.query(
        "DELETE FROM agg_beacons WHERE community = $1 AND epoch <= $2 RETURNING beacon_id",
        [community, epochUpTo],
      );
      const contributions = await tx.query(
        "DELETE FROM agg_contributions WHERE community = $1 AND epoch <= $2 RETURNING epoch",
        [community, epochUpTo],
      );
      return { beacons: beacons.length, contributions: contributions.length };
    });
  }
}
