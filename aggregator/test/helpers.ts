// What the connector tests share: an in-memory store, metrics, a quiet logger, a fast retry policy, an ingestor.
import { silentLogger } from "@maskoii/node-kit";
import type { Connector, ConnectorContext } from "../src/connector.ts";
import { Ingestor } from "../src/ingestor.ts";
import { AggregatorMetrics } from "../src/metrics.ts";
import { AggregatorStore } from "../src/store.ts";
import { type RetryPolicy, Upstream } from "../src/upstream.ts";

export const FAST_RETRY: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 20,
  maxDelayMs: 100,
  maxRateLimitWaitMs: 5_000,
  timeoutMs: 2_000,
};

export type Harness = {
  store: AggregatorStore;
  metrics: AggregatorMetrics;
  ingestor: (connectors: readonly Connector[]) => Ingestor;
  context: (name: string) => ConnectorContext;
  close: () => Promise<void>;
};

export async function harness(): Promise<Harness> {
  const store = await AggregatorStore.open({ kind: "sqlite", path: ":memory:" });
  const metrics = new AggregatorMetrics();
  const log = silentLogger();
  return {
    store,
    metrics,
    ingestor: (connectors) =>
      new Ingestor(store, connectors, metrics, log, { pollIntervalMs: 50, maxPagesPerTick: 50 }),
    context: (name) => ({
      log,
      upstream: new Upstream(FAST_RETRY, {
        onRateLimitWait: (ms) => {
          metrics.rateLimitWaits.inc({ connector: name });
          metrics.rateLimitWaitSeconds.inc({ connector: name }, ms / 1_000);
        },
        onRetry: () => metrics.retries.inc({ connector: name }),
      }),
    }),
    close: () => store.close(),
  };
}

/** The value of a counter or gauge for the given labels (0 when never set). */
export async function metricValue(
  metrics: AggregatorMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return hit?.value ?? 0;
}
