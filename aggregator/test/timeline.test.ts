// Community timelines over the Mastodon and RSS connectors, with the chain's answers from an in-memory reader
// (identity-chain.test.ts reads the real registries): descriptors to streams, cross-network deduplication, personas,
// signed moderation, sealed posts kept sealed, cursor pages and the 400s of GET /communities/:id/timeline.
import { activityPubAccountId, generateSealKeyPair, openPayload, sealPayload } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, pad, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CommunityReader, parseSourceDescriptor, resolveSources } from "../src/communities.ts";
import { MastodonConnector } from "../src/connectors/mastodon.ts";
import { RssConnector } from "../src/connectors/rss.ts";
import { type OperatorServer, startOperatorServer } from "../src/server.ts";
import {
  type ModerationAction,
  moderationStatement,
  normalizeLink,
  sealedPostText,
  type TimelineEntry,
  type TimelinePage,
  TimelineService,
} from "../src/timeline.ts";
import { type FeedServer, rssDoc, startFeeds } from "./fixtures/feed-server.ts";
import { type MastodonServer, makeStatus, startMastodon } from "./fixtures/mastodon-server.ts";
import { type Harness, harness } from "./helpers.ts";

class MemoryReader implements CommunityReader {
  readonly communities = new Map<bigint, string[]>();
  readonly moderators = new Set<string>();
  readonly personas = new Map<string, Address>();
  async sourcesOf(id: bigint) {
    return this.communities.get(id);
  }
  async isModerator(id: bigint, account: Address) {
    return this.moderators.has(`${id}:${account}`);
  }
  async personaOf(platform: number, accountId: Hex) {
    return this.personas.get(`${platform}:${accountId}`);
  }
}

describe("community timelines", () => {
  let mastodon: MastodonServer;
  let feeds: FeedServer;
  let h: Harness;
  let server: OperatorServer;
  let reader: MemoryReader;
  let masto: MastodonConnector;
  let rss: RssConnector;
  const moderatorKey = generatePrivateKey();
  const moderator = privateKeyToAccount(moderatorKey);
  const persona = getAddress(`0x${"ab".repeat(20)}`);
  const member = generateSealKeyPair();
  const sealContext = { destinationDomain: 1001, recipient: pad("0x01", { size: 32 }) };
  const sealed = sealPayload(toHex("the community's private plan"), member.publicKey, sealContext);

  beforeEach(async () => {
    mastodon = await startMastodon();
    feeds = await startFeeds();
    h = await harness();
    reader = new MemoryReader();
    masto = new MastodonConnector(
      { name: "masto", instanceUrl: mastodon.url, hashtags: ["maskoii"], limit: 40 },
      h.context("masto"),
    );
    rss = new RssConnector({ name: "feeds", feeds: [`${feeds.url}/rss.xml`] }, h.context("feeds"));
    const connectors = [masto, rss];
    const timelines = new TimelineService(h.store, reader, (d) => resolveSources(d, connectors));
    server = await startOperatorServer(
      { store: h.store, ingestor: h.ingestor(connectors), metrics: h.metrics, timelines },
      { host: "127.0.0.1", port: 0 },
    );
    const host = new URL(mastodon.url).host;
    reader.communities.set(1n, [
      `mastodon:tag:${host}#maskoii`,
      `rss:${feeds.url}/rss.xml`,
      "farcaster:channel:https://warpcast.com/~/channel/none",
    ]);
    reader.communities.set(2n, [`rss:${feeds.url}/rss.xml`]);
    reader.moderators.add(`1:${moderator.address}`);
    reader.personas.set(`3:${activityPubAccountId("https://social.example/users/alice")}`, persona);

    feeds.feeds.set("/rss.xml", {
      contentType: "application/rss+xml",
      body: rssDoc([
        {
          guid: "p1",
          title: "Post one",
          link: "https://blog.example/post-1",
          html: "<p>An article</p>",
          date: new Date(Date.UTC(2026, 10, 30)),
        },
      ]),
      modified: new Date(Date.UTC(2026, 10, 30)),
    });
    const s = (id: number, acct: string, html: string) => makeStatus("social.example", id, acct, html);
    mastodon.tags.set("maskoii", [
      s(1, "alice@social.example", "<p>Read https://www.blog.example/post-1/?utm_source=masto #maskoii</p>"),
      s(2, "bob@social.example", "<p>The same words, cross-posted everywhere today!</p>"),
      s(3, "carol@other.example", "<p>the same words cross posted everywhere today</p>"),
      s(4, "alice@social.example", `<p>${sealedPostText(sealed)}</p>`),
      ...Array.from({ length: 6 }, (_, i) => s(10 + i, "dave@social.example", `<p>filler post number ${i}</p>`)),
    ]);
    await h.ingestor(connectors).tick(masto);
    await h.ingestor(connectors).tick(rss);
  });
  afterEach(async () => {
    await server.close();
    await mastodon.close();
    await feeds.close();
    await h.close();
  });

  const get = async (path: string) => {
    const r = await fetch(`${server.url}${path}`);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const timeline = async (path = "/communities/1/timeline?limit=100") => (await get(path)).body as TimelinePage;
  const mastoId = (name: string, id: number) =>
    `mastodon:https://social.example/users/${name.includes("@") ? name : `${name}@social.example`}/statuses/${id}`;
  const moderate = async (action: Omit<ModerationAction, "community"> & { community?: string }, key = moderatorKey) => {
    const a: ModerationAction = { community: "1", ...action };
    const signature = await privateKeyToAccount(key).signMessage({ message: moderationStatement(a) });
    return fetch(`${server.url}/communities/${a.community}/moderation`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...a, signature }),
    });
  };

  it("parses descriptors and resolves them to connector streams, reporting the ones no connector reads", () => {
    expect(parseSourceDescriptor("mastodon:tag:social.example#maskoii")).toEqual({
      network: "mastodon",
      stream: "tag:maskoii",
      host: "social.example",
    });
    expect(parseSourceDescriptor("farcaster:channel:https://x.example/c")).toEqual({
      network: "farcaster",
      stream: "channel:https://x.example/c",
    });
    expect(parseSourceDescriptor("myspace:whatever")).toBeUndefined();
    expect(parseSourceDescriptor("mastodon:tag:no-hash")).toBeUndefined();
    const resolved = resolveSources(
      ["mastodon:tag:elsewhere.example#maskoii", `mastodon:tag:${new URL(mastodon.url).host}#maskoii`],
      [masto, rss],
    );
    expect(resolved).toEqual({
      streams: [{ connector: "masto", stream: "tag:maskoii" }],
      unresolved: ["mastodon:tag:elsewhere.example#maskoii"],
    });
    expect(normalizeLink("https://www.Blog.example/post-1/?utm_source=x#top")).toBe("blog.example/post-1");
  });

  it("aggregates the sources newest first, deduplicating cross-posts and resolving authors to personas", async () => {
    const page = await timeline();
    expect(page.unresolvedSources).toEqual(["farcaster:channel:https://warpcast.com/~/channel/none"]);
    const byId = new Map(page.entries.map((e) => [e.id, e]));
    // The RSS article came first; Alice's post sharing its link is a duplicate of it.
    const article = page.entries.find((e) => e.network === "rss");
    expect(article?.duplicates).toEqual([mastoId("alice", 1)]);
    expect(byId.has(mastoId("alice", 1))).toBe(false);
    // The same text on two accounts and instances: one entry, under the earlier post.
    expect(byId.get(mastoId("bob", 2))?.duplicates).toEqual([mastoId("carol@other.example", 3)]);
    expect(byId.has(mastoId("carol@other.example", 3))).toBe(false);
    // Alice is bound to a persona; Dave is not.
    expect(byId.get(mastoId("alice", 4))?.author).toEqual({ id: "mastodon:acct:alice@social.example", persona });
    expect(byId.get(mastoId("dave", 10))?.author.persona).toBeNull();
    const times = page.entries.map((e) => e.createdAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.entries).toHaveLength(1 + 1 + 1 + 6);
    expect(page.nextCursor).toBeNull();
  });

  it("serves a sealed post as its ciphertext, never opened, which a member's key still opens", async () => {
    const entry = (await timeline()).entries.find((e) => e.id === mastoId("alice", 4)) as TimelineEntry;
    expect(entry.body).toBeNull();
    expect(entry.sealed).toBe(sealed.toLowerCase());
    expect(JSON.stringify(await timeline())).not.toContain(toHex("the community's private plan").slice(2));
    expect(JSON.stringify(await timeline())).not.toContain("private plan");
    expect(openPayload(entry.sealed as Hex, member.secretKey, sealContext)).toBe(toHex("the community's private plan"));
  });

  it("walks the timeline in cursor pages: every entry once, in order", async () => {
    const all = (await timeline()).entries.map((e) => e.id);
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: TimelinePage = await timeline(
        `/communities/1/timeline?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`,
      );
      expect(page.entries.length).toBeLessThanOrEqual(2);
      walked.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    expect(walked).toEqual(all);
    expect(pages).toBe(5);
  });

  it("honours a moderator's signed hide and pin, refuses other keys and ignores an older action", async () => {
    expect(await (await moderate({ action: "hide", item: mastoId("dave", 11), at: 100 })).json()).toEqual({
      applied: true,
    });
    expect((await moderate({ action: "pin", item: mastoId("dave", 10), at: 100 })).status).toBe(200);
    let page = await timeline();
    expect(page.entries.map((e) => e.id)).not.toContain(mastoId("dave", 11));
    expect(page.entries[0]).toMatchObject({ id: mastoId("dave", 10), pinned: true });
    // A hidden duplicate hides its entry.
    await moderate({ action: "hide", item: mastoId("carol@other.example", 3), at: 100 });
    page = await timeline();
    expect(page.entries.map((e) => e.id)).not.toContain(mastoId("bob", 2));

    const stranger = await moderate({ action: "unhide", item: mastoId("dave", 11), at: 200 }, generatePrivateKey());
    expect(stranger.status).toBe(403);
    expect(await stranger.json()).toMatchObject({ field: "signature" });
    // An action older than the stored one changes nothing; a newer one does.
    expect(await (await moderate({ action: "unhide", item: mastoId("dave", 11), at: 50 })).json()).toEqual({
      applied: false,
    });
    expect((await timeline()).entries.map((e) => e.id)).not.toContain(mastoId("dave", 11));
    await moderate({ action: "unhide", item: mastoId("dave", 11), at: 300 });
    await moderate({ action: "unpin", item: mastoId("dave", 10), at: 300 });
    page = await timeline();
    expect(page.entries.map((e) => e.id)).toContain(mastoId("dave", 11));
    expect(page.entries.every((e) => !e.pinned)).toBe(true);
    // Moderation is per community: community 2 never saw these actions, and its moderator list is its own.
    const other = await moderate({ community: "2", action: "hide", item: "x:y", at: 1 });
    expect(other.status).toBe(403);
  });

  it("validates the inputs with 400s naming the field, bounds the limit and answers 404 for no community", async () => {
    for (const [path, field] of [
      ["/communities/1/timeline?limit=0", "limit"],
      ["/communities/1/timeline?limit=101", "limit"],
      ["/communities/1/timeline?limit=ten", "limit"],
      ["/communities/1/timeline?cursor=not-a-cursor", "cursor"],
      ["/communities/abc/timeline", "id"],
      ["/communities/0/timeline", "id"],
      ["/communities/99999999999999999999/timeline", "id"],
    ] as const) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body.field, path).toBe(field);
    }
    expect((await get("/communities/7/timeline")).status).toBe(404);
    expect((await timeline("/communities/1/timeline")).entries).toHaveLength(9); // default limit 20 covers all 9
    const bad = await fetch(`${server.url}/communities/1/moderation`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ community: "1", action: "delete", item: "x:y", at: 1, signature: "0x00" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "action" });
  });
});
