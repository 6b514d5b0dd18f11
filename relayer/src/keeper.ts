// The queued-transfer keeper: an EVM TokenBridge queues an inbound transfer its inbound bucket cannot take
// (TransferQueued) and anyone may release it once the bucket has refilled (releaseQueued). For each EVM chain with a
// TokenBridge, the keeper scans TransferQueued up to the final block from a durable cursor, works out from the bucket
// (chains/rate-limit.ts) the chain time from which each entry fits, and then releases it: simulated first (a revert
// costs nothing), sent through the chain's EvmSender (fees, bumping, nonces shared with deliveries). An entry already
// released by someone else is recorded as skipped; a failed attempt backs off. While the bridge is paused (its
// Gateway's `paused()`, docs/protocol.md §8.1) the keeper still records new entries but releases nothing, says so once
// (StateLog, condition keeper-unpaused) and resumes after the unpause. Opt-in: `relayer.releaseQueued`.
// Solana queued transfers are not covered (docs/relayer.md).

import type { Logger } from "@maskoii/node-kit";
import type { Address } from "viem";
import { backoffMs } from "./backoff.ts";
import type { Chains } from "./chains/adapter.ts";
import { EvmChainAdapter } from "./chains/evm.ts";
import type { TokenBridgeQueue } from "./chains/evm-release.ts";
import { releasableAt } from "./chains/rate-limit.ts";
import type { ReleaseQueuedConfig, ResolvedConfig } from "./config.ts";
import { describeError, InsufficientFundsError } from "./errors.ts";
import type { KeeperStore, QueuedTransferRecord } from "./keeper-store.ts";
import type { Metrics } from "./metrics.ts";
import { StateLog } from "./state-log.ts";

/** One TokenBridge the keeper works. */
export type KeeperTarget = {
  readonly queue: TokenBridgeQueue;
  /** The newest final block (TransferQueued logs are recorded only once final, so a reorg cannot hide one). */
  readonly finalizedBlock: () => Promise<bigint>;
  readonly startBlock: bigint;
  readonly maxBlockRange: bigint;
};

export type KeeperOutcome = "released" | "skipped" | "failed" | "waiting";

export type KeeperReport = {
  /** New TransferQueued entries recorded. */
  readonly seen: number;
  readonly released: number;
  readonly skipped: number;
  /** Chains whose bridge is paused this tick (nothing released there). */
  readonly paused: number;
  readonly failed: number;
  /** Chains whose scan or release round failed (RPC or store). */
  readonly errors: number;
};

/** Scanned ranges per chain per tick, so one tick is bounded after a long downtime. */
const MAX_RANGES_PER_TICK = 10;

/** The keeper targets of a config: every EVM chain with a TokenBridge (from the config or its deployment file). */
export function keeperTargets(config: ResolvedConfig, chains: Chains, log: Logger): KeeperTarget[] {
  const targets: KeeperTarget[] = [];
  for (const chain of config.chains) {
    if (chain.family !== "evm") continue;
    const adapter = chains.get(chain.domain);
    if (!(adapter instanceof EvmChainAdapter)) continue;
    if (chain.tokenBridge === undefined) {
      log.warn({ domain: chain.domain }, "no TokenBridge for this chain (tokenBridge or deploymentFile): not kept");
      continue;
    }
    targets.push({
      queue: adapter.tokenBridgeQueue(chain.tokenBridge),
      finalizedBlock: () => adapter.finalizedBlock(),
      startBlock: BigInt(chain.startBlock),
      maxBlockRange: BigInt(chain.maxBlockRange),
    });
  }
  return targets;
}

export class QueueKeeper {
  readonly #targets: readonly KeeperTarget[];
  readonly #store: KeeperStore;
  readonly #settings: ReleaseQueuedConfig;
  /** How long a claimed entry stays this instance's (longer than a release transaction may take). */
  readonly #leaseMs: number;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #now: () => number;
  readonly #states: StateLog;

  constructor(args: {
    targets: readonly KeeperTarget[];
    store: KeeperStore;
    settings: ReleaseQueuedConfig;
    leaseMs: number;
    log: Logger;
    metrics?: Metrics;
    now?: () => number;
    /** Shared with the relayer so that one registry of conditions is logged once (default: its own). */
    states?: StateLog;
  }) {
    this.#targets = args.targets;
    this.#store = args.store;
    this.#settings = args.settings;
    this.#leaseMs = args.leaseMs;
    this.#log = args.log;
    this.#metrics = args.metrics;
    this.#now = args.now ?? Date.now;
    this.#states = args.states ?? new StateLog(args.log, args.metrics);
  }

  get targets(): readonly KeeperTarget[] {
    return this.#targets;
  }

  /** Scans and releases on every chain; a failing chain does not stop the others. */
  async tick(): Promise<KeeperReport> {
    const report = { seen: 0, released: 0, skipped: 0, failed: 0, paused: 0, errors: 0 };
    for (const target of this.#targets) {
      const { domain, bridge } = target.queue;
      try {
        report.seen += await this.#scan(target);
        // Paused: nothing is claimed, so no entry is charged an attempt or rescheduled; all resume after the unpause.
        const paused = await target.queue.paused();
        this.#states.report("keeper-unpaused", String(domain), !paused, { domain, bridge });
        if (paused) {
          report.paused++;
          continue;
        }
        for (const outcome of await this.#releaseDue(target)) {
          if (outcome !== "waiting") report[outcome]++;
        }
      } catch (error) {
        report.errors++;
        this.#log.warn({ domain, bridge, error: describeError(error) }, "queued-transfer keeper round failed");
      }
    }
    return report;
  }

  /** Records the TransferQueued logs after the cursor, up to the final block. */
  async #scan(target: KeeperTarget): Promise<number> {
    const { domain, bridge } = target.queue;
    const head = await target.finalizedBlock();
    let from = ((await this.#store.getCursor(domain, bridge)) ?? target.startBlock - 1n) + 1n;
    let seen = 0;
    for (let i = 0; i < MAX_RANGES_PER_TICK && from <= head; i++) {
      const to = from + target.maxBlockRange - 1n < head ? from + target.maxBlockRange - 1n : head;
      const events = await target.queue.fetchQueued(from, to);
      const added = await this.#store.recordScan(
        domain,
        bridge,
        events.map((e) => ({ ...e, queuedTx: e.txHash })),
        to,
        this.#now(),
      );
      if (added > 0) {
        this.#metrics?.queuedTransfers.inc({ domain: String(domain), outcome: "seen" }, added);
        this.#log.info({ domain, bridge, added, from, to }, "queued transfers recorded");
      }
      seen += added;
      from = to + 1n;
    }
    return seen;
  }

  async #releaseDue(target: KeeperTarget): Promise<KeeperOutcome[]> {
    const { domain, bridge } = target.queue;
    const chainNow = await target.queue.now();
    const now = this.#now();
    const due = await this.#store.claimDue({
      domain,
      bridge,
      chainNow,
      now,
      leaseUntil: now + this.#leaseMs,
      limit: this.#settings.maxPerTick,
    });
    const outcomes: KeeperOutcome[] = [];
    for (const record of due) {
      let outcome: KeeperOutcome;
      try {
        outcome = await this.#handle(target, record, chainNow);
      } catch (error) {
        // The paying account out of funds is the operator alert the delivery loop raises too (said once).
        if (error instanceof InsufficientFundsError) {
          this.#states.report("funds-sufficient", String(domain), false, { domain, account: error.account });
        }
        outcome = await this.#failed(target, record, describeError(error));
      }
      if (outcome !== "waiting") this.#metrics?.queuedTransfers.inc({ domain: String(domain), outcome });
      outcomes.push(outcome);
    }
    return outcomes;
  }

  async #handle(target: KeeperTarget, record: QueuedTransferRecord, chainNow: number): Promise<KeeperOutcome> {
    const { queue } = target;
    const entry = await queue.entry(record.queueId);
    if (entry === undefined) return this.#skipped(target, record);
    const bucket = await queue.bucket(entry.token, entry.origin);
    const at = releasableAt(bucket, entry.wireAmount, chainNow);
    const log = { domain: queue.domain, bridge: queue.bridge, queueId: record.queueId };
    if (at === null) {
      // Only the owner raising the limits frees it: look again after the longest backoff.
      await this.#update(queue, record.queueId, {
        releaseAfter: null,
        nextAttemptAt: this.#now() + this.#settings.maxBackoffMs,
        lastError: `${entry.wireAmount} (wire units) never fits the inbound bucket (capacity ${bucket.capacity}, refill ${bucket.refillPerSecond}/s)`,
      });
      this.#log.warn({ ...log, capacity: bucket.capacity }, "queued transfer never fits the inbound bucket");
      return "waiting";
    }
    if (at > chainNow) {
      // Due again once chain time reaches `at` (the claim query compares with chain time).
      await this.#update(queue, record.queueId, { releaseAfter: at, nextAttemptAt: 0 });
      this.#log.debug({ ...log, releasableAt: at, chainNow }, "queued transfer waits for the bucket");
      return "waiting";
    }
    const result = await queue.release(record.queueId);
    if (result.kind === "released") {
      if (this.#states.state("funds-sufficient", String(queue.domain)) === false) {
        this.#states.report("funds-sufficient", String(queue.domain), true, { domain: queue.domain });
      }
      await this.#update(queue, record.queueId, {
        state: "released",
        releaseTx: result.txHash,
        gasUsed: result.gasUsed,
        lastError: null,
      });
      this.#log.info({ ...log, txHash: result.txHash, gasUsed: result.gasUsed }, "queued transfer released");
      return "released";
    }
    if (result.kind === "gone") return this.#skipped(target, record);
    // A mined revert may be a lost race: someone released it in the same block.
    if (result.txHash !== undefined && (await queue.entry(record.queueId)) === undefined) {
      return this.#skipped(target, record);
    }
    return this.#failed(target, record, result.reason + (result.txHash === undefined ? "" : ` (tx ${result.txHash})`));
  }

  async #skipped(target: KeeperTarget, record: QueuedTransferRecord): Promise<KeeperOutcome> {
    const { queue } = target;
    const by = await queue.releasedBy(record.queueId, record.blockNumber).catch(() => undefined);
    await this.#update(queue, record.queueId, { state: "skipped", releaseTx: by ?? null, lastError: null });
    this.#log.info(
      { domain: queue.domain, bridge: queue.bridge, queueId: record.queueId, releasedBy: by },
      "queued transfer already released: skipped",
    );
    return "skipped";
  }

  async #failed(target: KeeperTarget, record: QueuedTransferRecord, reason: string): Promise<KeeperOutcome> {
    const { queue } = target;
    const attempts = record.attempts + 1;
    const wait = backoffMs(attempts, this.#settings.intervalMs, this.#settings.maxBackoffMs);
    await this.#update(queue, record.queueId, {
      attempts,
      nextAttemptAt: this.#now() + wait,
      // Read the bucket again when it is next due.
      releaseAfter: 0,
      lastError: reason,
    }).catch((error: unknown) =>
      // The lease runs out and the entry is retried anyway.
      this.#log.error({ error: describeError(error) }, "could not record a failed release"),
    );
    this.#log.warn(
      { domain: queue.domain, bridge: queue.bridge, queueId: record.queueId, attempts, retryInMs: wait, reason },
      "queued transfer release failed: backing off",
    );
    return "failed";
  }

  #update(queue: TokenBridgeQueue, queueId: bigint, update: Parameters<KeeperStore["update"]>[3]): Promise<void> {
    return this.#store.update(queue.domain, queue.bridge as Address, queueId, update, this.#now());
  }
}
