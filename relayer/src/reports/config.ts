// The relayer's optional `relayer.reports` section (docs/relayer.md "Reports"): which aggregator nodes serve signed
// epoch reports (`GET /reports/pending`), on which EVM chain (a configured chain's domain) they are submitted, the
// EpochReports contract there (default: the chain's deployment file), and what the submitter does after submission.
import { checksummedAddress } from "@maskoii/sdk";
import { z } from "zod";

export const REPORTS_DEFAULTS = {
  pollIntervalMs: 5_000,
  requestTimeoutMs: 5_000,
  finalize: true,
  solanaPayouts: true,
  maxReportsPerNode: 256,
  maxBodyBytes: 4 * 1024 * 1024,
  maxBackoffMs: 600_000,
} as const;

export const reportsConfigSchema = z
  .object({
    /** Base URLs of the aggregator nodes (`GET <url>/reports/pending`). */
    nodes: z
      .array(z.url({ message: "expected an http(s) URL" }))
      .min(1)
      .max(64),
    /** The EVM chain the reports are submitted on: the domain of one of `chains`. */
    domain: z.number().int().min(1).max(0xffffffff),
    /** EpochReports on that chain; default `contracts.revenue.epochReports` of the chain's deployment file. */
    epochReports: checksummedAddress.optional(),
    /** Ticks of the submitter's loop (poll the nodes, submit, finalize, send Solana payouts). */
    pollIntervalMs: z.number().int().min(10).max(600_000).default(REPORTS_DEFAULTS.pollIntervalMs),
    /** How long one node may take to answer. */
    requestTimeoutMs: z.number().int().min(10).max(120_000).default(REPORTS_DEFAULTS.requestTimeoutMs),
    /** Finalize submitted reports once their challenge window has passed (in chain order). */
    finalize: z.boolean().default(REPORTS_DEFAULTS.finalize),
    /** Send each final report's Solana payouts through the bridge (paying the gateway fee). Needs `finalize`. */
    solanaPayouts: z.boolean().default(REPORTS_DEFAULTS.solanaPayouts),
    /** Reports read from one node's answer at most (the rest are ignored and counted). */
    maxReportsPerNode: z.number().int().min(1).max(10_000).default(REPORTS_DEFAULTS.maxReportsPerNode),
    /** Largest answer read from a node; a larger one is refused. */
    maxBodyBytes: z
      .number()
      .int()
      .min(1_024)
      .max(64 * 1024 * 1024)
      .default(REPORTS_DEFAULTS.maxBodyBytes),
    /** Longest wait between attempts of a transaction that failed (RPC error, an unexpected revert). */
    maxBackoffMs: z.number().int().min(10).max(86_400_000).default(REPORTS_DEFAULTS.maxBackoffMs),
  })
  .strict()
  .refine((r) => r.finalize || !r.solanaPayouts, {
    message: "solanaPayouts needs finalize (a payout is sent only for a final report); set it to false too",
    path: ["solanaPayouts"],
  });
export type ReportsConfig = z.infer<typeof reportsConfigSchema>;
