// The community routes of the node's HTTP server:
//   GET  /communities/:id/timeline?limit=&cursor=   one page of the aggregated timeline (timeline.ts)
//   POST /communities/:id/moderation                 a moderator's signed hide / pin / unhide / unpin
// Inputs are validated by zod; a bad one answers 400 naming the field (`limit`, `cursor`, `id`, `signature`, ...).
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, parseRequest, RequestRejectedError, readBody, sendJson, sendRejection } from "@maskoii/node-kit";
import { z } from "zod";
import {
  DEFAULT_TIMELINE_LIMIT,
  decodeCursor,
  MAX_TIMELINE_LIMIT,
  signedModerationSchema,
  type TimelineService,
} from "./timeline.ts";

const ROUTE = /^\/communities\/([^/]*)\/(timeline|moderation)$/;
const MAX_MODERATION_BODY = 4_096;
const U64_MAX = (1n << 64n) - 1n;

const communityIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,19}$/, "expected a community id (a positive integer)")
  .refine((s) => !/^[0-9]+$/.test(s) || BigInt(s) <= U64_MAX, "expected a uint64");

const timelineQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, "expected an integer")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_TIMELINE_LIMIT, `at most ${MAX_TIMELINE_LIMIT}`))
    .optional(),
  cursor: z
    .string()
    .max(1_200, "too long")
    .transform((c, ctx) => {
      const position = decodeCursor(c);
      if (position === undefined) {
        ctx.addIssue({ code: "custom", message: "not a cursor this node issued" });
        return z.NEVER;
      }
      return position;
    })
    .optional(),
});

/** Answers the request when it is a community route; false otherwise (the caller goes on routing). */
export function handleCommunityRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  service: TimelineService,
): boolean {
  const match = ROUTE.exec(url.pathname);
  if (match === null) return false;
  const [, rawId = "", route] = match;
  const answer = async () => {
    const id = BigInt(parseRequest(z.object({ id: communityIdSchema }), { id: rawId }, "community").id);
    if (route === "timeline") {
      if (req.method !== "GET") return sendJson(res, 405, { error: "only GET" }, { allow: "GET" });
      const query = parseRequest(timelineQuerySchema, Object.fromEntries(url.searchParams), "query");
      const page = await service.page(id, {
        limit: query.limit ?? DEFAULT_TIMELINE_LIMIT,
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      if (page === undefined) return sendJson(res, 404, { error: `no community ${id}` });
      return sendJson(res, 200, page);
    }
    if (req.method !== "POST") return sendJson(res, 405, { error: "only POST" }, { allow: "POST" });
    const body = parseRequest(signedModerationSchema, parseJson(await readBody(req, MAX_MODERATION_BODY)), "action");
    if (body.community !== id.toString()) {
      throw new RequestRejectedError(400, `the action is for community ${body.community}`, { field: "community" });
    }
    const applied = await service.moderate(body);
    return sendJson(res, 200, { applied });
  };
  answer().catch((error: unknown) => {
    if (res.headersSent) res.destroy();
    else if (error instanceof RequestRejectedError) sendRejection(res, error);
    else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
  return true;
}
