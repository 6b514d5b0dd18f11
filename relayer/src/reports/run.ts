// Wires the report submitter from the config: the EVM chain named by `relayer.reports.domain` (its adapter pays and
// reads the attester set), its EpochReports (the section's, else the deployment file's), the nodes' client and the
// store's table.
import type { Logger } from "@maskoii/node-kit";
import type { Chains } from "../chains/adapter.ts";
import { EvmChainAdapter } from "../chains/evm.ts";
import type { ResolvedConfig } from "../config.ts";
import { InvalidConfigError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { StateLog } from "../state-log.ts";
import type { Store } from "../store/types.ts";
import type { ReportsConfig } from "./config.ts";
import { PendingReportsClient } from "./pending.ts";
import { ReportStore } from "./store.ts";
import { ReportSubmitter } from "./submitter.ts";

export function reportSubmitterOf(args: {
  config: ResolvedConfig;
  settings: ReportsConfig;
  chains: Chains;
  store: Store;
  log: Logger;
  metrics?: Metrics;
  states?: StateLog;
}): ReportSubmitter {
  const { settings } = args;
  const chain = args.config.chains.find((c) => c.family === "evm" && c.domain === settings.domain);
  const adapter = args.chains.get(settings.domain);
  if (chain === undefined || chain.family !== "evm" || !(adapter instanceof EvmChainAdapter)) {
    throw new InvalidConfigError("config", [
      { field: "relayer.reports.domain", problem: `domain ${settings.domain} is not an EVM chain of chains` },
    ]);
  }
  const address = settings.epochReports ?? chain.epochReports;
  if (address === undefined) {
    throw new InvalidConfigError("config", [
      {
        field: "relayer.reports.epochReports",
        problem: "missing: give it, or a deploymentFile for the chain whose contracts.revenue names EpochReports",
      },
    ]);
  }
  return new ReportSubmitter({
    chain: adapter.epochReports(address, BigInt(chain.startBlock)),
    attesterSet: adapter,
    client: new PendingReportsClient({
      urls: settings.nodes,
      timeoutMs: settings.requestTimeoutMs,
      maxBodyBytes: settings.maxBodyBytes,
      maxReportsPerNode: settings.maxReportsPerNode,
    }),
    store: ReportStore.of(args.store),
    settings,
    log: args.log.child({ component: "reports" }),
    ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
    ...(args.states === undefined ? {} : { states: args.states }),
  });
}
