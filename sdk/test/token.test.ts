import { describe, expect, it } from "vitest";
import {
  AmountExceedsWireLimitError,
  AmountTooSmallError,
  InvalidDecimalsError,
  TokenMessageInvalidLengthError,
  TokenMessageUnknownKindError,
} from "../src/errors/index.ts";
import {
  decodeTokenMessage,
  defaultSharedDecimals,
  encodeTokenMessage,
  MAX_WIRE_AMOUNT,
  TOKEN_MESSAGE_LENGTH,
  toLocal,
  toShared,
} from "../src/token.ts";
import { b32, expectCode } from "./helpers.ts";

const msg = { token: b32("11"), recipient: b32("22"), amount: 0x0102030405060708n };

describe("TokenMessage", () => {
  it("packs kind 1 ‖ token ‖ recipient ‖ uint64 amount (73 bytes)", () => {
    const encoded = encodeTokenMessage(msg);
    expect(encoded).toBe(`0x01${"11".repeat(32)}${"22".repeat(32)}0102030405060708`);
    expect((encoded.length - 2) / 2).toBe(TOKEN_MESSAGE_LENGTH);
    expect(decodeTokenMessage(encoded)).toEqual(msg);
  });

  it("encodes the amount edges", () => {
    expect(decodeTokenMessage(encodeTokenMessage({ ...msg, amount: 0 })).amount).toBe(0n);
    expect(decodeTokenMessage(encodeTokenMessage({ ...msg, amount: MAX_WIRE_AMOUNT })).amount).toBe(MAX_WIRE_AMOUNT);
    expectCode(() => encodeTokenMessage({ ...msg, amount: MAX_WIRE_AMOUNT + 1n }), "FieldOutOfRange");
    expectCode(() => encodeTokenMessage({ ...msg, amount: -1n }), "FieldOutOfRange");
    expectCode(() => encodeTokenMessage({ ...msg, token: "0x11" }), "InvalidBytes32");
  });

  it("rejects payloads that are not 73 bytes", () => {
    const encoded = encodeTokenMessage(msg);
    const err = expectCode(
      () => decodeTokenMessage(encoded.slice(0, -2) as `0x${string}`),
      "TokenMessageInvalidLength",
      TokenMessageInvalidLengthError,
    );
    expect((err as TokenMessageInvalidLengthError).length).toBe(72);
    expectCode(() => decodeTokenMessage(`${encoded}00`), "TokenMessageInvalidLength");
    expectCode(() => decodeTokenMessage("0x"), "TokenMessageInvalidLength");
    expectCode(() => decodeTokenMessage("0x1"), "InvalidHex");
  });

  it("rejects kinds other than 1", () => {
    const encoded = encodeTokenMessage(msg);
    for (const kind of ["00", "02", "ff"]) {
      const err = expectCode(
        () => decodeTokenMessage(`0x${kind}${encoded.slice(4)}`),
        "TokenMessageUnknownKind",
        TokenMessageUnknownKindError,
      );
      expect((err as TokenMessageUnknownKindError).kind).toBe(Number.parseInt(kind, 16));
    }
  });
});

describe("amounts", () => {
  it("18 -> 8 keeps the dust with the sender", () => {
    expect(toShared(1_234_567_890_123_456_789n, 18, 8)).toEqual({
      wire: 123_456_789n,
      dust: 123_456_789n,
      sent: 1_234_567_890_000_000_000n,
    });
    expect(toLocal(123_456_789n, 18, 8)).toBe(123_456_789n * 10n ** 10n);
  });

  it("9 -> 8 and 6 -> 6", () => {
    expect(toShared(1_000_000_001n, 9, 8)).toEqual({ wire: 100_000_000n, dust: 1n, sent: 1_000_000_000n });
    expect(toShared(1, 6, 6)).toEqual({ wire: 1n, dust: 0n, sent: 1n });
    expect(toLocal(5, 6, 6)).toBe(5n);
  });

  it("never creates or destroys value", () => {
    for (const [amount, l, s] of [
      [987_654_321_987_654_321n, 18, 8],
      [10n ** 10n, 18, 8],
      [2n * 10n ** 10n - 1n, 18, 8],
      [123n, 9, 8],
      [7n, 0, 0],
    ] as const) {
      const r = toShared(amount, l, s);
      expect(r.sent + r.dust).toBe(amount);
      expect(toLocal(r.wire, l, s)).toBe(r.sent);
      expect(r.dust < 10n ** BigInt(l - s)).toBe(true);
    }
  });

  it("rejects amounts below one shared unit", () => {
    const err = expectCode(() => toShared(10n ** 10n - 1n, 18, 8), "AmountTooSmall", AmountTooSmallError);
    expect((err as AmountTooSmallError).amount).toBe(10n ** 10n - 1n);
    expectCode(() => toShared(0, 6, 6), "AmountTooSmall");
  });

  it("accepts wire = uint64 max and rejects one more", () => {
    expect(toShared(MAX_WIRE_AMOUNT * 10n ** 10n, 18, 8).wire).toBe(MAX_WIRE_AMOUNT);
    expectCode(
      () => toShared((MAX_WIRE_AMOUNT + 1n) * 10n ** 10n, 18, 8),
      "AmountExceedsWireLimit",
      AmountExceedsWireLimitError,
    );
    expectCode(() => toShared(MAX_WIRE_AMOUNT + 1n, 6, 6), "AmountExceedsWireLimit");
  });

  it("rejects shared decimals above local decimals and out-of-range inputs", () => {
    expectCode(() => toShared(100n, 6, 8), "InvalidDecimals", InvalidDecimalsError);
    expectCode(() => toLocal(1n, 6, 8), "InvalidDecimals");
    expectCode(() => toShared(1n << 256n, 18, 8), "FieldOutOfRange");
    expectCode(() => toShared(-1n, 18, 8), "FieldOutOfRange");
    expectCode(() => toShared(1n, 256, 8), "FieldOutOfRange");
    expectCode(() => toLocal(MAX_WIRE_AMOUNT + 1n, 8, 8), "FieldOutOfRange");
    // 10^255 overflows uint256 for any wire above 0 in this (spec-legal, chain-rejected) corner.
    expectCode(() => toLocal(1n << 63n, 255, 0), "FieldOutOfRange");
  });

  it("default shared decimals is min(L, 8)", () => {
    expect(defaultSharedDecimals(18)).toBe(8);
    expect(defaultSharedDecimals(9)).toBe(8);
    expect(defaultSharedDecimals(6)).toBe(6);
    expectCode(() => defaultSharedDecimals(-1), "FieldOutOfRange");
  });
});
