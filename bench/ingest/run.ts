// `npm run bench:ingest` (issue 15 point 6): 1,000,000 posts and reactions across Farcaster, Bluesky, Mastodon, Lens
// and RSS, served by the aggregator's fixture servers on 127.0.0.1 (`@maskoii/aggregator/fixtures`, the real API
// shapes), ingested by ONE aggregator node (`startAggregator`, bench/ingest/node.ts, in a child process) with its real
// connectors: every Farcaster message verified (BLAKE3 hash, ed25519 signature, signer from the hub's key registry
// events), every item checked, deduplicated by canonical id and stored (PGlite by default; `--store sqlite`).
//
// Figures: items_per_second = unique items stored / (the node's start → the last commit, the streams' newest
// `polledAt` in /status once the stored total reaches the expected count); peak_rss_mb = the node process's VmHWM
// (/proc/<pid>/status, MiB) after ingest and after the timeline burst; timeline_p95_ms = p95 of 1,000 concurrent
// GET /communities/:id/timeline, the community created on a local hardhat chain (testkit's deploy fixture) with one
// stream of each network as its sources, after one warm-up request. Data generation (including signing) is not timed.
//
//   node bench/ingest/run.ts [--items N] [--store pglite|sqlite] [--concurrency 1000] [--out bench/results/x.json]
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request as httpRequest } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBlueskyAppView, startFeeds, startHub, startLens, startMastodon } from "@maskoii/aggregator/fixtures";
import { communityRegistryAbi } from "@maskoii/sdk";
import { devnetAttesters, ROOT, runDeployFixture, Supervisor, startHardhatNode } from "@maskoii/testkit";
import { createPublicClient, createWalletClient, http, type PublicClient, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { MNEMONIC, resultsFile } from "../common.ts";
import {
  CHANNELS,
  channelUrl,
  fillAppView,
  fillFeeds,
  fillHub,
  fillLens,
  fillMastodon,
  LENS_STREAMS,
  lensStreams,
  split,
  TAGS,
  tagName,
} from "./data.ts";

class IngestBenchError extends Error {
  override name = "IngestBenchError";
}

const { values: argv } = parseArgs({
  options: {
    items: { type: "string", default: "1000000" },
    store: { type: "string", default: "pglite" },
    concurrency: { type: "string", default: "1000" },
    out: { type: "string" },
  },
});
const ITEMS = Number(argv.items);
const CONCURRENCY = Number(argv.concurrency);
if (!Number.isInteger(ITEMS) || ITEMS < 100) throw new IngestBenchError("--items: expected an integer of at least 100");
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) throw new IngestBenchError("--concurrency: expected an integer");
if (argv.store !== "pglite" && argv.store !== "sqlite") throw new IngestBenchError("--store: pglite or sqlite");
const STORE = argv.store;
/** How long the node serves a built timeline (the burst below runs within it, after the warm-up build). */
const TIMELINE_CACHE_MS = 30_000;
const TARGET = { items_per_second: 20_000, peak_rss_mb: 1_024, timeline_p95_ms: 50 };

const log = (s: string) => process.stdout.write(`${s}\n`);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const load = () => loadavg().map((x) => round(x, 2));

function vm(pid: number, field: "VmRSS" | "VmHWM"): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kb === undefined) throw new IngestBenchError(`no ${field} for pid ${pid}`);
  return Number(kb) / 1024;
}

/** CPU seconds a process has used so far (utime + stime of /proc/<pid>/stat, USER_HZ 100). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function cpuModel(): string {
  const line = readFileSync("/proc/cpuinfo", "utf8")
    .split("\n")
    .find((l) => l.startsWith("model name"));
  return line?.split(":")[1]?.trim() ?? "unknown";
}

type Status = {
  connectors: {
    name: string;
    network: string;
    streams: { items: number; rejects: number; polledAt: string | null }[];
  }[];
};

async function status(url: string): Promise<Status> {
  const res = await fetch(`${url}/status`);
  if (!res.ok) throw new IngestBenchError(`/status answered ${res.status}`);
  return (await res.json()) as Status;
}

/** One GET over a keep-alive agent; its latency in ms. */
function timedGet(agent: Agent, url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new IngestBenchError(`timeline answered ${res.statusCode}`));
        else resolve(performance.now() - started);
      });
    });
    req.on("error", reject);
    req.end();
  });
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "maskoii-bench-ingest-"));
  const supervisor = new Supervisor();
  const counts = split(ITEMS);
  log(`bench:ingest: ${ITEMS} items (${JSON.stringify(counts)}), store ${STORE}, load ${load().join(" ")}`);

  // The chain first (its start and the deploy run while nothing else is measured).
  log("starting two hardhat chains and deploying maskoii (testkit) ...");
  const [a, b] = await Promise.all([
    startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "a.log") }),
    startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "b.log") }),
  ]);
  const attesters = devnetAttesters(3, "maskoii bench ingest").map((x) => x.account.address);
  const deployed = await runDeployFixture({ rpcA: a.rpcUrl, rpcB: b.rpcUrl, attesters, thresholdBps: 6666 });
  const revenue = deployed.revenueA;
  if (revenue === undefined) throw new IngestBenchError("the deploy fixture deployed no revenue suite");

  const [hub, mastodon, lens, feeds, appview] = await Promise.all([
    startHub(),
    startMastodon(),
    startLens(),
    startFeeds(),
    startBlueskyAppView(),
  ]);
  const servers = [hub, mastodon, lens, feeds, appview];
  let child: ReturnType<typeof spawn> | undefined;
  try {
    log("generating data (not timed) ...");
    const genStart = performance.now();
    const fids = await fillHub(hub, counts.farcaster, (done) => {
      if (done % 20_000 < 20) log(`  farcaster: ${done}/${counts.farcaster} messages signed`);
    });
    fillMastodon(mastodon, counts.mastodon);
    fillLens(lens, counts.lens);
    const feedUrls = fillFeeds(feeds, counts.rss);
    const dids = fillAppView(appview, counts.bluesky);
    log(`  generated in ${round((performance.now() - genStart) / 1_000)} s (${fids.length} Farcaster signers)`);

    // The community: one stream of each network as its sources, created on chain A.
    const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
    const wallet = createWalletClient({ account: owner, transport: http(a.rpcUrl) });
    const client = createPublicClient({ transport: http(a.rpcUrl) }) as PublicClient;
    const sources = [
      `farcaster:channel:${channelUrl(0)}`,
      `mastodon:tag:${new URL(mastodon.url).host}#${tagName(0)}`,
      `lens:${lensStreams()[0]}`,
      `rss:${feedUrls[0]}`,
      `bluesky:author:${dids[0]}`,
    ];
    const policy = (7000n << 48n) | (1500n << 32n) | (1000n << 16n) | 500n;
    const created = await wallet.writeContract({
      chain: null,
      address: revenue.communityRegistry,
      abi: communityRegistryAbi,
      functionName: "createCommunity",
      args: ["ipfs://bench-ingest", owner.address, sources.map((s) => toHex(s)), policy, 10, 26],
    });
    if ((await client.waitForTransactionReceipt({ hash: created })).status !== "success")
      throw new IngestBenchError("createCommunity reverted");

    const config = {
      store:
        STORE === "pglite"
          ? { kind: "pglite", dataDir: join(dir, "pglite") }
          : { kind: "sqlite", path: join(dir, "aggregator.sqlite") },
      log: { level: "error" },
      http: { host: "127.0.0.1", port: 0 },
      // Every stream drains in its first tick (maxPagesPerTick), so the poll interval only spaces the re-polls after.
      pollIntervalMs: 5_000,
      maxPagesPerTick: 1_000_000,
      connectors: [
        {
          kind: "farcaster",
          name: "farcaster",
          hubUrl: hub.url,
          channels: Array.from({ length: CHANNELS }, (_, k) => channelUrl(k)),
          pageSize: 100,
        },
        {
          kind: "mastodon",
          name: "mastodon",
          instanceUrl: mastodon.url,
          hashtags: Array.from({ length: TAGS }, (_, k) => tagName(k)),
        },
        {
          kind: "lens",
          name: "lens",
          apiUrl: `${lens.url}/graphql`,
          streams: Object.fromEntries(lensStreams().map((s) => [s, {}])),
        },
        { kind: "rss", name: "rss", feeds: feedUrls },
        {
          kind: "bluesky",
          name: "bluesky",
          // No firehose here: the bulk comes from the AppView; the subscription to this closed port just retries.
          firehoseUrl: "ws://127.0.0.1:9",
          appviewUrl: appview.url,
          authorFeeds: dids,
        },
      ],
      communities: {
        rpcUrl: a.rpcUrl,
        communityRegistry: revenue.communityRegistry,
        identityRegistry: revenue.identityRegistry,
        cacheMs: 60_000,
        timelineCacheMs: TIMELINE_CACHE_MS,
      },
    };
    const configFile = join(dir, "aggregator.json");
    writeFileSync(configFile, JSON.stringify(config));

    log("starting the aggregator node (child process) ...");
    // BENCH_NODE_ARGS: extra node flags for the node process (`--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
    const node = spawn(process.execPath, [...nodeArgs, join(ROOT, "bench", "ingest", "node.ts"), configFile], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = node;
    let stderr = "";
    node.stderr?.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-20_000);
    });
    const started = await new Promise<{ url: string; at: number }>((resolve, reject) => {
      let out = "";
      node.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /STARTED (\S+) (\d+)/.exec(out);
        if (m?.[1] !== undefined) resolve({ url: m[1], at: Number(m[2]) });
      });
      node.on("exit", (code) => reject(new IngestBenchError(`the node exited ${code}:\n${stderr}`)));
    });
    const pid = node.pid;
    if (pid === undefined) throw new IngestBenchError("no node pid");
    const cpuAtStart = cpuSeconds(pid);

    // Progress until every item is stored (a stall of 120 s fails the run).
    let stored = 0;
    let rejects = 0;
    let last = { stored: 0, at: Date.now() };
    let view: Status;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1_000));
      view = await status(started.url);
      const streams = view.connectors.flatMap((c) => c.streams);
      stored = streams.reduce((s, x) => s + x.items, 0);
      rejects = streams.reduce((s, x) => s + x.rejects, 0);
      const perNetwork = view.connectors.map((c) => `${c.name} ${c.streams.reduce((s, x) => s + x.items, 0)}`);
      const secs = (Date.now() - started.at) / 1_000;
      log(
        `  ${round(secs)} s: ${stored}/${ITEMS} stored (${Math.round(stored / secs)}/s), rejects ${rejects}, rss ${Math.round(vm(pid, "VmRSS"))} MiB [${perNetwork.join(", ")}]`,
      );
      if (stored >= ITEMS) break;
      if (stored > last.stored) last = { stored, at: Date.now() };
      else if (Date.now() - last.at > 120_000) throw new IngestBenchError(`stalled at ${stored}:\n${stderr}`);
    }
    const lastCommit = Math.max(
      ...view.connectors.flatMap((c) => c.streams.map((s) => (s.polledAt === null ? 0 : Date.parse(s.polledAt)))),
    );
    const ingestSeconds = (lastCommit - started.at) / 1_000;
    const itemsPerSecond = ITEMS / ingestSeconds;
    const rssAfterIngest = vm(pid, "VmHWM");
    const ingestCpu = cpuSeconds(pid) - cpuAtStart;
    const storedPerNetwork = Object.fromEntries(
      view.connectors.map((c) => [c.network, c.streams.reduce((s, x) => s + x.items, 0)]),
    );
    log(
      `ingest: ${ITEMS} items in ${round(ingestSeconds, 2)} s = ${Math.round(itemsPerSecond)} items/s, peak RSS ${Math.round(rssAfterIngest)} MiB`,
    );

    // The timeline burst: one warm-up request, then CONCURRENCY at once over keep-alive connections.
    const timelineUrl = `${started.url}/communities/1/timeline`;
    const warm = await fetch(timelineUrl);
    const page = (await warm.json()) as { entries: unknown[]; unresolvedSources: string[] };
    if (!warm.ok || page.entries.length === 0 || page.unresolvedSources.length > 0)
      throw new IngestBenchError(`the warm-up timeline is wrong: ${warm.status} ${JSON.stringify(page).slice(0, 500)}`);
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const burstStart = performance.now();
    const latencies = (await Promise.all(Array.from({ length: CONCURRENCY }, () => timedGet(agent, timelineUrl)))).sort(
      (x, y) => x - y,
    );
    const burstMs = performance.now() - burstStart;
    agent.destroy();
    const p95 = percentile(latencies, 95);
    const peak = vm(pid, "VmHWM");
    log(
      `timeline: ${CONCURRENCY} concurrent in ${round(burstMs)} ms, p50 ${round(percentile(latencies, 50))} ms, p95 ${round(p95)} ms, max ${round(latencies.at(-1) ?? 0)} ms`,
    );

    const result = {
      command: `npm run bench:ingest${ITEMS === 1_000_000 ? "" : ` -- --items ${ITEMS}`}${STORE === "pglite" ? "" : ` --store ${STORE}`}`,
      date: new Date().toISOString(),
      machine: { cpu: cpuModel(), cores: (await import("node:os")).cpus().length, load_average_at_end: load() },
      node: process.version,
      store: STORE,
      items: ITEMS,
      items_served: { ...counts, lens: counts.lens * LENS_STREAMS },
      items_stored: storedPerNetwork,
      rejects,
      ingest_seconds: round(ingestSeconds, 2),
      items_per_second: Math.round(itemsPerSecond),
      // CPU the node used from its start to the end of ingest (it idles little): items per CPU-second of one core.
      node_cpu_seconds: round(ingestCpu, 2),
      items_per_cpu_second: Math.round(ITEMS / ingestCpu),
      peak_rss_mb: round(peak),
      peak_rss_mb_after_ingest: round(rssAfterIngest),
      timeline_p95_ms: round(p95, 2),
      timeline: {
        requests: CONCURRENCY,
        keep_alive_sockets: 256,
        p50_ms: round(percentile(latencies, 50), 2),
        p99_ms: round(percentile(latencies, 99), 2),
        max_ms: round(latencies.at(-1) ?? 0, 2),
        burst_ms: round(burstMs),
        entries_per_page: page.entries.length,
      },
      targets: TARGET,
      met: {
        items_per_second: itemsPerSecond >= TARGET.items_per_second,
        peak_rss_mb: peak < TARGET.peak_rss_mb,
        timeline_p95_ms: p95 < TARGET.timeline_p95_ms,
      },
    };
    const out = argv.out ?? resultsFile(STORE === "pglite" ? "ingest" : `ingest-${STORE}`);
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${out}`);
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await Promise.all(servers.map((s) => s.close()));
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
