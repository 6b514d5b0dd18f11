// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAttesterSet
/// @notice Numbered, stake-weighted sets of Koii attesters (secp256k1 keys). Verifies quorum attestations.
/// @dev Attestation bytes: `uint64 attesterSetId ‖ n × (uint8 signerIndex ‖ bytes32 r ‖ bytes32 s ‖ uint8 v)`
///      with strictly increasing signer indices (see docs/protocol.md §4). Declares every event and custom error of
///      AttesterSet (the contract inherits them, so `AttesterSet.X.selector` keeps working); the errors of the pure
///      libraries it uses (SignatureLib, Message, AttesterSetCodec) are declared in those libraries.
interface IAttesterSet {
    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Set `setId` became the current set; the previous one expires at `previousSetExpiresAt` (0 for the
    ///         first set).
    event AttesterSetRotated(uint64 indexed setId, bytes32 setHash, uint40 previousSetExpiresAt);
    /// @notice The owner proposed emergency set `setId`, executable by anyone from `executableAt`.
    event EmergencyRotationProposed(uint64 indexed setId, bytes32 setHash, uint40 executableAt);
    /// @notice The pending emergency proposal was cancelled by the owner or superseded by a quorum rotation.
    event EmergencyRotationCancelled(bytes32 setHash);
    /// @notice `attester` was removed from every live set for signing two conflicting messages.
    event AttesterSlashed(
        address indexed attester, bytes32 messageIdA, bytes32 messageIdB, bytes32 digestA, bytes32 digestB
    );

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The local domain is 0, which is invalid everywhere.
    error InvalidLocalDomain();
    /// @notice The emergency timelock is shorter than MIN_EMERGENCY_DELAY.
    error EmergencyDelayTooShort(uint32 emergencyDelay);

    /// @notice A proposed set has no members.
    error EmptyAttesterSet();
    /// @notice A proposed set has more than MAX_ATTESTERS members.
    error TooManyAttesters(uint256 count);
    /// @notice `attesters` and `weights` have different lengths.
    error AttesterWeightsLengthMismatch(uint256 attesters, uint256 weights);
    /// @notice A proposed set contains the zero address.
    error ZeroAddressAttester();
    /// @notice The attester at `index` is not strictly greater than the one before it (unsorted or duplicate).
    error AttestersNotSorted(uint256 index);
    /// @notice The attester at `index` has weight 0.
    error ZeroAttesterWeight(uint256 index);
    /// @notice The weights sum past `type(uint96).max`.
    error TotalWeightOverflow();
    /// @notice The threshold is outside [MIN_THRESHOLD_BPS, MAX_THRESHOLD_BPS].
    error InvalidThreshold(uint16 thresholdBps);

    /// @notice The attestation's length is not `8 + 66k`.
    error MalformedAttestation(uint256 length);
    /// @notice The attestation carries no signatures.
    error NoSignatures();
    /// @notice No set with this id exists.
    error UnknownAttesterSet(uint64 setId);
    /// @notice The set expired at `expiresAt`.
    error AttesterSetExpired(uint64 setId, uint40 expiresAt);
    /// @notice The signer index repeats the previous one.
    error DuplicateSigner(uint256 index);
    /// @notice The signer index is below the previous one.
    error SignersOutOfOrder(uint256 index, uint256 previous);
    /// @notice The index is past the end of the set, or `recovered` is not the member at `index`.
    error UnknownSigner(uint256 index, address recovered);
    /// @notice The signer was removed from the set for equivocation.
    error SignerRemoved(address attester);
    /// @notice The signers' weight is below the set's threshold.
    error InsufficientWeight(uint256 signed, uint256 required);

    /// @notice A rotation attestation was not signed by the current set.
    error RotationNotByCurrentSet(uint64 setId, uint64 currentSetId);
    /// @notice No emergency rotation is pending.
    error NoEmergencyRotation();
    /// @notice The pending emergency rotation's timelock runs until `executableAt`.
    error EmergencyRotationNotReady(uint40 executableAt);
    /// @notice The submitted set is not the one that was proposed.
    error EmergencyRotationMismatch(bytes32 proposedSetHash, bytes32 submittedSetHash);

    /// @notice The two messages do not share `(originDomain, nonce)` or are the same message.
    error NotConflicting();
    /// @notice An equivocation evidence's Merkle proof does not lead from the message id to the evidence's root.
    error InvalidEvidenceProof();
    /// @notice The two signatures recover to different addresses.
    error DifferentSigners(address signerA, address signerB);
    /// @notice The equivocating signer is not a counted member of any live set.
    error NotAnAttester(address signer);

    // ---------------------------------------------------------------------------------------------------------
    // Functions
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Verifies that a live attester set's weighted quorum signed `value` under the typed struct `typeHash`,
    ///         scoped to this chain's domain and to the caller (`msg.sender`) as verifier.
    /// @dev Reverts with a specific custom error on any defect (high-s, duplicate/out-of-order/unknown signer, zero
    ///      address, expired or unknown set, weight below threshold). On a Gateway (which is its chain's attester
    ///      set) it also reverts with `EnforcedPause()` while the guardian has paused it.
    /// @param typeHash EIP-712 type hash of a struct shaped `(uint32 domain, bytes32 verifier, uint64 attesterSetId,
    ///        bytes32 value)`, e.g. MessageAttestation or BatchAttestation.
    /// @param value The attested value (a message id, a batch root, ...).
    /// @param attestation Encoded attestation.
    /// @return attesterSetId The set whose quorum signed.
    function verify(bytes32 typeHash, bytes32 value, bytes calldata attestation)
        external
        view
        returns (uint64 attesterSetId);

    /// @notice Domain id of the chain this contract lives on (not the EVM chain id).
    function localDomain() external view returns (uint32);

    /// @notice Id of the newest attester set.
    function currentSetId() external view returns (uint64);
}
