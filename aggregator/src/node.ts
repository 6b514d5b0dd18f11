// One aggregator node: the store, a connector per configured source, the ingestor running each in its own loop, and
// the operator endpoints. `stop` ends the loops (each waits for its page in flight), the server, then the store.
import { createLogger, type Logger } from "@maskoii/node-kit";
import { createPublicClient, getAddress, http, type PublicClient } from "viem";
import { ChainCommunityReader, resolveSources } from "./communities.ts";
import type { AggregatorConfig } from "./config.ts";
import { buildConnector } from "./connectors/build.ts";
import { Ingestor } from "./ingestor.ts";
import { AggregatorMetrics } from "./metrics.ts";
import { type OperatorServer, startOperatorServer } from "./server.ts";
import { AggregatorStore } from "./store.ts";
import { TimelineService } from "./timeline.ts";

export type AggregatorNode = {
  readonly store: AggregatorStore;
  readonly ingestor: Ingestor;
  readonly metrics: AggregatorMetrics;
  readonly server: OperatorServer;
  stop(): Promise<void>;
};

export async function startAggregator(
  config: AggregatorConfig,
  options: { log?: Logger } = {},
): Promise<AggregatorNode> {
  const log = options.log ?? createLogger({ level: config.log.level, name: "maskoii-aggregator" });
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
  const timelines =
    chain === undefined
      ? undefined
      : new TimelineService(
          store,
          new ChainCommunityReader({
            client: createPublicClient({ transport: http(chain.rpcUrl) }) as PublicClient,
            communityRegistry: getAddress(chain.communityRegistry),
            identityRegistry: getAddress(chain.identityRegistry),
            cacheMs: chain.cacheMs,
          }),
          (descriptors) => resolveSources(descriptors, connectors),
        );
  let server: OperatorServer;
  try {
    server = await startOperatorServer(
      { store, ingestor, metrics, ...(timelines === undefined ? {} : { timelines }) },
      config.http,
    );
  } catch (error) {
    await store.close();
    throw error;
  }
  ingestor.start();
  log.info(
    { url: server.url, connectors: connectors.map((c) => c.name), store: config.store.kind },
    "aggregator started",
  );
  return {
    store,
    ingestor,
    metrics,
    server,
    async stop() {
      // Waits cut short (a rate-limit wait, a backoff) end the tick; a page being committed finishes first.
      abort.abort();
      await ingestor.stop();
      await server.close();
      await store.close();
      log.info("aggregator stopped");
    },
  };
}
