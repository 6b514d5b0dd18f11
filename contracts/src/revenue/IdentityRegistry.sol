// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttesterSet} from "../core/interfaces/IAttesterSet.sol";
import {AttestationLib} from "../libraries/AttestationLib.sol";
import {ChainFamily} from "../libraries/ChainFamily.sol";
import {RevenueCodec} from "../libraries/RevenueCodec.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice Binds social platform accounts to persona addresses on the attester quorum's word, and keeps each
///         persona's payout chain and recipient (docs/protocol.md §11).
/// @dev Design:
///      - Authority. A binding or revocation is valid only with an IdentityBinding attestation of the chain's
///        attester set (the Gateway) with this contract as verifier, so bindings signed for another registry or
///        chain, and signatures of any other kind over the same 32 bytes (a MessageAttestation, say), are refused by
///        the digest. The nodes sign after checking a proof post by the account that names the persona; the
///        submitter is irrelevant (anyone may relay it), as with message delivery.
///      - Ordering. The nodes number each account's bindings; a binding carries its `sequence`, which must be above
///        the stored one. That makes every attestation usable at most once and in order: an old binding or an old
///        revocation can never be replayed to undo a newer one. A self-unbind keeps the sequence for the same
///        reason.
///      - Shape. One slot per account: `persona ‖ sequence`. Nothing links a persona to its accounts on chain
///        besides the events; the aggregator reads them to merge one person's accounts (to catch self-engagement
///        across platforms).
///      - Payouts. A persona may name an EVM address or a Solana key; until it does, payouts go to the persona
///        itself on EVM. The family is stored in its own slot, read first, so the default costs one SLOAD.
contract IdentityRegistry is IIdentityRegistry {
    /// @notice The binding state of one platform account (one slot).
    struct Binding {
        address persona;
        uint64 sequence;
    }

    /// @notice Where a persona's payouts go (family 0 = unset: the default `(EVM, persona)`).
    struct Payout {
        uint8 family;
        bytes32 recipient;
    }

    /// @notice Platform: Farcaster; the account id is `bytes32(uint256(fid))`.
    uint8 public constant PLATFORM_FARCASTER = RevenueCodec.PLATFORM_FARCASTER;
    /// @notice Platform: Bluesky; the account id is the keccak256 of the UTF-8 DID.
    uint8 public constant PLATFORM_BLUESKY = RevenueCodec.PLATFORM_BLUESKY;
    /// @notice Platform: ActivityPub (Mastodon and others); the account id is the keccak256 of the UTF-8 actor URI.
    uint8 public constant PLATFORM_ACTIVITYPUB = RevenueCodec.PLATFORM_ACTIVITYPUB;
    /// @notice Platform: Lens; the account id is `bytes32(uint256(profileId))`.
    uint8 public constant PLATFORM_LENS = RevenueCodec.PLATFORM_LENS;
    /// @notice Platform: X; the account id is the keccak256 of the UTF-8 lowercase handle, without '@'.
    uint8 public constant PLATFORM_X = RevenueCodec.PLATFORM_X;

    /// @notice The EIP-712 type hash of an IdentityBinding attestation (docs/protocol.md §3, §11).
    bytes32 public constant IDENTITY_BINDING_TYPEHASH = AttestationLib.IDENTITY_BINDING_TYPEHASH;

    /// @notice The attester set whose quorum authorises bindings (the chain's Gateway).
    IAttesterSet public immutable attesterSet;

    mapping(uint8 platform => mapping(bytes32 accountId => Binding)) private _bindings;
    mapping(address persona => Payout) private _payouts;

    /// @param attesterSet_ The chain's attester set (the Gateway).
    constructor(IAttesterSet attesterSet_) {
        if (address(attesterSet_) == address(0)) revert ZeroAttesterSet();
        attesterSet = attesterSet_;
    }

    /*//////////////////////////////////////////////////////////////
                                 BINDINGS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IIdentityRegistry
    function bind(uint8 platform, bytes32 accountId, address persona, uint64 sequence, bytes calldata attestation)
        external
        override
    {
        if (!RevenueCodec.isPlatform(platform)) revert RevenueCodec.UnknownPlatform(platform);
        if (accountId == bytes32(0)) revert ZeroAccountId();
        Binding storage binding = _bindings[platform][accountId];
        uint64 stored = binding.sequence;
        if (sequence <= stored) revert StaleBinding(stored, sequence);
        attesterSet.verify(
            IDENTITY_BINDING_TYPEHASH, bindingHash(platform, accountId, persona, sequence), attestation
        );

        address previous = binding.persona;
        binding.persona = persona;
        binding.sequence = sequence;
        if (persona == address(0)) emit AccountUnbound(platform, accountId, previous, sequence, false);
        else emit AccountBound(platform, accountId, persona, previous, sequence);
    }

    /// @inheritdoc IIdentityRegistry
    function unbind(uint8 platform, bytes32 accountId) external override {
        Binding storage binding = _bindings[platform][accountId];
        // msg.sender is never zero, so an unbound account (persona zero) can never be "released".
        if (binding.persona != msg.sender) revert NotBoundPersona(platform, accountId, msg.sender);
        delete binding.persona;
        emit AccountUnbound(platform, accountId, msg.sender, binding.sequence, true);
    }

    /*//////////////////////////////////////////////////////////////
                                 PAYOUTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IIdentityRegistry
    function setPayout(uint8 family, bytes32 recipient) external override {
        if (family != ChainFamily.EVM && family != ChainFamily.SVM) revert InvalidPayoutFamily(family);
        if (!ChainFamily.accepts(family, recipient)) revert InvalidPayoutRecipient(family, recipient);
        _payouts[msg.sender] = Payout({family: family, recipient: recipient});
        emit PayoutSet(msg.sender, family, recipient);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IIdentityRegistry
    function personaOf(uint8 platform, bytes32 accountId) external view override returns (address) {
        return _bindings[platform][accountId].persona;
    }

    /// @inheritdoc IIdentityRegistry
    function payoutOf(address persona) external view override returns (uint8 family, bytes32 recipient) {
        Payout storage payout = _payouts[persona];
        family = payout.family;
        if (family == ChainFamily.UNKNOWN) return (ChainFamily.EVM, bytes32(uint256(uint160(persona))));
        recipient = payout.recipient;
    }

    /// @notice The account's binding: its persona (zero if none) and the sequence of its last binding or revocation.
    function bindingOf(uint8 platform, bytes32 accountId) external view returns (address persona, uint64 sequence) {
        Binding storage binding = _bindings[platform][accountId];
        return (binding.persona, binding.sequence);
    }

    /// @notice The value an IdentityBinding attestation signs (RevenueCodec.bindingHash):
    ///         `keccak256(abi.encode(uint8 platform, bytes32 accountId, address persona, uint64 sequence))`. Reverts
    ///         `UnknownPlatform` for a platform outside 1..5.
    function bindingHash(uint8 platform, bytes32 accountId, address persona, uint64 sequence)
        public
        pure
        returns (bytes32)
    {
        return RevenueCodec.bindingHash(platform, accountId, persona, sequence);
    }
}
