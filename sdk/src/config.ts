import { type Address, getAddress, isAddress } from "viem";
import { z } from "zod";
import { isSolanaAddress } from "./base58.ts";
import { findDomain } from "./domains.ts";
import { InvalidDeploymentError } from "./errors/index.ts";

/** A checksummed (EIP-55) 0x-address. */
export const checksummedAddress = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), { message: "expected a 0x-prefixed 20-byte address" })
  .refine((s) => !isAddress(s, { strict: false }) || s === getAddress(s), {
    message: "expected an EIP-55 checksummed address",
  })
  .transform((s) => s as Address);

/** One bridged token of a deployment. */
export const deploymentTokenSchema = z
  .object({
    address: checksummedAddress,
    /** lock = canonical token locked/released; mint = BridgedToken burned/minted. */
    mode: z.enum(["lock", "mint"]),
    decimals: z.number().int().min(0).max(255),
    sharedDecimals: z.number().int().min(0).max(255),
  })
  .strict()
  .refine((t) => t.sharedDecimals <= t.decimals, {
    message: "sharedDecimals must not exceed decimals",
    path: ["sharedDecimals"],
  });

/** The revenue contracts of a deployment (docs/protocol.md §11, docs/ads.md), with the parameters clients need. */
export const deploymentRevenueSchema = z
  .object({
    communityRegistry: checksummedAddress,
    identityRegistry: checksummedAddress,
    campaignLedger: checksummedAddress,
    epochReports: checksummedAddress,
    creatorPayouts: checksummedAddress,
    /** The registry's clock: epoch = (timestamp − genesis) / epochLength. */
    genesis: z.number().int().nonnegative(),
    epochLength: z.number().int().positive(),
    /** Seconds a report stays challengeable. */
    challengeWindow: z.number().int().nonnegative(),
  })
  .strict();

/** deployments/<chainId>.json: what the deploy script writes and every component reads. */
export const deploymentSchema = z
  .object({
    chainId: z.number().int().positive(),
    domain: z.number().int().min(1).max(0xffffffff),
    rpcUrl: z.url().optional(),
    contracts: z
      .object({
        /**
         * The Gateway. It is also the chain's attester set (verify/rotate/reportEquivocation/getSet; its
         * `attesterSet()` returns its own address), so there is no separate attester set address.
         */
        gateway: checksummedAddress,
        tokenBridge: checksummedAddress,
        tokens: z.record(z.string().min(1), deploymentTokenSchema),
        /** The revenue suite, when deployed (optional: deployments from before issue 13 have none). */
        revenue: deploymentRevenueSchema.optional(),
      })
      .strict(),
    deployedAt: z.object({ blockNumber: z.number().int().nonnegative() }).strict(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const known = findDomain(d.domain);
    if (known === undefined) {
      ctx.addIssue({ code: "custom", path: ["domain"], message: `domain ${d.domain} is not in the domain registry` });
    } else if (known.family !== "evm") {
      ctx.addIssue({ code: "custom", path: ["domain"], message: `domain ${d.domain} is a ${known.family} domain` });
    } else if (known.chainId !== d.chainId) {
      ctx.addIssue({
        code: "custom",
        path: ["chainId"],
        message: `chain id ${d.chainId} does not match domain ${d.domain} (chain id ${known.chainId})`,
      });
    }
  });

/** The revenue part of a deployment file. */
export type DeploymentRevenue = z.infer<typeof deploymentRevenueSchema>;

/** A validated deployment file. */
export type Deployment = z.infer<typeof deploymentSchema>;
/** One token entry of a deployment. */
export type DeploymentToken = z.infer<typeof deploymentTokenSchema>;

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map((p) => String(p)).join(".");
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidDeploymentError(
    source,
    result.error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message })),
  );
}

/**
 * Validates a parsed deployment object; `source` names it in errors. Throws `InvalidDeploymentError`. Reading the
 * file is `loadDeployment` in `@maskoii/sdk/node`.
 */
export function parseDeployment(value: unknown, source = "deployment"): Deployment {
  return parseWith(deploymentSchema, value, source);
}

// ---------------------------------------------------------------------------------------------------------------
// Solana

/** A Solana address (an ed25519 public key or a PDA): base58 of exactly 32 bytes. */
export const solanaAddress = z
  .string()
  .refine(isSolanaAddress, { message: "expected a base58 Solana address (32 bytes)" });

/** A domain id written as a JSON object key ("1001"). */
const domainKey = z.string().regex(/^[1-9][0-9]{0,9}$/, { message: "expected a domain id" });

/** How one Solana token is linked with a token on one EVM domain. */
export const solanaTokenLinkSchema = z
  .object({
    /** The EVM chain's TokenBridge. */
    tokenBridge: checksummedAddress,
    /** The EVM token the mint is linked with. */
    token: checksummedAddress,
  })
  .strict();

/** One bridged token of the Solana deployment. */
export const solanaDeploymentTokenSchema = z
  .object({
    /** The SPL mint. */
    mint: solanaAddress,
    /** lock = canonical mint held in the bridge's vault; mint = bridged mint minted/burned by the program. */
    mode: z.enum(["lock", "mint"]),
    decimals: z.number().int().min(0).max(255),
    sharedDecimals: z.number().int().min(0).max(255),
    /** Links by EVM domain id. */
    links: z.record(domainKey, solanaTokenLinkSchema),
  })
  .strict()
  .refine((t) => t.sharedDecimals <= t.decimals, {
    message: "sharedDecimals must not exceed decimals",
    path: ["sharedDecimals"],
  });

/**
 * The Solana deployment (`.devnet/solana.json` on the devnet): the program, its domain and endpoint, and the bridged
 * tokens with their EVM links. The counterpart of `deploymentSchema` for an SVM domain.
 */
export const solanaDeploymentSchema = z
  .object({
    domain: z.number().int().min(1).max(0xffffffff),
    rpcUrl: z.url(),
    /** The PubSub (websocket) endpoint, when it is not derived from `rpcUrl`. */
    wsUrl: z.url().optional(),
    /** The maskoii program. */
    programId: solanaAddress,
    /** The program's admin (initialize's admin and guardian on the devnet). */
    admin: solanaAddress,
    tokens: z.record(z.string().min(1), solanaDeploymentTokenSchema),
  })
  .strict()
  .superRefine((d, ctx) => {
    const known = findDomain(d.domain);
    if (known === undefined) {
      ctx.addIssue({ code: "custom", path: ["domain"], message: `domain ${d.domain} is not in the domain registry` });
    } else if (known.family !== "svm") {
      ctx.addIssue({ code: "custom", path: ["domain"], message: `domain ${d.domain} is a ${known.family} domain` });
    }
    for (const [symbol, token] of Object.entries(d.tokens)) {
      for (const linked of Object.keys(token.links)) {
        if (findDomain(Number(linked))?.family !== "evm") {
          ctx.addIssue({
            code: "custom",
            path: ["tokens", symbol, "links", linked],
            message: `domain ${linked} is not a registered EVM domain`,
          });
        }
      }
    }
  });

/** A validated Solana deployment. */
export type SolanaDeployment = z.infer<typeof solanaDeploymentSchema>;
/** One token entry of a Solana deployment. */
export type SolanaDeploymentToken = z.infer<typeof solanaDeploymentTokenSchema>;

/**
 * Validates a parsed Solana deployment object; `source` names it in errors. Throws `InvalidDeploymentError`. Reading
 * the file is `loadSolanaDeployment` in `@maskoii/sdk/node`.
 */
export function parseSolanaDeployment(value: unknown, source = "solana deployment"): SolanaDeployment {
  return parseWith(solanaDeploymentSchema, value, source);
}
