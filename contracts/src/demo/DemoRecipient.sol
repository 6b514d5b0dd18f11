// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IMessageRecipient} from "../core/interfaces/IMessageRecipient.sol";

/// @title DemoRecipient
/// @notice A minimal message recipient for the devnet and the TypeScript flow tests: accepts messages from its
///         Gateway and counts them. Its owner can make it reject messages, to exercise failed delivery and `retry`.
///         Not meant for any real deployment.
contract DemoRecipient is IMessageRecipient, Ownable {
    /// @notice The only caller allowed to deliver messages.
    address public immutable gateway;
    /// @notice While true, `handle` reverts with `Rejected`.
    bool public rejecting;
    /// @notice Number of messages handled.
    uint256 public handled;
    /// @notice keccak256(abi.encode(origin, sender, payload)) of the last handled message.
    bytes32 public lastMessageHash;

    /// @notice A message was handled.
    event MessageHandled(uint32 indexed origin, bytes32 indexed sender, bytes payload);
    /// @notice `rejecting` changed.
    event RejectingSet(bool rejecting);

    /// @notice `handle` was called by someone other than the Gateway.
    error OnlyGateway(address caller);
    /// @notice The recipient is set to reject messages.
    error Rejected(uint32 origin, bytes32 sender);

    /// @param gateway_ The local Gateway.
    /// @param owner_ May toggle `rejecting`.
    constructor(address gateway_, address owner_) Ownable(owner_) {
        gateway = gateway_;
    }

    /// @notice Makes `handle` revert (true) or accept (false).
    /// @param rejecting_ The new mode.
    function setRejecting(bool rejecting_) external onlyOwner {
        rejecting = rejecting_;
        emit RejectingSet(rejecting_);
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external override {
        if (msg.sender != gateway) revert OnlyGateway(msg.sender);
        if (rejecting) revert Rejected(origin, sender);
        ++handled;
        lastMessageHash = keccak256(abi.encode(origin, sender, payload));
        emit MessageHandled(origin, sender, payload);
    }
}
