/**
 * Reading deployment files from disk (Node only). The schemas and `parse*` functions are browser-safe and live in the
 * sdk root; these add the file read and name the file in every error.
 */
import { readFile } from "node:fs/promises";
import { type Deployment, parseDeployment, parseSolanaDeployment, type SolanaDeployment } from "../config.ts";
import { DeploymentReadFailedError } from "../errors/index.ts";

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new DeploymentReadFailedError(path, cause);
  }
}

/**
 * Reads and validates deployments/<chainId>.json. Throws `DeploymentReadFailedError` if the file cannot be read or
 * is not JSON, `InvalidDeploymentError` (whose `field` names the first bad field) if it does not match the schema.
 */
export async function loadDeployment(path: string): Promise<Deployment> {
  return parseDeployment(await readJson(path), path);
}

/**
 * Reads and validates a Solana deployment file (`.devnet/solana.json` on the devnet). Throws like `loadDeployment`.
 */
export async function loadSolanaDeployment(path: string): Promise<SolanaDeployment> {
  return parseSolanaDeployment(await readJson(path), path);
}
