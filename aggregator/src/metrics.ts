// The aggregator's Prometheus metrics, per connector, in the node's own registry (node-kit's NodeMetrics).
import { NodeMetrics } from "@maskoii/node-kit";
import { Counter, Gauge } from "prom-client";

export class AggregatorMetrics extends NodeMetrics {
  readonly items = new Counter({
    name: "maskoii_aggregator_items_total",
    help: "Items stored (new ones; a replayed item is not counted again), by connector",
    labelNames: ["connector"] as const,
    registers: [this.registry],
  });
  readonly rejects = new Counter({
    name: "maskoii_aggregator_rejects_total",
    help: "Items refused (malformed, forged, unknown signer), by connector and reason",
    labelNames: ["connector", "reason"] as const,
    registers: [this.registry],
  });
  readonly rateLimitWaits = new Counter({
    name: "maskoii_aggregator_rate_limit_waits_total",
    help: "Waits an upstream's rate limit asked for (429, or its quota at zero), by connector",
    labelNames: ["connector"] as const,
    registers: [this.registry],
  });
  readonly rateLimitWaitSeconds = new Counter({
    name: "maskoii_aggregator_rate_limit_wait_seconds_total",
    help: "Seconds spent waiting for upstream rate limits, by connector",
    labelNames: ["connector"] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: "maskoii_aggregator_retries_total",
    help: "Upstream requests retried after a failure, by connector",
    labelNames: ["connector"] as const,
    registers: [this.registry],
  });
  readonly pollFailures = new Counter({
    name: "maskoii_aggregator_poll_failures_total",
    help: "Polls that failed after their retries (the stream's cursor stays), by connector",
    labelNames: ["connector"] as const,
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: "maskoii_aggregator_lag_seconds",
    help: "Seconds since each connector's streams were last all caught up (0 right after a poll that caught up)",
    labelNames: ["connector"] as const,
    registers: [this.registry],
  });
  readonly beaconsAccepted = new Counter({
    name: "maskoii_aggregator_beacons_accepted_total",
    help: "Engagement beacons accepted (stored until their epoch settles)",
    registers: [this.registry],
  });
  readonly beaconDrops = new Counter({
    name: "maskoii_aggregator_beacon_drops_total",
    help: "Engagement beacons dropped (never stored), by drop code",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
}
