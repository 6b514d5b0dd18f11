// The store's contract on every backend: embedded SQLite and PGlite always, PostgreSQL when
// MASKOII_TEST_POSTGRES_URL names a server (CI sets it, and MASKOII_REQUIRE_POSTGRES=1 makes its absence a failure).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoreConfig } from "@maskoii/node-kit";
import { freshDatabase, postgresMissing, postgresRequired } from "@maskoii/testkit/postgres";
import { describe, expect, it } from "vitest";
import type { Item } from "../src/item.ts";
import { AggregatorStore } from "../src/store.ts";

/** A backend's setup; `persistent` false lets PGlite stay in memory (its on-disk initdb takes seconds). */
type Backend = readonly [string, (persistent: boolean) => Promise<{ config: StoreConfig; drop: () => Promise<void> }>];

const backends: Backend[] = [
  [
    "sqlite",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "agg-sqlite-"));
      return { config: { kind: "sqlite", path: join(dir, "store.sqlite") }, drop: () => rm(dir, { recursive: true }) };
    },
  ],
  [
    "pglite",
    async (persistent) => {
      if (!persistent) return { config: { kind: "pglite", dataDir: "memory://" }, drop: async () => {} };
      const dir = await mkdtemp(join(tmpdir(), "agg-pglite-"));
      return { config: { kind: "pglite", dataDir: join(dir, "db") }, drop: () => rm(dir, { recursive: true }) };
    },
  ],
];
const missing = postgresMissing();
if (missing === undefined) {
  backends.push([
    "postgres",
    async () => {
      const db = await freshDatabase();
      return { config: { kind: "postgres", url: db.url }, drop: db.drop };
    },
  ]);
} else if (postgresRequired) {
  it("has PostgreSQL (MASKOII_REQUIRE_POSTGRES=1)", () => {
    throw new Error(missing);
  });
}

const item = (n: number, body = `post ${n}`): Item => ({
  id: `mastodon:https://social.example/statuses/${n}`,
  network: "mastodon",
  kind: "post",
  author: "mastodon:acct:alice@social.example",
  body,
  url: null,
  parent: null,
  createdAt: 1_700_000_000_000 + n,
});

describe.each(backends)("aggregator store on %s", (_name, setup) => {
  it("stores a page and its cursor together, skips items already stored, and keeps both across a reopen", async () => {
    const { config, drop } = await setup(true);
    try {
      const store = await AggregatorStore.open(config);
      expect(
        await store.commitPage(
          "m",
          "tag:x",
          { items: [item(1), item(2)], rejects: 1, cursor: { minId: "2" }, more: true },
          10,
        ),
      ).toBe(2);
      // A replayed page (the node died after committing it, before knowing): nothing new, the cursor moves.
      expect(
        await store.commitPage(
          "m",
          "tag:x",
          { items: [item(2, "changed"), item(3)], rejects: 0, cursor: { minId: "3" }, more: false },
          20,
        ),
      ).toBe(1);
      // The same item through another stream: stored once, listed in both streams.
      expect(
        await store.commitPage("m", "tag:y", { items: [item(1)], rejects: 0, cursor: { minId: "1" }, more: false }, 30),
      ).toBe(0);
      await store.close();

      const reopened = await AggregatorStore.open(config);
      try {
        expect((await reopened.itemIds()).length).toBe(3);
        expect((await reopened.item(item(2).id))?.body).toBe("post 2");
        expect((await reopened.itemsOf("m", "tag:y")).map((i) => i.id)).toEqual([item(1).id]);
        expect(await reopened.state("m", "tag:x")).toMatchObject({
          cursor: { minId: "3" },
          items: 3,
          rejects: 1,
          newestItemAt: item(3).createdAt,
          polledAt: 20,
          caughtUpAt: 20,
        });
        await reopened.recordError("m", "tag:x", "HTTP 503", 40);
        expect(await reopened.state("m", "tag:x")).toMatchObject({
          cursor: { minId: "3" },
          lastError: "HTTP 503",
          polledAt: 40,
        });
      } finally {
        await reopened.close();
      }
    } finally {
      await drop();
    }
  });

  it("writes nothing of a page whose transaction fails: neither its items nor its cursor", async () => {
    const { config, drop } = await setup(false);
    const store = await AggregatorStore.open(config);
    try {
      const broken = { ...item(2), author: null } as unknown as Item;
      await expect(
        store.commitPage(
          "m",
          "tag:x",
          { items: [item(1), broken], rejects: 0, cursor: { minId: "2" }, more: false },
          10,
        ),
      ).rejects.toThrow();
      expect(await store.itemIds()).toEqual([]);
      expect(await store.state("m", "tag:x")).toBeUndefined();
    } finally {
      await store.close();
      await drop();
    }
  });
});
