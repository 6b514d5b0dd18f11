// Prometheus metrics every node process shares, in the node's own registry (no global state). A node's metrics class
// extends NodeMetrics with its own instruments, registered in the same registry; the pieces of node-kit take just the
// instruments they count on (RoundMetrics), so any node's metrics object that has them fits.
import { Counter, Registry } from "prom-client";

/** What the Koii task round counts: `koii` events (submissions, votes, rejected artefacts, distributions, slashes). */
export interface RoundMetrics {
  readonly koii: Pick<Counter<"event">, "inc">;
}

export class NodeMetrics implements RoundMetrics {
  readonly registry = new Registry();
  /** HTTP requests refused before any work (400, 401, 403, 409, 413, 429), by status. */
  readonly httpRejections = new Counter({
    name: "maskoii_http_rejections_total",
    help: "HTTP requests refused by the attester's limits, authentication or checks, by status",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  /** Koii task round events: submissions, votes, rejected artefacts, distributions, slashes. */
  readonly koii = new Counter({
    name: "maskoii_koii_events_total",
    help: "Koii task round events",
    labelNames: ["event"] as const,
    registers: [this.registry],
  });
}
