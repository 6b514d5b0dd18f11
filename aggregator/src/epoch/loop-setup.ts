// Wires the epoch loop and, when configured, the Koii task of the `engagement-reports` kind into a node that has the
// `engagement`, `identity` (the attester key) and `reports` (with `loop`) sections: the report inputs read from the
// chain, the reporter, the loop on a timer, the task (its binding record made from the node's Koii and attester keys,
// as the relayer's attester does) on its own timer, and the task's `/koii/...` routes for the operator server.
import {
  applyMigrations,
  createBindingRecord,
  describeError,
  InvalidConfigError,
  type KoiiRoutes,
  KoiiTask,
  koiiPublicKeyOf,
  koiiRoutes,
  type Logger,
  ROUND_MIGRATIONS,
  RoundStore,
  startLoop,
} from "@maskoii/node-kit";
import { addressOfPrivateKey } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, type PublicClient } from "viem";
import type { TaskNodeRef } from "../engagement/beacon-intake.ts";
import { contributionHash, verifyContribution } from "../engagement/contribution.ts";
import { type EngagementDeps, fetchContribution, ownContribution } from "../engagement/routes.ts";
import type { AggregatorStore } from "../store.ts";
import { ChainReportInputs } from "./chain-inputs.ts";
import type { ReportsConfig } from "./config.ts";
import { EpochLoop, toReportContribution } from "./epoch-loop.ts";
import { EngagementReportsKind, type FetchContribution, type ReportItem } from "./koii-kind.ts";
import type { PayoutStore } from "./payout-store.ts";
import { EpochReporter } from "./reporter.ts";

export type EpochLoopNode = {
  readonly loop: EpochLoop;
  readonly task?: KoiiTask<ReportItem>;
  readonly routes?: KoiiRoutes;
  stop(): Promise<void>;
};

export async function startEpochLoop(args: {
  config: ReportsConfig;
  engagement: EngagementDeps;
  nodes: readonly TaskNodeRef[];
  client: PublicClient;
  identityRegistry: Address;
  campaignLedger: Address;
  attesterKey: Hex;
  store: AggregatorStore;
  payouts: PayoutStore;
  log: Logger;
  now?: () => number;
}): Promise<EpochLoopNode> {
  const now = args.now ?? Date.now;
  const { config, engagement } = args;
  const loopConfig = config.loop;
  if (loopConfig === undefined) throw new RangeError("reports.loop is not configured");
  const self = koiiPublicKeyOf(engagement.ed25519PrivateKey);
  for (const [field, listed] of [
    ["engagement.nodes", args.nodes.map((n) => n.koiiPublicKey)],
    ["reports.koii.nodes", config.koii?.nodes.map((n) => n.koiiPublicKey) ?? [self]],
  ] as const) {
    if (!listed.includes(self))
      throw new InvalidConfigError("config", [{ field, problem: `does not list this node's Koii key ${self}` }]);
  }
  const inputs = new ChainReportInputs({
    client: args.client,
    communityRegistry: getAddress(config.communityRegistry),
    identityRegistry: args.identityRegistry,
    campaignLedger: args.campaignLedger,
    payoutSaltSecret: config.payoutSaltSecret as Hex,
  });
  const epochReports = getAddress(config.epochReports);
  const reporter = new EpochReporter({
    store: args.payouts,
    inputs,
    attesterKey: args.attesterKey,
    domain: { domain: config.domain, epochReports, attesterSetId: config.attesterSetId },
    now,
  });
  const loop = new EpochLoop({
    engagement,
    payouts: args.payouts,
    reporter,
    client: args.client,
    epochReports,
    nodes: args.nodes,
    self,
    options: loopConfig,
    log: args.log,
    now,
  });
  const log = args.log.child({ component: "epoch-loop" });
  const timer = startLoop(async () => {
    try {
      await loop.tick();
    } catch (error) {
      log.warn({ err: describeError(error) }, "epoch loop tick failed; retrying");
    }
  }, loopConfig.pollIntervalMs);
  const koii = config.koii;
  if (koii === undefined) return { loop, stop: () => timer.stop() };

  // The audit's fetcher: this node's own contribution from its store, a peer's over the authenticated peer route.
  const urls = new Map(args.nodes.map((n) => [n.koiiPublicKey, n.url]));
  const fetchOne: FetchContribution = async (ref) => {
    const at = { community: ref.community.toString(), epoch: Number(ref.epoch) };
    const got =
      ref.node === self
        ? await ownContribution(engagement, at.community, at.epoch)
        : await fetchPeer(urls.get(ref.node), at, engagement.ed25519PrivateKey, ref.node, now);
    return got === undefined ? undefined : toReportContribution(verifyContribution(got), contributionHash(got));
  };
  await applyMigrations(args.store.db, ROUND_MIGRATIONS);
  const rounds = new RoundStore(args.store.db);
  const kind = new EngagementReportsKind({ store: args.payouts, inputs, fetchContribution: fetchOne });
  const task = new KoiiTask<ReportItem>({
    kind,
    settings: {
      taskId: koii.taskId,
      schedule: {
        genesisMs: koii.genesisMs,
        roundMs: koii.roundMs,
        submissionMs: koii.submissionMs,
        auditMs: koii.auditMs,
      },
      rewardPerRound: koii.rewardPerRound,
      quorumBps: koii.quorumBps,
      slashBps: koii.slashBps,
      equivocationSlashBps: koii.equivocationSlashBps,
      requestTimeoutMs: koii.requestTimeoutMs,
    },
    ed25519PrivateKey: engagement.ed25519PrivateKey,
    binding: createBindingRecord({
      ed25519PrivateKey: engagement.ed25519PrivateKey,
      secp256k1PrivateKey: args.attesterKey,
      attester: addressOfPrivateKey(args.attesterKey),
      issuedAt: Math.floor(now() / 1_000),
    }),
    nodes: koii.nodes,
    store: rounds,
    log: args.log,
    now,
  });
  const routes = koiiRoutes({
    tasks: new Map([[kind.name, task as KoiiTask<unknown>]]),
    store: rounds,
    log: args.log,
    now,
  });
  const taskTimer = startLoop(async () => {
    try {
      await task.tick();
    } catch (error) {
      log.warn({ err: describeError(error) }, "koii task tick failed; retrying");
    }
  }, koii.pollIntervalMs);
  log.info({ taskId: koii.taskId, node: task.node }, "engagement-reports koii task started");
  return {
    loop,
    task,
    routes,
    async stop() {
      await taskTimer.stop();
      await timer.stop();
    },
  };
}

async function fetchPeer(
  url: string | undefined,
  at: { community: string; epoch: number },
  key: Hex,
  node: string,
  now: () => number,
) {
  if (url === undefined) return undefined;
  return fetchContribution(url, at, key, { node, timeoutMs: 5_000, now });
}
