// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGateway
/// @notice One per chain: sends messages out (nonce, fee) and delivers attested messages in (exactly once).
/// @dev Declares every event and custom error of the Gateway (the contract inherits them, so `Gateway.X.selector`
///      and `emit Gateway.X(...)` keep working); those of its attester set are in IAttesterSet, those of the pure
///      libraries (Message, MessageMerkle, SignatureLib) in the libraries.
interface IGateway {
    /// @notice Delivery state of a message on its destination gateway.
    enum MessageStatus {
        None,
        Delivered,
        Failed
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A message was sent; `message` is the whole encoding attesters observe and sign.
    event MessageSent(bytes32 indexed messageId, uint32 indexed destination, uint64 indexed nonce, bytes message);
    /// @notice A message was delivered and its recipient's `handle` returned.
    event MessageDelivered(bytes32 indexed messageId, uint32 indexed origin, uint64 indexed nonce);
    /// @notice A message was delivered but its recipient reverted (or has no code); it may be retried.
    /// @param reason The recipient's revert data, truncated to MAX_FAILURE_REASON_LENGTH bytes.
    event MessageFailed(bytes32 indexed messageId, uint32 indexed origin, uint64 indexed nonce, bytes reason);
    /// @notice A failed message is being retried; a successful retry also emits `MessageDelivered`.
    event MessageRetried(bytes32 indexed messageId);
    /// @notice A batch contained a message that was already delivered; it was skipped.
    event MessageSkipped(bytes32 indexed messageId);
    /// @notice The fee schedule of `destination` changed.
    event FeeSet(uint32 indexed destination, uint128 baseFee, uint128 feePerByte);
    /// @notice Accumulated fees were withdrawn.
    event FeesWithdrawn(address indexed to, uint256 amount);
    /// @notice The guardian changed.
    event GuardianSet(address indexed previousGuardian, address indexed newGuardian);
    /// @notice The chain family of `destination` was set (ChainFamily: 0 unknown, 1 evm, 2 svm).
    event DestinationFamilySet(uint32 indexed destination, uint8 family);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `send`/`setFee` to domain 0 or to this chain's own domain.
    error InvalidDestination(uint32 destination);
    /// @notice `msg.value` is below `quoteFee`.
    error InsufficientFee(uint256 required, uint256 provided);
    /// @notice Refunding the overpayment to the caller failed.
    error RefundFailed();
    /// @notice `withdrawFees` to the zero address.
    error InvalidFeeRecipient();
    /// @notice Sending the fees to the recipient failed.
    error FeeWithdrawalFailed();
    /// @notice The caller is not the guardian.
    error NotGuardian(address caller);
    /// @notice The message is addressed to another domain.
    error WrongDestination(uint32 expected, uint32 actual);
    /// @notice The `(origin, nonce)` of the message was already delivered.
    error AlreadyDelivered(bytes32 messageId);
    /// @notice Delivery: the recipient is not an EVM address (its upper 12 bytes are not zero). Send: the destination's
    ///         family can never accept the recipient (ChainFamily.accepts).
    error InvalidRecipient(bytes32 recipient);
    /// @notice `setDestinationFamily` with a family above ChainFamily.MAX.
    error InvalidFamily(uint8 family);
    /// @notice The recipient address holds no code (a call would trivially "succeed"). Used as the failure reason of
    ///         `MessageFailed` and as the revert of `retry`.
    error RecipientNotContract(address recipient);
    /// @notice Less gas is left than RECIPIENT_GAS_FLOOR + RECIPIENT_GAS_RESERVE before the recipient call.
    error InsufficientGasForRecipient(uint256 available, uint256 required);
    /// @notice `deliverBatch` with `messages.length != proofs.length`.
    error LengthMismatch(uint256 messages, uint256 proofs);
    /// @notice `deliverBatch` with no messages.
    error EmptyBatch();
    /// @notice The proof of message `index` does not lead to the root of message 0's proof.
    error InvalidMerkleProof(uint256 index);
    /// @notice `retry` of a message that is not recorded as failed.
    error NotFailed(bytes32 messageId);

    // ---------------------------------------------------------------------------------------------------------
    // Functions
    // ---------------------------------------------------------------------------------------------------------

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
