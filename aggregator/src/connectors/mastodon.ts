// Mastodon (and any server with its API): a hashtag's public timeline, `GET /api/v1/timelines/tag/:hashtag`, read
// forward with `min_id` (the page right after the cursor) and the `Link` header's `prev` relation for the next
// cursor. The instance's `X-RateLimit-*` headers are honoured by the upstream client. A status's canonical id is its
// ActivityPub URI, the same on every instance, so one status seen through two instances is stored once.
import { z } from "zod";
import type { Connector, ConnectorContext, Cursor, Page } from "../connector.ts";
import { UpstreamMalformedError } from "../errors.ts";
import { type Item, type Reject, zodReject } from "../item.ts";
import { htmlToText } from "./html-text.ts";
import { parseLinkHeader } from "./link-header.ts";

export type MastodonSettings = {
  readonly name: string;
  readonly instanceUrl: string;
  readonly hashtags: readonly string[];
  /** Statuses per page (Mastodon allows at most 40). */
  readonly limit: number;
};

export const mastodonStatusSchema = z.object({
  id: z.string().regex(/^\d+$/),
  uri: z.string().url(),
  url: z.string().url().nullable().optional(),
  created_at: z.string().datetime({ offset: true }),
  content: z.string(),
  in_reply_to_id: z.string().nullable().optional(),
  account: z.object({ id: z.string(), acct: z.string().min(1) }),
  reblog: z.unknown().nullable().optional(),
});

const cursorSchema = z.object({ minId: z.string().regex(/^\d+$/) });

/** Mastodon ids are decimal snowflakes: compare by length, then digits. */
const later = (a: string, b: string): boolean => a.length > b.length || (a.length === b.length && a > b);

export class MastodonConnector implements Connector {
  readonly network = "mastodon" as const;
  readonly name: string;
  readonly streams: readonly string[];
  /** The instance's host (community source descriptors `mastodon:tag:<host>#<tag>` name it). */
  readonly instanceHost: string;
  readonly #settings: MastodonSettings;
  readonly #ctx: ConnectorContext;
  readonly #host: string;

  constructor(settings: MastodonSettings, ctx: ConnectorContext) {
    this.name = settings.name;
    this.#settings = settings;
    this.#ctx = ctx;
    this.#host = new URL(settings.instanceUrl).host;
    this.instanceHost = this.#host.toLowerCase();
    this.streams = settings.hashtags.map((tag) => `tag:${tag.replace(/^#/, "")}`);
  }

  async poll(stream: string, cursor: Cursor | undefined): Promise<Page> {
    const from = cursorSchema.safeParse(cursor);
    const minId = from.success ? from.data.minId : "0";
    const tag = stream.slice("tag:".length);
    const url = new URL(`/api/v1/timelines/tag/${encodeURIComponent(tag)}`, this.#settings.instanceUrl);
    url.searchParams.set("limit", String(this.#settings.limit));
    url.searchParams.set("min_id", minId);
    const response = await this.#ctx.upstream.request(url.toString(), { headers: { accept: "application/json" } });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamMalformedError(url.toString(), "the body is not JSON");
    }
    if (!Array.isArray(body)) throw new UpstreamMalformedError(url.toString(), "expected an array of statuses");
    const items: Item[] = [];
    const rejects: Reject[] = [];
    let newest = minId;
    for (const raw of body) {
      const parsed = mastodonStatusSchema.safeParse(raw);
      const rawId = typeof raw === "object" && raw !== null && "id" in raw ? String(raw.id) : undefined;
      if (!parsed.success) {
        rejects.push(zodReject("malformed", parsed.error, rawId));
        continue;
      }
      const status = parsed.data;
      if (later(status.id, newest)) newest = status.id;
      if (status.reblog !== null && status.reblog !== undefined) continue;
      items.push(this.#item(status));
    }
    const prev = parseLinkHeader(response.headers.get("link")).get("prev")?.searchParams.get("min_id");
    const next = prev !== null && prev !== undefined && /^\d+$/.test(prev) && later(prev, newest) ? prev : newest;
    return { items, rejects, cursor: { minId: next }, more: body.length >= this.#settings.limit };
  }

  #item(status: z.infer<typeof mastodonStatusSchema>): Item {
    const acct = status.account.acct.includes("@") ? status.account.acct : `${status.account.acct}@${this.#host}`;
    return {
      id: `mastodon:${status.uri}`,
      network: "mastodon",
      kind: "post",
      author: `mastodon:acct:${acct.toLowerCase()}`,
      body: htmlToText(status.content),
      url: status.url ?? status.uri,
      parent: status.in_reply_to_id == null ? null : `mastodon:status:${this.#host}:${status.in_reply_to_id}`,
      createdAt: Date.parse(status.created_at),
    };
  }
}
