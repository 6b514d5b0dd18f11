import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // The end-to-end test starts two `hardhat node` processes and deploys with Ignition.
    testTimeout: 30_000,
    hookTimeout: 240_000,
    // Files run one at a time: the machine is small and the e2e test owns two chains.
    fileParallelism: false,
  },
});
