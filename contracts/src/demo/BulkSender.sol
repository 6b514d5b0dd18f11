// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGateway} from "../core/interfaces/IGateway.sol";

/// @title BulkSender
/// @notice Load generator for the relayer benchmark (bench/relayer): sends `count` messages through the Gateway in
///         one transaction, so that a local chain produces hundreds of MessageSent events per block. Each message's
///         payload is the 32-byte index `first + i`, so every message of a run is distinct and traceable. The
///         caller pays exactly `count` relaying fees. Not meant for any real deployment.
contract BulkSender {
    /// @notice The Gateway messages are sent through.
    IGateway public immutable gateway;

    /// @notice `msg.value` is not exactly `count` times the Gateway's fee.
    error WrongFee(uint256 required, uint256 provided);
    /// @notice `count` is zero.
    error NothingToSend();

    /// @param gateway_ The local Gateway.
    constructor(IGateway gateway_) {
        gateway = gateway_;
    }

    /// @notice Fee in wei for `count` messages of a 32-byte payload to `destination`.
    /// @param destination Destination domain.
    /// @param count Number of messages.
    /// @return fee `count` times the Gateway's quote for one 32-byte payload.
    function quote(uint32 destination, uint256 count) public view returns (uint256 fee) {
        return gateway.quoteFee(destination, 32) * count;
    }

    /// @notice Sends `count` messages to `recipient` on `destination`, payloads `abi.encode(first + i)`.
    /// @param destination Destination domain.
    /// @param recipient Recipient on the destination, left-padded to 32 bytes.
    /// @param first Payload of the first message; each next message's payload is one more.
    /// @param count Number of messages (at least one).
    function sendMany(uint32 destination, bytes32 recipient, uint256 first, uint256 count) external payable {
        if (count == 0) revert NothingToSend();
        uint256 fee = gateway.quoteFee(destination, 32);
        if (msg.value != fee * count) revert WrongFee(fee * count, msg.value);
        for (uint256 i; i < count; ++i) {
            gateway.send{value: fee}(destination, recipient, abi.encode(first + i));
        }
    }
}
