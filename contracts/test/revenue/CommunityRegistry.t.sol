// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../utils/Vm.sol";
import {CommunityRegistryBase} from "./CommunityRegistryBase.t.sol";
import {CommunityRegistry} from "../../src/revenue/CommunityRegistry.sol";
import {ICommunityRegistry} from "../../src/revenue/interfaces/ICommunityRegistry.sol";
import {SplitPolicy, SplitPolicyLibrary} from "../../src/types/SplitPolicy.sol";

/// @notice CommunityRegistry: the clock, creation, every owner / moderator write, the views, and every custom error.
///         Policy timing (next epoch, never retroactive) is in CommunityRegistryPolicy.t.sol.
contract CommunityRegistryTest is CommunityRegistryBase {
    // =========================================================================================================
    // constructor and clock
    // =========================================================================================================

    function test_constructor_setsTheClock() public view {
        assertEq(registry.genesis(), GENESIS, "genesis");
        assertEq(registry.epochLength(), EPOCH, "epochLength");
        assertEq(registry.communityCount(), 0, "no community");
        assertEq(registry.MAX_PROTOCOL_FEE_BPS(), 1_000, "protocol cap");
        assertEq(registry.DEFAULT_K_ANONYMITY(), 10, "default k");
        assertEq(registry.DEFAULT_UNCLAIMED_EXPIRY_EPOCHS(), 26, "default expiry");
    }

    function test_constructor_revertsOnZeroEpochLength() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.InvalidEpochLength.selector, uint32(0)));
        new CommunityRegistry(GENESIS, 0);
    }

    function test_currentEpoch_countsWholeEpochs() public {
        vm.warp(GENESIS);
        assertEq(registry.currentEpoch(), 0, "at genesis");
        vm.warp(uint256(GENESIS) + EPOCH - 1);
        assertEq(registry.currentEpoch(), 0, "last second of epoch 0");
        vm.warp(uint256(GENESIS) + EPOCH);
        assertEq(registry.currentEpoch(), 1, "first second of epoch 1");
        _warpToEpoch(1234);
        assertEq(registry.currentEpoch(), 1234, "middle of epoch 1234");
    }

    function test_currentEpoch_matchesTheFormula(uint256 elapsed) public {
        elapsed = bound(elapsed, 0, uint256(type(uint40).max) - GENESIS);
        vm.warp(uint256(GENESIS) + elapsed);
        assertEq(registry.currentEpoch(), elapsed / EPOCH, "epoch");
    }

    function test_currentEpoch_revertsBeforeGenesis() public {
        vm.warp(uint256(GENESIS) - 1);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.BeforeGenesis.selector, GENESIS));
        registry.currentEpoch();
    }

    // =========================================================================================================
    // createCommunity
    // =========================================================================================================

    function test_createCommunity_storesEverything() public {
        vm.prank(owner);
        uint64 id = registry.createCommunity("ipfs://community", treasury, _sources(), _policy(), 12, 40);
        assertEq(id, 1, "first id");
        assertEq(registry.communityCount(), 1, "count");
        assertTrue(registry.exists(id), "exists");
        assertEq(registry.ownerOf(id), owner, "owner is the caller");
        assertEq(registry.pendingOwnerOf(id), address(0), "no pending owner");
        assertEq(registry.treasuryOf(id), treasury, "treasury");
        assertEq(bytes(registry.metadataOf(id)), bytes("ipfs://community"), "metadata");
        assertEq(registry.kAnonymityOf(id), 12, "k");
        assertEq(registry.unclaimedExpiryEpochsOf(id), 40, "expiry");
        assertEq(_word(registry.policyAt(id, 0)), _word(_policy()), "policy from epoch 0");
        assertEq(_word(registry.policyAt(id, START_EPOCH)), _word(_policy()), "policy now");
        assertEq(_word(registry.policyAt(id, type(uint64).max)), _word(_policy()), "policy forever");
        bytes[] memory sources = registry.sourcesOf(id);
        assertEq(sources.length, 2, "two sources");
        assertEq(sources[0], _sources()[0], "source 0");
        assertEq(sources[1], _sources()[1], "source 1");
        assertTrue(registry.hasSource(id, keccak256(_sources()[1])), "hasSource");
        (SplitPolicy pending, uint64 from) = registry.pendingPolicyOf(id);
        assertEq(_word(pending), 0, "nothing pending");
        assertEq(from, 0, "nothing pending (epoch)");

        vm.prank(stranger);
        uint64 second = registry.createCommunity("", treasury, _noSources(), _otherPolicy(), 0, 0);
        assertEq(second, 2, "ids are sequential");
        assertEq(registry.ownerOf(second), stranger, "anyone may create one");
        assertEq(registry.sourcesOf(second).length, 0, "no sources");
    }

    function test_createCommunity_zeroKAndExpiryTakeTheDefaults() public {
        uint64 id = _create();
        assertEq(registry.kAnonymityOf(id), 10, "default k");
        assertEq(registry.unclaimedExpiryEpochsOf(id), 26, "default expiry");
    }

    function test_createCommunity_emitsCreatedThenEachSource() public {
        bytes[] memory sources = _sources();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.CommunityCreated(1, owner, treasury, "ipfs://community", _policy(), 10, 26);
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.SourceAdded(1, keccak256(sources[0]), sources[0]);
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.SourceAdded(1, keccak256(sources[1]), sources[1]);
        _create();
    }

    function test_createCommunity_worksBeforeGenesis() public {
        vm.warp(uint256(GENESIS) - 1 days);
        uint64 id = _create();
        assertEq(_word(registry.policyAt(id, 0)), _word(_policy()), "policy of epoch 0");
    }

    function test_createCommunity_acceptsTheLimits() public {
        bytes[] memory sources = new bytes[](16);
        for (uint256 i; i < 16; ++i) {
            sources[i] = _bytesOf(i == 0 ? 1 : 512, bytes1(uint8(i + 1)));
        }
        vm.prank(owner);
        uint64 id = registry.createCommunity(
            _stringOf(2048), treasury, sources, SplitPolicyLibrary.pack(0, 0, 9000, 1000), 2, 1
        );
        assertEq(registry.sourcesOf(id).length, 16, "16 sources");
        assertEq(registry.kAnonymityOf(id), 2, "k = 2");
        assertEq(registry.unclaimedExpiryEpochsOf(id), 1, "expiry = 1");
    }

    function test_createCommunity_revertsOnZeroTreasury() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.ZeroAddress.selector));
        registry.createCommunity("", address(0), _noSources(), _policy(), 0, 0);
    }

    function test_createCommunity_revertsOnABadPolicySum() public {
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.InvalidSplitSum.selector, 9_999));
        registry.createCommunity("", treasury, _noSources(), SplitPolicyLibrary.pack(7000, 1500, 1000, 499), 0, 0);
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.InvalidSplitSum.selector, 0));
        registry.createCommunity("", treasury, _noSources(), SplitPolicy.wrap(0), 0, 0);
    }

    function test_createCommunity_revertsOnAProtocolFeeOverTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.ProtocolFeeTooHigh.selector, 1001, 1000));
        registry.createCommunity("", treasury, _noSources(), SplitPolicyLibrary.pack(7000, 1000, 999, 1001), 0, 0);
    }

    function test_createCommunity_revertsOnKBelowTwo() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.KAnonymityTooLow.selector, uint16(1)));
        registry.createCommunity("", treasury, _noSources(), _policy(), 1, 0);
    }

    function test_createCommunity_revertsOnTooManySources() public {
        bytes[] memory sources = new bytes[](17);
        for (uint256 i; i < 17; ++i) {
            sources[i] = abi.encode(i);
        }
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.TooManySources.selector, 17));
        registry.createCommunity("", treasury, sources, _policy(), 0, 0);
    }

    function test_createCommunity_revertsOnAnEmptySource() public {
        bytes[] memory sources = new bytes[](1);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.InvalidSourceLength.selector, 0));
        registry.createCommunity("", treasury, sources, _policy(), 0, 0);
    }

    function test_createCommunity_revertsOnAnOversizedSource() public {
        bytes[] memory sources = new bytes[](1);
        sources[0] = _bytesOf(513, "s");
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.InvalidSourceLength.selector, 513));
        registry.createCommunity("", treasury, sources, _policy(), 0, 0);
    }

    function test_createCommunity_revertsOnADuplicateSource() public {
        bytes[] memory sources = new bytes[](2);
        sources[0] = "rss:https://example.org/feed";
        sources[1] = "rss:https://example.org/feed";
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.DuplicateSource.selector, keccak256(sources[0])));
        registry.createCommunity("", treasury, sources, _policy(), 0, 0);
    }

    function test_createCommunity_revertsOnAnOversizedMetadataURI() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.MetadataURITooLong.selector, 2049));
        registry.createCommunity(_stringOf(2049), treasury, _noSources(), _policy(), 0, 0);
    }

    // =========================================================================================================
    // setTreasury
    // =========================================================================================================

    function test_setTreasury_byTheOwner() public {
        uint64 id = _create();
        address next = makeAddr("next treasury");
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.TreasurySet(id, next);
        vm.prank(owner);
        registry.setTreasury(id, next);
        assertEq(registry.treasuryOf(id), next, "treasury");
    }

    function test_setTreasury_revertsForAModerator() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, moderator));
        vm.prank(moderator);
        registry.setTreasury(id, stranger);
    }

    function test_setTreasury_revertsForAStranger() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, stranger));
        vm.prank(stranger);
        registry.setTreasury(id, stranger);
    }

    function test_setTreasury_revertsOnZero() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.ZeroAddress.selector));
        vm.prank(owner);
        registry.setTreasury(id, address(0));
    }

    function test_setTreasury_revertsForAnUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.UnknownCommunity.selector, uint64(1)));
        vm.prank(owner);
        registry.setTreasury(1, treasury);
    }

    // =========================================================================================================
    // setKAnonymity / setUnclaimedExpiryEpochs
    // =========================================================================================================

    function test_setKAnonymity_byTheOwner() public {
        uint64 id = _create();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.KAnonymitySet(id, 50);
        vm.prank(owner);
        registry.setKAnonymity(id, 50);
        assertEq(registry.kAnonymityOf(id), 50, "k");
        vm.prank(owner);
        registry.setKAnonymity(id, 2);
        assertEq(registry.kAnonymityOf(id), 2, "k = 2 is allowed");
    }

    function test_setKAnonymity_revertsBelowTwo() public {
        uint64 id = _create();
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.KAnonymityTooLow.selector, uint16(1)));
        registry.setKAnonymity(id, 1);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.KAnonymityTooLow.selector, uint16(0)));
        registry.setKAnonymity(id, 0);
        vm.stopPrank();
    }

    function test_setKAnonymity_revertsForAModerator() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, moderator));
        vm.prank(moderator);
        registry.setKAnonymity(id, 2);
    }

    function test_setUnclaimedExpiryEpochs_byTheOwner() public {
        uint64 id = _create();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.UnclaimedExpirySet(id, 1);
        vm.prank(owner);
        registry.setUnclaimedExpiryEpochs(id, 1);
        assertEq(registry.unclaimedExpiryEpochsOf(id), 1, "expiry");
    }

    function test_setUnclaimedExpiryEpochs_revertsOnZero() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.InvalidUnclaimedExpiry.selector, uint32(0)));
        vm.prank(owner);
        registry.setUnclaimedExpiryEpochs(id, 0);
    }

    function test_setUnclaimedExpiryEpochs_revertsForAStranger() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, stranger));
        vm.prank(stranger);
        registry.setUnclaimedExpiryEpochs(id, 5);
    }

    // =========================================================================================================
    // moderators
    // =========================================================================================================

    function test_addModerator_byTheOwner() public {
        uint64 id = _create();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.ModeratorAdded(id, moderator);
        vm.prank(owner);
        registry.addModerator(id, moderator);
        assertTrue(registry.isModerator(id, moderator), "moderator");
        assertFalse(registry.isModerator(id + 1, moderator), "per community");
    }

    function test_addModerator_revertsOnZero() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.ZeroAddress.selector));
        vm.prank(owner);
        registry.addModerator(id, address(0));
    }

    function test_addModerator_revertsWhenAlreadyAModerator() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.AlreadyModerator.selector, id, moderator));
        vm.prank(owner);
        registry.addModerator(id, moderator);
    }

    function test_addModerator_revertsForAModerator() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, moderator));
        vm.prank(moderator);
        registry.addModerator(id, stranger);
    }

    function test_removeModerator_byTheOwnerEndsTheirRights() public {
        uint64 id = _createModerated();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.ModeratorRemoved(id, moderator);
        vm.prank(owner);
        registry.removeModerator(id, moderator);
        assertFalse(registry.isModerator(id, moderator), "removed");
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotOwnerOrModerator.selector, id, moderator));
        vm.prank(moderator);
        registry.setMetadata(id, "ipfs://takeover");
    }

    function test_removeModerator_revertsForANonModerator() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotModerator.selector, id, stranger));
        vm.prank(owner);
        registry.removeModerator(id, stranger);
    }

    function test_removeModerator_revertsForAModerator() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, moderator));
        vm.prank(moderator);
        registry.removeModerator(id, moderator);
    }

    // =========================================================================================================
    // two-step ownership
    // =========================================================================================================

    function test_transferOwnership_isTwoStep() public {
        uint64 id = _create();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.OwnershipTransferStarted(id, owner, newOwner);
        vm.prank(owner);
        registry.transferOwnership(id, newOwner);
        assertEq(registry.pendingOwnerOf(id), newOwner, "pending");
        assertEq(registry.ownerOf(id), owner, "the owner stays until accepted");

        // Not the owner yet.
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, newOwner));
        vm.prank(newOwner);
        registry.setTreasury(id, newOwner);

        vm.expectEmit(address(registry));
        emit ICommunityRegistry.OwnershipTransferred(id, owner, newOwner);
        vm.prank(newOwner);
        registry.acceptOwnership(id);
        assertEq(registry.ownerOf(id), newOwner, "new owner");
        assertEq(registry.pendingOwnerOf(id), address(0), "pending cleared");

        vm.prank(newOwner);
        registry.setTreasury(id, newOwner);
        assertEq(registry.treasuryOf(id), newOwner, "the new owner acts");
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, owner));
        vm.prank(owner);
        registry.setTreasury(id, owner);
    }

    function test_transferOwnership_zeroWithdrawsTheOffer() public {
        uint64 id = _create();
        vm.startPrank(owner);
        registry.transferOwnership(id, newOwner);
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.OwnershipTransferStarted(id, owner, address(0));
        registry.transferOwnership(id, address(0));
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotPendingOwner.selector, id, newOwner));
        vm.prank(newOwner);
        registry.acceptOwnership(id);
    }

    function test_transferOwnership_revertsForAModerator() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, moderator));
        vm.prank(moderator);
        registry.transferOwnership(id, moderator);
    }

    function test_acceptOwnership_revertsForAnyoneButThePendingOwner() public {
        uint64 id = _create();
        vm.prank(owner);
        registry.transferOwnership(id, newOwner);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotPendingOwner.selector, id, stranger));
        vm.prank(stranger);
        registry.acceptOwnership(id);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotPendingOwner.selector, id, owner));
        vm.prank(owner);
        registry.acceptOwnership(id);
    }

    function test_acceptOwnership_revertsForAnUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotPendingOwner.selector, uint64(7), stranger));
        vm.prank(stranger);
        registry.acceptOwnership(7);
    }

    function test_acceptOwnership_keepsModeratorsAndSettings() public {
        uint64 id = _createModerated();
        vm.prank(owner);
        registry.transferOwnership(id, newOwner);
        vm.prank(newOwner);
        registry.acceptOwnership(id);
        assertTrue(registry.isModerator(id, moderator), "moderator kept");
        assertEq(registry.treasuryOf(id), treasury, "treasury kept");
        vm.prank(moderator);
        registry.setMetadata(id, "ipfs://still-moderating");
    }

    // =========================================================================================================
    // setMetadata
    // =========================================================================================================

    function test_setMetadata_byTheOwnerOrAModerator() public {
        uint64 id = _createModerated();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.MetadataSet(id, "ipfs://by-owner");
        vm.prank(owner);
        registry.setMetadata(id, "ipfs://by-owner");
        assertEq(bytes(registry.metadataOf(id)), bytes("ipfs://by-owner"), "owner");
        vm.prank(moderator);
        registry.setMetadata(id, "ipfs://by-moderator");
        assertEq(bytes(registry.metadataOf(id)), bytes("ipfs://by-moderator"), "moderator");
    }

    function test_setMetadata_revertsForAStranger() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotOwnerOrModerator.selector, id, stranger));
        vm.prank(stranger);
        registry.setMetadata(id, "ipfs://spam");
    }

    function test_setMetadata_revertsOnAnOversizedURI() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.MetadataURITooLong.selector, 2049));
        vm.prank(owner);
        registry.setMetadata(id, _stringOf(2049));
    }

    function test_setMetadata_revertsForAnUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.UnknownCommunity.selector, uint64(3)));
        vm.prank(owner);
        registry.setMetadata(3, "x");
    }

    // =========================================================================================================
    // sources
    // =========================================================================================================

    function test_addSource_byTheOwnerOrAModerator() public {
        uint64 id = _createModerated();
        bytes memory a = "mastodon:tag:https://mastodon.social/tags/koii";
        bytes memory b = "rss:https://example.org/feed.xml";
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.SourceAdded(id, keccak256(a), a);
        vm.prank(owner);
        registry.addSource(id, a);
        vm.prank(moderator);
        registry.addSource(id, b);
        bytes[] memory sources = registry.sourcesOf(id);
        assertEq(sources.length, 4, "four sources");
        assertEq(sources[2], a, "owner's");
        assertEq(sources[3], b, "moderator's");
        assertTrue(registry.hasSource(id, keccak256(b)), "hasSource");
    }

    function test_addSource_revertsForAStranger() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotOwnerOrModerator.selector, id, stranger));
        vm.prank(stranger);
        registry.addSource(id, "rss:x");
    }

    function test_addSource_revertsPastSixteen() public {
        uint64 id = _create();
        vm.startPrank(owner);
        for (uint256 i = 2; i < 16; ++i) {
            registry.addSource(id, abi.encode(i));
        }
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.TooManySources.selector, 17));
        registry.addSource(id, abi.encode(uint256(16)));
        vm.stopPrank();
    }

    function test_addSource_revertsOnAnInvalidLength() public {
        uint64 id = _create();
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.InvalidSourceLength.selector, 0));
        registry.addSource(id, "");
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.InvalidSourceLength.selector, 513));
        registry.addSource(id, _bytesOf(513, "x"));
        registry.addSource(id, _bytesOf(512, "x")); // the limit itself is fine
        vm.stopPrank();
    }

    function test_addSource_revertsOnADuplicate() public {
        uint64 id = _create();
        bytes memory existing = _sources()[0];
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.DuplicateSource.selector, keccak256(existing)));
        vm.prank(owner);
        registry.addSource(id, existing);
    }

    function test_removeSource_movesTheLastIntoTheGap() public {
        uint64 id = _createModerated();
        bytes memory third = "rss:https://example.org/feed.xml";
        vm.prank(owner);
        registry.addSource(id, third);
        bytes32 firstHash = keccak256(_sources()[0]);
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.SourceRemoved(id, firstHash);
        vm.prank(moderator);
        registry.removeSource(id, firstHash);
        bytes[] memory sources = registry.sourcesOf(id);
        assertEq(sources.length, 2, "two left");
        assertEq(sources[0], third, "the last took the gap");
        assertEq(sources[1], _sources()[1], "the middle one stays");
        assertFalse(registry.hasSource(id, firstHash), "removed");

        // The moved source can still be removed by hash, and the removed one added again.
        vm.startPrank(owner);
        registry.removeSource(id, keccak256(third));
        registry.addSource(id, _sources()[0]);
        vm.stopPrank();
        sources = registry.sourcesOf(id);
        assertEq(sources.length, 2, "two again");
        assertEq(sources[0], _sources()[1], "order after the second removal");
        assertEq(sources[1], _sources()[0], "re-added");
    }

    function test_removeSource_theLastOne() public {
        uint64 id = _create();
        vm.startPrank(owner);
        registry.removeSource(id, keccak256(_sources()[1]));
        registry.removeSource(id, keccak256(_sources()[0]));
        vm.stopPrank();
        assertEq(registry.sourcesOf(id).length, 0, "empty");
    }

    function test_removeSource_revertsForAnUnknownSource() public {
        uint64 id = _create();
        bytes32 unknown = keccak256("not a source");
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.UnknownSource.selector, unknown));
        vm.prank(owner);
        registry.removeSource(id, unknown);
    }

    function test_removeSource_revertsForAStranger() public {
        uint64 id = _create();
        bytes32 h = keccak256(_sources()[0]);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotOwnerOrModerator.selector, id, stranger));
        vm.prank(stranger);
        registry.removeSource(id, h);
    }

    // =========================================================================================================
    // views of unknown communities
    // =========================================================================================================

    function test_exists_onlyForCreatedIds() public {
        assertFalse(registry.exists(0), "id 0 never exists");
        assertFalse(registry.exists(1), "not yet");
        _create();
        assertTrue(registry.exists(1), "created");
        assertFalse(registry.exists(2), "next id");
        assertEq(registry.ownerOf(2), address(0), "no owner");
    }

    function test_views_revertForAnUnknownCommunity() public {
        _create();
        bytes memory unknown = abi.encodeWithSelector(ICommunityRegistry.UnknownCommunity.selector, uint64(2));
        vm.expectRevert(unknown);
        registry.treasuryOf(2);
        vm.expectRevert(unknown);
        registry.policyAt(2, 0);
        vm.expectRevert(unknown);
        registry.kAnonymityOf(2);
        vm.expectRevert(unknown);
        registry.unclaimedExpiryEpochsOf(2);
        vm.expectRevert(unknown);
        registry.metadataOf(2);
        vm.expectRevert(unknown);
        registry.sourcesOf(2);
        vm.expectRevert(unknown);
        registry.pendingPolicyOf(2);
        vm.expectRevert(unknown);
        registry.policyHistoryOf(2);
    }
}
