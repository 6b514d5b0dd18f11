// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IIdentityRegistry
/// @notice Social identities of the revenue protocol (docs/protocol.md §11), in the spirit of Mask's Next.ID proofs:
///         a platform account (Farcaster fid, Bluesky DID, ActivityPub actor, Lens profile, hashed X handle) is bound
///         to a persona address when the attester quorum signs an IdentityBinding attestation, which the nodes issue
///         after checking a proof post on the platform. One account maps to one persona at a time; several accounts
///         may share a persona. Each persona names where its creator payouts go: an EVM address or a Solana key.
/// @dev Declares every event and custom error of IdentityRegistry (the contract inherits them, so
///      `IdentityRegistry.X.selector` keeps working), except `UnknownPlatform(uint8)`, declared with the binding format
///      in RevenueCodec (like the errors of the other pure libraries). Attestation errors come from the attester set
///      (IAttesterSet, and `EnforcedPause()` while the Gateway is paused).
interface IIdentityRegistry {
    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The account is now bound to `persona` under binding `sequence` (`previousPersona` is the persona it
    ///         was bound to before, zero if none; it may equal `persona` when a binding is renewed).
    event AccountBound(
        uint8 indexed platform,
        bytes32 indexed accountId,
        address indexed persona,
        address previousPersona,
        uint64 sequence
    );
    /// @notice The account is no longer bound to `previousPersona` (zero if it was not bound): revoked by the quorum
    ///         under binding `sequence` (`byPersona` false) or released by the persona itself (`byPersona` true; the
    ///         sequence stays).
    event AccountUnbound(
        uint8 indexed platform,
        bytes32 indexed accountId,
        address indexed previousPersona,
        uint64 sequence,
        bool byPersona
    );
    /// @notice `persona`'s creator payouts go to `recipient` on a chain of `family` (ChainFamily: 1 EVM, 2 SVM).
    event PayoutSet(address indexed persona, uint8 family, bytes32 recipient);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The constructor's attester set is the zero address.
    error ZeroAttesterSet();
    /// @notice The account id is zero (no platform account has it).
    error ZeroAccountId();
    /// @notice The binding's sequence is not above the account's stored one (a replay of an old binding or
    ///         revocation).
    error StaleBinding(uint64 stored, uint64 given);
    /// @notice The caller is not the persona the account is bound to.
    error NotBoundPersona(uint8 platform, bytes32 accountId, address caller);
    /// @notice The payout family is neither ChainFamily.EVM (1) nor ChainFamily.SVM (2).
    error InvalidPayoutFamily(uint8 family);
    /// @notice A chain of `family` can never accept `recipient` (ChainFamily.accepts: zero, or not a left-padded
    ///         address on EVM).
    error InvalidPayoutRecipient(uint8 family, bytes32 recipient);

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The persona the account is bound to (zero if none, or for an unknown platform).
    function personaOf(uint8 platform, bytes32 accountId) external view returns (address persona);

    /// @notice Where `persona`'s creator payouts go: `(ChainFamily.EVM, persona)` until the persona sets another.
    /// @return family ChainFamily.EVM (1) or ChainFamily.SVM (2).
    /// @return recipient An EVM address left-padded to 32 bytes, or a Solana public key.
    function payoutOf(address persona) external view returns (uint8 family, bytes32 recipient);

    // ---------------------------------------------------------------------------------------------------------
    // Writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Binds the account to `persona` (or revokes its binding: `persona` zero), authorised by the attester
    ///         quorum's IdentityBinding attestation over
    ///         `keccak256(abi.encode(platform, accountId, persona, sequence))`. Anyone may submit it.
    /// @param platform 1 Farcaster, 2 Bluesky, 3 ActivityPub, 4 Lens, 5 X.
    /// @param accountId The platform account (docs/protocol.md §11: a fid or profile id as a number, else the
    ///        keccak256 of the DID, actor URI or lowercase handle).
    /// @param persona The persona address, or zero to revoke.
    /// @param sequence Above the account's stored sequence (the nodes number each account's bindings).
    /// @param attestation The quorum attestation (verifier: this contract).
    function bind(uint8 platform, bytes32 accountId, address persona, uint64 sequence, bytes calldata attestation)
        external;

    /// @notice The account's persona releases it (self-revoke). The sequence stays, so no earlier binding can be
    ///         replayed; a later one (higher sequence) may bind it again.
    function unbind(uint8 platform, bytes32 accountId) external;

    /// @notice The caller (a persona) names where its creator payouts go.
    /// @param family ChainFamily.EVM (1) or ChainFamily.SVM (2).
    /// @param recipient A non-zero left-padded EVM address for EVM, a non-zero public key for SVM.
    function setPayout(uint8 family, bytes32 recipient) external;
}
