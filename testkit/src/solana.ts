// The local Solana endpoint (programs/local-rpc: standard JSON-RPC + PubSub over the real runtime, with the maskoii
// program and SPL Token loaded) at the devnet's fixed ports, and the maskoii program initialized on it as domain 1003
// with the devnet's attesters and a bridged SPL mint linked to chain A's demo token. The demo round trip on top of it
// is scripts/lib/solana-demo.ts.
//
// The Solana side goes through the SDK's Solana client (sdk/src/solana: instruction builders on @anchor-lang/core,
// delivery planning with chunked post_signatures, account readers).

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  campaignLedgerAbi,
  gatewayAbi,
  parseSolanaDeployment,
  type SolanaDeployment as SolanaDeploymentFile,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { MaskoiiSolanaClient, pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { createMint } from "@solana/spl-token";
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import { type Address, bytesToHex, type Hash } from "viem";
import { cargoTargetDir, HOST, localRpcBinary } from "./chains.ts";
import {
  type ChainDeployment,
  configureDestinationFamily,
  DEFAULT_LIMITS,
  type Fees,
  type RouteLimits,
  SHARED_DECIMALS,
  toBytes32,
} from "./deploy.ts";
import { SolanaError } from "./errors.ts";
import type { ManagedProcess, Supervisor } from "./processes.ts";

/** The devnet's Solana endpoint: domain 1003 (protocol §1), the usual Solana ports (PubSub on port + 1). */
export const SOLANA = {
  name: "solana",
  domain: 1003,
  port: 8899,
  rpcUrl: `http://${HOST}:8899`,
  wsUrl: `ws://${HOST}:8900`,
} as const;

/** TokenBridge.sol / token_register modes. */
const MODE_MINT = 1;
/** The bridged SPL mint's decimals (SPL's usual 9; it meets the 18-decimal ERC-20 at 8 shared decimals). */
export const SPL_DECIMALS = 9;
/** Route fee charged by `token_transfer_remote` on Solana, in lamports: 5,000 per message plus 10 per payload byte. */
export const SOLANA_FEES: Fees = { baseFee: 5_000n, feePerByte: 10n };
/** Length of a kind-1 token transfer payload (protocol §8). */
export const TOKEN_PAYLOAD_LENGTH = 73n;
/** Overlap window and emergency delay of the Solana attester sets (the EVM defaults: 1 day, 7 days). */
const OVERLAP_WINDOW = 86_400;
const EMERGENCY_DELAY = 7 * 86_400;

/**
 * Builds programs/local-rpc with cargo (a no-op when it is up to date; a cold build takes tens of minutes on two
 * cores) and returns the binary's path. With `MASKOII_LOCAL_RPC` set, that binary is used without building.
 * Returns undefined when there is no cargo and no binary: the devnet then runs without Solana.
 */
export async function buildLocalRpc(args: {
  supervisor: Supervisor;
  root: string;
  logDir: string;
  log: (line: string) => void;
}): Promise<string | undefined> {
  if (process.env.MASKOII_LOCAL_RPC !== undefined) {
    const binary = process.env.MASKOII_LOCAL_RPC;
    if (!existsSync(binary)) throw new SolanaError(`MASKOII_LOCAL_RPC=${binary} does not exist`);
    args.log(`using MASKOII_LOCAL_RPC=${binary} (not built)`);
    return binary;
  }
  const logFile = join(args.logDir, "cargo.log");
  const started = performance.now();
  args.log(`cargo build -p maskoii-local-rpc (CARGO_TARGET_DIR=${cargoTargetDir()}), log ${logFile}`);
  let code: number | NodeJS.Signals;
  let waiting = false;
  let compiling = false;
  try {
    code = await args.supervisor.run({
      name: "cargo",
      command: "cargo",
      args: ["build", "--manifest-path", join(args.root, "programs", "Cargo.toml"), "-p", "maskoii-local-rpc"],
      cwd: args.root,
      env: { ...process.env, CARGO_TARGET_DIR: cargoTargetDir() },
      logFile,
      onStderrLine: (line) => {
        // Say why nothing seems to happen: another build holds the target directory, or a (long) build runs.
        const text = line.trim();
        if (text.startsWith("Blocking") && !waiting) {
          waiting = true;
          args.log(`cargo: ${text} (another cargo build uses ${cargoTargetDir()}; waiting for it)`);
        } else if (text.startsWith("Compiling") && !compiling) {
          compiling = true;
          args.log("cargo: compiling (a first build takes tens of minutes on two cores; progress in the log)");
        }
      },
    });
  } catch {
    // No cargo on PATH.
    if (existsSync(localRpcBinary())) {
      args.log(`cargo not found; using the existing ${localRpcBinary()}`);
      return localRpcBinary();
    }
    args.log("cargo not found and no local RPC binary: running without Solana (install Rust >= 1.89 for it)");
    return undefined;
  }
  // Stopped (Ctrl-C) while cargo ran: the devnet is shutting down, nothing more to do here.
  if (args.supervisor.stopping) return undefined;
  if (code !== 0) throw new SolanaError(`cargo build failed (${String(code)}); see ${logFile}`);
  args.log(`built in ${seconds(performance.now() - started)}`);
  return localRpcBinary();
}

/** getVersion of a Solana JSON-RPC endpoint, or undefined when nothing answers there. */
export async function probeSolana(url: string, timeoutMs = 1_000): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getVersion", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { result?: { "solana-core"?: string } };
    return body.result?.["solana-core"] ?? undefined;
  } catch {
    return undefined;
  }
}

/** What the local RPC prints on stdout once it listens (programs/local-rpc/README.md). */
type ReadyLine = {
  ready: true;
  url: string;
  wsUrl: string;
  programs: { maskoii: string };
  upgradeAuthority: string;
  faucet: string;
};

export type SolanaEndpoint = {
  process: ManagedProcess;
  url: string;
  wsUrl: string;
  programId: string;
  upgradeAuthority: string;
};

/**
 * Starts the local RPC on 127.0.0.1:8899 (PubSub 8900) as a supervised process in its own process group and waits
 * for its ready line. Refuses to start if something already answers there.
 */
export async function startSolana(args: {
  supervisor: Supervisor;
  binary: string;
  logDir: string;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<SolanaEndpoint> {
  const answering = await probeSolana(SOLANA.rpcUrl);
  if (answering !== undefined) {
    throw new SolanaError(
      `${SOLANA.rpcUrl} is already in use (solana-core ${answering}); stop whatever runs there first`,
    );
  }
  let onReady: (ready: ReadyLine) => void = () => {};
  const ready = new Promise<ReadyLine>((resolve) => {
    onReady = resolve;
  });
  const managed = args.supervisor.start({
    name: SOLANA.name,
    command: args.binary,
    args: ["--host", HOST, "--port", String(SOLANA.port)],
    logFile: join(args.logDir, `${SOLANA.name}.log`),
    onStdoutLine: (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<ReadyLine>;
        if (parsed.ready === true) onReady(parsed as ReadyLine);
      } catch {
        // Not the ready line.
      }
    },
  });
  args.log(`started ${SOLANA.name} (pid ${managed.pid}), log ${managed.logFile}`);
  let timer: NodeJS.Timeout | undefined;
  const line = await Promise.race([
    ready,
    managed.exited.then((code) => {
      throw new SolanaError(
        `the local Solana RPC exited (${String(code)}) before it was ready; see ${managed.logFile}`,
      );
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SolanaError(`the local Solana RPC was not ready within ${args.timeoutMs} ms`)),
        args.timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  args.log(`${SOLANA.name} up: ${line.url} (PubSub ${line.wsUrl}), domain ${SOLANA.domain}`);
  args.log(`  maskoii program ${line.programs.maskoii}`);
  return {
    process: managed,
    url: line.url,
    wsUrl: line.wsUrl,
    programId: line.programs.maskoii,
    upgradeAuthority: line.upgradeAuthority,
  };
}

/** The maskoii program set up on the local Solana endpoint. */
export type SolanaDeployment = {
  endpoint: SolanaEndpoint;
  connection: Connection;
  client: MaskoiiSolanaClient;
  domain: number;
  /** The program's upgrade authority, admin and guardian: the well-known development key (seed [42; 32]). */
  admin: Keypair;
  /** Pays for and submits deliveries on Solana. */
  relayer: Keypair;
  /** The bridged SPL mint (mint mode, mint authority the program's bridge authority PDA) of `evm`'s demo token. */
  mint: PublicKey;
  /** The first EVM chain linked (the demo's). */
  evm: ChainDeployment;
  /** Every linked EVM chain with the mint of its demo token, `evm` first. */
  links: readonly SolanaLink[];
  /** What `summaryFile` holds: the deployment as the sdk's Solana deployment schema reads it. */
  file: SolanaDeploymentFile;
};

/** One EVM chain linked with the program, and the bridged mint of its demo token on Solana. */
export type SolanaLink = { readonly evm: ChainDeployment; readonly mint: PublicKey };

export async function airdrop(connection: Connection, to: PublicKey, sol: number): Promise<void> {
  const signature = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
  const latest = await connection.getLatestBlockhash();
  const result = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
  if (result.value.err !== null) throw new SolanaError(`airdrop to ${to.toBase58()} failed`);
}

/**
 * Closes a web3.js Connection's PubSub socket before the endpoint stops, so that it does not try to reconnect (and
 * log `ws error: ... ECONNREFUSED`) once the server is gone. web3.js 1.x has no public close: this is what its own
 * idle timer does 500 ms after the last subscription ends, with reconnection turned off first because the server
 * may stop before the close handshake completes (an abnormal close would otherwise be retried).
 */
export function closeSolanaConnection(connection: Connection): void {
  type Socket = { close(): void; setAutoReconnect?(reconnect: boolean): void };
  const socket = (connection as unknown as { _rpcWebSocket?: Socket })._rpcWebSocket;
  socket?.setAutoReconnect?.(false);
  socket?.close();
}

/** Confirms an EVM transaction on `evm`'s chain. */
export async function confirmEvm(evm: ChainDeployment, hash: Promise<Hash>, what: string) {
  const publicClient = await evm.connection.viem.getPublicClient();
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new SolanaError(`${what} reverted (tx ${receipt.transactionHash})`);
  return receipt;
}

/**
 * Initializes the program (domain 1003, the devnet attesters as set 1), creates a bridged SPL mint and links it with
 * `evm`'s canonical demo token both ways: on Solana the remote bridge and token of `evm`'s domain, rate limits and
 * the route fee; on `evm` the remote bridge of domain 1003 (the program id), the link of its demo token to the mint,
 * rate limits and the gateway fee.
 */
export async function deploySolana(args: {
  endpoint: SolanaEndpoint;
  attesters: readonly Address[];
  weights: readonly bigint[];
  thresholdBps: number;
  evm: ChainDeployment;
  /** Further EVM chains to link, each with its own bridged mint. */
  alsoLink?: readonly ChainDeployment[];
  limits?: RouteLimits;
  evmFees: Fees;
  /** Where to write a summary of the Solana deployment (JSON); nothing is written when undefined. */
  summaryFile?: string;
  log: (line: string) => void;
}): Promise<SolanaDeployment> {
  const limits = args.limits ?? DEFAULT_LIMITS;
  const { endpoint, evm } = args;
  const connection = new Connection(endpoint.url, { commitment: "confirmed", wsEndpoint: endpoint.wsUrl });
  const client = new MaskoiiSolanaClient({ connection });
  if (client.programId.toBase58() !== endpoint.programId) {
    throw new SolanaError(`the endpoint serves maskoii at ${endpoint.programId}, the SDK expects ${client.programId}`);
  }
  const admin = Keypair.fromSeed(new Uint8Array(32).fill(42));
  if (admin.publicKey.toBase58() !== endpoint.upgradeAuthority) {
    throw new SolanaError(`the program's upgrade authority is ${endpoint.upgradeAuthority}, not the development key`);
  }
  const relayer = Keypair.generate();
  await Promise.all([airdrop(connection, admin.publicKey, 100), airdrop(connection, relayer.publicKey, 100)]);

  // 1. initialize: config, fee vault, attester set 1 (the EVM chains' attesters and threshold).
  if ((await connection.getAccountInfo(client.pda.config())) !== null) {
    throw new SolanaError("the program is already initialized (the endpoint should be fresh)");
  }
  await client.sendAndConfirm(
    [
      await client.initializeIx({
        payer: admin.publicKey,
        localDomain: SOLANA.domain,
        admin: admin.publicKey,
        guardian: admin.publicKey,
        overlapWindow: OVERLAP_WINDOW,
        emergencyDelay: EMERGENCY_DELAY,
        attesters: args.attesters.map((address, i) => ({ address, weight: args.weights[i] ?? 0n })),
        thresholdBps: args.thresholdBps,
      }),
    ],
    [admin],
  );
  const config = await client.fetchConfig();
  args.log(
    `initialized maskoii on Solana: domain ${config.localDomain}, attester set ${config.currentSetId} ` +
      `(${args.attesters.length} attesters, ${args.thresholdBps} bps), admin/guardian ${admin.publicKey.toBase58()}`,
  );

  // 2-4 per linked EVM chain: a bridged SPL mint for its demo token, the links both ways, read back.
  const links: SolanaLink[] = [];
  for (const chain of [evm, ...(args.alsoLink ?? [])]) {
    links.push({
      evm: chain,
      mint: await linkEvmChain({ client, connection, admin, evm: chain, limits, evmFees: args.evmFees, log: args.log }),
    });
  }
  const mint = (links[0] as SolanaLink).mint;

  // Validated by the sdk's schema before anything reads it (loadSolanaDeployment in "@maskoii/sdk/node").
  const file = parseSolanaDeployment({
    domain: SOLANA.domain,
    rpcUrl: endpoint.url,
    wsUrl: endpoint.wsUrl,
    programId: client.programId.toBase58(),
    admin: admin.publicKey.toBase58(),
    tokens: Object.fromEntries(
      links.map((link) => [
        `b${evmSymbol(link.evm)}`,
        {
          mint: link.mint.toBase58(),
          mode: "mint",
          decimals: SPL_DECIMALS,
          sharedDecimals: SHARED_DECIMALS,
          links: {
            [link.evm.domain]: { tokenBridge: link.evm.contracts.tokenBridge, token: link.evm.contracts.demoToken },
          },
        },
      ]),
    ),
  });
  if (args.summaryFile !== undefined) {
    mkdirSync(dirname(args.summaryFile), { recursive: true });
    writeFileSync(args.summaryFile, `${JSON.stringify(file, null, 2)}\n`);
    args.log(`wrote ${args.summaryFile}`);
  }
  return { endpoint, connection, client, domain: SOLANA.domain, admin, relayer, mint, evm, links, file };
}

/**
 * Links one EVM chain with the program: a bridged SPL mint (classic SPL Token, mint authority the bridge authority
 * PDA) for the chain's demo token, the program's remote bridge, route, rate limits and fee for the chain's domain,
 * and on the chain the remote bridge, token link, rate limits and gateway fee of domain 1003; then reads both sides
 * back. Returns the mint.
 */
async function linkEvmChain(args: {
  client: MaskoiiSolanaClient;
  connection: Connection;
  admin: Keypair;
  evm: ChainDeployment;
  limits: RouteLimits;
  evmFees: Fees;
  log: (line: string) => void;
}): Promise<PublicKey> {
  const { client, connection, admin, evm, limits } = args;
  // 2. The bridged SPL mint: classic SPL Token, mint authority the bridge authority PDA, no freeze authority.
  const mint = await createMint(
    connection,
    admin,
    client.pda.bridgeAuthority(),
    null,
    SPL_DECIMALS,
    Keypair.generate(),
  );
  const route = { out: limits.outbound, in: limits.inbound };
  await client.sendAndConfirm(
    [
      await client.tokenRegisterIx({ admin: admin.publicKey, mint, mode: MODE_MINT, sharedDecimals: SHARED_DECIMALS }),
      await client.setFeeIx({
        admin: admin.publicKey,
        destination: evm.domain,
        baseFee: SOLANA_FEES.baseFee,
        feePerByte: SOLANA_FEES.feePerByte,
      }),
      await client.tokenSetRemoteBridgeIx({
        admin: admin.publicKey,
        domain: evm.domain,
        bridge: toBytes32(evm.contracts.tokenBridge),
      }),
      await client.tokenLinkIx({
        admin: admin.publicKey,
        mint,
        remoteDomain: evm.domain,
        remoteToken: toBytes32(evm.contracts.demoToken),
      }),
      await client.tokenSetRateLimitsIx({
        admin: admin.publicKey,
        mint,
        remoteDomain: evm.domain,
        outCapacity: route.out.capacity,
        outRefillPerSecond: route.out.refillPerSecond,
        inCapacity: route.in.capacity,
        inRefillPerSecond: route.in.refillPerSecond,
      }),
    ],
    [admin],
  );
  args.log(
    `registered bridged SPL mint ${mint.toBase58()} (${SPL_DECIMALS} decimals, ${SHARED_DECIMALS} shared, mint authority ` +
      `${client.pda.bridgeAuthority().toBase58()}), linked to domain ${evm.domain}'s demo token ${evm.contracts.demoToken}`,
  );

  // 3. The EVM side: chain `evm`'s TokenBridge learns domain 1003's bridge (the program id) and token (the mint).
  const [owner] = await evm.connection.viem.getWalletClients();
  if (owner === undefined) throw new SolanaError("the EVM connection has no wallet account");
  const bridge = { address: evm.contracts.tokenBridge, abi: tokenBridgeAbi } as const;
  await confirmEvm(
    evm,
    owner.writeContract({ ...bridge, functionName: "setRemoteBridge", args: [SOLANA.domain, client.verifier] }),
    "setRemoteBridge(1003)",
  );
  // Send-time checks towards Solana: any non-zero key (docs/protocol.md §8.1).
  await configureDestinationFamily(evm.connection, evm.contracts.gateway, SOLANA.domain);
  await confirmEvm(
    evm,
    owner.writeContract({
      ...bridge,
      functionName: "linkToken",
      args: [evm.contracts.demoToken, SOLANA.domain, pubkeyToBytes32(mint)],
    }),
    "linkToken(1003)",
  );
  await confirmEvm(
    evm,
    owner.writeContract({
      ...bridge,
      functionName: "setRateLimits",
      args: [
        evm.contracts.demoToken,
        SOLANA.domain,
        limits.outbound.capacity,
        limits.outbound.refillPerSecond,
        limits.inbound.capacity,
        limits.inbound.refillPerSecond,
      ],
    }),
    "setRateLimits(1003)",
  );
  await confirmEvm(
    evm,
    owner.writeContract({
      address: evm.contracts.gateway,
      abi: gatewayAbi,
      functionName: "setFee",
      args: [SOLANA.domain, args.evmFees.baseFee, args.evmFees.feePerByte],
    }),
    "setFee(1003)",
  );
  // Creators paid on Solana (docs/protocol.md §11.3): the program accepts distributions (claims), and the chain's
  // revenue ledger, if deployed, sends its Solana bucket through this TokenBridge to domain 1003. Without both, a
  // report owing Solana creators is refused (SolanaRouteNotSet) or its payout cannot be sent (ClaimsUnsupported).
  await confirmEvm(
    evm,
    owner.writeContract({ ...bridge, functionName: "setClaimsCapable", args: [SOLANA.domain, true] }),
    "setClaimsCapable(1003)",
  );
  await routeRevenueToSolana(evm);

  // 4. Read the wiring back on both sides.
  const publicClient = await evm.connection.viem.getPublicClient();
  const [remoteBridge, remoteToken] = await Promise.all([
    publicClient.readContract({ ...bridge, functionName: "remoteBridge", args: [SOLANA.domain] }),
    publicClient.readContract({
      ...bridge,
      functionName: "remoteToken",
      args: [evm.contracts.demoToken, SOLANA.domain],
    }),
  ]);
  const [tokenConfig, tokenRoute, remote] = await Promise.all([
    client.program.account.tokenConfig.fetch(client.pda.tokenConfig(mint)),
    client.program.account.tokenRoute.fetch(client.pda.tokenRoute(mint, evm.domain)),
    client.program.account.remoteBridge.fetch(client.pda.remoteBridge(evm.domain)),
  ]);
  const claimsCapable = await publicClient.readContract({
    ...bridge,
    functionName: "claimsCapable",
    args: [SOLANA.domain],
  });
  const checks: Array<[string, string, string]> = [
    ["TokenBridge.remoteBridge(1003)", remoteBridge, client.verifier],
    ["TokenBridge.claimsCapable(1003)", String(claimsCapable), "true"],
    ["TokenBridge.remoteToken(demo, 1003)", remoteToken, pubkeyToBytes32(mint)],
    ["token_config.mode", String(tokenConfig.mode), String(MODE_MINT)],
    [`remote_bridge(${evm.domain})`, bytesToHex(Uint8Array.from(remote.bridge)), toBytes32(evm.contracts.tokenBridge)],
    [
      `token_route(${evm.domain}).remote_token`,
      bytesToHex(Uint8Array.from(tokenRoute.remoteToken)),
      toBytes32(evm.contracts.demoToken),
    ],
  ];
  for (const [what, actual, expected] of checks) {
    if (actual.toLowerCase() !== expected.toLowerCase())
      throw new SolanaError(`${what} is ${actual}, expected ${expected}`);
  }
  args.log(
    `linked Solana (domain ${SOLANA.domain}) and domain ${evm.domain} both ways (bridges, token, rate limits, fees)`,
  );
  return mint;
}

/**
 * Sets `evm`'s revenue ledger's Solana route (`CampaignLedger.setSolanaRoute(tokenBridge, 1003)`, once per ledger)
 * when the chain has a revenue suite; a route already set to this bridge and domain is left alone, any other is an
 * error (the ledger never changes it). Returns whether the chain has a revenue suite.
 */
export async function routeRevenueToSolana(evm: ChainDeployment): Promise<boolean> {
  const revenue = evm.revenue;
  if (revenue === undefined) return false;
  const publicClient = await evm.connection.viem.getPublicClient();
  const ledger = { address: revenue.campaignLedger, abi: campaignLedgerAbi } as const;
  const readRoute = () =>
    Promise.all([
      publicClient.readContract({ ...ledger, functionName: "solanaBridge" }),
      publicClient.readContract({ ...ledger, functionName: "solanaDomain" }),
    ]);
  let [bridge, domain] = await readRoute();
  if (bridge === "0x0000000000000000000000000000000000000000") {
    const [owner] = await evm.connection.viem.getWalletClients();
    if (owner === undefined) throw new SolanaError("the EVM connection has no wallet account");
    await confirmEvm(
      evm,
      owner.writeContract({
        ...ledger,
        functionName: "setSolanaRoute",
        args: [evm.contracts.tokenBridge, SOLANA.domain],
      }),
      "CampaignLedger.setSolanaRoute(1003)",
    );
    [bridge, domain] = await readRoute();
  }
  if (bridge.toLowerCase() !== evm.contracts.tokenBridge.toLowerCase() || domain !== SOLANA.domain) {
    throw new SolanaError(
      `CampaignLedger ${revenue.campaignLedger} routes Solana payouts to ${bridge} (domain ${domain}), ` +
        `not to ${evm.contracts.tokenBridge} (domain ${SOLANA.domain})`,
    );
  }
  return true;
}

/** The symbol of `evm`'s canonical demo token in its deployment file. */
export function evmSymbol(evm: ChainDeployment): string {
  const entry = Object.entries(evm.deployment.contracts.tokens).find(
    ([, token]) => token.address.toLowerCase() === evm.contracts.demoToken.toLowerCase(),
  );
  return entry?.[0] ?? "DEMO";
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

export { SolanaError };
