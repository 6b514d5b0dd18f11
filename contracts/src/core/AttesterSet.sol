// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {SSTORE2} from "solady/src/utils/SSTORE2.sol";

import {AttestationLib} from "../libraries/AttestationLib.sol";
import {AttesterSetCodec} from "../libraries/AttesterSetCodec.sol";
import {Message} from "../libraries/Message.sol";
import {MessageMerkle} from "../libraries/MessageMerkle.sol";
import {SignatureLib} from "../libraries/SignatureLib.sol";
import {AttesterSetConfig, AttesterSetConfigLibrary} from "../types/AttesterSetConfig.sol";
import {IAttesterSet} from "./interfaces/IAttesterSet.sol";

/// @title AttesterSet
/// @notice Numbered, stake-weighted sets of Koii attesters (secp256k1 keys) and the one-pass verifier of their quorum
///         attestations (docs/protocol.md §3, §4, §6). Sets rotate by a quorum of the current set, with an overlap
///         window for the previous set; an owner-proposed, timelocked emergency rotation covers a set that lost its
///         quorum; an attester that signs two different messages with one `(originDomain, nonce)` is removed from
///         every live set by anyone holding the evidence.
/// @dev Storage per set: one packed config word (AttesterSetConfig: `pointer ‖ count ‖ thresholdBps ‖ expiresAt ‖
///      flags`) and an SSTORE2 blob
///      `uint96 totalWeight ‖ count × (address attester ‖ uint96 weight)`. A member removed for equivocation keeps
///      its index with weight 0, so indices in attestations stay stable. `verify` costs one SLOAD, one EXTCODECOPY
///      and one ecrecover per signature.
contract AttesterSet is IAttesterSet, Ownable2Step {
    /// @notice Equivocation evidence for one of the two conflicting messages (docs/protocol.md §6).
    /// @param message The whole encoded message.
    /// @param verifier The `verifier` field the signature was made for (the destination gateway, left-padded).
    /// @param attesterSetId The `attesterSetId` field the signature was made for.
    /// @param root Zero for a MessageAttestation signature, else the BatchAttestation root that was signed.
    /// @param proof Empty for a MessageAttestation signature, else the Merkle proof of the message id under `root`.
    /// @param signature The 65-byte `r ‖ s ‖ v` signature.
    struct Evidence {
        bytes message;
        bytes32 verifier;
        uint64 attesterSetId;
        bytes32 root;
        bytes32[] proof;
        bytes signature;
    }

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Most members a set may have.
    uint256 public constant MAX_ATTESTERS = 128;
    /// @notice Lowest allowed threshold: a quorum is always a strict majority of stake.
    uint16 public constant MIN_THRESHOLD_BPS = 5001;
    /// @notice Basis-point denominator and highest allowed threshold.
    uint16 public constant MAX_THRESHOLD_BPS = 10_000;
    /// @notice Shortest allowed emergency-rotation timelock.
    uint32 public constant MIN_EMERGENCY_DELAY = 2 days;

    /// @dev Attestation layout: `uint64 setId ‖ k × (uint8 index ‖ bytes32 r ‖ bytes32 s ‖ uint8 v)`.
    uint256 internal constant SIGNATURES_OFFSET = 8;
    uint256 internal constant SIGNATURE_ENTRY_LENGTH = 66;

    /// @dev Blob layout: `uint96 totalWeight ‖ count × (address ‖ uint96 weight)`.
    uint256 private constant BLOB_HEADER_LENGTH = 12;
    uint256 private constant WEIGHT_MASK = 0xffffffffffffffffffffffff;

    /// @dev Paused flag of a config word (AttesterSetConfig; only ever set by a Gateway, which is the attester set of
    ///      its chain): `_verify` with a non-zero `pauseMask` rejects attestations of such a set.
    uint256 internal constant PAUSED_FLAG = AttesterSetConfigLibrary.PAUSED_FLAG;
    /// @dev OpenZeppelin Pausable's `EnforcedPause()` selector, raised by `_verify` for a paused set.
    uint256 private constant ENFORCED_PAUSE_SELECTOR = 0xd93c0665;

    /// @dev secp256k1n / 2 (SignatureLib.HALF_ORDER), as a literal so that inline assembly can use it.
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    /// @dev Error selectors used by the assembly verification loop.
    uint256 private constant DUPLICATE_SIGNER_SELECTOR = 0x9f4f72e1; // DuplicateSigner(uint256)
    uint256 private constant SIGNERS_OUT_OF_ORDER_SELECTOR = 0xf76dd8aa; // SignersOutOfOrder(uint256,uint256)
    uint256 private constant INVALID_SIGNATURE_V_SELECTOR = 0xba76ff02; // SignatureLib.InvalidSignatureV(uint8)
    uint256 private constant SIGNATURE_MALLEABLE_SELECTOR = 0xaddf7062; // SignatureLib.SignatureMalleable(bytes32)
    uint256 private constant ZERO_ADDRESS_SIGNER_SELECTOR = 0xec67b1b9; // SignatureLib.ZeroAddressSigner()
    uint256 private constant UNKNOWN_SIGNER_SELECTOR = 0xb846e11d; // UnknownSigner(uint256,address)
    uint256 private constant SIGNER_REMOVED_SELECTOR = 0x3525e228; // SignerRemoved(address)

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev This chain's maskoii domain (see `localDomain()`).
    uint32 internal immutable _localDomain;
    /// @notice Seconds the previous set stays valid after a quorum rotation.
    uint32 public immutable overlapWindow;
    /// @notice Seconds between an emergency proposal and the earliest execution.
    uint32 public immutable emergencyDelay;

    /// @dev Id of the newest set.
    uint64 private _currentSetId;
    /// @dev When the pending emergency proposal becomes executable (0 = none pending).
    uint40 private _emergencyExecutableAt;
    /// @dev Set hash of the pending emergency proposal.
    bytes32 private _emergencySetHash;
    /// @dev Packed config word per set id.
    mapping(uint64 setId => AttesterSetConfig config) private _configs;

    /// @param localDomain_ This chain's maskoii domain (not the EVM chain id).
    /// @param owner_ Two-step owner (expected: a multisig); may only propose/cancel emergency rotations.
    /// @param attesters Set 1, sorted strictly ascending.
    /// @param weights Stake weight per attester.
    /// @param thresholdBps Quorum threshold of set 1, in basis points of its total weight.
    /// @param overlapWindow_ Seconds a set stays valid after the next quorum rotation.
    /// @param emergencyDelay_ Emergency timelock, at least MIN_EMERGENCY_DELAY.
    constructor(
        uint32 localDomain_,
        address owner_,
        address[] memory attesters,
        uint96[] memory weights,
        uint16 thresholdBps,
        uint32 overlapWindow_,
        uint32 emergencyDelay_
    ) Ownable(owner_) {
        if (localDomain_ == 0) revert InvalidLocalDomain();
        if (emergencyDelay_ < MIN_EMERGENCY_DELAY) revert EmergencyDelayTooShort(emergencyDelay_);
        _localDomain = localDomain_;
        overlapWindow = overlapWindow_;
        emergencyDelay = emergencyDelay_;
        uint96 totalWeight = _validateSet(attesters, weights, thresholdBps);
        _currentSetId = 1;
        _store(1, attesters, weights, totalWeight, thresholdBps);
        emit AttesterSetRotated(1, AttesterSetCodec.hash(1, thresholdBps, attesters, weights), 0);
    }

    /*//////////////////////////////////////////////////////////////
                              VERIFICATION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAttesterSet
    function verify(bytes32 typeHash, bytes32 value, bytes calldata attestation)
        external
        view
        override
        returns (uint64 attesterSetId)
    {
        return _verify(typeHash, bytes32(uint256(uint160(msg.sender))), value, attestation, PAUSED_FLAG);
    }

    /// @dev One pass over the signatures: ordering, canonical form, membership, weight. See docs/protocol.md §4.
    ///      Reverts with `EnforcedPause()` if the set's config word has a bit of `pauseMask` set (PAUSED_FLAG for
    ///      attestation consumers; 0 for rotations, which stay possible while paused).
    function _verify(
        bytes32 typeHash,
        bytes32 verifier,
        bytes32 value,
        bytes calldata attestation,
        uint256 pauseMask
    ) internal view returns (uint64 setId) {
        uint256 length = attestation.length;
        unchecked {
            if (length < SIGNATURES_OFFSET || (length - SIGNATURES_OFFSET) % SIGNATURE_ENTRY_LENGTH != 0) {
                revert MalformedAttestation(length);
            }
        }
        if (length == SIGNATURES_OFFSET) revert NoSignatures();
        assembly ("memory-safe") {
            setId := shr(192, calldataload(attestation.offset))
        }

        // The verification hot path reads the config word's fields inline with the type's layout constants: on this
        // build (legacy codegen) the AttesterSetConfig getters are not inlined and cost ~5 gas per call, ~33 gas per
        // delivery in all (bench/gas). Everything off the hot path uses the getters.
        AttesterSetConfig config = _configs[setId];
        uint256 word = AttesterSetConfig.unwrap(config);
        if (address(uint160(word)) == address(0)) revert UnknownAttesterSet(setId);
        uint256 expiresAt = uint40(word >> AttesterSetConfigLibrary.EXPIRES_SHIFT);
        if (expiresAt != 0 && block.timestamp >= expiresAt) revert AttesterSetExpired(setId, uint40(expiresAt));
        if (word & pauseMask != 0) {
            assembly ("memory-safe") {
                mstore(0x00, ENFORCED_PAUSE_SELECTOR)
                revert(0x1c, 0x04)
            }
        }
        _verifyQuorum(config, AttestationLib.digest(typeHash, _localDomain, verifier, setId, value), attestation);
    }

    /// @dev The signature pass of `_verify` for a live set's `config` word and a well-formed attestation. Reads the
    ///      word's fields inline, like `_verify` (hot path).
    function _verifyQuorum(AttesterSetConfig config, bytes32 digest, bytes calldata attestation) private view {
        address pointer = address(uint160(AttesterSetConfig.unwrap(config)));
        uint256 count = uint8(AttesterSetConfig.unwrap(config) >> AttesterSetConfigLibrary.COUNT_SHIFT);
        uint256 length = attestation.length;

        // Copy the blob once so that entry `i` is the word at `entries + 32 i` and the total weight sits in the low
        // 12 bytes of the word before it. Code offset 1 skips SSTORE2's STOP prefix.
        uint256 entries;
        uint256 totalWeight;
        assembly ("memory-safe") {
            entries := add(mload(0x40), 0x20)
            extcodecopy(pointer, sub(entries, BLOB_HEADER_LENGTH), 1, add(BLOB_HEADER_LENGTH, shl(5, count)))
            mstore(0x40, add(entries, shl(5, count)))
            totalWeight := and(mload(sub(entries, 0x20)), WEIGHT_MASK)
        }

        uint256 signed;
        // One pass over `index ‖ r ‖ s ‖ v` entries. Each check reverts with its own error (selectors below are
        // pinned by the test suite against the declared errors).
        assembly ("memory-safe") {
            let ec := mload(0x40) // ecrecover input `digest ‖ v ‖ r ‖ s`, past the blob; never allocated
            mstore(ec, digest) // the output goes to scratch space, so the digest is written once
            let nextIndex := 0 // lowest index the next signature may carry
            let end := add(attestation.offset, length)
            for { let cursor := add(attestation.offset, SIGNATURES_OFFSET) } lt(cursor, end) {
                cursor := add(cursor, SIGNATURE_ENTRY_LENGTH)
            } {
                let index := byte(0, calldataload(cursor))
                if lt(index, nextIndex) {
                    if eq(add(index, 1), nextIndex) {
                        mstore(0x00, DUPLICATE_SIGNER_SELECTOR)
                        mstore(0x20, index)
                        revert(0x1c, 0x24)
                    }
                    mstore(0x00, SIGNERS_OUT_OF_ORDER_SELECTOR)
                    mstore(0x20, index)
                    mstore(0x40, sub(nextIndex, 1))
                    revert(0x1c, 0x44)
                }
                nextIndex := add(index, 1)
                let v := byte(0, calldataload(add(cursor, 65)))
                // v - 27 wraps to a huge number for v < 27: one comparison accepts exactly {27, 28}.
                if iszero(lt(sub(v, 27), 2)) {
                    mstore(0x00, INVALID_SIGNATURE_V_SELECTOR)
                    mstore(0x20, v)
                    revert(0x1c, 0x24)
                }
                let s := calldataload(add(cursor, 33))
                if gt(s, HALF_ORDER) {
                    mstore(0x00, SIGNATURE_MALLEABLE_SELECTOR)
                    mstore(0x20, s)
                    revert(0x1c, 0x24)
                }
                mstore(add(ec, 0x20), v)
                calldatacopy(add(ec, 0x40), add(cursor, 1), 0x40) // r ‖ s
                // A failed recovery (or call) returns no data: then the product is 0 whatever the scratch word holds.
                pop(staticcall(gas(), 0x01, ec, 0x80, 0x00, 0x20))
                let signer := mul(mload(0x00), eq(returndatasize(), 0x20))
                if iszero(signer) {
                    mstore(0x00, ZERO_ADDRESS_SIGNER_SELECTOR)
                    revert(0x1c, 0x04)
                }
                // For an index past the end this reads unrelated memory; the bounds check rejects it regardless.
                let entry := mload(add(entries, shl(5, index)))
                if or(iszero(lt(index, count)), iszero(eq(shr(96, entry), signer))) {
                    mstore(0x00, UNKNOWN_SIGNER_SELECTOR)
                    mstore(0x20, index)
                    mstore(0x40, signer)
                    revert(0x1c, 0x44)
                }
                let weight := and(entry, WEIGHT_MASK)
                if iszero(weight) {
                    mstore(0x00, SIGNER_REMOVED_SELECTOR)
                    mstore(0x20, signer)
                    revert(0x1c, 0x24)
                }
                signed := add(signed, weight)
            }
        }
        unchecked {
            uint256 thresholdBps = uint16(AttesterSetConfig.unwrap(config) >> AttesterSetConfigLibrary.THRESHOLD_SHIFT);
            if (signed * MAX_THRESHOLD_BPS < totalWeight * thresholdBps) {
                revert InsufficientWeight(signed, (totalWeight * thresholdBps + MAX_THRESHOLD_BPS - 1) / MAX_THRESHOLD_BPS);
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                ROTATION
    //////////////////////////////////////////////////////////////*/

    /// @notice Installs set `currentSetId() + 1`, authorised by a quorum of the current set signing
    ///         `AttesterSetRotation(localDomain, address(this), currentSetId(), hash(next))`. Anyone may submit it.
    /// @dev The current set stays valid for `overlapWindow` seconds; any older set expires now. Supersedes a pending
    ///      emergency proposal.
    /// @param attesters The next set's members, sorted strictly ascending.
    /// @param weights Stake weight per member.
    /// @param thresholdBps The next set's threshold in basis points.
    /// @param attestation The current set's quorum attestation over the next set's hash.
    function rotate(address[] memory attesters, uint96[] memory weights, uint16 thresholdBps, bytes calldata attestation)
        external
    {
        uint96 totalWeight = _validateSet(attesters, weights, thresholdBps);
        uint64 current = _currentSetId;
        uint64 attestingSet;
        assembly ("memory-safe") {
            attestingSet := shr(192, calldataload(attestation.offset))
        }
        // Only the current set may rotate: a set in its overlap window must not be able to fork the succession.
        if (attestation.length >= SIGNATURES_OFFSET && attestingSet != current) {
            revert RotationNotByCurrentSet(attestingSet, current);
        }
        uint64 next = current + 1;
        bytes32 setHash = AttesterSetCodec.hash(next, thresholdBps, attesters, weights);
        _verify(AttestationLib.ROTATION_TYPEHASH, bytes32(uint256(uint160(address(this)))), setHash, attestation, 0);

        uint40 previousExpiresAt = uint40(block.timestamp + overlapWindow);
        _install(current, next, attesters, weights, totalWeight, thresholdBps, previousExpiresAt);
        emit AttesterSetRotated(next, setHash, previousExpiresAt);
    }

    /// @notice Proposes a replacement for a current set that lost its quorum; executable by anyone after
    ///         `emergencyDelay`. Replaces any earlier pending proposal.
    /// @param attesters The proposed set's members, sorted strictly ascending.
    /// @param weights Stake weight per member.
    /// @param thresholdBps The proposed set's threshold in basis points.
    function proposeEmergencyRotation(address[] memory attesters, uint96[] memory weights, uint16 thresholdBps)
        external
        onlyOwner
    {
        _validateSet(attesters, weights, thresholdBps);
        bytes32 pending = _emergencySetHash;
        if (pending != bytes32(0)) emit EmergencyRotationCancelled(pending);
        uint64 next = _currentSetId + 1;
        bytes32 setHash = AttesterSetCodec.hash(next, thresholdBps, attesters, weights);
        uint40 executableAt = uint40(block.timestamp + emergencyDelay);
        _emergencySetHash = setHash;
        _emergencyExecutableAt = executableAt;
        emit EmergencyRotationProposed(next, setHash, executableAt);
    }

    /// @notice Executes the pending emergency rotation once its timelock has passed. Anyone may call it with the
    ///         exact proposed set.
    /// @dev The replaced set expires immediately (no overlap): the emergency path exists because it is no longer
    ///      trusted to reach quorum; undelivered messages are re-attested by the new set (docs/protocol.md §4).
    /// @param attesters The proposed set's members.
    /// @param weights Stake weight per member.
    /// @param thresholdBps The proposed set's threshold.
    function executeEmergencyRotation(address[] memory attesters, uint96[] memory weights, uint16 thresholdBps)
        external
    {
        bytes32 proposed = _emergencySetHash;
        if (proposed == bytes32(0)) revert NoEmergencyRotation();
        uint40 executableAt = _emergencyExecutableAt;
        if (block.timestamp < executableAt) revert EmergencyRotationNotReady(executableAt);
        uint64 current = _currentSetId;
        uint64 next = current + 1;
        bytes32 setHash = AttesterSetCodec.hash(next, thresholdBps, attesters, weights);
        if (setHash != proposed) revert EmergencyRotationMismatch(proposed, setHash);
        uint96 totalWeight = _validateSet(attesters, weights, thresholdBps);
        _clearEmergency();

        uint40 previousExpiresAt = uint40(block.timestamp);
        _install(current, next, attesters, weights, totalWeight, thresholdBps, previousExpiresAt);
        emit AttesterSetRotated(next, setHash, previousExpiresAt);
    }

    /// @notice Cancels the pending emergency rotation.
    function cancelEmergencyRotation() external onlyOwner {
        bytes32 proposed = _emergencySetHash;
        if (proposed == bytes32(0)) revert NoEmergencyRotation();
        _clearEmergency();
        emit EmergencyRotationCancelled(proposed);
    }

    /*//////////////////////////////////////////////////////////////
                              EQUIVOCATION
    //////////////////////////////////////////////////////////////*/

    /// @notice Removes an attester that signed two different messages with the same `(originDomain, nonce)` from
    ///         every live set containing it (docs/protocol.md §6). Anyone may submit the evidence.
    /// @dev Each signature's digest is rebuilt with the message's destination domain and the evidence's verifier and
    ///      set id, so signatures made on any chain are evidence here. The member keeps its index with weight 0.
    /// @param a Evidence for the first message.
    /// @param b Evidence for the second message.
    function reportEquivocation(Evidence calldata a, Evidence calldata b) external {
        Message.validate(a.message);
        Message.validate(b.message);
        bytes32 idA = Message.id(a.message);
        bytes32 idB = Message.id(b.message);
        if (
            idA == idB || Message.originDomain(a.message) != Message.originDomain(b.message)
                || Message.nonce(a.message) != Message.nonce(b.message)
        ) revert NotConflicting();

        bytes32 digestA = _evidenceDigest(a, idA);
        bytes32 digestB = _evidenceDigest(b, idB);
        address signer = SignatureLib.recoverCalldata(digestA, a.signature);
        address signerB = SignatureLib.recoverCalldata(digestB, b.signature);
        if (signer != signerB) revert DifferentSigners(signer, signerB);

        bool removed;
        for (uint64 setId = _currentSetId; setId != 0 && isLive(setId); --setId) {
            if (_removeMember(setId, signer)) removed = true;
        }
        if (!removed) revert NotAnAttester(signer);
        emit AttesterSlashed(signer, idA, idB, digestA, digestB);
    }

    /// @dev The digest the evidence's signature was made over.
    function _evidenceDigest(Evidence calldata e, bytes32 messageId) private pure returns (bytes32) {
        uint32 domain = Message.destinationDomain(e.message);
        if (e.root == bytes32(0) && e.proof.length == 0) {
            return AttestationLib.digest(AttestationLib.MESSAGE_TYPEHASH, domain, e.verifier, e.attesterSetId, messageId);
        }
        if (MessageMerkle.rootOf(messageId, e.proof) != e.root) revert InvalidEvidenceProof();
        return AttestationLib.digest(AttestationLib.BATCH_TYPEHASH, domain, e.verifier, e.attesterSetId, e.root);
    }

    /// @dev Zeroes `attester`'s weight in set `setId` and lowers the total; false if it is not a counted member.
    function _removeMember(uint64 setId, address attester) private returns (bool) {
        AttesterSetConfig config = _configs[setId];
        bytes memory blob = SSTORE2.read(config.pointer());
        uint256 count = config.count();
        for (uint256 i; i < count; ++i) {
            uint256 entry;
            assembly ("memory-safe") {
                entry := mload(add(add(blob, add(0x20, BLOB_HEADER_LENGTH)), shl(5, i)))
            }
            if (address(uint160(entry >> 96)) != attester) continue;
            uint256 weight = entry & WEIGHT_MASK;
            if (weight == 0) return false;
            assembly ("memory-safe") {
                let slot := add(add(blob, add(0x20, BLOB_HEADER_LENGTH)), shl(5, i))
                mstore(slot, and(entry, not(WEIGHT_MASK)))
                // The total weight is the first 12 bytes of the blob: rewrite it, keeping the entry bytes after it.
                let head := add(blob, 0x20)
                let total := shr(160, mload(head))
                mstore(head, or(shl(160, sub(total, weight)), and(mload(head), sub(shl(160, 1), 1))))
            }
            address pointer = SSTORE2.write(blob);
            _configs[setId] = config.withPointer(pointer);
            return true;
        }
        return false;
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAttesterSet
    function currentSetId() external view override returns (uint64) {
        return _currentSetId;
    }

    /// @inheritdoc IAttesterSet
    function localDomain() public view virtual override returns (uint32) {
        return _localDomain;
    }

    /// @notice Whether set `setId` exists and has not expired.
    /// @param setId The set id.
    function isLive(uint64 setId) public view returns (bool) {
        return _configs[setId].isLive(block.timestamp);
    }

    /// @notice The members, weights and parameters of set `setId`. Members removed for equivocation appear with
    ///         weight 0 (and are not counted in `totalWeight`).
    /// @param setId The set id.
    /// @return attesters Members, sorted ascending.
    /// @return weights Current weight per member.
    /// @return thresholdBps The quorum threshold in basis points.
    /// @return totalWeight Sum of current weights.
    /// @return expiresAt When the set expires; 0 while it is the current set.
    function getSet(uint64 setId)
        external
        view
        returns (
            address[] memory attesters,
            uint96[] memory weights,
            uint16 thresholdBps,
            uint96 totalWeight,
            uint40 expiresAt
        )
    {
        AttesterSetConfig config = _configs[setId];
        if (!config.exists()) revert UnknownAttesterSet(setId);
        bytes memory blob = SSTORE2.read(config.pointer());
        uint256 count = config.count();
        attesters = new address[](count);
        weights = new uint96[](count);
        for (uint256 i; i < count; ++i) {
            uint256 entry;
            assembly ("memory-safe") {
                entry := mload(add(add(blob, add(0x20, BLOB_HEADER_LENGTH)), shl(5, i)))
            }
            attesters[i] = address(uint160(entry >> 96));
            weights[i] = uint96(entry);
        }
        assembly ("memory-safe") {
            totalWeight := shr(160, mload(add(blob, 0x20)))
        }
        thresholdBps = config.thresholdBps();
        expiresAt = config.expiresAt();
    }

    /// @notice The pending emergency rotation, if any.
    /// @return setHash Hash of the proposed set (0 if none is pending).
    /// @return executableAt When it becomes executable (0 if none is pending).
    function pendingEmergencyRotation() external view returns (bytes32 setHash, uint40 executableAt) {
        return (_emergencySetHash, _emergencyExecutableAt);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Enforces the set rules of docs/protocol.md §4 and returns the total weight.
    function _validateSet(address[] memory attesters, uint96[] memory weights, uint16 thresholdBps)
        private
        pure
        returns (uint96)
    {
        uint256 count = attesters.length;
        if (count == 0) revert EmptyAttesterSet();
        if (count > MAX_ATTESTERS) revert TooManyAttesters(count);
        if (count != weights.length) revert AttesterWeightsLengthMismatch(count, weights.length);
        if (thresholdBps < MIN_THRESHOLD_BPS || thresholdBps > MAX_THRESHOLD_BPS) revert InvalidThreshold(thresholdBps);
        if (attesters[0] == address(0)) revert ZeroAddressAttester();
        uint256 total;
        address previous;
        for (uint256 i; i < count; ++i) {
            address attester = attesters[i];
            if (i != 0 && attester <= previous) revert AttestersNotSorted(i);
            previous = attester;
            uint256 weight = weights[i];
            if (weight == 0) revert ZeroAttesterWeight(i);
            total += weight;
        }
        if (total > type(uint96).max) revert TotalWeightOverflow();
        return uint96(total);
    }

    /// @dev Makes `next` the current set; `current` expires at `currentExpiresAt`, anything older now. Clears a
    ///      pending emergency proposal.
    function _install(
        uint64 current,
        uint64 next,
        address[] memory attesters,
        uint96[] memory weights,
        uint96 totalWeight,
        uint16 thresholdBps,
        uint40 currentExpiresAt
    ) private {
        _setExpiry(current, currentExpiresAt);
        if (current > 1 && isLive(current - 1)) _setExpiry(current - 1, uint40(block.timestamp));
        _currentSetId = next;
        _store(next, attesters, weights, totalWeight, thresholdBps);
        bytes32 pending = _emergencySetHash;
        if (pending != bytes32(0)) {
            _clearEmergency();
            emit EmergencyRotationCancelled(pending);
        }
    }

    /// @dev Flags a newly installed set's config word starts with. A plain AttesterSet has none; a Gateway returns
    ///      PAUSED_FLAG while paused so that rotation (normal or emergency) keeps the new set paused.
    function _newSetFlags() internal view virtual returns (uint256) {
        return 0;
    }

    /// @dev Sets or clears PAUSED_FLAG on every live set (at most two: the current one and the previous one during
    ///      its overlap window). Expired sets are left as they are: they can never verify again.
    function _setPausedFlag(bool paused_) internal {
        uint64 setId = _currentSetId;
        for (uint256 i; i < 2 && setId != 0 && isLive(setId); ++i) {
            _configs[setId] = _configs[setId].withPaused(paused_);
            --setId;
        }
    }

    function _setExpiry(uint64 setId, uint40 expiresAt) private {
        _configs[setId] = _configs[setId].withExpiresAt(expiresAt);
    }

    function _clearEmergency() private {
        delete _emergencySetHash;
        delete _emergencyExecutableAt;
    }

    /// @dev Writes the blob of a validated set and its config word (no expiry).
    function _store(
        uint64 setId,
        address[] memory attesters,
        uint96[] memory weights,
        uint96 totalWeight,
        uint16 thresholdBps
    ) private {
        uint256 count = attesters.length;
        bytes memory blob = new bytes(BLOB_HEADER_LENGTH + (count << 5));
        assembly ("memory-safe") {
            let p := add(blob, 0x20)
            mstore(p, shl(160, totalWeight))
            p := add(p, BLOB_HEADER_LENGTH)
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                let o := shl(5, add(i, 1))
                mstore(add(p, shl(5, i)), or(shl(96, mload(add(attesters, o))), mload(add(weights, o))))
            }
        }
        address pointer = SSTORE2.write(blob);
        _configs[setId] = AttesterSetConfigLibrary.pack(pointer, count, thresholdBps, _newSetFlags());
    }
}
