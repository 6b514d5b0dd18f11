// Farcaster through a hub's HTTP API (Hubble and Snapchain speak the same shapes): a channel's casts
// (`/v1/castsByParent?url=`), a user's casts (`/v1/castsByFid?fid=`), and the reactions to each new cast
// (`/v1/reactionsByCast?target_fid=&target_hash=`), paged with `pageSize`/`pageToken` and the answer's
// `nextPageToken`. Every message is verified (farcaster-message.ts) before it becomes an item.
import { FARCASTER_EPOCH, type FarcasterNetwork, MessageType, ReactionType } from "@farcaster/core";
import { z } from "zod";
import type { Connector, ConnectorContext, Cursor, Page } from "../connector.ts";
import { UpstreamMalformedError } from "../errors.ts";
import type { Item, Reject } from "../item.ts";
import { type SignerSource, verifyHubMessage } from "./farcaster-message.ts";

export type FarcasterSettings = {
  readonly name: string;
  readonly hubUrl: string;
  readonly channels: readonly string[];
  readonly fids: readonly number[];
  readonly reactions: boolean;
  readonly pageSize: number;
  readonly network: FarcasterNetwork;
  readonly signers: SignerSource;
};

const pageSchema = z.object({ messages: z.array(z.unknown()), nextPageToken: z.string().optional() });
const cursorSchema = z.object({ pageToken: z.string().nullable() });

/** Hub requests in flight per poll (casts checked and reactions read at once). */
const CONCURRENCY = 16;

/** `fn` over `inputs`, at most `limit` at a time; results in the inputs' order. */
async function mapLimit<T, R>(inputs: readonly T[], limit: number, fn: (input: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await fn(inputs[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return out;
}

export const castId = (hash: string): string => `farcaster:cast:${hash.toLowerCase()}`;

export class FarcasterConnector implements Connector {
  readonly network = "farcaster" as const;
  readonly name: string;
  readonly streams: readonly string[];
  readonly #settings: FarcasterSettings;
  readonly #ctx: ConnectorContext;
  /**
   * Casts whose reactions are committed: the last page of a stream is re-read on every poll, and its casts' reactions
   * need not be fetched again. In memory only (a restart reads them once more; the store skips what it has).
   */
  readonly #reactionsRead = new Set<string>();

  constructor(settings: FarcasterSettings, ctx: ConnectorContext) {
    this.name = settings.name;
    this.#settings = settings;
    this.#ctx = ctx;
    this.streams = [...settings.channels.map((url) => `channel:${url}`), ...settings.fids.map((fid) => `fid:${fid}`)];
  }

  #url(path: string, params: Record<string, string | number>): string {
    const url = new URL(path, this.#settings.hubUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async #page(url: string): Promise<z.infer<typeof pageSchema>> {
    const parsed = pageSchema.safeParse(await this.#ctx.upstream.json(url));
    if (!parsed.success) throw new UpstreamMalformedError(url, parsed.error.issues[0]?.message ?? "not a page");
    return parsed.data;
  }

  async poll(stream: string, cursor: Cursor | undefined): Promise<Page> {
    const from = cursorSchema.safeParse(cursor ?? { pageToken: null });
    const pageToken = from.success ? from.data.pageToken : null;
    const [kind, ...rest] = stream.split(":");
    const key = rest.join(":");
    const params: Record<string, string | number> = { pageSize: this.#settings.pageSize };
    if (pageToken !== null) params.pageToken = pageToken;
    const url =
      kind === "channel"
        ? this.#url("/v1/castsByParent", { url: key, ...params })
        : this.#url("/v1/castsByFid", { fid: key, ...params });
    const page = await this.#page(url);
    // Casts are checked, and their reactions read, CONCURRENCY at a time (each is a round trip to the hub: signers,
    // reactionsByCast); the page's items keep the hub's order: its casts, then their reactions.
    const casts = await mapLimit(page.messages, CONCURRENCY, (raw) => this.#cast(raw));
    const items: Item[] = [];
    const rejects: Reject[] = [];
    for (const result of casts) {
      if ("reason" in result) rejects.push(result);
      else items.push(result);
    }
    const read: string[] = [];
    if (this.#settings.reactions) {
      const fresh = items.filter((i) => !this.#reactionsRead.has(i.id));
      const found = await mapLimit(fresh, CONCURRENCY, (cast) => this.#reactions(cast));
      for (const [k, f] of found.entries()) {
        items.push(...f.items);
        rejects.push(...f.rejects);
        read.push((fresh[k] as Item).id);
      }
    }
    const next = page.nextPageToken ?? "";
    // At the end, keep the token that read this last page: the next poll re-reads it (stored items are skipped) and
    // goes on from there, where a token-less request would start the stream over.
    return {
      items,
      rejects,
      cursor: { pageToken: next === "" ? pageToken : next },
      more: next !== "",
      onCommitted: () => {
        if (this.#reactionsRead.size > 100_000) this.#reactionsRead.clear();
        for (const id of read) this.#reactionsRead.add(id);
      },
    };
  }

  async #cast(raw: unknown): Promise<Item | Reject> {
    const verified = await verifyHubMessage(raw, this.#settings);
    if ("reason" in verified) return verified;
    const { data, hash } = verified;
    const body = data.castAddBody;
    if (data.type !== MessageType.CAST_ADD || body === undefined) {
      return { reason: "not-a-cast", detail: `message type ${data.type}`, nativeId: hash };
    }
    const parentHash = body.parentCastId?.hash;
    return {
      id: castId(hash),
      network: "farcaster",
      kind: "post",
      author: `farcaster:fid:${data.fid}`,
      body: body.text,
      url: null,
      parent:
        body.parentUrl ?? (parentHash === undefined ? null : castId(`0x${Buffer.from(parentHash).toString("hex")}`)),
      createdAt: FARCASTER_EPOCH + data.timestamp * 1_000,
    };
  }

  /** Every reaction to `cast`, all pages (a cast's reactions are read once, when the cast is first ingested). */
  async #reactions(cast: Item): Promise<{ items: Item[]; rejects: Reject[] }> {
    const items: Item[] = [];
    const rejects: Reject[] = [];
    const fid = cast.author.slice("farcaster:fid:".length);
    const hash = cast.id.slice("farcaster:cast:".length);
    let pageToken = "";
    for (let pages = 0; pages < 100; pages++) {
      const params: Record<string, string | number> = {
        target_fid: fid,
        target_hash: hash,
        pageSize: this.#settings.pageSize,
      };
      if (pageToken !== "") params.pageToken = pageToken;
      const page = await this.#page(this.#url("/v1/reactionsByCast", params));
      for (const raw of page.messages) {
        const verified = await verifyHubMessage(raw, this.#settings);
        if ("reason" in verified) {
          rejects.push(verified);
          continue;
        }
        const { data } = verified;
        const target = data.reactionBody?.targetCastId;
        if (data.type !== MessageType.REACTION_ADD || target === undefined) {
          rejects.push({ reason: "not-a-reaction", detail: `message type ${data.type}`, nativeId: verified.hash });
          continue;
        }
        const targetId = castId(`0x${Buffer.from(target.hash).toString("hex")}`);
        if (targetId !== cast.id) {
          rejects.push({ reason: "wrong-target", detail: `reacts to ${targetId}`, nativeId: verified.hash });
          continue;
        }
        items.push({
          id: `farcaster:reaction:${verified.hash}`,
          network: "farcaster",
          kind: "reaction",
          author: `farcaster:fid:${data.fid}`,
          body: data.reactionBody?.type === ReactionType.RECAST ? "recast" : "like",
          url: null,
          parent: cast.id,
          createdAt: FARCASTER_EPOCH + data.timestamp * 1_000,
        });
      }
      pageToken = page.nextPageToken ?? "";
      if (pageToken === "") break;
    }
    return { items, rejects };
  }
}
