// The node's optional `reports` config section (issue 16 point 3): where reports are attested (the chain's attester
// domain, EpochReports, the attester set; the node's attester key is the `identity` section's), the deployment a
// payout-proof request names (chain id, CommunityRegistry), and the task operators' shared payout salt secret.
import { z } from "zod";

const evmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");

export const reportsConfigSchema = z
  .object({
    chainId: z.number().int().min(1),
    /** The chain's attester domain (the Gateway's domain id) the EpochReport attestation names. */
    domain: z.number().int().min(0).max(0xffffffff),
    epochReports: evmAddress,
    communityRegistry: evmAddress,
    attesterSetId: z
      .union([z.number().int().min(0), z.string().regex(/^[0-9]{1,20}$/, "expected a set id")])
      .transform((v) => BigInt(v)),
    /** 32 bytes shared by the task's operators: payout salts are sdk deriveSalt(secret, account, token). */
    payoutSaltSecret: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes in 0x hex"),
  })
  .strict();
export type ReportsConfig = z.infer<typeof reportsConfigSchema>;
