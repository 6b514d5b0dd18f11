// A community's aggregated timeline (issue 15 point 3): the posts of its sources' streams, newest first, each under its
// canonical id, with
// - cross-network deduplication: posts sharing a link (the post's URL or a link in its text, normalized) or the same
//   normalized text are one entry, under the earliest post, the others listed as `duplicates`;
// - authors resolved to personas through the IdentityRegistry's current bindings (a revoked binding resolves to none);
// - moderation: `hide` / `pin` (and `unhide` / `unpin`) signed by a key the CommunityRegistry lists as the
//   community's moderator, the latest action per item winning;
// - sealed posts: a body carrying a sealed payload (`maskoii-sealed:v1:0x…`, the sdk's `sealPayload` layout) is served
//   as its ciphertext only. The node holds no key and never opens it.
// Pages are cut by an opaque cursor (the last entry's time and id), so a page boundary is stable while posts arrive.
import { RequestRejectedError } from "@maskoii/node-kit";
import { SEAL_OVERHEAD, SEALED_PAYLOAD_VERSION } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, recoverMessageAddress } from "viem";
import { z } from "zod";
import { accountOfAuthor } from "./accounts.ts";
import type { CommunityReader, StreamRef } from "./communities.ts";
import type { AggregatorStore } from "./store.ts";

export const TIMELINE_MIGRATIONS = [
  {
    version: 1530,
    name: "aggregator community moderation",
    sql: `
CREATE TABLE agg_moderation (
  community_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  active BOOLEAN NOT NULL,
  at BIGINT NOT NULL,
  moderator TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (community_id, item_id, kind)
)`,
  },
] as const;

/** How many of a community's newest posts a timeline is built from (deduplication and pins look at these). */
export const TIMELINE_WINDOW = 5_000;
export const MAX_TIMELINE_LIMIT = 100;
export const DEFAULT_TIMELINE_LIMIT = 20;

const SEALED_RE = /maskoii-sealed:v1:(0x[0-9a-fA-F]+)/;

/** The ciphertext of a sealed post (a well-formed sealed payload), or undefined for a public post. */
export function sealedPayloadOf(body: string): Hex | undefined {
  const hex = SEALED_RE.exec(body)?.[1];
  if (hex === undefined || hex.length % 2 !== 0) return undefined;
  const bytes = (hex.length - 2) / 2;
  if (bytes < SEAL_OVERHEAD || Number.parseInt(hex.slice(2, 4), 16) !== SEALED_PAYLOAD_VERSION) return undefined;
  return hex.toLowerCase() as Hex;
}

/** The text to post for a sealed payload. */
export function sealedPostText(sealed: Hex): string {
  return `maskoii-sealed:v1:${sealed}`;
}

const TRACKING = /^(utm_[a-z]+|fbclid|gclid|ref|ref_src)$/i;

/** A link as deduplication compares it: https, host lowercased without www, no fragment, tracking or trailing slash. */
export function normalizeLink(link: string): string | undefined {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  for (const key of [...url.searchParams.keys()]) if (TRACKING.test(key)) url.searchParams.delete(key);
  url.searchParams.sort();
  const path = url.pathname.replace(/\/+$/, "");
  const query = url.searchParams.toString();
  return `${url.host.toLowerCase().replace(/^www\./, "")}${path}${query === "" ? "" : `?${query}`}`;
}

const LINK_RE = /https?:\/\/[^\s<>"')\]]+/g;

/** Text as deduplication compares it: links dropped, lowercased, letters and digits only, single spaces. */
export function normalizeText(body: string): string {
  return body
    .replace(LINK_RE, " ")
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Shorter normalized texts ("gm") are too common to mean a cross-post. */
const MIN_TEXT_KEY = 16;

function dedupKeys(post: { body: string; url: string | null }): string[] {
  const keys = new Set<string>();
  for (const link of [...(post.url === null ? [] : [post.url]), ...(post.body.match(LINK_RE) ?? [])]) {
    const n = normalizeLink(link);
    if (n !== undefined) keys.add(`link:${n}`);
  }
  const text = normalizeText(post.body);
  if (text.length >= MIN_TEXT_KEY) keys.add(`text:${text}`);
  return [...keys];
}

export type TimelineEntry = {
  readonly id: string;
  readonly network: string;
  readonly author: { readonly id: string; readonly persona: Address | null };
  /** The text; null for a sealed post. */
  readonly body: string | null;
  /** A sealed post's ciphertext (the sdk's sealed payload), exactly as posted. */
  readonly sealed: Hex | null;
  readonly url: string | null;
  readonly parent: string | null;
  readonly createdAt: number;
  /** The same post on other networks or accounts (cross-posts), by canonical id. */
  readonly duplicates: readonly string[];
  readonly pinned: boolean;
};

export type TimelinePage = {
  readonly community: string;
  readonly entries: readonly TimelineEntry[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  readonly nextCursor: string | null;
  /** Source descriptors of the community no connector of this node reads. */
  readonly unresolvedSources: readonly string[];
};

/** A moderation action as a moderator signs it (EIP-191 personal_sign over `moderationStatement`). */
export const moderationActionSchema = z
  .object({
    community: z.string().regex(/^[1-9][0-9]{0,19}$/, "expected a community id"),
    action: z.enum(["hide", "unhide", "pin", "unpin"]),
    item: z.string().min(3).max(512),
    /** Unix seconds; a later action on the same item and kind replaces an earlier one. */
    at: z.number().int().positive(),
  })
  .strict();
export type ModerationAction = z.infer<typeof moderationActionSchema>;

export const signedModerationSchema = moderationActionSchema
  .extend({ signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature") })
  .strict();
export type SignedModeration = z.infer<typeof signedModerationSchema>;

export function moderationStatement(a: ModerationAction): string {
  return [
    "maskoii moderation v1",
    `community: ${a.community}`,
    `action: ${a.action}`,
    `item: ${a.item}`,
    `at: ${a.at}`,
  ].join("\n");
}

type Row = Record<string, unknown>;

const cursorSchema = z.object({ t: z.number().int().nonnegative(), id: z.string().min(1) }).strict();

export function encodeCursor(entry: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify({ t: entry.createdAt, id: entry.id })).toString("base64url");
}

/** The cursor's position, or undefined when it is not one this node issued. */
export function decodeCursor(cursor: string): { t: number; id: string } | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class TimelineService {
  readonly #store: AggregatorStore;
  readonly #reader: CommunityReader;
  readonly #streamsOf: (descriptors: readonly string[]) => { streams: StreamRef[]; unresolved: string[] };
  readonly #cacheMs: number;
  /** Built timelines by community and streams (see `#cachedEntries`). */
  readonly #cache = new Map<string, { at: number; entries: Promise<TimelineEntry[]>; refreshing: boolean }>();

  /**
   * `cacheMs`: how long a built timeline is served before it is rebuilt (0: built on every request). A stale one is
   * still served while its rebuild runs, and requests arriving together share one build, so a burst of requests costs
   * one build; a moderation action drops its community's timeline at once.
   */
  constructor(
    store: AggregatorStore,
    reader: CommunityReader,
    streamsOf: (descriptors: readonly string[]) => { streams: StreamRef[]; unresolved: string[] },
    options: { readonly cacheMs?: number } = {},
  ) {
    this.#store = store;
    this.#reader = reader;
    this.#streamsOf = streamsOf;
    this.#cacheMs = options.cacheMs ?? 0;
  }

  #cachedEntries(community: string, streams: readonly StreamRef[]): Promise<TimelineEntry[]> {
    if (this.#cacheMs <= 0) return this.#entries(community, streams);
    const key = `${community}\n${streams.map((s) => `${s.connector}\t${s.stream}`).join("\n")}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      if (Date.now() - hit.at >= this.#cacheMs && !hit.refreshing) {
        hit.refreshing = true;
        const next = this.#entries(community, streams);
        next.then(
          () => {
            if (this.#cache.get(key) === hit)
              this.#cache.set(key, { at: Date.now(), entries: next, refreshing: false });
          },
          () => {
            hit.refreshing = false;
          },
        );
      }
      return hit.entries;
    }
    if (this.#cache.size >= 1_000) this.#cache.clear();
    const entry = { at: Date.now(), entries: this.#entries(community, streams), refreshing: false };
    this.#cache.set(key, entry);
    entry.entries.catch(() => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
    });
    return entry.entries;
  }

  /**
   * Applies a moderator's signed action: the signer must be a moderator of the community on chain. An action older
   * than the one stored for the same item and kind is ignored (returns false).
   */
  async moderate(signed: SignedModeration): Promise<boolean> {
    const { signature, ...action } = signed;
    const signer = getAddress(
      await recoverMessageAddress({ message: moderationStatement(action), signature: signature as Hex }),
    );
    if (!(await this.#reader.isModerator(BigInt(action.community), signer))) {
      throw new RequestRejectedError(403, `${signer} is not a moderator of community ${action.community}`, {
        field: "signature",
      });
    }
    const kind = action.action === "hide" || action.action === "unhide" ? "hide" : "pin";
    const active = action.action === "hide" || action.action === "pin";
    const rows = await this.#store.db.query(
      `INSERT INTO agg_moderation (community_id, item_id, kind, active, at, moderator, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (community_id, item_id, kind) DO UPDATE SET active = excluded.active, at = excluded.at,
         moderator = excluded.moderator, signature = excluded.signature
       WHERE agg_moderation.at < excluded.at RETURNING item_id`,
      [action.community, action.item, kind, active, action.at, signer, signature],
    );
    for (const key of this.#cache.keys()) if (key.startsWith(`${action.community}\n`)) this.#cache.delete(key);
    return rows.length > 0;
  }

  /** One page of the community's timeline (undefined when the community does not exist on chain). */
  async page(
    communityId: bigint,
    options: { limit?: number; cursor?: { t: number; id: string } } = {},
  ): Promise<TimelinePage | undefined> {
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_TIMELINE_LIMIT, 1), MAX_TIMELINE_LIMIT);
    const descriptors = await this.#reader.sourcesOf(communityId);
    if (descriptors === undefined) return undefined;
    const { streams, unresolved } = this.#streamsOf(descriptors);
    const community = communityId.toString();
    const entries = await this.#cachedEntries(community, streams);
    const pinned = entries.filter((e) => e.pinned);
    const flow = entries.filter((e) => !e.pinned);
    const after = options.cursor;
    const rest =
      after === undefined
        ? flow
        : flow.filter((e) => e.createdAt < after.t || (e.createdAt === after.t && e.id < after.id));
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return {
      community,
      entries: after === undefined ? [...pinned, ...page] : page,
      nextCursor: rest.length > limit && last !== undefined ? encodeCursor(last) : null,
      unresolvedSources: unresolved,
    };
  }

  /**
   * Every entry of the community's timeline (pinned first), undefined when the community does not exist on chain.
   * With `asOf` (ms), only posts made and ingested by then (the feed reads a timeline as of a fixed time).
   */
  async entries(
    communityId: bigint,
    options: { asOf?: number } = {},
  ): Promise<{ entries: TimelineEntry[]; unresolved: string[]; descriptors: string[] } | undefined> {
    const descriptors = await this.#reader.sourcesOf(communityId);
    if (descriptors === undefined) return undefined;
    const { streams, unresolved } = this.#streamsOf(descriptors);
    return { entries: await this.#entries(communityId.toString(), streams, options.asOf), unresolved, descriptors };
  }

  async #entries(community: string, streams: readonly StreamRef[], asOf?: number): Promise<TimelineEntry[]> {
    if (streams.length === 0) return [];
    const params: unknown[] = [];
    const where = streams
      .map((s) => {
        params.push(s.connector, s.stream);
        return `(connector = $${params.length - 1} AND stream = $${params.length})`;
      })
      .join(" OR ");
    let asOfClause = "";
    if (asOf !== undefined) {
      params.push(asOf);
      asOfClause = ` AND created_at <= $${params.length} AND ingested_at <= $${params.length}`;
    }
    params.push(TIMELINE_WINDOW);
    const rows = await this.#store.db.query<Row>(
      `SELECT * FROM agg_items WHERE kind = 'post' AND id IN (SELECT item_id FROM agg_item_streams WHERE ${where})${asOfClause}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const moderation = await this.#store.db.query<{ item_id: string; kind: string; active: unknown; at: unknown }>(
      "SELECT item_id, kind, active, at FROM agg_moderation WHERE community_id = $1",
      [community],
    );
    const hidden = new Set<string>();
    const pins = new Map<string, number>();
    for (const m of moderation) {
      if (!(m.active === true || m.active === 1 || m.active === "1" || m.active === "t")) continue;
      if (m.kind === "hide") hidden.add(m.item_id);
      else pins.set(m.item_id, Number(m.at));
    }

    // Oldest first, so the first post of a cross-posted set is the entry the others join.
    type Group = { first: Row; members: string[]; sealed: Hex | undefined };
    const groups: Group[] = [];
    const byKey = new Map<string, Group>();
    for (const row of [...rows].reverse()) {
      const body = String(row.body);
      const sealed = sealedPayloadOf(body);
      const keys = sealed === undefined ? dedupKeys({ body, url: row.url === null ? null : String(row.url) }) : [];
      const existing = keys.map((k) => byKey.get(k)).find((g) => g !== undefined);
      if (existing !== undefined) {
        existing.members.push(String(row.id));
        for (const k of keys) if (!byKey.has(k)) byKey.set(k, existing);
        continue;
      }
      const group: Group = { first: row, members: [String(row.id)], sealed };
      groups.push(group);
      for (const k of keys) byKey.set(k, group);
    }

    const personas = new Map<string, Promise<Address | undefined>>();
    const personaOf = (author: string): Promise<Address | undefined> => {
      let p = personas.get(author);
      if (p === undefined) {
        const account = accountOfAuthor(author);
        p =
          account === undefined
            ? Promise.resolve(undefined)
            : this.#reader.personaOf(account.platform, account.accountId);
        personas.set(author, p);
      }
      return p;
    };

    const visible = groups.filter((g) => !g.members.some((id) => hidden.has(id)));
    const entries = await Promise.all(
      visible.map(async (g): Promise<TimelineEntry & { pinAt: number }> => {
        const row = g.first;
        const id = String(row.id);
        const author = String(row.author);
        const pinAt = Math.max(-1, ...g.members.map((m) => pins.get(m) ?? -1));
        return {
          id,
          network: String(row.network),
          author: { id: author, persona: (await personaOf(author)) ?? null },
          body: g.sealed === undefined ? String(row.body) : null,
          sealed: g.sealed ?? null,
          url: row.url === null ? null : String(row.url),
          parent: row.parent === null ? null : String(row.parent),
          createdAt: Number(row.created_at),
          duplicates: g.members.slice(1),
          pinned: pinAt >= 0,
          pinAt,
        };
      }),
    );
    entries.sort((a, b) =>
      a.pinned !== b.pinned
        ? a.pinned
          ? -1
          : 1
        : a.pinned && a.pinAt !== b.pinAt
          ? b.pinAt - a.pinAt
          : b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    return entries.map(({ pinAt: _pinAt, ...e }) => e);
  }
}
