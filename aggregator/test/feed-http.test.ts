// The personalized feed over HTTP (issue 16 point 1) on a real SQLite store and a real server on 127.0.0.1, with the
// chain's answers from in-memory readers (feed-campaigns.test.ts reads real campaigns on a hardhat chain): score
// breakdowns, weights, feedback, author diversity, ad slots, determinism, cursor paging, the home-node rule, the 400s
// and the refused signatures.
import { base58Encode } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, keccak256, stringToBytes } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Campaign, type CampaignReader, isLive, tagWord } from "../src/campaigns.ts";
import type { CommunityReader } from "../src/communities.ts";
import { parseConfig } from "../src/config.ts";
import { isAdSlot, organicIndexAt, positionOfOrganic } from "../src/feed/ads.ts";
import type { FeedEntry, FeedPage, PostEntry } from "../src/feed/feed-service.ts";
import { FeedService } from "../src/feed/feed-service.ts";
import { FeedStore } from "../src/feed/feed-store.ts";
import {
  type Feedback,
  type FeedDomain,
  type FeedSettings,
  feedDigest,
  feedFeedbackBytes,
  feedReadBytes,
  feedSettingsBytes,
} from "../src/feed/signed.ts";
import { homeNodeRecord } from "../src/home-node.ts";
import type { Item } from "../src/item.ts";
import { type OperatorServer, startOperatorServer } from "../src/server.ts";
import { TimelineService } from "../src/timeline.ts";
import { type Harness, harness } from "./helpers.ts";

const NOW = Date.UTC(2026, 11, 1, 12);
const HOUR = 3_600_000;
const DOMAIN: FeedDomain = { chainId: 31337, communityRegistry: getAddress(`0x${"c0".repeat(20)}`) };
const C1 = "mastodon:tag:social.example#cats";
const C2 = "mastodon:tag:social.example#dogs";

class MemoryCommunities implements CommunityReader {
  readonly communities = new Map<bigint, string[]>([
    [1n, [C1]],
    [2n, [C2]],
  ]);
  async sourcesOf(id: bigint) {
    return this.communities.get(id);
  }
  async isModerator() {
    return false;
  }
  async personaOf() {
    return undefined;
  }
}

class MemoryCampaigns implements CampaignReader {
  readonly list: Campaign[] = [];
  async campaign(id: bigint) {
    return this.list.find((c) => c.id === id);
  }
  async targets(id: bigint, community: bigint) {
    return (await this.campaign(id))?.communities.includes(community) ?? false;
  }
  async lastCampaignId() {
    return BigInt(this.list.length);
  }
  async activeFor(community: bigint, t: number) {
    return this.list.filter((c) => isLive(c, t) && c.communities.includes(community));
  }
}

function campaign(id: bigint, over: Partial<Campaign> = {}): Campaign {
  return {
    id,
    advertiser: getAddress(`0x${"ad".repeat(20)}`),
    token: getAddress(`0x${"70".repeat(20)}`),
    cpm: 1n,
    cpe: 1n,
    epochCap: 10n,
    available: 100n,
    epochSpend: 0n,
    capEpoch: 0,
    pendingReports: 0,
    funded: 100n,
    spent: 0n,
    refunded: 0n,
    start: NOW / 1000 - 100,
    end: NOW / 1000 + 10_000,
    pausedAt: 0,
    cancelledAt: 0,
    creativeHash: keccak256(stringToBytes(`creative ${id}`)),
    creativeURI: `ipfs://creative-${id}`,
    tags: [],
    communities: [1n],
    ...over,
  };
}

const author = (name: string) => `mastodon:acct:${name}@social.example`;
const postId = (name: string, n: number) => `mastodon:https://social.example/users/${name}/statuses/${n}`;
function post(name: string, n: number, ageHours: number): Item {
  return {
    id: postId(name, n),
    network: "mastodon",
    kind: "post",
    author: author(name),
    body: `${name} says thing number ${n} about cats and more`,
    url: null,
    parent: null,
    createdAt: NOW - ageHours * HOUR,
  };
}
function reaction(target: string, n: number): Item {
  return {
    id: `mastodon:reaction:${target}:${n}`,
    network: "mastodon",
    kind: "reaction",
    author: author(`fan${n}`),
    body: "",
    url: null,
    parent: target,
    createdAt: NOW - HOUR,
  };
}

describe("the personalized feed over HTTP", () => {
  let h: Harness;
  let server: OperatorServer;
  let campaigns: MemoryCampaigns;
  let now = NOW;
  const userKey = generatePrivateKey();
  const user = privateKeyToAccount(userKey);
  const nodeKeys = [base58Encode(new Uint8Array(32).fill(1)), base58Encode(new Uint8Array(32).fill(2))];
  const self = nodeKeys[0] as string;

  const ingest = (stream: string, items: Item[], at = NOW - HOUR / 2) =>
    h.store.commitPage("test", stream, { items, rejects: 0, cursor: {}, more: false }, at);

  beforeEach(async () => {
    now = NOW;
    h = await harness();
    const communities = new MemoryCommunities();
    campaigns = new MemoryCampaigns();
    const timelines = new TimelineService(h.store, communities, (d) => ({
      streams: d.map((stream) => ({ connector: "test", stream })),
      unresolved: [],
    }));
    const service = new FeedService({
      store: h.store,
      feedStore: new FeedStore(h.store),
      timelines,
      communities,
      campaigns,
      options: { adEvery: 5, halfLifeMs: 6 * HOUR, outOfNetwork: [2n], minReactions: 2 },
      now: () => now,
    });
    // Make this node the test persona's home (the other node is someone else's home).
    const nodes = nodeKeys.map((k, i) => ({ koiiPublicKey: k, url: `http://node${i}.example` }));
    const home = homeNodeRecord(user.address, nodes);
    server = await startOperatorServer(
      {
        store: h.store,
        ingestor: h.ingestor([]),
        metrics: h.metrics,
        feed: { service, domain: DOMAIN, home: { self: home?.koiiPublicKey ?? self, nodes }, now: () => now },
      },
      { host: "127.0.0.1", port: 0 },
    );
    // Community 1: alice posts often and recently, bob's older post is the most reacted, carol and dave post once.
    await ingest(C1, [
      post("alice", 1, 1),
      post("alice", 2, 2),
      post("alice", 3, 3),
      post("alice", 4, 4),
      post("bob", 1, 20),
      post("bob", 2, 5),
      post("carol", 1, 6),
      post("dave", 1, 7),
      post("erin", 1, 8),
      post("frank", 1, 9),
    ]);
    await ingest(
      "reactions",
      [1, 2, 3, 4, 5, 6].map((n) => reaction(postId("bob", 1), n)),
    );
    // Community 2 (out of network): one well-engaged post, one without reactions.
    await ingest(C2, [post("gina", 1, 10), post("hank", 1, 10)]);
    await ingest(
      "reactions",
      [1, 2, 3].map((n) => reaction(postId("gina", 1), n)),
    );
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });

  const readHeaders = async (key: Hex = userKey, at = Math.floor(now / 1000)) => {
    const persona = privateKeyToAccount(key).address;
    const signature = await privateKeyToAccount(key).signMessage({
      message: { raw: feedDigest(feedReadBytes(DOMAIN, persona, at)) },
    });
    return { "x-maskoii-time": String(at), "x-maskoii-signature": signature };
  };
  const feed = async (query: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${server.url}/feed?${query}`, { headers });
    return { status: r.status, text: await r.text() };
  };
  const myFeed = async (query = "") => {
    const r = await feed(`community=1&persona=${user.address}${query}`, await readHeaders());
    expect(r.status, r.text).toBe(200);
    return JSON.parse(r.text) as FeedPage;
  };
  const putSettings = async (settings: Partial<FeedSettings>, at = Math.floor(now / 1000), key = userKey) => {
    const full: FeedSettings = { communities: [], follows: [], tags: [], weights: {}, ...settings };
    const persona = privateKeyToAccount(key).address;
    const signature = await privateKeyToAccount(key).signMessage({
      message: { raw: feedDigest(feedSettingsBytes(DOMAIN, persona, at, full)) },
    });
    return fetch(`${server.url}/feed/settings`, {
      method: "PUT",
      body: JSON.stringify({ persona, at, settings: full, signature }),
    });
  };
  const sendFeedback = async (f: Omit<Feedback, "persona" | "at">, at = Math.floor(now / 1000)) => {
    const body: Feedback = { persona: user.address, at, ...f };
    const signature = await user.signMessage({ message: { raw: feedDigest(feedFeedbackBytes(DOMAIN, body)) } });
    return fetch(`${server.url}/feed/feedback`, { method: "POST", body: JSON.stringify({ ...body, signature }) });
  };
  const posts = (page: FeedPage) => page.entries.filter((e): e is PostEntry => e.type === "post");
  const authors = (page: FeedPage) => posts(page).map((e) => e.post.author.id.split(":")[2]?.split("@")[0]);

  it("explains every item: the breakdown adds up to the score, and the feed is ranked by it", async () => {
    const page = await myFeed("&limit=50");
    const items = posts(page);
    expect(items).toHaveLength(11); // 10 in community 1, gina's well-engaged post from community 2 (not hank's)
    expect(items.find((e) => e.id === postId("gina", 1))?.why.source).toBe("out-of-network");
    expect(items.some((e) => e.id === postId("hank", 1))).toBe(false);
    for (const e of items) {
      expect(e.why.features.map((f) => f.feature)).toEqual([
        "engagement",
        "recency",
        "following",
        "positive",
        "negative",
        "diversity",
      ]);
      const sum = e.why.features.reduce((s, f) => s + f.contribution, 0);
      expect(Math.abs(sum - e.score)).toBeLessThan(1e-9);
      for (const f of e.why.features)
        expect(Math.abs(Math.abs(f.value * f.weight) - Math.abs(f.contribution))).toBeLessThan(1e-6);
      expect(e.score).toBe(e.why.total);
    }
    const scores = items.map((e) => e.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const bob = items.find((e) => e.id === postId("bob", 1));
    expect(bob?.why.features[0]).toMatchObject({ feature: "engagement", value: 1.94591, weight: 1 });
  });

  it("reads a persona's feed as of now: settings sent within the same second already apply", async () => {
    now += 1_500; // mid-second: an anonymous first page would read as of the whole second before
    expect((await putSettings({ weights: { engagement: 0 } })).status).toBe(200);
    expect((await myFeed()).weights).toMatchObject({ engagement: 0 });
  });

  it("lets the user's weights change the order and negative feedback demote", async () => {
    expect(posts(await myFeed("&limit=50"))[0]?.id).toBe(postId("bob", 1)); // defaults: engagement leads
    expect((await putSettings({ weights: { engagement: 0 } })).status).toBe(200);
    now += 1_000;
    expect(posts(await myFeed("&limit=50"))[0]?.id).toBe(postId("alice", 1)); // recency alone: the newest
    expect((await putSettings({ weights: { engagement: 10, recency: 0.5 } }, Math.floor(now / 1000))).status).toBe(200);
    now += 1_000;
    const after = await myFeed("&limit=50");
    expect(after.weights).toMatchObject({ engagement: 10, recency: 0.5, negative: 4 });
    expect(posts(after)[0]?.id).toBe(postId("bob", 1)); // the most reacted post, 20 h old, now leads
    // "less like this" on alice: her posts drop below everyone's.
    expect(await (await sendFeedback({ target: { author: author("alice") }, signal: "less" })).json()).toEqual({
      applied: true,
    });
    now += 1_000;
    const demoted = posts(await myFeed("&limit=50"));
    const firstAlice = demoted.findIndex((e) => e.post.author.id === author("alice"));
    expect(firstAlice).toBeGreaterThan(demoted.findIndex((e) => e.post.author.id === author("frank")));
    expect(demoted[firstAlice]?.why.features.find((f) => f.feature === "negative")).toMatchObject({
      value: 1,
      contribution: -4,
    });
    // "more" on one of dave's posts lifts it above where it was.
    const daveBefore = demoted.findIndex((e) => e.id === postId("dave", 1));
    await sendFeedback({ target: { item: postId("dave", 1) }, signal: "more" });
    now += 1_000;
    const lifted = posts(await myFeed("&limit=50"));
    expect(lifted.findIndex((e) => e.id === postId("dave", 1))).toBeLessThan(daveBefore);
  });

  it("takes candidates from the user's communities and follows, each labelled with its source", async () => {
    await ingest("elsewhere", [post("ivan", 1, 3)]);
    const before = posts(await myFeed("&limit=50")).map((e) => e.id);
    expect(before).not.toContain(postId("ivan", 1));
    expect(before).not.toContain(postId("hank", 1));
    await putSettings({ communities: ["2"], follows: [author("ivan")] });
    now += 1_000;
    const after = posts(await myFeed("&limit=50"));
    const ivan = after.find((e) => e.id === postId("ivan", 1));
    expect(ivan?.why.source).toBe("follow");
    expect(ivan?.why.features.find((f) => f.feature === "following")).toMatchObject({ value: 1, contribution: 1 });
    expect(ivan?.post.author.id).toBe(author("ivan"));
    expect(after.find((e) => e.id === postId("hank", 1))?.why.source).toBe("community");
    expect(after.find((e) => e.id === postId("gina", 1))).toMatchObject({
      community: "2",
      why: { source: "community" },
    });
    // Settings signed by another key for this persona are refused.
    const forgedKey = generatePrivateKey();
    const at = Math.floor(now / 1000);
    const settings: FeedSettings = { communities: [], follows: [], tags: [], weights: {} };
    const signature = await privateKeyToAccount(forgedKey).signMessage({
      message: { raw: feedDigest(feedSettingsBytes(DOMAIN, user.address, at, settings)) },
    });
    const forged = await fetch(`${server.url}/feed/settings`, {
      method: "PUT",
      body: JSON.stringify({ persona: user.address, at, settings, signature }),
    });
    expect(forged.status).toBe(401);
    // A feedback signature does not pass as a read signature (each format has its own tag).
    const fb: Feedback = { persona: user.address, at, target: { author: author("bob") }, signal: "less" };
    const fbSig = await user.signMessage({ message: { raw: feedDigest(feedFeedbackBytes(DOMAIN, fb)) } });
    const crossed = await feed(`community=1&persona=${user.address}`, {
      "x-maskoii-time": String(at),
      "x-maskoii-signature": fbSig,
    });
    expect(crossed.status).toBe(401);
  });

  it("spreads authors: the diversity penalty breaks alice's run at the top", async () => {
    await putSettings({ weights: { engagement: 0, diversity: 0 } });
    now += 1_000;
    expect(authors(await myFeed("&limit=4"))).toEqual(["alice", "alice", "alice", "alice"]);
    await putSettings({ weights: { engagement: 0, diversity: 2 } }, Math.floor(now / 1000));
    now += 1_000;
    const spread = await myFeed("&limit=50");
    const top = authors(spread).slice(0, 6);
    expect(top).toEqual(["alice", "bob", "carol", "dave", "erin", "frank"]);
    for (let i = 1; i < top.length; i++) expect(top[i], top.join(",")).not.toBe(top[i - 1]);
    const second = posts(spread).find((e) => e.id === postId("alice", 2));
    expect(second?.why.features.at(-1)).toMatchObject({ feature: "diversity", value: 1, contribution: -2 });
  });

  it("fills at most one slot in five with labelled ads from live campaigns matching the community and tags", async () => {
    campaigns.list.push(
      campaign(1n, { tags: [tagWord("cats")] }), // matches the community's #cats
      campaign(2n, { tags: [] }), // untagged: any feed of the community
      campaign(3n, { tags: [tagWord("cars")] }), // no one here wants cars
      campaign(4n, { pausedAt: NOW / 1000 - 10 }),
      campaign(5n, { end: NOW / 1000 - 1 }),
      campaign(6n, { communities: [2n] }),
      campaign(7n, { available: 0n }),
    );
    const page = await myFeed("&limit=50");
    const ads = page.entries.flatMap((e, i) => (e.type === "ad" ? [{ e, i }] : []));
    expect(ads.map(({ i }) => i)).toEqual([4, 9]); // 11 posts: slots 4 and 9 (slot 14 would have no post after it)
    for (const { e } of ads) {
      expect(e).toMatchObject({ type: "ad", label: "Sponsored" });
      if (e.type === "ad") {
        expect(["1", "2"]).toContain(e.campaignId);
        expect(e.creativeURI).toBe(`ipfs://creative-${e.campaignId}`);
        expect(e.target).toBe(`ad:${e.campaignId}`);
      }
    }
    // The tag match ranks first: slot 0 is campaign 1.
    expect(ads[0]?.e).toMatchObject({ campaignId: "1" });
    expect(ads[1]?.e).toMatchObject({ campaignId: "2" });
    // The user's own tags bring campaign 3 in.
    await putSettings({ tags: ["cars"] });
    now += 1_000;
    const withCars = (await myFeed("&limit=50")).entries
      .filter((e) => e.type === "ad")
      .map((e) => e.type === "ad" && e.campaignId);
    expect(withCars).toContain("3");
    // No live campaign: no ads, the posts keep their order.
    campaigns.list.length = 0;
    const none = await myFeed("&limit=50");
    expect(none.entries.every((e) => e.type === "post")).toBe(true);
  });

  it("answers the same bytes for the same inputs and pages by cursor without repeats or gaps", async () => {
    campaigns.list.push(campaign(1n));
    const full = await myFeed("&limit=50");
    const a = await feed(`community=1&persona=${user.address}&limit=50`, await readHeaders());
    expect(a.text).toBe(JSON.stringify(full));
    const ids = full.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(full.entries.map((e) => e.cursor)).size).toBe(ids.length);

    // Walk in pages of 3; a post arriving mid-walk does not shift it (the cursor's asOf fixes the inputs).
    const walked: FeedEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: FeedPage = await myFeed(`&limit=3${cursor === null ? "" : `&cursor=${cursor}`}`);
      expect(page.entries.length).toBeLessThanOrEqual(3);
      walked.push(...page.entries);
      cursor = page.nextCursor;
      if (pages === 0) {
        now += 60_000;
        await ingest(C1, [post("zed", 1, 0)], now);
        await ingest(
          "reactions",
          [7, 8].map((n) => reaction(postId("carol", 1), n)),
          now,
        );
      }
      pages += 1;
    } while (cursor !== null && pages < 20);
    expect(walked.map((e) => e.id)).toEqual(ids);
    // The same cursor twice: the same bytes.
    const second = full.entries[2]?.cursor ?? "";
    const x = await feed(`community=1&persona=${user.address}&limit=3&cursor=${second}`, await readHeaders());
    const y = await feed(`community=1&persona=${user.address}&limit=3&cursor=${second}`, await readHeaders());
    expect(x.status).toBe(200);
    expect(x.text).toBe(y.text);
    expect((JSON.parse(x.text) as FeedPage).entries[0]?.id).toBe(ids[3]);
    // A new first page sees the new post.
    expect((await myFeed("&limit=50")).entries.map((e) => e.id)).toContain(postId("zed", 1));
    // The anonymous community feed needs no signature and has no persona.
    const anon = await feed("community=1&limit=5");
    expect(anon.status).toBe(200);
    expect((JSON.parse(anon.text) as FeedPage).persona).toBeNull();
  });

  it("refuses bad input with 400s naming the field, and bad or foreign signatures", async () => {
    const headers = await readHeaders();
    for (const [query, field] of [
      ["limit=5", "community"],
      ["community=0", "community"],
      ["community=x", "community"],
      ["community=99999999999999999999", "community"],
      ["community=1&limit=0", "limit"],
      ["community=1&limit=51", "limit"],
      ["community=1&cursor=nope", "cursor"],
      ["community=1&persona=0x1234", "persona"],
    ] as const) {
      const r = await feed(query, headers);
      expect(r.status, query).toBe(400);
      expect(JSON.parse(r.text).field, query).toBe(field);
    }
    expect((await feed("community=9")).status).toBe(404);
    // Someone else's cursor is refused.
    const anonCursor = (JSON.parse((await feed("community=1&limit=2")).text) as FeedPage).nextCursor ?? "";
    const r = await feed(`community=1&persona=${user.address}&cursor=${anonCursor}`, headers);
    expect(JSON.parse(r.text).field).toBe("cursor");
    // A persona's feed without a signature, or signed by another key.
    expect(JSON.parse((await feed(`community=1&persona=${user.address}`)).text).field).toBe("x-maskoii-time");
    const other = generatePrivateKey();
    const forged = { ...(await readHeaders(other)) };
    const refused = await feed(`community=1&persona=${user.address}`, forged);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text).field).toBe("signature");
    const stale = await feed(`community=1&persona=${user.address}`, await readHeaders(userKey, now / 1000 - 600));
    expect(JSON.parse(stale.text).field).toBe("at");

    const bad = async (path: string, method: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method, body: JSON.stringify(body) });
      return { status: res.status, field: ((await res.json()) as { field?: string }).field };
    };
    const sig = `0x${"11".repeat(65)}`;
    const at = Math.floor(now / 1000);
    expect(
      await bad("/feed/settings", "PUT", {
        persona: user.address,
        at,
        settings: { weights: { recency: 11 } },
        signature: sig,
      }),
    ).toEqual({ status: 400, field: "settings.weights.recency" });
    expect(
      await bad("/feed/settings", "PUT", { persona: user.address, at, settings: { tags: ["Cats"] }, signature: sig }),
    ).toEqual({ status: 400, field: "settings.tags.0" });
    expect(
      await bad("/feed/feedback", "POST", {
        persona: user.address,
        at,
        target: { item: postId("bob", 1) },
        signal: "meh",
        signature: sig,
      }),
    ).toEqual({ status: 400, field: "signal" });
    expect(
      await bad("/feed/feedback", "POST", {
        persona: user.address,
        at,
        target: { item: postId("bob", 1) },
        signal: "less",
        signature: sig,
      }),
    ).toMatchObject({ status: 401, field: "signature" });
    // Settings signed by the persona but sent for someone else; a replay of accepted settings.
    const ok = await putSettings({ tags: ["cats"] });
    expect(ok.status).toBe(200);
    expect((await putSettings({ tags: ["cats"] })).status).toBe(409);
    const foreign = await fetch(`${server.url}/feed/settings`, { method: "GET" });
    expect(foreign.status).toBe(405);
  });

  it("keeps slots apart and organic positions consistent; validates the feed config naming the field", () => {
    for (const every of [3, 5, 7]) {
      let lastSlot = -1;
      for (let p = 0; p < 500; p++) {
        if (isAdSlot(p, every)) {
          expect(p - lastSlot).toBe(every);
          lastSlot = p;
        } else expect(positionOfOrganic(organicIndexAt(p, every), every)).toBe(p);
      }
    }
    const base = { connectors: [{ kind: "rss", name: "feeds", feeds: ["https://blog.example/feed"] }] };
    const communities = {
      rpcUrl: "http://127.0.0.1:8545",
      communityRegistry: DOMAIN.communityRegistry,
      identityRegistry: DOMAIN.communityRegistry,
    };
    expect(() => parseConfig({ ...base, feed: { chainId: 1 } }, "a.json")).toThrow(/feed/);
    expect(() => parseConfig({ ...base, communities, feed: { chainId: 1, adEvery: 2 } }, "a.json")).toThrow(
      /feed\.adEvery/,
    );
    expect(() =>
      parseConfig({ ...base, communities, feed: { chainId: 1, nodes: [{ koiiPublicKey: self }] } }, "a.json"),
    ).toThrow(/feed\.self/);
    expect(parseConfig({ ...base, communities, feed: { chainId: 1 } }, "a.json").feed).toMatchObject({
      adEvery: 5,
      nodes: [],
    });
  });

  it("answers 421 with the home node for a persona this node is not home to, and keeps nothing of it", async () => {
    const nodes = nodeKeys.map((k, i) => ({ koiiPublicKey: k, url: `http://node${i}.example` }));
    const mine = homeNodeRecord(user.address, nodes)?.koiiPublicKey;
    let strangerKey: Hex = generatePrivateKey();
    let stranger: Address = privateKeyToAccount(strangerKey).address;
    for (let i = 0; i < 64 && homeNodeRecord(stranger, nodes)?.koiiPublicKey === mine; i++) {
      strangerKey = generatePrivateKey();
      stranger = privateKeyToAccount(strangerKey).address;
    }
    const home = homeNodeRecord(stranger, nodes);
    expect(home?.koiiPublicKey).not.toBe(mine);
    const r = await feed(`community=1&persona=${stranger}`, await readHeaders(strangerKey));
    expect(r.status).toBe(421);
    expect(JSON.parse(r.text)).toMatchObject({ home: home?.koiiPublicKey, url: home?.url });
    const put = await putSettings({ tags: ["cats"] }, Math.floor(now / 1000), strangerKey);
    expect(put.status).toBe(421);
    const rows = await h.store.db.query("SELECT * FROM agg_feed_settings WHERE persona = $1", [stranger.toLowerCase()]);
    expect(rows).toHaveLength(0);
  });
});
