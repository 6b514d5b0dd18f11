// The indexer's HTTP API, served by Ponder (its Hono app): GraphQL (/graphql), SQL over HTTP for @ponder/client
// (/sql/*), and the REST routes for frontends with zod-validated inputs, cursor pagination and an OpenAPI document.
import { db } from "ponder:api";
import schema from "ponder:schema";
import { type Context, Hono } from "hono";
import { and, asc, client, desc, eq, graphql, gt, replaceBigInts } from "ponder";
import type { z } from "zod";
import { fieldOf, messageParams, messagesQuery, openApiDocument, routeParams, routeQuery } from "./routes.ts";

const app = new Hono();

/**
 * Which part of the lifecycle a step belongs to: the origin's send, the destination's outcome, the origin's refund.
 * Steps are ordered by phase first: two chains' clocks are not comparable (a local chain that mines many blocks in
 * a second runs ahead), while within a phase the steps happen on one chain, in block and log order.
 */
const PHASE: Record<string, number> = { sent: 0, transfer_sent: 0, distribution_sent: 0, refunded: 2 };
const phaseOf = (kind: string): number => PHASE[kind] ?? 1;
/** The log index (or instruction index) at the end of a step id. */
const positionOf = (id: string): number => Number(id.slice(id.lastIndexOf("-") + 1));

app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

function json(c: Context, value: unknown, status: 200 | 404 = 200) {
  return c.json(replaceBigInts(value, (v) => v.toString()) as object, status);
}

/** Parses `input` or answers 400 naming the first bad field. */
function parse<S extends z.ZodType>(
  c: Context,
  schema: S,
  input: unknown,
): { ok: true; value: z.infer<S> } | { ok: false; response: Response } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const field = fieldOf(result.error);
  const message = result.error.issues[0]?.message ?? "invalid";
  return { ok: false, response: c.json({ error: `invalid ${field}`, field, message }, 400) };
}

app.get("/openapi.json", (c) => c.json(openApiDocument()));

app.get("/messages/:id", async (c) => {
  const p = parse(c, messageParams, c.req.param());
  if (!p.ok) return p.response;
  const id = p.value.id;
  const [row] = await db.select().from(schema.message).where(eq(schema.message.id, id)).limit(1);
  if (row === undefined) return c.json({ error: "message not found", id }, 404);
  const rows = await db
    .select()
    .from(schema.messageEvent)
    .where(eq(schema.messageEvent.messageId, id))
    .orderBy(asc(schema.messageEvent.timestamp))
    .limit(200);
  const events = rows.sort(
    (x, y) =>
      phaseOf(x.kind) - phaseOf(y.kind) ||
      Number(x.timestamp - y.timestamp) ||
      Number(x.block - y.block) ||
      positionOf(x.id) - positionOf(y.id),
  );
  const [transfer] = await db.select().from(schema.tokenTransfer).where(eq(schema.tokenTransfer.id, id)).limit(1);
  return json(c, { ...row, events, transfer: transfer ?? null });
});

app.get("/messages", async (c) => {
  const q = parse(c, messagesQuery, c.req.query());
  if (!q.ok) return q.response;
  const { sender, status, limit, cursor } = q.value;
  const m = schema.message;
  const conditions = [
    sender === undefined ? undefined : eq(m.senderAddress, sender),
    status === undefined ? undefined : eq(m.status, status),
    cursor === undefined ? undefined : gt(m.id, cursor),
  ].filter((x) => x !== undefined);
  const rows = await db
    .select()
    .from(m)
    .where(conditions.length === 0 ? undefined : and(...conditions))
    .orderBy(asc(m.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? (items.at(-1)?.id ?? null) : null;
  return json(c, { items, nextCursor });
});

app.get("/routes/:origin/:destination/volume", async (c) => {
  const p = parse(c, routeParams, c.req.param());
  if (!p.ok) return p.response;
  const q = parse(c, routeQuery, c.req.query());
  if (!q.ok) return q.response;
  const { origin, destination } = p.value;
  const { limit, cursor } = q.value;
  const v = schema.routeVolume;
  const route = and(eq(v.originDomain, origin), eq(v.destinationDomain, destination));
  const rows = await db
    .select()
    .from(v)
    .where(cursor === undefined ? route : and(route, gt(v.token, cursor)))
    .orderBy(asc(v.token))
    .limit(limit + 1);
  const tokens = rows.slice(0, limit);
  const all = await db.select().from(v).where(route).orderBy(desc(v.lastAt)).limit(10_000);
  const totals = all.reduce(
    (t, r) => ({ transfers: t.transfers + r.transfers, wireAmount: t.wireAmount + r.wireAmount }),
    { transfers: 0, wireAmount: 0n },
  );
  return json(c, {
    origin,
    destination,
    ...totals,
    tokens,
    nextCursor: rows.length > limit ? (tokens.at(-1)?.token ?? null) : null,
  });
});

export default app;
