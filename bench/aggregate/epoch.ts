// The timed part of `npm run bench:aggregate`, run in its own process so its peak RSS (VmHWM) is its own. Reads the
// world and the signed beacon batches run.ts generated, then, on three nodes (each with its own PGlite store):
//   1. ingest: every batch through its persona's home node's real BeaconIntake (zod parse of each beacon as the route
//      does, signature recovery, rate limit, filters, store);
//   2. contributions: each node's `ownContribution` (real buildContribution, kept in its store, verified);
//   3. reports: each node verifies the three contributions and runs `buildEpochReport`; the encoded reports compared;
//   4. feed: node 0's operator server with the feed route on the same store, FEED_REQUESTS concurrent `GET /feed`.
// The beacons are single-signed or batch-signed (one signature per user batch) as run.ts generated them.
// Prints progress on stderr, the figures as one JSON line on stdout.
import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import {
  AggregatorMetrics,
  AggregatorStore,
  type Beacon,
  BeaconIntake,
  BeaconStore,
  beaconSchema,
  buildEpochReport,
  type Contribution,
  contributionHash,
  EMPTY_CARRY,
  type EngagementDeps,
  FeedService,
  FeedStore,
  Ingestor,
  ownContribution,
  type ReportContribution,
  type SignedBeaconBatch,
  signedBeaconBatchSchema,
  startOperatorServer,
  storePostLookup,
  TimelineService,
  verifyBeaconBatchSignature,
  verifyBeaconSignature,
  verifyContribution,
} from "@maskoii/aggregator";
import { koiiPublicKeyOf, silentLogger } from "@maskoii/node-kit";
import { encodeEpochReport } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, keccak256, stringToBytes } from "viem";
import {
  CAMPAIGN,
  CLOSE_NOW_MS,
  COMMUNITY,
  campaign,
  DOMAIN,
  EPOCH,
  EPOCH_END,
  INGEST_NOW_MS,
  MapChain,
  posts,
  STREAM,
  streamsOf,
} from "./world.ts";

export type WorldFile = {
  readonly users: readonly (readonly [persona: Address, platform: number, accountId: Hex])[];
  readonly creators: readonly (readonly [persona: Address, platform: number, accountId: Hex])[];
  readonly events: number;
  readonly batches: number;
};

export type EpochFigures = {
  events: number;
  users: number;
  ingest_seconds: number;
  accepted: number;
  drops: Record<string, number>;
  verify_ms_per_beacon: number;
  verify_cpu_ms_per_beacon: number;
  ingest_cpu_seconds: number;
  contributions_cpu_seconds: number;
  reports_cpu_seconds: number;
  feed_cpu_seconds: number;
  rss_mb_stores_open: number;
  store: string;
  contributions_seconds: number;
  reports_seconds: number;
  seconds_total: number;
  report_hash: Hex | null;
  report_bytes: number;
  report_bytes_identical_across_nodes: boolean;
  feed_requests: number;
  feed_p50_ms: number;
  feed_p95_ms: number;
  feed_max_ms: number;
  feed_errors: number;
  feed_error_kinds: Record<string, number>;
  peak_rss_mb_after_report: number;
  peak_rss_mb: number;
};

const [worldPath, beaconsPath, feedArg, storeArg] = process.argv.slice(2);
const STORE = storeArg === "sqlite" ? "sqlite" : "pglite";
if (worldPath === undefined || beaconsPath === undefined)
  throw new Error("usage: epoch.ts <world.json> <beacons.ndjson>");
const FEED_REQUESTS = Number(feedArg ?? 1_000);
const log = (line: string) => process.stderr.write(`  ${line}\n`);
const seconds = (from: number) => (performance.now() - from) / 1_000;
/** CPU seconds (user + system) this process used since `from` (process.cpuUsage()). */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return Math.round((d.user + d.system) / 10_000) / 100;
};

function vmHwmMb(): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${process.pid}/status`, "utf8"))?.[1];
  return kb === undefined ? Number.NaN : Math.round((Number(kb) / 1024) * 10) / 10;
}

const world = JSON.parse(readFileSync(worldPath, "utf8")) as WorldFile;
const chain = new MapChain();
for (const [persona, platform, accountId] of [...world.users, ...world.creators]) {
  chain.bind(platform, accountId, persona);
}

// Three nodes, each its own Koii key, node secret and PGlite store holding the community's posts.
const nodeKeys = [1, 2, 3].map((i) => keccak256(stringToBytes(`maskoii bench aggregate node ${i}`)));
const nodes = nodeKeys.map((k, i) => ({ koiiPublicKey: koiiPublicKeyOf(k), url: `http://node${i}.bench` }));
const metrics = new AggregatorMetrics();
let clock = INGEST_NOW_MS;
const now = () => clock;
const node = await Promise.all(
  nodeKeys.map(async (key, i) => {
    const store = await AggregatorStore.open(
      STORE === "sqlite" ? { kind: "sqlite", path: ":memory:" } : { kind: "pglite", dataDir: "memory://" },
    );
    await store.commitPage(STREAM.connector, STREAM.stream, { items: posts(), rejects: 0, cursor: {}, more: false }, 0);
    const beacons = new BeaconStore(store.db);
    const intake = new BeaconIntake({
      store: beacons,
      chain,
      posts: storePostLookup(store.db, streamsOf),
      campaigns: chain.lookup,
      domain: DOMAIN,
      self: nodes[i]?.koiiPublicKey ?? "",
      nodes,
      metrics,
      now,
    });
    const deps: EngagementDeps = {
      intake,
      store: beacons,
      chain,
      nodeSecret: keccak256(stringToBytes(`bench node secret ${i}`)),
      ed25519PrivateKey: key,
      members: new Set(nodes.map((n) => n.koiiPublicKey)),
      closeGraceMs: 60_000,
      now,
    };
    return { store, intake, deps };
  }),
);
const rssStoresOpen = vmHwmMb();
log(`${STORE} stores open (3 nodes, ${world.creators.length} creators' posts each): peak RSS ${rssStoresOpen} MiB`);
const byKey = new Map(nodes.map((n, i) => [n.koiiPublicKey, node[i]]));

/** The `POST /beacons` bodies, parsed as the route does: each beacon signed, or a batch-signed batch. */
type Body = { readonly signed: SignedBeaconBatch } | { readonly beacons: Beacon[] };
async function* batches(): AsyncGenerator<Body> {
  const lines = createInterface({
    input: createReadStream(beaconsPath as string),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (line === "") continue;
    const body = JSON.parse(line) as { signature?: unknown; beacons: unknown[] };
    yield body.signature === undefined
      ? { beacons: body.beacons.map((b) => beaconSchema.parse(b)) }
      : { signed: signedBeaconBatchSchema.parse(body) };
  }
}
const membersOf = (b: Body) => ("signed" in b ? b.signed.beacons : b.beacons);

// The signature cost per beacon (one recovery per beacon, or per batch), on a sample (not part of the timed ingest).
let sampled = 0;
const sampleStart = performance.now();
const sampleCpu = process.cpuUsage();
for await (const body of batches()) {
  if ("signed" in body) {
    if (!(await verifyBeaconBatchSignature(body.signed, DOMAIN))) throw new Error("a generated batch is unsigned");
    sampled += body.signed.beacons.length;
  } else {
    for (const b of body.beacons) {
      if (!(await verifyBeaconSignature(b, DOMAIN))) throw new Error("a generated beacon is unsigned");
      sampled++;
    }
  }
  if (sampled >= 1_000) break;
}
const verifyMs = (performance.now() - sampleStart) / sampled;
const verifyCpuMs = (cpuSeconds(sampleCpu) * 1_000) / sampled;
log(
  `signature recovery: ${verifyMs.toFixed(3)} ms per beacon, ${verifyCpuMs.toFixed(3)} CPU ms (sample of ${sampled})`,
);

// 1. Ingest.
const t0 = performance.now();
const c0 = process.cpuUsage();
const verdicts = new Map<string, number>();
let done = 0;
let nextReport = 0.1;
const inFlight = new Set<Promise<void>>();
for await (const body of batches()) {
  const parsed = membersOf(body);
  const first = parsed[0];
  if (first === undefined) continue;
  const home = byKey.get(node[0]?.intake.homeOf(first.persona as Address).koiiPublicKey ?? "");
  if (home === undefined) throw new Error("no home node");
  const submitted = "signed" in body ? home.intake.submitSigned(body.signed) : home.intake.submit(body.beacons);
  const p = submitted.then((outcome) => {
    if (outcome.status === 421) throw new Error("a batch went to a node that is not its home");
    for (const v of outcome.verdicts) verdicts.set(v.verdict, (verdicts.get(v.verdict) ?? 0) + 1);
    done += parsed.length;
    if (done >= nextReport * world.events) {
      log(`ingest ${Math.round((done / world.events) * 100)}%: ${done} beacons, ${seconds(t0).toFixed(1)} s`);
      nextReport += 0.1;
    }
  });
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
  if (inFlight.size >= 12) await Promise.race(inFlight);
}
await Promise.all(inFlight);
const ingestSeconds = seconds(t0);
const ingestCpu = cpuSeconds(c0);
const accepted = verdicts.get("accepted") ?? 0;
verdicts.delete("accepted");
log(`ingest: ${done} beacons in ${ingestSeconds.toFixed(1)} s (${ingestCpu} CPU s), ${accepted} accepted`);

// 2. Contributions, once the epoch is closed.
clock = CLOSE_NOW_MS;
const t1 = performance.now();
const c1 = process.cpuUsage();
const contributions: Contribution[] = [];
for (const [i, n] of node.entries()) {
  const c = await ownContribution(n.deps, COMMUNITY.toString(), EPOCH);
  if (c === undefined) throw new Error(`node ${i} built no contribution`);
  contributions.push(c);
  log(`contribution of node ${i}: ${c.users.length} users`);
}
const contributionsSeconds = seconds(t1);
const contributionsCpu = cpuSeconds(c1);

// 3. Each node verifies the three contributions (as fetched from its peers) and builds the report.
const t2 = performance.now();
const c2 = process.cpuUsage();
const creators = world.creators.map(([persona]) => getAddress(persona));
const reports: (Hex | null)[] = [];
let reportHash: Hex | null = null;
for (const [i] of node.entries()) {
  const input: ReportContribution[] = contributions.map((served) => {
    const c = verifyContribution(JSON.parse(JSON.stringify(served)), {
      community: COMMUNITY.toString(),
      epoch: EPOCH,
      node: served.node,
    });
    return {
      node: c.node,
      hash: contributionHash(c),
      users: c.users.map((u) => ({
        leaf: u.leaf as Hex,
        accounts: u.accounts,
        ads: u.ads.map((a) => ({
          campaignId: BigInt(a.campaignId),
          impressions: a.impressions,
          engagements: a.engagements,
        })),
        creators: u.creators.map((p) => ({ persona: getAddress(p.persona), points: p.points })),
      })),
    };
  });
  const outcome = buildEpochReport({
    community: COMMUNITY,
    epoch: BigInt(EPOCH),
    contributions: [...input]
      .reverse()
      .slice(i)
      .concat([...input].reverse().slice(0, i)),
    campaigns: [
      {
        id: CAMPAIGN,
        token: campaign.token,
        cpm: campaign.cpm,
        cpe: campaign.cpe,
        epochCap: campaign.epochCap,
        available: campaign.available,
        epochSpent: 0n,
        live: true,
        targets: true,
      },
    ],
    policy: { creators: 7_000, treasury: 1_500, operators: 1_000, protocol: 500 },
    k: 50,
    carry: EMPTY_CARRY,
    prev: { root: `0x${"00".repeat(32)}`, entries: [] },
    payouts: new Map(creators.map((p) => [p, { family: "evm" as const, recipient: p }])),
    saltSecret: keccak256(stringToBytes("bench payout salt secret")),
    solanaUnits: new Map(),
  });
  if (outcome.kind !== "report") {
    reports.push(null);
    log(`node ${i}: no report (${outcome.kind})`);
    continue;
  }
  reports.push(encodeEpochReport(outcome.report));
  reportHash = outcome.reportHash;
  log(`node ${i}: report ${outcome.reportHash}, ${outcome.payout.entries.length} payout leaves`);
}
const reportsSeconds = seconds(t2);
const reportsCpu = cpuSeconds(c2);
const identical = reports[0] !== null && reports.every((r) => r === reports[0]);
const rssAfterReport = vmHwmMb();

// 4. Feed latency: node 0's HTTP server with the feed route on its store; the clock runs again, so each request ranks.
const feedNode = node[0];
if (feedNode === undefined) throw new Error("no node");
const feedStart = Date.now();
const feedClock = () => (EPOCH_END + 600) * 1_000 + (Date.now() - feedStart);
const timelines = new TimelineService(feedNode.store, chain, (d) => ({
  streams: d.length > 0 ? [STREAM] : [],
  unresolved: [],
}));
const server = await startOperatorServer(
  {
    store: feedNode.store,
    ingestor: new Ingestor(feedNode.store, [], metrics, silentLogger(), { pollIntervalMs: 60_000, maxPagesPerTick: 1 }),
    metrics,
    timelines,
    feed: {
      service: new FeedService({
        store: feedNode.store,
        feedStore: new FeedStore(feedNode.store),
        timelines,
        communities: chain,
        campaigns: chain,
        now: feedClock,
      }),
      domain: DOMAIN,
      now: feedClock,
    },
  },
  { host: "127.0.0.1", port: 0 },
);
const latencies: number[] = [];
const c3 = process.cpuUsage();
let feedErrors = 0;
const feedErrorKinds = new Map<string, number>();
const feedError = (kind: string) => {
  feedErrors++;
  feedErrorKinds.set(kind, (feedErrorKinds.get(kind) ?? 0) + 1);
};
await Promise.all(
  Array.from({ length: FEED_REQUESTS }, async () => {
    const start = performance.now();
    try {
      const r = await fetch(`${server.url}/feed?community=${COMMUNITY}&limit=20`);
      const body = (await r.json()) as { entries?: unknown[] };
      if (r.status !== 200) feedError(`HTTP ${r.status}`);
      else if ((body.entries?.length ?? 0) === 0) feedError("empty page");
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      feedError(`${error instanceof Error ? error.message : String(error)}${cause}`);
    }
    latencies.push(performance.now() - start);
  }),
);
const feedCpu = cpuSeconds(c3);
await server.close();
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  Math.round((latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? 0) * 10) / 10;
log(
  `feed: ${FEED_REQUESTS} concurrent requests, p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, ${feedCpu} CPU s, ${feedErrors} errors`,
);
for (const n of node) await n.store.close();

const figures: EpochFigures = {
  events: world.events,
  users: world.users.length,
  ingest_seconds: Math.round(ingestSeconds * 100) / 100,
  accepted,
  drops: Object.fromEntries(verdicts),
  verify_ms_per_beacon: Math.round(verifyMs * 1000) / 1000,
  verify_cpu_ms_per_beacon: Math.round(verifyCpuMs * 1000) / 1000,
  ingest_cpu_seconds: ingestCpu,
  contributions_cpu_seconds: contributionsCpu,
  reports_cpu_seconds: reportsCpu,
  feed_cpu_seconds: feedCpu,
  rss_mb_stores_open: rssStoresOpen,
  store: STORE,
  contributions_seconds: Math.round(contributionsSeconds * 100) / 100,
  reports_seconds: Math.round(reportsSeconds * 100) / 100,
  seconds_total: Math.round((ingestSeconds + contributionsSeconds + reportsSeconds) * 100) / 100,
  report_hash: reportHash,
  report_bytes: reports[0] === null || reports[0] === undefined ? 0 : (reports[0].length - 2) / 2,
  report_bytes_identical_across_nodes: identical,
  feed_requests: FEED_REQUESTS,
  feed_p50_ms: pct(0.5),
  feed_p95_ms: pct(0.95),
  feed_max_ms: pct(1),
  feed_errors: feedErrors,
  feed_error_kinds: Object.fromEntries(feedErrorKinds),
  peak_rss_mb_after_report: rssAfterReport,
  peak_rss_mb: vmHwmMb(),
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
