// @maskoii/testkit/deploy: maskoii's deployment on local chains with Hardhat (Ignition on two EVM chains, the program
// on the local Solana endpoint), shared by the devnet, the deploy fixture, the contract tests and the benches.
export * from "./deploy.ts";
export * from "./solana.ts";
