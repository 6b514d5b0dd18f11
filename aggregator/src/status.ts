// The operator's view of each connector: every stream's cursor, what it stored and refused, when it was last caught
// up (its lag) and its last error. `/status` answers it as JSON; `maskoii-aggregator status` prints it as a table.
import { z } from "zod";
import type { Connector } from "./connector.ts";
import type { AggregatorStore } from "./store.ts";

export const streamStatusSchema = z.object({
  stream: z.string(),
  cursor: z.record(z.string(), z.unknown()).nullable(),
  items: z.number(),
  rejects: z.number(),
  /** Seconds since the stream was last caught up; null before it ever was. */
  lagSeconds: z.number().nullable(),
  newestItemAt: z.string().nullable(),
  polledAt: z.string().nullable(),
  lastError: z.string().nullable(),
});
export const statusSchema = z.object({
  connectors: z.array(z.object({ name: z.string(), network: z.string(), streams: z.array(streamStatusSchema) })),
});
export type StatusView = z.infer<typeof statusSchema>;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export async function statusView(
  store: AggregatorStore,
  connectors: readonly Connector[],
  now = Date.now(),
): Promise<StatusView> {
  const states = await store.states();
  return {
    connectors: connectors.map((c) => ({
      name: c.name,
      network: c.network,
      streams: c.streams.map((stream) => {
        const s = states.find((x) => x.connector === c.name && x.stream === stream);
        return {
          stream,
          cursor: s?.cursor ?? null,
          items: s?.items ?? 0,
          rejects: s?.rejects ?? 0,
          lagSeconds: s?.caughtUpAt === undefined ? null : Math.max(0, (now - s.caughtUpAt) / 1_000),
          newestItemAt: iso(s?.newestItemAt),
          polledAt: iso(s?.polledAt),
          lastError: s?.lastError ?? null,
        };
      }),
    })),
  };
}

/** The status view as a text table, one line per stream. */
export function formatStatus(view: StatusView): string {
  const rows = [["connector", "network", "stream", "items", "rejects", "lag", "cursor", "last error"]];
  for (const c of view.connectors) {
    for (const s of c.streams) {
      rows.push([
        c.name,
        c.network,
        s.stream.length > 48 ? `${s.stream.slice(0, 45)}...` : s.stream,
        String(s.items),
        String(s.rejects),
        s.lagSeconds === null ? "never caught up" : `${s.lagSeconds.toFixed(1)} s`,
        s.cursor === null ? "-" : JSON.stringify(s.cursor).slice(0, 60),
        s.lastError ?? "-",
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
