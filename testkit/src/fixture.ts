// Runs the deploy fixture (deploy-fixture.ts) as a child process under this Node, from the repository root (Hardhat
// finds its config there), and parses its `RESULT {json}` line.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DeploymentRevenue } from "@maskoii/sdk";
import type { Address } from "viem";
import { ROOT } from "./chains.ts";
import { FixtureError } from "./errors.ts";

/** The fixture's script, for callers that run it themselves. */
export const DEPLOY_FIXTURE = fileURLToPath(new URL("./deploy-fixture.ts", import.meta.url));
/** A deploy fixture that has not finished by then is killed (it deploys a handful of contracts). */
const FIXTURE_TIMEOUT_MS = 200_000;

/** What deployMaskoii records per chain (deploy.ts ChainContracts), as JSON. */
export type FixtureContracts = {
  gateway: Address;
  tokenBridge: Address;
  demoToken: Address;
  bridgedToken: Address;
};

export type DeployFixtureOptions = {
  rpcA: string;
  rpcB: string;
  attesters: readonly Address[];
  thresholdBps?: number;
  /** Where deployments/<chainId>.json are written. */
  out?: string;
  /** Deploy a DemoRecipient on each EVM chain (listed in `chains`). */
  demoRecipients?: boolean;
  /** Also set up the program on this running local Solana RPC and link it with chain A. */
  solana?: { rpcUrl: string; wsUrl: string; programId: string; upgradeAuthority: string };
};

export type DeployFixtureResult = {
  a: FixtureContracts;
  b: FixtureContracts;
  /** With `demoRecipients`: both chains, with their domain and DemoRecipient. */
  chains: Array<FixtureContracts & { domain: number; demoRecipient: Address }>;
  /** With `solana`: the bridged SPL mint of chain A's demo token (base58). */
  mint?: string;
  /**
   * Chain A's revenue suite (deployMaskoii's defaults: one-hour epochs and challenge window). With `solana`, its
   * ledger's Solana route is set (TokenBridge A, domain 1003) and TokenBridge A accepts distributions to 1003.
   */
  revenueA?: DeploymentRevenue;
};

/** Runs `node <script> ...args` from the repository root; resolves with its output, rejects if it fails. */
export function runNodeScript(
  script: string,
  args: readonly string[],
  timeoutMs = FIXTURE_TIMEOUT_MS,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new FixtureError(`${script} exited ${code ?? signal}:\n${output}`));
    });
  });
}

/** Deploys maskoii (and optionally the Solana side) with the deploy fixture and returns what it deployed. */
export async function runDeployFixture(options: DeployFixtureOptions): Promise<DeployFixtureResult> {
  const args = [
    "--rpc-a",
    options.rpcA,
    "--rpc-b",
    options.rpcB,
    "--attesters",
    options.attesters.join(","),
    "--threshold",
    String(options.thresholdBps ?? 6666),
  ];
  if (options.out !== undefined) args.push("--out", options.out);
  if (options.demoRecipients === true) args.push("--demo-recipients");
  if (options.solana !== undefined) {
    args.push(
      "--solana",
      options.solana.rpcUrl,
      "--solana-ws",
      options.solana.wsUrl,
      "--program-id",
      options.solana.programId,
      "--upgrade-authority",
      options.solana.upgradeAuthority,
    );
  }
  const output = await runNodeScript(DEPLOY_FIXTURE, args);
  const line = output.split("\n").find((l) => l.startsWith("RESULT "));
  if (line === undefined) throw new FixtureError(`no RESULT from the deploy fixture:\n${output}`);
  return JSON.parse(line.slice("RESULT ".length)) as DeployFixtureResult;
}

export { FixtureError };
