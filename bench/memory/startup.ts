// `node bench/memory/startup.ts`: the start-up peak (VmHWM) of attester processes, for comparing checkouts.
//
// One e2e stack (@maskoii/e2e/stack: two hardhat chains, maskoii deployed, set 1 of three attesters; no relayer); its
// attesters are stopped and their configs and keystores reused. Then, RUNS times, for each checkout in CHECKOUTS
// (alternating the order each round), BENCH_PARALLEL attester processes of that checkout's CLI
// (`node <checkout>/relayer/src/cli.ts attester`) start at once, each on a fresh SQLite store (migrations run, as on
// a first start). Per process: wall and CPU seconds until the log line "attester node up", VmRSS every 20 ms, and
// VmHWM (peak resident since start) BENCH_AFTER_MS after "up"; then SIGTERM. Prints one line per process and the
// sorted figures per checkout (MiB = 2^20 bytes).
//
// A benchmark, not a test: nothing is written. Environment:
//   CHECKOUTS        comma-separated worktrees, each with node_modules installed (default: this one); a checkout may
//                    carry node options after a "|" ("/work/wt/x|--optimize-for-size")
//   RUNS             rounds (default 3)
//   BENCH_PARALLEL   attesters started at once, 1-3 (default 3, as the e2e stack and bench:memory start them)
//   BENCH_AFTER_MS   how long after "up" VmHWM is read (default 3000)
//   NODE_ARGS        node options for every process (e.g. "--trace-gc")
//   BENCH_KEEP_LOGS  1: keep each process's directory (config, store, output in out.log) and print its path
// The deployment files the attesters read have their `revenue` part removed, so that a checkout from before the
// revenue contracts (e.g. 371e3c0) reads the same files.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { KEYSTORE_PASSWORD } from "@maskoii/e2e/nodes";
import { Stack } from "@maskoii/e2e/stack";

const HERE = fileURLToPath(new URL("../..", import.meta.url));
const CHECKOUTS = (process.env.CHECKOUTS ?? HERE).split(",");
const RUNS = Number(process.env.RUNS ?? 3);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 3);
const AFTER_MS = Number(process.env.BENCH_AFTER_MS ?? 3000);
const NODE_ARGS = (process.env.NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
const KEEP = process.env.BENCH_KEEP_LOGS === "1";
const SAMPLE_MS = 20;
const UP_TIMEOUT_MS = 60_000;

class StartupBenchError extends Error {
  override name = "StartupBenchError";
}

type Run = { up_s: number; cpu_s: number; hwm_mib: number; peak_at_s: number; dir: string };

function status(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used so far (utime + stime of /proc/<pid>/stat, USER_HZ 100). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One attester process of `checkout` on `config` with a fresh store, until BENCH_AFTER_MS after "node up". */
async function runOnce(checkout: string, config: Record<string, unknown>): Promise<Run> {
  const [path, options = ""] = checkout.split("|") as [string, string?];
  const dir = await mkdtemp(join(tmpdir(), "maskoii-startup-"));
  const configFile = join(dir, "config.json");
  await writeFile(
    configFile,
    JSON.stringify({ ...config, store: { kind: "sqlite", path: join(dir, "store.sqlite") } }),
  );
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      ...options.split(" ").filter((a) => a !== ""),
      join(path, "relayer", "src", "cli.ts"),
      "attester",
      "--config",
      configFile,
    ],
    {
      cwd: dir,
      env: { ...process.env, MASKOII_KEYSTORE_PASSWORD: KEYSTORE_PASSWORD, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const pid = child.pid as number;
  let upAt: number | undefined;
  let cpuAtUp = Number.NaN;
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (upAt === undefined && out.includes("attester node up")) {
      upAt = performance.now();
      cpuAtUp = cpuSeconds(pid);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  let peak: [number, number] = [0, 0];
  try {
    while (upAt === undefined || performance.now() - upAt < AFTER_MS) {
      const rss = status(pid, "VmRSS");
      if (rss !== undefined && rss > peak[1]) peak = [performance.now() - t0, rss];
      if (child.exitCode !== null) throw new StartupBenchError(`${path}: the attester exited:\n${out}`);
      if (performance.now() - t0 > UP_TIMEOUT_MS) throw new StartupBenchError(`${path}: no "node up":\n${out}`);
      await sleep(SAMPLE_MS);
    }
    const hwm = status(pid, "VmHWM") ?? Number.NaN;
    return { up_s: ((upAt as number) - t0) / 1000, cpu_s: cpuAtUp, hwm_mib: hwm, peak_at_s: peak[0] / 1000, dir };
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    if (KEEP) await writeFile(join(dir, "out.log"), out);
    else await rm(dir, { recursive: true, force: true });
  }
}

const fixed = (digits: number) => (x: number) => x.toFixed(digits);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

const stack = await Stack.start({ label: "memory-startup", store: "sqlite", startRelayer: false });
try {
  const configs: Record<string, unknown>[] = [];
  for (const node of stack.setOne.slice(0, PARALLEL)) {
    const config = JSON.parse(await readFile(node.configFile, "utf8")) as Record<string, unknown>;
    await node.stop();
    for (const chain of config.chains as Array<Record<string, unknown>>) {
      const file = chain.deploymentFile as string;
      const copy = file.replace(/\.json$/, "-without-revenue.json");
      const deployment = JSON.parse(await readFile(file, "utf8")) as { contracts: Record<string, unknown> };
      delete deployment.contracts.revenue;
      await writeFile(copy, JSON.stringify(deployment, null, 2));
      chain.deploymentFile = copy;
    }
    configs.push(config);
  }
  const results = new Map<string, Run[]>(CHECKOUTS.map((c) => [c, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const checkout of round % 2 === 0 ? CHECKOUTS : [...CHECKOUTS].reverse()) {
      const runs = await Promise.all(configs.map((config) => runOnce(checkout, config)));
      for (const r of runs) {
        process.stdout.write(
          `[startup] ${checkout}: up ${fixed(2)(r.up_s)} s, CPU ${fixed(2)(r.cpu_s)} s, VmHWM ${fixed(1)(r.hwm_mib)} MiB ` +
            `(highest sample at ${fixed(2)(r.peak_at_s)} s)${KEEP ? ` ${r.dir}` : ""}\n`,
        );
      }
      results.get(checkout)?.push(...runs);
      await sleep(500);
    }
  }
  process.stdout.write("\n[startup] per checkout, sorted\n");
  for (const [checkout, runs] of results) {
    process.stdout.write(
      `${checkout}\n  VmHWM MiB  ${sorted(runs.map((r) => r.hwm_mib))
        .map(fixed(0))
        .join(" ")}\n` +
        `  up s       ${sorted(runs.map((r) => r.up_s))
          .map(fixed(2))
          .join(" ")}\n` +
        `  CPU s      ${sorted(runs.map((r) => r.cpu_s))
          .map(fixed(2))
          .join(" ")}\n`,
    );
  }
} finally {
  await stack.stop();
}
