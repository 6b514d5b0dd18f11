// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {AttestationLib} from "../libraries/AttestationLib.sol";
import {ChainFamily} from "../libraries/ChainFamily.sol";
import {Message} from "../libraries/Message.sol";
import {MessageMerkle} from "../libraries/MessageMerkle.sol";
import {AttesterSet} from "./AttesterSet.sol";
import {IAttesterSet} from "./interfaces/IAttesterSet.sol";
import {IGateway} from "./interfaces/IGateway.sol";

/// @title Gateway
/// @notice One per chain. Sends messages out (one nonce counter for all destinations, native-token fee) and
///         delivers attested messages in, exactly once per `(originDomain, nonce)` (docs/protocol.md §2, §5, §7).
/// @dev Delivery is recorded as one bit per `(origin, nonce)` in a bitmap keyed by `(origin, nonce >> 8)`. The
///      recipient is called after the bit is set (checks-effects-interactions); a recipient revert does not revert
///      the delivery: the message id is recorded as failed and anyone may `retry` it. `deliverBatch` and `retry`
///      share a transient-storage reentrancy lock; `deliver` needs none (see its notes); `send` is not locked so
///      that a recipient may send a reply from `handle`.
///
///      The Gateway IS the attester set of its chain (it inherits AttesterSet): deliveries verify attestations with
///      an internal call (verifier = this contract), and attestations for this chain's rotations and messages name
///      the same address. `verify` stays available to other consumers (verifier = their address). The guardian's
///      pause is mirrored into a flag of every live set's config word, which `_verify` reads anyway, so delivery
///      checks the pause at no extra SLOAD; rotations (which stay possible while paused) copy the flag into the new
///      set. The pause stops every attestation consumer, not only this gateway (the guardian's circuit breaker).
contract Gateway is IGateway, AttesterSet, Pausable, ReentrancyGuardTransient {
    // ---------------------------------------------------------------------------------------------------------
    // Constants and immutables
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Minimum gas the recipient's `handle` is guaranteed when a relayer delivers a message.
    /// @dev Delivery reverts (`InsufficientGasForRecipient`) unless at least `RECIPIENT_GAS_FLOOR +
    ///      RECIPIENT_GAS_RESERVE` gas is left right before the call, so a relayer cannot make a recipient fail (and
    ///      force a retry) by starving it. 100,000 is about twice the most expensive canonical recipient path, a
    ///      TokenBridge release/mint to a fresh account with a cold rate-limit bucket (~50,000: fresh balance slot
    ///      22,100, bucket and config reads and writes, cold token account), leaving headroom for gas-schedule
    ///      changes. The floor raises the gas *limit* a relayer must set, never the gas actually used. Recipients
    ///      that need more than the floor must tolerate being marked failed and retried with more gas.
    uint256 public constant RECIPIENT_GAS_FLOOR = 100_000;

    /// @notice Gas the gateway keeps back from the recipient call so that it can always record a failure
    ///         (failed flag SSTORE 22,100 + bounded `MessageFailed` log), even if the recipient burns all it gets.
    /// @dev Because of it a gas-burning recipient ends as `Failed` (retryable) instead of reverting the delivery.
    uint256 public constant RECIPIENT_GAS_RESERVE = 40_000;

    /// @notice Revert data of a failed recipient is truncated to this many bytes in `MessageFailed`, so a recipient
    ///         cannot grief the relayer with huge revert data (it is never copied beyond this bound).
    uint256 public constant MAX_FAILURE_REASON_LENGTH = 256;

    /// @dev Transient slot holding the nonce of the message whose recipient is being called (see `deliveringNonce`):
    ///      keccak256("maskoii.gateway.deliveringNonce") - 1.
    bytes32 private constant DELIVERING_NONCE_SLOT = 0xfe31eacc00ef39cc86390a03053f947ff0cf5756bb1404104b182900d41a82ea;

    // ---------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Fee schedule of one destination, packed in one slot.
    struct FeeConfig {
        uint128 baseFee;
        uint128 feePerByte;
    }

    /// @notice May pause and unpause `send`, `deliver`, `deliverBatch`, `retry` and `verify` (and through them, and the
    ///         TokenBridge's own check of `paused()`, every outflow of the bridge); may cancel queued transfers on the
    ///         TokenBridge. Set by the owner.
    address public override guardian;

    /// @dev Nonce the next `send` assigns. Packs into the guardian's slot.
    uint64 private _nextNonce;

    /// @dev destination domain => fee schedule.
    mapping(uint32 destination => FeeConfig) private _fees;

    /// @dev origin domain => (nonce >> 8) => bitmap of delivered nonces (bit `nonce & 0xff`).
    mapping(uint32 origin => mapping(uint64 word => uint256 bits)) private _delivered;

    /// @dev message id => the recipient call reverted and has not been retried successfully.
    mapping(bytes32 messageId => bool) private _failed;

    /// @notice The chain family of each destination (ChainFamily: 0 unknown, 1 evm, 2 svm), set by the owner. `send`
    ///         refuses recipients a known family can never accept; TokenBridges apply the same rule to transfers.
    mapping(uint32 destination => uint8 family) public override destinationFamily;

    // ---------------------------------------------------------------------------------------------------------
    // Construction and administration
    // ---------------------------------------------------------------------------------------------------------

    /// @param localDomain_ Domain id of this chain (not 0).
    /// @param owner_ Two-step owner (fees, guardian, emergency rotation proposals); expected to be a multisig.
    /// @param guardian_ May pause and unpause.
    /// @param attesters Attester set 1, sorted strictly ascending.
    /// @param weights Stake weight per attester.
    /// @param thresholdBps Quorum threshold of set 1, in basis points of its total weight.
    /// @param overlapWindow_ Seconds a set stays valid after the next quorum rotation.
    /// @param emergencyDelay_ Emergency rotation timelock, at least MIN_EMERGENCY_DELAY.
    constructor(
        uint32 localDomain_,
        address owner_,
        address guardian_,
        address[] memory attesters,
        uint96[] memory weights,
        uint16 thresholdBps,
        uint32 overlapWindow_,
        uint32 emergencyDelay_
    ) AttesterSet(localDomain_, owner_, attesters, weights, thresholdBps, overlapWindow_, emergencyDelay_) {
        guardian = guardian_;
        emit GuardianSet(address(0), guardian_);
    }

    /// @notice The attester set whose quorum attestations this gateway accepts: the gateway itself.
    /// @dev Kept for callers written against a separate AttesterSet contract.
    function attesterSet() external view returns (IAttesterSet) {
        return IAttesterSet(address(this));
    }

    /// @notice Domain id of this chain (not the EVM chain id).
    function localDomain() public view override(AttesterSet, IGateway) returns (uint32) {
        return _localDomain;
    }

    /// @notice Whether the guardian has paused this gateway. While paused, `send`, `deliver`, `deliverBatch`, `retry`
    ///         and `verify` revert, and the TokenBridge (which reads this) refuses `releaseQueued` and `refund`.
    function paused() public view override(IGateway, Pausable) returns (bool) {
        return super.paused();
    }

    /// @notice Sets the guardian (may be zero to disable pausing until a new guardian is set).
    /// @param newGuardian The new guardian.
    function setGuardian(address newGuardian) external onlyOwner {
        emit GuardianSet(guardian, newGuardian);
        guardian = newGuardian;
    }

    /// @notice Pauses `send`, `deliver`, `deliverBatch`, `retry` and `verify` (every attestation consumer), and so every
    ///         outflow of the bridge on this chain: the TokenBridge reads `paused()` in `releaseQueued` and `refund`
    ///         (docs/protocol.md §8.1). Guardian only. Rotations, equivocation reports and the TokenBridge's
    ///         `cancelQueued` stay possible (they are the recovery path); a rotation keeps the new set paused.
    function pause() external {
        _checkGuardian();
        _pause();
        _setPausedFlag(true);
    }

    /// @notice Unpauses. Guardian only.
    function unpause() external {
        _checkGuardian();
        _unpause();
        _setPausedFlag(false);
    }

    /// @notice Sets the fee schedule for messages to `destination`: `baseFee + feePerByte × payload length` wei.
    /// @param destination Destination domain (not 0, not this domain).
    /// @param baseFee Flat fee per message, in wei.
    /// @param feePerByte Fee per payload byte, in wei.
    function setFee(uint32 destination, uint128 baseFee, uint128 feePerByte) external onlyOwner {
        if (destination == 0 || destination == _localDomain) revert InvalidDestination(destination);
        _fees[destination] = FeeConfig(baseFee, feePerByte);
        emit FeeSet(destination, baseFee, feePerByte);
    }

    /// @notice Declares the chain family of `destination` (ChainFamily.UNKNOWN 0, EVM 1, SVM 2). With a known
    ///         family, `send` and the TokenBridges refuse recipients that destination can never accept, so no message
    ///         (and no token) is sent to be rejected there forever (docs/protocol.md §8.1).
    /// @param destination Destination domain (not 0, not this domain).
    /// @param family The family; UNKNOWN switches the check off.
    function setDestinationFamily(uint32 destination, uint8 family) external onlyOwner {
        if (destination == 0 || destination == _localDomain) revert InvalidDestination(destination);
        if (family > ChainFamily.MAX) revert InvalidFamily(family);
        destinationFamily[destination] = family;
        emit DestinationFamilySet(destination, family);
    }

    /// @notice Sends all accumulated fees to `to`.
    /// @param to Receiver of the fees.
    function withdrawFees(address payable to) external onlyOwner {
        if (to == address(0)) revert InvalidFeeRecipient();
        uint256 amount = address(this).balance;
        emit FeesWithdrawn(to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert FeeWithdrawalFailed();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Outbound
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Sends `payload` to `recipient` on `destination`, paying the relaying fee in native token.
    /// @dev Overpayment is refunded to the caller after all state updates. Refuses (`InvalidRecipient`) a recipient
    ///      the destination's configured family can never accept (ChainFamily.accepts): an EVM destination rejects a
    ///      recipient with non-zero upper bytes forever, so the fee would pay for a message that can never land.
    /// @param destination Destination domain (not 0, not this domain).
    /// @param recipient Recipient on the destination, left-padded to 32 bytes.
    /// @param payload Application payload, at most Message.MAX_PAYLOAD_LENGTH bytes.
    /// @return messageId keccak256 of the encoded message.
    function send(uint32 destination, bytes32 recipient, bytes calldata payload)
        external
        payable
        override
        whenNotPaused
        returns (bytes32 messageId)
    {
        if (destination == 0 || destination == _localDomain) revert InvalidDestination(destination);
        if (!ChainFamily.accepts(destinationFamily[destination], recipient)) revert InvalidRecipient(recipient);
        if (payload.length > Message.MAX_PAYLOAD_LENGTH) revert Message.PayloadTooLong(payload.length);
        uint256 fee = quoteFee(destination, payload.length);
        if (msg.value < fee) revert InsufficientFee(fee, msg.value);

        uint64 nonce = _nextNonce;
        _nextNonce = nonce + 1;
        bytes memory message =
            Message.encode(nonce, _localDomain, Message.toBytes32(msg.sender), destination, recipient, payload);
        messageId = keccak256(message);
        emit MessageSent(messageId, destination, nonce, message);

        unchecked {
            uint256 refund = msg.value - fee;
            if (refund != 0) {
                (bool ok,) = msg.sender.call{value: refund}("");
                if (!ok) revert RefundFailed();
            }
        }
    }

    /// @notice Fee in wei that `send` requires for a payload of `payloadLength` bytes to `destination`.
    /// @param destination Destination domain.
    /// @param payloadLength Payload length in bytes.
    /// @return fee `baseFee + feePerByte × payloadLength`.
    function quoteFee(uint32 destination, uint256 payloadLength) public view override returns (uint256 fee) {
        FeeConfig memory cfg = _fees[destination];
        return uint256(cfg.baseFee) + uint256(cfg.feePerByte) * payloadLength;
    }

    /// @notice The nonce the next `send` will assign.
    function nextNonce() external view returns (uint64) {
        return _nextNonce;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inbound
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Delivers one message attested by a MessageAttestation quorum of a live attester set.
    /// @dev Reverts on a malformed message, a message for another domain, an invalid recipient, an already delivered
    ///      `(origin, nonce)`, an invalid attestation, or less than RECIPIENT_GAS_FLOOR + RECIPIENT_GAS_RESERVE gas
    ///      before the recipient call. A reverting recipient does not revert the delivery (`MessageFailed`).
    /// @param message The encoded message.
    /// @param attestation `uint64 attesterSetId ‖ k × (uint8 index ‖ r ‖ s ‖ v)` over MessageAttestation(id).
    /// @dev Not behind the reentrancy lock (it would cost ~350 gas on the benchmarked path and protect nothing): the
    ///      delivered bit is set before any external call, so a recipient re-entering `deliver` can only deliver
    ///      OTHER attested messages, each exactly once, exactly as if they had been relayed one after the other; a
    ///      re-entered delivery of the same message reverts `AlreadyDelivered`. `deliverBatch` and `retry` keep the
    ///      lock (a retry clears the failed flag before calling out; the lock keeps that window closed).
    function deliver(bytes calldata message, bytes calldata attestation) external {
        (bytes32 messageId, uint32 origin, uint64 nonce, address recipient) = _check(message);
        // Setting the bit before `_verify` is safe: `_verify` is a view and reverts the whole delivery on any defect
        // (including the pause flag of the set); this order keeps the bitmap to one SLOAD and one SSTORE.
        if (!_markDelivered(origin, nonce)) revert AlreadyDelivered(messageId);
        _verify(AttestationLib.MESSAGE_TYPEHASH, _self(), messageId, attestation, PAUSED_FLAG);
        _handle(messageId, origin, nonce, recipient, message);
    }

    /// @notice Delivers a batch of messages whose ids are leaves of one BatchAttestation root (§5).
    /// @dev The root is computed from message 0 and `proofs[0]`, attested once, and every other message's proof must
    ///      lead to the same root. Already delivered messages are skipped (`MessageSkipped`) so racing relayers do
    ///      not waste each other's batches; any other defect reverts the whole batch.
    /// @param messages The encoded messages, all addressed to this domain.
    /// @param proofs One Merkle proof per message.
    /// @param attestation Quorum attestation over BatchAttestation(root).
    function deliverBatch(bytes[] calldata messages, bytes32[][] calldata proofs, bytes calldata attestation)
        external
        nonReentrant
    {
        uint256 n = messages.length;
        if (n != proofs.length) revert LengthMismatch(n, proofs.length);
        if (n == 0) revert EmptyBatch();

        bytes32 root = MessageMerkle.rootOf(Message.id(messages[0]), proofs[0]);
        _verify(AttestationLib.BATCH_TYPEHASH, _self(), root, attestation, PAUSED_FLAG);
        for (uint256 i; i < n; ++i) {
            _deliverBatchItem(messages[i], proofs[i], root, i);
        }
    }

    /// @notice Calls the recipient of a failed message again, with all the gas the caller supplies.
    /// @dev If the recipient reverts again its revert data bubbles up and the message stays failed. On success emits
    ///      `MessageRetried` then `MessageDelivered`.
    /// @param message The encoded message (as delivered).
    function retry(bytes calldata message) external whenNotPaused nonReentrant {
        Message.validate(message);
        bytes32 messageId = Message.id(message);
        if (!_failed[messageId]) revert NotFailed(messageId);
        _failed[messageId] = false;
        emit MessageRetried(messageId);

        address recipient = address(uint160(uint256(Message.recipient(message))));
        if (recipient.code.length == 0) revert RecipientNotContract(recipient);
        uint32 origin = Message.originDomain(message);
        bool ok = _callRecipient(recipient, origin, message, false);
        if (!ok) {
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
        emit MessageDelivered(messageId, origin, Message.nonce(message));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Delivery state of `message` on this gateway.
    /// @dev `Delivered` means its `(origin, nonce)` has been consumed here. Only an equivocating attester quorum can
    ///      make two different messages share one `(origin, nonce)`; the bitmap does not tell them apart. Messages
    ///      addressed to another domain are always `None`. Reverts on a malformed message.
    /// @param message The encoded message.
    /// @return status None, Delivered or Failed.
    function messageStatus(bytes calldata message) external view returns (MessageStatus status) {
        Message.validate(message);
        if (Message.destinationDomain(message) != _localDomain) return MessageStatus.None;
        if (_failed[Message.id(message)]) return MessageStatus.Failed;
        if (isDelivered(Message.originDomain(message), Message.nonce(message))) return MessageStatus.Delivered;
        return MessageStatus.None;
    }

    /// @notice Whether the message with this id was delivered but its recipient reverted, so that `retry` can run it.
    /// @dev The by-id half of a message's status: together with `isDelivered(origin, nonce)` it answers for a message
    ///      id whose origin and nonce are known (both are in `MessageSent` and in the message itself).
    /// @param messageId keccak256 of the encoded message.
    function isFailed(bytes32 messageId) external view returns (bool) {
        return _failed[messageId];
    }

    /// @notice The nonce of the message whose recipient this gateway is calling right now (`deliver`, `deliverBatch`
    ///         or `retry`); meaningful only inside the recipient's `handle`. Together with `handle`'s origin, sender and
    ///         payload it lets the recipient rebuild the message and its id (the TokenBridge keys refund records and
    ///         queued transfers by them, docs/protocol.md §8.1) without widening IMessageRecipient.
    /// @dev Transient storage, written before every recipient call (~100 gas); a recipient must read it before making
    ///      external calls of its own (a nested delivery overwrites it).
    function deliveringNonce() external view override returns (uint64 nonce) {
        assembly ("memory-safe") {
            nonce := tload(DELIVERING_NONCE_SLOT)
        }
    }

    /// @notice Whether `(origin, nonce)` has been delivered (successfully or as failed).
    /// @param origin Origin domain.
    /// @param nonce Nonce assigned by the origin gateway.
    function isDelivered(uint32 origin, uint64 nonce) public view returns (bool) {
        return _delivered[origin][nonce >> 8] & (uint256(1) << (nonce & 0xff)) != 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /// @dev This gateway as the `verifier` of its own attestations.
    function _self() private view returns (bytes32) {
        return bytes32(uint256(uint160(address(this))));
    }

    /// @dev A set installed while paused starts paused.
    function _newSetFlags() internal view override returns (uint256) {
        return paused() ? PAUSED_FLAG : 0;
    }

    function _checkGuardian() private view {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
    }

    /// @dev Validates `message` for delivery here and returns what delivery needs.
    function _check(bytes calldata message)
        private
        view
        returns (bytes32 messageId, uint32 origin, uint64 nonce, address recipient)
    {
        Message.validate(message);
        uint32 destination = Message.destinationDomain(message);
        if (destination != _localDomain) revert WrongDestination(_localDomain, destination);
        bytes32 rawRecipient = Message.recipient(message);
        if (rawRecipient >> 160 != 0) revert InvalidRecipient(rawRecipient);
        recipient = address(uint160(uint256(rawRecipient)));
        messageId = Message.id(message);
        origin = Message.originDomain(message);
        nonce = Message.nonce(message);
    }

    /// @dev One message of an attested batch: checks, proof against `root` (message 0 defined the root), then
    ///      delivery or skip.
    function _deliverBatchItem(bytes calldata message, bytes32[] calldata proof, bytes32 root, uint256 index)
        private
    {
        (bytes32 messageId, uint32 origin, uint64 nonce, address recipient) = _check(message);
        if (index != 0 && MessageMerkle.rootOf(messageId, proof) != root) revert InvalidMerkleProof(index);
        if (!_markDelivered(origin, nonce)) {
            emit MessageSkipped(messageId);
            return;
        }
        _handle(messageId, origin, nonce, recipient, message);
    }

    /// @dev Sets the delivered bit of `(origin, nonce)`; false if it was already set. One SLOAD, at most one SSTORE.
    function _markDelivered(uint32 origin, uint64 nonce) private returns (bool fresh) {
        mapping(uint64 => uint256) storage bitmap = _delivered[origin];
        uint64 wordIndex = nonce >> 8;
        uint256 word = bitmap[wordIndex];
        uint256 bit = uint256(1) << (nonce & 0xff);
        if (word & bit != 0) return false;
        bitmap[wordIndex] = word | bit;
        return true;
    }

    /// @dev Calls the recipient of a freshly delivered message and records the outcome. A recipient without code
    ///      counts as failed (a call to it would succeed without running anything).
    function _handle(bytes32 messageId, uint32 origin, uint64 nonce, address recipient, bytes calldata message)
        private
    {
        bool hasCode = recipient.code.length != 0;
        if (hasCode && _callRecipient(recipient, origin, message, true)) {
            emit MessageDelivered(messageId, origin, nonce);
            return;
        }
        _failed[messageId] = true;
        bytes memory reason;
        if (!hasCode) {
            reason = abi.encodeWithSelector(RecipientNotContract.selector, recipient);
        } else {
            assembly ("memory-safe") {
                let n := returndatasize()
                if gt(n, MAX_FAILURE_REASON_LENGTH) { n := MAX_FAILURE_REASON_LENGTH }
                reason := mload(0x40)
                mstore(reason, n)
                returndatacopy(add(reason, 0x20), 0, n)
                mstore(0x40, add(add(reason, 0x20), and(add(n, 31), not(31))))
            }
        }
        emit MessageFailed(messageId, origin, nonce, reason);
    }

    /// @dev `recipient.handle(origin, sender, payload)` with the message's fields. Return data is never copied. With
    ///      `metered`, reverts unless RECIPIENT_GAS_FLOOR + RECIPIENT_GAS_RESERVE gas is left and forwards all but
    ///      RECIPIENT_GAS_RESERVE (so the recipient gets at least the floor and the gateway keeps the reserve);
    ///      otherwise forwards all gas (63/64 rule).
    function _callRecipient(address recipient, uint32 originDomain, bytes calldata message, bool metered)
        private
        returns (bool ok)
    {
        // Field offsets are those of Message.sol (sender at 13, payload at 81); `message` was validated.
        assembly ("memory-safe") {
            // Build the calldata in scratch memory past the free memory pointer (not allocated: nothing keeps it).
            let ptr := mload(0x40)
            let payloadLength := sub(message.length, 81)
            mstore(ptr, shl(224, 0x56d5d475)) // IMessageRecipient.handle.selector
            mstore(add(ptr, 0x04), originDomain)
            mstore(add(ptr, 0x24), calldataload(add(message.offset, 13))) // sender
            mstore(add(ptr, 0x44), 0x60)
            mstore(add(ptr, 0x64), payloadLength)
            calldatacopy(add(ptr, 0x84), add(message.offset, 81), payloadLength)
            mstore(add(add(ptr, 0x84), payloadLength), 0) // zero the padding of the last word
            tstore(DELIVERING_NONCE_SLOT, shr(192, calldataload(add(message.offset, 1)))) // nonce, see deliveringNonce
            let size := add(0x84, and(add(payloadLength, 31), not(31)))
            let g := gas()
            if metered {
                if lt(g, add(RECIPIENT_GAS_FLOOR, RECIPIENT_GAS_RESERVE)) {
                    mstore(ptr, shl(224, 0x5293026e)) // InsufficientGasForRecipient.selector
                    mstore(add(ptr, 0x04), g)
                    mstore(add(ptr, 0x24), add(RECIPIENT_GAS_FLOOR, RECIPIENT_GAS_RESERVE))
                    revert(ptr, 0x44)
                }
                g := sub(g, RECIPIENT_GAS_RESERVE)
            }
            ok := call(g, recipient, 0, ptr, size, 0, 0)
        }
    }
}
