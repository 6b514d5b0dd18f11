// What a node waits for, said once: conditions the relayer (and its keeper) depends on (an attester endpoint
// reachable, a chain's RPC reachable, a quorum of the destination's set reachable, a destination not paused, the paying
// account funded) are reported on every tick, but logged only when they change: one warn line when a condition is
// lost (error for operator alerts), one when it is back. The same state is a gauge (maskoii_condition_ok, 1 = ok)
// and every change a counter (maskoii_condition_changes_total), so dashboards and alerts see what the logs say.
import type { Logger } from "@maskoii/node-kit";
import type { Metrics } from "./metrics.ts";

/** The conditions reported, by name (the `condition` label). */
export type Condition =
  | "attester-reachable"
  | "aggregator-reachable"
  | "chain-rpc-reachable"
  | "quorum-reachable"
  | "destination-unpaused"
  | "keeper-unpaused"
  | "funds-sufficient";

/** How a condition reads in the log when it is lost and when it is back. */
const WORDS: Record<Condition, { lost: string; back: string; level: "warn" | "error" }> = {
  "attester-reachable": {
    lost: "attester endpoint unreachable",
    back: "attester endpoint reachable again",
    level: "warn",
  },
  "aggregator-reachable": {
    lost: "aggregator node unreachable (GET /reports/pending): its report signatures are missing",
    back: "aggregator node reachable again",
    level: "warn",
  },
  "chain-rpc-reachable": { lost: "chain RPC unreachable", back: "chain RPC reachable again", level: "warn" },
  "quorum-reachable": {
    lost: "quorum lost: the reachable attesters hold less than the destination set's threshold; deliveries wait",
    back: "quorum regained: the reachable attesters hold the destination set's threshold again",
    level: "warn",
  },
  "destination-unpaused": {
    lost: "destination gateway paused by its guardian: deliveries wait",
    back: "destination gateway unpaused: deliveries resume",
    level: "warn",
  },
  "keeper-unpaused": {
    lost: "token bridge paused (its gateway): the keeper releases no queued transfer until it is unpaused",
    back: "token bridge unpaused: the keeper releases queued transfers again",
    level: "warn",
  },
  "funds-sufficient": {
    lost: "OPERATOR ALERT: the relayer's paying account cannot pay for transactions (insufficient funds); deliveries on this chain back off until it is funded",
    back: "the relayer's paying account pays again (funded)",
    level: "error",
  },
};

export class StateLog {
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  /** Last known state per condition and subject; absent = not reported yet. */
  readonly #state = new Map<string, boolean>();

  constructor(log: Logger, metrics?: Metrics) {
    this.#log = log;
    this.#metrics = metrics;
  }

  /**
   * Reports `condition` of `subject` (an endpoint URL, a domain) as `ok` now; logs only a change. The first report
   * logs only when the condition does not hold (a node that starts healthy says nothing). `context` is added to the
   * log line (what is missing, the error). Returns whether this report was a change.
   */
  report(condition: Condition, subject: string, ok: boolean, context: Record<string, unknown> = {}): boolean {
    const key = `${condition}\u0000${subject}`;
    const before = this.#state.get(key);
    this.#metrics?.conditionOk.set({ condition, subject }, ok ? 1 : 0);
    if (before === ok) return false;
    this.#state.set(key, ok);
    if (before === undefined && ok) return false;
    this.#metrics?.conditionChanges.inc({ condition, subject, to: ok ? "ok" : "lost" });
    const words = WORDS[condition];
    const line = { condition, subject, ...context };
    if (ok) this.#log.warn(line, words.back);
    else if (words.level === "error") this.#log.error(line, words.lost);
    else this.#log.warn(line, words.lost);
    return true;
  }

  /** The last reported state (undefined before the first report). */
  state(condition: Condition, subject: string): boolean | undefined {
    return this.#state.get(`${condition}\u0000${subject}`);
  }
}
