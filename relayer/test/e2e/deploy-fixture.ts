// Child process of the end-to-end test: deploys maskoii on two running `hardhat node`s with the repository's own
// deployment code (scripts/deploy.ts), writes deployments/<chainId>.json into --out and prints one `RESULT {json}`
// line. Run from the repository root (Hardhat finds its config there):
//   node relayer/test/e2e/deploy-fixture.ts --rpc-a <url> --rpc-b <url> --out <dir> --attesters 0x..,0x..,0x..
import { parseArgs } from "node:util";
import hre from "hardhat";
import { getAddress } from "viem";
import { deployMaskoii } from "../../../scripts/deploy.ts";

const { values } = parseArgs({
  options: {
    "rpc-a": { type: "string" },
    "rpc-b": { type: "string" },
    out: { type: "string" },
    attesters: { type: "string" },
    threshold: { type: "string", default: "6666" },
  },
});
const rpcA = values["rpc-a"];
const rpcB = values["rpc-b"];
if (rpcA === undefined || rpcB === undefined || values.out === undefined || values.attesters === undefined) {
  throw new Error("usage: deploy-fixture --rpc-a <url> --rpc-b <url> --out <dir> --attesters <a,b,c>");
}
const attesters = values.attesters.split(",").map((a) => getAddress(a));

await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
const connectionA = await hre.network.create({ network: "devnetA", override: { url: rpcA } });
const connectionB = await hre.network.create({ network: "devnetB", override: { url: rpcB } });
const [a, b] = await deployMaskoii({
  chains: [
    { connection: connectionA, domain: 1001, rpcUrl: rpcA },
    { connection: connectionB, domain: 1002, rpcUrl: rpcB },
  ],
  attesters,
  weights: attesters.map(() => 1n),
  thresholdBps: Number(values.threshold),
  deploymentsDir: values.out,
  freshChains: true,
});
await connectionA.close();
await connectionB.close();
process.stdout.write(`RESULT ${JSON.stringify({ a: a.contracts, b: b.contracts })}\n`);
