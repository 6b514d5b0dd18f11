// Child process of the Solana flow test: deploys maskoii on two running `hardhat node`s (scripts/deploy.ts needs a
// pair), then initializes the program on a running local Solana RPC and links it with chain A both ways
// (scripts/lib/solana.ts, the devnet's own code), and prints one `RESULT {json}` line. Run from the repository root:
//   node relayer/test/e2e/deploy-solana-fixture.ts --rpc-a <url> --rpc-b <url> --solana <url> --solana-ws <url>
//     --attesters 0x..,0x..,0x.. [--threshold 6666] [--out <deployments dir>] [--demo-recipients]
// The process-level e2e stack (test/lib/stack.ts) runs it too: with --out (deployments/<chainId>.json for the
// maskoii configs) and --demo-recipients (a DemoRecipient per EVM chain, listed in RESULT's `chains`).
import { parseArgs } from "node:util";
import hre from "hardhat";
import { getAddress } from "viem";
import { DEFAULT_FEES, deployMaskoii } from "../../../scripts/deploy.ts";
import type { ManagedProcess } from "../../../scripts/lib/processes.ts";
import { closeSolanaConnection, deploySolana } from "../../../scripts/lib/solana.ts";

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
if (
  rpcA === undefined ||
  rpcB === undefined ||
  solana === undefined ||
  solanaWs === undefined ||
  programId === undefined ||
  upgradeAuthority === undefined ||
  list === undefined
) {
  throw new Error(
    "usage: deploy-solana-fixture --rpc-a --rpc-b --solana --solana-ws --program-id --upgrade-authority --attesters",
  );
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
const deployed = await deploySolana({
  // The endpoint was started by the test, not by a supervisor of this process.
  endpoint: {
    process: undefined as unknown as ManagedProcess,
    url: solana,
    wsUrl: solanaWs,
    programId,
    upgradeAuthority,
  },
  attesters,
  weights,
  thresholdBps,
  evm: a,
  evmFees: DEFAULT_FEES,
  log: () => {},
});
const chains = [];
if (values["demo-recipients"]) {
  for (const chain of [a, b]) {
    const [owner] = await chain.connection.viem.getWalletClients();
    if (owner === undefined) throw new Error("no owner account");
    const recipient = await chain.connection.viem.deployContract("DemoRecipient", [
      chain.contracts.gateway,
      owner.account.address,
    ]);
    chains.push({ domain: chain.domain, ...chain.contracts, demoRecipient: getAddress(recipient.address) });
  }
}
closeSolanaConnection(deployed.connection);
await connectionA.close();
await connectionB.close();
process.stdout.write(
  `RESULT ${JSON.stringify({ a: a.contracts, b: b.contracts, mint: deployed.mint.toBase58(), chains })}\n`,
);
process.exit(0);
