// The subgraph's test chains: the testkit's bridge scenario (two local hardhat chains deployed with the deploy
// fixture, and the chain actions the scenarios need, done directly: the test signs attestations with the fixture's
// attester keys; no relayer), the same driver the indexer's test stack (indexer/test/stack.ts) extends, so both index
// the same kind of run. Adds the deployment files the manifest generator reads.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Deployment, parseDeployment } from "@maskoii/sdk";
import { BridgeScenario } from "@maskoii/testkit/bridge-scenario";

export type { Sent } from "@maskoii/testkit/bridge-scenario";

export class Chains extends BridgeScenario {
  constructor() {
    super({ dirPrefix: "maskoii-subgraph-", attesterLabel: "maskoii subgraph test" });
  }

  /** The deployment file the fixture wrote for `domain` (what scripts/manifest.ts reads). */
  deployment(domain: number): Deployment {
    const chainId = domain === 1001 ? 31337 : 31338;
    const file = join(this.dir, "deployments", `${chainId}.json`);
    return parseDeployment(JSON.parse(readFileSync(file, "utf8")), file);
  }
}
