// Input schemas and OpenAPI paths of the revenue REST routes (issue 14 point 4): earnings of an account, stats of a
// community and of a campaign. Shared by src/api/index.ts and the OpenAPI document (routes.ts).
import { z } from "zod";

/** The same bounds as the bridge routes (routes.ts; not imported: routes.ts imports this module). */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;
const UINT64_MAX = (1n << 64n) - 1n;

/** A uint64 id (community or campaign) in decimal. */
const id = z
  .string()
  .regex(/^\d{1,20}$/, { message: "expected a decimal uint64 id" })
  // zod runs a refinement even after the regex failed: test the shape again before BigInt (which throws).
  .refine((s) => !/^\d{1,20}$/.test(s) || BigInt(s) <= UINT64_MAX, { message: "above uint64" })
  .transform((s) => BigInt(s));
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { message: "expected a 0x-prefixed 20-byte address" })
  .transform((s) => s.toLowerCase() as `0x${string}`);
const chainId = z.coerce.number().int().min(1).max(0xffffffff).optional();
const limit = z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT);

export const accountParams = z.object({ address });
export const accountQuery = z.object({
  chainId,
  limit,
  /** The `nextCursor` of the previous page of claims: the last claim id returned. */
  cursor: z
    .string()
    .regex(/^\d+-0x[0-9a-f]{64}-\d+$/, { message: "expected a claim id" })
    .optional(),
});
export const communityParams = z.object({ id });
export const campaignParams = z.object({ id });
export const statsQuery = z.object({
  chainId,
  limit,
  /** The `nextCursor` of the previous page: the last epoch (community) or report seq (campaign) returned. */
  cursor: z
    .string()
    .regex(/^\d{1,20}$/, { message: "expected a decimal epoch or seq" })
    .transform((s) => BigInt(s))
    .optional(),
});

type Parameters = (schema: z.ZodObject, where: "path" | "query") => unknown[];

/** The OpenAPI paths of the revenue routes. */
export function revenuePaths(parameters: Parameters, errorResponse: unknown): Record<string, unknown> {
  const ok = (description: string, ref: string) => ({
    description,
    content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
  });
  return {
    "/accounts/{address}/earnings": {
      get: {
        summary:
          "A creator's earnings per token (claimed; claimable is not derivable from events, see README), its bindings, payout target, operator balances and claims (cursor-paginated)",
        parameters: [...parameters(accountParams, "path"), ...parameters(accountQuery, "query")],
        responses: { "200": ok("Earnings", "AccountEarnings"), "400": errorResponse },
      },
    },
    "/communities/{id}/stats": {
      get: {
        summary:
          "A community with its split policy and sources, revenue per epoch (cursor-paginated, newest first), totals per token, reports by status and treasury balances",
        parameters: [...parameters(communityParams, "path"), ...parameters(statsQuery, "query")],
        responses: {
          "200": ok("Stats", "CommunityStats"),
          "400": errorResponse,
          "404": { description: "No such community (yet)" },
        },
      },
    },
    "/campaigns/{id}/stats": {
      get: {
        summary:
          "A campaign with spend, reserved, remaining budget, impressions, engagements and engagement rate, and its report lines (cursor-paginated by report seq)",
        parameters: [...parameters(campaignParams, "path"), ...parameters(statsQuery, "query")],
        responses: {
          "200": ok("Stats", "CampaignStats"),
          "400": errorResponse,
          "404": { description: "No such campaign (yet)" },
        },
      },
    },
  };
}

const big = { type: "string", description: "decimal integer" };
const page = { type: "array", items: { type: "object" } };

export const revenueSchemas: Record<string, unknown> = {
  AccountEarnings: {
    type: "object",
    properties: {
      address: { type: "string" },
      earnings: {
        type: "array",
        items: {
          type: "object",
          properties: {
            chainId: { type: "integer" },
            token: { type: "string" },
            claimed: big,
            claims: { type: "integer" },
          },
        },
      },
      claimable: { type: "null", description: "not derivable from events (the payout tree's leaves are off chain)" },
      bindings: page,
      payout: { type: ["object", "null"] },
      operatorBalances: page,
      claims: page,
      nextCursor: { type: ["string", "null"] },
    },
  },
  CommunityStats: {
    type: "object",
    properties: {
      community: { type: "object" },
      sources: page,
      policies: page,
      totals: page,
      epochs: page,
      reports: { type: "object", additionalProperties: { type: "integer" } },
      treasury: page,
      nextCursor: { type: ["string", "null"] },
    },
  },
  CampaignStats: {
    type: "object",
    properties: {
      campaign: { type: "object" },
      spent: big,
      reserved: big,
      remaining: big,
      impressions: big,
      engagements: big,
      engagementRate: { type: "number" },
      lines: page,
      nextCursor: { type: ["string", "null"] },
    },
  },
};
