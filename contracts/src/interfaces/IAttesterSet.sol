// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAttesterSet
/// @notice Numbered, stake-weighted sets of Koii attesters (secp256k1 keys). Verifies quorum attestations.
/// @dev Attestation bytes: `uint64 attesterSetId ‖ n × (uint8 signerIndex ‖ bytes32 r ‖ bytes32 s ‖ uint8 v)`
///      with strictly increasing signer indices (see docs/protocol.md §4).
interface IAttesterSet {
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
