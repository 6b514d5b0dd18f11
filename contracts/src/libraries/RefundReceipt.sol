// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RefundReceipt
/// @notice The failure receipt an attester quorum signs (EIP-712 `TransferRefund`, AttestationLib.REFUND_TYPEHASH) so
///         that the ORIGIN TokenBridge pays a transfer back to its sender when its destination will never credit it
///         (docs/protocol.md §8.1). Byte for byte what `sdk/src/refund.ts` and the Solana program encode; shared
///         vectors `refundReceipts` / `malformedRefundReceipts` in test/vectors/protocol.json.
/// @dev Layout (121 bytes, big-endian, packed): version (1) = 1 ‖ messageId (32) ‖ originDomain uint32 (4) ‖
///      nonce uint64 (8) ‖ destinationDomain uint32 (4) ‖ token (32, the ORIGIN's token) ‖ refundTo (32) ‖
///      wireAmount uint64 (8). The attested value is `keccak256(receipt)`. The length is checked before the version,
///      so every implementation reports the same error for the same bytes.
library RefundReceipt {
    /// @notice The only receipt version.
    uint8 internal constant VERSION = 1;
    /// @notice Exact length of an encoded receipt.
    uint256 internal constant LENGTH = 121;

    uint256 private constant MESSAGE_ID_OFFSET = 1;
    uint256 private constant ORIGIN_OFFSET = 33;
    uint256 private constant NONCE_OFFSET = 37;
    uint256 private constant DESTINATION_OFFSET = 45;
    uint256 private constant TOKEN_OFFSET = 49;
    uint256 private constant REFUND_TO_OFFSET = 81;
    uint256 private constant AMOUNT_OFFSET = 113;

    /// @notice A decoded receipt.
    struct Receipt {
        bytes32 messageId;
        uint32 originDomain;
        uint64 nonce;
        uint32 destinationDomain;
        bytes32 token;
        bytes32 refundTo;
        uint64 wireAmount;
    }

    /// @notice The receipt is not exactly LENGTH bytes long.
    error RefundReceiptInvalidLength(uint256 length);
    /// @notice The receipt's version byte is not VERSION.
    error RefundReceiptUnknownVersion(uint8 version);

    /// @notice Encodes a receipt.
    function encode(Receipt memory r) internal pure returns (bytes memory) {
        return abi.encodePacked(
            VERSION, r.messageId, r.originDomain, r.nonce, r.destinationDomain, r.token, r.refundTo, r.wireAmount
        );
    }

    /// @notice Decodes a receipt in place, reverting unless it is exactly LENGTH bytes of version 1.
    function decode(bytes calldata receipt) internal pure returns (Receipt memory r) {
        if (receipt.length != LENGTH) revert RefundReceiptInvalidLength(receipt.length);
        uint256 version;
        bytes32 messageId;
        uint32 originDomain;
        uint64 nonce;
        uint32 destination;
        bytes32 token;
        bytes32 refundTo;
        uint64 amount;
        assembly ("memory-safe") {
            let p := receipt.offset
            version := byte(0, calldataload(p))
            messageId := calldataload(add(p, MESSAGE_ID_OFFSET))
            originDomain := shr(224, calldataload(add(p, ORIGIN_OFFSET)))
            nonce := shr(192, calldataload(add(p, NONCE_OFFSET)))
            destination := shr(224, calldataload(add(p, DESTINATION_OFFSET)))
            token := calldataload(add(p, TOKEN_OFFSET))
            refundTo := calldataload(add(p, REFUND_TO_OFFSET))
            amount := shr(192, calldataload(add(p, AMOUNT_OFFSET)))
        }
        if (version != VERSION) revert RefundReceiptUnknownVersion(uint8(version));
        r = Receipt(messageId, originDomain, nonce, destination, token, refundTo, amount);
    }
}
