import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Secp256k1Keypair } from "@atproto/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Connector, Page } from "../src/connector.ts";
import { BlueskyConnector, FIREHOSE_STREAM, recordToItem } from "../src/connectors/bluesky.ts";
import type { Item } from "../src/item.ts";
import { type LocalPds, startLocalPds } from "./fixtures/bluesky-pds.ts";
import { type Harness, harness, metricValue } from "./helpers.ts";

const NAME = "bsky";

/** Wraps a connector so the test sees every page it handed out. */
function recording(connector: Connector): { connector: Connector; pages: Page[] } {
  const pages: Page[] = [];
  return {
    pages,
    connector: {
      name: connector.name,
      network: connector.network,
      streams: connector.streams,
      poll: async (stream, cursor) => {
        const page = await connector.poll(stream, cursor);
        pages.push(page);
        return page;
      },
    },
  };
}

/** Ticks the connector until `done` holds (the firehose delivers asynchronously). */
async function tickUntil(h: Harness, c: Connector, done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const ingestor = h.ingestor([c]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await ingestor.tick(c);
    if (await done()) return;
    if (Date.now() > deadline) throw new Error("timed out waiting for the firehose");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("Bluesky connector (repo firehose of a real local PDS)", () => {
  let pds: LocalPds;
  const open: BlueskyConnector[] = [];

  beforeAll(async () => {
    pds = await startLocalPds();
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await pds?.close();
  });

  const connector = (h: Harness, dids: readonly string[] = []) => {
    const c = new BlueskyConnector(
      {
        name: NAME,
        firehoseUrl: pds.url,
        plcUrl: pds.plc.url,
        dids,
        collections: ["app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost"],
        pageSize: 3,
        authorFeeds: [],
        identityFetch: globalThis.fetch.bind(globalThis),
        reconnectDelayMs: 100,
      },
      h.context(NAME),
    );
    open.push(c);
    return c;
  };
  /** From the firehose's start (seq 0 replays the PDS's whole sequence). */
  const fromStart = (h: Harness) =>
    h.store.commitPage(NAME, FIREHOSE_STREAM, { items: [], rejects: 0, cursor: { seq: 0 }, more: false }, Date.now());

  it("reads posts, likes and reposts written with @atproto/api, and resumes from the stored seq without duplicates", async () => {
    const alice = await pds.account("alice");
    const bob = await pds.account("bob");
    const first = await alice.post({ text: "hello from the PDS", createdAt: "2026-12-07T10:00:00.000Z" });
    const reply = await bob.post({
      text: "a reply",
      reply: { root: first, parent: first },
      createdAt: "2026-12-07T10:01:00.000Z",
    });
    const like = await bob.like(first.uri, first.cid);
    const repost = await bob.repost(first.uri, first.cid);

    const h = await harness();
    await fromStart(h);
    const c1 = connector(h, [alice.did, bob.did]);
    await tickUntil(h, c1, async () => (await h.store.itemIds()).length >= 4);
    const items = await h.store.itemsOf(NAME, FIREHOSE_STREAM);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(`bluesky:${first.uri}`)).toMatchObject({
      network: "bluesky",
      kind: "post",
      author: `bluesky:${alice.did}`,
      body: "hello from the PDS",
      url: `https://bsky.app/profile/${alice.did}/post/${first.uri.split("/").at(-1)}`,
      parent: null,
      createdAt: Date.parse("2026-12-07T10:00:00.000Z"),
    });
    expect(byId.get(`bluesky:${reply.uri}`)).toMatchObject({ kind: "post", parent: `bluesky:${first.uri}` });
    expect(byId.get(`bluesky:${like.uri}`)).toMatchObject({
      kind: "reaction",
      body: "like",
      author: `bluesky:${bob.did}`,
      parent: `bluesky:${first.uri}`,
    });
    expect(byId.get(`bluesky:${repost.uri}`)).toMatchObject({ kind: "reaction", body: "repost" });
    expect(items.length).toBe(4);
    const seq = (await h.store.state(NAME, FIREHOSE_STREAM))?.cursor?.seq;
    expect(typeof seq).toBe("number");
    await c1.close();

    // A restart: a new subscription from the stored seq hands out only what came after it.
    const later = await alice.post({ text: "after the restart", createdAt: "2026-12-07T11:00:00.000Z" });
    const rec = recording(connector(h, [alice.did, bob.did]));
    await tickUntil(h, rec.connector, async () => (await h.store.itemIds()).length >= 5);
    const handedOut: Item[] = rec.pages.flatMap((p) => [...p.items]);
    expect(handedOut.map((i) => i.id)).toEqual([`bluesky:${later.uri}`]);
    expect((await h.store.itemIds()).length).toBe(5);
    expect(await metricValue(h.metrics, "maskoii_aggregator_items_total", { connector: NAME })).toBe(5);
    await h.close();
  });

  it("rejects a commit whose signature does not match the DID document and one from an unresolvable DID, and goes on", async () => {
    const carol = await pds.account("carol");
    const dave = await pds.account("dave");
    const erin = await pds.account("erin");
    // Carol's DID document now names another signing key: her PDS's commits no longer verify. Dave's DID is gone.
    pds.plc.overrideSigningKey(carol.did, (await Secp256k1Keypair.create()).did());
    pds.plc.forget(dave.did);
    const forged = await carol.post({ text: "signed by a key her DID does not name" });
    const orphan = await dave.post({ text: "from a DID nobody can resolve" });
    const fine = await erin.post({ text: "still read" });

    const h = await harness();
    await fromStart(h);
    const rec = recording(connector(h, [carol.did, dave.did, erin.did]));
    await tickUntil(h, rec.connector, async () => (await h.store.itemIds()).includes(`bluesky:${fine.uri}`));
    const ids = await h.store.itemIds();
    expect(ids).not.toContain(`bluesky:${forged.uri}`);
    expect(ids).not.toContain(`bluesky:${orphan.uri}`);
    const rejects = rec.pages.flatMap((p) => [...p.rejects]);
    expect(rejects.find((r) => r.nativeId?.startsWith(carol.did))?.reason).toBe("bad-signature");
    expect(rejects.find((r) => r.nativeId?.startsWith(dave.did))?.reason).toBe("unresolvable-did");
    const reasons = { connector: NAME };
    expect(
      await metricValue(h.metrics, "maskoii_aggregator_rejects_total", { ...reasons, reason: "bad-signature" }),
    ).toBe(1);
    expect(
      await metricValue(h.metrics, "maskoii_aggregator_rejects_total", { ...reasons, reason: "unresolvable-did" }),
    ).toBe(1);
    // The rejected commits still advance the cursor: a restart does not read them again.
    const seq = (await h.store.state(NAME, FIREHOSE_STREAM))?.cursor?.seq;
    expect(typeof seq === "number" && seq > 0).toBe(true);
    await h.close();
  });

  it("refuses a malformed record with a reason", () => {
    const did = "did:plc:abcdefghijklmnopqrstuvwx";
    expect(recordToItem(did, "app.bsky.feed.post", "3k", { text: 7, createdAt: "2026-12-07T10:00:00Z" })).toMatchObject(
      {
        reason: "malformed",
        nativeId: `at://${did}/app.bsky.feed.post/3k`,
      },
    );
    expect(recordToItem(did, "app.bsky.feed.like", "3l", { subject: { uri: "https://x" } })).toMatchObject({
      reason: "malformed",
    });
  });
});

describe("Bluesky connector (app.bsky.feed.getAuthorFeed of a configured AppView)", () => {
  it("walks newest-first pages back to the stored head", async () => {
    const did = "did:plc:abcdefghijklmnopqrstuvwx";
    const feed: { post: { uri: string; record: unknown } }[] = [];
    const write = (n: number) =>
      feed.unshift({
        post: {
          uri: `at://${did}/app.bsky.feed.post/p${n}`,
          record: { text: `post ${n}`, createdAt: new Date(Date.UTC(2026, 11, 7, 10, n)).toISOString() },
        },
      });
    for (let n = 1; n <= 5; n++) write(n);
    const requests: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push(url.search);
      const from = Number(url.searchParams.get("cursor") ?? "0");
      const limit = Number(url.searchParams.get("limit"));
      const page = feed.slice(from, from + limit);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ feed: page, ...(from + limit < feed.length ? { cursor: String(from + limit) } : {}) }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const appviewUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const h = await harness();
    const c = new BlueskyConnector(
      {
        name: NAME,
        firehoseUrl: "ws://127.0.0.1:1",
        plcUrl: "http://127.0.0.1:1",
        dids: [],
        collections: ["app.bsky.feed.post"],
        pageSize: 2,
        appviewUrl,
        authorFeeds: ["alice.test"],
      },
      h.context(NAME),
    );
    try {
      expect(c.streams).toEqual([FIREHOSE_STREAM, "author:alice.test"]);
      const tickFeed = async () => {
        const page = await c.poll("author:alice.test", (await h.store.state(NAME, "author:alice.test"))?.cursor);
        await h.store.commitPage(NAME, "author:alice.test", { ...page, rejects: page.rejects.length }, Date.now());
        return page;
      };
      expect((await tickFeed()).items.map((i) => i.body)).toEqual(["post 5", "post 4", "post 3", "post 2", "post 1"]);
      expect(requests[0]).toContain("actor=alice.test");
      write(6);
      write(7);
      requests.length = 0;
      expect((await tickFeed()).items.map((i) => i.id)).toEqual([
        `bluesky:at://${did}/app.bsky.feed.post/p7`,
        `bluesky:at://${did}/app.bsky.feed.post/p6`,
      ]);
      expect(requests.length).toBe(2);
      expect((await h.store.itemIds()).length).toBe(7);
    } finally {
      await c.close();
      await h.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
