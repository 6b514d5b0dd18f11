// `npm run bench:indexer`: backfill throughput of the maskoii Ponder indexer (issue 14, point 8).
//
// One run: two `hardhat node` chains (A = domain 1001 / chain 31337, B = 1002 / 31338) with maskoii deployed by
// @maskoii/testkit/deploy; a history of BENCH_EVENTS (default 100,000) bridge events generated on A with the existing
// load generator contracts/src/demo/BulkSender.sol (MessageSent events, up to 256 per transaction, one block each),
// then 40 empty blocks so the whole history is behind Ponder's finality depth (30 blocks on these chain ids) and
// is backfilled, not indexed live. Then, on that same history:
//   0. (first) the raw baseline described in 3.;
//   1. the full indexer (`ponder start` in indexer/, every handler and aggregate) on a fresh PGlite directory;
//   2. the same on a fresh PostgreSQL database (MASKOII_TEST_POSTGRES_URL: an admin URL, a database is created and
//      dropped; or DATABASE_URL used as is with a fresh schema); skipped with a message when neither is set;
//   3. the raw baseline, in the same PostgreSQL: eth_getLogs over the Gateway and TokenBridge, decoded with viem,
//      COPY into one table; no processing. It bounds what any indexer reaches on this machine and chain.
// Indexer figures: startup_seconds = `ponder start` spawned → its HTTP server answers /health (build, database
// set-up); backfill seconds = /health → /ready (Ponder's "historical indexing complete"); events per second =
// events indexed / backfill seconds (also given over the whole wall time). The message rows are counted through
// GraphQL afterwards, so a fast but incomplete run cannot pass for a result.
// Writes bench/results/indexer.json and prints the figures. The machine's load average is recorded: the machine is
// shared, figures move with it.
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { devnetAttesters, freePort, HOST, ROOT, Supervisor, startHardhatNode, until } from "@maskoii/testkit";
import { deployMaskoii } from "@maskoii/testkit/deploy";
import hre from "hardhat";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import {
  type Address,
  createPublicClient,
  encodeFunctionData,
  type Hex,
  http,
  type Log,
  pad,
  parseEventLogs,
  toHex,
} from "viem";
import { A, B, resultsFile } from "../common.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PER_TX = 256;
const PONDER_BIN = join(ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
const INDEXER_DIR = join(ROOT, "indexer");
const TARGET = { share_of_baseline: 0.6, startup_seconds: 5 };
const bulkSenderAbi = [
  {
    type: "function",
    name: "sendMany",
    stateMutability: "payable",
    inputs: [
      { name: "destination", type: "uint32" },
      { name: "recipient", type: "bytes32" },
      { name: "first", type: "uint256" },
      { name: "count", type: "uint256" },
    ],
    outputs: [],
  },
  {
    type: "function",
    name: "quote",
    stateMutability: "view",
    inputs: [
      { name: "destination", type: "uint32" },
      { name: "count", type: "uint256" },
    ],
    outputs: [{ name: "fee", type: "uint256" }],
  },
] as const;

class BenchError extends Error {}
const log = (s: string) => process.stdout.write(`${s}\n`);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const load = () => loadavg().map((x) => round(x));

type History = {
  rpcA: string;
  gateway: Address;
  tokenBridge: Address;
  fromBlock: bigint;
  toBlock: bigint;
  events: number;
};

async function generate(rpcA: string, bulk: Address, loader: Address): Promise<number> {
  const client = createPublicClient({ transport: http(rpcA) });
  const fee = await client.readContract({
    address: bulk,
    abi: bulkSenderAbi,
    functionName: "quote",
    args: [B.domain, 1n],
  });
  const recipient = pad(loader);
  let sent = 0;
  const started = performance.now();
  while (sent < EVENTS) {
    const count = Math.min(PER_TX, EVENTS - sent);
    const data = encodeFunctionData({
      abi: bulkSenderAbi,
      functionName: "sendMany",
      args: [B.domain, recipient, BigInt(sent), BigInt(count)],
    });
    // hardhat node's accounts are unlocked and automine is on: eth_sendTransaction answers once the block is mined.
    const hash = (await client.request({
      method: "eth_sendTransaction" as never,
      params: [
        {
          from: loader,
          to: bulk,
          data,
          value: toHex(fee * BigInt(count)),
          gas: toHex(200_000n + 50_000n * BigInt(count)),
        },
      ] as never,
    })) as Hex;
    const receipt = await client.getTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new BenchError(`sendMany reverted (${hash})`);
    const n = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs }).length;
    if (n !== count) throw new BenchError(`sendMany emitted ${n} messages, not ${count}`);
    sent += count;
    if (sent % (PER_TX * 40) === 0)
      log(`  ${sent} events (${round(sent / ((performance.now() - started) / 1000), 0)}/s)`);
  }
  return sent;
}

type IndexerRun = {
  storage: "pglite" | "postgres";
  startup_seconds: number;
  backfill_seconds: number;
  wall_seconds: number;
  events_indexed: number;
  events_per_second: number;
  events_per_second_wall: number;
  load_average: number[];
};

async function graphqlCount(url: string): Promise<number> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ messages(limit: 1) { totalCount } }" }),
  });
  const body = (await response.json()) as { data?: { messages?: { totalCount?: number } } };
  return body.data?.messages?.totalCount ?? -1;
}

async function runIndexer(
  supervisor: Supervisor,
  dir: string,
  deployments: string,
  storage: IndexerRun["storage"],
  databaseUrl: string,
  events: number,
): Promise<IndexerRun> {
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const schema = `bench_${Date.now().toString(36)}`;
  const t0 = performance.now();
  const ponder = supervisor.start({
    name: `ponder-${storage}`,
    command: process.execPath,
    args: [PONDER_BIN, "start", "--port", String(port), "--hostname", HOST, "--schema", schema],
    cwd: INDEXER_DIR,
    env: {
      ...process.env,
      PONDER_TELEMETRY_DISABLED: "true",
      PONDER_LOG_LEVEL: "warn",
      MASKOII_DEPLOYMENTS_DIR: deployments,
      MASKOII_DEPLOYMENTS: "",
      MASKOII_PGLITE_DIR: join(dir, `pglite-${schema}`),
      MASKOII_SOLANA_DEPLOYMENT: "",
      DATABASE_URL: databaseUrl,
      NO_COLOR: "1",
    },
    logFile: join(dir, `ponder-${storage}.log`),
  });
  const exited = ponder.exited.then((code) => {
    throw new BenchError(`ponder (${storage}) exited (${String(code)}); see ${ponder.logFile}`);
  });
  exited.catch(() => {});
  const status = async (path: string) => {
    try {
      return (await fetch(`${url}${path}`)).status;
    } catch {
      return 0;
    }
  };
  await Promise.race([
    until("ponder /health", async () => ((await status("/health")) === 200 ? true : undefined), {
      timeoutMs: 300_000,
      everyMs: 50,
    }),
    exited,
  ]);
  const t1 = performance.now();
  await Promise.race([
    until("ponder /ready", async () => ((await status("/ready")) === 200 ? true : undefined), {
      timeoutMs: 3_600_000,
      everyMs: 100,
    }),
    exited,
  ]);
  const t2 = performance.now();
  const indexed = await graphqlCount(url);
  const loadAverage = load();
  try {
    process.kill(-ponder.pid, "SIGTERM");
  } catch {
    // already gone
  }
  await ponder.exited;
  if (indexed !== events) throw new BenchError(`ponder (${storage}) indexed ${indexed} messages, not ${events}`);
  const backfill = (t2 - t1) / 1000;
  const wall = (t2 - t0) / 1000;
  return {
    storage,
    startup_seconds: round((t1 - t0) / 1000),
    backfill_seconds: round(backfill),
    wall_seconds: round(wall),
    events_indexed: indexed,
    events_per_second: round(events / backfill, 0),
    events_per_second_wall: round(events / wall, 0),
    load_average: loadAverage,
  };
}

/** eth_getLogs over the Gateway and TokenBridge + viem decoding + COPY into one PostgreSQL table, nothing else. */
async function baseline(h: History, databaseUrl: string) {
  const client = createPublicClient({ transport: http(h.rpcA) });
  const db = new pg.Client({ connectionString: databaseUrl });
  // A dropped connection surfaces as the failing query's error, not as an unhandled 'error' event.
  db.on("error", (e) => log(`baseline connection: ${e.message}`));
  await db.connect();
  const table = `bench_raw_${Date.now().toString(36)}`;
  await db.query(
    `CREATE TABLE ${table} (block_number bigint, log_index integer, transaction_hash text, address text, event text, args text)`,
  );
  const abi = [...gatewayAbi, ...tokenBridgeAbi];
  const started = performance.now();
  let rows = 0;
  const step = 10n;
  for (let from = h.fromBlock; from <= h.toBlock; from += step) {
    const to = from + step - 1n > h.toBlock ? h.toBlock : from + step - 1n;
    const logs: Log[] = await client.getLogs({ address: [h.gateway, h.tokenBridge], fromBlock: from, toBlock: to });
    const decoded = parseEventLogs({ abi, logs });
    if (decoded.length === 0) continue;
    const lines = decoded.map((e) =>
      [
        e.blockNumber,
        e.logIndex,
        e.transactionHash,
        e.address,
        e.eventName,
        JSON.stringify(e.args, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      ]
        .map((v) => `"${String(v).replaceAll('"', '""')}"`)
        .join(","),
    );
    const copy = db.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv)`));
    await pipeline(async function* () {
      yield `${lines.join("\n")}\n`;
    }, copy);
    rows += decoded.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const counted = Number(
    (await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE event = 'MessageSent'`)).rows[0]?.n,
  );
  await db.query(`DROP TABLE ${table}`);
  await db.end();
  if (counted !== h.events) throw new BenchError(`baseline copied ${counted} MessageSent rows, not ${h.events}`);
  return { seconds: round(seconds), rows, events_per_second: round(h.events / seconds, 0), load_average: load() };
}

/** A PostgreSQL database for the run, and how to drop it. */
async function postgres(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  if ((process.env.MASKOII_TEST_POSTGRES_URL ?? "") !== "") {
    const { freshDatabase } = await import("@maskoii/testkit/postgres");
    return freshDatabase();
  }
  const url = process.env.DATABASE_URL ?? "";
  return url === "" ? undefined : { url, drop: async () => {} };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "maskoii-bench-indexer-"));
  const supervisor = new Supervisor();
  const exitHook = () => supervisor.killAllSync();
  process.once("exit", exitHook);
  const database = await postgres();
  if (database === undefined) {
    log(
      "PostgreSQL: neither MASKOII_TEST_POSTGRES_URL nor DATABASE_URL is set: the PostgreSQL run and the raw baseline (which COPYs into PostgreSQL) are skipped (.ci/postgres.sh start <dir> prints a URL)",
    );
  }
  try {
    log(`load average at start: ${load().join(" ")} (${cpus().length} cores, shared machine)`);
    const [nodeA, nodeB] = await Promise.all(
      [
        { name: "chainA", chainId: A.chainId },
        { name: "chainB", chainId: B.chainId },
      ].map(({ name, chainId }) => startHardhatNode({ supervisor, name, chainId, logFile: join(dir, `${name}.log`) })),
    );
    if (nodeA === undefined || nodeB === undefined) throw new BenchError("the chains did not start");
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    const connectionA = await hre.network.create({ network: "devnetA", override: { url: nodeA.rpcUrl } });
    const connectionB = await hre.network.create({ network: "devnetB", override: { url: nodeB.rpcUrl } });
    const deployments = join(dir, "deployments");
    const attesters = devnetAttesters(3, "maskoii bench attester");
    const [a] = await deployMaskoii({
      chains: [
        { connection: connectionA, domain: A.domain, rpcUrl: nodeA.rpcUrl },
        { connection: connectionB, domain: B.domain, rpcUrl: nodeB.rpcUrl },
      ],
      attesters: attesters.map((x) => x.account.address),
      weights: attesters.map(() => 1n),
      thresholdBps: 6666,
      deploymentsDir: deployments,
      freshChains: true,
    });
    const bulk = await connectionA.viem.deployContract("BulkSender", [a.contracts.gateway]);
    const [, loader] = await connectionA.viem.getWalletClients();
    await connectionA.close();
    await connectionB.close();
    if (loader === undefined) throw new BenchError("no loader account");

    const client = createPublicClient({ transport: http(nodeA.rpcUrl) });
    const fromBlock = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
    log(`generating ${EVENTS} bridge events on chain A (BulkSender, ${PER_TX} per transaction)`);
    const genStart = performance.now();
    const events = await generate(nodeA.rpcUrl, bulk.address, loader.account.address);
    const generateSeconds = (performance.now() - genStart) / 1000;
    const toBlock = await client.getBlockNumber({ cacheTime: 0 });
    await client.request({ method: "hardhat_mine" as never, params: [toHex(40)] as never });
    log(`  ${events} events in blocks ${fromBlock}..${toBlock} in ${round(generateSeconds, 1)} s`);
    const history: History = {
      rpcA: nodeA.rpcUrl,
      gateway: a.contracts.gateway,
      tokenBridge: a.contracts.tokenBridge,
      fromBlock,
      toBlock,
      events,
    };

    // The raw baseline first: it is the bound the indexer runs are read against.
    const raw = database === undefined ? undefined : await baseline(history, database.url);
    if (raw !== undefined) {
      log(`raw baseline (eth_getLogs + viem decode + COPY): ${raw.events_per_second} events/s (${raw.seconds} s)`);
    }
    const pglite = await runIndexer(supervisor, dir, deployments, "pglite", "", events);
    log(
      `indexer, PGlite: ${pglite.events_per_second} events/s backfill (${pglite.backfill_seconds} s; ${pglite.events_per_second_wall}/s over ${pglite.wall_seconds} s wall), start-up ${pglite.startup_seconds} s`,
    );
    let pgRun: IndexerRun | undefined;
    if (database !== undefined) {
      pgRun = await runIndexer(supervisor, dir, deployments, "postgres", database.url, events);
      log(
        `indexer, PostgreSQL: ${pgRun.events_per_second} events/s backfill (${pgRun.backfill_seconds} s; ${pgRun.events_per_second_wall}/s over ${pgRun.wall_seconds} s wall), start-up ${pgRun.startup_seconds} s`,
      );
    }
    const best = Math.max(pglite.events_per_second, pgRun?.events_per_second ?? 0);
    const share = raw === undefined ? undefined : round(best / raw.events_per_second, 3);
    const startup = Math.max(pglite.startup_seconds, pgRun?.startup_seconds ?? 0);
    const result = {
      bench: "indexer",
      command: "npm run bench:indexer",
      date: new Date().toISOString(),
      events,
      event_kind: "Gateway MessageSent (BulkSender.sendMany, 256 per transaction)",
      blocks: Number(toBlock - fromBlock + 1n),
      generate_seconds: round(generateSeconds, 1),
      events_per_second_pglite: pglite.events_per_second,
      events_per_second_postgres: pgRun?.events_per_second ?? null,
      baseline_events_per_second: raw?.events_per_second ?? null,
      startup_seconds: startup,
      share_of_baseline: share ?? null,
      targets: TARGET,
      meets: {
        share_of_baseline: share === undefined ? null : share >= TARGET.share_of_baseline,
        startup_seconds: startup < TARGET.startup_seconds,
      },
      runs: { pglite, postgres: pgRun ?? null, baseline: raw ?? null },
      machine: { cores: cpus().length, load_average_end: load() },
    };
    mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
    writeFileSync(resultsFile("indexer"), `${JSON.stringify(result, null, 2)}\n`);
    log(JSON.stringify({ ...result, runs: undefined }, null, 2));
    log(`wrote ${resultsFile("indexer")}`);
  } finally {
    await supervisor.stopAll();
    await database?.drop();
    process.off("exit", exitHook);
    if (process.env.MASKOII_KEEP_LOGS === undefined) await rm(dir, { recursive: true, force: true });
    else log(`logs kept in ${dir}`);
  }
}

await main();
