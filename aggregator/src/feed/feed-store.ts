// A persona's feed settings and feedback, kept only on its home node (never published, never sent to peers). Each
// settings update and each feedback is a version with the time the node received it, so a feed read as of a fixed
// time (a cursor's asOf) sees exactly what was in force then, page after page.
import type { Migration } from "@maskoii/node-kit";
import type { AggregatorStore } from "../store.ts";
import {
  type FeedSettings,
  feedSettingsSchema,
  type SignedFeedback,
  type SignedSettings,
  targetKey,
} from "./signed.ts";

export const FEED_MIGRATIONS: readonly Migration[] = [
  {
    version: 1610,
    name: "aggregator feed settings and feedback",
    sql: `
CREATE TABLE agg_feed_settings (
  persona TEXT NOT NULL,
  at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  settings TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (persona, at)
);
CREATE TABLE agg_feed_feedback (
  persona TEXT NOT NULL,
  target TEXT NOT NULL,
  at BIGINT NOT NULL,
  signal TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (persona, target, at)
);
CREATE INDEX agg_feed_feedback_received ON agg_feed_feedback (persona, received_at)`,
  },
];

/** Settings versions kept per persona; feedback rows kept per persona (the oldest go first). */
export const SETTINGS_VERSIONS_KEPT = 8;
export const MAX_FEEDBACK_PER_PERSONA = 5_000;

export class FeedStore {
  readonly #store: AggregatorStore;

  constructor(store: AggregatorStore) {
    this.#store = store;
  }

  /** Stores a settings update unless one at the same or a later `at` is stored (then false: a replay or stale). */
  async putSettings(persona: string, signed: SignedSettings, receivedAt: number): Promise<boolean> {
    const key = persona.toLowerCase();
    return this.#store.db.transaction(async (tx) => {
      const newest = await tx.query<{ at: unknown }>(
        "SELECT at FROM agg_feed_settings WHERE persona = $1 ORDER BY at DESC LIMIT 1",
        [key],
      );
      if (newest[0] !== undefined && Number(newest[0].at) >= signed.at) return false;
      await tx.query(
        "INSERT INTO agg_feed_settings (persona, at, received_at, settings, signature) VALUES ($1, $2, $3, $4, $5)",
        [key, signed.at, receivedAt, JSON.stringify(signed.settings), signed.signature],
      );
      const kept = await tx.query<{ at: unknown }>(
        "SELECT at FROM agg_feed_settings WHERE persona = $1 ORDER BY at DESC LIMIT 1 OFFSET $2",
        [key, SETTINGS_VERSIONS_KEPT - 1],
      );
      if (kept[0] !== undefined)
        await tx.query("DELETE FROM agg_feed_settings WHERE persona = $1 AND at < $2", [key, kept[0].at]);
      return true;
    });
  }

  /** The settings in force at `asOf` (ms), or undefined when the persona had none. */
  async settingsAt(persona: string, asOf: number): Promise<FeedSettings | undefined> {
    const rows = await this.#store.db.query<{ settings: string }>(
      "SELECT settings FROM agg_feed_settings WHERE persona = $1 AND received_at <= $2 ORDER BY at DESC LIMIT 1",
      [persona.toLowerCase(), asOf],
    );
    return rows[0] === undefined ? undefined : feedSettingsSchema.parse(JSON.parse(rows[0].settings));
  }

  /** Stores feedback unless the same target already has feedback at the same or a later `at` (then false). */
  async putFeedback(signed: SignedFeedback, receivedAt: number): Promise<boolean> {
    const key = signed.persona.toLowerCase();
    const target = targetKey(signed.target);
    return this.#store.db.transaction(async (tx) => {
      const newest = await tx.query<{ at: unknown }>(
        "SELECT at FROM agg_feed_feedback WHERE persona = $1 AND target = $2 ORDER BY at DESC LIMIT 1",
        [key, target],
      );
      if (newest[0] !== undefined && Number(newest[0].at) >= signed.at) return false;
      await tx.query(
        `INSERT INTO agg_feed_feedback (persona, target, at, signal, received_at, signature)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [key, target, signed.at, signed.signal, receivedAt, signed.signature],
      );
      const cut = await tx.query<{ received_at: unknown }>(
        "SELECT received_at FROM agg_feed_feedback WHERE persona = $1 ORDER BY received_at DESC LIMIT 1 OFFSET $2",
        [key, MAX_FEEDBACK_PER_PERSONA],
      );
      if (cut[0] !== undefined)
        await tx.query("DELETE FROM agg_feed_feedback WHERE persona = $1 AND received_at <= $2", [
          key,
          cut[0].received_at,
        ]);
      return true;
    });
  }

  /** The feedback in force at `asOf` (ms): per target, the latest received by then. */
  async feedbackAt(persona: string, asOf: number): Promise<Map<string, "more" | "less">> {
    const rows = await this.#store.db.query<{ target: string; signal: string }>(
      `SELECT target, signal FROM agg_feed_feedback WHERE persona = $1 AND received_at <= $2 ORDER BY target, at`,
      [persona.toLowerCase(), asOf],
    );
    const out = new Map<string, "more" | "less">();
    for (const r of rows) out.set(r.target, r.signal === "more" ? "more" : "less");
    return out;
  }
}
