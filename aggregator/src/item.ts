// The canonical item every connector yields: one post or reaction of one network, keyed by a canonical id
// (`<network>:<native id>`) so that ingesting it twice stores it once. Timelines (issue 15 point 3) read items by
// source and author; identity bindings (point 2) key on `author` (network-qualified), so both plug in on these columns.
import { z } from "zod";

export const NETWORKS = ["farcaster", "mastodon", "lens", "rss", "bluesky"] as const;
export const networkSchema = z.enum(NETWORKS);
export type Network = z.infer<typeof networkSchema>;

export const itemSchema = z
  .object({
    /** `<network>:<native id>`: unique across every network and connector. */
    id: z.string().min(3).max(512),
    network: networkSchema,
    kind: z.enum(["post", "reaction"]),
    /** The network's author id, qualified by the network (`farcaster:fid:3`, `mastodon:acct:alice@example.social`). */
    author: z.string().min(1).max(512),
    /** Plain text of the post (empty for a reaction); sealed (private) bodies arrive as ciphertext and stay so. */
    body: z.string().max(100_000),
    /** The post's public URL, when it has one (cross-network deduplication reads it). */
    url: z.string().max(2048).nullable(),
    /** What the item replies to or reacts to: a canonical id or a URL (a channel, a parent post). */
    parent: z.string().max(2048).nullable(),
    /** When the author made it, in milliseconds since the Unix epoch. */
    createdAt: z.number().int().nonnegative(),
  })
  .strict();
export type Item = z.infer<typeof itemSchema>;

/** An item a connector refused: why (a stable name), and the native id when it could be read. */
export type Reject = { readonly reason: string; readonly detail: string; readonly nativeId?: string };

/** Splits the result of parsing every raw item of a page into the items and the rejects. */
export function partition(results: readonly (Item | Reject)[]): { items: Item[]; rejects: Reject[] } {
  const items: Item[] = [];
  const rejects: Reject[] = [];
  for (const r of results) {
    if ("reason" in r) rejects.push(r);
    else items.push(r);
  }
  return { items, rejects };
}

/** A zod failure as a reject reason: the first issue's path and message. */
export function zodReject(reason: string, error: z.ZodError, nativeId?: string): Reject {
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "(item)" : issue.path.map(String).join(".");
  return {
    reason,
    detail: `${where}: ${issue?.message ?? "invalid"}`,
    ...(nativeId === undefined ? {} : { nativeId }),
  };
}
