// The feed routes of the node's HTTP server (issue 16 point 1):
//   GET  /feed?community=&persona=&cursor=&limit=   one page; with a persona, signed (x-maskoii-time, x-maskoii-signature)
//   PUT  /feed/settings                             the persona's signed communities, follows, tags and weights
//   POST /feed/feedback                             the persona's signed "more" / "less" on a post or an author
// A persona this node is not home to gets 421 with its home node; bad input 400 naming the field; a signature that is
// not the persona's 401. Settings and feedback stay on this node.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, parseRequest, RequestRejectedError, readBody, sendJson, sendRejection } from "@maskoii/node-kit";
import { getAddress } from "viem";
import { z } from "zod";
import { homeNodeRecord, type TaskNode } from "../home-node.ts";
import { decodeFeedCursor } from "./cursor.ts";
import type { FeedService } from "./feed-service.ts";
import {
  checkSigned,
  type FeedDomain,
  feedFeedbackBytes,
  feedReadBytes,
  feedSettingsBytes,
  READ_SKEW_SECONDS,
  signatureSchema,
  signedFeedbackSchema,
  signedSettingsSchema,
  WRITE_SKEW_SECONDS,
} from "./signed.ts";

export const DEFAULT_FEED_LIMIT = 20;
export const MAX_FEED_LIMIT = 50;
const MAX_SETTINGS_BODY = 64 * 1024;
const MAX_FEEDBACK_BODY = 4 * 1024;
const U64_MAX = (1n << 64n) - 1n;

export type FeedRouteDeps = {
  readonly service: FeedService;
  readonly domain: FeedDomain;
  /** This node's Koii key and the task's nodes (the home-node rule); without them this node is everyone's home. */
  readonly home?: { readonly self: string; readonly nodes: readonly TaskNode[] };
  readonly now?: () => number;
};

const feedQuerySchema = z.object({
  community: z
    .string()
    .regex(/^[1-9][0-9]{0,19}$/, "expected a community id (a positive integer)")
    .refine((s) => !/^[0-9]+$/.test(s) || BigInt(s) <= U64_MAX, "expected a uint64"),
  persona: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address")
    .optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, "expected an integer")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_FEED_LIMIT, `at most ${MAX_FEED_LIMIT}`))
    .optional(),
  cursor: z.string().max(2_000, "too long").optional(),
});

const readHeadersSchema = z.object({
  "x-maskoii-time": z
    .string({ message: "a signed feed read needs x-maskoii-time (unix seconds)" })
    .regex(/^[0-9]{1,12}$/, "expected unix seconds")
    .transform(Number),
  "x-maskoii-signature": signatureSchema,
});

/** A persona this node is not home to: 421 with the home node's key and URL. */
export class NotHomeError extends RequestRejectedError {
  override name = "NotHomeError";
  readonly home: string;
  readonly url: string | null;
  constructor(persona: string, home: TaskNode) {
    super(421, `this node is not ${getAddress(persona)}'s home node`);
    this.home = home.koiiPublicKey;
    this.url = home.url ?? null;
  }
}

/** 421 with the persona's home node, unless this node is it. */
function requireHome(persona: string, deps: FeedRouteDeps): void {
  const home = deps.home;
  if (home === undefined || home.nodes.length === 0) return;
  const node = homeNodeRecord(getAddress(persona), home.nodes);
  if (node.koiiPublicKey === home.self) return;
  throw new NotHomeError(persona, node);
}

/** Answers the request when it is a feed route; false otherwise (the caller goes on routing). */
export function handleFeedRoute(req: IncomingMessage, res: ServerResponse, url: URL, deps: FeedRouteDeps): boolean {
  const path = url.pathname;
  if (path !== "/feed" && path !== "/feed/settings" && path !== "/feed/feedback") return false;
  const nowSeconds = () => Math.floor((deps.now ?? Date.now)() / 1000);
  const answer = async () => {
    if (path === "/feed") {
      if (req.method !== "GET") return sendJson(res, 405, { error: "only GET" }, { allow: "GET" });
      const query = parseRequest(feedQuerySchema, Object.fromEntries(url.searchParams), "query");
      const persona = query.persona === undefined ? undefined : getAddress(query.persona);
      const cursor = query.cursor === undefined ? undefined : decodeFeedCursor(query.cursor);
      if (
        query.cursor !== undefined &&
        (cursor === undefined ||
          cursor.community !== query.community ||
          cursor.persona !== (persona?.toLowerCase() ?? ""))
      ) {
        throw new RequestRejectedError(400, "not a cursor this node issued for this feed", { field: "cursor" });
      }
      if (persona !== undefined) {
        requireHome(persona, deps);
        const headers = parseRequest(readHeadersSchema, req.headers, "headers");
        const at = headers["x-maskoii-time"];
        await checkSigned(
          feedReadBytes(deps.domain, persona, at),
          persona,
          at,
          headers["x-maskoii-signature"],
          nowSeconds(),
          READ_SKEW_SECONDS,
        );
      }
      const page = await deps.service.page({
        community: BigInt(query.community),
        limit: query.limit ?? DEFAULT_FEED_LIMIT,
        ...(persona === undefined ? {} : { persona }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      if (page === undefined) return sendJson(res, 404, { error: `no community ${query.community}` });
      return sendJson(res, 200, page);
    }
    if (path === "/feed/settings") {
      if (req.method !== "PUT") return sendJson(res, 405, { error: "only PUT" }, { allow: "PUT" });
      const body = parseRequest(signedSettingsSchema, parseJson(await readBody(req, MAX_SETTINGS_BODY)), "settings");
      requireHome(body.persona, deps);
      await checkSigned(
        feedSettingsBytes(deps.domain, body.persona, body.at, body.settings),
        body.persona,
        body.at,
        body.signature,
        nowSeconds(),
        WRITE_SKEW_SECONDS,
      );
      const applied = await deps.service.feedStore.putSettings(body.persona, body, (deps.now ?? Date.now)());
      if (!applied) {
        throw new RequestRejectedError(409, "settings at the same or a later time are stored (a replay?)", {
          field: "at",
        });
      }
      return sendJson(res, 200, { applied });
    }
    if (req.method !== "POST") return sendJson(res, 405, { error: "only POST" }, { allow: "POST" });
    const body = parseRequest(signedFeedbackSchema, parseJson(await readBody(req, MAX_FEEDBACK_BODY)), "feedback");
    requireHome(body.persona, deps);
    const { signature, ...feedback } = body;
    await checkSigned(
      feedFeedbackBytes(deps.domain, feedback),
      body.persona,
      body.at,
      signature,
      nowSeconds(),
      WRITE_SKEW_SECONDS,
    );
    const applied = await deps.service.feedStore.putFeedback(body, (deps.now ?? Date.now)());
    return sendJson(res, 200, { applied });
  };
  answer().catch((error: unknown) => {
    if (res.headersSent) res.destroy();
    else if (error instanceof NotHomeError)
      sendJson(res, 421, { error: error.message, home: error.home, url: error.url });
    else if (error instanceof RequestRejectedError) sendRejection(res, error);
    else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
  return true;
}
