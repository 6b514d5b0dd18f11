// `npm start`: the local maskoii devnet.
//
// Starts two EVM chains (`hardhat node`, chain ids 31337 and 31338 on 127.0.0.1:8545/8546), deploys maskoii on both
// with locally generated attester keys (3 attesters, 2-of-3 quorum), links them, runs a demo token transfer A -> B
// (send, attest with the local keys, deliver) and keeps the chains up until Ctrl-C / SIGTERM. With
// `--exit-after-demo` (or MASKOII_DEVNET_EXIT=1) it stops everything after the demo, for tests.
//
// It is a small supervisor (scripts/lib/processes.ts) plus steps, so that later components (Solana validator,
// attester nodes, relayer) are further processes and steps.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import hre from "hardhat";
import { deployMaskoii } from "./deploy.ts";
import { DEVNET_CHAINS, type DevnetChain, HOST } from "./lib/chains.ts";
import { runDemoTransfer } from "./lib/demo.ts";
import { devnetAttesters } from "./lib/keys.ts";
import { type ManagedProcess, Supervisor } from "./lib/processes.ts";
import { probeChainId, waitForRpc } from "./lib/rpc.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOG_DIR = join(ROOT, ".devnet", "logs");
const RPC_TIMEOUT_MS = 60_000;
const ATTESTER_COUNT = 3;
/** 2-of-3 with equal weights: 2 × 10000 ≥ 3 × 6666 but 1 × 10000 < 3 × 6666. */
const THRESHOLD_BPS = 6666;

/** Raised for a devnet that cannot start (port taken, chain not answering). */
class DevnetError extends Error {
  override readonly name = "DevnetError";
}

function log(line: string): void {
  process.stdout.write(`[devnet] ${line}\n`);
}

const exitAfterDemo = process.argv.includes("--exit-after-demo") || process.env.MASKOII_DEVNET_EXIT === "1";
const supervisor = new Supervisor();
let shuttingDown: Promise<void> | undefined;

async function shutdown(reason: string, code: number): Promise<void> {
  if (shuttingDown !== undefined) return shuttingDown;
  shuttingDown = (async () => {
    log(`stopping (${reason})`);
    try {
      await supervisor.stopAll();
      log("all devnet processes stopped");
    } catch (error) {
      process.stderr.write(`[devnet] ${(error as Error).message}\n`);
      code = code === 0 ? 1 : code;
    }
    process.exit(code);
  })();
  return shuttingDown;
}

process.on("SIGINT", () => void shutdown("SIGINT", 0));
process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
// If we die some other way, never leave a chain behind.
process.on("exit", () => supervisor.killAllSync());
supervisor.onUnexpectedExit((name, code) => {
  void shutdown(`${name} exited unexpectedly (${String(code)}); see ${join(LOG_DIR, `${name}.log`)}`, 1);
});

/** Step: one `hardhat node` per chain, each in its own process group. */
async function startChains(chains: readonly DevnetChain[]): Promise<void> {
  for (const chain of chains) {
    const answering = await probeChainId(chain.rpcUrl);
    if (answering !== undefined) {
      throw new DevnetError(
        `${chain.rpcUrl} is already in use (chain id ${answering}); stop whatever runs there first`,
      );
    }
  }
  const started: Array<{ chain: DevnetChain; process: ManagedProcess }> = [];
  for (const chain of chains) {
    const managed = supervisor.start({
      name: chain.name,
      command: "npx",
      args: ["hardhat", "node", "--hostname", HOST, "--port", String(chain.port), "--chain-id", String(chain.chainId)],
      cwd: ROOT,
      logFile: join(LOG_DIR, `${chain.name}.log`),
    });
    log(`started ${chain.name} (pid ${managed.pid}), log ${managed.logFile}`);
    started.push({ chain, process: managed });
  }
  await Promise.all(
    started.map(({ chain, process: managed }) =>
      waitForRpc(chain.rpcUrl, chain.chainId, { timeoutMs: RPC_TIMEOUT_MS, abort: managed.exited }),
    ),
  );
  for (const chain of chains)
    log(`${chain.name} up: ${chain.rpcUrl} chain id ${chain.chainId}, domain ${chain.domain}`);
}

async function main(): Promise<void> {
  log("compiling contracts");
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });

  await startChains(DEVNET_CHAINS);

  const attesters = devnetAttesters(ATTESTER_COUNT);
  log(`attesters (${ATTESTER_COUNT}, equal weight, threshold ${THRESHOLD_BPS} bps = 2-of-3):`);
  for (const attester of attesters) log(`  ${attester.account.address}`);

  const [chainA, chainB] = DEVNET_CHAINS as [DevnetChain, DevnetChain];
  const connectionA = await hre.network.create(chainA.network);
  const connectionB = await hre.network.create(chainB.network);
  const deployment = await deployMaskoii({
    chains: [
      { connection: connectionA, domain: chainA.domain, rpcUrl: chainA.rpcUrl },
      { connection: connectionB, domain: chainB.domain, rpcUrl: chainB.rpcUrl },
    ],
    attesters: attesters.map((attester) => attester.account.address),
    weights: attesters.map(() => 1n),
    thresholdBps: THRESHOLD_BPS,
    deploymentsDir: join(ROOT, "deployments"),
    freshChains: true,
    log,
  });

  await runDemoTransfer({ deployment, attesters, quorum: 2, log });

  if (exitAfterDemo) {
    await shutdown("demo done, --exit-after-demo", 0);
    return;
  }
  log("devnet up; Ctrl-C to stop");
  for (const chain of DEVNET_CHAINS) log(`  ${chain.name}: ${chain.rpcUrl} (domain ${chain.domain})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[devnet] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  void shutdown("error", 1);
});
