// Ponder over every EVM chain that has a deployment file (src/deployments.ts): the Gateway (which is also the
// chain's attester set) and the TokenBridge, from each deployment's `deployedAt` block. ABIs are the sdk's generated
// ones (the `as const` TypeScript twins of @maskoii/sdk/abi/*.json, generated from the same artifacts; a test checks
// that they are equal). Storage: PostgreSQL when DATABASE_URL is set, PGlite otherwise (MASKOII_PGLITE_DIR).
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { createConfig } from "ponder";
import { IndexerConfigError, loadIndexedChains } from "./src/deployments.ts";

const indexed = loadIndexedChains();

type ChainEntry = { id: number; rpc: string; pollingInterval: number; disableCache: boolean };
type ContractChain = { address: `0x${string}`; startBlock: number };

const chains: Record<string, ChainEntry> = {};
const gateways: Record<string, ContractChain> = {};
const bridges: Record<string, ContractChain> = {};
for (const c of indexed) {
  chains[c.name] = {
    id: c.deployment.chainId,
    rpc: c.rpcUrl,
    pollingInterval: Number(process.env.MASKOII_POLL_MS ?? 1_000),
    // Local chains are redeployed from block 0 on every devnet start: a cached block would be another chain's.
    disableCache: c.deployment.chainId === 31337 || c.deployment.chainId === 31338,
  };
  const startBlock = c.deployment.deployedAt.blockNumber;
  gateways[c.name] = { address: c.deployment.contracts.gateway, startBlock };
  bridges[c.name] = { address: c.deployment.contracts.tokenBridge, startBlock };
}

const databaseUrl = process.env.DATABASE_URL;
/** The chain whose new blocks drive the Solana reader (src/solana/poll.ts): the first one. */
const clock = indexed[0];
if (clock === undefined) throw new IndexerConfigError("no EVM chain to index");

export default createConfig({
  database:
    databaseUrl !== undefined && databaseUrl !== ""
      ? { kind: "postgres", connectionString: databaseUrl }
      : { kind: "pglite", directory: process.env.MASKOII_PGLITE_DIR ?? ".ponder/pglite" },
  // Each chain is indexed on its own (a quiet local chain must not hold the others back); the handlers do not
  // depend on the order across chains (src/lifecycle.ts).
  ordering: "multichain",
  chains,
  contracts: {
    Gateway: { abi: gatewayAbi, chain: gateways },
    TokenBridge: { abi: tokenBridgeAbi, chain: bridges },
  },
  blocks: {
    // Every block of the first chain polls the Solana program for new confirmed transactions (a no-op without
    // MASKOII_SOLANA_DEPLOYMENT). README.md explains why the Solana reader runs inside Ponder this way.
    SolanaPoll: { chain: clock.name, interval: 1, startBlock: clock.deployment.deployedAt.blockNumber },
  },
});
