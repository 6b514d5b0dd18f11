// Measuring helpers of the relayer benchmark: percentiles, process CPU/memory from /proc, Prometheus text.
import { readFileSync } from "node:fs";

/** The `p`-th percentile (0..100) of `values` by the nearest-rank method; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces: parse after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Resident set size in MiB, from /proc/<pid>/status (VmRSS); undefined once the process is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Samples CPU and RSS of named processes while it runs. */
export class ProcessSampler {
  readonly #pids: ReadonlyMap<string, number>;
  readonly #start = new Map<string, number>();
  readonly #peakRss = new Map<string, number>();
  readonly #rss = new Map<string, number[]>();
  #t0 = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(pids: ReadonlyMap<string, number>) {
    this.#pids = pids;
  }

  start(everyMs = 250): void {
    this.#t0 = performance.now();
    for (const [name, pid] of this.#pids) this.#start.set(name, cpuSeconds(pid) ?? 0);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), everyMs);
  }

  #sample(): void {
    for (const [name, pid] of this.#pids) {
      const rss = rssMiB(pid);
      if (rss === undefined) continue;
      this.#peakRss.set(name, Math.max(this.#peakRss.get(name) ?? 0, rss));
      this.#rss.set(name, [...(this.#rss.get(name) ?? []), rss]);
    }
  }

  /** Per process: CPU used as a fraction of one core over the window, mean and peak RSS. */
  stop(): Record<string, { cpu_cores: number; cpu_seconds: number; rss_mib_mean: number; rss_mib_peak: number }> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#sample();
    const seconds = (performance.now() - this.#t0) / 1000;
    const out: Record<string, { cpu_cores: number; cpu_seconds: number; rss_mib_mean: number; rss_mib_peak: number }> =
      {};
    for (const [name, pid] of this.#pids) {
      const used = (cpuSeconds(pid) ?? this.#start.get(name) ?? 0) - (this.#start.get(name) ?? 0);
      out[name] = {
        cpu_seconds: round(used, 2),
        cpu_cores: round(used / seconds, 3),
        rss_mib_mean: round(mean(this.#rss.get(name) ?? []), 1),
        rss_mib_peak: round(this.#peakRss.get(name) ?? Number.NaN, 1),
      };
    }
    return out;
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `sum` and `count` of every series of a Prometheus histogram, keyed by its label set (as written). */
export function histogramTotals(text: string, name: string): Map<string, { sum: number; count: number }> {
  const out = new Map<string, { sum: number; count: number }>();
  const line = new RegExp(`^${name}_(sum|count)(\\{[^}]*\\})? ([0-9.eE+-]+)$`, "gm");
  for (const m of text.matchAll(line)) {
    const labels = m[2] ?? "{}";
    const entry = out.get(labels) ?? { sum: 0, count: 0 };
    if (m[1] === "sum") entry.sum = Number(m[3]);
    else entry.count = Number(m[3]);
    out.set(labels, entry);
  }
  return out;
}
