// `npm run bench:memory`: resident memory of the attester node and the relayer, idle and busy, per embedded store.
//
// Real processes, as the devnet runs them: two `hardhat node` chains (A = 1001, B = 1002) with maskoii deployed by
// @maskoii/testkit's deploy fixture, three `maskoii attester` processes (2-of-3) and one `maskoii relayer` process,
// each on its own embedded store (the e2e Stack, @maskoii/e2e/stack). Per store kind (sqlite, the default, and pglite):
//   1. idle: the nodes up and caught up, BENCH_IDLE_SECONDS after they are ready (mean of samples over the window);
//   2. busy: BENCH_BURST messages sent A -> B (50 per block) and attested and delivered; peak RSS while they are;
//   3. idle after: BENCH_IDLE_SECONDS after the last delivery (what `npm start` shows after its demos).
// RSS is VmRSS of /proc/<pid>/status, in MiB (2^20 bytes). Also per process: peak RSS since start (VmHWM).
//
// A benchmark, not a test: it prints its figures and writes bench/results/memory.json; it fails only when a message
// is not delivered. Environment: BENCH_STORES (default "sqlite,pglite"), BENCH_BURST (default 200), BENCH_IDLE_SECONDS
// (default 20).
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type Sent, sendMessages, waitDelivered } from "@maskoii/e2e/bridge";
import type { MaskoiiNode } from "@maskoii/e2e/nodes";
import { Stack } from "@maskoii/e2e/stack";
import { toHex } from "viem";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RESULTS = join(ROOT, "bench", "results", "memory.json");
const STORES = (process.env.BENCH_STORES ?? "sqlite,pglite").split(",") as ("sqlite" | "pglite")[];
const BURST = Number(process.env.BENCH_BURST ?? 200);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const SAMPLE_MS = 250;
const BLOCK = 50;

type Figures = {
  idle_mib: number;
  busy_peak_mib: number;
  idle_after_mib: number;
  hwm_mib: number;
  /** CPU seconds (user + system) the process used while the burst was attested and delivered. */
  busy_cpu_s: number;
};

/** CPU seconds a process has used so far (utime + stime of /proc/<pid>/stat, USER_HZ 100). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function status(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** RSS samples of every named process while `during` runs (at least `minMs`). */
async function sample<T>(
  pids: ReadonlyMap<string, number>,
  minMs: number,
  during: () => Promise<T> = async () => undefined as T,
): Promise<{ result: T; samples: Map<string, number[]> }> {
  const samples = new Map<string, number[]>([...pids.keys()].map((name) => [name, []]));
  const take = () => {
    for (const [name, pid] of pids) {
      const rss = status(pid, "VmRSS");
      if (rss !== undefined) samples.get(name)?.push(rss);
    }
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  try {
    const [result] = await Promise.all([during(), sleep(minMs)]);
    take();
    return { result, samples };
  } finally {
    clearInterval(timer);
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function measure(store: "sqlite" | "pglite"): Promise<Record<string, Figures>> {
  process.stdout.write(`\n[memory] store ${store}: starting chains, deployment, 3 attesters and a relayer\n`);
  const stack = await Stack.start({
    label: `memory-${store}`,
    store,
    relayer: { maxBatchSize: 32, pollIntervalMs: 200 },
  });
  try {
    const nodes: [string, MaskoiiNode][] = [
      ...stack.setOne.map((n, i) => [`attester${i}`, n] as [string, MaskoiiNode]),
    ];
    nodes.push(["relayer", stack.relayer]);
    const pids = new Map(nodes.map(([name, node]) => [name, node.pid as number]));

    const idle = await sample(pids, IDLE_SECONDS * 1000);
    process.stdout.write(`[memory] ${store}: idle measured; sending ${BURST} messages A -> B (50 per block)\n`);
    const recipient = stack.contractsOf(1002).demoRecipient;
    const cpu0 = new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
    const busy = await sample(pids, 0, async () => {
      // In blocks of BLOCK sends: a block holds ~100 of them at the 300k gas each is sent with.
      const sent: Sent[] = [];
      for (let from = 0; from < BURST; from += BLOCK) {
        const count = Math.min(BLOCK, BURST - from);
        sent.push(
          ...(await sendMessages({
            stack,
            origin: stack.a,
            destination: 1002,
            recipient,
            payloads: Array.from({ length: count }, (_, i) => toHex(`memory bench ${from + i}`)),
            oneBlock: true,
          })),
        );
      }
      await waitDelivered(stack, sent, 300_000);
    });
    const busyCpu = new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid) - (cpu0.get(name) ?? 0)]));
    process.stdout.write(`[memory] ${store}: ${BURST} delivered; idle again for ${IDLE_SECONDS} s\n`);
    const after = await sample(pids, IDLE_SECONDS * 1000);

    const figures: Record<string, Figures> = {};
    for (const [name, pid] of pids) {
      figures[name] = {
        idle_mib: round1(mean(idle.samples.get(name) ?? [])),
        busy_peak_mib: round1(Math.max(...(busy.samples.get(name) ?? [0]))),
        idle_after_mib: round1(mean((after.samples.get(name) ?? []).slice(-8))),
        hwm_mib: round1(status(pid, "VmHWM") ?? Number.NaN),
        busy_cpu_s: round1(busyCpu.get(name) ?? Number.NaN),
      };
    }
    return figures;
  } finally {
    await stack.stop();
  }
}

const results: Record<string, Record<string, Figures>> = {};
for (const store of STORES) results[store] = await measure(store);

process.stdout.write("\n[memory] resident memory (MiB, VmRSS)\n");
process.stdout.write("store   process     idle   busy peak   idle after   peak since start   busy CPU s\n");
for (const [store, figures] of Object.entries(results)) {
  for (const [name, f] of Object.entries(figures)) {
    process.stdout.write(
      `${store.padEnd(7)} ${name.padEnd(10)} ${String(f.idle_mib).padStart(6)} ${String(f.busy_peak_mib).padStart(11)} ` +
        `${String(f.idle_after_mib).padStart(12)} ${String(f.hwm_mib).padStart(18)} ${String(f.busy_cpu_s).padStart(12)}\n`,
    );
  }
}
writeFileSync(
  RESULTS,
  `${JSON.stringify(
    {
      command: "npm run bench:memory",
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, memory_mib: Math.round(totalmem() / 2 ** 20), loadavg: loadavg() },
      node: process.version,
      lean_heap: process.env.MASKOII_LEAN_HEAP !== "0",
      burst_messages: BURST,
      idle_seconds: IDLE_SECONDS,
      unit: "MiB (VmRSS of /proc/<pid>/status)",
      results,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`[memory] wrote ${RESULTS}\n`);
