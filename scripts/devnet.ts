// `npm start`: the local maskoii devnet.
//
// Starts two EVM chains (`hardhat node`, chain ids 31337 and 31338 on 127.0.0.1:8545/8546) and a local Solana endpoint
// (programs/local-rpc, built with cargo, on 127.0.0.1:8899, PubSub 8900), deploys maskoii on both EVM chains with
// locally generated attester keys (3 attesters, 2-of-3 quorum) and links them, initializes the maskoii program on
// Solana (domain 1003, the same attesters) with a bridged SPL mint per EVM chain's demo token, starts three
// `maskoii attester` node processes and one `maskoii relayer` process (scripts/lib/nodes.ts), runs a demo token
// transfer A -> B that the nodes attest and the relayer delivers (printing each stage's time), and a round trip
// A -> Solana -> A (send, attest with the local keys, deliver), a revenue demo on chain A (a campaign funded, an epoch
// reported with the attesters' keys and finalized after a short challenge window, two creators paid on EVM and, with
// Solana, a third paid on Solana through the bridge's distribution message and a claim there), and keeps everything
// up until Ctrl-C / SIGTERM, then stops every process it started. The indexer (Ponder, indexer/) runs beside the nodes
// and its URLs are printed. With `--exit-after-demo` (or
// MASKOII_DEVNET_EXIT=1) it stops everything after the demo. Last, two aggregator nodes (scripts/lib/aggregator-demo.ts)
// read local Farcaster, Mastodon, Lens and RSS servers into the revenue demo's community, bind a Mastodon account to a
// persona from their served signatures and print the community timeline; then the web client (web/, scripts/lib/web.ts)
// is built and served on 127.0.0.1:5173 with a config.json naming the stack; with `--no-solana` (or MASKOII_DEVNET_SOLANA=0) it runs
// the EVM chains only.
//
// Structure: a process supervisor (@maskoii/testkit's Supervisor) and a list of steps sharing a context. Later
// components (attester nodes, relayer) are further supervised processes and steps. A node process that dies is
// restarted by the supervisor with backoff and reported on the console; only a chain dying (or a node that keeps
// dying) stops the devnet.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gatewayAbi } from "@maskoii/sdk";
import { type Attester, devnetAttesters, Supervisor } from "@maskoii/testkit";
import {
  buildLocalRpc,
  type ChainDeployment,
  closeSolanaConnection,
  DEFAULT_FEES,
  deployMaskoii,
  deploySolana,
  SOLANA,
  type SolanaDeployment,
  type SolanaEndpoint,
  startSolana,
} from "@maskoii/testkit/deploy";
import hre from "hardhat";
import { type Hex, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { type AggregatorDemo, runAggregatorDemo } from "./lib/aggregator-demo.ts";
import { CHAIN_A, CHAIN_B, DEVNET_CHAINS } from "./lib/chains.ts";
import { type DemoResult, runDemoTransfer } from "./lib/demo.ts";
import { runEpochDemo } from "./lib/epoch-demo.ts";
import { startEvmChains } from "./lib/evm.ts";
import { type DevnetIndexer, startIndexer } from "./lib/indexer.ts";
import { checkIndexer } from "./lib/indexer-check.ts";
import { type DevnetNodes, startNodes } from "./lib/nodes.ts";
import { type RevenueDemoResult, runRevenueDemo } from "./lib/revenue-demo.ts";
import { runSolanaInbound, runSolanaRoundTrip } from "./lib/solana-demo.ts";
import { startWeb } from "./lib/web.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOG_DIR = join(ROOT, ".devnet", "logs");
const NODES_DIR = join(ROOT, ".devnet", "nodes");
/** Hardhat's default mnemonic; its account #2 pays for the relayer's deliveries. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const RPC_TIMEOUT_MS = 60_000;
const ATTESTER_COUNT = 3;
const QUORUM = 2;
/** 2-of-3 with equal weights: 2 × 10000 ≥ 3 × 6666 but 1 × 10000 < 3 × 6666. */
const THRESHOLD_BPS = 6666;

/** The devnet's revenue epoch length and challenge window (production: an hour or more each). */
const REVENUE_EPOCH_SECONDS = 20;
const REVENUE_WINDOW_SECONDS = 10;

/** What the steps share. */
type Devnet = {
  supervisor: Supervisor;
  attesters: Attester[];
  deployment?: [ChainDeployment, ChainDeployment];
  /** Whether the Solana steps run (`--no-solana`, or no cargo and no binary, turns them off). */
  solana: boolean;
  localRpcBinary?: string;
  solanaEndpoint?: SolanaEndpoint;
  solanaDeployment?: SolanaDeployment;
  nodes?: DevnetNodes;
  indexer?: DevnetIndexer;
  /** The demo transfer A -> B. */
  transfer?: DemoResult;
  revenue?: RevenueDemoResult;
  /** The aggregator nodes and the networks' local servers (in this process). */
  aggregator?: AggregatorDemo;
  /** The community web client's static server (in this process). */
  web?: { url: string; close(): Promise<void> };
};

/** The aggregator nodes' close grace: the engagement task's minimum (the beacons' 60 s clock skew). */
const CLOSE_GRACE_MS = 60_000;

function relayerKey(addressIndex = 2): Hex {
  const key = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex }).getHdKey().privateKey;
  if (key === null) throw new DevnetError("cannot derive the relayer key from the Hardhat mnemonic");
  return toHex(key);
}

type Step = {
  name: string;
  /** Only Solana steps set this: they are skipped when the devnet runs without Solana. */
  solana?: boolean;
  run: (devnet: Devnet) => Promise<void>;
};

/** Raised when a step finds the devnet in a state it cannot continue from. */
class DevnetError extends Error {
  override readonly name = "DevnetError";
}

function log(line: string): void {
  process.stdout.write(`[devnet] ${line}\n`);
}

const steps: Step[] = [
  {
    name: "compile contracts",
    run: async () => {
      await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    },
  },
  {
    name: "build the local Solana RPC (cargo)",
    solana: true,
    run: async (devnet) => {
      devnet.localRpcBinary = await buildLocalRpc({ supervisor: devnet.supervisor, root: ROOT, logDir: LOG_DIR, log });
      if (devnet.localRpcBinary === undefined) devnet.solana = false;
    },
  },
  {
    name: "start EVM chains",
    run: async (devnet) =>
      startEvmChains({
        supervisor: devnet.supervisor,
        chains: DEVNET_CHAINS,
        root: ROOT,
        logDir: LOG_DIR,
        timeoutMs: RPC_TIMEOUT_MS,
        log,
      }),
  },
  {
    name: "start the local Solana RPC",
    solana: true,
    run: async (devnet) => {
      if (devnet.localRpcBinary === undefined) throw new DevnetError("the Solana RPC needs the build step first");
      devnet.solanaEndpoint = await startSolana({
        supervisor: devnet.supervisor,
        binary: devnet.localRpcBinary,
        logDir: LOG_DIR,
        timeoutMs: RPC_TIMEOUT_MS,
        log,
      });
    },
  },
  {
    name: "deploy and link maskoii on both chains",
    run: async (devnet) => {
      log(
        `attesters (${ATTESTER_COUNT}, equal weight, threshold ${THRESHOLD_BPS} bps = ${QUORUM}-of-${ATTESTER_COUNT}):`,
      );
      for (const attester of devnet.attesters) log(`  ${attester.account.address}`);
      devnet.deployment = await deployMaskoii({
        chains: [
          { connection: await hre.network.create(CHAIN_A.network), domain: CHAIN_A.domain, rpcUrl: CHAIN_A.rpcUrl },
          { connection: await hre.network.create(CHAIN_B.network), domain: CHAIN_B.domain, rpcUrl: CHAIN_B.rpcUrl },
        ],
        attesters: devnet.attesters.map((attester) => attester.account.address),
        weights: devnet.attesters.map(() => 1n),
        thresholdBps: THRESHOLD_BPS,
        // Short revenue epochs and challenge window, so that the revenue demo reports and finalizes within a minute.
        revenue: { epochLength: REVENUE_EPOCH_SECONDS, challengeWindow: REVENUE_WINDOW_SECONDS, refundDelay: 30 },
        deploymentsDir: join(ROOT, "deployments"),
        freshChains: true,
        log,
      });
    },
  },
  {
    name: "initialize maskoii on Solana and link it with chains A and B",
    solana: true,
    run: async (devnet) => {
      if (devnet.deployment === undefined || devnet.solanaEndpoint === undefined) {
        throw new DevnetError("linking Solana needs the EVM deployment and the Solana RPC first");
      }
      devnet.solanaDeployment = await deploySolana({
        endpoint: devnet.solanaEndpoint,
        attesters: devnet.attesters.map((attester) => attester.account.address),
        weights: devnet.attesters.map(() => 1n),
        thresholdBps: THRESHOLD_BPS,
        evm: devnet.deployment[0],
        alsoLink: [devnet.deployment[1]],
        evmFees: DEFAULT_FEES,
        summaryFile: join(ROOT, ".devnet", "solana.json"),
        log,
      });
    },
  },
  {
    name: `start ${ATTESTER_COUNT} attester nodes and the relayer`,
    run: async (devnet) => {
      if (devnet.deployment === undefined) throw new DevnetError("the nodes need the deploy step first");
      const solana = devnet.solanaDeployment;
      devnet.nodes = await startNodes({
        supervisor: devnet.supervisor,
        root: ROOT,
        dir: NODES_DIR,
        logDir: LOG_DIR,
        // Local chains mine a block per transaction, so a block is final as soon as it exists (depth 0); a public
        // chain uses its `finalized` tag or a real confirmation depth.
        chains: [
          ...DEVNET_CHAINS.map((chain) => ({
            domain: chain.domain,
            rpcUrl: chain.rpcUrl,
            deploymentFile: join(ROOT, "deployments", `${chain.chainId}.json`),
            finality: { kind: "confirmations", depth: 0 },
            pollIntervalMs: 200,
          })),
          ...(solana === undefined
            ? []
            : [
                {
                  family: "solana",
                  domain: SOLANA.domain,
                  rpcUrl: solana.endpoint.url,
                  programId: solana.endpoint.programId,
                  commitment: "confirmed",
                  pollIntervalMs: 200,
                },
              ]),
        ],
        attesters: devnet.attesters,
        relayerKey: relayerKey(),
        // The relayer pays Solana fees with the funded devnet relayer keypair (its 32-byte ed25519 seed).
        ...(solana === undefined ? {} : { relayerSolanaKey: toHex(solana.relayer.secretKey.slice(0, 32)) }),
        log,
      });
    },
  },
  {
    name: "start the indexer (Ponder: REST, GraphQL, SQL over HTTP)",
    run: async (devnet) => {
      devnet.indexer = await startIndexer({
        supervisor: devnet.supervisor,
        root: ROOT,
        logDir: LOG_DIR,
        ...(devnet.solanaDeployment === undefined
          ? {}
          : { solanaDeploymentFile: join(ROOT, ".devnet", "solana.json") }),
        log,
      });
      for (const line of devnet.indexer.urls) log(`  indexer: ${line}`);
    },
  },
  {
    name: "demo transfer A -> B (attested by the nodes, delivered by the relayer)",
    run: async (devnet) => {
      if (devnet.deployment === undefined || devnet.nodes === undefined) {
        throw new DevnetError("the demo needs the deployment and the nodes first");
      }
      devnet.transfer = await runDemoTransfer({
        deployment: devnet.deployment,
        nodes: devnet.nodes,
        quorum: QUORUM,
        log,
      });
    },
  },
  {
    name: "demo round trip A -> Solana -> A, and B -> Solana",
    solana: true,
    run: async (devnet) => {
      if (devnet.solanaDeployment === undefined) throw new DevnetError("the Solana demo needs the Solana setup first");
      if (devnet.nodes === undefined) throw new DevnetError("the Solana demo needs the nodes first");
      await runSolanaRoundTrip({ solana: devnet.solanaDeployment, nodes: devnet.nodes, quorum: QUORUM, log });
      const linkB = devnet.solanaDeployment.links[1];
      if (linkB === undefined) throw new DevnetError("chain B is not linked with Solana");
      await runSolanaInbound({
        solana: devnet.solanaDeployment,
        link: linkB,
        nodes: devnet.nodes,
        quorum: QUORUM,
        log,
      });
    },
  },
  {
    // After the Solana round trip, whose message nonces and bridged supply it leaves untouched.
    name: "revenue demo on chain A: fund a campaign, report an epoch, finalize, pay the creators",
    run: async (devnet) => {
      const chainA = devnet.deployment?.[0];
      if (chainA === undefined) throw new DevnetError("the revenue demo needs the deployment first");
      const solana = devnet.solanaDeployment;
      const nodes = devnet.nodes;
      devnet.revenue = await runRevenueDemo({
        chain: chainA,
        attesters: devnet.attesters,
        quorum: QUORUM,
        ...(solana === undefined || nodes === undefined ? {} : { solana: { deployment: solana, nodes } }),
        log,
      });
    },
  },
  {
    name: "indexer: the demo's message and payouts through the REST API",
    run: async (devnet) => {
      const { indexer, transfer, revenue } = devnet;
      if (indexer === undefined || transfer === undefined || revenue === undefined) {
        throw new DevnetError("the indexer check needs the indexer, the demo transfer and the revenue demo first");
      }
      await checkIndexer({
        url: indexer.url,
        messages: [{ label: "A -> B", id: transfer.messageId, status: "delivered" }],
        communityId: revenue.communityId,
        ...(revenue.solanaPayoutMessage === undefined ? {} : { solanaPayoutMessage: revenue.solanaPayoutMessage }),
        creators: revenue.paid.filter((p) => p.chain === "evm").map((p) => ({ persona: p.persona, amount: p.amount })),
        decimals: 18,
        symbol: "DEMO",
        log,
      });
    },
  },
  {
    name: "aggregator: community timeline from Farcaster, Mastodon, Lens and RSS, an identity proof bound",
    run: async (devnet) => {
      const chainA = devnet.deployment?.[0];
      const revenue = devnet.revenue;
      if (chainA === undefined || revenue === undefined) {
        throw new DevnetError("the aggregator demo needs the deployment and the revenue demo's community first");
      }
      devnet.aggregator = await runAggregatorDemo({
        chain: chainA,
        rpcUrl: CHAIN_A.rpcUrl,
        attesters: devnet.attesters,
        quorum: QUORUM,
        communityId: revenue.communityId,
        closeGraceMs: CLOSE_GRACE_MS,
        dir: join(ROOT, ".devnet", "aggregator"),
        log,
      });
    },
  },
  {
    name: "epoch: viewers' beacons, the aggregator nodes close the epoch, the relayer submits, a creator is paid",
    run: async (devnet) => {
      const chainA = devnet.deployment?.[0];
      const { revenue, aggregator } = devnet;
      if (chainA === undefined || revenue === undefined || aggregator === undefined) {
        throw new DevnetError("the epoch demo needs the deployment, the revenue demo and the aggregator nodes first");
      }
      await runEpochDemo({
        chain: chainA,
        rpcUrl: CHAIN_A.rpcUrl,
        deploymentFile: join(ROOT, "deployments", `${CHAIN_A.chainId}.json`),
        attesters: devnet.attesters,
        quorum: QUORUM,
        revenue,
        aggregator,
        closeGraceMs: CLOSE_GRACE_MS,
        // Hardhat's account #3 (the aggregator demo's binding submitter, idle by now) pays the report submitter.
        payingKey: relayerKey(3),
        dir: join(ROOT, ".devnet", "epoch"),
        log,
      });
    },
  },
  {
    name: "web client: build web/ and serve it (community, feed, private posts, identity, earnings, bridge)",
    run: async (devnet) => {
      const deployment = devnet.deployment;
      const aggregator = devnet.aggregator;
      const revenue = devnet.revenue;
      if (deployment === undefined || aggregator === undefined || revenue === undefined) {
        throw new DevnetError("the web client needs the deployment and the aggregator nodes first");
      }
      const publicClient = await deployment[0].connection.viem.getPublicClient();
      const attesterSetId = await publicClient.readContract({
        address: deployment[0].contracts.gateway,
        abi: gatewayAbi,
        functionName: "currentSetId",
      });
      devnet.web = await startWeb({
        root: ROOT,
        logDir: LOG_DIR,
        chains: deployment,
        attesters: devnet.attesters,
        attesterSetId,
        communityId: revenue.communityId,
        ...(devnet.indexer === undefined ? {} : { indexerUrl: devnet.indexer.url }),
        aggregator,
        log,
      });
    },
  },
];

const exitAfterDemo = process.argv.includes("--exit-after-demo") || process.env.MASKOII_DEVNET_EXIT === "1";
const withSolana = !process.argv.includes("--no-solana") && process.env.MASKOII_DEVNET_SOLANA !== "0";
const devnet: Devnet = {
  supervisor: new Supervisor(),
  attesters: devnetAttesters(ATTESTER_COUNT),
  solana: withSolana,
};
let shuttingDown: Promise<void> | undefined;

function shutdown(reason: string, code: number): Promise<void> {
  shuttingDown ??= (async () => {
    log(`stopping (${reason})`);
    let exitCode = code;
    if (devnet.solanaDeployment !== undefined) closeSolanaConnection(devnet.solanaDeployment.connection);
    await devnet.web?.close().catch(() => undefined);
    await devnet.aggregator?.stop().catch(() => undefined);
    try {
      await devnet.supervisor.stopAll();
      log("all devnet processes stopped");
    } catch (error) {
      process.stderr.write(`[devnet] ${error instanceof Error ? error.message : String(error)}\n`);
      if (exitCode === 0) exitCode = 1;
    }
    process.exit(exitCode);
  })();
  return shuttingDown;
}

process.on("SIGINT", () => void shutdown("SIGINT", 0));
process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
// If this process ends any other way, never leave a chain behind.
process.on("exit", () => devnet.supervisor.killAllSync());
// A node (attester, relayer) that dies is restarted with backoff (scripts/lib/nodes.ts NODE_RESTART) and reported;
// a chain that dies, or a node that keeps dying, stops the devnet.
devnet.supervisor.onRestart((event) => {
  log(
    `${event.name} (pid ${event.pid}) exited unexpectedly (${String(event.code)}); restarting in ${event.delayMs} ms (restart ${event.restarts} in a row); see ${join(LOG_DIR, `${event.name}.log`)}`,
  );
});
devnet.supervisor.onUnexpectedExit((name, code) => {
  void shutdown(`${name} exited unexpectedly (${String(code)}); see ${join(LOG_DIR, `${name}.log`)}`, 1);
});

async function main(): Promise<void> {
  for (const step of steps) {
    if (shuttingDown !== undefined) return;
    if (step.solana === true && !devnet.solana) continue;
    log(`step: ${step.name}`);
    await step.run(devnet);
  }
  if (exitAfterDemo) {
    await shutdown("demo done, --exit-after-demo", 0);
    return;
  }
  log("devnet up; Ctrl-C to stop");
  for (const chain of DEVNET_CHAINS) log(`  ${chain.name}: ${chain.rpcUrl} (domain ${chain.domain})`);
  if (devnet.solanaEndpoint !== undefined) {
    const solana = devnet.solanaEndpoint;
    log(`  solana: ${solana.url} (PubSub ${solana.wsUrl}, domain ${SOLANA.domain}, program ${solana.programId})`);
  }
  for (const line of devnet.indexer?.urls ?? []) log(`  indexer: ${line}`);
  if (devnet.aggregator !== undefined) {
    log(`  community timeline: ${devnet.aggregator.timelineUrl}`);
    log(`  community feed: ${devnet.aggregator.feedUrl}`);
  }
  if (devnet.web !== undefined) log(`  web client: ${devnet.web.url}/`);
  // The supervised processes keep the event loop alive; this keeps it alive even if they stop piping output.
  setInterval(() => {}, 1 << 30);
}

/** Errors whose message says it all; anything else is unexpected and gets its stack printed. */
const EXPECTED_ERRORS = new Set([
  "ChainStartError",
  "RpcError",
  "DeployError",
  "DemoError",
  "DevnetError",
  "SolanaError",
  "MaskoiiProgramError",
]);

main().catch((error: unknown) => {
  const text =
    error instanceof Error
      ? EXPECTED_ERRORS.has(error.name)
        ? error.message
        : (error.stack ?? error.message)
      : String(error);
  process.stderr.write(`[devnet] failed: ${text}\n`);
  void shutdown("error", 1);
});
