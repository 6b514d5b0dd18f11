// Child process of the Solana flow test: deploys maskoii on two running `hardhat node`s (scripts/deploy.ts needs a
// pair), then initializes the program on a running local Solana RPC and links it with chain A both ways
// (scripts/lib/solana.ts, the devnet's own code), and prints one `RESULT {json}` line. Run from the repository root:
//   node relayer/test/e2e/deploy-solana-fixture.ts --rpc-a <url> --rpc-b <url> --solana <url> --solana-ws <url>
//     --attesters 0x..,0x..,0x..
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
closeSolanaConnection(deployed.connection);
await connectionA.close();
await connectionB.close();
process.stdout.write(`RESULT ${JSON.stringify({ a: a.contracts, b: b.contracts, mint: deployed.mint.toBase58() })}\n`);
process.exit(0);
