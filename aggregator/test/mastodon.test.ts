import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MastodonConnector } from "../src/connectors/mastodon.ts";
import { type MastodonServer, makeStatus, startMastodon } from "./fixtures/mastodon-server.ts";
import { type Harness, harness, metricValue } from "./helpers.ts";

const HOST = "social.example";

describe("Mastodon connector (tag timeline)", () => {
  let server: MastodonServer;
  let h: Harness;

  beforeEach(async () => {
    server = await startMastodon();
    h = await harness();
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });

  const connector = () =>
    new MastodonConnector(
      { name: "masto", instanceUrl: server.url, hashtags: ["maskoii"], limit: 4 },
      h.context("masto"),
    );
  const statuses = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) =>
      makeStatus(HOST, from + i, i % 2 === 0 ? "alice" : "bob@other.example", `<p>post ${from + i} &amp; more</p>`),
    );

  it("reads forward with min_id and the Link header, and resumes from the stored cursor", async () => {
    server.tags.set("maskoii", statuses(100, 109));
    const m = connector();
    await h.ingestor([m]).tick(m);
    const items = await h.store.itemsOf("masto", "tag:maskoii");
    expect(items.map((i) => i.body)).toEqual(Array.from({ length: 10 }, (_, i) => `post ${100 + i} & more`));
    expect(items[0]?.id).toBe(`mastodon:https://${HOST}/users/alice/statuses/100`);
    expect(items[0]?.author).toBe(`mastodon:acct:alice@${new URL(server.url).host}`);
    expect(items[1]?.author).toBe("mastodon:acct:bob@other.example");
    expect((await h.store.state("masto", "tag:maskoii"))?.cursor).toEqual({ minId: "109" });

    server.tags.get("maskoii")!.push(...statuses(110, 111));
    server.requests.length = 0;
    await h.ingestor([m]).tick(m);
    expect(server.requests[0]).toContain("min_id=109");
    expect((await h.store.itemIds()).length).toBe(12);
  });

  it("honours a 429's X-RateLimit-Reset and a spent quota (X-RateLimit-Remaining: 0), counting the waits", async () => {
    server.tags.set("maskoii", statuses(1, 3));
    server.faults.push({
      kind: "status",
      status: 429,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": new Date(Date.now() + 800).toISOString() },
    });
    const m = connector();
    const started = Date.now();
    await h.ingestor([m]).tick(m);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect((await h.store.itemIds()).length).toBe(3);
    expect(
      await metricValue(h.metrics, "maskoii_aggregator_rate_limit_waits_total", { connector: "masto" }),
    ).toBeGreaterThanOrEqual(1);

    // The instance says the quota is spent until a reset 600 ms away: the next request waits for it.
    Object.assign(server.rate, { remaining: 0, resetInMs: 600 });
    server.tags.get("maskoii")!.push(...statuses(4, 5));
    await h.ingestor([m]).tick(m);
    const waitsBefore = await metricValue(h.metrics, "maskoii_aggregator_rate_limit_waits_total", {
      connector: "masto",
    });
    Object.assign(server.rate, { remaining: 300, resetInMs: 300_000 });
    const again = Date.now();
    await h.ingestor([m]).tick(m);
    expect(Date.now() - again).toBeGreaterThanOrEqual(300);
    expect(await metricValue(h.metrics, "maskoii_aggregator_rate_limit_waits_total", { connector: "masto" })).toBe(
      waitsBefore + 1,
    );
    expect((await h.store.itemIds()).length).toBe(5);
  });

  it("retries a 500 and a dropped connection with backoff, then gives up for the tick with the cursor kept", async () => {
    server.tags.set("maskoii", statuses(1, 2));
    server.faults.push({ kind: "status", status: 500 }, { kind: "drop" });
    const m = connector();
    await h.ingestor([m]).tick(m);
    expect((await h.store.itemIds()).length).toBe(2);
    expect(await metricValue(h.metrics, "maskoii_aggregator_retries_total", { connector: "masto" })).toBe(2);

    server.tags.get("maskoii")!.push(...statuses(3, 3));
    server.faults.push(
      { kind: "status", status: 503 },
      { kind: "status", status: 503 },
      { kind: "status", status: 503 },
    );
    await h.ingestor([m]).tick(m);
    const state = await h.store.state("masto", "tag:maskoii");
    expect(state?.lastError).toMatch(/HTTP 503/);
    expect(state?.cursor).toEqual({ minId: "2" });
    expect(await metricValue(h.metrics, "maskoii_aggregator_poll_failures_total", { connector: "masto" })).toBe(1);
    await h.ingestor([m]).tick(m);
    expect((await h.store.itemIds()).length).toBe(3);
    expect((await h.store.state("masto", "tag:maskoii"))?.lastError).toBeUndefined();
  });

  it("rejects a malformed status with its reason and a metric, and keeps the rest of the page", async () => {
    const bad = { ...makeStatus(HOST, 2, "eve", "x"), created_at: "yesterday" };
    server.tags.set("maskoii", [makeStatus(HOST, 1, "alice", "a"), bad, makeStatus(HOST, 3, "alice", "c")]);
    const m = connector();
    await h.ingestor([m]).tick(m);
    expect((await h.store.itemIds()).length).toBe(2);
    expect(
      await metricValue(h.metrics, "maskoii_aggregator_rejects_total", { connector: "masto", reason: "malformed" }),
    ).toBe(1);
    expect((await h.store.state("masto", "tag:maskoii"))?.cursor).toEqual({ minId: "3" });
  });
});
