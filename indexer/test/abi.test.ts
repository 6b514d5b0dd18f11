// The indexer gives Ponder the sdk's typed ABIs (`as const`, for typed event arguments); they must be exactly the
// JSON ABIs other ecosystems read from @maskoii/sdk/abi/*.json. (Resolved through the package's `./abi/*.json`
// export; scripts/check-boundaries.ts does not match export patterns yet, so no static JSON import here.)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const sdkJson = (name: string): unknown =>
  JSON.parse(readFileSync(require.resolve(`@maskoii/sdk/abi/${name}.json`), "utf8"));

describe("ABIs", () => {
  it("the typed ABIs Ponder indexes are the sdk's JSON ABIs", () => {
    expect(gatewayAbi).toEqual(sdkJson("Gateway"));
    expect(tokenBridgeAbi).toEqual(sdkJson("TokenBridge"));
  });
});
