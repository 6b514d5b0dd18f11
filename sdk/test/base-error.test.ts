import { describe, expect, it } from "vitest";
import { BaseError, DeploymentReadFailedError, isBaseError, MaskoiiError, MessageTooShortError } from "../src/index.ts";
import {
  DeliveryDoesNotFitError,
  MaskoiiProgramError,
  NoSignerError,
  programErrorCode,
  SolanaClientError,
  TransactionFailedError,
  UnknownProgramErrorNameError,
} from "../src/solana/index.ts";

class Outer extends BaseError<"Outer"> {
  override name = "OuterError";
}

describe("BaseError", () => {
  it("carries a stable code, the short message, no details and is not retryable by default", () => {
    const e = new BaseError("Something", "something failed");
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("Something");
    expect(e.message).toBe("something failed");
    expect(e.shortMessage).toBe("something failed");
    expect(e.details).toBe("");
    expect(e.retryable).toBe(false);
    expect("cause" in e).toBe(false);
    expect(e.walk()).toBe(e);
  });

  it("takes details from the cause (a BaseError's details, else its message) unless given", () => {
    const root = new Error("ECONNRESET");
    const mid = new Outer("Outer", "rpc call failed", { cause: root, retryable: true });
    expect(mid.details).toBe("ECONNRESET");
    expect(mid.retryable).toBe(true);
    expect(new Outer("Outer", "top", { cause: mid }).details).toBe("ECONNRESET");
    expect(new Outer("Outer", "top", { cause: new Outer("Outer", "inner") }).details).toBe("inner");
    expect(new Outer("Outer", "top", { cause: root, details: "given" }).details).toBe("given");
  });

  it("walks the cause chain: the deepest cause, or the first error a predicate accepts (null if none)", () => {
    const root = new MessageTooShortError(3);
    const mid = new Outer("Outer", "decode failed", { cause: root });
    const top = new Outer("Outer", "delivery failed", { cause: mid });
    expect(top.walk()).toBe(root);
    expect(top.walk((e) => e instanceof MaskoiiError)).toBe(root);
    expect(top.walk((e) => e instanceof Outer)).toBe(top);
    expect(top.walk((e) => e instanceof TypeError)).toBeNull();
    // A non-error cause ends the walk too.
    expect(new Outer("Outer", "x", { cause: "text" }).walk()).toBe("text");
  });

  it("stops on a cause cycle", () => {
    const a = new Error("a") as Error & { cause?: unknown };
    const top = new Outer("Outer", "top", { cause: a });
    a.cause = top;
    expect(top.walk()).toBe(a);
    expect(top.walk(() => false)).toBeNull();
  });

  it("is the root of every sdk error, which keep their codes and are not retryable", () => {
    const e = new MessageTooShortError(3);
    expect(e).toBeInstanceOf(BaseError);
    expect(isBaseError(e)).toBe(true);
    expect(isBaseError(new Error("x"))).toBe(false);
    expect(e.code).toBe("MessageTooShort");
    expect(e.retryable).toBe(false);
    const read = new DeploymentReadFailedError("x.json", new Error("ENOENT: no such file"));
    expect(read.cause).toBeInstanceOf(Error);
    expect(read.details).toBe("ENOENT: no such file");
    expect(read.walk()).toBe(read.cause);
  });

  it("is the root of the Solana program and client errors", () => {
    const program = new MaskoiiProgramError("AlreadyDelivered", -1, "client", undefined, []);
    expect(program).toBeInstanceOf(BaseError);
    expect(program.code).toBe(-1);
    expect(program.retryable).toBe(false);
    expect(() => programErrorCode("NoSuchError" as never)).toThrow(UnknownProgramErrorNameError);
    for (const [e, code] of [
      [new UnknownProgramErrorNameError("X"), "UnknownProgramErrorName"],
      [new DeliveryDoesNotFitError("too long"), "DeliveryDoesNotFit"],
      [new NoSignerError(), "NoSigner"],
      [
        new TransactionFailedError("sig", { InstructionError: [0, "InvalidAccountData"] }, ["log"]),
        "TransactionFailed",
      ],
    ] as const) {
      expect(e).toBeInstanceOf(SolanaClientError);
      expect(e).toBeInstanceOf(BaseError);
      expect(e.code).toBe(code);
      expect(e.name).toBe(`${code}Error`);
    }
  });
});
