/**
 * Refund receipts (docs/protocol.md §8, "Refunds"): the failure receipt an attester quorum signs so that the ORIGIN
 * chain pays a token transfer back to its sender when the destination will never credit it. Byte for byte what
 * `contracts/src/libraries/RefundReceipt.sol` and the Solana program's `protocol/refund.rs` encode; shared vectors in
 * test/vectors/protocol.json (`refundReceipts`, `malformedRefundReceipts`).
 */
import { type Hex, keccak256 } from "viem";
import { RefundReceiptInvalidLengthError, RefundReceiptUnknownVersionError } from "./errors/index.ts";
import { assertBytes32, assertHex, assertUint, byteLength, uintHex } from "./internal/assert.ts";

/** The version byte of a refund receipt. */
export const REFUND_RECEIPT_VERSION = 1;
/** version 1 ‖ messageId 32 ‖ origin 4 ‖ nonce 8 ‖ destination 4 ‖ token 32 ‖ refundTo 32 ‖ wireAmount 8. */
export const REFUND_RECEIPT_LENGTH = 121;

/**
 * A refund receipt: "the transfer `messageId` will never be credited on `destinationDomain`; pay `wireAmount` of
 * `token` back to `refundTo` on `originDomain`". Hex fields are lower-case 32-byte values.
 */
export type RefundReceipt = {
  /** keccak256 of the transfer's message (spec §2). */
  readonly messageId: Hex;
  /** uint32: the transfer's origin domain, where the refund is paid (and the attestation verified). */
  readonly originDomain: number;
  /** uint64: the transfer's nonce on its origin. */
  readonly nonce: bigint;
  /** uint32: the transfer's destination domain, which recorded it refundable (or never delivered it). */
  readonly destinationDomain: number;
  /** The token on the ORIGIN chain (a left-padded ERC-20 address or an SPL mint): what the origin took. */
  readonly token: Hex;
  /**
   * Who gets the refund on the origin, as the origin's `TransferSent` recorded the sender: a left-padded EVM address,
   * or the Solana owner wallet that signed `token_transfer_remote` (paid into a token account it owns).
   */
  readonly refundTo: Hex;
  /** uint64, in the route's shared decimals: exactly the transfer's wire amount. */
  readonly wireAmount: bigint;
};

type RefundReceiptInput = Omit<RefundReceipt, "nonce" | "wireAmount"> & {
  readonly nonce: bigint | number;
  readonly wireAmount: bigint | number;
};

/** Encodes a refund receipt (big-endian, packed, 121 bytes). */
export function encodeRefundReceipt(receipt: RefundReceiptInput): Hex {
  const messageId = assertBytes32("messageId", receipt.messageId);
  const origin = assertUint("originDomain", receipt.originDomain, 32);
  const nonce = assertUint("nonce", receipt.nonce, 64);
  const destination = assertUint("destinationDomain", receipt.destinationDomain, 32);
  const token = assertBytes32("token", receipt.token);
  const refundTo = assertBytes32("refundTo", receipt.refundTo);
  const wire = assertUint("wireAmount", receipt.wireAmount, 64);
  return `0x${uintHex(REFUND_RECEIPT_VERSION, 1)}${messageId.slice(2)}${uintHex(origin, 4)}${uintHex(nonce, 8)}${uintHex(destination, 4)}${token.slice(2)}${refundTo.slice(2)}${uintHex(wire, 8)}`;
}

/** Decodes a refund receipt; throws unless it is exactly 121 bytes (checked first) with version 1. */
export function decodeRefundReceipt(encoded: Hex): RefundReceipt {
  const length = byteLength(assertHex("refundReceipt", encoded));
  if (length !== REFUND_RECEIPT_LENGTH) throw new RefundReceiptInvalidLengthError(length);
  const hex = encoded.slice(2).toLowerCase();
  const version = Number.parseInt(hex.slice(0, 2), 16);
  if (version !== REFUND_RECEIPT_VERSION) throw new RefundReceiptUnknownVersionError(version);
  return {
    messageId: `0x${hex.slice(2, 66)}`,
    originDomain: Number.parseInt(hex.slice(66, 74), 16),
    nonce: BigInt(`0x${hex.slice(74, 90)}`),
    destinationDomain: Number.parseInt(hex.slice(90, 98), 16),
    token: `0x${hex.slice(98, 162)}`,
    refundTo: `0x${hex.slice(162, 226)}`,
    wireAmount: BigInt(`0x${hex.slice(226, 242)}`),
  };
}

/** `refundHash = keccak256(encodeRefundReceipt(receipt))`: the value a `TransferRefund` attestation signs. */
export function refundReceiptHash(receipt: RefundReceiptInput | Hex): Hex {
  const encoded = typeof receipt === "string" ? receipt : encodeRefundReceipt(receipt);
  decodeRefundReceipt(encoded);
  return keccak256(encoded);
}
