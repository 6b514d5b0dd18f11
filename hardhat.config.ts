import { createRequire } from "node:module";
import hardhatToolboxViemPlugin from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// The wasm build of solc from npm: Hardhat must never try to download a compiler (no network here).
const solcVersion = "0.8.33";
const solcPath = require.resolve("solc/soljson.js");

// Local devnet chains: each EVM chain of the devnet is a `hardhat node` on its own port and chain id.
const devnetChains = {
  devnetA: { chainId: 31337, port: 8545 },
  devnetB: { chainId: 31338, port: 8546 },
} as const;

export default defineConfig({
  plugins: [hardhatToolboxViemPlugin],
  paths: {
    sources: "contracts/src",
    tests: {
      solidity: "contracts/test",
      nodejs: "contracts/test-ts",
    },
    ignition: "contracts/ignition",
  },
  solidity: {
    compilers: [
      {
        version: solcVersion,
        path: solcPath,
        settings: {
          optimizer: { enabled: true, runs: 10_000 },
          evmVersion: "cancun",
        },
      },
    ],
  },
  test: {
    solidity: {
      fuzz: { runs: 256, seed: "0x6d61736b6f6969" },
      invariant: { runs: 64, depth: 48, failOnRevert: false },
      fsPermissions: { readFile: ["test/vectors"], readDirectory: ["test/vectors"] },
    },
  },
  networks: {
    // In-process simulated chains for tests and benchmarks.
    chainA: { type: "edr-simulated", chainType: "l1", chainId: devnetChains.devnetA.chainId, hardfork: "cancun" },
    chainB: { type: "edr-simulated", chainType: "l1", chainId: devnetChains.devnetB.chainId, hardfork: "cancun" },
    // The devnet's `hardhat node` processes (see scripts/devnet.ts).
    devnetA: { type: "http", chainType: "l1", url: `http://127.0.0.1:${devnetChains.devnetA.port}` },
    devnetB: { type: "http", chainType: "l1", url: `http://127.0.0.1:${devnetChains.devnetB.port}` },
  },
});
