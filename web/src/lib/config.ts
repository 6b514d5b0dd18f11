// The runtime configuration the app reads from `config.json` beside index.html (written by the devnet or whoever
// serves the bundle): the stack's URLs and addresses. Nothing secret lives here or in the bundle.
import type { Address } from "viem";
import { z } from "zod";

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address")
  .transform((s) => s as Address);

export const revenueAddressesSchema = z.object({
  communityRegistry: address,
  identityRegistry: address,
  campaignLedger: address,
  epochReports: address,
  creatorPayouts: address,
});

export const webChainSchema = z.object({
  chainId: z.number().int().positive(),
  name: z.string().min(1),
  /** The maskoii domain of the chain (docs/protocol.md §1). */
  domain: z.number().int().positive(),
  /** JSON-RPC URL, absolute or relative to the page (the devnet's server proxies it). */
  rpcUrl: z.string().min(1),
  /** The chain's demo ERC-20 (campaign budgets, payouts), when it has one. */
  token: address.nullable().default(null),
  revenue: revenueAddressesSchema.nullable().default(null),
  /** The attester set binding attestations are combined for: its id and members in set order. */
  attesters: z
    .object({ setId: z.string().regex(/^[0-9]+$/), members: z.array(address) })
    .nullable()
    .default(null),
});
export type WebChain = z.infer<typeof webChainSchema>;

export const webConfigSchema = z.object({
  version: z.literal(1),
  /** The community the client opens on. */
  community: z.string().regex(/^[1-9][0-9]{0,19}$/, "expected a community id"),
  /** Aggregator nodes (their HTTP APIs), in the order the client asks them. */
  nodes: z.array(z.object({ name: z.string().min(1), url: z.string().min(1) })).min(1),
  /** The indexer (REST, GraphQL); null when the stack runs none. */
  indexer: z.string().min(1).nullable(),
  /** A network the client can publish to (Mastodon's statuses API): proofs, member keys, sealed posts. */
  publish: z
    .object({ network: z.literal("mastodon"), url: z.string().min(1), host: z.string().min(1), hashtag: z.string() })
    .nullable()
    .default(null),
  chains: z.array(webChainSchema).min(1),
});
export type WebConfig = z.infer<typeof webConfigSchema>;
export type WebConfigInput = z.input<typeof webConfigSchema>;

/** A URL of the config, resolved against the page (relative URLs are the devnet's proxied paths). */
export function absolute(url: string, base: string): string {
  return new URL(url, base).href.replace(/\/$/, "");
}
