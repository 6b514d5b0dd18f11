// Deploys maskoii to the running devnet chains (networks devnetA and devnetB of hardhat.config.ts) with the devnet's
// deterministic attesters unless --attesters is given; the deployment code is @maskoii/testkit's deploy.ts.
//   node scripts/deploy.ts [--attesters 0x..,0x..] [--weights 1,1] [--threshold 6666] [--fresh]
// Re-running it resumes Ignition's journal and only completes missing links; --fresh drops the journal first (for
// chains restarted since the last run).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { devnetAttesters } from "@maskoii/testkit";
import { deployMaskoii } from "@maskoii/testkit/deploy";
import { getAddress } from "viem";
import { CHAIN_A, CHAIN_B } from "./lib/chains.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  const { network } = await import("hardhat");
  const attesters =
    flag("attesters")
      ?.split(",")
      .map((a) => getAddress(a.trim())) ?? devnetAttesters(3).map((attester) => attester.account.address);
  const weights =
    flag("weights")
      ?.split(",")
      .map((w) => BigInt(w.trim())) ?? attesters.map(() => 1n);
  const thresholdBps = Number(flag("threshold") ?? "6666");
  const connectionA = await network.create(CHAIN_A.network);
  const connectionB = await network.create(CHAIN_B.network);
  await deployMaskoii({
    chains: [
      { connection: connectionA, domain: CHAIN_A.domain, rpcUrl: CHAIN_A.rpcUrl },
      { connection: connectionB, domain: CHAIN_B.domain, rpcUrl: CHAIN_B.rpcUrl },
    ],
    attesters,
    weights,
    thresholdBps,
    deploymentsDir: join(ROOT, "deployments"),
    freshChains: process.argv.includes("--fresh"),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  await connectionA.close();
  await connectionB.close();
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`deploy failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
