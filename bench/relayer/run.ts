// `npm run bench:relayer`: throughput and latency of the attester/relayer path on two local chains.
//
// Real processes: two `hardhat node` chains (A = domain 1001 / chain 31337, B = 1002 / 31338) on free 127.0.0.1
// ports, maskoii deployed by @maskoii/testkit/deploy, three `maskoii attester` processes (2-of-3 by weight) and, per batch
// size, a fresh `maskoii relayer` process (its own embedded SQLite store, the default) with `maxBatchSize` 1, 8, 32 or 128. Load comes from
// contracts/src/demo/BulkSender.sol on A (many Gateway.send per transaction) to a DemoRecipient on B.
//
// Per batch size:
//   1. capacity: a backlog of messages is sent as fast as A mines them; capacity = messages / (last delivery seen on
//      B - first message final on A);
//   2. sustained: an open-loop load at min(0.85 x capacity, BENCH_MAX_RATE) messages per second for BENCH_SECONDS;
//      latency of each message = (its MessageDelivered seen on B by the bench's 25 ms poller) - (its block final on
//      A). A's finality is 0 confirmations here, so "final" is the moment the send transaction was mined (the bench
//      takes it when eth_sendTransaction returns: hardhat's automine mines before answering).
// Where the time goes: per message from the relayer's store (first seen, quorum, delivered), per step from the
// relayer's and attesters' maskoii_stage_seconds histograms, and CPU/RSS of every process from /proc.
// The chains alone are measured in the same run: deliverBatch/deliver transactions per second on B sent the way the
// relayer sends them (estimateGas, send, receipt, one after the other) with attestations the bench signs itself, and
// sendMany throughput on A.
//
// A benchmark, not a test: it prints its figures and writes bench/results/relayer.json. It fails only when a
// message is lost or delivered twice. Environment: BENCH_SECONDS (default 15), BENCH_MAX_RATE (default 1000),
// BENCH_BATCHES (default "1,8,32,128").
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { encryptKey, writeKeystore } from "@maskoii/node-kit";
import { batchProofs, openStore } from "@maskoii/relayer";
import {
  addressToBytes32,
  attestationDigest,
  batchRoot,
  encodeAttestation,
  encodeMessage,
  gatewayAbi,
  type IndexedSignature,
  messageId,
  signDigest,
} from "@maskoii/sdk";
import {
  devnetAttesters,
  freePort,
  Supervisor,
  startHardhatNode,
  startNodeProcess,
  until,
  waitHttpOk,
} from "@maskoii/testkit";
import { deployMaskoii } from "@maskoii/testkit/deploy";
import hre from "hardhat";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hex,
  http,
  type PublicClient,
  parseEventLogs,
  toHex,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAddress } from "viem/accounts";
import { A, B, HOST, MNEMONIC, PASSWORD, ROOT, resultsFile } from "../common.ts";
import { histogramTotals, mean, ProcessSampler, percentile, round } from "./measure.ts";

const RESULTS = resultsFile("relayer");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const MAX_RATE = Number(process.env.BENCH_MAX_RATE ?? 1000);
const BATCHES = (process.env.BENCH_BATCHES ?? "1,8,32,128").split(",").map(Number);
/** A directory for `node --cpu-prof` profiles of the relayer and attester0 (written when they exit); off by default. */
const CPU_PROF = process.env.BENCH_CPU_PROF;
const profiled = (name: string): string[] =>
  CPU_PROF === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${name}.cpuprofile`];
/** attester.messageSignDelayMs of the bench's attesters (BENCH_MESSAGE_SIGN_DELAY_MS; 0 = sign every message). */
const MESSAGE_SIGN_DELAY_MS = Number(process.env.BENCH_MESSAGE_SIGN_DELAY_MS ?? 2_000);
/** Backlog of the capacity phase per batch size (enough for a few seconds of work at the expected rate). */
const BACKLOG: Record<number, number> = { 1: 200, 8: 1_000, 32: 3_000, 128: 6_000 };
/** Messages per sendMany transaction at most (~35k gas each; A's block gas limit is far above). */
const MAX_PER_TX = 256;
const TARGET = { messages_per_second: 500, p95_latency_ms: 2_000 };

const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
const loader = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
const relayerAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
const chainAloneAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 3 });

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

/** Raised when the bench sees a message lost or delivered twice (the only failures of a benchmark). */
class BenchError extends Error {
  override readonly name = "BenchError";
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function chainOf(id: number, url: string) {
  return defineChain({
    id,
    name: `chain ${id}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
}

/** Wall-clock times (ms since the epoch) at which the bench first saw each MessageDelivered on B. */
class DeliveryWatcher {
  readonly seen = new Map<string, number>();
  readonly duplicates: string[] = [];
  readonly #client: PublicClient;
  readonly #gateway: Address;
  #from = 0n;
  #stopped = false;
  #done: Promise<void> = Promise.resolve();

  constructor(client: PublicClient, gateway: Address) {
    this.#client = client;
    this.#gateway = gateway;
  }

  async start(everyMs = 25): Promise<void> {
    this.#from = (await this.#client.getBlockNumber({ cacheTime: 0 })) + 1n;
    this.#done = (async () => {
      while (!this.#stopped) {
        await this.#poll().catch(() => {});
        await sleep(everyMs);
      }
    })();
  }

  async #poll(): Promise<void> {
    const head = await this.#client.getBlockNumber({ cacheTime: 0 });
    if (head < this.#from) return;
    const logs = await this.#client.getContractEvents({
      address: this.#gateway,
      abi: gatewayAbi,
      eventName: "MessageDelivered",
      fromBlock: this.#from,
      toBlock: head,
      strict: true,
    });
    const now = Date.now();
    for (const l of logs) {
      const id = l.args.messageId.toLowerCase();
      if (this.seen.has(id)) this.duplicates.push(id);
      else this.seen.set(id, now);
    }
    this.#from = head + 1n;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}

type Sent = { id: Hex; finalAt: number };

/** Sends load on A through BulkSender from the loader account (unlocked in hardhat node). */
class Loader {
  readonly #client: PublicClient;
  readonly #wallet: WalletClient;
  readonly #bulk: Address;
  readonly #recipient: Hex;
  readonly #fee: bigint;
  #next = 0n;
  txs = 0;

  constructor(client: PublicClient, bulk: Address, recipient: Hex, feePerMessage: bigint) {
    this.#client = client;
    // The loader account is unlocked in hardhat node: eth_sendTransaction, no signing in the bench process.
    this.#wallet = createWalletClient({
      account: loader.address,
      chain: client.chain,
      transport: http(client.transport.url),
    });
    this.#bulk = bulk;
    this.#recipient = recipient;
    this.#fee = feePerMessage;
  }

  /** One sendMany of `count` messages; returns their ids and the time their block was mined (= final). */
  async send(count: number): Promise<Sent[]> {
    const data = encodeFunctionData({
      abi: bulkSenderAbi,
      functionName: "sendMany",
      args: [B.domain, this.#recipient, this.#next, BigInt(count)],
    });
    this.#next += BigInt(count);
    const hash = (await this.#wallet.request({
      method: "eth_sendTransaction",
      params: [
        {
          from: loader.address,
          to: this.#bulk,
          data,
          value: toHex(this.#fee * BigInt(count)),
          gas: toHex(200_000n + 50_000n * BigInt(count)),
        },
      ],
    })) as Hex;
    const finalAt = Date.now();
    this.txs++;
    const receipt = await this.#client.getTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new BenchError(`sendMany reverted (${hash})`);
    const events = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    if (events.length !== count) throw new BenchError(`sendMany emitted ${events.length} messages, not ${count}`);
    return events.map((e) => ({ id: e.args.messageId.toLowerCase() as Hex, finalAt }));
  }

  /** `total` messages as fast as A takes them. */
  async burst(total: number): Promise<Sent[]> {
    const out: Sent[] = [];
    while (out.length < total) out.push(...(await this.send(Math.min(MAX_PER_TX, total - out.length))));
    return out;
  }

  /** An open-loop load of `rate` messages per second for `seconds`, sent every 100 ms. */
  async steady(rate: number, seconds: number): Promise<Sent[]> {
    const out: Sent[] = [];
    const t0 = performance.now();
    const total = Math.round(rate * seconds);
    while (out.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      let owed = due - out.length;
      while (owed > 0) {
        const n = Math.min(MAX_PER_TX, owed);
        out.push(...(await this.send(n)));
        owed -= n;
      }
      await sleep(100 - ((performance.now() - t0) % 100));
    }
    return out;
  }
}

type Stack = {
  dir: string;
  supervisor: Supervisor;
  rpcA: string;
  rpcB: string;
  gatewayA: Address;
  gatewayB: Address;
  bulkSender: Address;
  recipient: Address;
  attesterUrls: string[];
  attesterMetrics: string[];
  pids: Map<string, number>;
  attesterKeys: Hex[];
};

const fastScrypt = { n: 2 ** 10, r: 8, p: 1 };
const env = { MASKOII_KEYSTORE_PASSWORD: PASSWORD };

async function startStack(dir: string, supervisor: Supervisor): Promise<Stack> {
  const pids = new Map<string, number>();
  const [nodeA, nodeB] = await Promise.all(
    [
      { name: "chainA", chainId: A.chainId },
      { name: "chainB", chainId: B.chainId },
    ].map(({ name, chainId }) => startHardhatNode({ supervisor, name, chainId, logFile: join(dir, `${name}.log`) })),
  );
  if (nodeA === undefined || nodeB === undefined) throw new BenchError("the chains did not start");
  const [rpcA, rpcB] = [nodeA.rpcUrl, nodeB.rpcUrl];
  pids.set("chainA", nodeA.process.pid);
  pids.set("chainB", nodeB.process.pid);

  const attesters = devnetAttesters(3, "maskoii bench attester");
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const connectionA = await hre.network.create({ network: "devnetA", override: { url: rpcA } });
  const connectionB = await hre.network.create({ network: "devnetB", override: { url: rpcB } });
  const deployments = join(dir, "deployments");
  const [a, b] = await deployMaskoii({
    chains: [
      { connection: connectionA, domain: A.domain, rpcUrl: rpcA },
      { connection: connectionB, domain: B.domain, rpcUrl: rpcB },
    ],
    attesters: attesters.map((x) => x.account.address),
    weights: attesters.map(() => 1n),
    thresholdBps: 6666,
    deploymentsDir: deployments,
    freshChains: true,
  });
  const bulk = await connectionA.viem.deployContract("BulkSender", [a.contracts.gateway]);
  const recipient = await connectionB.viem.deployContract("DemoRecipient", [b.contracts.gateway, owner.address]);
  await connectionA.close();
  await connectionB.close();

  const chains = chainConfigs(rpcA, rpcB, a.contracts.gateway, b.contracts.gateway, 0, 0);
  const attesterUrls: string[] = [];
  const attesterMetrics: string[] = [];
  for (const [i, attester] of attesters.entries()) {
    const home = join(dir, `attester${i}`);
    await mkdir(home);
    await writeKeystore(
      join(home, "key.json"),
      await encryptKey("secp256k1", attester.privateKey, PASSWORD, fastScrypt),
    );
    const port = await freePort();
    await writeFile(
      join(home, "config.json"),
      JSON.stringify({
        profile: "dev",
        chains,
        store: { kind: "sqlite", path: join(home, "store.sqlite") },
        keys: { keystore: join(home, "key.json") },
        // Message signatures only for what the relayer asks for, or after 2 s: a batching relayer needs roots only.
        attester: { listen: { host: HOST, port }, pollIntervalMs: 50, messageSignDelayMs: MESSAGE_SIGN_DELAY_MS },
        log: { level: "warn" },
      }),
    );
    attesterUrls.push(`http://${HOST}:${port}`);
    attesterMetrics.push(`http://${HOST}:${port}/metrics`);
    const p = startNodeProcess({
      supervisor,
      name: `attester${i}`,
      role: "attester",
      configFile: join(home, "config.json"),
      logFile: join(dir, `attester${i}.log`),
      env,
      nodeArgs: i === 0 ? profiled("attester0") : [],
    });
    pids.set(`attester${i}`, p.pid);
  }
  for (const url of attesterUrls) {
    await waitHttpOk(`${url}/ready`, { timeoutMs: 60_000, everyMs: 250 });
  }
  return {
    dir,
    supervisor,
    rpcA,
    rpcB,
    gatewayA: a.contracts.gateway,
    gatewayB: b.contracts.gateway,
    bulkSender: bulk.address,
    recipient: recipient.address,
    attesterUrls,
    attesterMetrics,
    pids,
    attesterKeys: attesters.map((x) => x.privateKey),
  };
}

function chainConfigs(
  rpcA: string,
  rpcB: string,
  gatewayA: Address,
  gatewayB: Address,
  startA: number,
  startB: number,
) {
  return [
    {
      domain: A.domain,
      rpcUrl: rpcA,
      gateway: gatewayA,
      startBlock: startA,
      finality: { kind: "confirmations", depth: 0 },
      maxBlockRange: 100,
    },
    {
      domain: B.domain,
      rpcUrl: rpcB,
      gateway: gatewayB,
      startBlock: startB,
      finality: { kind: "confirmations", depth: 0 },
      maxBlockRange: 100,
    },
  ];
}

/** How fast the chains alone go: deliveries on B sent like the relayer sends them, and sendMany on A. */
async function measureChainAlone(stack: Stack) {
  const chainB = chainOf(B.chainId, stack.rpcB);
  const publicB = createPublicClient({ chain: chainB, transport: http(stack.rpcB) }) as PublicClient;
  const wallet = createWalletClient({ account: chainAloneAccount, chain: chainB, transport: http(stack.rpcB) });
  const [attesters] = await publicB.readContract({
    address: stack.gatewayB,
    abi: gatewayAbi,
    functionName: "getSet",
    args: [1n],
  });
  const keyOf = new Map(stack.attesterKeys.map((k) => [privateKeyToAddress(k).toLowerCase(), k]));
  const target = { domain: B.domain, verifier: addressToBytes32(stack.gatewayB), attesterSetId: 1n };
  const attest = (kind: "message" | "batch", value: Hex): Hex => {
    const digest = attestationDigest(kind, { ...target, value });
    const sigs: IndexedSignature[] = attesters.slice(0, 2).map((address, index) => {
      const key = keyOf.get(address.toLowerCase());
      if (key === undefined) throw new BenchError(`no key for attester ${address}`);
      return { index, ...signDigest(digest, key) };
    });
    return encodeAttestation(1n, sigs);
  };
  // Far above any nonce the BulkSender reaches: these deliveries never collide with the relayer's.
  let nonce = 1n << 40n;
  const message = () =>
    encodeMessage({
      nonce: nonce++,
      originDomain: A.domain,
      sender: addressToBytes32(stack.bulkSender),
      destinationDomain: B.domain,
      recipient: addressToBytes32(stack.recipient),
      payload: toHex(nonce, { size: 32 }),
    });
  const deliveries: Record<
    string,
    {
      txs: number;
      tx_per_second: number;
      messages_per_second: number;
      mean_ms: { prepare: number; estimate_gas: number; send: number; receipt: number };
    }
  > = {};
  for (const size of BATCHES) {
    const txs = Math.max(5, Math.min(40, Math.ceil(1_000 / size)));
    const phase = { prepare: 0, estimate_gas: 0, send: 0, receipt: 0 };
    let mark = 0;
    const lap = (name: keyof typeof phase) => {
      const now = performance.now();
      phase[name] += now - mark;
      mark = now;
    };
    const t0 = performance.now();
    for (let t = 0; t < txs; t++) {
      mark = performance.now();
      const messages = Array.from({ length: size }, message);
      let hash: Hex;
      if (size === 1) {
        const args = [messages[0] as Hex, attest("message", messageId(messages[0] as Hex))] as const;
        lap("prepare");
        const gas = await publicB.estimateContractGas({
          address: stack.gatewayB,
          abi: gatewayAbi,
          functionName: "deliver",
          args,
          account: chainAloneAccount,
        });
        lap("estimate_gas");
        hash = await wallet.writeContract({
          address: stack.gatewayB,
          abi: gatewayAbi,
          functionName: "deliver",
          args,
          gas,
        });
      } else {
        const ids = messages.map(messageId);
        const args = [messages, batchProofs(ids), attest("batch", batchRoot(ids))] as const;
        lap("prepare");
        const gas = await publicB.estimateContractGas({
          address: stack.gatewayB,
          abi: gatewayAbi,
          functionName: "deliverBatch",
          args,
          account: chainAloneAccount,
        });
        lap("estimate_gas");
        hash = await wallet.writeContract({
          address: stack.gatewayB,
          abi: gatewayAbi,
          functionName: "deliverBatch",
          args,
          gas,
        });
      }
      lap("send");
      const receipt = await publicB.waitForTransactionReceipt({ hash, pollingInterval: 10 });
      lap("receipt");
      if (receipt.status !== "success") throw new BenchError(`chain-alone delivery reverted (${hash})`);
    }
    const seconds = (performance.now() - t0) / 1000;
    deliveries[String(size)] = {
      txs,
      tx_per_second: round(txs / seconds, 1),
      messages_per_second: round((txs * size) / seconds, 1),
      mean_ms: {
        prepare: round(phase.prepare / txs, 1),
        estimate_gas: round(phase.estimate_gas / txs, 1),
        send: round(phase.send / txs, 1),
        receipt: round(phase.receipt / txs, 1),
      },
    };
    log(
      `  chain B alone, ${size === 1 ? "deliver" : `deliverBatch(${size})`}: ${deliveries[String(size)]?.tx_per_second} tx/s = ${deliveries[String(size)]?.messages_per_second} msg/s`,
    );
  }
  return deliveries;
}

async function scrape(urls: readonly string[]): Promise<string[]> {
  return Promise.all(urls.map(async (u) => (await fetch(u)).text()));
}

/** Seconds and count per stage between two scrapes of the same endpoints. */
function stageDelta(before: readonly string[], after: readonly string[]) {
  const out: Record<string, { count: number; seconds: number }> = {};
  for (const [i, text] of after.entries()) {
    const b = histogramTotals(before[i] ?? "", "maskoii_stage_seconds");
    for (const [labels, v] of histogramTotals(text, "maskoii_stage_seconds")) {
      const stage = /stage="([^"]+)"/.exec(labels)?.[1] ?? labels;
      const prev = b.get(labels) ?? { sum: 0, count: 0 };
      const entry = out[stage] ?? { count: 0, seconds: 0 };
      entry.count += v.count - prev.count;
      entry.seconds += v.sum - prev.sum;
      out[stage] = entry;
    }
  }
  return Object.fromEntries(
    Object.entries(out).map(([stage, v]) => [
      stage,
      { count: v.count, seconds: round(v.seconds, 3), mean_ms: round((v.seconds / Math.max(1, v.count)) * 1000, 2) },
    ]),
  );
}

async function runBatchSize(
  stack: Stack,
  size: number,
  watcher: DeliveryWatcher,
  loaderA: Loader,
  publicA: PublicClient,
  publicB: PublicClient,
) {
  const home = join(stack.dir, `relayer-${size}`);
  await mkdir(home);
  const relayerKey = `0x${Buffer.from(relayerAccount.getHdKey().privateKey ?? []).toString("hex")}` as Hex;
  await writeKeystore(join(home, "key.json"), await encryptKey("secp256k1", relayerKey, PASSWORD, fastScrypt));
  const metricsPort = await freePort();
  const startA = Number(await publicA.getBlockNumber({ cacheTime: 0 })) + 1;
  const startB = Number(await publicB.getBlockNumber({ cacheTime: 0 })) + 1;
  await writeFile(
    join(home, "config.json"),
    JSON.stringify({
      // Local chains: finality depth 0 / Solana "confirmed" need the dev profile (config.ts).
      profile: "dev",
      chains: chainConfigs(stack.rpcA, stack.rpcB, stack.gatewayA, stack.gatewayB, startA, startB),
      store: { kind: "sqlite", path: join(home, "store.sqlite") },
      keys: { keystore: join(home, "key.json") },
      relayer: {
        attesters: stack.attesterUrls,
        pollIntervalMs: 20,
        retry: { baseMs: 200, maxMs: 2_000, maxAttempts: 20 },
        maxBatchSize: size,
        metrics: { host: HOST, port: metricsPort },
      },
      log: { level: "warn" },
    }),
  );
  const supervisor = new Supervisor();
  supervisors.push(supervisor);
  const relayer = startNodeProcess({
    supervisor,
    name: "relayer",
    role: "relayer",
    configFile: join(home, "config.json"),
    logFile: join(stack.dir, `relayer-${size}.log`),
    env,
    nodeArgs: profiled(`relayer-${size}`),
  });
  const relayerMetrics = `http://${HOST}:${metricsPort}/metrics`;
  const allMetrics = [relayerMetrics, ...stack.attesterMetrics];
  try {
    await waitHttpOk(relayerMetrics, { timeoutMs: 60_000, everyMs: 250 });
    const waitDelivered = async (sent: readonly Sent[], what: string) =>
      until(what, async () => (sent.every((s) => watcher.seen.has(s.id)) ? true : undefined), {
        timeoutMs: 600_000,
        everyMs: 50,
      });

    // 1. capacity: drain a backlog.
    const backlog = BACKLOG[size] ?? 1_000;
    const burst = await loaderA.burst(backlog);
    await waitDelivered(burst, `the backlog of ${backlog} (batch ${size})`);
    const firstFinal = Math.min(...burst.map((s) => s.finalAt));
    const lastSeen = Math.max(...burst.map((s) => watcher.seen.get(s.id) ?? 0));
    const capacity = backlog / ((lastSeen - firstFinal) / 1000);
    log(`  batch ${size}: capacity ${capacity.toFixed(0)} msg/s (backlog of ${backlog})`);

    // 2. sustained: open-loop load below capacity.
    const rate = Math.max(1, Math.min(MAX_RATE, Math.floor(0.85 * capacity)));
    const pids = new Map([["relayer", relayer.pid], ...stack.pids]);
    const sampler = new ProcessSampler(pids);
    const before = await scrape(allMetrics);
    sampler.start();
    const t0 = performance.now();
    const sent = await loaderA.steady(rate, SECONDS);
    await waitDelivered(sent, `the sustained load (batch ${size})`);
    const processes = sampler.stop();
    const after = await scrape(allMetrics);
    const wall = (performance.now() - t0) / 1000;
    const latencies = sent.map((s) => (watcher.seen.get(s.id) ?? Number.NaN) - s.finalAt);
    const first = Math.min(...sent.map((s) => s.finalAt));
    const last = Math.max(...sent.map((s) => watcher.seen.get(s.id) ?? 0));
    const achieved = sent.length / ((last - first) / 1000);
    const stagesRelayer = stageDelta([before[0] ?? ""], [after[0] ?? ""]);
    const stagesAttesters = stageDelta(before.slice(1), after.slice(1));
    await supervisor.stopAll();

    // Per message, from the relayer's own records (its store, read once it has stopped).
    const store = await openStore({ kind: "sqlite", path: join(home, "store.sqlite") });
    const observe: number[] = [];
    const quorum: number[] = [];
    const deliver: number[] = [];
    const seenOnChain: number[] = [];
    let txs = new Set<string>();
    try {
      for (const s of sent) {
        const d = await store.getDelivery(s.id);
        if (d === undefined || d.deliveredAt === null) continue;
        observe.push(d.firstSeenAt - s.finalAt);
        if (d.quorumAt !== null) {
          quorum.push(d.quorumAt - d.firstSeenAt);
          deliver.push(d.deliveredAt - d.quorumAt);
        }
        seenOnChain.push((watcher.seen.get(s.id) ?? d.deliveredAt) - d.deliveredAt);
        if (d.txHash !== null) txs.add(d.txHash);
      }
      const counts = await store.countDeliveries();
      if (counts.failed > 0) throw new BenchError(`${counts.failed} deliveries failed (batch ${size})`);
    } finally {
      await store.close();
    }
    const txCount = txs.size;
    txs = new Set();
    const result = {
      batch_size: size,
      capacity_messages_per_second: round(capacity, 1),
      sustained: {
        offered_messages_per_second: rate,
        messages: sent.length,
        seconds: round(wall, 2),
        messages_per_second: round(achieved, 1),
        p50_latency_ms: percentile(latencies, 50),
        p95_latency_ms: percentile(latencies, 95),
        p99_latency_ms: percentile(latencies, 99),
        max_latency_ms: Math.max(...latencies),
        delivery_transactions: txCount,
        messages_per_transaction: round(sent.length / Math.max(1, txCount), 1),
      },
      where_the_time_goes_ms: {
        note: "per message, means: final on A -> relayer saw it final (its watcher) -> quorum attestation in hand -> delivery mined (relayer's store) -> bench saw the MessageDelivered log",
        final_to_relayer_observed: round(mean(observe), 1),
        observed_to_quorum: round(mean(quorum), 1),
        quorum_to_delivered: round(mean(deliver), 1),
        delivered_to_seen_on_chain: round(mean(seenOnChain), 1),
        p95: {
          final_to_relayer_observed: percentile(observe, 95),
          observed_to_quorum: percentile(quorum, 95),
          quorum_to_delivered: percentile(deliver, 95),
        },
      },
      stages: { relayer: stagesRelayer, attesters: stagesAttesters },
      processes,
    };
    log(
      `  batch ${size}: sustained ${result.sustained.messages_per_second} msg/s (offered ${rate}), p50 ${result.sustained.p50_latency_ms} ms, p95 ${result.sustained.p95_latency_ms} ms, relayer CPU ${processes.relayer?.cpu_cores} cores, RSS ${processes.relayer?.rss_mib_peak} MiB`,
    );
    return result;
  } finally {
    await supervisor.stopAll();
  }
}

/** Every supervisor of the run, so that Ctrl-C stops their process groups too. */
const supervisors: Supervisor[] = [];
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const s of supervisors) s.killAllSync();
    process.exit(130);
  });
}

async function main() {
  // Other work on the machine skews every figure: recorded next to them.
  const loadAtStart = loadavg()[0] ?? 0;
  const dir = await mkdtemp(join(tmpdir(), "maskoii-bench-relayer-"));
  const supervisor = new Supervisor();
  supervisors.push(supervisor);
  try {
    log("starting two hardhat nodes, deploying, starting 3 attesters ...");
    const stack = await startStack(dir, supervisor);
    const publicA = createPublicClient({
      chain: chainOf(A.chainId, stack.rpcA),
      transport: http(stack.rpcA),
    }) as PublicClient;
    const publicB = createPublicClient({
      chain: chainOf(B.chainId, stack.rpcB),
      transport: http(stack.rpcB),
    }) as PublicClient;

    log("the chains alone:");
    const chainAlone = await measureChainAlone(stack);
    const fee = await publicA.readContract({
      address: stack.bulkSender,
      abi: bulkSenderAbi,
      functionName: "quote",
      args: [B.domain, 1n],
    });
    const loaderA = new Loader(publicA, stack.bulkSender, addressToBytes32(stack.recipient), fee);
    {
      const t0 = performance.now();
      const sent = await loaderA.burst(MAX_PER_TX * 8);
      const seconds = (performance.now() - t0) / 1000;
      (chainAlone as Record<string, unknown>).sendMany_A = {
        messages_per_transaction: MAX_PER_TX,
        messages_per_second: round(sent.length / seconds, 1),
      };
      log(`  chain A alone, sendMany(${MAX_PER_TX}): ${round(sent.length / seconds, 1)} msg/s`);
    }

    const watcher = new DeliveryWatcher(publicB, stack.gatewayB);
    await watcher.start();
    const runs = [];
    try {
      for (const size of BATCHES) {
        log(`batch size ${size}:`);
        runs.push(await runBatchSize(stack, size, watcher, loaderA, publicA, publicB));
      }
    } finally {
      await watcher.stop();
    }
    if (watcher.duplicates.length > 0)
      throw new BenchError(`delivered twice: ${watcher.duplicates.slice(0, 3).join(", ")}`);

    const best = runs.reduce((a, b) => (b.sustained.messages_per_second > a.sustained.messages_per_second ? b : a));
    const result = {
      bench: "relayer",
      command: "npm run bench:relayer",
      machine: {
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model ?? "unknown",
        memory_gib: round(totalmem() / 2 ** 30, 1),
        node: process.version,
        note: "one shared machine: both hardhat nodes, three attesters, the relayer and the load generator",
        load_average_1m: { start: round(loadAtStart, 2), end: round(loadavg()[0] ?? 0, 2) },
      },
      setup: {
        attesters: "3 maskoii attester processes, weights 1/1/1, threshold 6666 bps (2 of 3)",
        attester_message_sign_delay_ms: MESSAGE_SIGN_DELAY_MS,
        relayer: "1 maskoii relayer process per batch size, fresh embedded SQLite store",
        finality: "0 confirmations on A (final = mined); latency is measured from that moment",
        sustained_seconds: SECONDS,
      },
      target: TARGET,
      messages_per_second: best.sustained.messages_per_second,
      p50_latency_ms: best.sustained.p50_latency_ms,
      p95_latency_ms: best.sustained.p95_latency_ms,
      best_batch_size: best.batch_size,
      meets_target:
        best.sustained.messages_per_second >= TARGET.messages_per_second &&
        best.sustained.p95_latency_ms < TARGET.p95_latency_ms,
      batch_sizes: Object.fromEntries(runs.map((r) => [String(r.batch_size), r])),
      chain_alone: chainAlone,
    };
    mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    log(
      `best sustained: ${result.messages_per_second} msg/s at batch ${best.batch_size}, p50 ${result.p50_latency_ms} ms, p95 ${result.p95_latency_ms} ms -> ${RESULTS}`,
    );
  } finally {
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
