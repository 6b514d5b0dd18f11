// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../utils/Vm.sol";
import {CommunityRegistryBase} from "./CommunityRegistryBase.t.sol";
import {ICommunityRegistry} from "../../src/revenue/interfaces/ICommunityRegistry.sol";
import {SplitPolicy, SplitPolicyLibrary} from "../../src/types/SplitPolicy.sol";

/// @notice Policy changes: effective from the next epoch, a second change in an epoch replaces the pending one, and
///         the policy of the current and every past epoch never changes (fuzzed over epochs and changes).
contract CommunityRegistryPolicyTest is CommunityRegistryBase {
    function _setPolicy(uint64 id, SplitPolicy policy) internal returns (uint64 effectiveFrom) {
        vm.prank(owner);
        effectiveFrom = registry.setPolicy(id, policy);
    }

    function test_setPolicy_takesEffectFromTheNextEpoch() public {
        uint64 id = _create();
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.PolicyScheduled(id, _otherPolicy(), START_EPOCH + 1);
        uint64 from = _setPolicy(id, _otherPolicy());
        assertEq(from, START_EPOCH + 1, "effective from");
        assertEq(_word(registry.policyAt(id, START_EPOCH)), _word(_policy()), "current epoch unchanged");
        assertEq(_word(registry.policyAt(id, START_EPOCH - 1)), _word(_policy()), "past epoch unchanged");
        assertEq(_word(registry.policyAt(id, START_EPOCH + 1)), _word(_otherPolicy()), "next epoch");
        assertEq(_word(registry.policyAt(id, START_EPOCH + 100)), _word(_otherPolicy()), "later epochs");
        (SplitPolicy pending, uint64 pendingFrom) = registry.pendingPolicyOf(id);
        assertEq(_word(pending), _word(_otherPolicy()), "pending");
        assertEq(pendingFrom, START_EPOCH + 1, "pending from");

        // The last second of the epoch still is the epoch: nothing changes until the boundary.
        vm.warp(uint256(GENESIS) + uint256(START_EPOCH + 1) * EPOCH - 1);
        (pending,) = registry.pendingPolicyOf(id);
        assertEq(_word(pending), _word(_otherPolicy()), "still pending");
        vm.warp(uint256(GENESIS) + uint256(START_EPOCH + 1) * EPOCH);
        (pending, pendingFrom) = registry.pendingPolicyOf(id);
        assertEq(_word(pending), 0, "in force now: nothing pending");
        assertEq(pendingFrom, 0, "nothing pending (epoch)");
    }

    function test_setPolicy_aSecondChangeInTheEpochReplacesThePendingOne() public {
        uint64 id = _create();
        SplitPolicy third = SplitPolicyLibrary.pack(5000, 3000, 1000, 1000);
        _setPolicy(id, _otherPolicy());
        vm.warp(block.timestamp + EPOCH / 4); // same epoch
        uint64 from = _setPolicy(id, third);
        assertEq(from, START_EPOCH + 1, "same effective epoch");
        assertEq(_word(registry.policyAt(id, START_EPOCH + 1)), _word(third), "replaced");
        (uint64[] memory fromEpochs, SplitPolicy[] memory policies) = registry.policyHistoryOf(id);
        assertEq(fromEpochs.length, 2, "one checkpoint added, not two");
        assertEq(fromEpochs[1], START_EPOCH + 1, "checkpoint epoch");
        assertEq(_word(policies[1]), _word(third), "checkpoint policy");
    }

    function test_setPolicy_restoringThePolicyInForceCancelsThePendingOne() public {
        uint64 id = _create();
        _setPolicy(id, _otherPolicy());
        vm.expectEmit(address(registry));
        emit ICommunityRegistry.PolicyScheduled(id, _policy(), START_EPOCH + 1);
        _setPolicy(id, _policy());
        (uint64[] memory fromEpochs,) = registry.policyHistoryOf(id);
        assertEq(fromEpochs.length, 1, "the pending checkpoint is gone");
        assertEq(_word(registry.policyAt(id, START_EPOCH + 1)), _word(_policy()), "unchanged next epoch");
        (SplitPolicy pending,) = registry.pendingPolicyOf(id);
        assertEq(_word(pending), 0, "nothing pending");
    }

    function test_setPolicy_thePolicyInForceAddsNoCheckpoint() public {
        uint64 id = _create();
        uint64 from = _setPolicy(id, _policy());
        assertEq(from, START_EPOCH + 1, "still reported from the next epoch");
        (uint64[] memory fromEpochs,) = registry.policyHistoryOf(id);
        assertEq(fromEpochs.length, 1, "no checkpoint");
    }

    function test_setPolicy_beforeGenesisReplacesTheCreationPolicy() public {
        vm.warp(uint256(GENESIS) - 1 days);
        uint64 id = _create();
        uint64 from = _setPolicy(id, _otherPolicy());
        assertEq(from, 0, "from epoch 0: no epoch has started");
        (uint64[] memory fromEpochs, SplitPolicy[] memory policies) = registry.policyHistoryOf(id);
        assertEq(fromEpochs.length, 1, "one checkpoint");
        assertEq(fromEpochs[0], 0, "at epoch 0");
        assertEq(_word(policies[0]), _word(_otherPolicy()), "replaced");
        (SplitPolicy pending,) = registry.pendingPolicyOf(id);
        assertEq(_word(pending), 0, "nothing pending before genesis");
        vm.warp(GENESIS);
        assertEq(_word(registry.policyAt(id, 0)), _word(_otherPolicy()), "epoch 0");
    }

    function test_setPolicy_atTheEpochBoundary() public {
        uint64 id = _create();
        vm.warp(uint256(GENESIS) + uint256(START_EPOCH + 1) * EPOCH - 1); // last second of START_EPOCH
        assertEq(_setPolicy(id, _otherPolicy()), START_EPOCH + 1, "last second: next epoch");
        vm.warp(block.timestamp + 1); // first second of START_EPOCH + 1: the change is in force
        SplitPolicy third = SplitPolicyLibrary.pack(5000, 3000, 1000, 1000);
        assertEq(_setPolicy(id, third), START_EPOCH + 2, "first second: the epoch after");
        assertEq(_word(registry.policyAt(id, START_EPOCH + 1)), _word(_otherPolicy()), "in force, unchanged");
        assertEq(_word(registry.policyAt(id, START_EPOCH + 2)), _word(third), "next");
    }

    function test_setPolicy_revertsOnABadSum() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.InvalidSplitSum.selector, 10_001));
        _setPolicy(id, SplitPolicyLibrary.pack(7000, 1500, 1001, 500));
    }

    function test_setPolicy_revertsOnAProtocolFeeOverTheCap() public {
        uint64 id = _create();
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.ProtocolFeeTooHigh.selector, 2000, 1000));
        _setPolicy(id, SplitPolicyLibrary.pack(7000, 1000, 0, 2000));
    }

    function test_setPolicy_revertsForAModerator() public {
        uint64 id = _createModerated();
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.NotCommunityOwner.selector, id, moderator));
        vm.prank(moderator);
        registry.setPolicy(id, _otherPolicy());
    }

    function test_setPolicy_revertsForAnUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.UnknownCommunity.selector, uint64(1)));
        vm.prank(owner);
        registry.setPolicy(1, _otherPolicy());
    }

    function test_policyAt_findsEveryCheckpoint() public {
        uint64 id = _create();
        // A change every other epoch for 40 epochs: checkpoints at 11, 13, ..., 49.
        for (uint64 e = START_EPOCH; e < START_EPOCH + 40; e += 2) {
            _warpToEpoch(e);
            _setPolicy(id, _policyFrom(e));
        }
        for (uint64 e; e <= START_EPOCH + 41; ++e) {
            SplitPolicy expected;
            if (e <= START_EPOCH) expected = _policy();
            else expected = _policyFrom(_min(e % 2 == 1 ? e - 1 : e - 2, START_EPOCH + 38)); // set in that epoch
            assertEq(_word(registry.policyAt(id, e)), _word(expected), "policy of the epoch");
        }
        (uint64[] memory fromEpochs,) = registry.policyHistoryOf(id);
        assertEq(fromEpochs.length, 21, "creation + 20 changes");
    }

    function _min(uint64 a, uint64 b) internal pure returns (uint64) {
        return a < b ? a : b;
    }

    /// @dev Random changes at random times (several per epoch, gaps of several epochs): after each change the policy
    ///      of every epoch up to the current one is what it was when first observed, and the change is in force
    ///      from the next epoch.
    function test_setPolicy_isNeverRetroactive(uint256 seed) public {
        uint64 id = _create();
        uint256 maxEpoch = 64;
        uint64[] memory seen = new uint64[](maxEpoch); // policy word + 1 (0 = not observed yet)
        uint256 timestamp = block.timestamp;
        for (uint256 step; step < 16; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            // Stay in this epoch (about half of the steps) or move up to 3 epochs on, at any second of the epoch.
            timestamp += (r % 4 < 2) ? (r >> 8) % (EPOCH / 8) : ((r >> 8) % 3 + 1) * EPOCH + (r >> 16) % EPOCH;
            if (timestamp >= uint256(GENESIS) + maxEpoch * EPOCH) break;
            vm.warp(timestamp);
            uint64 current = registry.currentEpoch();
            for (uint64 e; e <= current; ++e) {
                if (seen[e] == 0) seen[e] = SplitPolicy.unwrap(registry.policyAt(id, e)) + 1;
            }
            SplitPolicy next = (r >> 32) % 5 == 0 ? registry.policyAt(id, current) : _policyFrom(r >> 40);
            assertEq(_setPolicy(id, next), current + 1, "effective from the next epoch");
            for (uint64 e; e <= current; ++e) {
                assertEq(SplitPolicy.unwrap(registry.policyAt(id, e)) + 1, seen[e], "a past or current epoch changed");
            }
            assertEq(_word(registry.policyAt(id, current + 1)), _word(next), "in force from the next epoch");
        }
    }
}
