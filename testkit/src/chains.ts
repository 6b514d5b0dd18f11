// The chains of an e2e stack. Each chain is a `ChainHandle`: what the harness needs to start it, to point maskoii
// processes at it (the `chains[]` entry of their config) and to stop it with the stack. EVM chains are `hardhat node`
// processes; a Solana chain is the local RPC of programs/local-rpc (MASKOII_LOCAL_RPC).
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Account,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from "viem";
import { TestkitError } from "./errors.ts";
import type { ManagedProcess, Supervisor } from "./processes.ts";
import { waitForRpc } from "./rpc.ts";
import { freePort } from "./wait.ts";

/** The repository root (Hardhat finds its config there; the maskoii CLI is relayer/src/cli.ts under it). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const HOST = "127.0.0.1";
/** Hardhat's CLI, run under this Node (`node <HARDHAT> node ...`). */
export const HARDHAT = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

/** When a block is final, as the maskoii config spells it (relayer/src/config.ts finalitySchema). */
export type Finality = { kind: "confirmations"; depth: number } | { kind: "finalized" };

/** One chain of a stack, whatever its family. */
export interface ChainHandle {
  readonly family: "evm" | "svm";
  readonly name: string;
  readonly domain: number;
  /** The chain's own RPC (not a fault proxy). */
  readonly rpcUrl: string;
  readonly finality: Finality;
  /**
   * The `chains[]` entry of a maskoii config for this chain, reached through `rpcUrl`.
   */
  nodeConfig(rpcUrl: string, deploymentsDir: string): Record<string, unknown>;
}

export type EvmChainSpec = {
  name: string;
  domain: number;
  chainId: number;
  finality: Finality;
  /**
   * Interval mining in ms (besides automine), so that confirmations accrue without the test mining by hand; 0 or
   * absent: blocks only when a transaction arrives.
   */
  blockTimeMs?: number;
};

export class EvmChain implements ChainHandle {
  readonly family = "evm" as const;
  readonly name: string;
  readonly domain: number;
  readonly chainId: number;
  readonly rpcUrl: string;
  readonly finality: Finality;
  readonly blockTimeMs: number;
  readonly chain: Chain;
  readonly process: ManagedProcess;
  readonly public: PublicClient<Transport, Chain>;
  readonly test: TestClient<"hardhat", Transport, Chain>;

  constructor(spec: EvmChainSpec, rpcUrl: string, process: ManagedProcess) {
    this.name = spec.name;
    this.domain = spec.domain;
    this.chainId = spec.chainId;
    this.rpcUrl = rpcUrl;
    this.finality = spec.finality;
    this.blockTimeMs = spec.blockTimeMs ?? 0;
    this.process = process;
    this.chain = defineChain({
      id: spec.chainId,
      name: spec.name,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    });
    this.public = createPublicClient({ chain: this.chain, transport: http(rpcUrl), pollingInterval: 100 });
    this.test = createTestClient({ mode: "hardhat", chain: this.chain, transport: http(rpcUrl) });
  }

  wallet(account: Account): WalletClient<Transport, Chain, Account> {
    return createWalletClient({ account, chain: this.chain, transport: http(this.rpcUrl) });
  }

  nodeConfig(rpcUrl: string, deploymentsDir: string): Record<string, unknown> {
    return {
      domain: this.domain,
      rpcUrl,
      deploymentFile: join(deploymentsDir, `${this.chainId}.json`),
      finality: this.finality,
      pollIntervalMs: 100,
    };
  }

  /** Raw JSON-RPC call (hardhat_* / evm_* methods viem does not wrap the way the tests need). */
  async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const response = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { result?: T; error?: { message?: string } };
    if (body.error !== undefined)
      throw new TestkitError("ChainRpcFailed", `${method}: ${body.error.message ?? "error"}`);
    return body.result as T;
  }

  /** Turns interval mining on (`ms` > 0) or off. */
  async setIntervalMining(ms: number): Promise<void> {
    await this.rpc("evm_setIntervalMining", [ms]);
  }

  /** Mines `blocks` empty blocks now. */
  async mine(blocks = 1): Promise<void> {
    await this.test.mine({ blocks });
  }
}

/** A running `hardhat node`: its RPC URL and its supervised process. */
export type HardhatNode = { readonly rpcUrl: string; readonly process: ManagedProcess };

/**
 * Starts `hardhat node --chain-id <chainId>` under `supervisor` on `port` (default: a free 127.0.0.1 port) and waits
 * until it answers eth_chainId with `chainId` (failing early if the process exits first).
 */
export async function startHardhatNode(args: {
  supervisor: Supervisor;
  name: string;
  chainId: number;
  logFile: string;
  port?: number;
  timeoutMs?: number;
}): Promise<HardhatNode> {
  const port = args.port ?? (await freePort());
  const rpcUrl = `http://${HOST}:${port}`;
  const managed = args.supervisor.start({
    name: args.name,
    command: process.execPath,
    args: [HARDHAT, "node", "--hostname", HOST, "--port", String(port), "--chain-id", String(args.chainId)],
    cwd: ROOT,
    logFile: args.logFile,
  });
  await waitForRpc(rpcUrl, args.chainId, { timeoutMs: args.timeoutMs ?? 60_000, abort: managed.exited });
  return { rpcUrl, process: managed };
}

/** Builds the contracts (`hardhat build --quiet`) under `supervisor`; throws when the build fails. */
export async function hardhatBuild(supervisor: Supervisor, logFile: string): Promise<void> {
  const code = await supervisor.run({
    name: "build",
    command: process.execPath,
    args: [HARDHAT, "build", "--quiet"],
    cwd: ROOT,
    logFile,
  });
  if (code !== 0)
    throw new TestkitError("HardhatBuildFailed", `hardhat build failed (${String(code)}); see ${logFile}`);
}

/** Starts `hardhat node` for `spec` on a free 127.0.0.1 port and waits until it answers with its chain id. */
export async function startEvmChain(args: {
  supervisor: Supervisor;
  spec: EvmChainSpec;
  logDir: string;
  timeoutMs?: number;
}): Promise<EvmChain> {
  const node = await startHardhatNode({
    supervisor: args.supervisor,
    name: args.spec.name,
    chainId: args.spec.chainId,
    logFile: join(args.logDir, `${args.spec.name}.log`),
    ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs }),
  });
  const chain = new EvmChain(args.spec, node.rpcUrl, node.process);
  if (chain.blockTimeMs > 0) await chain.setIntervalMining(chain.blockTimeMs);
  return chain;
}

/** What the local Solana RPC prints on stdout once it listens (programs/local-rpc). */
type SolanaReadyLine = {
  ready: true;
  url: string;
  wsUrl: string;
  programs: { maskoii: string };
  upgradeAuthority: string;
};

/**
 * The local Solana endpoint (programs/local-rpc: the real Solana runtime with the maskoii program and SPL Token) as
 * a chain of the stack, domain 1003. Started only when asked (StackOptions.solana) and when MASKOII_LOCAL_RPC names
 * the binary; the maskoii processes serve it through the relayer's Solana adapter (`family: "solana"`).
 */
export class SolanaChain implements ChainHandle {
  readonly family = "svm" as const;
  readonly name = "solana";
  readonly domain = 1003;
  readonly finality: Finality = { kind: "finalized" };
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly programId: string;
  readonly upgradeAuthority: string;
  readonly process: ManagedProcess;

  constructor(ready: SolanaReadyLine, process: ManagedProcess) {
    this.rpcUrl = ready.url;
    this.wsUrl = ready.wsUrl;
    this.programId = ready.programs.maskoii;
    this.upgradeAuthority = ready.upgradeAuthority;
    this.process = process;
  }

  /** The `chains[]` entry: the program on this endpoint, final at `finalized` (32 slots behind the tip here). */
  nodeConfig(rpcUrl: string): Record<string, unknown> {
    return {
      family: "solana",
      domain: this.domain,
      rpcUrl,
      programId: this.programId,
      commitment: this.finality.kind === "finalized" ? "finalized" : "confirmed",
      pollIntervalMs: 100,
      // Fail over to a fresh blockhash quickly when a transaction was lost (a killed relayer, a fault proxy).
      confirmTimeoutMs: 10_000,
    };
  }
}

/** Cargo's target directory: `CARGO_TARGET_DIR`, by default `~/.cache/maskoii-target` (outside the clone). */
export function cargoTargetDir(): string {
  return process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "maskoii-target");
}

/** The local RPC binary: `MASKOII_LOCAL_RPC` if set (used as is, not built), else cargo's debug build. */
export function localRpcBinary(): string {
  return process.env.MASKOII_LOCAL_RPC ?? join(cargoTargetDir(), "debug", "maskoii-local-rpc");
}

/** The local Solana RPC binary from MASKOII_LOCAL_RPC, or undefined when it is not set. */
export function localRpcFromEnv(): string | undefined {
  const binary = process.env.MASKOII_LOCAL_RPC;
  return binary === undefined || binary === "" ? undefined : binary;
}

/** Starts the local Solana RPC on a free port (`--port 0`) and waits for its ready line. */
export async function startSolanaChain(args: {
  supervisor: Supervisor;
  binary: string;
  logDir: string;
  slotMs?: number;
  timeoutMs?: number;
}): Promise<SolanaChain> {
  let onReady: (line: SolanaReadyLine) => void = () => {};
  const ready = new Promise<SolanaReadyLine>((resolve) => {
    onReady = resolve;
  });
  const managed = args.supervisor.start({
    name: "solana",
    command: args.binary,
    args: ["--host", HOST, "--port", "0", "--slot-ms", String(args.slotMs ?? 100)],
    logFile: join(args.logDir, "solana.log"),
    onStdoutLine: (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<SolanaReadyLine>;
        if (parsed.ready === true) onReady(parsed as SolanaReadyLine);
      } catch {
        // Not the ready line.
      }
    },
  });
  const timeoutMs = args.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const line = await Promise.race([
    ready,
    managed.exited.then((code) => {
      throw new TestkitError(
        "LocalRpcExited",
        `the local Solana RPC exited (${String(code)}) before it was ready; see ${managed.logFile}`,
      );
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TestkitError("LocalRpcNotReady", `the local Solana RPC was not ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return new SolanaChain(line, managed);
}
