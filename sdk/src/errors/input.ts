/** Errors of generic input: hex, bytes32, addresses, integer ranges. */
import { describe, MaskoiiError } from "./maskoii.ts";

/** A value that should be a 0x-prefixed, even-length hex string is not. */
export class InvalidHexError extends MaskoiiError {
  override name = "InvalidHexError";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidHex", `${field}: expected 0x-prefixed even-length hex, got ${describe(value)}`);
    this.field = field;
  }
}

/** A value that should be exactly 32 bytes of hex is not. */
export class InvalidBytes32Error extends MaskoiiError {
  override name = "InvalidBytes32Error";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidBytes32", `${field}: expected 32 bytes of 0x-prefixed hex, got ${describe(value)}`);
    this.field = field;
  }
}

/** A value that should be a 20-byte EVM address (with a valid checksum if mixed-case) is not. */
export class InvalidAddressError extends MaskoiiError {
  override name = "InvalidAddressError";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidAddress", `${field}: expected a 20-byte address, got ${describe(value)}`);
    this.field = field;
  }
}

/** A numeric field is not an integer in its type's range. */
export class FieldOutOfRangeError extends MaskoiiError {
  override name = "FieldOutOfRangeError";
  readonly field: string;
  readonly min: bigint;
  readonly max: bigint;
  constructor(field: string, value: unknown, min: bigint, max: bigint) {
    super("FieldOutOfRange", `${field}: expected an integer in [${min}, ${max}], got ${describe(value)}`);
    this.field = field;
    this.min = min;
    this.max = max;
  }
}

/** A 32-byte value has non-zero upper 12 bytes, so it is not a left-padded EVM address. */
export class AddressUpperBytesNonZeroError extends MaskoiiError {
  override name = "AddressUpperBytesNonZeroError";
  constructor(value: string) {
    super("AddressUpperBytesNonZero", `bytes32 ${value} is not a left-padded EVM address (upper 12 bytes non-zero)`);
  }
}
