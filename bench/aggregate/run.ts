// `npm run bench:aggregate` (issue 16 point 6): ingest, rank and report-build for one community epoch of engagement
// beacons — by default 1,000,000 events over 100,000 users — on three aggregator nodes, and 1,000 concurrent feed
// requests over HTTP. Writes bench/results/aggregate.json.
//
// Generation (not timed, this process): the users' personas (deterministic keys), each bound to one Mastodon account
// (the binding view, see world.ts), 50 creators' 1,000 posts in one community, one campaign targeting it, and the
// beacons — each user's impressions and engagements on the posts (90 %) and the ad (10 %), `at` spread over the epoch,
// signed as a client does (`signBeaconBatch` once per batch, or `signBeacon` per beacon), in one `POST /beacons`
// batch per user (at most 100) — written to a
// temporary NDJSON file. The timed part (epoch.ts) runs in a child process, so its peak RSS (VmHWM of
// /proc/<pid>/status) is its own.
//
//   npm run bench:aggregate -- --events 20000 --users 2000      # a quick run
// Options: --events N (default 1,000,000), --users M (default 100,000), --feed R (concurrent feed requests, 1,000),
// --signing batch|single (default batch: one persona signature per batch, docs/protocol.md §12.1; single: each
// beacon signed), --store pglite|sqlite (default pglite, the node's default), --out <file> (default bench/results/aggregate.json).
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MAX_BEACON_BATCH, signBeacon, signBeaconBatch } from "@maskoii/aggregator";
import { getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ROOT, resultsFile } from "../common.ts";
import type { EpochFigures, WorldFile } from "./epoch.ts";
import {
  benchAccount,
  benchKey,
  CAMPAIGN,
  CLOCK,
  COMMUNITY,
  CREATORS,
  DOMAIN,
  EPOCH,
  EPOCH_START,
  POSTS,
  postId,
} from "./world.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    users: { type: "string", default: "100000" },
    feed: { type: "string", default: "1000" },
    store: { type: "string", default: "pglite" },
    signing: { type: "string", default: "batch" },
    out: { type: "string" },
  },
});
const EVENTS = Number(values.events);
const USERS = Number(values.users);
const FEED = Number(values.feed);
if (!Number.isSafeInteger(EVENTS) || EVENTS < 1) throw new RangeError("--events: expected a positive integer");
if (!Number.isSafeInteger(USERS) || USERS < 1 || USERS > EVENTS) {
  throw new RangeError("--users: expected a positive integer, at most --events");
}
// A user's beacons stay inside the intake's default token bucket (burst 60) and its burst limits.
if (EVENTS / USERS > 50) throw new RangeError("--events / --users: at most 50 beacons per user");
if (!Number.isSafeInteger(FEED) || FEED < 1) throw new RangeError("--feed: expected a positive integer");
const STORE = values.store;
if (STORE !== "pglite" && STORE !== "sqlite") throw new RangeError("--store: expected pglite or sqlite");
const SIGNING = values.signing;
if (SIGNING !== "batch" && SIGNING !== "single") throw new RangeError("--signing: expected batch or single");
const OUT = values.out ?? resultsFile("aggregate");

/** A small deterministic PRNG (mulberry32), so every run generates the same epoch. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const dir = mkdtempSync(join(tmpdir(), "maskoii-bench-aggregate-"));
const worldPath = join(dir, "world.json");
const beaconsPath = join(dir, "beacons.ndjson");
const log = (line: string) => process.stderr.write(`${line}\n`);

try {
  // Generation.
  const g0 = performance.now();
  log(`generating ${EVENTS} beacons over ${USERS} users (${POSTS} posts by ${CREATORS} creators, 1 campaign)`);
  const creators = Array.from({ length: CREATORS }, (_, j) => {
    const a = benchAccount(`creator${j}`);
    return [getAddress(privateKeyToAccount(benchKey(`creator ${j}`)).address), a.platform, a.accountId] as const;
  });
  const users: (readonly [`0x${string}`, number, `0x${string}`])[] = [];
  const out = createWriteStream(beaconsPath);
  const random = prng(16);
  let written = 0;
  let batches = 0;
  let nextLog = 0.1;
  for (let i = 0; i < USERS; i++) {
    const signer = privateKeyToAccount(benchKey(`user ${i}`));
    const account = benchAccount(`user${i}`);
    users.push([getAddress(signer.address), account.platform, account.accountId]);
    // Spread the events evenly: the first (EVENTS mod USERS) users send one more.
    const count = Math.floor(EVENTS / USERS) + (i < EVENTS % USERS ? 1 : 0);
    const mine = Array.from({ length: count }, () => {
      const ad = random() < 0.1;
      return {
        community: COMMUNITY.toString(),
        epoch: EPOCH,
        action: random() < (ad ? 0.1 : 0.2) ? ("engagement" as const) : ("impression" as const),
        target: ad ? `ad:${CAMPAIGN}` : `post:${postId(Math.floor(random() * POSTS))}`,
        platform: account.platform,
        accountId: account.accountId,
        at: EPOCH_START + Math.floor(random() * CLOCK.epochLength),
      };
    });
    for (let s = 0; s < mine.length; s += MAX_BEACON_BATCH) {
      const chunk = mine.slice(s, s + MAX_BEACON_BATCH);
      const body =
        SIGNING === "batch"
          ? await signBeaconBatch(chunk, DOMAIN, signer)
          : { beacons: await Promise.all(chunk.map((f) => signBeacon(f, DOMAIN, signer))) };
      if (!out.write(`${JSON.stringify(body)}\n`)) {
        await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
      batches++;
    }
    written += mine.length;
    if (written >= nextLog * EVENTS) {
      log(`  generated ${written} beacons (${((performance.now() - g0) / 1_000).toFixed(1)} s)`);
      nextLog += 0.1;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const world: WorldFile = { users, creators, events: written, batches };
  writeFileSync(worldPath, JSON.stringify(world));
  const generationSeconds = (performance.now() - g0) / 1_000;
  log(`generated in ${generationSeconds.toFixed(1)} s; the timed part runs in a child process`);

  // The timed part.
  const child = spawn(
    process.execPath,
    [join(ROOT, "bench", "aggregate", "epoch.ts"), worldPath, beaconsPath, String(FEED), STORE],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`the timed part (epoch.ts) exited with ${code}`);
  const figures = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as EpochFigures;

  const result = {
    command: `npm run bench:aggregate -- --events ${EVENTS} --users ${USERS} --feed ${FEED} --store ${STORE} --signing ${SIGNING}`,
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version },
    date: new Date().toISOString(),
    store: `${STORE} (in memory), one per node`,
    signing: SIGNING === "batch" ? "batch-signed (one signature per user batch of ≤ 100)" : "single-signed beacons",
    nodes: 3,
    events: figures.events,
    users: figures.users,
    seconds_1m_events: Math.round(figures.seconds_total * (1_000_000 / figures.events) * 100) / 100,
    events_per_second: Math.round(figures.events / figures.seconds_total),
    peak_rss_mb: figures.peak_rss_mb,
    report_bytes_identical_across_nodes: figures.report_bytes_identical_across_nodes,
    feed_p95_ms: figures.feed_p95_ms,
    measured: figures,
    generation_seconds: Math.round(generationSeconds * 10) / 10,
    note:
      figures.events === 1_000_000
        ? "measured at full size"
        : `measured with ${figures.events} events; seconds_1m_events extrapolates linearly to 1,000,000`,
  };
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  log(JSON.stringify(result, null, 2));
  log(`wrote ${OUT}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
