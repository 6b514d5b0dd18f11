// Bluesky / AT Protocol, read the way feed generators read it: the repo firehose (`com.atproto.sync.subscribeRepos`
// over a WebSocket, from a relay or a PDS) through `@atproto/sync`'s Firehose, which decodes each commit's CAR blocks
// and checks its signature against the signing key in the author's DID document (resolved by `@atproto/identity`
// from the PLC directory or did:web). Posts (`app.bsky.feed.post`) become posts; likes and reposts become reactions.
//
// The firehose is pushed, the connector interface polls: one subscription per connector fills a bounded buffer in
// sequence order (the subscription stops reading while the buffer is full), and `poll` hands out the buffered events
// after the stored cursor (the firehose `seq`) as pages. The store commits each page with its last seq, so a restart
// resubscribes from that seq and replays nothing twice. A commit whose signature does not verify, whose author's DID
// cannot be resolved, or whose record is malformed becomes a reject (logged, counted) and still advances the cursor.
//
// Where an AppView is configured, `app.bsky.feed.getAuthorFeed` is also read for the listed actors (streams
// `author:<actor>`): newest-first pages walked back to the newest post already stored.
import {
  DidNotFoundError,
  IdResolver,
  PoorlyFormattedDidDocumentError,
  PoorlyFormattedDidError,
  UnsupportedDidMethodError,
} from "@atproto/identity";
import { RepoVerificationError } from "@atproto/repo";
import {
  type Event,
  Firehose,
  FirehoseParseError,
  FirehoseSubscriptionError,
  FirehoseValidationError,
} from "@atproto/sync";
import { describeError } from "@maskoii/node-kit";
import { z } from "zod";
import type { Connector, ConnectorContext, Cursor, Page } from "../connector.ts";
import { UpstreamError, UpstreamMalformedError } from "../errors.ts";
import type { Item, Reject } from "../item.ts";
import { zodReject } from "../item.ts";

export const FIREHOSE_STREAM = "firehose";
export const BLUESKY_COLLECTIONS = ["app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost"] as const;
export type BlueskyCollection = (typeof BLUESKY_COLLECTIONS)[number];

export type BlueskySettings = {
  readonly name: string;
  /** The relay or PDS serving `com.atproto.sync.subscribeRepos` (ws(s):// or http(s)://). */
  readonly firehoseUrl: string;
  readonly plcUrl: string;
  /** Only these accounts (empty: all). */
  readonly dids: readonly string[];
  readonly collections: readonly BlueskyCollection[];
  readonly pageSize: number;
  readonly appviewUrl?: string | undefined;
  readonly authorFeeds: readonly string[];
  /**
   * The fetch used to resolve identities. `@atproto/identity` defaults to an SSRF-protected fetch that refuses
   * loopback and private addresses; a node whose PLC directory is local (tests, a private network) passes its own.
   */
  readonly identityFetch?: typeof globalThis.fetch;
  /** Milliseconds before a dropped subscription is opened again (the Firehose's own backoff follows). */
  readonly reconnectDelayMs?: number;
};

const seqCursor = z.object({ seq: z.number().int().nonnegative() });
const headCursor = z.object({ head: z.string().nullable() });

const postRecord = z.object({
  text: z.string(),
  createdAt: z.string().refine((d) => Number.isFinite(Date.parse(d)), "expected a datetime"),
  reply: z.object({ parent: z.object({ uri: z.string().startsWith("at://") }) }).optional(),
});
const subjectRecord = z.object({
  subject: z.object({ uri: z.string().startsWith("at://"), cid: z.string() }),
  createdAt: z.string().refine((d) => Number.isFinite(Date.parse(d)), "expected a datetime"),
});

/** One firehose event turned into what the store gets: an item, a reject, or nothing (kept only for its seq). */
type Entry = { readonly seq: number; readonly item?: Item; readonly reject?: Reject };

/** The public web address of a post (`at://did/app.bsky.feed.post/rkey`), which cross-network deduplication reads. */
export function postUrl(did: string, rkey: string): string {
  return `https://bsky.app/profile/${did}/post/${rkey}`;
}

/** A record created in a repo, as an item: the canonical id is `bluesky:<at:// uri>`, the author `bluesky:<did>`. */
export function recordToItem(did: string, collection: string, rkey: string, record: unknown): Item | Reject {
  const uri = `at://${did}/${collection}/${rkey}`;
  if (collection === "app.bsky.feed.post") {
    const post = postRecord.safeParse(record);
    if (!post.success) return zodReject("malformed", post.error, uri);
    const parent = post.data.reply?.parent.uri;
    return {
      id: `bluesky:${uri}`,
      network: "bluesky",
      kind: "post",
      author: `bluesky:${did}`,
      body: post.data.text,
      url: postUrl(did, rkey),
      parent: parent === undefined ? null : `bluesky:${parent}`,
      createdAt: Math.max(0, Date.parse(post.data.createdAt)),
    };
  }
  const reaction = subjectRecord.safeParse(record);
  if (!reaction.success) return zodReject("malformed", reaction.error, uri);
  return {
    id: `bluesky:${uri}`,
    network: "bluesky",
    kind: "reaction",
    author: `bluesky:${did}`,
    body: collection === "app.bsky.feed.like" ? "like" : "repost",
    url: null,
    parent: `bluesky:${reaction.data.subject.uri}`,
    createdAt: Math.max(0, Date.parse(reaction.data.createdAt)),
  };
}

/** Why the Firehose refused a commit, as a stable reject reason. */
export function rejectReason(error: unknown): string {
  const cause = error instanceof FirehoseParseError ? (error as Error & { cause?: unknown }).cause : error;
  if (cause instanceof RepoVerificationError) return "bad-signature";
  if (
    cause instanceof DidNotFoundError ||
    cause instanceof PoorlyFormattedDidError ||
    cause instanceof PoorlyFormattedDidDocumentError ||
    cause instanceof UnsupportedDidMethodError ||
    (cause instanceof Error && /could not resolve|signing key/i.test(cause.message))
  )
    return "unresolvable-did";
  return "unverifiable-commit";
}

function seqOf(value: unknown): number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const seq = (value as { seq?: unknown }).seq;
  return typeof seq === "number" && Number.isSafeInteger(seq) ? seq : undefined;
}

function repoOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const repo = (value as { repo?: unknown; did?: unknown }).repo ?? (value as { did?: unknown }).did;
  return typeof repo === "string" ? repo : undefined;
}

export class BlueskyConnector implements Connector {
  readonly network = "bluesky" as const;
  readonly name: string;
  readonly streams: readonly string[];
  readonly #settings: BlueskySettings;
  readonly #ctx: ConnectorContext;
  readonly #idResolver: IdResolver;
  readonly #dids: ReadonlySet<string>;
  #firehose: Firehose | undefined;
  /** Buffered firehose entries, in seq order, not yet known to be committed. */
  #buffer: Entry[] = [];
  /** The highest seq buffered (the subscription resumes after it when it reconnects). */
  #seen: number | undefined;
  #drained: (() => void) | undefined;
  #closed = false;
  /** The subscription's last failure, until an event arrives again: a poll with nothing buffered reports it. */
  #failure: string | undefined;

  constructor(settings: BlueskySettings, ctx: ConnectorContext, signal?: AbortSignal) {
    this.name = settings.name;
    this.#settings = settings;
    this.#ctx = ctx;
    this.#dids = new Set(settings.dids);
    this.#idResolver = new IdResolver({
      plcUrl: settings.plcUrl,
      timeout: 5_000,
      ...(settings.identityFetch === undefined ? {} : { fetch: settings.identityFetch }),
    });
    this.streams = [
      FIREHOSE_STREAM,
      ...(settings.appviewUrl === undefined ? [] : settings.authorFeeds.map((a) => `author:${a}`)),
    ];
    signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  async poll(stream: string, cursor: Cursor | undefined): Promise<Page> {
    if (stream === FIREHOSE_STREAM) return this.#pollFirehose(cursor);
    if (stream.startsWith("author:")) return this.#pollAuthorFeed(stream.slice("author:".length), cursor);
    throw new UpstreamMalformedError(this.#settings.firehoseUrl, `no stream ${stream}`);
  }

  /** Ends the subscription (the node's stop, or a test's). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#drained?.();
    const firehose = this.#firehose;
    this.#firehose = undefined;
    await firehose?.destroy();
  }

  #pollFirehose(cursor: Cursor | undefined): Page {
    const stored = seqCursor.safeParse(cursor);
    const from = stored.success ? stored.data.seq : undefined;
    if (this.#firehose === undefined && !this.#closed) this.#subscribe(from);
    // What the store already holds is dropped; the rest (a page lost to a failed commit included) is handed out.
    if (from !== undefined) this.#buffer = this.#buffer.filter((e) => e.seq > from);
    // A dropped subscription (being reopened by the Firehose) is a failed poll: recorded in the status, lag grows.
    if (this.#buffer.length === 0 && this.#failure !== undefined)
      throw new UpstreamError(this.#settings.firehoseUrl, 0, this.#failure);
    const page = this.#buffer.slice(0, this.#settings.pageSize);
    const last = page.at(-1);
    const items: Item[] = [];
    const rejects: Reject[] = [];
    for (const entry of page) {
      if (entry.item !== undefined) items.push(entry.item);
      if (entry.reject !== undefined) rejects.push(entry.reject);
    }
    return {
      items,
      rejects,
      cursor: last === undefined ? (from === undefined ? {} : { seq: from }) : { seq: last.seq },
      more: this.#buffer.length > page.length,
      onCommitted: () => {
        if (last === undefined) return;
        this.#buffer = this.#buffer.filter((e) => e.seq > last.seq);
        if (this.#buffer.length < this.#highWater) this.#drained?.();
      },
    };
  }

  get #highWater(): number {
    return this.#settings.pageSize * 4;
  }

  #subscribe(from: number | undefined): void {
    this.#seen = from;
    const log = this.#ctx.log;
    const firehose = new Firehose({
      idResolver: this.#idResolver,
      service: this.#settings.firehoseUrl.replace(/^http/, "ws"),
      filterCollections: [...this.#settings.collections],
      excludeIdentity: true,
      excludeAccount: true,
      excludeSync: true,
      subscriptionReconnectDelay: this.#settings.reconnectDelayMs ?? 3_000,
      getCursor: () => this.#seen,
      handleEvent: (event) => this.#onEvent(event),
      onError: (error) => this.#onError(error),
    });
    this.#firehose = firehose;
    log.info({ url: this.#settings.firehoseUrl, cursor: from ?? null }, "firehose subscribed");
    void firehose.start();
  }

  async #push(entry: Entry): Promise<void> {
    if (this.#seen !== undefined && entry.seq < this.#seen) return;
    this.#buffer.push(entry);
    this.#seen = entry.seq;
    this.#failure = undefined;
    // Backpressure: the Firehose awaits each event, so waiting here stops reading until the store catches up.
    while (this.#buffer.length >= this.#highWater && !this.#closed)
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
  }

  async #onEvent(event: Event): Promise<void> {
    if (event.event !== "create") return;
    if (this.#dids.size > 0 && !this.#dids.has(event.did)) return;
    const made = recordToItem(event.did, event.collection, event.rkey, event.record);
    await this.#push("reason" in made ? { seq: event.seq, reject: made } : { seq: event.seq, item: made });
  }

  #onError(error: Error): void {
    if (error instanceof FirehoseParseError) {
      const seq = seqOf(error.event);
      const repo = repoOf(error.event);
      if (seq !== undefined && (this.#dids.size === 0 || repo === undefined || this.#dids.has(repo))) {
        const cause = (error as Error & { cause?: unknown }).cause ?? error;
        const reject: Reject = {
          reason: rejectReason(error),
          detail: `commit ${seq} by ${repo ?? "?"}: ${describeError(cause)}`,
          ...(repo === undefined ? {} : { nativeId: `${repo}@${seq}` }),
        };
        void this.#push({ seq, reject });
        return;
      }
    }
    if (error instanceof FirehoseValidationError) {
      const seq = seqOf(error.value);
      if (seq !== undefined) {
        void this.#push({ seq, reject: { reason: "malformed", detail: `firehose message ${seq}: ${error.message}` } });
        return;
      }
    }
    if (error instanceof FirehoseSubscriptionError)
      this.#failure = describeError((error as Error & { cause?: unknown }).cause ?? error);
    this.#ctx.log.warn({ err: describeError(error) }, "firehose error");
  }

  async #pollAuthorFeed(actor: string, cursor: Cursor | undefined): Promise<Page> {
    const appview = this.#settings.appviewUrl;
    if (appview === undefined) throw new UpstreamMalformedError(actor, "no appviewUrl configured");
    const stored = headCursor.safeParse(cursor);
    const head = stored.success ? stored.data.head : null;
    const items: Item[] = [];
    const rejects: Reject[] = [];
    let newest: string | null = null;
    let pageCursor: string | undefined;
    // Newest first: read back until the stored head (or the feed's end), then store the newest uri as the head.
    for (let pages = 0; pages < 20; pages++) {
      const url = new URL("/xrpc/app.bsky.feed.getAuthorFeed", appview);
      url.searchParams.set("actor", actor);
      url.searchParams.set("limit", String(Math.min(100, this.#settings.pageSize)));
      url.searchParams.set("filter", "posts_no_replies");
      if (pageCursor !== undefined) url.searchParams.set("cursor", pageCursor);
      const response = await this.#ctx.upstream.request(url.toString(), { headers: { accept: "application/json" } });
      const parsed = authorFeedSchema.safeParse(await response.json());
      if (!parsed.success) throw new UpstreamMalformedError(url.toString(), parsed.error.issues[0]?.message ?? "");
      let reachedHead = false;
      for (const entry of parsed.data.feed) {
        const uri = entry.post.uri;
        if (uri === head) {
          reachedHead = true;
          break;
        }
        newest ??= uri;
        const match = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
        if (match === null) {
          rejects.push({ reason: "malformed", detail: `not an at:// record uri: ${uri}` });
          continue;
        }
        const [, did = "", collection = "", rkey = ""] = match;
        const made = recordToItem(did, collection, rkey, entry.post.record);
        if ("reason" in made) rejects.push(made);
        else items.push(made);
      }
      pageCursor = parsed.data.cursor;
      if (reachedHead || pageCursor === undefined || parsed.data.feed.length === 0) break;
    }
    return { items, rejects, cursor: { head: newest ?? head }, more: false };
  }
}

const authorFeedSchema = z.object({
  cursor: z.string().optional(),
  feed: z.array(z.object({ post: z.object({ uri: z.string(), record: z.unknown() }) })),
});
