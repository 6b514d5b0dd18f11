import type { Hex } from "viem";
import {
  AmountExceedsWireLimitError,
  AmountTooSmallError,
  FieldOutOfRangeError,
  InvalidDecimalsError,
  TokenMessageInvalidLengthError,
  TokenMessageUnknownKindError,
} from "./errors/index.ts";
import { assertBytes32, assertHex, assertSmallUint, assertUint, byteLength, uintHex } from "./internal/assert.ts";

/** The kind byte of a transfer. */
export const TOKEN_MESSAGE_KIND_TRANSFER = 1;
/** kind 1 ‖ token 32 ‖ recipient 32 ‖ amount 8. */
export const TOKEN_MESSAGE_LENGTH = 73;
/** Largest wire amount (uint64). */
export const MAX_WIRE_AMOUNT = (1n << 64n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * A token transfer payload (spec §8). Hex fields are lower-case 32-byte values. The origin-side sender is not
 * carried (the origin's `TransferSent` event records it).
 */
export type TokenMessage = {
  /**
   * The token on the DESTINATION chain (a left-padded address or an SPL mint): the origin bridge resolves it from
   * its link table, so the destination finds its route with one lookup.
   */
  readonly token: Hex;
  /** The recipient on the destination. */
  readonly recipient: Hex;
  /** uint64, in the route's shared decimals. */
  readonly amount: bigint;
};

/** Encodes a transfer payload. */
export function encodeTokenMessage(message: Omit<TokenMessage, "amount"> & { readonly amount: bigint | number }): Hex {
  const token = assertBytes32("token", message.token);
  const recipient = assertBytes32("recipient", message.recipient);
  const amount = assertUint("amount", message.amount, 64);
  return `0x${uintHex(TOKEN_MESSAGE_KIND_TRANSFER, 1)}${token.slice(2)}${recipient.slice(2)}${uintHex(amount, 8)}`;
}

/** Decodes a transfer payload; throws unless it is exactly 73 bytes with kind 1. */
export function decodeTokenMessage(payload: Hex): TokenMessage {
  const length = byteLength(assertHex("payload", payload));
  if (length !== TOKEN_MESSAGE_LENGTH) throw new TokenMessageInvalidLengthError(length);
  const hex = payload.slice(2).toLowerCase();
  const kind = Number.parseInt(hex.slice(0, 2), 16);
  if (kind !== TOKEN_MESSAGE_KIND_TRANSFER) throw new TokenMessageUnknownKindError(kind);
  return {
    token: `0x${hex.slice(2, 66)}`,
    recipient: `0x${hex.slice(66, 130)}`,
    amount: BigInt(`0x${hex.slice(130, 146)}`),
  };
}

function scale(localDecimals: number, sharedDecimals: number): bigint {
  const local = assertSmallUint("localDecimals", localDecimals, 8);
  const shared = assertSmallUint("sharedDecimals", sharedDecimals, 8);
  if (shared > local) throw new InvalidDecimalsError(local, shared);
  return 10n ** BigInt(local - shared);
}

/** The result of converting a local amount for sending. */
export type SharedAmount = {
  /** What travels: floor(amount / 10^(L−S)), a non-zero uint64. */
  readonly wire: bigint;
  /** What stays in the sender's wallet: amount − sent. */
  readonly dust: bigint;
  /** What is taken from the sender: wire × 10^(L−S). */
  readonly sent: bigint;
};

/**
 * Converts `amount` local units (uint256) to the wire amount in shared decimals (spec §8). Throws
 * `InvalidDecimalsError` if S > L, `AmountTooSmallError` if less than one shared unit is sent and
 * `AmountExceedsWireLimitError` if the wire amount exceeds uint64.
 */
export function toShared(amount: bigint | number, localDecimals: number, sharedDecimals: number): SharedAmount {
  const a = assertUint("amount", amount, 256);
  const factor = scale(localDecimals, sharedDecimals);
  const wire = a / factor;
  if (wire === 0n) throw new AmountTooSmallError(a);
  if (wire > MAX_WIRE_AMOUNT) throw new AmountExceedsWireLimitError(a);
  const sent = wire * factor;
  return { wire, dust: a - sent, sent };
}

/** Converts a received wire amount (uint64) to local units: wire × 10^(L−S). */
export function toLocal(wire: bigint | number, localDecimals: number, sharedDecimals: number): bigint {
  const w = assertUint("wire", wire, 64);
  const local = w * scale(localDecimals, sharedDecimals);
  if (local > MAX_UINT256) throw new FieldOutOfRangeError("localAmount", local, 0n, MAX_UINT256);
  return local;
}

/** The default shared decimals of a token with `localDecimals`: min(L, 8). */
export function defaultSharedDecimals(localDecimals: number): number {
  return Math.min(assertSmallUint("localDecimals", localDecimals, 8), 8);
}
