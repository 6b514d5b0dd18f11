import attesterSetJson from "@maskoii/sdk/abi/AttesterSet.json" with { type: "json" };
import bridgedTokenJson from "@maskoii/sdk/abi/BridgedToken.json" with { type: "json" };
import gatewayJson from "@maskoii/sdk/abi/Gateway.json" with { type: "json" };
import tokenBridgeJson from "@maskoii/sdk/abi/TokenBridge.json" with { type: "json" };
import { decodeEventLog, encodeEventTopics, encodeFunctionData, type Hex, toFunctionSelector } from "viem";
import { describe, expect, it } from "vitest";
import { attesterSetAbi, bridgedTokenAbi, gatewayAbi, tokenBridgeAbi } from "../src/abi/index.ts";
import { encodeMessage } from "../src/message.ts";
import { b32 } from "./helpers.ts";

const names = (abi: readonly { type: string; name?: string }[], type: string): string[] =>
  abi.filter((x) => x.type === type).map((x) => x.name ?? "");

describe("generated ABIs (scripts/gen-abi.ts)", () => {
  it("Gateway has the fixed cross-component API", () => {
    expect(names(gatewayAbi, "function")).toEqual(
      expect.arrayContaining([
        "send",
        "quoteFee",
        "setFee",
        "withdrawFees",
        "deliver",
        "deliverBatch",
        "retry",
        "messageStatus",
        "isDelivered",
        "nextNonce",
        "pause",
        "unpause",
        "setGuardian",
        "attesterSet",
        "localDomain",
        "RECIPIENT_GAS_FLOOR",
      ]),
    );
    expect(names(gatewayAbi, "event")).toEqual(
      expect.arrayContaining(["MessageSent", "MessageDelivered", "MessageFailed", "MessageRetried", "MessageSkipped"]),
    );
    expect(toFunctionSelector("send(uint32,bytes32,bytes)")).toBe(
      encodeFunctionData({ abi: gatewayAbi, functionName: "send", args: [1002, b32("11"), "0x"] }).slice(0, 10),
    );
  });

  it("MessageSent decodes with the whole message", () => {
    const message = encodeMessage({
      nonce: 3n,
      originDomain: 1001,
      sender: b32("11"),
      destinationDomain: 1002,
      recipient: b32("22"),
      payload: "0x",
    });
    const topics = encodeEventTopics({
      abi: gatewayAbi,
      eventName: "MessageSent",
      args: { messageId: b32("33"), destination: 1002, nonce: 3n },
    });
    const data =
      `0x${"20".padStart(64, "0")}${(81).toString(16).padStart(64, "0")}${message.slice(2)}${"00".repeat(15)}` as Hex;
    const log = decodeEventLog({ abi: gatewayAbi, topics: topics as [Hex, ...Hex[]], data });
    expect(log.eventName).toBe("MessageSent");
    expect(log.args).toMatchObject({ messageId: b32("33"), destination: 1002, nonce: 3n, message });
  });

  it("AttesterSet, TokenBridge and BridgedToken have their fixed functions and events", () => {
    expect(names(attesterSetAbi, "function")).toEqual(
      expect.arrayContaining([
        "verify",
        "rotate",
        "proposeEmergencyRotation",
        "executeEmergencyRotation",
        "cancelEmergencyRotation",
        "reportEquivocation",
        "currentSetId",
        "localDomain",
        "isLive",
        "getSet",
      ]),
    );
    expect(names(attesterSetAbi, "event")).toEqual(
      expect.arrayContaining([
        "AttesterSetRotated",
        "EmergencyRotationProposed",
        "EmergencyRotationCancelled",
        "AttesterSlashed",
      ]),
    );
    expect(names(tokenBridgeAbi, "function")).toEqual(
      expect.arrayContaining([
        "setRemoteBridge",
        "registerToken",
        "linkToken",
        "setRateLimits",
        "transferRemote",
        "quoteTransfer",
        "releaseQueued",
        "handle",
      ]),
    );
    expect(names(tokenBridgeAbi, "event")).toEqual(
      expect.arrayContaining(["TransferSent", "TransferReceived", "TransferQueued", "QueuedTransferReleased"]),
    );
    expect(names(tokenBridgeAbi, "error")).toContain("RateLimitExceeded");
    expect(names(bridgedTokenAbi, "function")).toEqual(expect.arrayContaining(["mint", "burn", "permit"]));
  });
});

describe("JSON ABIs (@maskoii/sdk/abi/<Name>.json, for the subgraph and other ecosystems)", () => {
  it("are the same ABIs as the TypeScript modules", () => {
    expect(gatewayJson).toEqual(gatewayAbi);
    expect(tokenBridgeJson).toEqual(tokenBridgeAbi);
    expect(attesterSetJson).toEqual(attesterSetAbi);
    expect(bridgedTokenJson).toEqual(bridgedTokenAbi);
  });
});
