// The e2e stack: real processes on 127.0.0.1. Two `hardhat node` chains (A = domain 1001, B = 1002), maskoii deployed
// and linked by scripts/deploy.ts (plus a DemoRecipient per chain), N attester nodes and one relayer, each a `maskoii`
// CLI process with its own keystore, config and PGlite store. Optionally a fault proxy per chain in front of the
// relayer's and/or the attesters' RPC. `stop()` leaves no process behind (and throws if one survives SIGKILL).
//
// Extension points: a Solana chain is another `ChainHandle` (chains.ts) added to `chains`; a PostgreSQL store is
// another `store` entry in `nodeStore()`; a second relayer is another `MaskoiiNode` with role "relayer".
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, getAddress, type Hex } from "viem";
import { type Account, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { type Attester, compareAddresses, devnetAttesterKey } from "../../scripts/lib/keys.ts";
import { groupAlive, Supervisor } from "../../scripts/lib/processes.ts";
import {
  type ChainHandle,
  EvmChain,
  type Finality,
  HOST,
  localRpcBinary,
  ROOT,
  SolanaChain,
  startEvmChain,
  startSolanaChain,
} from "./chains.ts";
import { FaultProxy } from "./fault-proxy.ts";
import { MaskoiiNode } from "./nodes.ts";
import { freePort, until } from "./wait.ts";

const FIXTURE = join(ROOT, "test", "lib", "deploy-fixture.ts");
/** Hardhat's default accounts: #0 deploys and owns, #1 is the user, #2 pays for deliveries. */
const MNEMONIC = "test test test test test test test test test test test junk";

/** Addresses of one chain's deployment. */
export type Contracts = {
  domain: number;
  gateway: Address;
  tokenBridge: Address;
  demoToken: Address;
  bridgedToken: Address;
  demoRecipient: Address;
};

export type RelayerSettings = {
  maxBatchSize: number;
  pollIntervalMs: number;
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
  requestTimeoutMs: number;
};

export type StackOptions = {
  /** Names the temp directory and derives the attester keys. */
  label: string;
  /** Members of attester set 1 (weight 1 each), default 3. */
  attesters?: number;
  /** Extra attester keys, not in set 1, with a node each but not started (rotation brings them in). */
  spareAttesters?: number;
  thresholdBps?: number;
  /** Finality and interval mining of chain A (the origin in most tests) and B. */
  chainA?: { finality?: Finality; blockTimeMs?: number };
  chainB?: { finality?: Finality; blockTimeMs?: number };
  relayer?: Partial<RelayerSettings>;
  /** A fault proxy per chain in front of the relayer's RPC, and/or (one shared per chain) the attesters'. */
  proxies?: { relayer?: boolean; attesters?: boolean };
  /**
   * Also start the local Solana endpoint as domain 1003 (needs MASKOII_LOCAL_RPC). The maskoii processes do not serve
   * it until the relayer has a Solana adapter (see SolanaChain); tests can already use it directly.
   */
  solana?: boolean;
  /** Start the relayer with the stack (default true). */
  startRelayer?: boolean;
  /** Keep the temp directory after stop() (to read logs of a failed run). */
  keepDir?: boolean;
};

export type AttesterNode = MaskoiiNode & { readonly key: Attester; readonly url: string };

function runFixture(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`deploy fixture exited ${code}:\n${output}`));
    });
  });
}

export class Stack {
  readonly supervisor = new Supervisor();
  readonly options: StackOptions;
  dir = "";
  /** By domain. */
  readonly chains = new Map<number, ChainHandle>();
  readonly contracts = new Map<number, Contracts>();
  readonly attesters: AttesterNode[] = [];
  relayer!: MaskoiiNode;
  relayerMetricsUrl = "";
  relayerSettings: RelayerSettings;
  /** Fault proxies by role and domain (when asked for). */
  readonly proxies = { relayer: new Map<number, FaultProxy>(), attesters: new Map<number, FaultProxy>() };
  /** Attester endpoints the relayer asks (replace one to put a byzantine endpoint in its place). */
  relayerAttesterUrls: string[] = [];
  /** Processes that exited without the test stopping them. */
  readonly unexpectedExits: Array<{ name: string; code: number | NodeJS.Signals }> = [];
  readonly owner: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  readonly user: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
  readonly relayerAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
  readonly #exitHook = () => this.supervisor.killAllSync();

  constructor(options: StackOptions) {
    this.options = options;
    this.relayerSettings = {
      maxBatchSize: 4,
      pollIntervalMs: 150,
      retry: { baseMs: 200, maxMs: 2_000, maxAttempts: 100 },
      // Generous: the machine is small and shared; a slow answer must not look like a missing attester.
      requestTimeoutMs: 5_000,
      ...options.relayer,
    };
  }

  /** Starts everything; on failure stops what was started and rethrows. */
  static async start(options: StackOptions): Promise<Stack> {
    const stack = new Stack(options);
    try {
      await stack.up();
    } catch (error) {
      await stack.stop().catch(() => {});
      throw error;
    }
    return stack;
  }

  evm(domain: number): EvmChain {
    const chain = this.chains.get(domain);
    if (!(chain instanceof EvmChain)) throw new Error(`domain ${domain} is not an EVM chain of this stack`);
    return chain;
  }

  get a(): EvmChain {
    return this.evm(1001);
  }

  get b(): EvmChain {
    return this.evm(1002);
  }

  /** The local Solana endpoint (StackOptions.solana). */
  get solana(): SolanaChain {
    const chain = this.chains.get(1003);
    if (!(chain instanceof SolanaChain)) throw new Error("this stack has no Solana chain (StackOptions.solana)");
    return chain;
  }

  contractsOf(domain: number): Contracts {
    const c = this.contracts.get(domain);
    if (c === undefined) throw new Error(`no contracts on domain ${domain}`);
    return c;
  }

  /** Attesters in set 1 (the first `attesters` keys, ascending by address). */
  get setOne(): AttesterNode[] {
    return this.attesters.slice(0, this.options.attesters ?? 3);
  }

  /** Starts chains, deployment and nodes. Prefer `Stack.start`, which also cleans up when this fails. */
  async up(): Promise<void> {
    process.once("exit", this.#exitHook);
    this.dir = await mkdtemp(join(tmpdir(), `maskoii-e2e-${this.options.label}-`));
    this.supervisor.onUnexpectedExit((name, code) => {
      const pid = this.supervisor.processes().find((p) => p.name === name)?.pid;
      const node = [...this.attesters, this.relayer].find(
        (n) => n !== undefined && pid !== undefined && n.intended(pid),
      );
      if (node === undefined) this.unexpectedExits.push({ name, code });
    });

    const [a, b] = await Promise.all([
      startEvmChain({
        supervisor: this.supervisor,
        logDir: this.dir,
        spec: {
          name: "chainA",
          domain: 1001,
          chainId: 31337,
          finality: this.options.chainA?.finality ?? { kind: "confirmations", depth: 0 },
          blockTimeMs: this.options.chainA?.blockTimeMs ?? 0,
        },
      }),
      startEvmChain({
        supervisor: this.supervisor,
        logDir: this.dir,
        spec: {
          name: "chainB",
          domain: 1002,
          chainId: 31338,
          finality: this.options.chainB?.finality ?? { kind: "confirmations", depth: 0 },
          blockTimeMs: this.options.chainB?.blockTimeMs ?? 0,
        },
      }),
    ]);
    this.chains.set(a.domain, a);
    this.chains.set(b.domain, b);
    if (this.options.solana === true) {
      const binary = localRpcBinary();
      if (binary === undefined) throw new Error("StackOptions.solana needs MASKOII_LOCAL_RPC (the local RPC binary)");
      const solana = await startSolanaChain({ supervisor: this.supervisor, binary, logDir: this.dir });
      this.chains.set(solana.domain, solana);
    }

    // Keys: set 1 sorted ascending by address (the contract requires it); spares after it.
    const members = this.options.attesters ?? 3;
    const spares = this.options.spareAttesters ?? 0;
    const keys = Array.from({ length: members + spares }, (_, i) => {
      const privateKey = devnetAttesterKey(i, `maskoii e2e ${this.options.label}`);
      return { account: privateKeyToAccount(privateKey), privateKey };
    });
    const setOne = keys.slice(0, members).sort((x, y) => compareAddresses(x.account.address, y.account.address));
    const ordered = [...setOne, ...keys.slice(members)];

    // Deploy in a child process while the nodes' homes are prepared.
    const deployments = join(this.dir, "deployments");
    await mkdir(deployments);
    const deployed = runFixture([
      "--rpc-a",
      a.rpcUrl,
      "--rpc-b",
      b.rpcUrl,
      "--out",
      deployments,
      "--attesters",
      setOne.map((k) => k.account.address).join(","),
      "--threshold",
      String(this.options.thresholdBps ?? 6666),
    ]);

    for (const [i, key] of ordered.entries()) {
      const node = new MaskoiiNode({
        supervisor: this.supervisor,
        name: `attester${i}`,
        role: "attester",
        dir: this.dir,
      });
      await node.init(key.privateKey);
      const port = await freePort();
      this.attesters.push(Object.assign(node, { key, url: `http://${HOST}:${port}` }));
    }
    this.relayer = new MaskoiiNode({ supervisor: this.supervisor, name: "relayer", role: "relayer", dir: this.dir });
    const relayerKey = `0x${Buffer.from(this.relayerAccount.getHdKey().privateKey ?? []).toString("hex")}` as Hex;
    await this.relayer.init(relayerKey);
    this.relayerMetricsUrl = `http://${HOST}:${await freePort()}/metrics`;
    this.relayerAttesterUrls = this.attesters.map((n) => n.url);

    for (const role of ["relayer", "attesters"] as const) {
      if (this.options.proxies?.[role] !== true) continue;
      for (const chain of this.chains.values()) {
        const proxy = await new FaultProxy({ upstream: chain.rpcUrl, name: `${role}-${chain.name}` }).start();
        this.proxies[role].set(chain.domain, proxy);
      }
    }

    const output = await deployed;
    const line = output.split("\n").find((l) => l.startsWith("RESULT "));
    if (line === undefined) throw new Error(`no RESULT from the deploy fixture:\n${output}`);
    for (const c of JSON.parse(line.slice("RESULT ".length)) as Contracts[]) this.contracts.set(c.domain, c);

    for (const node of this.setOne) await this.startAttester(node);
    await Promise.all(this.setOne.map((node) => this.waitAttesterReady(node)));
    if (this.options.startRelayer !== false) await this.startRelayer();
  }

  #chainsConfig(role: "relayer" | "attesters"): Record<string, unknown>[] {
    return [...this.chains.values()]
      .map((chain) =>
        chain.nodeConfig(this.proxies[role].get(chain.domain)?.url ?? chain.rpcUrl, join(this.dir, "deployments")),
      )
      .filter((entry) => entry !== undefined);
  }

  /** (Re)writes an attester's config and starts it on its store. */
  async startAttester(node: AttesterNode): Promise<void> {
    await node.writeConfig({
      chains: this.#chainsConfig("attesters"),
      store: { kind: "pglite", dataDir: node.storeDir },
      keys: { keystore: node.keystore },
      attester: { listen: { host: HOST, port: Number(new URL(node.url).port) }, pollIntervalMs: 100 },
      log: { level: "debug" },
    });
    node.start();
  }

  async waitAttesterReady(node: AttesterNode, timeoutMs = 60_000): Promise<void> {
    await until(
      `${node.name} /ready`,
      async () => ((await fetch(`${node.url}/ready`, { signal: AbortSignal.timeout(1_000) })).ok ? true : undefined),
      { timeoutMs },
    );
  }

  /** (Re)writes the relayer's config (current attester URLs and settings) and starts it on its store. */
  async startRelayer(): Promise<void> {
    const { maxBatchSize, pollIntervalMs, retry, requestTimeoutMs } = this.relayerSettings;
    await this.relayer.writeConfig({
      chains: this.#chainsConfig("relayer"),
      store: { kind: "pglite", dataDir: this.relayer.storeDir },
      keys: { keystore: this.relayer.keystore },
      relayer: {
        attesters: this.relayerAttesterUrls,
        pollIntervalMs,
        requestTimeoutMs,
        retry,
        maxBatchSize,
        metrics: { host: HOST, port: Number(new URL(this.relayerMetricsUrl).port) },
      },
      log: { level: "debug" },
    });
    this.relayer.start();
    await until("relayer /metrics", async () =>
      (await fetch(this.relayerMetricsUrl, { signal: AbortSignal.timeout(1_000) })).ok ? true : undefined,
    );
  }

  /** The relayer's Prometheus text. */
  async relayerMetrics(): Promise<string> {
    return (await fetch(this.relayerMetricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  }

  /** `maskoii doctor <id>` as a process, with the relayer's config (reads the chains and the attesters over HTTP). */
  async doctor(messageId: Hex): Promise<Record<string, unknown>> {
    const cli = join(ROOT, "relayer", "src", "cli.ts");
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, "doctor", messageId, "--config", this.relayer.configFile], {
        cwd: ROOT,
        env: { ...process.env, MASKOII_KEYSTORE_PASSWORD: "unused", FORCE_COLOR: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    if (out.code !== 0) throw new Error(`maskoii doctor exited ${out.code}: ${out.stderr}`);
    return JSON.parse(out.stdout) as Record<string, unknown>;
  }

  /** Every process group any node or chain of the stack ran. */
  allPids(): number[] {
    return [
      ...this.supervisor.processes().map((p) => p.pid),
      ...this.attesters.flatMap((n) => n.pids),
      ...(this.relayer?.pids ?? []),
    ];
  }

  /**
   * Stops every process (SIGTERM, then SIGKILL), closes the proxies, checks that no process group is left and removes
   * the temp directory. Safe to call after a failed start.
   */
  async stop(): Promise<void> {
    const pids = this.allPids();
    try {
      await this.supervisor.stopAll();
    } finally {
      process.removeListener("exit", this.#exitHook);
      for (const proxy of [...this.proxies.relayer.values(), ...this.proxies.attesters.values()]) await proxy.close();
    }
    const survivors = pids.filter((pid) => groupAlive(pid));
    if (survivors.length > 0) throw new Error(`process groups still alive after stop: ${survivors.join(", ")}`);
    if (this.dir !== "" && this.options.keepDir !== true && process.env.MASKOII_E2E_KEEP !== "1") {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

/** Checksummed address helper for assertions. */
export function same(a: string, b: string): boolean {
  return getAddress(a) === getAddress(b);
}
