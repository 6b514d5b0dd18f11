// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMessageRecipient
/// @notice Implemented by any contract that receives maskoii messages from its local Gateway.
interface IMessageRecipient {
    /// @notice Called by the Gateway once a message addressed to this contract is attested and delivered.
    /// @dev Must check `msg.sender` is the trusted Gateway and `origin`/`sender` are trusted remotes.
    ///      A revert does not revert the delivery: the Gateway records the message as failed and anyone may retry it.
    /// @param origin Domain id of the chain the message came from.
    /// @param sender Sender on the origin chain, left-padded to 32 bytes.
    /// @param payload Application payload.
    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external;
}
