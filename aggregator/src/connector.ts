// The one interface every network's connector implements. A connector reads one or more streams (a Farcaster channel
// or fid, a Mastodon hashtag, a Lens filter, a feed URL), each from its own cursor: `poll` reads the page after the
// cursor and returns its items, the items it refused (with reasons) and the cursor after them. The runner stores the
// items and the new cursor in one transaction, so a crash between two pages replays at most the page in flight, and
// the items' canonical ids make that replay store nothing twice.
import type { Logger } from "@maskoii/node-kit";
import type { Item, Network, Reject } from "./item.ts";
import type { Upstream } from "./upstream.ts";

/** A stream's position, as JSON; each connector validates its own shape with zod on the way in. */
export type Cursor = { readonly [key: string]: string | number | boolean | null };

export type Page = {
  readonly items: readonly Item[];
  readonly rejects: readonly Reject[];
  /** The cursor to store with these items (the next poll starts there). */
  readonly cursor: Cursor;
  /** Whether the upstream has more right now (poll again in the same tick), or the stream is caught up. */
  readonly more: boolean;
  /** Called once the page is committed (a connector may then forget what it no longer needs to re-read). */
  readonly onCommitted?: () => void;
};

export interface Connector {
  /** The configured name: metrics, logs and the store key on it. */
  readonly name: string;
  readonly network: Network;
  /** The streams this connector reads, each with its own cursor. */
  readonly streams: readonly string[];
  /** Reads the page after `cursor` (undefined: the stream's start) of `stream`. */
  poll(stream: string, cursor: Cursor | undefined): Promise<Page>;
}

/** What a connector gets from the node: its own upstream client (retries, rate limits) and a logger. */
export type ConnectorContext = { readonly upstream: Upstream; readonly log: Logger };
