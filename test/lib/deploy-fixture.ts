// Child process of the e2e stack: deploys maskoii on two running `hardhat node`s with the repository's own deployment
// code (scripts/deploy.ts), adds a DemoRecipient on each chain, writes deployments/<chainId>.json into --out and
// prints one `RESULT {json}` line. Run from the repository root (Hardhat finds its config there):
//   node test/lib/deploy-fixture.ts --rpc-a <url> --rpc-b <url> --out <dir> --attesters 0x..,0x.. [--threshold 6666]
import { parseArgs } from "node:util";
import hre from "hardhat";
import { getAddress } from "viem";
import { deployMaskoii } from "../../scripts/deploy.ts";

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
const deployed = await deployMaskoii({
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
const result = [];
for (const chain of deployed) {
  const [owner] = await chain.connection.viem.getWalletClients();
  if (owner === undefined) throw new Error("no owner account");
  const recipient = await chain.connection.viem.deployContract("DemoRecipient", [
    chain.contracts.gateway,
    owner.account.address,
  ]);
  result.push({ domain: chain.domain, ...chain.contracts, demoRecipient: getAddress(recipient.address) });
}
await connectionA.close();
await connectionB.close();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
