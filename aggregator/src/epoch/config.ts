// The node's optional `reports` config section (issue 16 point 3): where reports are attested (the chain's attester
// domain, EpochReports, the attester set; the node's attester key is the `identity` section's), the deployment a
// payout-proof request names (chain id, CommunityRegistry), and the task operators' shared payout salt secret.
import { koiiTaskChecks, koiiTaskFields } from "@maskoii/node-kit";
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
    /**
     * The epoch loop (src/epoch/epoch-loop.ts), run when the node has `engagement` and `identity` too: the communities
     * it reports on, its tick, how many ticks a peer that is down is asked again, how many ended epochs a (re)start
     * looks back at. The loop signs under the Gateway's current attester set (read at signing), not `attesterSetId`.
     */
    loop: z
      .object({
        communities: z
          .array(z.union([z.number().int().min(1), z.string().regex(/^[1-9][0-9]{0,19}$/, "expected a community id")]))
          .min(1, "list the communities this node reports on")
          .transform((ids) => ids.map((id) => BigInt(id))),
        pollIntervalMs: z.number().int().min(50).max(600_000).default(5_000),
        peerAttempts: z.number().int().min(1).max(1_000).default(12),
        lookbackEpochs: z.number().int().min(1).max(1_000).default(4),
      })
      .strict()
      .optional(),
    /** The Koii task round of the `engagement-reports` kind (node-kit's round fields; this node among `nodes`). */
    koii: koiiTaskChecks(z.object(koiiTaskFields).strict()).optional(),
  })
  .strict();
export type ReportsConfig = z.infer<typeof reportsConfigSchema>;
