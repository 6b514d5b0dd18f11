// Wires the Koii task round into an attester node: the bridge attestation kind, the task, the equivocation reporter
// (opt-in), the HTTP routes and the task loop. Step two registers its own kind here beside the attestations.

import type { BindingRecord, Logger } from "@maskoii/node-kit";
import { KoiiTask, startLoop, type TaskSettings } from "@maskoii/node-kit";
import type { Hex } from "viem";
import type { Chains } from "../chains/adapter.ts";
import type { AuditReader } from "../chains/quorum.ts";
import { InvalidConfigError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { Store } from "../store/types.ts";
import type { KoiiConfig } from "./config.ts";
import { EquivocationReporter } from "./equivocation.ts";
import { AttestationsKind } from "./kinds/attestations.ts";
import { type KoiiRoutes, koiiRoutes } from "./routes.ts";
import { KoiiStore } from "./store.ts";

export type KoiiNode = {
  readonly task: KoiiTask<unknown>;
  readonly store: KoiiStore;
  readonly routes: KoiiRoutes;
  stop: () => Promise<void>;
};

export function taskSettings(config: KoiiConfig): TaskSettings {
  return {
    taskId: config.taskId,
    schedule: {
      genesisMs: config.genesisMs,
      roundMs: config.roundMs,
      submissionMs: config.submissionMs,
      auditMs: config.auditMs,
    },
    rewardPerRound: config.rewardPerRound,
    quorumBps: config.quorumBps,
    slashBps: config.slashBps,
    equivocationSlashBps: config.equivocationSlashBps,
    requestTimeoutMs: config.requestTimeoutMs,
  };
}

export async function startKoiiTask(args: {
  config: KoiiConfig;
  chains: Chains;
  /** Origins with several RPC providers: audits read them through the providers' quorum. */
  origins?: ReadonlyMap<number, AuditReader>;
  startBlocks: ReadonlyMap<number, bigint>;
  store: Store;
  ed25519PrivateKey: Hex;
  binding: BindingRecord;
  log: Logger;
  metrics?: Metrics;
  now?: () => number;
  /** New evidence items one client may store per round (config attester.limits). */
  evidencePerSubmitterPerRound?: number;
}): Promise<KoiiNode> {
  const { config } = args;
  if (!config.nodes.some((n) => n.koiiPublicKey === args.binding.koiiPublicKey)) {
    throw new InvalidConfigError("config", [
      { field: "koii.nodes", problem: `does not list this node's Koii key ${args.binding.koiiPublicKey}` },
    ]);
  }
  for (const domain of config.reportEquivocationOn) {
    if (!args.chains.has(domain)) {
      throw new InvalidConfigError("config", [
        { field: "koii.reportEquivocationOn", problem: `domain ${domain} is not a configured chain` },
      ]);
    }
  }
  const store = KoiiStore.of(args.store);
  const log = args.log.child({ component: "koii" });
  const kind = new AttestationsKind({
    store,
    chains: args.chains,
    ...(args.origins === undefined ? {} : { origins: args.origins }),
    startBlocks: args.startBlocks,
    log,
  });
  const task = new KoiiTask({
    kind,
    settings: taskSettings(config),
    ed25519PrivateKey: args.ed25519PrivateKey,
    binding: args.binding,
    nodes: config.nodes,
    store,
    reporter: new EquivocationReporter({ chains: args.chains, domains: config.reportEquivocationOn, store, log }),
    log,
    ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
    ...(args.now === undefined ? {} : { now: args.now }),
  }) as KoiiTask<unknown>;
  const routes = koiiRoutes({
    tasks: new Map([[kind.name, task]]),
    store,
    log,
    ...(args.evidencePerSubmitterPerRound === undefined
      ? {}
      : { evidencePerSubmitterPerRound: args.evidencePerSubmitterPerRound }),
    ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
    ...(args.now === undefined ? {} : { now: args.now }),
  });
  const loop = startLoop(async () => {
    try {
      await task.tick();
    } catch (error) {
      log.warn({ error: (error as Error).message }, "koii task tick failed; retrying");
    }
  }, config.pollIntervalMs);
  log.info({ taskId: config.taskId, node: task.node }, "koii task started");
  return { task, store, routes, stop: () => loop.stop() };
}
