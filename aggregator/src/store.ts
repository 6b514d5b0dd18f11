// The aggregator's durable store, on node-kit's SQL layer (PGlite by default, PostgreSQL in production, SQLite for
// tests and small nodes): items keyed by canonical id, which stream each came through, and each stream's cursor.
// A page's items and its cursor are written in one transaction, so a node killed mid-ingest restarts from the last
// committed cursor and re-reads at most one page, whose items are already stored or not at all: nothing lost, nothing
// doubled. Timelines (a community's sources are streams: `agg_item_streams`) and identity bindings (keyed on the
// items' network-qualified `author`) are later migrations on these tables.
import { applyMigrations, type Migration, openSqlClient, type SqlClient, type StoreConfig } from "@maskoii/node-kit";
import { z } from "zod";
import type { Cursor } from "./connector.ts";
import { BEACON_MIGRATIONS } from "./engagement/beacon-store.ts";
import { EPOCH_MIGRATIONS } from "./epoch/payout-store.ts";
import { FEED_MIGRATIONS } from "./feed/feed-store.ts";
import type { Item } from "./item.ts";
import { IDENTITY_MIGRATIONS } from "./proof-verifier.ts";
import { TIMELINE_MIGRATIONS } from "./timeline.ts";

export const AGGREGATOR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1501,
    name: "aggregator items, item streams and cursors",
    sql: `
CREATE TABLE agg_items (
  id TEXT PRIMARY KEY,
  network TEXT NOT NULL,
  kind TEXT NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  url TEXT,
  parent TEXT,
  created_at BIGINT NOT NULL,
  ingested_at BIGINT NOT NULL
);
CREATE INDEX agg_items_author ON agg_items (author);
CREATE INDEX agg_items_parent ON agg_items (parent);
CREATE INDEX agg_items_url ON agg_items (url);
CREATE TABLE agg_item_streams (
  item_id TEXT NOT NULL,
  connector TEXT NOT NULL,
  stream TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (connector, stream, item_id)
);
CREATE INDEX agg_item_streams_time ON agg_item_streams (connector, stream, created_at);
CREATE TABLE agg_cursors (
  connector TEXT NOT NULL,
  stream TEXT NOT NULL,
  cursor TEXT NOT NULL,
  items BIGINT NOT NULL,
  rejects BIGINT NOT NULL,
  newest_item_at BIGINT,
  polled_at BIGINT NOT NULL,
  caught_up_at BIGINT,
  last_error TEXT,
  PRIMARY KEY (connector, stream)
)`,
  },
  // issue 15 points 2 and 3: identity proofs (1520) and community moderation (1530).
  ...IDENTITY_MIGRATIONS,
  ...TIMELINE_MIGRATIONS,
  // issue 16 point 1: feed settings and feedback (1610).
  ...FEED_MIGRATIONS,
  // issue 16 point 2: engagement beacons and contributions (1620).
  ...BEACON_MIGRATIONS,
  // issue 16 point 3: epoch reports and payout state (1640–1659).
  ...EPOCH_MIGRATIONS,
];

/** Items per multi-row INSERT (9 parameters each: well under PostgreSQL's and SQLite's parameter limits). */
const INSERT_CHUNK = 500;

/** One stream's state, as the status view and `/status` show it. */
export type StreamState = {
  readonly connector: string;
  readonly stream: string;
  readonly cursor: Cursor | undefined;
  /** Items stored through this stream (new ones only; a replayed item is not counted twice). */
  readonly items: number;
  readonly rejects: number;
  readonly newestItemAt: number | undefined;
  readonly polledAt: number | undefined;
  /** The last poll that found the stream caught up (no more pages). */
  readonly caughtUpAt: number | undefined;
  readonly lastError: string | undefined;
};

const cursorSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

type CursorRow = {
  connector: string;
  stream: string;
  cursor: string;
  items: unknown;
  rejects: unknown;
  newest_item_at: unknown;
  polled_at: unknown;
  caught_up_at: unknown;
  last_error: string | null;
};

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function toState(row: CursorRow): StreamState {
  const parsed = row.cursor === "" ? undefined : cursorSchema.safeParse(JSON.parse(row.cursor));
  return {
    connector: row.connector,
    stream: row.stream,
    cursor: parsed?.success === true ? parsed.data : undefined,
    items: num(row.items) ?? 0,
    rejects: num(row.rejects) ?? 0,
    newestItemAt: num(row.newest_item_at),
    polledAt: num(row.polled_at),
    caughtUpAt: num(row.caught_up_at),
    lastError: row.last_error ?? undefined,
  };
}

export type StoredItem = Item & { readonly ingestedAt: number };

export class AggregatorStore {
  readonly db: SqlClient;

  private constructor(db: SqlClient) {
    this.db = db;
  }

  /** Opens the configured store and applies the aggregator's migrations. */
  static async open(config: StoreConfig): Promise<AggregatorStore> {
    const db = await openSqlClient(config);
    await applyMigrations(db, AGGREGATOR_MIGRATIONS);
    return new AggregatorStore(db);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async state(connector: string, stream: string): Promise<StreamState | undefined> {
    const rows = await this.db.query<CursorRow>("SELECT * FROM agg_cursors WHERE connector = $1 AND stream = $2", [
      connector,
      stream,
    ]);
    return rows[0] === undefined ? undefined : toState(rows[0]);
  }

  async states(): Promise<StreamState[]> {
    const rows = await this.db.query<CursorRow>("SELECT * FROM agg_cursors ORDER BY connector, stream");
    return rows.map(toState);
  }

  /**
   * Stores one page: its items (those already stored are skipped), their stream membership and the stream's new
   * cursor, in one transaction. Returns how many items were new.
   */
  async commitPage(
    connector: string,
    stream: string,
    page: {
      readonly items: readonly Item[];
      readonly rejects: number;
      readonly cursor: Cursor;
      readonly more: boolean;
    },
    now: number,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      let inserted = 0;
      let newest: number | undefined;
      // Multi-row statements, INSERT_CHUNK rows each: a page costs a few round trips to the database, not two per item.
      for (let start = 0; start < page.items.length; start += INSERT_CHUNK) {
        const chunk = page.items.slice(start, start + INSERT_CHUNK);
        const itemParams: unknown[] = [];
        const streamParams: unknown[] = [];
        const itemRows: string[] = [];
        const streamRows: string[] = [];
        for (const item of chunk) {
          const i = itemParams.length;
          itemParams.push(
            item.id,
            item.network,
            item.kind,
            item.author,
            item.body,
            item.url,
            item.parent,
            item.createdAt,
            now,
          );
          itemRows.push(
            `($${i + 1}, $${i + 2}, $${i + 3}, $${i + 4}, $${i + 5}, $${i + 6}, $${i + 7}, $${i + 8}, $${i + 9})`,
          );
          const j = streamParams.length;
          streamParams.push(item.id, connector, stream, item.createdAt);
          streamRows.push(`($${j + 1}, $${j + 2}, $${j + 3}, $${j + 4})`);
          newest = Math.max(newest ?? 0, item.createdAt);
        }
        const rows = await tx.query(
          `INSERT INTO agg_items (id, network, kind, author, body, url, parent, created_at, ingested_at)
           VALUES ${itemRows.join(", ")} ON CONFLICT (id) DO NOTHING RETURNING id`,
          itemParams,
        );
        await tx.query(
          `INSERT INTO agg_item_streams (item_id, connector, stream, created_at) VALUES ${streamRows.join(", ")}
           ON CONFLICT (connector, stream, item_id) DO NOTHING`,
          streamParams,
        );
        inserted += rows.length;
      }
      const before = (
        await tx.query<CursorRow>("SELECT * FROM agg_cursors WHERE connector = $1 AND stream = $2", [connector, stream])
      )[0];
      const prior = before === undefined ? undefined : toState(before);
      const newestAt = Math.max(newest ?? 0, prior?.newestItemAt ?? 0);
      await tx.query(
        `INSERT INTO agg_cursors (connector, stream, cursor, items, rejects, newest_item_at, polled_at, caught_up_at, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)
         ON CONFLICT (connector, stream) DO UPDATE SET cursor = excluded.cursor, items = excluded.items,
           rejects = excluded.rejects, newest_item_at = excluded.newest_item_at, polled_at = excluded.polled_at,
           caught_up_at = excluded.caught_up_at, last_error = NULL`,
        [
          connector,
          stream,
          JSON.stringify(page.cursor),
          (prior?.items ?? 0) + inserted,
          (prior?.rejects ?? 0) + page.rejects,
          newestAt === 0 ? null : newestAt,
          now,
          page.more ? (prior?.caughtUpAt ?? null) : now,
        ],
      );
      return inserted;
    });
  }

  /** Records a failed poll of a stream (its cursor unchanged). */
  async recordError(connector: string, stream: string, message: string, now: number): Promise<void> {
    await this.db.query(
      `INSERT INTO agg_cursors (connector, stream, cursor, items, rejects, polled_at, last_error)
       VALUES ($1, $2, '', 0, 0, $3, $4)
       ON CONFLICT (connector, stream) DO UPDATE SET polled_at = excluded.polled_at, last_error = excluded.last_error`,
      [connector, stream, now, message.slice(0, 500)],
    );
  }

  /** Items stored through one stream, oldest first (the input of a timeline). */
  async itemsOf(connector: string, stream: string, limit = 1_000): Promise<StoredItem[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT i.* FROM agg_item_streams s JOIN agg_items i ON i.id = s.item_id
       WHERE s.connector = $1 AND s.stream = $2 ORDER BY s.created_at, s.item_id LIMIT $3`,
      [connector, stream, limit],
    );
    return rows.map(toItem);
  }

  /** Every stored item id (tests and audits). */
  async itemIds(): Promise<string[]> {
    return (await this.db.query<{ id: string }>("SELECT id FROM agg_items ORDER BY id")).map((r) => r.id);
  }

  async item(id: string): Promise<StoredItem | undefined> {
    const rows = await this.db.query<Record<string, unknown>>("SELECT * FROM agg_items WHERE id = $1", [id]);
    return rows[0] === undefined ? undefined : toItem(rows[0]);
  }
}

function toItem(row: Record<string, unknown>): StoredItem {
  return {
    id: String(row.id),
    network: row.network as Item["network"],
    kind: row.kind as Item["kind"],
    author: String(row.author),
    body: String(row.body),
    url: row.url === null ? null : String(row.url),
    parent: row.parent === null ? null : String(row.parent),
    createdAt: Number(row.created_at),
    ingestedAt: Number(row.ingested_at),
  };
}
