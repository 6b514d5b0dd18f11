// Runs every connector, each in its own loop: a tick polls each of its streams page by page from the stored cursor
// and commits each page (items and cursor together) before asking for the next. A failing connector (its upstream
// down, answering garbage, rate limiting past the longest wait) logs, counts and waits for its next tick; the others
// never notice. A refused item is logged with its reason and counted; it never stops the page.
import { describeError, type Logger, type Loop, startLoop } from "@maskoii/node-kit";
import type { Connector, Page } from "./connector.ts";
import { type Item, itemSchema } from "./item.ts";
import type { AggregatorMetrics } from "./metrics.ts";
import type { AggregatorStore } from "./store.ts";

/** A commit is made once this many items, or this many milliseconds of pages, have gathered (see #pollStream). */
export const COMMIT_ITEMS = 1_000;
export const COMMIT_MS = 250;

export type IngestorOptions = {
  readonly pollIntervalMs: number;
  /** Pages read per stream in one tick before yielding to the next stream (the rest waits for the next tick). */
  readonly maxPagesPerTick: number;
};

export class Ingestor {
  readonly #store: AggregatorStore;
  readonly #metrics: AggregatorMetrics;
  readonly #log: Logger;
  readonly #connectors: readonly Connector[];
  readonly #options: IngestorOptions;
  #loops: Loop[] = [];
  readonly #startedAt = Date.now();
  /** Connectors whose first tick has ended (successful or not): `/ready` waits for all. */
  readonly #ticked = new Set<string>();

  constructor(
    store: AggregatorStore,
    connectors: readonly Connector[],
    metrics: AggregatorMetrics,
    log: Logger,
    options: IngestorOptions,
  ) {
    this.#store = store;
    this.#connectors = connectors;
    this.#metrics = metrics;
    this.#log = log;
    this.#options = options;
  }

  get connectors(): readonly Connector[] {
    return this.#connectors;
  }

  /** Whether every connector has finished one tick. */
  get ready(): boolean {
    return this.#connectors.every((c) => this.#ticked.has(c.name));
  }

  hasTicked(connector: string): boolean {
    return this.#ticked.has(connector);
  }

  start(): void {
    this.#loops = this.#connectors.map((c) =>
      startLoop(async () => {
        await this.tick(c);
        this.#ticked.add(c.name);
      }, this.#options.pollIntervalMs),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.#loops.map((l) => l.stop()));
    this.#loops = [];
  }

  /** One tick of `connector`: every stream, page by page, until caught up or `maxPagesPerTick`. Never throws. */
  async tick(connector: Connector): Promise<void> {
    for (const stream of connector.streams) {
      try {
        await this.#pollStream(connector, stream);
      } catch (error) {
        // A stop cuts a wait short: not a failure of the upstream, and the cursor is where the last commit left it.
        if (error instanceof Error && error.name === "AbortError") return;
        this.#metrics.pollFailures.inc({ connector: connector.name });
        this.#log.warn({ connector: connector.name, stream, err: describeError(error) }, "poll failed");
        await this.#store.recordError(connector.name, stream, describeError(error), Date.now()).catch(() => {});
      }
    }
    await this.refreshLag();
  }

  async #pollStream(connector: Connector, stream: string): Promise<void> {
    // Consecutive pages are committed together (one transaction) until COMMIT_ITEMS items or COMMIT_MS have gathered,
    // or the stream is caught up: a commit costs milliseconds whatever its size, and upstreams page by 40 or 50. The
    // cursor is still written with every item before it, so a crash re-reads at most the pages not yet committed.
    let cursor = (await this.#store.state(connector.name, stream))?.cursor;
    let pending: { items: Item[]; rejects: number; committed: (() => void)[]; since: number } | undefined;
    const commit = async (more: boolean) => {
      if (pending === undefined || cursor === undefined) return;
      const batch = pending;
      pending = undefined;
      const added = await this.#store.commitPage(
        connector.name,
        stream,
        { items: batch.items, rejects: batch.rejects, cursor, more },
        Date.now(),
      );
      this.#metrics.items.inc({ connector: connector.name }, added);
      for (const done of batch.committed) done();
    };
    for (let pages = 0; pages < this.#options.maxPagesPerTick; pages++) {
      let page: Page;
      try {
        page = await connector.poll(stream, cursor);
      } catch (error) {
        // The pages read before the failure are kept.
        await commit(true);
        throw error;
      }
      const items: Item[] = [];
      const rejects = [...page.rejects];
      // Connectors build items from validated input; the schema check here keeps any connector's bug out of the store.
      for (const item of page.items) {
        const checked = itemSchema.safeParse(item);
        if (checked.success) items.push(checked.data);
        else
          rejects.push({
            reason: "invalid-item",
            detail: checked.error.issues[0]?.message ?? "invalid",
            nativeId: item.id,
          });
      }
      for (const reject of rejects) {
        this.#metrics.rejects.inc({ connector: connector.name, reason: reject.reason });
        this.#log.warn({ connector: connector.name, stream, ...reject }, "item rejected");
      }
      pending ??= { items: [], rejects: 0, committed: [], since: Date.now() };
      pending.items.push(...items);
      pending.rejects += rejects.length;
      if (page.onCommitted !== undefined) pending.committed.push(page.onCommitted);
      cursor = page.cursor;
      const last = !page.more || pages + 1 >= this.#options.maxPagesPerTick;
      if (last || pending.items.length >= COMMIT_ITEMS || Date.now() - pending.since >= COMMIT_MS) {
        await commit(page.more);
      }
      if (!page.more) return;
    }
  }

  /**
   * Sets each connector's lag gauge: seconds since all its streams were last caught up (the oldest stream's
   * `caughtUpAt`); a stream never caught up counts from the node's start.
   */
  async refreshLag(now = Date.now()): Promise<void> {
    const states = await this.#store.states().catch(() => []);
    for (const c of this.#connectors) {
      const times = c.streams.map(
        (s) => states.find((x) => x.connector === c.name && x.stream === s)?.caughtUpAt ?? this.#startedAt,
      );
      this.#metrics.lag.set({ connector: c.name }, Math.max(0, (now - Math.min(...times)) / 1_000));
    }
  }
}
