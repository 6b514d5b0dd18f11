import { silentLogger } from "@maskoii/node-kit";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { type AggregatorNode, startAggregator } from "../src/node.ts";
import { formatStatus, statusSchema } from "../src/status.ts";
import { rssDoc, startFeeds } from "./fixtures/feed-server.ts";
import { startFixture } from "./fixtures/http-fixture.ts";
import { type MastodonServer, makeStatus, startMastodon } from "./fixtures/mastodon-server.ts";

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("aggregator node: operators", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    closers.length = 0;
  });

  it("serves /health, /ready, /metrics and /status; a connector that is down never stops the others", async () => {
    const masto: MastodonServer = await startMastodon();
    closers.push(() => masto.close());
    masto.tags.set(
      "maskoii",
      [1, 2, 3].map((i) => makeStatus("social.example", i, "alice", `post ${i}`)),
    );
    const feeds = await startFeeds();
    closers.push(() => feeds.close());
    feeds.feeds.set("/rss.xml", {
      contentType: "application/rss+xml",
      body: rssDoc([{ guid: "g", title: "t" }]),
      modified: new Date(),
    });
    // A source that is down: its port refuses connections.
    const gone = await startFixture(() => {});
    await gone.close();
    // A source that answers garbage.
    const garbage = await startFixture((_req, _url, _body, res) => {
      res.end("<<<not json");
    });
    closers.push(() => garbage.close());

    const config = parseConfig(
      {
        store: { kind: "sqlite", path: ":memory:" },
        log: { level: "silent" },
        http: { port: 0 },
        pollIntervalMs: 100,
        retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 1_000 },
        connectors: [
          { kind: "mastodon", name: "down", instanceUrl: gone.url, hashtags: ["maskoii"] },
          { kind: "lens", name: "garbage", apiUrl: `${garbage.url}/graphql`, streams: { all: {} } },
          { kind: "mastodon", name: "masto", instanceUrl: masto.url, hashtags: ["maskoii"] },
          { kind: "rss", name: "feeds", feeds: [`${feeds.url}/rss.xml`] },
        ],
      },
      "test",
    );
    const node: AggregatorNode = await startAggregator(config, { log: silentLogger() });
    closers.push(() => node.stop());
    const get = (path: string) => fetch(`${node.server.url}${path}`);
    expect((await get("/health")).status).toBe(200);
    await until(async () => (await get("/ready")).status === 200);
    await until(async () => (await node.store.itemIds()).length === 4);

    const status = statusSchema.parse(await (await get("/status")).json());
    const of = (name: string) => status.connectors.find((c) => c.name === name)?.streams[0];
    expect(of("masto")).toMatchObject({ stream: "tag:maskoii", items: 3, cursor: { minId: "3" }, lastError: null });
    expect(of("masto")?.lagSeconds).toBeLessThan(5);
    expect(of("feeds")?.items).toBe(1);
    expect(of("down")?.lastError).toMatch(/no answer/);
    expect(of("down")?.lagSeconds).toBeNull();
    expect(of("garbage")?.lastError).toMatch(/not JSON/);
    expect(formatStatus(status)).toMatch(/masto\s+mastodon\s+tag:maskoii\s+3\s+0/);

    const metrics = await (await get("/metrics")).text();
    expect(metrics).toMatch(/maskoii_aggregator_items_total\{connector="masto"\} 3/);
    expect(metrics).toMatch(/maskoii_aggregator_poll_failures_total\{connector="down"\} [1-9]/);
    expect(metrics).toMatch(/maskoii_aggregator_lag_seconds\{connector="down"\} /);
    expect(metrics).toMatch(/maskoii_aggregator_retries_total\{connector="down"\} [1-9]/);

    // The healthy connector keeps going while the others keep failing.
    masto.tags.get("maskoii")!.push(makeStatus("social.example", 4, "bob", "post 4"));
    await until(async () => (await node.store.itemIds()).length === 5);
  });

  it("answers /ready 503 until every connector has finished its first tick", async () => {
    // A Mastodon instance that holds its first answer for a while.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const slow = await startFixture(async (_req, _url, _body, res) => {
      await held;
      res.writeHead(200, { "content-type": "application/json" });
      res.end("[]");
    });
    closers.push(() => slow.close());
    const node = await startAggregator(
      parseConfig(
        {
          store: { kind: "sqlite", path: ":memory:" },
          log: { level: "silent" },
          http: { port: 0 },
          pollIntervalMs: 100,
          connectors: [{ kind: "mastodon", name: "slow", instanceUrl: slow.url, hashtags: ["x"] }],
        },
        "test",
      ),
      { log: silentLogger() },
    );
    closers.push(() => node.stop());
    const ready = await fetch(`${node.server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, waiting: ["slow"] });
    release();
    await until(async () => (await fetch(`${node.server.url}/ready`)).status === 200);
  });
});
