import { type Address, getAddress, type Hex, keccak256 } from "viem";
import {
  AddressUpperBytesNonZeroError,
  MessageTooShortError,
  PayloadTooLongError,
  UnsupportedVersionError,
} from "./errors/index.ts";
import { assertAddress, assertBytes32, assertHex, assertUint, byteLength, uintHex } from "./internal/assert.ts";

/** The only message version of protocol v1. */
export const MESSAGE_VERSION = 1;
/** Bytes before the payload: version 1 ‖ nonce 8 ‖ origin 4 ‖ sender 32 ‖ destination 4 ‖ recipient 32. */
export const MESSAGE_HEADER_LENGTH = 81;
/** Largest payload a message may carry, in bytes. */
export const MAX_PAYLOAD_LENGTH = 4096;

/** A decoded message (docs/protocol.md §2). Hex fields are lower-case. */
export type Message = {
  readonly version: typeof MESSAGE_VERSION;
  /** uint64 */
  readonly nonce: bigint;
  /** uint32 */
  readonly originDomain: number;
  /** 32 bytes: a left-padded EVM address or a Solana/Koii public key. */
  readonly sender: Hex;
  /** uint32 */
  readonly destinationDomain: number;
  /** 32 bytes, same convention as `sender`. */
  readonly recipient: Hex;
  /** 0..4096 bytes. */
  readonly payload: Hex;
};

/** What `encodeMessage` takes: a message without its (fixed) version. */
export type MessageFields = Omit<Message, "version" | "nonce"> & { readonly nonce: bigint | number };

/** Encodes a message; throws on out-of-range fields, non-32-byte sender/recipient or a payload over 4096 bytes. */
export function encodeMessage(fields: MessageFields): Hex {
  const nonce = assertUint("nonce", fields.nonce, 64);
  const origin = assertUint("originDomain", fields.originDomain, 32);
  const sender = assertBytes32("sender", fields.sender);
  const destination = assertUint("destinationDomain", fields.destinationDomain, 32);
  const recipient = assertBytes32("recipient", fields.recipient);
  const payload = assertHex("payload", fields.payload);
  const payloadLength = byteLength(payload);
  if (payloadLength > MAX_PAYLOAD_LENGTH) throw new PayloadTooLongError(payloadLength);
  return `0x${uintHex(MESSAGE_VERSION, 1)}${uintHex(nonce, 8)}${uintHex(origin, 4)}${sender.slice(2)}${uintHex(
    destination,
    4,
  )}${recipient.slice(2)}${payload.slice(2).toLowerCase()}`;
}

/** Throws unless `message` is well formed: at least 81 bytes, version 1, payload at most 4096 bytes. */
export function validateMessage(message: Hex): void {
  assertHex("message", message);
  const length = byteLength(message);
  if (length < MESSAGE_HEADER_LENGTH) throw new MessageTooShortError(length);
  if (length - MESSAGE_HEADER_LENGTH > MAX_PAYLOAD_LENGTH) {
    throw new PayloadTooLongError(length - MESSAGE_HEADER_LENGTH);
  }
  const version = Number.parseInt(message.slice(2, 4), 16);
  if (version !== MESSAGE_VERSION) throw new UnsupportedVersionError(version);
}

/** Decodes a well-formed message (see `validateMessage` for what is rejected). */
export function decodeMessage(message: Hex): Message {
  validateMessage(message);
  const hex = message.slice(2).toLowerCase();
  const field = (offset: number, size: number): string => hex.slice(offset * 2, (offset + size) * 2);
  return {
    version: MESSAGE_VERSION,
    nonce: BigInt(`0x${field(1, 8)}`),
    originDomain: Number.parseInt(field(9, 4), 16),
    sender: `0x${field(13, 32)}`,
    destinationDomain: Number.parseInt(field(45, 4), 16),
    recipient: `0x${field(49, 32)}`,
    payload: `0x${hex.slice(MESSAGE_HEADER_LENGTH * 2)}`,
  };
}

/** The message id: keccak256 of the whole (well-formed) encoding. */
export function messageId(message: Hex): Hex {
  validateMessage(message);
  return keccak256(message);
}

/** An EVM address as the 32-byte sender/recipient convention (left-padded with zeros). */
export function addressToBytes32(address: Address): Hex {
  const checked = assertAddress("address", address);
  return `0x${"0".repeat(24)}${checked.slice(2).toLowerCase()}`;
}

/** The EVM address in a left-padded bytes32 (checksummed); throws if the upper 12 bytes are not zero. */
export function bytes32ToAddress(value: Hex): Address {
  const b = assertBytes32("bytes32", value);
  if (!/^0x0{24}/.test(b)) throw new AddressUpperBytesNonZeroError(b);
  return getAddress(`0x${b.slice(26)}`);
}
