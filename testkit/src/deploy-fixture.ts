// The one deploy fixture: a child process that deploys maskoii on two running `hardhat node`s with the devnet's own
// deployment code (deploy.ts), optionally initializes the program on a running local Solana RPC and links it with
// chain A both ways (solana.ts), and prints one `RESULT {json}` line:
//   { a, b: ChainContracts, chains: [{ domain, ...contracts, demoRecipient }] (with --demo-recipients), mint?,
//     revenueA? (chain A's revenue suite; with --solana its ledger routes Solana payouts through TokenBridge A) }
// It runs in its own process because Hardhat wants its config and its own process state; start it with
// `runDeployFixture` (index.ts), from the repository root:
//   node testkit/src/deploy-fixture.ts --rpc-a <url> --rpc-b <url> --attesters 0x..,0x.. [--threshold 6666]
//     [--out <deployments dir>] [--demo-recipients]
//     [--solana <url> --solana-ws <url> --program-id <id> --upgrade-authority <key>]
import { parseArgs } from "node:util";
import hre from "hardhat";
import { getAddress } from "viem";
import { DEFAULT_FEES, deployMaskoii } from "./deploy.ts";
import { TestkitError } from "./errors.ts";
import type { ManagedProcess } from "./processes.ts";
import { closeSolanaConnection, deploySolana } from "./solana.ts";

const { values } = parseArgs({
  options: {
    "rpc-a": { type: "string" },
    "rpc-b": { type: "string" },
    solana: { type: "string" },
    "solana-ws": { type: "string" },
    "program-id": { type: "string" },
    "upgrade-authority": { type: "string" },
    attesters: { type: "string" },
    threshold: { type: "string", default: "6666" },
    out: { type: "string" },
    "demo-recipients": { type: "boolean", default: false },
  },
});
const rpcA = values["rpc-a"];
const rpcB = values["rpc-b"];
const { solana, attesters: list } = values;
const solanaWs = values["solana-ws"];
const programId = values["program-id"];
const upgradeAuthority = values["upgrade-authority"];
const usage =
  "usage: deploy-fixture --rpc-a <url> --rpc-b <url> --attesters <a,b,c> [--threshold <bps>] [--out <dir>]" +
  " [--demo-recipients] [--solana <url> --solana-ws <url> --program-id <id> --upgrade-authority <key>]";
if (rpcA === undefined || rpcB === undefined || list === undefined) throw new TestkitError("FixtureUsage", usage);
const withSolana = solana !== undefined;
if (withSolana && (solanaWs === undefined || programId === undefined || upgradeAuthority === undefined)) {
  throw new TestkitError("FixtureUsage", usage);
}
const attesters = list.split(",").map((a) => getAddress(a));
const weights = attesters.map(() => 1n);
const thresholdBps = Number(values.threshold);

await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
const connectionA = await hre.network.create({ network: "devnetA", override: { url: rpcA } });
const connectionB = await hre.network.create({ network: "devnetB", override: { url: rpcB } });
const [a, b] = await deployMaskoii({
  chains: [
    { connection: connectionA, domain: 1001, rpcUrl: rpcA },
    { connection: connectionB, domain: 1002, rpcUrl: rpcB },
  ],
  attesters,
  weights,
  thresholdBps,
  freshChains: true,
  ...(values.out === undefined ? {} : { deploymentsDir: values.out }),
});
let mint: string | undefined;
if (withSolana) {
  const deployed = await deploySolana({
    // The endpoint was started by the test, not by a supervisor of this process.
    endpoint: {
      process: undefined as unknown as ManagedProcess,
      url: solana,
      wsUrl: solanaWs as string,
      programId: programId as string,
      upgradeAuthority: upgradeAuthority as string,
    },
    attesters,
    weights,
    thresholdBps,
    evm: a,
    evmFees: DEFAULT_FEES,
    log: () => {},
  });
  mint = deployed.mint.toBase58();
  closeSolanaConnection(deployed.connection);
}
const chains = [];
if (values["demo-recipients"]) {
  for (const chain of [a, b]) {
    const [owner] = await chain.connection.viem.getWalletClients();
    if (owner === undefined) throw new TestkitError("FixtureNoOwner", "no owner account");
    const recipient = await chain.connection.viem.deployContract("DemoRecipient", [
      chain.contracts.gateway,
      owner.account.address,
    ]);
    chains.push({ domain: chain.domain, ...chain.contracts, demoRecipient: getAddress(recipient.address) });
  }
}
await connectionA.close();
await connectionB.close();
process.stdout.write(
  `RESULT ${JSON.stringify({
    a: a.contracts,
    b: b.contracts,
    chains,
    ...(mint === undefined ? {} : { mint }),
    ...(a.revenue === undefined ? {} : { revenueA: a.revenue }),
  })}\n`,
);
process.exit(0);
