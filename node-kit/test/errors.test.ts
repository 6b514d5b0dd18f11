import { BaseError, isBaseError } from "@maskoii/sdk";
import { describe, expect, it } from "vitest";
import {
  InvalidBindingRecordError,
  InvalidConfigError,
  NodeError,
  PeerRequestFailedError,
  RequestRejectedError,
  StoreError,
} from "../src/index.ts";

describe("node errors share the sdk's BaseError root", () => {
  it("every node error is a BaseError with a stable code, its cause and walk()", () => {
    const cause = new TypeError("socket hang up");
    const error = new StoreError("query", cause);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toBeInstanceOf(BaseError);
    expect(isBaseError(error)).toBe(true);
    expect(error.code).toBe("StoreFailed");
    expect(error.cause).toBe(cause);
    expect(error.details).toBe("socket hang up");
    expect(error.walk()).toBe(cause);
    expect(error.walk((e) => e instanceof TypeError)).toBe(cause);
  });

  it("retryable says whether waiting can help", () => {
    expect(new StoreError("query", new Error("busy")).retryable).toBe(true);
    expect(new InvalidConfigError("config.json", [{ field: "chains", problem: "required" }]).retryable).toBe(false);
    expect(new InvalidBindingRecordError("not this node's").retryable).toBe(false);
    expect(new RequestRejectedError(429, "slow down", { retryAfterSeconds: 2 }).retryable).toBe(true);
    expect(new RequestRejectedError(503, "draining").retryable).toBe(true);
    expect(new RequestRejectedError(400, "malformed", { field: "ids" }).retryable).toBe(false);
    expect(new PeerRequestFailedError("http://127.0.0.1:1/koii", 500).retryable).toBe(true);
    expect(new PeerRequestFailedError("http://127.0.0.1:1/koii", 429).retryable).toBe(true);
    const refused = new PeerRequestFailedError("http://127.0.0.1:1/koii", 400, "bad kind");
    expect(refused.retryable).toBe(false);
    expect(refused.code).toBe("PeerRequestFailed");
    expect(refused.message).toBe("HTTP 400: bad kind from http://127.0.0.1:1/koii");
  });
});
