// Wires and runs the relayer: store, chains (with the paying account), watchers, attester client, delivery loop and
// the optional operations server (/health, /ready, /metrics, /messages/:id).

import type { Logger, UnlockedKey } from "@maskoii/node-kit";
import { RelayerRequestSigner, startLoop } from "@maskoii/node-kit";
import { bridgeChains } from "./attester/refunds.ts";
import type { Chains } from "./chains/adapter.ts";
import { AttesterClient } from "./collector.ts";
import type { ResolvedConfig } from "./config.ts";
import { describeError, InvalidConfigError } from "./errors.ts";
import { keeperTargets, QueueKeeper } from "./keeper.ts";
import { KeeperStore } from "./keeper-store.ts";
import { ByzantineReporter } from "./koii/reporter.ts";
import { KoiiStore } from "./koii/store.ts";
import { Metrics } from "./metrics.ts";
import { Refunder } from "./refunder.ts";
import { type Readiness, startRelayerServer } from "./relayer-server.ts";
import { Relayer } from "./relayer-service.ts";
import { reportSubmitterOf } from "./reports/run.ts";
import type { ReportSubmitter } from "./reports/submitter.ts";
import { connectChains, makeWatchers } from "./runtime.ts";
import { StateLog } from "./state-log.ts";
import { openStore } from "./store/index.ts";
import { RefundStore } from "./store/refunds.ts";
import type { Store } from "./store/types.ts";

export type RelayerHandle = {
  readonly store: Store;
  readonly chains: Chains;
  readonly relayer: Relayer;
  /** Base URL of the operations server (/health, /ready, /metrics, /messages/:id), when configured. */
  readonly url: string | undefined;
  /** The same as `url` (kept for callers written before /ready and /messages). */
  readonly metricsUrl: string | undefined;
  readonly metrics: Metrics;
  /** The queued-transfer keeper, when `relayer.releaseQueued.enabled`. */
  readonly keeper: QueueKeeper | undefined;
  /** Refunds on origins, when `relayer.refunds.enabled`. */
  readonly refunder: Refunder | undefined;
  /** The epoch report submitter, when `relayer.reports` is set. */
  readonly reports: ReportSubmitter | undefined;
  readiness: () => Readiness;
  /**
   * Graceful shutdown: stop claiming, let the tick in flight finish its current delivery, hand back every claim,
   * close the server and the store.
   */
  stop: () => Promise<void>;
};

export async function startRelayer(args: {
  config: ResolvedConfig;
  payingKey: UnlockedKey;
  /** ed25519 key paying for deliveries on Solana chains (required when a chain has family "solana"). */
  solanaKey?: UnlockedKey;
  /**
   * The relayer's ed25519 identity (keys.identityKeystore): it signs every request to the attesters, which nodes
   * with `attester.auth` require (their allow-list names its base58 public key). Absent: requests are unsigned.
   */
  identityKey?: UnlockedKey;
  log: Logger;
}): Promise<RelayerHandle> {
  const { config, log } = args;
  const settings = config.relayer;
  if (settings === undefined) throw new InvalidConfigError("config", [{ field: "relayer", problem: "missing" }]);
  if (args.solanaKey === undefined && config.chains.some((c) => c.family === "solana")) {
    throw new InvalidConfigError("config", [
      { field: "keys.solanaKeystore", problem: "required to deliver to a Solana chain (an ed25519 keystore)" },
    ]);
  }
  if (args.identityKey !== undefined && args.identityKey.kind !== "ed25519") {
    throw new InvalidConfigError("config", [
      {
        field: "keys.identityKeystore",
        problem: `the relayer identity must be an ed25519 key, not ${args.identityKey.kind}`,
      },
    ]);
  }
  const signer = args.identityKey === undefined ? undefined : new RelayerRequestSigner(args.identityKey.privateKey);
  const metrics = new Metrics();
  // One registry of what the node waits for (the delivery loop and the keeper report into it).
  const states = new StateLog(log, metrics);
  const store = await openStore(config.store);
  try {
    const chains = await connectChains(config, {
      metrics,
      signer: args.payingKey,
      log,
      ...(args.solanaKey === undefined ? {} : { solanaSigner: args.solanaKey }),
    });
    let relayer: Relayer | undefined;
    const watchers = makeWatchers({
      config,
      chains,
      store,
      role: "relayer",
      log,
      metrics,
      onMessages: async (ms) => relayer?.trackMany(ms),
    });
    relayer = new Relayer({
      chains,
      watchers,
      store,
      attesters: new AttesterClient(settings.attesters, settings.requestTimeoutMs, {
        log,
        ...(signer === undefined ? {} : { signer }),
      }),
      log,
      metrics,
      pollIntervalMs: settings.pollIntervalMs,
      retry: settings.retry,
      maxBatchSize: settings.maxBatchSize,
      leaseMs: settings.leaseMs,
      claimLimit: settings.claimLimit,
      // The loop lets a round end while its deliveries are mined: the next round scans and collects meanwhile.
      pipeline: true,
      states,
      ...(settings.instanceId === undefined ? {} : { instanceId: settings.instanceId }),
      byzantine: new ByzantineReporter({
        store: KoiiStore.of(store),
        attesters: settings.attesters,
        log,
        metrics,
        timeoutMs: settings.requestTimeoutMs,
        messageOf: async (id) => (await store.getObserved(id))?.message,
        ...(signer === undefined ? {} : { signer }),
      }),
    });
    const active = relayer;
    metrics.trackDeliveries(() => store.countDeliveries());
    let readiness: Readiness = { ready: false, reason: "no delivery round completed yet" };
    const loop = startLoop(async () => {
      try {
        const report = await active.tick();
        const problems = [
          report.originErrors > 0 ? `${report.originErrors} origin chain(s) unreachable` : "",
          report.destinationErrors > 0 ? `${report.destinationErrors} destination chain(s) unreachable` : "",
        ].filter((p) => p !== "");
        if (active.draining) readiness = { ready: false, reason: "shutting down" };
        else if (problems.length > 0) readiness = { ready: false, reason: problems.join("; ") };
        else readiness = { ready: true, reason: "store and chains reachable" };
      } catch (error) {
        // The store failed: keep the loop alive (it retries next interval) and say so on /ready.
        readiness = { ready: false, reason: describeError(error) };
        log.error({ error: describeError(error) }, "delivery round failed");
      }
    }, settings.pollIntervalMs);
    // The queued-transfer keeper: its own loop beside the delivery loop (a slow release never delays deliveries).
    const keeperSettings = settings.releaseQueued;
    const keeper = keeperSettings.enabled
      ? new QueueKeeper({
          targets: keeperTargets(config, chains, log),
          store: KeeperStore.of(store),
          settings: keeperSettings,
          leaseMs: settings.leaseMs,
          log: log.child({ component: "keeper" }),
          metrics,
          states,
        })
      : undefined;
    const keeperLoop =
      keeper === undefined
        ? undefined
        : startLoop(async () => {
            if (active.draining) return;
            await keeper.tick().catch((error: unknown) => {
              log.error({ error: describeError(error) }, "queued-transfer keeper round failed");
            });
          }, keeperSettings.intervalMs);
    // Refunds on origins: their own loop too.
    const refundSettings = settings.refunds;
    const refunder = refundSettings.enabled
      ? new Refunder({
          bridges: bridgeChains(config, chains),
          store: RefundStore.of(store),
          attesters: settings.attesters,
          settings: {
            maxPerTick: refundSettings.maxPerTick,
            maxBackoffMs: refundSettings.maxBackoffMs,
            requestTimeoutMs: settings.requestTimeoutMs,
            leaseMs: settings.leaseMs,
          },
          log: log.child({ component: "refunds" }),
          metrics,
          ...(signer === undefined ? {} : { signer }),
        })
      : undefined;
    const refundLoop =
      refunder === undefined
        ? undefined
        : startLoop(async () => {
            if (active.draining) return;
            await refunder.tick().catch((error: unknown) => {
              log.error({ error: describeError(error) }, "refund round failed");
            });
          }, refundSettings.intervalMs);
    // Epoch reports from aggregator nodes: their own loop too.
    const reports =
      settings.reports === undefined
        ? undefined
        : reportSubmitterOf({ config, settings: settings.reports, chains, store, log, metrics, states });
    const reportsLoop =
      reports === undefined || settings.reports === undefined
        ? undefined
        : startLoop(async () => {
            if (active.draining) return;
            await reports.tick().catch((error: unknown) => {
              log.error({ error: describeError(error) }, "epoch report round failed");
            });
          }, settings.reports.pollIntervalMs);
    const server =
      settings.metrics === undefined
        ? undefined
        : await startRelayerServer(
            { store, metrics, log, readiness: () => readiness, instanceId: active.instanceId },
            settings.metrics,
          );
    log.info(
      {
        attesters: settings.attesters,
        // The key to list in the attesters' attester.auth.relayers (null: requests are unsigned).
        identity: signer?.publicKey ?? null,
        url: server?.url,
        instanceId: active.instanceId,
        keeper: keeper === undefined ? "off" : keeper.targets.map((t) => t.queue.domain),
        refunds: refunder === undefined ? "off" : refunder.domains,
        reports: reports === undefined ? "off" : { domain: reports.domain, epochReports: reports.contract },
      },
      "relayer up",
    );
    let stopping: Promise<void> | undefined;
    return {
      store,
      chains,
      relayer: active,
      url: server?.url,
      metricsUrl: server?.url,
      metrics,
      keeper,
      refunder,
      reports,
      readiness: () => readiness,
      stop: () => {
        stopping ??= (async () => {
          active.drain();
          readiness = { ready: false, reason: "shutting down" };
          await Promise.all([loop.stop(), keeperLoop?.stop(), refundLoop?.stop(), reportsLoop?.stop()]);
          // Deliveries already being sent finish (their claims are still held); nothing new is started.
          await active.settled();
          const released = await store.releaseClaims(active.instanceId).catch(() => 0);
          if (released > 0) metrics.claims.inc({ outcome: "released" }, released);
          await server?.close();
          await store.close();
          log.info({ released }, "relayer stopped");
        })();
        return stopping;
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
