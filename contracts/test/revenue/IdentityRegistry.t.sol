// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {ChainFamily} from "../../src/libraries/ChainFamily.sol";
import {RevenueCodec} from "../../src/libraries/RevenueCodec.sol";
import {IdentityRegistry} from "../../src/revenue/IdentityRegistry.sol";
import {IIdentityRegistry} from "../../src/revenue/interfaces/IIdentityRegistry.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @notice IdentityRegistry with a real Gateway (5-of-7) as its attester set: bindings, revocations, replays, self
///         unbinding, several accounts per persona, payouts, and every custom error.
contract IdentityRegistryTest is Test, AttesterHarness {
    uint32 internal constant LOCAL = 1001;
    uint256 internal constant QUORUM = 5;

    uint8 internal constant FARCASTER = 1;
    uint8 internal constant BLUESKY = 2;
    uint8 internal constant ACTIVITYPUB = 3;
    uint8 internal constant LENS = 4;
    uint8 internal constant X = 5;

    address internal owner = makeAddr("owner");
    address internal guardian = makeAddr("guardian");
    address internal alice = makeAddr("alice persona");
    address internal bob = makeAddr("bob persona");
    address internal relayer = makeAddr("relayer");

    bytes32 internal fid = bytes32(uint256(4242)); // a Farcaster fid
    bytes32 internal did = keccak256("did:plc:ewvi7nxzyoun6zhxrhs64oiz"); // a Bluesky DID
    bytes32 internal handle = keccak256("alice_koii"); // a lowercase X handle

    Gateway internal gateway;
    uint256[] internal keys;
    IdentityRegistry internal identity;

    function setUp() public {
        (gateway, keys) = _deployGateway(LOCAL, owner, guardian, 7, THRESHOLD_5_OF_7);
        identity = new IdentityRegistry(gateway);
    }

    // ---------------------------------------------------------------- helpers

    function _hash(uint8 platform, bytes32 accountId, address persona, uint64 sequence)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(platform, accountId, persona, sequence));
    }

    /// @dev Spelled out here, independently of AttestationLib (which the contract uses).
    function _typeHash() internal pure returns (bytes32) {
        return keccak256("IdentityBinding(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 bindingHash)");
    }

    /// @dev A quorum IdentityBinding attestation for the registry under test.
    function _attestBinding(uint8 platform, bytes32 accountId, address persona, uint64 sequence)
        internal
        view
        returns (bytes memory)
    {
        bytes32 value = _hash(platform, accountId, persona, sequence);
        return _attestFirst(_typeHash(), LOCAL, _toBytes32(address(identity)), 1, value, keys, QUORUM);
    }

    function _bind(uint8 platform, bytes32 accountId, address persona, uint64 sequence) internal {
        bytes memory att = _attestBinding(platform, accountId, persona, sequence);
        vm.prank(relayer);
        identity.bind(platform, accountId, persona, sequence, att);
    }

    /// @dev Expects `bind` to revert with UnknownSigner at index 0: the attestation's first signature was made over
    ///      another digest than the registry's, so it recovers to an unrelated address.
    function _expectUnknownFirstSigner(
        uint8 platform,
        bytes32 accountId,
        address persona,
        uint64 sequence,
        bytes memory att
    ) internal {
        bytes32 digest = AttestationLib.digest(
            _typeHash(), LOCAL, _toBytes32(address(identity)), 1, _hash(platform, accountId, persona, sequence)
        );
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            let p := add(att, 0x29) // 0x20 length word + 8 bytes set id + 1 byte signer index
            r := mload(p)
            s := mload(add(p, 0x20))
            v := byte(0, mload(add(p, 0x40)))
        }
        address recovered = ecrecover(digest, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, recovered));
        identity.bind(platform, accountId, persona, sequence, att);
    }

    // =========================================================================================================
    // constructor and constants
    // =========================================================================================================

    function test_constructor_setsTheAttesterSet() public view {
        assertEq(address(identity.attesterSet()), address(gateway), "attester set");
        assertEq(identity.IDENTITY_BINDING_TYPEHASH(), _typeHash(), "type hash");
        assertEq(identity.PLATFORM_FARCASTER(), 1, "farcaster");
        assertEq(identity.PLATFORM_BLUESKY(), 2, "bluesky");
        assertEq(identity.PLATFORM_ACTIVITYPUB(), 3, "activitypub");
        assertEq(identity.PLATFORM_LENS(), 4, "lens");
        assertEq(identity.PLATFORM_X(), 5, "x");
    }

    function test_constructor_revertsOnZeroAttesterSet() public {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ZeroAttesterSet.selector));
        new IdentityRegistry(IAttesterSet(address(0)));
    }

    function test_bindingHash_isTheAbiEncodingOfTheFourFields(
        uint8 platform,
        bytes32 accountId,
        address persona,
        uint64 sequence
    ) public view {
        platform = uint8(bound(platform, 1, 5));
        assertEq(
            identity.bindingHash(platform, accountId, persona, sequence),
            keccak256(abi.encode(platform, accountId, persona, sequence)),
            "bindingHash"
        );
    }

    function test_bindingHash_revertsOnAnUnknownPlatform() public {
        vm.expectRevert(abi.encodeWithSelector(RevenueCodec.UnknownPlatform.selector, uint8(6)));
        identity.bindingHash(6, fid, alice, 1);
    }

    // =========================================================================================================
    // bind
    // =========================================================================================================

    function test_bind_bindsTheAccountToThePersona() public {
        bytes memory att = _attestBinding(FARCASTER, fid, alice, 1);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AccountBound(FARCASTER, fid, alice, address(0), 1);
        vm.prank(relayer); // anyone may submit: the quorum is the authority
        identity.bind(FARCASTER, fid, alice, 1, att);
        assertEq(identity.personaOf(FARCASTER, fid), alice, "persona");
        (address persona, uint64 sequence) = identity.bindingOf(FARCASTER, fid);
        assertEq(persona, alice, "bindingOf persona");
        assertEq(sequence, 1, "bindingOf sequence");
        assertEq(identity.personaOf(BLUESKY, fid), address(0), "per platform");
    }

    function test_bind_everyPlatform() public {
        for (uint8 p = 1; p <= 5; ++p) {
            bytes32 account = keccak256(abi.encode("account", p));
            _bind(p, account, alice, 1);
            assertEq(identity.personaOf(p, account), alice, "bound");
        }
    }

    function test_bind_sequencesMayJump() public {
        _bind(LENS, fid, alice, 10);
        _bind(LENS, fid, bob, 1_000_000);
        assertEq(identity.personaOf(LENS, fid), bob, "rebound");
    }

    function test_bind_oneAccountHasOnePersonaAtATime() public {
        _bind(FARCASTER, fid, alice, 1);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AccountBound(FARCASTER, fid, bob, alice, 2);
        _bind(FARCASTER, fid, bob, 2);
        assertEq(identity.personaOf(FARCASTER, fid), bob, "the newer binding replaces the older");
    }

    function test_bind_renewingTheSamePersona() public {
        _bind(FARCASTER, fid, alice, 1);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AccountBound(FARCASTER, fid, alice, alice, 2);
        _bind(FARCASTER, fid, alice, 2);
        (, uint64 sequence) = identity.bindingOf(FARCASTER, fid);
        assertEq(sequence, 2, "sequence advanced");
    }

    function test_bind_severalAccountsShareAPersona() public {
        _bind(FARCASTER, fid, alice, 1);
        _bind(BLUESKY, did, alice, 1);
        _bind(X, handle, alice, 7);
        _bind(ACTIVITYPUB, keccak256("https://mastodon.social/users/alice"), alice, 1);
        assertEq(identity.personaOf(FARCASTER, fid), alice, "farcaster");
        assertEq(identity.personaOf(BLUESKY, did), alice, "bluesky");
        assertEq(identity.personaOf(X, handle), alice, "x");
        // Releasing one leaves the others bound.
        vm.prank(alice);
        identity.unbind(BLUESKY, did);
        assertEq(identity.personaOf(BLUESKY, did), address(0), "released");
        assertEq(identity.personaOf(FARCASTER, fid), alice, "farcaster kept");
        assertEq(identity.personaOf(X, handle), alice, "x kept");
    }

    function test_bind_revokeAndRebind() public {
        _bind(BLUESKY, did, alice, 1);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AccountUnbound(BLUESKY, did, alice, 2, false);
        _bind(BLUESKY, did, address(0), 2); // the quorum revokes
        assertEq(identity.personaOf(BLUESKY, did), address(0), "revoked");
        (, uint64 sequence) = identity.bindingOf(BLUESKY, did);
        assertEq(sequence, 2, "the revocation's sequence is stored");

        // The old binding cannot be replayed to undo the revocation.
        bytes memory old = _attestBinding(BLUESKY, did, alice, 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleBinding.selector, 2, 1));
        identity.bind(BLUESKY, did, alice, 1, old);

        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AccountBound(BLUESKY, did, bob, address(0), 3);
        _bind(BLUESKY, did, bob, 3);
        assertEq(identity.personaOf(BLUESKY, did), bob, "rebound");
    }

    function test_bind_revokingAnUnboundAccountAdvancesTheSequence() public {
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AccountUnbound(X, handle, address(0), 5, false);
        _bind(X, handle, address(0), 5);
        (address persona, uint64 sequence) = identity.bindingOf(X, handle);
        assertEq(persona, address(0), "still unbound");
        assertEq(sequence, 5, "sequence");
    }

    function test_bind_revertsOnAReplay() public {
        bytes memory att = _attestBinding(FARCASTER, fid, alice, 1);
        identity.bind(FARCASTER, fid, alice, 1, att);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleBinding.selector, 1, 1));
        identity.bind(FARCASTER, fid, alice, 1, att);
    }

    function test_bind_revertsOnAStaleSequence() public {
        bytes memory older = _attestBinding(FARCASTER, fid, bob, 4);
        _bind(FARCASTER, fid, alice, 5);
        // A binding signed earlier but submitted late never overrides the newer one.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleBinding.selector, 5, 4));
        identity.bind(FARCASTER, fid, bob, 4, older);
    }

    function test_bind_revertsOnSequenceZero() public {
        bytes memory att = _attestBinding(FARCASTER, fid, alice, 0);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleBinding.selector, 0, 0));
        identity.bind(FARCASTER, fid, alice, 0, att);
    }

    function test_bind_acceptsOnlyIncreasingSequences(uint64 first, uint64 second) public {
        first = uint64(bound(first, 1, type(uint64).max));
        _bind(LENS, fid, alice, first);
        bytes memory att = _attestBinding(LENS, fid, bob, second);
        if (second <= first) {
            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleBinding.selector, first, second));
            identity.bind(LENS, fid, bob, second, att);
            assertEq(identity.personaOf(LENS, fid), alice, "unchanged");
        } else {
            identity.bind(LENS, fid, bob, second, att);
            assertEq(identity.personaOf(LENS, fid), bob, "rebound");
        }
    }

    function test_bind_revertsOnAnUnknownPlatform() public {
        bytes memory att0 = _attestBinding(0, fid, alice, 1);
        vm.expectRevert(abi.encodeWithSelector(RevenueCodec.UnknownPlatform.selector, uint8(0)));
        identity.bind(0, fid, alice, 1, att0);
        bytes memory att6 = _attestBinding(6, fid, alice, 1);
        vm.expectRevert(abi.encodeWithSelector(RevenueCodec.UnknownPlatform.selector, uint8(6)));
        identity.bind(6, fid, alice, 1, att6);
    }

    function test_bind_revertsOnAZeroAccountId() public {
        bytes memory att = _attestBinding(FARCASTER, bytes32(0), alice, 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ZeroAccountId.selector));
        identity.bind(FARCASTER, bytes32(0), alice, 1, att);
    }

    function test_bind_revertsBelowQuorum() public {
        bytes memory att = _attestFirst(
            _typeHash(), LOCAL, _toBytes32(address(identity)), 1, _hash(FARCASTER, fid, alice, 1), keys, QUORUM - 1
        );
        uint256 required = (7 ether * uint256(THRESHOLD_5_OF_7) + 9_999) / 10_000;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InsufficientWeight.selector, 4 ether, required));
        identity.bind(FARCASTER, fid, alice, 1, att);
    }

    function test_bind_revertsOnAMalformedAttestation() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.MalformedAttestation.selector, 3));
        identity.bind(FARCASTER, fid, alice, 1, hex"000000");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoSignatures.selector));
        identity.bind(FARCASTER, fid, alice, 1, abi.encodePacked(uint64(1)));
    }

    function test_bind_revertsOnAnAttestationForOtherFields() public {
        // Signed for alice, submitted for bob (or another account, platform or sequence).
        bytes memory att = _attestBinding(FARCASTER, fid, alice, 1);
        _expectUnknownFirstSigner(FARCASTER, fid, bob, 1, att);
        _expectUnknownFirstSigner(FARCASTER, did, alice, 1, att);
        _expectUnknownFirstSigner(LENS, fid, alice, 1, att);
        _expectUnknownFirstSigner(FARCASTER, fid, alice, 2, att);
    }

    function test_bind_revertsOnAMessageAttestationOverTheSameValue() public {
        // The same 32 bytes signed as a MessageAttestation for this registry: the type hash separates the kinds.
        bytes memory att = _attestMessage(LOCAL, address(identity), 1, _hash(FARCASTER, fid, alice, 1), keys, QUORUM);
        _expectUnknownFirstSigner(FARCASTER, fid, alice, 1, att);
    }

    function test_bind_revertsOnABindingForAnotherRegistryOrDomain() public {
        IdentityRegistry other = new IdentityRegistry(gateway);
        bytes memory forOther = _attestFirst(
            _typeHash(), LOCAL, _toBytes32(address(other)), 1, _hash(FARCASTER, fid, alice, 1), keys, QUORUM
        );
        _expectUnknownFirstSigner(FARCASTER, fid, alice, 1, forOther);
        bytes memory forOtherDomain = _attestFirst(
            _typeHash(), LOCAL + 1, _toBytes32(address(identity)), 1, _hash(FARCASTER, fid, alice, 1), keys, QUORUM
        );
        _expectUnknownFirstSigner(FARCASTER, fid, alice, 1, forOtherDomain);
    }

    function test_bind_revertsWhileTheGatewayIsPaused() public {
        bytes memory att = _attestBinding(FARCASTER, fid, alice, 1);
        vm.prank(guardian);
        gateway.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        identity.bind(FARCASTER, fid, alice, 1, att);
        vm.prank(guardian);
        gateway.unpause();
        identity.bind(FARCASTER, fid, alice, 1, att);
        assertEq(identity.personaOf(FARCASTER, fid), alice, "bound after unpausing");
    }

    // =========================================================================================================
    // unbind
    // =========================================================================================================

    function test_unbind_byThePersonaKeepsTheSequence() public {
        bytes memory first = _attestBinding(FARCASTER, fid, alice, 3);
        identity.bind(FARCASTER, fid, alice, 3, first);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AccountUnbound(FARCASTER, fid, alice, 3, true);
        vm.prank(alice);
        identity.unbind(FARCASTER, fid);
        (address persona, uint64 sequence) = identity.bindingOf(FARCASTER, fid);
        assertEq(persona, address(0), "released");
        assertEq(sequence, 3, "sequence kept");

        // Its own binding cannot be replayed to re-bind it...
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleBinding.selector, 3, 3));
        identity.bind(FARCASTER, fid, alice, 3, first);
        // ...but a newer binding may.
        _bind(FARCASTER, fid, bob, 4);
        assertEq(identity.personaOf(FARCASTER, fid), bob, "rebound by a newer binding");
    }

    function test_unbind_revertsForAnotherCaller() public {
        _bind(FARCASTER, fid, alice, 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotBoundPersona.selector, FARCASTER, fid, bob));
        vm.prank(bob);
        identity.unbind(FARCASTER, fid);
    }

    function test_unbind_revertsForAnUnboundAccount() public {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotBoundPersona.selector, FARCASTER, fid, alice));
        vm.prank(alice);
        identity.unbind(FARCASTER, fid);
        // Twice is refused too.
        _bind(FARCASTER, fid, alice, 1);
        vm.startPrank(alice);
        identity.unbind(FARCASTER, fid);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotBoundPersona.selector, FARCASTER, fid, alice));
        identity.unbind(FARCASTER, fid);
        vm.stopPrank();
    }

    // =========================================================================================================
    // payouts
    // =========================================================================================================

    function test_payoutOf_defaultsToThePersonaOnEvm(address persona) public view {
        (uint8 family, bytes32 recipient) = identity.payoutOf(persona);
        assertEq(family, ChainFamily.EVM, "family");
        assertEq(recipient, _toBytes32(persona), "recipient");
    }

    function test_setPayout_anEvmAddress() public {
        bytes32 recipient = _toBytes32(makeAddr("alice's cold wallet"));
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.PayoutSet(alice, ChainFamily.EVM, recipient);
        vm.prank(alice);
        identity.setPayout(ChainFamily.EVM, recipient);
        (uint8 family, bytes32 got) = identity.payoutOf(alice);
        assertEq(family, ChainFamily.EVM, "family");
        assertEq(got, recipient, "recipient");
        (, bytes32 bobs) = identity.payoutOf(bob);
        assertEq(bobs, _toBytes32(bob), "per persona");
    }

    function test_setPayout_aSolanaKeyThenBack() public {
        bytes32 key = keccak256("a solana public key");
        vm.startPrank(alice);
        identity.setPayout(ChainFamily.SVM, key);
        (uint8 family, bytes32 recipient) = identity.payoutOf(alice);
        assertEq(family, ChainFamily.SVM, "svm");
        assertEq(recipient, key, "key");
        identity.setPayout(ChainFamily.EVM, _toBytes32(alice));
        (family, recipient) = identity.payoutOf(alice);
        assertEq(family, ChainFamily.EVM, "back to evm");
        assertEq(recipient, _toBytes32(alice), "itself");
        vm.stopPrank();
    }

    function test_setPayout_revertsOnAnUnknownFamily() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPayoutFamily.selector, uint8(0)));
        identity.setPayout(ChainFamily.UNKNOWN, _toBytes32(alice));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPayoutFamily.selector, uint8(3)));
        identity.setPayout(3, _toBytes32(alice));
        vm.stopPrank();
    }

    function test_setPayout_revertsOnARecipientTheFamilyCannotAccept() public {
        bytes32 notAnAddress = bytes32(uint256(1) << 160);
        vm.startPrank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistry.InvalidPayoutRecipient.selector, ChainFamily.EVM, notAnAddress)
        );
        identity.setPayout(ChainFamily.EVM, notAnAddress);
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistry.InvalidPayoutRecipient.selector, ChainFamily.EVM, bytes32(0))
        );
        identity.setPayout(ChainFamily.EVM, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistry.InvalidPayoutRecipient.selector, ChainFamily.SVM, bytes32(0))
        );
        identity.setPayout(ChainFamily.SVM, bytes32(0));
        vm.stopPrank();
    }

    function test_setPayout_matchesChainFamily(uint8 family, bytes32 recipient) public {
        bool ok = (family == ChainFamily.EVM || family == ChainFamily.SVM) && ChainFamily.accepts(family, recipient);
        if (!ok) vm.expectRevert();
        vm.prank(alice);
        identity.setPayout(family, recipient);
        if (ok) {
            (uint8 f, bytes32 r) = identity.payoutOf(alice);
            assertEq(f, family, "family");
            assertEq(r, recipient, "recipient");
        }
    }
}
