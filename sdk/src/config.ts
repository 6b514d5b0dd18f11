import { readFile } from "node:fs/promises";
import { type Address, getAddress, isAddress } from "viem";
import { z } from "zod";
import { findDomain } from "./domains.ts";
import { DeploymentReadFailedError, InvalidDeploymentError } from "./errors.ts";

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

/** deployments/<chainId>.json: what the deploy script writes and every component reads. */
export const deploymentSchema = z
  .object({
    chainId: z.number().int().positive(),
    domain: z.number().int().min(1).max(0xffffffff),
    rpcUrl: z.url().optional(),
    contracts: z
      .object({
        attesterSet: checksummedAddress,
        gateway: checksummedAddress,
        tokenBridge: checksummedAddress,
        tokens: z.record(z.string().min(1), deploymentTokenSchema),
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

/** A validated deployment file. */
export type Deployment = z.infer<typeof deploymentSchema>;
/** One token entry of a deployment. */
export type DeploymentToken = z.infer<typeof deploymentTokenSchema>;

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map((p) => String(p)).join(".");
}

/** Validates a parsed deployment object; `source` names it in errors. Throws `InvalidDeploymentError`. */
export function parseDeployment(value: unknown, source = "deployment"): Deployment {
  const result = deploymentSchema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidDeploymentError(
    source,
    result.error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message })),
  );
}

/**
 * Reads and validates deployments/<chainId>.json. Throws `DeploymentReadFailedError` if the file cannot be read or
 * is not JSON, `InvalidDeploymentError` (whose `field` names the first bad field) if it does not match the schema.
 */
export async function loadDeployment(path: string): Promise<Deployment> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new DeploymentReadFailedError(path, cause);
  }
  return parseDeployment(json, path);
}
