// The revenue REST routes (issue 14 point 4): GET /accounts/:address/earnings, /communities/:id/stats and
// /campaigns/:id/stats, over the revenue tables (src/revenue.ts). Inputs: src/api/revenue-routes.ts (zod).
import { db } from "ponder:api";
import schema from "ponder:schema";
import type { Context, Hono } from "hono";
import { and, asc, desc, eq, gt, lt } from "ponder";
import type { z } from "zod";
import { accountParams, accountQuery, campaignParams, communityParams, statsQuery } from "./revenue-routes.ts";

type Parse = <S extends z.ZodType>(
  c: Context,
  schema: S,
  input: unknown,
) => { ok: true; value: z.infer<S> } | { ok: false; response: Response };
type Json = (c: Context, value: unknown, status?: 200 | 404) => Response;

/** Rows a stats answer reads besides its page (policies, sources, tokens, balances): bounded. */
const SIDE_LIMIT = 100;

export function registerRevenueRoutes(app: Hono, parse: Parse, json: Json): void {
  app.get("/accounts/:address/earnings", async (c) => {
    const p = parse(c, accountParams, c.req.param());
    if (!p.ok) return p.response;
    const q = parse(c, accountQuery, c.req.query());
    if (!q.ok) return q.response;
    const { address } = p.value;
    const { chainId, limit, cursor } = q.value;
    const onChain = <T extends { chainId: unknown }>(t: T) =>
      chainId === undefined ? undefined : eq(t.chainId as never, chainId as never);
    const e = schema.creatorEarnings;
    const earnings = await db
      .select()
      .from(e)
      .where(and(eq(e.persona, address), onChain(e)))
      .orderBy(asc(e.chainId), asc(e.token))
      .limit(SIDE_LIMIT);
    const b = schema.identityBinding;
    const bindings = await db
      .select()
      .from(b)
      .where(and(eq(b.persona, address), onChain(b)))
      .limit(SIDE_LIMIT);
    const pp = schema.personaPayout;
    const [payout] = await db
      .select()
      .from(pp)
      .where(and(eq(pp.persona, address), onChain(pp)))
      .limit(1);
    const lb = schema.ledgerBalance;
    const operatorBalances = await db
      .select()
      .from(lb)
      .where(and(eq(lb.kind, "operator"), eq(lb.owner, address), onChain(lb)))
      .limit(SIDE_LIMIT);
    const cl = schema.claim;
    const rows = await db
      .select()
      .from(cl)
      .where(and(eq(cl.persona, address), onChain(cl), cursor === undefined ? undefined : gt(cl.id, cursor)))
      .orderBy(asc(cl.id))
      .limit(limit + 1);
    const claims = rows.slice(0, limit);
    return json(c, {
      address,
      earnings,
      // What final roots still owe is in the payout tree's leaves (off chain): not derivable from events.
      claimable: null,
      bindings,
      payout: payout ?? null,
      operatorBalances,
      claims,
      nextCursor: rows.length > limit ? (claims.at(-1)?.id ?? null) : null,
    });
  });

  app.get("/communities/:id/stats", async (c) => {
    const p = parse(c, communityParams, c.req.param());
    if (!p.ok) return p.response;
    const q = parse(c, statsQuery, c.req.query());
    if (!q.ok) return q.response;
    const communityId = p.value.id;
    const { limit, cursor } = q.value;
    const t = schema.community;
    const [row] = await db
      .select()
      .from(t)
      .where(
        and(eq(t.communityId, communityId), q.value.chainId === undefined ? undefined : eq(t.chainId, q.value.chainId)),
      )
      .orderBy(asc(t.chainId))
      .limit(1);
    if (row === undefined) return c.json({ error: "community not found", id: communityId.toString() }, 404);
    const chainId = row.chainId;
    const s = schema.communitySource;
    const sources = await db
      .select()
      .from(s)
      .where(and(eq(s.chainId, chainId), eq(s.communityId, communityId), eq(s.active, true)))
      .limit(SIDE_LIMIT);
    const cp = schema.communityPolicy;
    const policies = await db
      .select()
      .from(cp)
      .where(and(eq(cp.chainId, chainId), eq(cp.communityId, communityId)))
      .orderBy(desc(cp.effectiveFrom))
      .limit(SIDE_LIMIT);
    const r = schema.communityEpochRevenue;
    const mine = and(eq(r.chainId, chainId), eq(r.communityId, communityId));
    // Newest epoch first; a page holds `limit` epochs (all their tokens).
    const epochRows = await db
      .selectDistinct({ epoch: r.epoch })
      .from(r)
      .where(cursor === undefined ? mine : and(mine, lt(r.epoch, cursor)))
      .orderBy(desc(r.epoch))
      .limit(limit + 1);
    const pageEpochs = epochRows.slice(0, limit).map((x) => x.epoch);
    const last = pageEpochs.at(-1);
    const epochs =
      last === undefined
        ? []
        : await db
            .select()
            .from(r)
            .where(and(mine, cursor === undefined ? undefined : lt(r.epoch, cursor), gt(r.epoch, last - 1n)))
            .orderBy(desc(r.epoch), asc(r.token))
            .limit(limit * SIDE_LIMIT);
    const all = await db.select().from(r).where(mine).limit(10_000);
    const totals = new Map<
      string,
      {
        token: string;
        spend: bigint;
        creators: bigint;
        treasury: bigint;
        operators: bigint;
        protocol: bigint;
        lines: number;
      }
    >();
    for (const x of all) {
      const t0 = totals.get(x.token) ?? {
        token: x.token,
        spend: 0n,
        creators: 0n,
        treasury: 0n,
        operators: 0n,
        protocol: 0n,
        lines: 0,
      };
      totals.set(x.token, {
        token: x.token,
        spend: t0.spend + x.spend,
        creators: t0.creators + x.creators,
        treasury: t0.treasury + x.treasury,
        operators: t0.operators + x.operators,
        protocol: t0.protocol + x.protocol,
        lines: t0.lines + x.lines,
      });
    }
    const er = schema.epochReport;
    const reportRows = await db
      .select({ status: er.status })
      .from(er)
      .where(and(eq(er.chainId, chainId), eq(er.communityId, communityId)))
      .limit(10_000);
    const reports: Record<string, number> = {};
    for (const x of reportRows) reports[x.status] = (reports[x.status] ?? 0) + 1;
    const lb = schema.ledgerBalance;
    const treasury = await db
      .select()
      .from(lb)
      .where(and(eq(lb.chainId, chainId), eq(lb.kind, "treasury"), eq(lb.owner, communityId.toString())))
      .limit(SIDE_LIMIT);
    return json(c, {
      community: row,
      sources,
      policies,
      totals: [...totals.values()],
      epochs,
      reports,
      treasury,
      nextCursor: epochRows.length > limit && last !== undefined ? last.toString() : null,
    });
  });

  app.get("/campaigns/:id/stats", async (c) => {
    const p = parse(c, campaignParams, c.req.param());
    if (!p.ok) return p.response;
    const q = parse(c, statsQuery, c.req.query());
    if (!q.ok) return q.response;
    const campaignId = p.value.id;
    const { limit, cursor } = q.value;
    const t = schema.campaign;
    const [row] = await db
      .select()
      .from(t)
      .where(
        and(eq(t.campaignId, campaignId), q.value.chainId === undefined ? undefined : eq(t.chainId, q.value.chainId)),
      )
      .orderBy(asc(t.chainId))
      .limit(1);
    if (row === undefined) return c.json({ error: "campaign not found", id: campaignId.toString() }, 404);
    const l = schema.reportLine;
    const mine = and(eq(l.chainId, row.chainId), eq(l.campaignId, campaignId));
    const rows = await db
      .select()
      .from(l)
      .where(cursor === undefined ? mine : and(mine, gt(l.seq, cursor)))
      .orderBy(asc(l.seq))
      .limit(limit + 1);
    const lines = rows.slice(0, limit);
    const remaining = row.funded - row.spent - row.reserved - row.refunded;
    return json(c, {
      campaign: row,
      spent: row.spent,
      reserved: row.reserved,
      remaining: remaining > 0n ? remaining : 0n,
      impressions: row.impressions,
      engagements: row.engagements,
      engagementRate: row.engagementRate,
      lines,
      nextCursor: rows.length > limit ? (lines.at(-1)?.seq.toString() ?? null) : null,
    });
  });
}
