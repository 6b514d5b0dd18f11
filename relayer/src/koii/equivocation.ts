// Puts proven equivocation on chain: AttesterSet.reportEquivocation on the configured EVM Gateways. Opt-in per node
// (it costs gas), idempotent: an attester already removed (weight 0 in the current set, by us or anyone) is not
// reported again, and every outcome is persisted per (attester, domain).

import type { Logger } from "@maskoii/node-kit";
import type { Address, Hex } from "viem";
import type { ChainAdapter, Chains } from "../chains/adapter.ts";
import type { EquivocationEvidenceArg, EquivocationReportResult } from "../chains/evm.ts";
import { describeError } from "../errors.ts";
import type { EvidencePair } from "./kinds/attestations.ts";
import type { EquivocationOutcome, KoiiStore } from "./store.ts";

/** An adapter that can submit equivocation evidence (the EVM adapter; other families may add it). */
export interface EquivocationSubmitter {
  reportEquivocation(a: EquivocationEvidenceArg, b: EquivocationEvidenceArg): Promise<EquivocationReportResult>;
}

export function canReportEquivocation(adapter: ChainAdapter): adapter is ChainAdapter & EquivocationSubmitter {
  return typeof (adapter as Partial<EquivocationSubmitter>).reportEquivocation === "function";
}

/** Whether `attester` still counts (non-zero weight) in the adapter's current set. */
async function stillCounts(adapter: ChainAdapter, attester: Address): Promise<boolean> {
  const set = await adapter.getAttesterSet(await adapter.currentSetId());
  const i = set.attesters.findIndex((a) => a.toLowerCase() === attester.toLowerCase());
  return i >= 0 && (set.weights[i] ?? 0n) > 0n;
}

export type ReportResult = {
  readonly domain: number;
  readonly outcome: EquivocationOutcome;
  readonly txHash: Hex | null;
};

export class EquivocationReporter {
  readonly #chains: Chains;
  readonly #domains: readonly number[];
  readonly #store: KoiiStore;
  readonly #log: Logger;

  constructor(args: { chains: Chains; domains: readonly number[]; store: KoiiStore; log: Logger }) {
    this.#chains = args.chains;
    this.#domains = args.domains;
    this.#store = args.store;
    this.#log = args.log;
  }

  get enabled(): boolean {
    return this.#domains.length > 0;
  }

  /** Reports `pair` on every configured domain where its attester still counts. */
  async report(pair: EvidencePair): Promise<ReportResult[]> {
    const results: ReportResult[] = [];
    for (const domain of this.#domains) {
      const done = await this.#store.getEquivocationReport(pair.attester, domain);
      if (done !== undefined && done.outcome !== "failed") {
        results.push({ domain, ...done });
        continue;
      }
      const adapter = this.#chains.get(domain);
      if (adapter === undefined || !canReportEquivocation(adapter)) {
        this.#log.warn({ domain }, "cannot report equivocation on this domain (no EVM adapter)");
        continue;
      }
      results.push({ domain, ...(await this.#reportOn(adapter, pair)) });
    }
    return results;
  }

  async #reportOn(
    adapter: ChainAdapter & EquivocationSubmitter,
    pair: EvidencePair,
  ): Promise<{ outcome: EquivocationOutcome; txHash: Hex | null }> {
    const save = async (outcome: EquivocationOutcome, txHash: Hex | null) => {
      await this.#store.saveEquivocationReport(pair.attester, adapter.domain, outcome, txHash);
      return { outcome, txHash };
    };
    try {
      if (!(await stillCounts(adapter, pair.attester))) return save("already-slashed", null);
      const result = await adapter.reportEquivocation(pair.a, pair.b);
      this.#log.warn(
        { domain: adapter.domain, attester: pair.attester, txHash: result.txHash },
        "reported equivocation on chain",
      );
      return save("slashed", result.txHash);
    } catch (error) {
      // Lost a race with another reporter: the attester is gone either way.
      if (!(await stillCounts(adapter, pair.attester).catch(() => true))) return save("already-slashed", null);
      this.#log.error(
        { domain: adapter.domain, attester: pair.attester, error: describeError(error) },
        "equivocation report failed; retried next audit",
      );
      return save("failed", null);
    }
  }
}
