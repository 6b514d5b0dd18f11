// RSS, Atom, RDF and JSON Feed, parsed by `feedsmith`, fetched with conditional GETs: the feed's `ETag` and
// `Last-Modified` are stored in the stream's cursor and sent back as `If-None-Match` / `If-Modified-Since`, so an
// unchanged feed answers 304 with no body. An entry's canonical id hashes the feed URL with the entry's guid (or its
// link, or its title and date), so a feed re-read after a restart stores nothing twice.
import { createHash } from "node:crypto";
import { parseFeed } from "feedsmith";
import { z } from "zod";
import type { Connector, ConnectorContext, Cursor, Page } from "../connector.ts";
import { UpstreamMalformedError } from "../errors.ts";
import type { Item, Reject } from "../item.ts";
import { htmlToText } from "./html-text.ts";

export type RssSettings = { readonly name: string; readonly feeds: readonly string[] };

const cursorSchema = z.object({ etag: z.string().nullable(), lastModified: z.string().nullable() });

const text = z.union([z.string(), z.object({ value: z.string().optional() }).transform((v) => v.value ?? "")]);
const rssItem = z.object({
  title: z.string().optional(),
  link: z.string().optional(),
  description: z.string().optional(),
  content: z.object({ encoded: z.string().optional() }).optional(),
  guid: z.union([z.string(), z.object({ value: z.string() }).transform((g) => g.value)]).optional(),
  pubDate: z.string().optional(),
});
const atomEntry = z.object({
  id: z.string().optional(),
  title: text.optional(),
  links: z.array(z.object({ href: z.string(), rel: z.string().optional() })).optional(),
  content: text.optional(),
  summary: text.optional(),
  published: z.string().optional(),
  updated: z.string().optional(),
});
const jsonItem = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  url: z.string().optional(),
  title: z.string().optional(),
  content_text: z.string().optional(),
  content_html: z.string().optional(),
  date_published: z.string().optional(),
});

/** One entry, whatever the format: what an item is built from. */
type Entry = {
  key: string | undefined;
  title: string;
  body: string;
  link: string | undefined;
  date: string | undefined;
};

function entriesOf(parsed: unknown): { entries: unknown[]; normalize: (raw: unknown) => Entry | z.ZodError } {
  const shape = z.object({ format: z.string(), feed: z.record(z.string(), z.unknown()) }).parse(parsed);
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  switch (shape.format) {
    case "rss":
    case "rdf":
      return {
        entries: list(shape.feed.items),
        normalize: (raw) => {
          const r = rssItem.safeParse(raw);
          if (!r.success) return r.error;
          const e = r.data;
          return {
            key: e.guid ?? e.link,
            title: e.title ?? "",
            body: htmlToText(e.content?.encoded ?? e.description ?? ""),
            link: e.link,
            date: e.pubDate,
          };
        },
      };
    case "atom":
      return {
        entries: list(shape.feed.entries),
        normalize: (raw) => {
          const r = atomEntry.safeParse(raw);
          if (!r.success) return r.error;
          const e = r.data;
          const link = e.links?.find((l) => l.rel === undefined || l.rel === "alternate")?.href;
          return {
            key: e.id ?? link,
            title: e.title ?? "",
            body: htmlToText(e.content ?? e.summary ?? ""),
            link,
            date: e.published ?? e.updated,
          };
        },
      };
    default:
      return {
        entries: list(shape.feed.items),
        normalize: (raw) => {
          const r = jsonItem.safeParse(raw);
          if (!r.success) return r.error;
          const e = r.data;
          return {
            key: e.id === undefined ? e.url : String(e.id),
            title: e.title ?? "",
            body: e.content_text ?? htmlToText(e.content_html ?? ""),
            link: e.url,
            date: e.date_published,
          };
        },
      };
  }
}

export class RssConnector implements Connector {
  readonly network = "rss" as const;
  readonly name: string;
  readonly streams: readonly string[];
  readonly #ctx: ConnectorContext;

  constructor(settings: RssSettings, ctx: ConnectorContext) {
    this.name = settings.name;
    this.#ctx = ctx;
    this.streams = [...settings.feeds];
  }

  async poll(stream: string, cursor: Cursor | undefined): Promise<Page> {
    const from = cursorSchema.safeParse(cursor);
    const at = from.success ? from.data : { etag: null, lastModified: null };
    const headers: Record<string, string> = {
      accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8",
    };
    if (at.etag !== null) headers["if-none-match"] = at.etag;
    if (at.lastModified !== null) headers["if-modified-since"] = at.lastModified;
    const response = await this.#ctx.upstream.request(stream, { headers });
    if (response.status === 304) return { items: [], rejects: [], cursor: at, more: false };
    const body = await response.text();
    let parsed: ReturnType<typeof entriesOf>;
    try {
      parsed = entriesOf(parseFeed(body));
    } catch (error) {
      throw new UpstreamMalformedError(stream, `not a feed: ${(error as Error).message}`);
    }
    const items: Item[] = [];
    const rejects: Reject[] = [];
    const now = Date.now();
    for (const raw of parsed.entries) {
      const entry = parsed.normalize(raw);
      if (entry instanceof z.ZodError) {
        const issue = entry.issues[0];
        rejects.push({ reason: "malformed", detail: `${issue?.path.join(".") ?? "(entry)"}: ${issue?.message}` });
        continue;
      }
      const key = entry.key ?? (entry.title === "" ? undefined : `${entry.title}\n${entry.date ?? ""}`);
      if (key === undefined) {
        rejects.push({ reason: "no-identity", detail: "an entry with no guid, id, link or title" });
        continue;
      }
      const date = entry.date === undefined ? Number.NaN : Date.parse(entry.date);
      items.push({
        id: `rss:${createHash("sha256").update(`${stream}\n${key}`).digest("hex").slice(0, 40)}`,
        network: "rss",
        kind: "post",
        author: `rss:feed:${stream}`,
        body: entry.title === "" ? entry.body : entry.body === "" ? entry.title : `${entry.title}\n\n${entry.body}`,
        url: entry.link ?? null,
        parent: null,
        createdAt: Number.isFinite(date) ? date : now,
      });
    }
    return {
      items,
      rejects,
      cursor: { etag: response.headers.get("etag"), lastModified: response.headers.get("last-modified") },
      more: false,
    };
  }
}
