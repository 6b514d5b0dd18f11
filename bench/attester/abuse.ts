// `npm run bench:attester-abuse`: an attester node under 10,000 hostile requests, next to an honest relayer.
//
// Real processes and stores: two `hardhat node` chains (A = domain 1001 / 31337, B = 1002 / 31338), maskoii deployed
// by scripts/deploy.ts with this node as the only attester, and one `maskoii attester` process with its PGlite store
// on disk, relayer authentication on (`attester.auth`), the Koii task route (`/koii/evidence`) and the default abuse
// limits. A first set of messages is delivered (an in-process relayer) so that the node knows them closed; the rest
// stays open.
//
// The honest client is a relayer (AttesterClient, its key on the allow-list, its own address 127.0.0.1) asking for a
// fresh batch root of 8 open messages 4 times a second: each answer is a new signature; when the node refuses a new
// root (its messages are already in maxBatchesPerMessage roots), it asks for their message signatures instead, as the
// relayer does, and the latency is that of both requests. Its latency is measured alone
// (baseline), then under attack. The attack: 10,000 requests, 64 in flight, from other loopback addresses, in six
// kinds: oversized bodies, malformed JSON, POST /batches with subsets and permutations of observed ids (some closed),
// POST /signatures with `sign: true` over up to 512 ids, POST /koii/evidence with distinct entries for one real
// signature, and unauthenticated requests (no headers, a forged signature, a stale timestamp). The kinds that need
// authentication come from 8 "rogue" relayer keys that ARE on the allow-list (a compromised relayer: the worst case
// auth leaves), each on its own address.
//
// Figures: the attester's RSS before / during (mean, peak) / after, its store's size on disk before / after, the
// honest p50/p95 latency alone and under attack, and the count of each response status. Printed and written to
// bench/results/attester-abuse.json. A benchmark, not a test (not in `npm test`); it fails only if the honest client
// is refused or the node dies. Environment: ABUSE_REQUESTS (default 10000), ABUSE_CONCURRENCY (default 64).
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  encryptKey,
  generatePrivateKey,
  koiiPublicKeyOf,
  RelayerRequestSigner,
  silentLogger,
  writeKeystore,
} from "@maskoii/node-kit";
import { AttesterClient, parseConfig, resolveChains, startRelayer } from "@maskoii/relayer";
import { gatewayAbi } from "@maskoii/sdk";
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
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  pad,
  parseEventLogs,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { A, B, HOST, MNEMONIC, PASSWORD, ROOT, resultsFile } from "../common.ts";
import { mean, percentile, round, rssMiB } from "../relayer/measure.ts";

const RESULTS = resultsFile("attester-abuse");
const REQUESTS = Number(process.env.ABUSE_REQUESTS ?? 10_000);
const CONCURRENCY = Number(process.env.ABUSE_CONCURRENCY ?? 64);
/** Messages delivered before the attack (closed on the node) and left open. */
const CLOSED = 40;
const OPEN = 400;
const ROGUES = 8;
const HONEST_RATE = 4;
const HONEST_BATCH = 8;
const BASELINE_REQUESTS = 40;
const RECIPIENT = pad("0x000000000000000000000000000000000000bEEF", { size: 32 });

const user = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
const relayerAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });

class BenchError extends Error {
  override readonly name = "BenchError";
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Bytes under `path` (files only, recursively). */
function diskBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += diskBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

const chainOf = (id: number, rpc: string) =>
  defineChain({
    id,
    name: `c${id}`,
    nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });

function privateKeyOf(account: ReturnType<typeof mnemonicToAccount>): Hex {
  return `0x${Buffer.from(account.getHdKey().privateKey ?? []).toString("hex")}`;
}

/** One hostile request over its own address's keep-alive agent: the status, or the network error's code. */
type Hostile = { kind: string; address: string; path: string; body: string; headers?: Record<string, string> };

const agents = new Map<string, Agent>();
function agentFor(address: string): Agent {
  let agent = agents.get(address);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, localAddress: address });
    agents.set(address, agent);
  }
  return agent;
}

function send(url: string, h: Hostile): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      `${url}${h.path}`,
      {
        method: "POST",
        agent: agentFor(h.address),
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(h.body), ...h.headers },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(String(res.statusCode ?? 0)));
        res.on("error", () => resolve(String(res.statusCode ?? "error")));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (error: NodeJS.ErrnoException) => resolve(`error:${error.code ?? error.message}`));
    req.end(h.body);
  });
}

/** A deterministic pseudo-random source (the attack is the same on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const dir = await mkdtemp(join(tmpdir(), "maskoii-attester-abuse-"));
  const supervisor = new Supervisor();
  try {
    // -- chains and contracts ------------------------------------------------------------------------------------
    const [nodeA, nodeB] = await Promise.all(
      [
        { name: "chainA", chainId: A.chainId },
        { name: "chainB", chainId: B.chainId },
      ].map(({ name, chainId }) => startHardhatNode({ supervisor, name, chainId, logFile: join(dir, `${name}.log`) })),
    );
    if (nodeA === undefined || nodeB === undefined) throw new BenchError("the chains did not start");
    const [rpcA, rpcB] = [nodeA.rpcUrl, nodeB.rpcUrl];
    const [attester] = devnetAttesters(1, "maskoii abuse bench attester");
    if (attester === undefined) throw new BenchError("no attester key");
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    const connectionA = await hre.network.create({ network: "devnetA", override: { url: rpcA } });
    const connectionB = await hre.network.create({ network: "devnetB", override: { url: rpcB } });
    const deployments = join(dir, "deployments");
    const [a, b] = await deployMaskoii({
      chains: [
        { connection: connectionA, domain: A.domain, rpcUrl: rpcA },
        { connection: connectionB, domain: B.domain, rpcUrl: rpcB },
      ],
      attesters: [attester.account.address],
      weights: [1n],
      thresholdBps: 10_000,
      deploymentsDir: deployments,
      freshChains: true,
    });
    await connectionA.close();
    await connectionB.close();
    if (a === undefined || b === undefined) throw new BenchError("deployment failed");
    const chains = [
      { domain: A.domain, rpcUrl: rpcA, gateway: a.contracts.gateway, startBlock: 0 },
      { domain: B.domain, rpcUrl: rpcB, gateway: b.contracts.gateway, startBlock: 0 },
    ].map((c) => ({ ...c, finality: { kind: "confirmations", depth: 0 }, pollIntervalMs: 200 }));

    // -- identities: the honest relayer, the rogue (allow-listed) relayers, the node's own Koii key ----------------
    const honestKey = generatePrivateKey("ed25519");
    const rogueKeys = Array.from({ length: ROGUES }, () => generatePrivateKey("ed25519"));
    const nodeIdentity = generatePrivateKey("ed25519");
    const fast = { n: 2 ** 10, r: 8, p: 1 };
    const home = join(dir, "attester");
    const dataDir = join(home, "db");
    await mkdir(home);
    await writeKeystore(join(home, "key.json"), await encryptKey("secp256k1", attester.privateKey, PASSWORD, fast));
    await writeKeystore(join(home, "identity.json"), await encryptKey("ed25519", nodeIdentity, PASSWORD, fast));
    const port = await freePort();
    const url = `http://${HOST}:${port}`;
    await writeFile(
      join(home, "config.json"),
      JSON.stringify({
        profile: "dev",
        chains,
        store: { kind: "pglite", dataDir },
        keys: { keystore: join(home, "key.json"), identityKeystore: join(home, "identity.json") },
        attester: {
          listen: { host: HOST, port },
          pollIntervalMs: 200,
          auth: { relayers: [honestKey, ...rogueKeys].map(koiiPublicKeyOf) },
        },
        koii: {
          taskId: "abuse-bench",
          genesisMs: Date.now(),
          roundMs: 60_000,
          submissionMs: 10_000,
          auditMs: 10_000,
          nodes: [{ koiiPublicKey: koiiPublicKeyOf(nodeIdentity), stake: "1000" }],
          rewardPerRound: "0",
        },
        log: { level: "warn" },
      }),
    );
    const node = startNodeProcess({
      supervisor,
      name: "attester",
      role: "attester",
      configFile: join(home, "config.json"),
      logFile: join(dir, "attester.log"),
      env: { MASKOII_KEYSTORE_PASSWORD: PASSWORD },
    });
    await waitHttpOk(`${url}/ready`, { timeoutMs: 120_000 });

    // -- messages: CLOSED delivered (by an in-process relayer), OPEN left open ----------------------------------
    const publicA = createPublicClient({ chain: chainOf(A.chainId, rpcA), transport: http(rpcA) }) as PublicClient;
    const wallet = createWalletClient({ account: user, chain: chainOf(A.chainId, rpcA), transport: http(rpcA) });
    const fee = await publicA.readContract({
      address: a.contracts.gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [B.domain, 2n],
    });
    const sendMessages = async (count: number): Promise<Hex[]> => {
      const ids: Hex[] = [];
      for (let i = 0; i < count; i++) {
        const hash = await wallet.writeContract({
          address: a.contracts.gateway,
          abi: gatewayAbi,
          functionName: "send",
          args: [B.domain, RECIPIENT, "0xabcd"],
          value: fee,
        });
        const receipt = await publicA.getTransactionReceipt({ hash });
        const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
        if (sent === undefined) throw new BenchError("no MessageSent");
        ids.push(sent.args.messageId.toLowerCase() as Hex);
      }
      return ids;
    };
    const observedAll = (ids: readonly Hex[]) =>
      until(
        `the node observed ${ids.length} messages`,
        async () => {
          const client = new AttesterClient([url], 30_000, { signer: new RelayerRequestSigner(honestKey) });
          const [answer] = await client.signaturesMany(ids);
          return answer?.ok === true && ids.every((id) => answer.results.get(id)?.observed) ? true : undefined;
        },
        { timeoutMs: 120_000 },
      );
    log(`sending ${CLOSED} messages to close and ${OPEN} to leave open`);
    const closed = await sendMessages(CLOSED);
    await observedAll(closed);
    const config = await resolveChains(
      parseConfig({
        profile: "dev",
        chains,
        store: { kind: "pglite", dataDir: "memory://" },
        keys: { keystore: "unused.json" },
        relayer: { attesters: [url], pollIntervalMs: 200, maxBatchSize: 16 },
      }),
      dir,
    );
    const relayer = await startRelayer({
      config,
      payingKey: { kind: "secp256k1", privateKey: privateKeyOf(relayerAccount), publicId: relayerAccount.address },
      identityKey: { kind: "ed25519", privateKey: honestKey, publicId: koiiPublicKeyOf(honestKey) },
      log: silentLogger(),
    });
    await until(
      "the first messages delivered",
      async () => ((await relayer.store.countDeliveries()).delivered === CLOSED ? true : undefined),
      { timeoutMs: 120_000 },
    );
    await relayer.stop();
    const open = await sendMessages(OPEN);
    await observedAll(open);
    // The node closes delivered messages in its loop: wait until a batch of one of them is refused as closed.
    const honest = new AttesterClient([url], 30_000, { signer: new RelayerRequestSigner(honestKey) });
    await until(
      "the node knows the first messages delivered",
      async () => {
        const [answer] = await honest.batch(B.domain, [closed[CLOSED - 1] as Hex]);
        return answer?.ok === false && answer.error.includes("closed") ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // A real signature of the node (over an open message), for the evidence spam.
    const [own] = await honest.signaturesMany([open[0] as Hex], { sign: true });
    const realSignature = own?.ok === true ? own.results.get(open[0] as Hex)?.signatures[0] : undefined;
    if (realSignature === undefined) throw new BenchError("the node served no signature to replay as evidence");
    await sleep(3_000);

    // -- measurements ---------------------------------------------------------------------------------------------
    const rssSamples: number[] = [];
    const rssNow = () => {
      const v = rssMiB(node.pid);
      if (v === undefined) throw new BenchError("the attester process is gone");
      return v;
    };
    const before = { rss_mib: round(rssNow(), 1), db_bytes: diskBytes(dataDir) };
    log(`before: RSS ${before.rss_mib} MiB, store ${(before.db_bytes / 2 ** 20).toFixed(1)} MiB`);

    /** Honest requests: a fresh window of open ids each time, so every answer is a new signature. */
    let window = 1;
    const honestStatuses = new Map<string, number>();
    const honestCall = async (): Promise<number> => {
      const start = (window++ * 3) % (OPEN - HONEST_BATCH);
      const ids = open.slice(start + 1, start + 1 + HONEST_BATCH);
      // Rotate the order too: every request names a batch root the node has not signed yet.
      const rotated = [...ids.slice(window % HONEST_BATCH), ...ids.slice(0, window % HONEST_BATCH)];
      const t0 = performance.now();
      const [answer] = await honest.batch(B.domain, rotated);
      let status = answer?.ok === true ? "batch root" : (answer?.error ?? "no answer");
      // As the relayer does: a root refused (its messages already in maxBatchesPerMessage roots) -> message signatures.
      if (answer?.ok === false && answer.error.includes("batch roots")) {
        const [fallback] = await honest.signaturesMany(rotated, { sign: true });
        const all =
          fallback?.ok === true && rotated.every((id) => (fallback.results.get(id)?.signatures.length ?? 0) > 0);
        status = all ? "message signatures" : fallback?.ok === false ? fallback.error : "message signatures missing";
      }
      const ms = performance.now() - t0;
      honestStatuses.set(status, (honestStatuses.get(status) ?? 0) + 1);
      return ms;
    };
    const honestLoop = async (stop: () => boolean, maxRequests = Number.POSITIVE_INFINITY) => {
      const latencies: number[] = [];
      const t0 = performance.now();
      while (!stop() && latencies.length < maxRequests) {
        latencies.push(await honestCall());
        const due = t0 + (latencies.length * 1_000) / HONEST_RATE;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      return latencies;
    };

    log(`baseline: ${BASELINE_REQUESTS} honest batch signatures at ${HONEST_RATE}/s`);
    const baseline = await honestLoop(() => false, BASELINE_REQUESTS);

    // -- the attack -----------------------------------------------------------------------------------------------
    const random = rng(0xabad1dea);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const observed = [...closed, ...open];
    const rogueAddress = (r: number) => `127.0.0.${10 + r}`;
    const strangerAddress = (k: number) => `127.0.0.${30 + (k % 8)}`;
    const signedBy = (r: number, path: string, body: string) =>
      new RelayerRequestSigner(rogueKeys[r] as Hex).headers("POST", `${url}${path}`, body);
    const subset = (size: number, withClosed: boolean): Hex[] => {
      const pool = withClosed ? observed : open;
      const out = new Set<Hex>();
      while (out.size < Math.min(size, pool.length)) out.add(pick(pool));
      if (withClosed) out.add(pick(closed));
      return [...out];
    };
    const kinds = ["oversized", "malformed-json", "batch-subsets", "sign-flood", "evidence-spam", "unauthenticated"];
    const hostile = (i: number): Hostile => {
      const kind = kinds[i % kinds.length] as string;
      const r = i % ROGUES;
      switch (kind) {
        case "oversized": {
          const body = JSON.stringify({ destination: B.domain, messageIds: [open[0]], pad: "x".repeat(80 * 1024) });
          return { kind, address: strangerAddress(i), path: "/batches", body };
        }
        case "malformed-json": {
          const body = `{"messageIds": ["${open[1]}", ${"[".repeat(1 + (i % 50))}`;
          return {
            kind,
            address: rogueAddress(r),
            path: "/signatures",
            body,
            headers: signedBy(r, "/signatures", body),
          };
        }
        case "batch-subsets": {
          const size = 1 + Math.floor(random() * (random() < 0.5 ? 16 : 255));
          const body = JSON.stringify({ destination: B.domain, messageIds: subset(size, random() < 0.25) });
          return { kind, address: rogueAddress(r), path: "/batches", body, headers: signedBy(r, "/batches", body) };
        }
        case "sign-flood": {
          const ids = subset(256 + Math.floor(random() * 256), false).slice(0, 512);
          const body = JSON.stringify({ messageIds: ids, sign: true });
          return {
            kind,
            address: rogueAddress(r),
            path: "/signatures",
            body,
            headers: signedBy(r, "/signatures", body),
          };
        }
        case "evidence-spam": {
          // One real signature, distinct entries: another requested id, other messageIds, reason and claimed signer.
          const body = JSON.stringify({
            source: `http://spam-${i}.invalid`,
            requested: pick(observed),
            reason: pick(["off-topic", "signer-mismatch"]),
            claim: { ...realSignature, messageIds: subset(1 + (i % 8), false) },
          });
          return {
            kind,
            address: rogueAddress(r),
            path: "/koii/evidence",
            body,
            headers: signedBy(r, "/koii/evidence", body),
          };
        }
        default: {
          const path = pick(["/batches", "/signatures", "/koii/evidence"]);
          const body = JSON.stringify({ destination: B.domain, messageIds: subset(8, false) });
          const variant = Math.floor(i / kinds.length) % 3;
          const headers =
            variant === 0
              ? {}
              : variant === 1
                ? { ...signedBy(r, path, "{}") } // signed over another body: does not verify
                : new RelayerRequestSigner(generatePrivateKey("ed25519")).headers("POST", `${url}${path}`, body);
          return { kind, address: strangerAddress(i), path, body, headers };
        }
      }
    };

    log(`attack: ${REQUESTS} hostile requests, ${CONCURRENCY} in flight, with the honest client alongside`);
    const statuses = new Map<string, Map<string, number>>();
    let next = 0;
    let attacking = true;
    const attackStart = performance.now();
    const sampler = setInterval(() => {
      const v = rssMiB(node.pid);
      if (v !== undefined) rssSamples.push(v);
    }, 100);
    const honestUnderAttack = honestLoop(() => !attacking);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= REQUESTS) return;
          const h = hostile(i);
          const status = await send(url, h);
          const byKind = statuses.get(h.kind) ?? new Map<string, number>();
          byKind.set(status, (byKind.get(status) ?? 0) + 1);
          statuses.set(h.kind, byKind);
        }
      }),
    );
    const attackSeconds = (performance.now() - attackStart) / 1000;
    attacking = false;
    const underAttack = await honestUnderAttack;
    clearInterval(sampler);
    for (const agent of agents.values()) agent.destroy();
    log(`attack done in ${attackSeconds.toFixed(1)} s; settling 10 s`);
    await sleep(10_000);
    const after = { rss_mib: round(rssNow(), 1), db_bytes: diskBytes(dataDir) };
    const koiiStatus = (await (await fetch(`${url}/koii/status`)).json()) as { evidence?: unknown };

    const total = new Map<string, number>();
    for (const byKind of statuses.values()) for (const [s, n] of byKind) total.set(s, (total.get(s) ?? 0) + n);
    const latency = (xs: readonly number[]) => ({
      requests: xs.length,
      p50_ms: round(percentile(xs, 50), 1),
      p95_ms: round(percentile(xs, 95), 1),
      max_ms: round(Math.max(...xs), 1),
    });
    const result = {
      bench: "attester-abuse",
      command: "nice -n 10 npm run bench:attester-abuse",
      machine: {
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model ?? "unknown",
        memory_gib: round(totalmem() / 2 ** 30, 1),
        node: process.version,
        note: "one shared machine: both hardhat nodes, the attester, the honest client and the attack",
        load_average_1m: { start: round(loadAtStart, 2), end: round(loadavg()[0] ?? 0, 2) },
      },
      setup: {
        attester: "1 maskoii attester process, PGlite on disk, attester.auth on, default attester.limits, Koii task on",
        messages: { closed: CLOSED, open: OPEN },
        honest: `1 allow-listed relayer on 127.0.0.1: POST /batches of ${HONEST_BATCH} open ids (a new root each time) at ${HONEST_RATE}/s; a refused root -> POST /signatures sign:true for the 8`,
        attack: `${REQUESTS} requests, ${CONCURRENCY} in flight; ${ROGUES} allow-listed rogue relayer keys on 127.0.0.10-${9 + ROGUES}, unauthenticated ones on 127.0.0.30-37`,
      },
      attack_seconds: round(attackSeconds, 1),
      rss_mib: {
        before: before.rss_mib,
        during_mean: round(mean(rssSamples), 1),
        during_peak: round(Math.max(...rssSamples), 1),
        after: after.rss_mib,
      },
      store_bytes: { before: before.db_bytes, after: after.db_bytes, growth: after.db_bytes - before.db_bytes },
      evidence_stored: koiiStatus.evidence ?? null,
      honest_latency: { baseline: latency(baseline), under_attack: latency(underAttack) },
      honest_answers: Object.fromEntries(honestStatuses),
      hostile_statuses: Object.fromEntries([...total].sort()),
      hostile_statuses_by_kind: Object.fromEntries(
        [...statuses].map(([kind, byKind]) => [kind, Object.fromEntries([...byKind].sort())]),
      ),
    };
    mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    log(JSON.stringify(result, null, 2));
    const refused = [...honestStatuses.keys()].filter((s) => s !== "batch root" && s !== "message signatures");
    if (refused.length > 0) throw new BenchError(`the honest client was refused: ${refused.join("; ")}`);
  } finally {
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
