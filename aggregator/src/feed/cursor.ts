// Feed cursors: opaque (base64url JSON), one per served entry. A cursor fixes the feed's `asOf` (every input is read
// as of then: items and reactions ingested by then, settings and feedback received by then) and names the position
// after its entry and the last organic item up to it; it is bound to the persona and community it was issued for.
import { z } from "zod";

const cursorSchema = z
  .object({
    v: z.literal(1),
    a: z.number().int().nonnegative(),
    p: z.number().int().nonnegative().max(1_000_000),
    l: z.string().max(1_000).nullable(),
    c: z.string().max(20),
    u: z.string().max(42),
  })
  .strict();
export type FeedCursor = {
  /** asOf, unix ms. */
  readonly asOf: number;
  /** The position the next page starts at. */
  readonly position: number;
  /** The last organic item served up to it (the next page restarts after it when it still ranks). */
  readonly lastId: string | null;
  readonly community: string;
  /** The persona (lowercase), or "" for the anonymous feed. */
  readonly persona: string;
};

export function encodeFeedCursor(c: FeedCursor): string {
  return Buffer.from(
    JSON.stringify({ v: 1, a: c.asOf, p: c.position, l: c.lastId, c: c.community, u: c.persona }),
  ).toString("base64url");
}

/** The cursor, or undefined when it is not one this node issued. */
export function decodeFeedCursor(text: string): FeedCursor | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    if (!parsed.success) return undefined;
    const d = parsed.data;
    return { asOf: d.a, position: d.p, lastId: d.l, community: d.c, persona: d.u };
  } catch {
    return undefined;
  }
}
