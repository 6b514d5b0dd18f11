import { type Address, getAddress, type Hex, isAddress } from "viem";
import { FieldOutOfRangeError, InvalidAddressError, InvalidBytes32Error, InvalidHexError } from "../errors/index.ts";

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;

/** Asserts `value` is 0x-prefixed, even-length hex and returns it typed. */
export function assertHex(field: string, value: unknown): Hex {
  if (typeof value !== "string" || !HEX_RE.test(value)) throw new InvalidHexError(field, value);
  return value as Hex;
}

/** Asserts `value` is exactly 32 bytes of hex and returns it lower-cased. */
export function assertBytes32(field: string, value: unknown): Hex {
  if (typeof value !== "string" || !BYTES32_RE.test(value)) throw new InvalidBytes32Error(field, value);
  return value.toLowerCase() as Hex;
}

/** Asserts `value` is a 20-byte address (a mixed-case address must carry a valid checksum); returns it checksummed. */
export function assertAddress(field: string, value: unknown): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: true })) throw new InvalidAddressError(field, value);
  return getAddress(value);
}

/** Asserts `value` is an integer (number or bigint) in [min, max] and returns it as bigint. */
export function assertUint(field: string, value: unknown, bits: number, min = 0n): bigint {
  const max = (1n << BigInt(bits)) - 1n;
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else throw new FieldOutOfRangeError(field, value, min, max);
  if (v < min || v > max) throw new FieldOutOfRangeError(field, value, min, max);
  return v;
}

/** Like `assertUint` for types narrow enough to be a JS number (bits ≤ 48). */
export function assertSmallUint(field: string, value: unknown, bits: number, min = 0): number {
  return Number(assertUint(field, value, bits, BigInt(min)));
}

/** Big-endian fixed-width hex of `value` (no 0x). Callers range-check first. */
export function uintHex(value: bigint | number, bytes: number): string {
  return BigInt(value)
    .toString(16)
    .padStart(bytes * 2, "0");
}

/** Number of bytes in a checked hex string. */
export function byteLength(hex: Hex): number {
  return (hex.length - 2) / 2;
}
