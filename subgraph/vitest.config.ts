import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // Generates the manifest, runs `graph codegen` and `graph build` (offline) and compiles the host probes.
    globalSetup: ["test/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 240_000,
    // The bridge test owns two local chains; the machine is small.
    fileParallelism: false,
  },
});
