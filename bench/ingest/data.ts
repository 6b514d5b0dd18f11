// The data of `npm run bench:ingest`, generated before the clock starts and loaded into the aggregator's fixture
// servers (`@maskoii/aggregator/fixtures`), each speaking its network's API on 127.0.0.1:
// - Farcaster: casts in CHANNELS channels, each with its likes, every message signed with ed25519 by one of a pool of
//   signers (fids), whose keys the hub serves as key registry events (`/v1/onChainSignersByFid`);
// - Mastodon: statuses under TAGS hashtags; Lens: posts read through two streams (the fixture ignores filters, so
//   each post arrives twice and is stored once: the deduplication the store does); RSS: feeds of FEED_ITEMS items;
// - Bluesky: posts in actors' author feeds as an AppView's getAuthorFeed serves them (see bluesky-appview.ts).
import {
  type BlueskyAppView,
  cast,
  type FarcasterUser,
  type FeedServer,
  type Hub,
  type HubJson,
  type LensApi,
  like,
  type MastodonServer,
  makeFastUser,
  makeFeedPost,
  makePost,
  makeStatus,
  rssDoc,
  signerEvent,
  toHubJson,
} from "@maskoii/aggregator/fixtures";

export const CHANNELS = 10;
export const SIGNERS = 1_000;
export const LIKES_PER_CAST = 19;
export const TAGS = 50;
export const FEED_ITEMS = 1_000;
export const POSTS_PER_ACTOR = 1_000;
export const LENS_STREAMS = 2;
export const MASTODON_HOST = "social.bench.example";

export type Counts = { farcaster: number; mastodon: number; lens: number; rss: number; bluesky: number };

/** N items split over the five networks (the remainder to Farcaster). */
export function split(total: number): Counts {
  const each = Math.floor(total / 5);
  return { farcaster: total - 4 * each, mastodon: each, lens: each, rss: each, bluesky: each };
}

export const channelUrl = (k: number) => `https://warpcast.com/~/channel/bench${k}`;
export const tagName = (k: number) => `bench${k}`;
export const actorDid = (k: number) => `did:plc:bench${String(k).padStart(18, "0")}`;
export const lensStreams = () => Array.from({ length: LENS_STREAMS }, (_, k) => `feed:bench${k}`);

const T0 = Date.UTC(2026, 10, 1);
/** Farcaster time (seconds since 2021-01-01) of the same instant as T0. */
const FC_T0 = Math.floor((T0 - Date.UTC(2021, 0, 1)) / 1_000);

export type Generated = { fids: number[]; feeds: string[]; actors: string[] };

/** Farcaster: `count` messages (casts and likes, signed), into the hub's channels and reactions. */
export async function fillHub(hub: Hub, count: number, progress: (done: number) => void): Promise<number[]> {
  const casts = Math.max(1, Math.round(count / (LIKES_PER_CAST + 1)));
  const users: FarcasterUser[] = Array.from({ length: Math.min(SIGNERS, casts) }, (_, i) => makeFastUser(1_000 + i));
  for (const u of users) hub.signerEvents.set(u.fid, [signerEvent(u.fid, u.publicKey, "add", 1)]);
  for (let k = 0; k < CHANNELS; k++) hub.channels.set(channelUrl(k), []);
  let likes = count - casts;
  let made = 0;
  for (let i = 0; i < casts; i++) {
    const author = users[i % users.length] as FarcasterUser;
    const url = channelUrl(i % CHANNELS);
    const message = await cast(author, `cast ${i} by fid ${author.fid} in bench channel`, url, FC_T0 + i);
    (hub.channels.get(url) as HubJson[]).push(toHubJson(message));
    const n = Math.min(likes, Math.ceil(likes / (casts - i)));
    likes -= n;
    const reactions: HubJson[] = [];
    for (let j = 0; j < n; j++) {
      const liker = users[(i + j + 1) % users.length] as FarcasterUser;
      reactions.push(toHubJson(await like(liker, message, FC_T0 + i + j + 1)));
    }
    hub.reactions.set(`0x${Buffer.from(message.hash).toString("hex")}`, reactions);
    made += 1 + n;
    if (i % 500 === 0) progress(made);
  }
  progress(made);
  return users.map((u) => u.fid);
}

export function fillMastodon(server: MastodonServer, count: number): void {
  // The fixture counts X-RateLimit-Remaining down per request; the bench is not about rate limits.
  server.rate.remaining = Number.MAX_SAFE_INTEGER;
  for (let k = 0; k < TAGS; k++) server.tags.set(tagName(k), []);
  for (let i = 0; i < count; i++) {
    const tag = server.tags.get(tagName(i % TAGS));
    tag?.push(makeStatus(MASTODON_HOST, 100_000 + i, `user${i % 300}`, `<p>status ${i} on #${tagName(i % TAGS)}</p>`));
  }
}

export function fillLens(api: LensApi, count: number): void {
  for (let i = 0; i < count; i++) {
    api.posts.push(makePost(1 + i, `0x${(i % 500).toString(16).padStart(40, "0")}`, `lens post ${i} of the bench`));
  }
}

/** RSS: feeds of FEED_ITEMS items at /feed/<k>.xml; returns their URLs. */
export function fillFeeds(server: FeedServer, count: number): string[] {
  const urls: string[] = [];
  for (let k = 0, first = 0; first < count; k++, first += FEED_ITEMS) {
    const n = Math.min(FEED_ITEMS, count - first);
    const items = Array.from({ length: n }, (_, j) => {
      const i = first + j;
      return {
        guid: `bench-${i}`,
        title: `Article ${i}`,
        link: `https://blog${k}.bench.example/articles/${i}`,
        html: `<p>article ${i} of feed ${k}</p>`,
        date: new Date(T0 + i * 1_000),
      };
    });
    server.feeds.set(`/feed/${k}.xml`, {
      contentType: "application/rss+xml",
      body: rssDoc(items),
      modified: new Date(T0),
    });
    urls.push(`${server.url}/feed/${k}.xml`);
  }
  return urls;
}

/** Bluesky: author feeds of POSTS_PER_ACTOR posts (newest first, as getAuthorFeed serves them); returns the dids. */
export function fillAppView(appview: BlueskyAppView, count: number): string[] {
  const dids: string[] = [];
  for (let k = 0, first = 0; first < count; k++, first += POSTS_PER_ACTOR) {
    const did = actorDid(k);
    const n = Math.min(POSTS_PER_ACTOR, count - first);
    const feed = Array.from({ length: n }, (_, j) => {
      const i = first + n - 1 - j;
      const rkey = `3l${i.toString(36).padStart(11, "0")}`;
      return makeFeedPost(did, `actor${k}.bench.example`, rkey, `skeet ${i} by actor ${k}`, new Date(T0 + i * 1_000));
    });
    appview.feeds.set(did, feed);
    dids.push(did);
  }
  return dids;
}
