// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TokenMessage
/// @notice The token-transfer payload carried between TokenBridge contracts (docs/protocol.md §8).
/// @dev Layout (105 bytes, big-endian, packed): kind (1) = 1 ‖ token (32) ‖ recipient (32) ‖ amount uint64 (8)
///      ‖ from (32). `token` is the token on the ORIGIN chain; `amount` is in the route's shared decimals.
library TokenMessage {
    /// @notice The only payload kind defined in version 1: a token transfer.
    uint8 internal constant KIND_TRANSFER = 1;
    /// @notice Exact length of an encoded transfer payload.
    uint256 internal constant LENGTH = 105;

    uint256 private constant TOKEN_OFFSET = 1;
    uint256 private constant RECIPIENT_OFFSET = 33;
    uint256 private constant AMOUNT_OFFSET = 65;
    uint256 private constant FROM_OFFSET = 73;

    /// @notice The payload is not exactly LENGTH bytes long.
    error TokenMessageInvalidLength(uint256 length);
    /// @notice The payload's kind byte is not KIND_TRANSFER.
    error TokenMessageUnknownKind(uint8 kind);

    /// @notice Encodes a transfer payload.
    /// @param token The token on the origin chain, left-padded to 32 bytes.
    /// @param recipient The recipient on the destination chain, left-padded to 32 bytes.
    /// @param amount The amount in shared decimals.
    /// @param from The origin-side sender, left-padded to 32 bytes.
    function encode(bytes32 token, bytes32 recipient, uint64 amount, bytes32 from)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(KIND_TRANSFER, token, recipient, amount, from);
    }

    /// @notice Decodes a transfer payload in place, reverting unless it is exactly LENGTH bytes of kind 1.
    function decode(bytes calldata payload)
        internal
        pure
        returns (bytes32 token, bytes32 recipient, uint64 amount, bytes32 from)
    {
        if (payload.length != LENGTH) revert TokenMessageInvalidLength(payload.length);
        uint8 kind = uint8(payload[0]);
        if (kind != KIND_TRANSFER) revert TokenMessageUnknownKind(kind);
        assembly ("memory-safe") {
            let p := payload.offset
            token := calldataload(add(p, TOKEN_OFFSET))
            recipient := calldataload(add(p, RECIPIENT_OFFSET))
            amount := shr(192, calldataload(add(p, AMOUNT_OFFSET)))
            from := calldataload(add(p, FROM_OFFSET))
        }
    }
}
