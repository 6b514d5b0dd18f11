// The services' answers the app reads, validated (zod), and the calls that fetch them. Node calls go to the first
// node that answers, so one node down still shows the community.
import { z } from "zod";
import { RequestFailedError, request } from "./http.ts";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);

export const timelineEntrySchema = z.object({
  id: z.string(),
  network: z.string(),
  author: z.object({ id: z.string(), persona: z.string().nullable() }),
  body: z.string().nullable(),
  sealed: hex.nullable(),
  url: z.string().nullable(),
  parent: z.string().nullable(),
  createdAt: z.number(),
  duplicates: z.array(z.string()),
  pinned: z.boolean(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export const timelinePageSchema = z.object({
  community: z.string(),
  entries: z.array(timelineEntrySchema),
  nextCursor: z.string().nullable(),
  unresolvedSources: z.array(z.string()),
});
export type TimelinePage = z.infer<typeof timelinePageSchema>;

export const servedBindingsSchema = z.object({
  attester: z.string(),
  domain: z.number(),
  identityRegistry: z.string(),
  attesterSetId: z.string(),
  bindings: z.array(
    z.object({
      itemId: z.string(),
      proofId: hex,
      binding: z.object({ platform: z.number(), accountId: hex, persona: z.string(), sequence: z.string() }),
      digest: hex,
      attester: z.string(),
      signature: z.object({ r: hex, s: hex, v: z.number() }),
    }),
  ),
});
export type ServedBindings = z.infer<typeof servedBindingsSchema>;

export type NodeRef = { readonly name: string; readonly url: string };

/** Asks each node in turn; the first answer wins. All down: the last failure, naming every node tried. */
export async function fromAnyNode<T>(
  nodes: readonly NodeRef[],
  path: string,
  schema: z.ZodType<T>,
): Promise<{ node: NodeRef; data: T }> {
  let last: unknown;
  for (const node of nodes) {
    try {
      return { node, data: await request(`aggregator node ${node.name}`, `${node.url}${path}`, schema) };
    } catch (e) {
      // A 4xx is the node's answer about the request (no such community): every node would say the same.
      if (e instanceof RequestFailedError && e.kind === "status" && (e.status ?? 500) < 500) throw e;
      last = e;
    }
  }
  if (last instanceof RequestFailedError && nodes.length > 1) {
    throw new RequestFailedError(
      "aggregator nodes",
      last.kind,
      `No aggregator node answered (${nodes.length} tried): ${last.message}`,
    );
  }
  throw last;
}

const big = z.union([z.string(), z.number()]).transform((v) => BigInt(v));

export const earningsSchema = z.object({
  address: z.string(),
  earnings: z.array(
    z
      .object({ chainId: z.number(), token: z.string(), claimed: big, claims: z.number(), lastClaimAt: big })
      .passthrough(),
  ),
  claimable: z.unknown(),
  bindings: z.array(z.object({ platform: z.number().optional(), accountId: z.string().optional() }).passthrough()),
  payout: z.object({ family: z.number().optional(), recipient: z.string().optional() }).passthrough().nullable(),
  claims: z.array(
    z.object({
      id: z.string(),
      chainId: z.number(),
      token: z.string(),
      to: z.string(),
      amount: big,
      at: big,
      tx: z.string(),
    }),
  ),
});
export type Earnings = z.infer<typeof earningsSchema>;

export const campaignStatsSchema = z.object({
  campaign: z.object({ campaignId: big, chainId: z.number(), advertiser: z.string().optional() }).passthrough(),
  spent: big,
  reserved: big,
  remaining: big,
  impressions: big,
  engagements: big,
  lines: z.array(z.object({ seq: big, epoch: big, spend: big, impressions: big, engagements: big }).passthrough()),
});
export type CampaignStats = z.infer<typeof campaignStatsSchema>;

export const messageSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    originDomain: z.number().nullable(),
    destinationDomain: z.number().nullable(),
    sentAt: big.nullable().optional(),
    events: z.array(
      z
        .object({ id: z.string(), kind: z.string(), domain: z.number(), block: big, tx: z.string(), timestamp: big })
        .passthrough(),
    ),
    transfer: z.object({ amount: big.optional() }).passthrough().nullable(),
  })
  .passthrough();
export type BridgeMessage = z.infer<typeof messageSchema>;
