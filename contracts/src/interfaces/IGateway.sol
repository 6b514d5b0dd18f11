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

    /// @notice Whether the guardian has paused the gateway (and with it every outflow of the bridge on this chain).
    function paused() external view returns (bool);

    /// @notice The guardian: may pause and unpause, and cancel queued transfers on the TokenBridge.
    function guardian() external view returns (address);

    /// @notice The owner-configured chain family of `destination` (ChainFamily: 0 unknown, 1 evm, 2 svm).
    function destinationFamily(uint32 destination) external view returns (uint8);

    /// @notice The nonce of the message whose recipient is being called; meaningful only inside `handle`.
    function deliveringNonce() external view returns (uint64);
}
