// Lens (v3 API): the `posts` GraphQL query, spoken directly (the v3 client is canary-only and online-only). The API
// pages newest first with opaque cursors, so a stream is read as walks from the newest post back to the newest one a
// previous walk stored (`head`); a walk's position (`walkCursor`) is stored with each page, so a node stopped
// mid-walk resumes it, and the head moves only when the walk is complete.
import { z } from "zod";
import type { Connector, ConnectorContext, Cursor, Page } from "../connector.ts";
import { UpstreamMalformedError } from "../errors.ts";
import { type Item, type Reject, zodReject } from "../item.ts";

export type LensSettings = {
  readonly name: string;
  readonly apiUrl: string;
  /** Named streams, each a `PostsRequest.filter` (feeds, authors, apps, searchQuery, ...), passed as given. */
  readonly streams: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly pageSize: "TEN" | "FIFTY";
};

export const POSTS_QUERY = `query Posts($request: PostsRequest!) {
  posts(request: $request) {
    items {
      __typename
      ... on Post {
        id
        slug
        timestamp
        author { address username { value } }
        commentOn { id }
        metadata {
          __typename
          ... on TextOnlyMetadata { content }
          ... on ArticleMetadata { content }
          ... on ImageMetadata { content }
          ... on LinkMetadata { content sharingLink }
        }
      }
    }
    pageInfo { prev next }
  }
}`;

const answerSchema = z.object({
  data: z
    .object({
      posts: z.object({
        items: z.array(z.unknown()),
        pageInfo: z.object({ prev: z.string().nullable().optional(), next: z.string().nullable().optional() }),
      }),
    })
    .nullable()
    .optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

export const postSchema = z.object({
  __typename: z.literal("Post"),
  id: z.string().min(1),
  slug: z.string().optional(),
  timestamp: z.string().datetime({ offset: true }),
  author: z.object({ address: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }),
  commentOn: z.object({ id: z.string() }).nullable().optional(),
  metadata: z.object({ content: z.string().optional(), sharingLink: z.string().optional() }).nullable(),
});

const cursorSchema = z.object({
  head: z.string().nullable(),
  headAt: z.number().nullable(),
  walkCursor: z.string().nullable(),
  walkHead: z.string().nullable(),
  walkHeadAt: z.number().nullable(),
});
type LensCursor = z.infer<typeof cursorSchema>;

const START: LensCursor = { head: null, headAt: null, walkCursor: null, walkHead: null, walkHeadAt: null };

export class LensConnector implements Connector {
  readonly network = "lens" as const;
  readonly name: string;
  readonly streams: readonly string[];
  readonly #settings: LensSettings;
  readonly #ctx: ConnectorContext;

  constructor(settings: LensSettings, ctx: ConnectorContext) {
    this.name = settings.name;
    this.#settings = settings;
    this.#ctx = ctx;
    this.streams = Object.keys(settings.streams);
  }

  async poll(stream: string, cursor: Cursor | undefined): Promise<Page> {
    const parsedCursor = cursorSchema.safeParse(cursor);
    const at: LensCursor = parsedCursor.success ? parsedCursor.data : START;
    const request: Record<string, unknown> = {
      filter: this.#settings.streams[stream] ?? {},
      pageSize: this.#settings.pageSize,
    };
    if (at.walkCursor !== null) request.cursor = at.walkCursor;
    const answer = answerSchema.safeParse(
      await this.#ctx.upstream.json(this.#settings.apiUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query: POSTS_QUERY, variables: { request }, operationName: "Posts" }),
      }),
    );
    if (!answer.success) throw new UpstreamMalformedError(this.#settings.apiUrl, "not a GraphQL answer to posts");
    const posts = answer.data.data?.posts;
    if (posts === undefined) {
      const why = answer.data.errors?.map((e) => e.message).join("; ") ?? "no data";
      throw new UpstreamMalformedError(this.#settings.apiUrl, `GraphQL errors: ${why}`);
    }
    const items: Item[] = [];
    const rejects: Reject[] = [];
    let reachedHead = false;
    for (const raw of posts.items) {
      const rawId = typeof raw === "object" && raw !== null && "id" in raw ? String(raw.id) : undefined;
      const typename = typeof raw === "object" && raw !== null && "__typename" in raw ? raw.__typename : undefined;
      if (typename === "Repost") continue;
      const parsed = postSchema.safeParse(raw);
      if (!parsed.success) {
        rejects.push(zodReject("malformed", parsed.error, rawId));
        continue;
      }
      const post = parsed.data;
      const createdAt = Date.parse(post.timestamp);
      if (post.id === at.head || (at.headAt !== null && createdAt < at.headAt)) {
        reachedHead = true;
        break;
      }
      items.push({
        id: `lens:${post.id}`,
        network: "lens",
        kind: "post",
        author: `lens:account:${post.author.address.toLowerCase()}`,
        body: post.metadata?.content ?? "",
        url: post.metadata?.sharingLink ?? null,
        parent: post.commentOn == null ? null : `lens:${post.commentOn.id}`,
        createdAt,
      });
    }
    // The newest post of this walk becomes the head once the walk is complete.
    const first = items[0];
    const walkHead = at.walkCursor !== null ? at.walkHead : (first?.id.slice("lens:".length) ?? at.head);
    const walkHeadAt = at.walkCursor !== null ? at.walkHeadAt : (first?.createdAt ?? at.headAt);
    const next = posts.pageInfo.next ?? null;
    if (reachedHead || next === null) {
      return {
        items,
        rejects,
        cursor: { head: walkHead, headAt: walkHeadAt, walkCursor: null, walkHead: null, walkHeadAt: null },
        more: false,
      };
    }
    return {
      items,
      rejects,
      cursor: { head: at.head, headAt: at.headAt, walkCursor: next, walkHead, walkHeadAt },
      more: true,
    };
  }
}
