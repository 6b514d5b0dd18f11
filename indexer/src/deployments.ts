// Which chains the indexer reads, from the deployment files (deployments/<chainId>.json, validated by the sdk's
// schema) and a few environment variables, so that another network is configuration only (README.md):
//   MASKOII_DEPLOYMENTS_DIR   directory of <chainId>.json files (default: the repository's deployments/)
//   MASKOII_DEPLOYMENTS       comma-separated deployment files instead of a directory scan
//   MASKOII_RPC_<chainId>     the chain's JSON-RPC URL (default: the file's rpcUrl)
//   MASKOII_SOLANA_DEPLOYMENT the Solana deployment file (.devnet/solana.json on the devnet); unset: no Solana
//   MASKOII_SOLANA_RPC        the Solana JSON-RPC URL (default: the file's rpcUrl)
// Read synchronously: ponder.config.ts is evaluated once at start-up and the handlers import the same values.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BaseError, type Deployment, parseDeployment, parseSolanaDeployment } from "@maskoii/sdk";

/** The repository's deployments/ directory, which the devnet writes. */
export const DEFAULT_DEPLOYMENTS_DIR = fileURLToPath(new URL("../../deployments", import.meta.url));

/** The indexer's configuration (deployment files, environment) is missing or does not fit. */
export class IndexerConfigError extends BaseError<"IndexerConfig"> {
  override name = "IndexerConfigError";
  constructor(message: string) {
    super("IndexerConfig", message);
  }
}

/** One indexed EVM chain: its deployment, the Ponder chain name and the RPC URL. */
export type IndexedChain = {
  readonly name: string;
  readonly rpcUrl: string;
  readonly deployment: Deployment;
};

function deploymentFiles(env: NodeJS.ProcessEnv): string[] {
  const list = env.MASKOII_DEPLOYMENTS;
  if (list !== undefined && list.trim() !== "") {
    return list
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "")
      .map((p) => resolve(p));
  }
  const dir = resolve(env.MASKOII_DEPLOYMENTS_DIR ?? DEFAULT_DEPLOYMENTS_DIR);
  if (!existsSync(dir)) throw new IndexerConfigError(`deployments directory ${dir} does not exist`);
  return readdirSync(dir)
    .filter((f) => /^\d+\.json$/.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((f) => join(dir, f));
}

/** Reads and validates every deployment file; throws `IndexerConfigError` when there is none or one lacks an RPC. */
export function loadIndexedChains(env: NodeJS.ProcessEnv = process.env): IndexedChain[] {
  const files = deploymentFiles(env);
  if (files.length === 0) throw new IndexerConfigError("no deployment files (set MASKOII_DEPLOYMENTS_DIR)");
  return files.map((file) => {
    const deployment = parseDeployment(JSON.parse(readFileSync(file, "utf8")), file);
    const rpcUrl = env[`MASKOII_RPC_${deployment.chainId}`] ?? deployment.rpcUrl;
    if (rpcUrl === undefined) {
      throw new IndexerConfigError(`${file} has no rpcUrl; set MASKOII_RPC_${deployment.chainId}`);
    }
    return { name: `chain${deployment.chainId}`, rpcUrl, deployment };
  });
}

/** Maps a chain id to its maskoii domain (every handler needs the domain of the chain it runs for). */
export function domainsByChainId(chains: readonly IndexedChain[]): ReadonlyMap<number, number> {
  return new Map(chains.map((c) => [c.deployment.chainId, c.deployment.domain]));
}

/** The Solana program the Solana reader follows, or undefined when MASKOII_SOLANA_DEPLOYMENT is not set. */
export type SolanaSource = { readonly domain: number; readonly rpcUrl: string; readonly programId: string };

export function loadSolanaSource(env: NodeJS.ProcessEnv = process.env): SolanaSource | undefined {
  const file = env.MASKOII_SOLANA_DEPLOYMENT;
  if (file === undefined || file.trim() === "") return undefined;
  const path = resolve(file);
  if (!existsSync(path)) throw new IndexerConfigError(`MASKOII_SOLANA_DEPLOYMENT: ${path} does not exist`);
  const d = parseSolanaDeployment(JSON.parse(readFileSync(path, "utf8")), path);
  return { domain: d.domain, rpcUrl: env.MASKOII_SOLANA_RPC ?? d.rpcUrl, programId: d.programId };
}
