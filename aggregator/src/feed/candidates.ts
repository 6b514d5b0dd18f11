// The feed's candidate sources (the skeleton's input), each read as of a fixed time:
//   community       the timelines of the community asked for and the user's communities (TimelineService: deduped,
//                   moderated, authors resolved to personas);
//   follow          posts by authors the user follows, from anything this node stored;
//   out-of-network  well-engaged posts (≥ minReactions) of the other communities this node serves.
// Plus the engagement feature's input: reactions ingested by then whose parent is the post or one of its cross-posts.
import { accountOfAuthor } from "../accounts.ts";
import type { CommunityReader } from "../communities.ts";
import type { AggregatorStore } from "../store.ts";
import { sealedPayloadOf, type TimelineEntry, type TimelineService } from "../timeline.ts";
import type { Source } from "./rank.ts";

export type Candidate = { readonly entry: TimelineEntry; readonly source: Source; readonly community: string | null };

/** Posts read per followed-authors source. */
export const MAX_FOLLOW_POSTS = 1_000;

export async function communityCandidates(
  timelines: TimelineService,
  communities: readonly bigint[],
  asOf: number,
  source: Source,
): Promise<{ candidates: Candidate[]; descriptors: Map<string, string[]> }> {
  const candidates: Candidate[] = [];
  const descriptors = new Map<string, string[]>();
  for (const id of communities) {
    const timeline = await timelines.entries(id, { asOf });
    if (timeline === undefined) continue;
    descriptors.set(id.toString(), timeline.descriptors);
    for (const entry of timeline.entries) candidates.push({ entry, source, community: id.toString() });
  }
  return { candidates, descriptors };
}

export async function followCandidates(
  store: AggregatorStore,
  reader: CommunityReader,
  follows: readonly string[],
  asOf: number,
): Promise<Candidate[]> {
  if (follows.length === 0) return [];
  const rows = await store.db.query<Record<string, unknown>>(
    `SELECT * FROM agg_items WHERE kind = 'post' AND author = ANY($1) AND created_at <= $2 AND ingested_at <= $2
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [[...follows], asOf, MAX_FOLLOW_POSTS],
  );
  return Promise.all(
    rows.map(async (row): Promise<Candidate> => {
      const author = String(row.author);
      const account = accountOfAuthor(author);
      const persona = account === undefined ? undefined : await reader.personaOf(account.platform, account.accountId);
      const body = String(row.body);
      const sealed = sealedPayloadOf(body);
      return {
        source: "follow",
        community: null,
        entry: {
          id: String(row.id),
          network: String(row.network),
          author: { id: author, persona: persona ?? null },
          body: sealed === undefined ? body : null,
          sealed: sealed ?? null,
          url: row.url === null ? null : String(row.url),
          parent: row.parent === null ? null : String(row.parent),
          createdAt: Number(row.created_at),
          duplicates: [],
          pinned: false,
        },
      };
    }),
  );
}

/** Reactions ingested by `asOf` per candidate id (its cross-posts' reactions included). */
export async function reactionCounts(
  store: AggregatorStore,
  entries: readonly TimelineEntry[],
  asOf: number,
): Promise<Map<string, number>> {
  const owner = new Map<string, string>();
  for (const e of entries) for (const id of [e.id, ...e.duplicates]) owner.set(id, e.id);
  const counts = new Map<string, number>();
  const ids = [...owner.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db.query<{ parent: string; n: unknown }>(
      `SELECT parent, COUNT(*) AS n FROM agg_items WHERE kind = 'reaction' AND parent = ANY($1) AND ingested_at <= $2
       GROUP BY parent`,
      [ids.slice(i, i + 500), asOf],
    );
    for (const r of rows) {
      const id = owner.get(r.parent);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + Number(r.n));
    }
  }
  return counts;
}
