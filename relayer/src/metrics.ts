// Prometheus metrics of the attester node and the relayer, in their own registry (no global state): node-kit's
// NodeMetrics (the registry, Koii round events, HTTP rejections) and the bridge's own.
import { NodeMetrics } from "@maskoii/node-kit";
import { Counter, Gauge, Histogram } from "prom-client";

export class Metrics extends NodeMetrics {
  /** Messages by lifecycle status (observed, signed, delivered, skipped, failed, ...). */
  readonly messages = new Counter({
    name: "maskoii_messages_total",
    help: "Messages by status transition",
    labelNames: ["status", "origin", "destination"] as const,
    registers: [this.registry],
  });
  /** Seconds from first seeing a message final on its origin to its delivery transaction being mined. */
  readonly deliveryLatency = new Histogram({
    name: "maskoii_delivery_latency_seconds",
    help: "Seconds from a message being observed final to its delivery",
    labelNames: ["destination"] as const,
    buckets: [1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [this.registry],
  });
  /** Seconds from first seeing a message to having a quorum of signatures for it. */
  readonly quorumWait = new Histogram({
    name: "maskoii_quorum_wait_seconds",
    help: "Seconds from a message being observed to a quorum of attester signatures",
    labelNames: ["destination"] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly gasSpent = new Counter({
    name: "maskoii_gas_spent_total",
    help: "Gas used by delivery transactions",
    labelNames: ["destination", "method"] as const,
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({
    name: "maskoii_rpc_errors_total",
    help: "Failed RPC calls",
    labelNames: ["domain", "call"] as const,
    registers: [this.registry],
  });
  readonly signatures = new Counter({
    name: "maskoii_signatures_total",
    help: "Attestation signatures produced (attester) or rejected (relayer)",
    labelNames: ["kind", "outcome"] as const,
    registers: [this.registry],
  });
  readonly finalizedBlock = new Gauge({
    name: "maskoii_finalized_block",
    help: "Last final block scanned per origin domain",
    labelNames: ["domain"] as const,
    registers: [this.registry],
  });
  /** Signature claims an attester endpoint served that are garbage or not what they claim (src/koii/evidence.ts). */
  readonly byzantineSignatures = new Counter({
    name: "maskoii_byzantine_signatures_total",
    help: "Byzantine signature claims seen by the relayer, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  /** Origin reads on which the chain's RPC providers disagreed (chains/quorum.ts), by domain and outcome. */
  readonly rpcDisagreements = new Counter({
    name: "maskoii_rpc_disagreements_total",
    help: "Origin reads where RPC providers disagreed: outcome outvoted (a quorum agreed) or undecided (nothing recorded)",
    labelNames: ["domain", "outcome"] as const,
    registers: [this.registry],
  });

  /** Native currency paid for delivery transactions (gasUsed x effectiveGasPrice), in wei. */
  readonly feesSpent = new Counter({
    name: "maskoii_fees_spent_wei_total",
    help: "Native fees paid by delivery transactions, in wei",
    labelNames: ["destination", "method"] as const,
    registers: [this.registry],
  });
  readonly feeBumps = new Counter({
    name: "maskoii_fee_bumps_total",
    help: "Unmined transactions replaced at the same nonce with higher fees",
    labelNames: ["domain"] as const,
    registers: [this.registry],
  });
  /** Delivery claims (leases) of this relayer instance: claimed, released, lost (another instance took it). */
  readonly claims = new Counter({
    name: "maskoii_delivery_claims_total",
    help: "Delivery claims taken, released or lost by this instance",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  /** The queued-transfer keeper (keeper.ts): entries seen, released by it, skipped, failed release attempts. */
  readonly queuedTransfers = new Counter({
    name: "maskoii_queued_transfers_total",
    help: "Rate-limited (queued) inbound transfers handled by the keeper, by outcome",
    labelNames: ["domain", "outcome"] as const,
    registers: [this.registry],
  });

  /** Conditions a node depends on (src/state-log.ts), 1 = holds: attester/chain reachable, quorum, unpaused, funds. */
  readonly conditionOk = new Gauge({
    name: "maskoii_condition_ok",
    help: "1 while the condition holds for the subject (endpoint or domain), 0 while it does not",
    labelNames: ["condition", "subject"] as const,
    registers: [this.registry],
  });
  /** Changes of those conditions (each one is also logged once). */
  readonly conditionChanges = new Counter({
    name: "maskoii_condition_changes_total",
    help: "Changes of a condition (to lost or back to ok)",
    labelNames: ["condition", "subject", "to"] as const,
    registers: [this.registry],
  });
  /** Batches split to isolate a message that made the whole batch fail (relayer-service.ts). */
  readonly batchSplits = new Counter({
    name: "maskoii_batch_splits_total",
    help: "Batches split in halves after the whole batch failed (revert, block gas limit, gas bound)",
    labelNames: ["destination", "reason"] as const,
    registers: [this.registry],
  });

  /**
   * Refunds on origins (refunder.ts): records seen, refunded by this relayer, skipped (already refunded),
   * attempts waiting for a quorum, refused by a paused origin, failed.
   */
  readonly refunds = new Counter({
    name: "maskoii_refunds_total",
    help: "Refunds of transfers the destination recorded refundable, submitted on their origin, by outcome",
    labelNames: ["origin", "outcome"] as const,
    registers: [this.registry],
  });

  /**
   * Epoch reports (reports/submitter.ts): quorum (reached), submitted (by this relayer), adopted (found on chain),
   * finalized, solana-sent (payouts), stale (built on another payout root), superseded, rejected, failed (attempts).
   */
  readonly epochReports = new Counter({
    name: "maskoii_epoch_reports_total",
    help: "Epoch reports handled by the report submitter, by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  /** Report signatures and entries from aggregator nodes refused, by reason (rejected-<reason>). */
  readonly reportSignatures = new Counter({
    name: "maskoii_report_signatures_total",
    help: "Signed report entries from aggregator nodes the submitter refused, by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  /** Adds a gauge of deliveries by state, read from `count` at every scrape (so it is right across instances). */
  trackDeliveries(count: () => Promise<Record<string, number>>): void {
    new Gauge({
      name: "maskoii_deliveries",
      help: "Deliveries in the store by state (all instances sharing it)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        // A store that is down must not break the scrape (rpc/claim metrics are what shows the outage).
        const counts = await count().catch(() => ({}));
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
  }

  /** Seconds spent per step of the pipeline (scan, sign, collect, batch attest, deliver transaction, ...). */
  readonly stageSeconds = new Histogram({
    name: "maskoii_stage_seconds",
    help: "Seconds spent in one step of the attester or relayer pipeline",
    labelNames: ["stage"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Runs `fn` and records its duration under `stage` (also when it throws). */
  async time<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const end = this.stageSeconds.startTimer({ stage });
    try {
      return await fn();
    } finally {
      end();
    }
  }

  /** The text exposition format. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
