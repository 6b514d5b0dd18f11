import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    environment: "node",
    // Every file starts its own stack: two `hardhat node` chains, a deployment, attester and relayer processes.
    testTimeout: 90_000,
    hookTimeout: 180_000,
    // One stack at a time: the machine has two cores and the chains use fixed chain ids.
    fileParallelism: false,
    // Tests in a file share one stack and run in order.
    sequence: { concurrent: false },
  },
});
