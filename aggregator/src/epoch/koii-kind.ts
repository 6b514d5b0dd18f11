// The `engagement-reports` kind of the Koii task round (docs/protocol.md §12.4). A node's items for a round are the
// reports it built in the round's work period, each as (community, epoch, reportHash, prevPayoutRoot, the
// contributions it was built from). An auditor fetches every listed contribution from its node (verified by the
// injected fetcher, part B's `fetchContribution` + `verifyContribution`), checks its hash, reads the same chain inputs
// and rebuilds the report with `buildEpochReport`: a different hash (or no report) is `report-mismatch`, a
// contribution it cannot get or whose hash differs is `contribution-missing`. A fail vote from the quorum slashes the
// node at distribution.
import { type AuditOutcome, CanonicalWriter, type Fault, type RoundWindows, type WorkKind } from "@maskoii/node-kit";
import type { Hex } from "viem";
import { z } from "zod";
import { assembleInputs } from "./assemble.ts";
import { buildEpochReport } from "./builder.ts";
import type { ReportContribution, ReportInputsSource } from "./inputs.ts";
import type { PayoutStore } from "./payout-store.ts";

export const ENGAGEMENT_REPORTS_KIND = "engagement-reports";
/** At most this many contributions per item (one per task node). */
export const MAX_ITEM_CONTRIBUTIONS = 256;

const hex32 = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, "expected 32 bytes in lower-case 0x hex")
  .transform((s) => s as Hex);
const u64 = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, "expected a decimal integer");

export const reportItemSchema = z
  .object({
    community: u64,
    epoch: u64,
    reportHash: hex32,
    prevPayoutRoot: hex32,
    contributions: z
      .array(z.object({ node: z.string().min(32).max(44), hash: hex32 }).strict())
      .max(MAX_ITEM_CONTRIBUTIONS),
  })
  .strict();
export type ReportItem = z.infer<typeof reportItemSchema>;

/**
 * Gets one node's contribution to (community, epoch), signature checked; undefined when the node has none or
 * answers nothing usable. Throwing counts as missing too.
 */
export type FetchContribution = (ref: {
  node: string;
  community: bigint;
  epoch: bigint;
}) => Promise<ReportContribution | undefined>;

export class EngagementReportsKind implements WorkKind<ReportItem> {
  readonly name = ENGAGEMENT_REPORTS_KIND;
  readonly itemSchema = reportItemSchema;
  readonly #store: PayoutStore;
  readonly #inputs: ReportInputsSource;
  readonly #fetch: FetchContribution;

  constructor(args: { store: PayoutStore; inputs: ReportInputsSource; fetchContribution: FetchContribution }) {
    this.#store = args.store;
    this.#inputs = args.inputs;
    this.#fetch = args.fetchContribution;
  }

  /** community u64 ‖ epoch u64 ‖ reportHash ‖ prevPayoutRoot ‖ u16 n ‖ n × (text(u8) node ‖ hash). */
  encodeItem(item: ReportItem): Uint8Array {
    const w = new CanonicalWriter()
      .uint(BigInt(item.community), 8)
      .uint(BigInt(item.epoch), 8)
      .fixed(item.reportHash, 32)
      .fixed(item.prevPayoutRoot, 32)
      .uint(item.contributions.length, 2);
    for (const c of item.contributions) w.text(c.node, 1).fixed(c.hash, 32);
    return w.toBytes();
  }

  checkItem(item: ReportItem): Fault | undefined {
    for (let i = 1; i < item.contributions.length; i++) {
      if ((item.contributions[i - 1]?.node ?? "") >= (item.contributions[i]?.node ?? ""))
        return {
          code: "malformed-item",
          detail: `contributions of ${item.community}/${item.epoch} not ascending by node`,
        };
    }
    return undefined;
  }

  async collect(windows: RoundWindows): Promise<ReportItem[]> {
    const reports = await this.#store.reportsBuiltBetween(windows.workStart, windows.workEnd);
    return reports.map((r) => ({
      community: r.community.toString(),
      epoch: r.epoch.toString(),
      reportHash: r.reportHash.toLowerCase() as Hex,
      prevPayoutRoot: String(r.report.prevPayoutRoot).toLowerCase() as Hex,
      contributions: [...r.contributions].sort((a, b) => (a.node < b.node ? -1 : 1)),
    }));
  }

  /** Rebuilds one item's report from its listed contributions and the chain: the faults found (none: it agrees). */
  async auditItem(item: ReportItem): Promise<Fault[]> {
    const community = BigInt(item.community);
    const epoch = BigInt(item.epoch);
    const where = `${item.community}/${item.epoch}`;
    const contributions: ReportContribution[] = [];
    const faults: Fault[] = [];
    for (const ref of item.contributions) {
      let got: ReportContribution | undefined;
      try {
        got = await this.#fetch({ node: ref.node, community, epoch });
      } catch {
        got = undefined;
      }
      if (got === undefined || got.hash.toLowerCase() !== ref.hash || got.node !== ref.node) {
        faults.push({ code: "contribution-missing", detail: `${where}: ${ref.node} ${ref.hash}` });
      } else contributions.push(got);
    }
    if (faults.length > 0) return faults;
    const inputs = await assembleInputs(this.#store, this.#inputs, {
      community,
      epoch,
      prevPayoutRoot: item.prevPayoutRoot,
      contributions,
    });
    const out = buildEpochReport(inputs);
    if (out.kind !== "report") return [{ code: "report-mismatch", detail: `${where}: no report (${out.kind})` }];
    if (out.reportHash !== item.reportHash)
      return [{ code: "report-mismatch", detail: `${where}: ${item.reportHash}, recomputed ${out.reportHash}` }];
    return [];
  }

  async audit(items: readonly ReportItem[]): Promise<AuditOutcome> {
    const faults: Fault[] = [];
    for (const item of items) faults.push(...(await this.auditItem(item)));
    return { faults, equivocations: [] };
  }
}
