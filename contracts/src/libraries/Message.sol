// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Message
/// @notice The canonical maskoii message encoding (docs/protocol.md §2), read in place from calldata.
/// @dev Layout: version (1) ‖ nonce (8) ‖ originDomain (4) ‖ sender (32) ‖ destinationDomain (4) ‖ recipient (32)
///      ‖ payload. Big-endian, packed. The message id is keccak256 of the whole encoding.
library Message {
    uint8 internal constant VERSION = 1;
    uint256 internal constant HEADER_LENGTH = 81;
    uint256 internal constant MAX_PAYLOAD_LENGTH = 4096;

    uint256 private constant NONCE_OFFSET = 1;
    uint256 private constant ORIGIN_OFFSET = 9;
    uint256 private constant SENDER_OFFSET = 13;
    uint256 private constant DESTINATION_OFFSET = 45;
    uint256 private constant RECIPIENT_OFFSET = 49;

    /// @notice The message is shorter than its header.
    error MessageTooShort(uint256 length);
    /// @notice The payload is longer than MAX_PAYLOAD_LENGTH.
    error PayloadTooLong(uint256 length);
    /// @notice The message's version byte is not VERSION.
    error UnsupportedVersion(uint8 version);

    /// @notice Encodes a message.
    function encode(
        uint64 nonce_,
        uint32 originDomain_,
        bytes32 sender_,
        uint32 destinationDomain_,
        bytes32 recipient_,
        bytes memory payload_
    ) internal pure returns (bytes memory) {
        if (payload_.length > MAX_PAYLOAD_LENGTH) revert PayloadTooLong(payload_.length);
        return abi.encodePacked(VERSION, nonce_, originDomain_, sender_, destinationDomain_, recipient_, payload_);
    }

    /// @notice Reverts unless `message` is well formed (length bounds and version).
    function validate(bytes calldata message) internal pure {
        if (message.length < HEADER_LENGTH) revert MessageTooShort(message.length);
        if (message.length - HEADER_LENGTH > MAX_PAYLOAD_LENGTH) revert PayloadTooLong(message.length - HEADER_LENGTH);
        uint8 v = uint8(message[0]);
        if (v != VERSION) revert UnsupportedVersion(v);
    }

    /// @notice keccak256 of the whole message, computed in place.
    function id(bytes calldata message) internal pure returns (bytes32 messageId) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, message.offset, message.length)
            messageId := keccak256(ptr, message.length)
        }
    }

    /// @dev Fields are read with calldataload; callers must `validate` first so reads stay in bounds.
    function nonce(bytes calldata message) internal pure returns (uint64 n) {
        assembly ("memory-safe") {
            n := shr(192, calldataload(add(message.offset, NONCE_OFFSET)))
        }
    }

    function originDomain(bytes calldata message) internal pure returns (uint32 d) {
        assembly ("memory-safe") {
            d := shr(224, calldataload(add(message.offset, ORIGIN_OFFSET)))
        }
    }

    function sender(bytes calldata message) internal pure returns (bytes32 s) {
        assembly ("memory-safe") {
            s := calldataload(add(message.offset, SENDER_OFFSET))
        }
    }

    function destinationDomain(bytes calldata message) internal pure returns (uint32 d) {
        assembly ("memory-safe") {
            d := shr(224, calldataload(add(message.offset, DESTINATION_OFFSET)))
        }
    }

    function recipient(bytes calldata message) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            r := calldataload(add(message.offset, RECIPIENT_OFFSET))
        }
    }

    function payload(bytes calldata message) internal pure returns (bytes calldata) {
        return message[HEADER_LENGTH:];
    }

    /// @notice An EVM address as the 32-byte sender/recipient convention (left-padded).
    function toBytes32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
