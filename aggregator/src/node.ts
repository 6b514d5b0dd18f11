// One aggregator node: the store, a connector per configured source, the ingestor running each in its own loop, and
// the operator endpoints. `stop` ends the loops (each waits for its page in flight), the server, then the store.
import { createLogger, describeError, type Logger, readPassword, unlockKeystore } from "@maskoii/node-kit";
import { createPublicClient, getAddress, http, type PublicClient } from "viem";
import { ChainCampaignReader } from "./campaigns.ts";
import { ChainCommunityReader, resolveSources } from "./communities.ts";
import type { AggregatorConfig } from "./config.ts";
import { buildConnector } from "./connectors/build.ts";
import type { CampaignLookup } from "./engagement/filters.ts";
import type { EngagementDeps } from "./engagement/routes.ts";
import { setupEngagement } from "./engagement/setup.ts";
import { type EpochLoopNode, startEpochLoop } from "./epoch/loop-setup.ts";
import { PayoutStore } from "./epoch/payout-store.ts";
import type { ReportRouteDeps } from "./epoch/report-routes.ts";
import { FeedService } from "./feed/feed-service.ts";
import { FeedStore } from "./feed/feed-store.ts";
import { Ingestor } from "./ingestor.ts";
import { AggregatorMetrics } from "./metrics.ts";
import { type BindingDomain, ProofVerifier } from "./proof-verifier.ts";
import { type OperatorServer, startOperatorServer } from "./server.ts";
import { AggregatorStore } from "./store.ts";
import { TimelineService } from "./timeline.ts";

export type AggregatorNode = {
  readonly store: AggregatorStore;
  readonly ingestor: Ingestor;
  readonly metrics: AggregatorMetrics;
  readonly server: OperatorServer;
  /** The proof checker and binding signer, when the config has an `identity` section. */
  readonly verifier?: ProofVerifier;
  /** Epoch reports and payout state, when the config has a `reports` section. */
  readonly reports?: ReportRouteDeps;
  /** The epoch loop and its Koii task, when engagement, identity and reports.loop are configured. */
  readonly epochs?: EpochLoopNode;
  stop(): Promise<void>;
};

export async function startAggregator(
  config: AggregatorConfig,
  options: {
    log?: Logger;
    env?: NodeJS.ProcessEnv;
    campaigns?: CampaignLookup;
    /** The clock of the engagement, epoch loop and Koii task (unix ms); default Date.now (tests shift it). */
    now?: () => number;
  } = {},
): Promise<AggregatorNode> {
  const log = options.log ?? createLogger({ level: config.log.level, name: "maskoii-aggregator" });
  // The attester key is unlocked before anything opens, so a wrong password fails the start cleanly.
  const idConfig = config.identity;
  const attesterKey =
    idConfig === undefined
      ? undefined
      : (
          await unlockKeystore(
            idConfig.keystore,
            await readPassword({ file: idConfig.passwordFile, env: options.env ?? process.env }),
            "secp256k1",
          )
        ).privateKey;
  const metrics = new AggregatorMetrics();
  const store = await AggregatorStore.open(config.store);
  const abort = new AbortController();
  const connectors = config.connectors.map((c) =>
    buildConnector(c, { retry: config.retry, metrics, log, signal: abort.signal }),
  );
  const ingestor = new Ingestor(store, connectors, metrics, log, {
    pollIntervalMs: config.pollIntervalMs,
    maxPagesPerTick: config.maxPagesPerTick,
  });
  const chain = config.communities;
  const client =
    chain === undefined ? undefined : (createPublicClient({ transport: http(chain.rpcUrl) }) as PublicClient);
  const communityReader =
    chain === undefined || client === undefined
      ? undefined
      : new ChainCommunityReader({
          client,
          communityRegistry: getAddress(chain.communityRegistry),
          identityRegistry: getAddress(chain.identityRegistry),
          cacheMs: chain.cacheMs,
        });
  // The one campaign reader of the node (feed ad slots, beacon targets), when a CampaignLedger is configured.
  const campaignLedger = config.feed?.campaignLedger ?? chain?.campaignLedger;
  const campaignReader =
    chain === undefined || client === undefined || campaignLedger === undefined
      ? undefined
      : new ChainCampaignReader({ client, campaignLedger: getAddress(campaignLedger), cacheMs: chain.cacheMs });
  const campaignLookup: CampaignLookup | undefined =
    options.campaigns ??
    (campaignReader === undefined
      ? undefined
      : async (id) => {
          const c = await campaignReader.campaign(id);
          return c === undefined
            ? undefined
            : { advertiser: c.advertiser, targets: (community) => campaignReader.targets(id, community) };
        });
  const timelines =
    communityReader === undefined
      ? undefined
      : new TimelineService(store, communityReader, (descriptors) => resolveSources(descriptors, connectors), {
          cacheMs: chain?.timelineCacheMs,
        });
  const feedConfig = config.feed;
  const feed =
    feedConfig === undefined ||
    chain === undefined ||
    client === undefined ||
    communityReader === undefined ||
    timelines === undefined
      ? undefined
      : {
          service: new FeedService({
            store,
            feedStore: new FeedStore(store),
            timelines,
            communities: communityReader,
            ...(campaignReader === undefined ? {} : { campaigns: campaignReader }),
            options: {
              adEvery: feedConfig.adEvery,
              halfLifeMs: feedConfig.halfLifeHours * 3_600_000,
              outOfNetwork: feedConfig.outOfNetwork.map(BigInt),
              minReactions: feedConfig.minReactions,
            },
          }),
          domain: { chainId: feedConfig.chainId, communityRegistry: getAddress(chain.communityRegistry) },
          ...(feedConfig.self === undefined ? {} : { home: { self: feedConfig.self, nodes: feedConfig.nodes } }),
        };
  const domain: BindingDomain | undefined =
    idConfig === undefined
      ? undefined
      : {
          domain: idConfig.domain,
          identityRegistry: getAddress(idConfig.identityRegistry),
          attesterSetId: idConfig.attesterSetId,
        };
  const verifier =
    attesterKey === undefined || domain === undefined ? undefined : new ProofVerifier(store, attesterKey, domain);
  const reports: ReportRouteDeps | undefined =
    config.reports === undefined
      ? undefined
      : {
          store: new PayoutStore(store.db),
          auth: { chainId: config.reports.chainId, communityRegistry: getAddress(config.reports.communityRegistry) },
          ...(options.now === undefined ? {} : { now: options.now }),
        };
  let server: OperatorServer;
  let epochs: EpochLoopNode | undefined;
  try {
    const engagement: EngagementDeps | undefined =
      config.engagement === undefined || chain === undefined || client === undefined || communityReader === undefined
        ? undefined
        : await setupEngagement({
            config: config.engagement,
            env: options.env ?? process.env,
            client,
            communityRegistry: chain.communityRegistry,
            identityRegistry: chain.identityRegistry,
            reader: communityReader,
            store,
            connectors,
            metrics,
            ...(campaignLookup === undefined ? {} : { campaigns: campaignLookup }),
            ...(options.now === undefined ? {} : { now: options.now }),
          });
    // The epoch loop (and its Koii task) when the node has engagement, an attester key and reports with `loop`.
    if (
      engagement !== undefined &&
      reports !== undefined &&
      config.reports?.loop !== undefined &&
      config.engagement !== undefined &&
      attesterKey !== undefined &&
      client !== undefined &&
      chain !== undefined &&
      campaignLedger !== undefined
    ) {
      epochs = await startEpochLoop({
        config: config.reports,
        engagement,
        nodes: config.engagement.nodes,
        client,
        identityRegistry: getAddress(chain.identityRegistry),
        campaignLedger: getAddress(campaignLedger),
        attesterKey,
        store,
        payouts: reports.store,
        log,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    }
    server = await startOperatorServer(
      {
        store,
        ingestor,
        metrics,
        ...(timelines === undefined ? {} : { timelines }),
        ...(feed === undefined ? {} : { feed }),
        ...(verifier === undefined || domain === undefined ? {} : { identity: { verifier, domain } }),
        ...(engagement === undefined ? {} : { engagement }),
        ...(reports === undefined ? {} : { reports }),
        ...(epochs?.routes === undefined ? {} : { koii: epochs.routes }),
      },
      config.http,
    );
  } catch (error) {
    await epochs?.stop();
    await store.close();
    throw error;
  }
  ingestor.start();
  // Proof scans on a timer, one at a time: a scan still running when the timer fires is not overlapped.
  let scanning: Promise<void> | undefined;
  const scan = () => {
    if (verifier === undefined || scanning !== undefined) return;
    scanning = verifier
      .scan()
      .then((outcomes) => {
        for (const o of outcomes) {
          if (o.ok)
            log.info({ item: o.signed.itemId, binding: o.signed.binding.sequence.toString() }, "binding signed");
          else log.warn({ item: o.itemId, reason: o.reason, detail: o.detail }, "identity proof refused");
        }
      })
      .catch((error: unknown) => log.error({ err: describeError(error) }, "identity proof scan failed"))
      .finally(() => {
        scanning = undefined;
      });
  };
  const scanTimer = idConfig === undefined ? undefined : setInterval(scan, idConfig.scanIntervalMs);
  scanTimer?.unref();
  log.info(
    { url: server.url, connectors: connectors.map((c) => c.name), store: config.store.kind },
    "aggregator started",
  );
  return {
    store,
    ingestor,
    metrics,
    server,
    ...(verifier === undefined ? {} : { verifier }),
    ...(reports === undefined ? {} : { reports }),
    ...(epochs === undefined ? {} : { epochs }),
    async stop() {
      // Waits cut short (a rate-limit wait, a backoff) end the tick; a page being committed finishes first.
      if (scanTimer !== undefined) clearInterval(scanTimer);
      abort.abort();
      await scanning;
      await epochs?.stop();
      await ingestor.stop();
      await server.close();
      await store.close();
      log.info("aggregator stopped");
    },
  };
}
