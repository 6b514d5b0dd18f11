// Prometheus metrics every node process shares. A node keeps its metrics in its own registry (no global state); the
// pieces of node-kit take just the instruments they count on, so any node's metrics object that has them fits.
import type { Counter } from "prom-client";

/** What the Koii task round counts: `koii` events (submissions, votes, rejected artefacts, distributions, slashes). */
export interface RoundMetrics {
  readonly koii: Pick<Counter<"event">, "inc">;
}
