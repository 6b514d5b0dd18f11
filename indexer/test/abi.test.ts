// The indexer gives Ponder the sdk's typed ABIs (`as const`, for typed event arguments); they must be exactly the
// JSON ABIs other ecosystems read from @maskoii/sdk/abi/*.json.
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import gatewayJson from "@maskoii/sdk/abi/Gateway.json" with { type: "json" };
import tokenBridgeJson from "@maskoii/sdk/abi/TokenBridge.json" with { type: "json" };
import { describe, expect, it } from "vitest";

describe("ABIs", () => {
  it("the typed ABIs Ponder indexes are the sdk's JSON ABIs", () => {
    expect(gatewayAbi).toEqual(gatewayJson);
    expect(tokenBridgeAbi).toEqual(tokenBridgeJson);
  });
});
