// The e2e stack: real processes on 127.0.0.1. Two `hardhat node` chains (A = domain 1001, B = 1002), maskoii deployed
// and linked by the testkit's deploy fixture (plus a DemoRecipient per chain), N attester nodes and one relayer, each a `maskoii`
// CLI process with its own keystore, config and SQLite store. Optionally a fault proxy per chain in front of the
// relayer's and/or the attesters' RPC. `stop()` leaves no process behind (and throws if one survives SIGKILL).
//
// With `solana`, the local Solana endpoint is chain 1003: the program is initialized and linked with chain A by the
// same deploy fixture (@maskoii/testkit: deploy-fixture.ts, solana.ts), every node serves it,
// and the relayer pays Solana fees with its own airdropped ed25519 key. With `relayerStore`, relayers share one
// PostgreSQL database; `addRelayer` adds another relayer process (own paying key, instance id and ops port).
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Attester,
  type ChainHandle,
  compareAddresses,
  devnetAttesterKey,
  EvmChain,
  type Finality,
  freePort,
  groupAlive,
  HOST,
  localRpcFromEnv,
  ROOT,
  runDeployFixture,
  SolanaChain,
  Supervisor,
  startEvmChain,
  startSolanaChain,
  until,
} from "@maskoii/testkit";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { type Address, bytesToHex, getAddress, type Hex, keccak256, stringToHex } from "viem";
import { type Account, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { FaultProxy } from "./fault-proxy.ts";
import { MaskoiiNode } from "./nodes.ts";

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
  /** Deliveries one instance claims per tick (default: the relayer's). Small to make instances share the work. */
  claimLimit?: number;
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
   * Also start the local Solana endpoint as domain 1003 (needs MASKOII_LOCAL_RPC): maskoii initialized on it with set
   * 1 and linked with chain A (bridges, the demo token <-> a bridged SPL mint); every node serves it.
   */
  solana?: boolean;
  /** The nodes' embedded store: SQLite (the default store) or PGlite; one each, under the node's home. */
  store?: "sqlite" | "pglite";
  /** The relayers' store: their own embedded store each (`store`), or one PostgreSQL database they share. */
  relayerStore?: { kind: "postgres"; url: string };
  /** Start the relayer with the stack (default true). */
  startRelayer?: boolean;
  /** Keep the temp directory after stop() (to read logs of a failed run). */
  keepDir?: boolean;
};

export type AttesterNode = MaskoiiNode & { readonly key: Attester; readonly url: string };

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
  /** Relayers added with `addRelayer` (the first one is `relayer`). */
  readonly extraRelayers: MaskoiiNode[] = [];
  /** The EVM paying address of every relayer node, by name. */
  readonly relayerAddresses = new Map<string, Address>();
  /** Ops endpoint (/metrics, /messages/:id) of every relayer node, by name. */
  readonly #opsUrls = new Map<string, string>();
  /** The bridged SPL mint linked to chain A's demo token (StackOptions.solana). */
  solanaMint: PublicKey | undefined;
  /** The relayer's Solana fee payer (its keystore holds the seed; airdropped on start). */
  readonly solanaPayer: Keypair;
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
    this.solanaPayer = Keypair.fromSeed(Stack.#seed(`solana payer ${options.label}`));
    this.relayerSettings = {
      maxBatchSize: 4,
      pollIntervalMs: 150,
      retry: { baseMs: 200, maxMs: 2_000, maxAttempts: 100 },
      // Generous: the machine is small and shared; a slow answer must not look like a missing attester.
      requestTimeoutMs: 5_000,
      ...options.relayer,
    };
  }

  static #seed(label: string): Uint8Array {
    return Buffer.from(keccak256(stringToHex(`maskoii e2e ${label}`)).slice(2), "hex");
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
      const node = [...this.attesters, this.relayer, ...this.extraRelayers].find(
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
      const binary = localRpcFromEnv();
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
    const solana = this.chains.get(1003);
    const deployed = runDeployFixture({
      rpcA: a.rpcUrl,
      rpcB: b.rpcUrl,
      out: deployments,
      attesters: setOne.map((k) => k.account.address),
      thresholdBps: this.options.thresholdBps ?? 6666,
      demoRecipients: true,
      ...(solana instanceof SolanaChain
        ? {
            solana: {
              rpcUrl: solana.rpcUrl,
              wsUrl: solana.wsUrl,
              programId: solana.programId,
              upgradeAuthority: solana.upgradeAuthority,
            },
          }
        : {}),
    });

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
    this.relayer = await this.#relayerNode("relayer", 2, this.solanaPayer);
    this.relayerMetricsUrl = `${this.opsUrl(this.relayer)}/metrics`;
    this.relayerAttesterUrls = this.attesters.map((n) => n.url);

    for (const role of ["relayer", "attesters"] as const) {
      if (this.options.proxies?.[role] !== true) continue;
      for (const chain of this.chains.values()) {
        const proxy = await new FaultProxy({ upstream: chain.rpcUrl, name: `${role}-${chain.name}` }).start();
        this.proxies[role].set(chain.domain, proxy);
      }
    }

    const result = await deployed;
    for (const c of result.chains) this.contracts.set(c.domain, c);
    if (result.mint !== undefined) {
      this.solanaMint = new PublicKey(result.mint);
      await this.airdrop(this.solanaPayer.publicKey, 50);
    }

    for (const node of this.setOne) await this.startAttester(node);
    await Promise.all(this.setOne.map((node) => this.waitAttesterReady(node)));
    if (this.options.startRelayer !== false) await this.startRelayer();
  }

  #chainsConfig(role: "relayer" | "attesters"): Record<string, unknown>[] {
    return [...this.chains.values()].map((chain) =>
      chain.nodeConfig(this.proxies[role].get(chain.domain)?.url ?? chain.rpcUrl, join(this.dir, "deployments")),
    );
  }

  #embeddedStore(node: MaskoiiNode): Record<string, string> {
    return this.options.store === "pglite"
      ? { kind: "pglite", dataDir: node.storeDir }
      : { kind: "sqlite", path: join(node.storeDir, "store.sqlite") };
  }

  /** (Re)writes an attester's config and starts it on its store. */
  async startAttester(node: AttesterNode): Promise<void> {
    await node.writeConfig({
      // Local chains: finality depth 0 / Solana "confirmed" need the dev profile (config.ts).
      profile: "dev",
      chains: this.#chainsConfig("attesters"),
      store: this.#embeddedStore(node),
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

  /** A relayer node: its EVM key (Hardhat account `accountIndex`), its Solana key when the stack has Solana. */
  async #relayerNode(name: string, accountIndex: number, solanaPayer: Keypair): Promise<MaskoiiNode> {
    const node = new MaskoiiNode({ supervisor: this.supervisor, name, role: "relayer", dir: this.dir });
    const account = mnemonicToAccount(MNEMONIC, { addressIndex: accountIndex });
    await node.init(bytesToHex(account.getHdKey().privateKey ?? new Uint8Array()));
    this.relayerAddresses.set(name, account.address);
    if (this.options.solana === true) await node.initSolanaKey(bytesToHex(solanaPayer.secretKey.slice(0, 32)));
    this.#opsUrls.set(name, `http://${HOST}:${await freePort()}`);
    return node;
  }

  /**
   * Another relayer process (not started): pays with Hardhat account `accountIndex` (and its own Solana key, funded),
   * instance id = `name`. With `relayerStore` it shares the database of the others.
   */
  async addRelayer(name: string, accountIndex: number): Promise<MaskoiiNode> {
    const payer = Keypair.fromSeed(Stack.#seed(`solana payer ${this.options.label} ${name}`));
    const node = await this.#relayerNode(name, accountIndex, payer);
    if (this.options.solana === true) await this.airdrop(payer.publicKey, 50);
    this.extraRelayers.push(node);
    return node;
  }

  /** A relayer node's ops endpoint (/health, /ready, /metrics, /messages/:id). */
  opsUrl(node: MaskoiiNode = this.relayer): string {
    const url = this.#opsUrls.get(node.name);
    if (url === undefined) throw new Error(`${node.name} is not a relayer of this stack`);
    return url;
  }

  /** (Re)writes a relayer's config (current attester URLs and settings) and starts it on its store. */
  async startRelayer(node: MaskoiiNode = this.relayer): Promise<void> {
    const { maxBatchSize, pollIntervalMs, retry, requestTimeoutMs, claimLimit } = this.relayerSettings;
    const ops = new URL(this.opsUrl(node));
    await node.writeConfig({
      // Local chains: finality depth 0 / Solana "confirmed" need the dev profile (config.ts).
      profile: "dev",
      chains: this.#chainsConfig("relayer"),
      store: this.options.relayerStore ?? this.#embeddedStore(node),
      keys: {
        keystore: node.keystore,
        ...(this.options.solana === true ? { solanaKeystore: node.solanaKeystore } : {}),
      },
      relayer: {
        attesters: this.relayerAttesterUrls,
        pollIntervalMs,
        requestTimeoutMs,
        retry,
        maxBatchSize,
        metrics: { host: HOST, port: Number(ops.port) },
        instanceId: node.name,
        ...(claimLimit === undefined ? {} : { claimLimit }),
      },
      log: { level: "debug" },
    });
    node.start();
    await until(`${node.name} /metrics`, async () =>
      (await fetch(`${ops.origin}/metrics`, { signal: AbortSignal.timeout(1_000) })).ok ? true : undefined,
    );
  }

  /** A relayer's Prometheus text. */
  async relayerMetrics(node: MaskoiiNode = this.relayer): Promise<string> {
    return (await fetch(`${this.opsUrl(node)}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  }

  /** Funds `to` on the stack's Solana endpoint (confirmed). */
  async airdrop(to: PublicKey, sol: number): Promise<void> {
    const connection = new Connection(this.solana.rpcUrl, "confirmed");
    const signature = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
    const latest = await connection.getLatestBlockhash();
    const result = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
    if (result.value.err !== null) throw new Error(`airdrop to ${to.toBase58()} failed`);
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
      ...this.extraRelayers.flatMap((n) => n.pids),
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
