/**
 * Errors of token, distribution and refund payloads (docs/protocol.md §8); codes are the TokenMessage / Amounts /
 * RefundReceipt error names.
 */
import { MaskoiiError } from "./maskoii.ts";

/** A token message is not exactly 73 bytes. */
export class TokenMessageInvalidLengthError extends MaskoiiError {
  override name = "TokenMessageInvalidLengthError";
  readonly length: number;
  constructor(length: number) {
    super("TokenMessageInvalidLength", `token message of ${length} bytes; expected 73`);
    this.length = length;
  }
}

/** A token message's kind byte is not 1 (transfer). */
export class TokenMessageUnknownKindError extends MaskoiiError {
  override name = "TokenMessageUnknownKindError";
  readonly kind: number;
  constructor(kind: number) {
    super("TokenMessageUnknownKind", `unknown token message kind ${kind}`);
    this.kind = kind;
  }
}

/** A distribution payload is not exactly 109 bytes. */
export class DistributionMessageInvalidLengthError extends MaskoiiError {
  override name = "DistributionMessageInvalidLengthError";
  readonly length: number;
  constructor(length: number) {
    super("DistributionMessageInvalidLength", `distribution message of ${length} bytes; expected 109`);
    this.length = length;
  }
}

/** A refund receipt is not exactly 121 bytes (docs/protocol.md §8, "Refunds"). */
export class RefundReceiptInvalidLengthError extends MaskoiiError {
  override name = "RefundReceiptInvalidLengthError";
  readonly length: number;
  constructor(length: number) {
    super("RefundReceiptInvalidLength", `refund receipt of ${length} bytes; expected 121`);
    this.length = length;
  }
}

/** A refund receipt's version byte is not 1. */
export class RefundReceiptUnknownVersionError extends MaskoiiError {
  override name = "RefundReceiptUnknownVersionError";
  readonly version: number;
  constructor(version: number) {
    super("RefundReceiptUnknownVersion", `unknown refund receipt version ${version}`);
    this.version = version;
  }
}

/** Shared decimals exceed local decimals. */
export class InvalidDecimalsError extends MaskoiiError {
  override name = "InvalidDecimalsError";
  constructor(localDecimals: number, sharedDecimals: number) {
    super("InvalidDecimals", `shared decimals ${sharedDecimals} exceed local decimals ${localDecimals}`);
  }
}

/** The amount is below one shared unit, so the wire amount would be zero. */
export class AmountTooSmallError extends MaskoiiError {
  override name = "AmountTooSmallError";
  readonly amount: bigint;
  constructor(amount: bigint) {
    super("AmountTooSmall", `amount ${amount} is below one shared unit`);
    this.amount = amount;
  }
}

/** The wire amount does not fit uint64. */
export class AmountExceedsWireLimitError extends MaskoiiError {
  override name = "AmountExceedsWireLimitError";
  readonly amount: bigint;
  constructor(amount: bigint) {
    super("AmountExceedsWireLimit", `amount ${amount} exceeds the uint64 wire limit`);
    this.amount = amount;
  }
}
