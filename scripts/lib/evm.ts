// Devnet step: the EVM chains, one `hardhat node` per chain, each supervised in its own process group.
import { join } from "node:path";
import { type ManagedProcess, probeChainId, type Supervisor, waitForRpc } from "@maskoii/testkit";
import { type DevnetChain, HOST } from "./chains.ts";

/** Raised when a chain cannot be started (port already taken). */
export class ChainStartError extends Error {
  override readonly name = "ChainStartError";
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port> --chain-id <id>` for every chain and waits (bounded by
 * `timeoutMs`) until each answers eth_chainId with its chain id. Refuses to start if a port already answers, so the
 * devnet never deploys onto somebody else's chain.
 */
export async function startEvmChains(args: {
  supervisor: Supervisor;
  chains: readonly DevnetChain[];
  root: string;
  logDir: string;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<void> {
  for (const chain of args.chains) {
    const answering = await probeChainId(chain.rpcUrl);
    if (answering !== undefined) {
      throw new ChainStartError(
        `${chain.rpcUrl} is already in use (chain id ${answering}); stop whatever runs there first`,
      );
    }
  }
  const started: Array<{ chain: DevnetChain; process: ManagedProcess }> = [];
  for (const chain of args.chains) {
    const managed = args.supervisor.start({
      name: chain.name,
      command: "npx",
      args: ["hardhat", "node", "--hostname", HOST, "--port", String(chain.port), "--chain-id", String(chain.chainId)],
      cwd: args.root,
      logFile: join(args.logDir, `${chain.name}.log`),
    });
    args.log(`started ${chain.name} (pid ${managed.pid}), log ${managed.logFile}`);
    started.push({ chain, process: managed });
  }
  await Promise.all(
    started.map(({ chain, process: managed }) =>
      waitForRpc(chain.rpcUrl, chain.chainId, { timeoutMs: args.timeoutMs, abort: managed.exited }),
    ),
  );
  for (const chain of args.chains) {
    args.log(`${chain.name} up: ${chain.rpcUrl} chain id ${chain.chainId}, domain ${chain.domain}`);
  }
}
