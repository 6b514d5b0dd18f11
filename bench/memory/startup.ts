// Scratch harness: start-up peak of one attester, CLI of several checkouts alternated against one stack.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Stack } from "@maskoii/e2e/stack";

const CHECKOUTS = (process.env.CHECKOUTS ?? "/work/wt/old-371,/work/wt/i12-startup-peak").split(",");
const RUNS = Number(process.env.RUNS ?? 3);
const NODE_ARGS = (process.env.NODE_ARGS ?? "").split(" ").filter((a) => a !== "");

function status(pid: number, field: string): number | undefined {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

async function runOnce(checkout: string, baseConfig: Record<string, unknown>): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), "startup-peak-"));
  const config = { ...baseConfig, store: { kind: "sqlite", path: join(dir, "store.sqlite") } };
  const configFile = join(dir, "config.json");
  await writeFile(configFile, JSON.stringify(config));
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      ...(checkout.split("|")[1] ?? "").split(" ").filter((a) => a !== ""),
      join(checkout.split("|")[0] as string, "relayer", "src", "cli.ts"),
      "attester",
      "--config",
      configFile,
    ],
    {
      cwd: dir,
      env: { ...process.env, MASKOII_KEYSTORE_PASSWORD: "maskoii e2e keystore password", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const pid = child.pid as number;
  let upAt: number | undefined;
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (upAt === undefined && out.includes("attester node up")) upAt = performance.now();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const samples: Array<[number, number]> = [];
  while (upAt === undefined || performance.now() - upAt < Number(process.env.AFTER_MS ?? 3000)) {
    const rss = status(pid, "VmRSS");
    if (rss !== undefined) samples.push([performance.now() - t0, rss]);
    if (child.exitCode !== null) throw new Error(`exited: ${out}`);
    if (performance.now() - t0 > 30_000) throw new Error(`no up: ${out}`);
    await sleep(20);
  }
  const hwm = status(pid, "VmHWM") ?? Number.NaN;
  const rssAfter = status(pid, "VmRSS") ?? Number.NaN;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  const peak = samples.reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0]);
  if (process.env.DUMP === "1") await writeFile(join(dir, "out.log"), out);
  return { up_s: ((upAt as number) - t0) / 1000, hwm, peakAt_s: peak[0] / 1000, rssAfter, dir };
}

type Run = { up_s: number; hwm: number; peakAt_s: number; rssAfter: number; dir: string };
const stack = await Stack.start({ label: "startup-peak", store: "sqlite", startRelayer: false });
try {
  const configs: Record<string, unknown>[] = [];
  const parallel = Number(process.env.PARALLEL ?? 1);
  for (const node of stack.setOne.slice(0, parallel)) {
    const baseConfig = JSON.parse(await readFile(node.configFile, "utf8")) as Record<string, unknown>;
    await node.stop();
    baseConfig.keys = { keystore: node.keystore };
    baseConfig.log = { level: process.env.LOG_LEVEL ?? "debug" };
    // 371e3c0 does not know the revenue part of a deployment file: every checkout reads a copy without it.
    if (process.env.KEEP_REVENUE !== "1") {
      for (const chain of baseConfig.chains as Array<Record<string, unknown>>) {
        const file = chain.deploymentFile as string;
        if (file.endsWith("-norevenue.json")) continue;
        const deployment = JSON.parse(await readFile(file, "utf8")) as { contracts: Record<string, unknown> };
        delete deployment.contracts.revenue;
        const copy = file.replace(/\.json$/, `-${chain.domain}-norevenue.json`);
        await writeFile(copy, JSON.stringify(deployment, null, 2));
        chain.deploymentFile = copy;
      }
    }
    configs.push(baseConfig);
  }
  const results = new Map<string, Run[]>();
  for (let i = 0; i < RUNS; i++) {
    for (const checkout of i % 2 === 0 ? CHECKOUTS : [...CHECKOUTS].reverse()) {
      const rs = await Promise.all(configs.map((c) => runOnce(checkout, c)));
      for (const r of rs)
        process.stdout.write(
          `${checkout.padEnd(30)} up ${r.up_s.toFixed(2)} s  HWM ${r.hwm.toFixed(1)}  peak@${r.peakAt_s.toFixed(2)}  rss+after ${r.rssAfter.toFixed(1)}  ${r.dir}\n`,
        );
      results.set(checkout, [...(results.get(checkout) ?? []), ...rs]);
      await sleep(500);
    }
  }
  for (const [checkout, rs] of results) {
    const h = rs.map((r) => r.hwm).sort((a, b) => a - b);
    const u = rs.map((r) => r.up_s).sort((a, b) => a - b);
    process.stdout.write(
      `${checkout}: HWM ${h.map((x) => x.toFixed(0)).join(" ")}  up ${u.map((x) => x.toFixed(2)).join(" ")}\n`,
    );
  }
} finally {
  await stack.stop();
}
