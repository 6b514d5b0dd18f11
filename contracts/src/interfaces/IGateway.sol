// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGateway
/// @notice One per chain: sends messages out (nonce, fee) and delivers attested messages in (exactly once).
interface IGateway {
    /// @notice Delivery state of a message on its destination gateway.
    enum MessageStatus {
        None,
        Delivered,
        Failed
    }

    /// @notice Sends `payload` to `recipient` on `destination`. Pays the relaying fee in native token.
    /// @return messageId keccak256 of the encoded message.
    function send(uint32 destination, bytes32 recipient, bytes calldata payload)
        external
        payable
        returns (bytes32 messageId);

    /// @notice Fee in wei that `send` requires for a payload of `payloadLength` bytes to `destination`.
    function quoteFee(uint32 destination, uint256 payloadLength) external view returns (uint256 fee);

    /// @notice Domain id of this chain.
    function localDomain() external view returns (uint32);
}
