// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../utils/Vm.sol";
import {AttesterSetBase} from "./AttesterSetBase.t.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";

/// @notice Quorum rotation with overlap, and the timelocked emergency path (docs/protocol.md §4).
contract AttesterSetRotationTest is AttesterSetBase {
    bytes32 internal constant VALUE = keccak256("in-flight message");

    uint256[] internal nextKeys;
    address[] internal nextAttesters;
    uint96[] internal nextWeights;

    function setUp() public override {
        super.setUp();
        (nextKeys, nextAttesters, nextWeights) = _makeSet(5, 2);
    }

    // ================================================================ rotate

    function test_rotate_installsNextSet() public {
        _rotate(keys, 5, nextAttesters, nextWeights, 8000);
        assertEq(set.currentSetId(), 2, "current set");
        (address[] memory a, uint96[] memory w, uint16 bps, uint96 total, uint40 expiresAt) = set.getSet(2);
        assertEq(a.length, 5, "count");
        for (uint256 i; i < 5; ++i) {
            assertEq(a[i], nextAttesters[i], "attester");
            assertEq(w[i], nextWeights[i], "weight");
        }
        assertEq(bps, 8000, "threshold");
        assertEq(total, 5 * uint256(ATTESTER_WEIGHT), "total");
        assertEq(expiresAt, 0, "new set does not expire");
        (,,,, uint40 oldExpiresAt) = set.getSet(1);
        assertEq(oldExpiresAt, START + OVERLAP, "old set expires after the overlap");
    }

    function test_rotate_emitsAttesterSetRotated() public {
        bytes32 h = _setHash(2, 8000, nextAttesters, nextWeights);
        bytes memory att = _attestRotation(set, 1, nextAttesters, nextWeights, 8000, keys, 5);
        vm.expectEmit(address(set));
        emit IAttesterSet.AttesterSetRotated(2, h, uint40(START + OVERLAP));
        vm.prank(stranger); // anyone may submit
        set.rotate(nextAttesters, nextWeights, 8000, att);
    }

    function test_rotate_newSetVerifies() public {
        _rotate(keys, 5, nextAttesters, nextWeights, 8000);
        assertEq(_verifyMessage(VALUE, _msgAttest(2, VALUE, nextKeys, 4)), 2, "4-of-5 of set 2");
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttesterSet.InsufficientWeight.selector, 3 * uint256(ATTESTER_WEIGHT), 4 * uint256(ATTESTER_WEIGHT)
            )
        );
        _verifyMessage(VALUE, _msgAttest(2, VALUE, nextKeys, 3));
    }

    function test_rotate_oldSetVerifiesDuringOverlapOnly() public {
        bytes memory oldAtt = _msgAttest(1, VALUE, keys, 5);
        _rotate(keys, 5, nextAttesters, nextWeights, 8000);
        assertTrue(set.isLive(1), "live right after rotation");
        assertEq(_verifyMessage(VALUE, oldAtt), 1, "old set at rotation");
        vm.warp(START + OVERLAP - 1);
        assertTrue(set.isLive(1), "live at the last second of the overlap");
        assertEq(_verifyMessage(VALUE, oldAtt), 1, "old set at the end of the overlap");
        vm.warp(START + OVERLAP);
        assertFalse(set.isLive(1), "expired");
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.AttesterSetExpired.selector, uint64(1), uint40(START + OVERLAP))
        );
        _verifyMessage(VALUE, oldAtt);
        // The same message re-attested by the new set still delivers (no stranding).
        assertEq(_verifyMessage(VALUE, _msgAttest(2, VALUE, nextKeys, 4)), 2, "re-attested by set 2");
    }

    function test_rotate_expiresOlderSetsImmediately() public {
        _rotate(keys, 5, nextAttesters, nextWeights, 8000);
        vm.warp(START + 1 hours); // set 1 still in its overlap
        (uint256[] memory k3, address[] memory a3, uint96[] memory w3) = _makeSet(3, 3);
        _rotate(nextKeys, 4, a3, w3, 10_000);
        assertEq(set.currentSetId(), 3, "current");
        assertFalse(set.isLive(1), "set 1 expired at the second rotation");
        assertTrue(set.isLive(2), "set 2 in its overlap");
        (,,,, uint40 e1) = set.getSet(1);
        (,,,, uint40 e2) = set.getSet(2);
        assertEq(e1, START + 1 hours, "set 1 expiry pulled forward");
        assertEq(e2, START + 1 hours + OVERLAP, "set 2 expiry");
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.AttesterSetExpired.selector, uint64(1), uint40(START + 1 hours))
        );
        _verifyMessage(VALUE, _msgAttest(1, VALUE, keys, 5));
        assertEq(_verifyMessage(VALUE, _msgAttest(3, VALUE, k3, 3)), 3, "set 3");
    }

    function test_rotate_keepsEarlierExpiryOfOlderSet() public {
        _rotate(keys, 5, nextAttesters, nextWeights, 8000);
        vm.warp(START + 2 days); // set 1 already expired at START + 1 day
        (, address[] memory a3, uint96[] memory w3) = _makeSet(3, 3);
        _rotate(nextKeys, 4, a3, w3, 10_000);
        (,,,, uint40 e1) = set.getSet(1);
        assertEq(e1, START + OVERLAP, "an expired set's expiry is not moved");
    }

    function test_rotate_withZeroOverlapExpiresImmediately() public {
        AttesterSet s = new AttesterSet(DOMAIN, owner, attesters, weights, THRESHOLD_5_OF_7, 0, EMERGENCY_DELAY);
        bytes memory att = _attestRotation(s, 1, nextAttesters, nextWeights, 8000, keys, 5);
        s.rotate(nextAttesters, nextWeights, 8000, att);
        assertFalse(s.isLive(1), "no overlap");
    }

    function test_rotate_revertsWithoutQuorum() public {
        bytes memory att = _attestRotation(set, 1, nextAttesters, nextWeights, 8000, keys, 4);
        uint256 required = (7 * uint256(ATTESTER_WEIGHT) * THRESHOLD_5_OF_7 + 9999) / 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.InsufficientWeight.selector, 4 * uint256(ATTESTER_WEIGHT), required)
        );
        set.rotate(nextAttesters, nextWeights, 8000, att);
    }

    function test_rotate_revertsOnAttestationForOtherSet() public {
        // Signed over a different next set (weights changed): the signatures do not recover to the members.
        bytes memory att = _attestRotation(set, 1, nextAttesters, nextWeights, 8000, keys, 5);
        uint96[] memory w = nextWeights;
        w[0] = 2 ether;
        bytes32 expectedDigest = AttestationLib.digest(
            AttestationLib.ROTATION_TYPEHASH, DOMAIN, _toBytes32(address(set)), 1, _setHash(2, 8000, nextAttesters, w)
        );
        (bytes32 r, bytes32 s, uint8 v) = _signatureAt(att, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, _recover(expectedDigest, r, s, v))
        );
        set.rotate(nextAttesters, w, 8000, att);
    }

    function test_rotate_revertsOnMessageAttestationOfSetHash() public {
        // A MessageAttestation whose "message id" happens to equal the set hash is not a rotation.
        bytes32 h = _setHash(2, 8000, nextAttesters, nextWeights);
        bytes memory att = _attestMessage(DOMAIN, address(set), 1, h, keys, 5);
        address recovered = _recoveredAt(att, 0, _rotationDigest(1, h));
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, recovered));
        set.rotate(nextAttesters, nextWeights, 8000, att);
        assertEq(set.currentSetId(), 1, "not rotated");
    }

    function test_rotate_revertsOnAttestationForOtherDeployment() public {
        AttesterSet other = new AttesterSet(DOMAIN, owner, attesters, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
        bytes memory att = _attestRotation(other, 1, nextAttesters, nextWeights, 8000, keys, 5);
        address recovered = _recoveredAt(att, 0, _rotationDigest(1, _setHash(2, 8000, nextAttesters, nextWeights)));
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, recovered));
        set.rotate(nextAttesters, nextWeights, 8000, att);
        other.rotate(nextAttesters, nextWeights, 8000, att); // valid where it was addressed
        assertEq(other.currentSetId(), 2, "other rotated");
        assertEq(set.currentSetId(), 1, "this one not");
    }

    function test_rotate_revertsOnReplay() public {
        bytes memory att = _attestRotation(set, 1, nextAttesters, nextWeights, 8000, keys, 5);
        set.rotate(nextAttesters, nextWeights, 8000, att);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.RotationNotByCurrentSet.selector, uint64(1), uint64(2)));
        set.rotate(nextAttesters, nextWeights, 8000, att);
    }

    function test_rotate_revertsWhenSignedByPreviousSetInOverlap() public {
        _rotate(keys, 5, nextAttesters, nextWeights, 8000);
        // Set 1 is still live but may no longer rotate: it signs a set 3 proposal under its own id.
        (, address[] memory a3, uint96[] memory w3) = _makeSet(3, 3);
        bytes32 h = _setHash(3, 10_000, a3, w3);
        bytes memory att =
            _attestFirst(AttestationLib.ROTATION_TYPEHASH, DOMAIN, _toBytes32(address(set)), 1, h, keys, 5);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.RotationNotByCurrentSet.selector, uint64(1), uint64(2)));
        set.rotate(a3, w3, 10_000, att);
    }

    function test_rotate_revertsOnMalformedAttestation() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.MalformedAttestation.selector, 3));
        set.rotate(nextAttesters, nextWeights, 8000, hex"000000");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoSignatures.selector));
        set.rotate(nextAttesters, nextWeights, 8000, abi.encodePacked(uint64(1)));
    }

    function test_rotate_revertsOnInvalidNextSet() public {
        bytes memory att = _attestRotation(set, 1, nextAttesters, nextWeights, 8000, keys, 5);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidThreshold.selector, uint16(5000)));
        set.rotate(nextAttesters, nextWeights, 5000, att);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.EmptyAttesterSet.selector));
        set.rotate(new address[](0), new uint96[](0), 8000, att);
        address[] memory unsorted = nextAttesters;
        (unsorted[0], unsorted[1]) = (unsorted[1], unsorted[0]);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.AttestersNotSorted.selector, 1));
        set.rotate(unsorted, nextWeights, 8000, att);
    }

    function test_rotate_toSameMembersWorks() public {
        // Re-installing the same members (e.g. to change the threshold) is an ordinary rotation.
        _rotate(keys, 5, attesters, weights, 10_000);
        assertEq(set.currentSetId(), 2, "rotated");
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttesterSet.InsufficientWeight.selector, 6 * uint256(ATTESTER_WEIGHT), 7 * uint256(ATTESTER_WEIGHT)
            )
        );
        _verifyMessage(VALUE, _msgAttest(2, VALUE, keys, 6));
        assertEq(_verifyMessage(VALUE, _msgAttest(2, VALUE, keys, 7)), 2, "7-of-7 under set 2");
    }

    function test_rotate_setIdBindsSignatures() public {
        // Same members in set 1 and set 2: a set 1 attestation relabelled as set 2 does not verify.
        _rotate(keys, 5, attesters, weights, THRESHOLD_5_OF_7);
        bytes memory att = _msgAttest(1, VALUE, keys, 5);
        att[7] = bytes1(uint8(2));
        address recovered = _recoveredAt(att, 0, _digest(2, VALUE));
        assertTrue(recovered != attesters[0], "not the member");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, recovered));
        _verifyMessage(VALUE, att);
    }

    function test_rotate_clearsPendingEmergencyRotation() public {
        (, address[] memory a3, uint96[] memory w3) = _makeSet(3, 3);
        vm.prank(owner);
        set.proposeEmergencyRotation(a3, w3, 10_000);
        (bytes32 proposed,) = set.pendingEmergencyRotation();
        bytes memory att = _attestRotation(set, 1, nextAttesters, nextWeights, 8000, keys, 5);
        vm.expectEmit(address(set));
        emit IAttesterSet.EmergencyRotationCancelled(proposed);
        set.rotate(nextAttesters, nextWeights, 8000, att);
        (bytes32 h, uint40 at) = set.pendingEmergencyRotation();
        assertEq(h, bytes32(0), "cleared hash");
        assertEq(at, 0, "cleared time");
        vm.warp(START + EMERGENCY_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoEmergencyRotation.selector));
        set.executeEmergencyRotation(a3, w3, 10_000);
    }

    // ================================================================ proposeEmergencyRotation

    function test_proposeEmergencyRotation_recordsAndEmits() public {
        bytes32 h = _setHash(2, 8000, nextAttesters, nextWeights);
        vm.expectEmit(address(set));
        emit IAttesterSet.EmergencyRotationProposed(2, h, uint40(START + EMERGENCY_DELAY));
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        (bytes32 got, uint40 at) = set.pendingEmergencyRotation();
        assertEq(got, h, "hash");
        assertEq(at, START + EMERGENCY_DELAY, "executableAt");
        assertEq(set.currentSetId(), 1, "nothing installed yet");
    }

    function test_proposeEmergencyRotation_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
    }

    function test_proposeEmergencyRotation_revertsOnInvalidSet() public {
        uint96[] memory w = nextWeights;
        w[4] = 0;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.ZeroAttesterWeight.selector, 4));
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, w, 8000);
    }

    function test_proposeEmergencyRotation_replacesPendingProposal() public {
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        bytes32 first = _setHash(2, 8000, nextAttesters, nextWeights);
        vm.warp(START + 3 days);
        bytes32 second = _setHash(2, 9000, nextAttesters, nextWeights);
        vm.expectEmit(address(set));
        emit IAttesterSet.EmergencyRotationCancelled(first);
        vm.expectEmit(address(set));
        emit IAttesterSet.EmergencyRotationProposed(2, second, uint40(START + 3 days + EMERGENCY_DELAY));
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 9000);
        // The timelock restarted: the original deadline is no longer enough.
        vm.warp(START + EMERGENCY_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttesterSet.EmergencyRotationNotReady.selector, uint40(START + 3 days + EMERGENCY_DELAY)
            )
        );
        set.executeEmergencyRotation(nextAttesters, nextWeights, 9000);
    }

    // ================================================================ executeEmergencyRotation

    function test_executeEmergencyRotation_installsAfterDelay() public {
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        uint256 at = START + EMERGENCY_DELAY;
        vm.warp(at - 1);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.EmergencyRotationNotReady.selector, uint40(at)));
        set.executeEmergencyRotation(nextAttesters, nextWeights, 8000);

        vm.warp(at);
        vm.expectEmit(address(set));
        emit IAttesterSet.AttesterSetRotated(2, _setHash(2, 8000, nextAttesters, nextWeights), uint40(at));
        vm.prank(stranger); // anyone may execute
        set.executeEmergencyRotation(nextAttesters, nextWeights, 8000);
        assertEq(set.currentSetId(), 2, "installed");
        assertFalse(set.isLive(1), "replaced set expires at once");
        (bytes32 h, uint40 e) = set.pendingEmergencyRotation();
        assertEq(h, bytes32(0), "proposal consumed");
        assertEq(e, 0, "proposal time cleared");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.AttesterSetExpired.selector, uint64(1), uint40(at)));
        _verifyMessage(VALUE, _msgAttest(1, VALUE, keys, 5));
        assertEq(_verifyMessage(VALUE, _msgAttest(2, VALUE, nextKeys, 4)), 2, "new set verifies");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoEmergencyRotation.selector));
        set.executeEmergencyRotation(nextAttesters, nextWeights, 8000);
    }

    function test_executeEmergencyRotation_revertsWithoutProposal() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoEmergencyRotation.selector));
        set.executeEmergencyRotation(nextAttesters, nextWeights, 8000);
    }

    function test_executeEmergencyRotation_revertsOnMismatch() public {
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        vm.warp(START + EMERGENCY_DELAY);
        bytes32 proposed = _setHash(2, 8000, nextAttesters, nextWeights);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttesterSet.EmergencyRotationMismatch.selector, proposed, _setHash(2, 9000, nextAttesters, nextWeights)
            )
        );
        set.executeEmergencyRotation(nextAttesters, nextWeights, 9000);
        uint96[] memory w = nextWeights;
        w[1] = 3 ether;
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttesterSet.EmergencyRotationMismatch.selector, proposed, _setHash(2, 8000, nextAttesters, w)
            )
        );
        set.executeEmergencyRotation(nextAttesters, w, 8000);
    }

    function test_executeEmergencyRotation_worksWhenCurrentSetLostQuorum() public {
        // Set 1 can no longer produce 5 signatures; the owner path still moves on, and set 2 can rotate normally.
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        vm.warp(START + EMERGENCY_DELAY);
        set.executeEmergencyRotation(nextAttesters, nextWeights, 8000);
        (uint256[] memory k3, address[] memory a3, uint96[] memory w3) = _makeSet(2, 3);
        _rotate(nextKeys, 4, a3, w3, 10_000);
        assertEq(set.currentSetId(), 3, "normal rotation after emergency");
        assertEq(_verifyMessage(VALUE, _msgAttest(3, VALUE, k3, 2)), 3, "set 3 verifies");
    }

    // ================================================================ cancelEmergencyRotation

    function test_cancelEmergencyRotation_clearsProposal() public {
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        vm.expectEmit(address(set));
        emit IAttesterSet.EmergencyRotationCancelled(_setHash(2, 8000, nextAttesters, nextWeights));
        vm.prank(owner);
        set.cancelEmergencyRotation();
        (bytes32 h,) = set.pendingEmergencyRotation();
        assertEq(h, bytes32(0), "cleared");
        vm.warp(START + EMERGENCY_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoEmergencyRotation.selector));
        set.executeEmergencyRotation(nextAttesters, nextWeights, 8000);
    }

    function test_cancelEmergencyRotation_revertsForNonOwner() public {
        vm.prank(owner);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        set.cancelEmergencyRotation();
    }

    function test_cancelEmergencyRotation_revertsWithoutProposal() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoEmergencyRotation.selector));
        vm.prank(owner);
        set.cancelEmergencyRotation();
    }

    // ================================================================ ownership (two-step)

    function test_transferOwnership_takesEffectOnAccept() public {
        vm.prank(owner);
        set.transferOwnership(stranger);
        assertEq(set.owner(), owner, "still the old owner");
        assertEq(set.pendingOwner(), stranger, "pending");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        vm.prank(stranger);
        set.acceptOwnership();
        assertEq(set.owner(), stranger, "new owner");
        vm.prank(stranger);
        set.proposeEmergencyRotation(nextAttesters, nextWeights, 8000);
        (bytes32 h,) = set.pendingEmergencyRotation();
        assertTrue(h != bytes32(0), "new owner can propose");
    }
}
