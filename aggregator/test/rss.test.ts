import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RssConnector } from "../src/connectors/rss.ts";
import { atomDoc, type FeedServer, rssDoc, startFeeds } from "./fixtures/feed-server.ts";
import { type Harness, harness, metricValue } from "./helpers.ts";

describe("RSS/Atom connector (conditional GET)", () => {
  let server: FeedServer;
  let h: Harness;

  beforeEach(async () => {
    server = await startFeeds();
    h = await harness();
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });

  const day = (n: number) => new Date(Date.UTC(2026, 11, n));

  it("reads RSS and Atom, sends ETag and Last-Modified back, and takes a 304 as nothing new", async () => {
    server.feeds.set("/rss.xml", {
      contentType: "application/rss+xml",
      body: rssDoc([
        { guid: "a", title: "First", link: "https://blog.example/1", html: "<p>one &amp; two</p>", date: day(1) },
        { guid: "b", title: "Second", link: "https://blog.example/2", html: "two", date: day(2) },
      ]),
      modified: day(2),
    });
    server.feeds.set("/atom.xml", {
      contentType: "application/atom+xml",
      body: atomDoc([
        { id: "urn:e1", title: "Atom one", link: "https://atom.example/1", html: "<b>hi</b>", date: day(3) },
      ]),
      modified: day(3),
    });
    const rss = new RssConnector(
      { name: "feeds", feeds: [`${server.url}/rss.xml`, `${server.url}/atom.xml`] },
      h.context("feeds"),
    );
    const ingest = h.ingestor([rss]);
    await ingest.tick(rss);
    const items = await h.store.itemsOf("feeds", `${server.url}/rss.xml`);
    expect(items.map((i) => i.body)).toEqual(["First\n\none & two", "Second\n\ntwo"]);
    expect(items[0]?.url).toBe("https://blog.example/1");
    expect(items[0]?.createdAt).toBe(day(1).getTime());
    const atom = await h.store.itemsOf("feeds", `${server.url}/atom.xml`);
    expect(atom.map((i) => i.body)).toEqual(["Atom one\n\nhi"]);
    expect(server.conditional.slice(0, 2).every((c) => c.ifNoneMatch === undefined)).toBe(true);

    await ingest.tick(rss);
    expect(
      server.conditional.slice(2).every((c) => c.ifNoneMatch !== undefined && c.ifModifiedSince !== undefined),
    ).toBe(true);
    expect(server.answered).toEqual([200, 200, 304, 304]);
    expect((await h.store.itemIds()).length).toBe(3);
    expect((await h.store.state("feeds", `${server.url}/rss.xml`))?.lastError).toBeUndefined();

    // A changed feed: a new ETag, and only the new entry is stored.
    server.feeds.set("/rss.xml", {
      contentType: "application/rss+xml",
      body: rssDoc([
        { guid: "a", title: "First", link: "https://blog.example/1", html: "one", date: day(1) },
        { guid: "b", title: "Second", link: "https://blog.example/2", html: "two", date: day(2) },
        { guid: "c", title: "Third", link: "https://blog.example/3", html: "three", date: day(4) },
      ]),
      modified: day(4),
    });
    await ingest.tick(rss);
    expect((await h.store.itemIds()).length).toBe(4);
    expect(await metricValue(h.metrics, "maskoii_aggregator_items_total", { connector: "feeds" })).toBe(4);
  });

  it("rejects an entry with no identity, fails the poll on a document that is no feed, honours Retry-After, retries a 502", async () => {
    server.feeds.set("/rss.xml", {
      contentType: "application/rss+xml",
      body: rssDoc([{ guid: "a", title: "ok", html: "x", date: day(1) }, { html: "nothing to name it by" }]),
      modified: day(1),
    });
    server.feeds.set("/broken.xml", {
      contentType: "text/html",
      body: "<html><body>moved</body></html>",
      modified: day(1),
    });
    server.faults.push(
      { kind: "status", status: 429, headers: { "retry-after": "1" } },
      { kind: "status", status: 502 },
    );
    const rss = new RssConnector(
      { name: "feeds", feeds: [`${server.url}/rss.xml`, `${server.url}/broken.xml`] },
      h.context("feeds"),
    );
    const started = Date.now();
    await h.ingestor([rss]).tick(rss);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await h.store.itemIds()).length).toBe(1);
    expect(
      await metricValue(h.metrics, "maskoii_aggregator_rejects_total", { connector: "feeds", reason: "no-identity" }),
    ).toBe(1);
    expect((await h.store.state("feeds", `${server.url}/broken.xml`))?.lastError).toMatch(/not a feed/);
    expect(await metricValue(h.metrics, "maskoii_aggregator_rate_limit_waits_total", { connector: "feeds" })).toBe(1);
    expect(await metricValue(h.metrics, "maskoii_aggregator_retries_total", { connector: "feeds" })).toBe(1);
  });
});
