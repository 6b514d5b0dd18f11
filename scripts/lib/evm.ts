// Devnet step: the EVM chains, one `hardhat node` per chain, each supervised in its own process group.
import { join } from "node:path";
import { probeChainId, type Supervisor, startHardhatNode } from "@maskoii/testkit";
import type { DevnetChain } from "./chains.ts";

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
  await Promise.all(
    args.chains.map(async (chain) => {
      const node = await startHardhatNode({
        supervisor: args.supervisor,
        name: chain.name,
        chainId: chain.chainId,
        port: chain.port,
        logFile: join(args.logDir, `${chain.name}.log`),
        timeoutMs: args.timeoutMs,
      });
      args.log(`started ${chain.name} (pid ${node.process.pid}), log ${node.process.logFile}`);
    }),
  );
  for (const chain of args.chains) {
    args.log(`${chain.name} up: ${chain.rpcUrl} chain id ${chain.chainId}, domain ${chain.domain}`);
  }
}
