// The devnet's EVM chains. Chain ids and ports match the `devnetA` / `devnetB` networks of hardhat.config.ts;
// domains are the registry's devnet domains (docs/protocol.md §1).
export type DevnetChain = {
  /** Supervisor process name and log file stem. */
  readonly name: "chainA" | "chainB";
  /** Hardhat network (http) that points at this chain's `hardhat node`. */
  readonly network: "devnetA" | "devnetB";
  readonly domain: number;
  readonly chainId: number;
  readonly port: number;
  readonly rpcUrl: string;
};

export const HOST = "127.0.0.1";

export const CHAIN_A: DevnetChain = {
  name: "chainA",
  network: "devnetA",
  domain: 1001,
  chainId: 31337,
  port: 8545,
  rpcUrl: `http://${HOST}:8545`,
};

export const CHAIN_B: DevnetChain = {
  name: "chainB",
  network: "devnetB",
  domain: 1002,
  chainId: 31338,
  port: 8546,
  rpcUrl: `http://${HOST}:8546`,
};

export const DEVNET_CHAINS: readonly DevnetChain[] = [CHAIN_A, CHAIN_B];
