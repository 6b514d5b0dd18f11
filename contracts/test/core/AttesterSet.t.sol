// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../utils/Vm.sol";
import {AttesterSetBase} from "./AttesterSetBase.t.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {SignatureLib} from "../../src/libraries/SignatureLib.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Constructor, views and `verify` of AttesterSet (docs/protocol.md §3, §4).
contract AttesterSetTest is AttesterSetBase {
    bytes32 internal constant VALUE = keccak256("message id");

    // ================================================================ constructor

    function test_constructor_storesSetOne() public view {
        assertEq(set.currentSetId(), 1, "current set");
        assertEq(set.localDomain(), DOMAIN, "domain");
        assertEq(set.overlapWindow(), OVERLAP, "overlap");
        assertEq(set.emergencyDelay(), EMERGENCY_DELAY, "emergency delay");
        assertEq(set.owner(), owner, "owner");
        assertTrue(set.isLive(1), "set 1 live");
        (address[] memory a, uint96[] memory w, uint16 bps, uint96 total, uint40 expiresAt) = set.getSet(1);
        assertEq(a.length, 7, "count");
        for (uint256 i; i < 7; ++i) {
            assertEq(a[i], attesters[i], "attester");
            assertEq(w[i], weights[i], "weight");
        }
        assertEq(bps, THRESHOLD_5_OF_7, "threshold");
        assertEq(total, 7 * uint256(ATTESTER_WEIGHT), "total weight");
        assertEq(expiresAt, 0, "current set never expires");
    }

    function test_constructor_emitsAttesterSetRotated() public {
        bytes32 h = _setHash(1, THRESHOLD_5_OF_7, attesters, weights);
        vm.expectEmit();
        emit IAttesterSet.AttesterSetRotated(1, h, 0);
        new AttesterSet(DOMAIN, owner, attesters, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_acceptsBoundaries() public {
        (, address[] memory a, uint96[] memory w) = _makeSet(128);
        AttesterSet s = new AttesterSet(DOMAIN, owner, a, w, 5001, 0, 2 days);
        (address[] memory got,,,,) = s.getSet(1);
        assertEq(got.length, 128, "128 members");
        assertEq(s.emergencyDelay(), 2 days, "minimum delay");
        s = new AttesterSet(DOMAIN, owner, attesters, weights, 10_000, OVERLAP, EMERGENCY_DELAY);
        (,, uint16 bps,,) = s.getSet(1);
        assertEq(bps, 10_000, "max threshold");
    }

    function test_constructor_revertsOnZeroDomain() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidLocalDomain.selector));
        new AttesterSet(0, owner, attesters, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnShortEmergencyDelay() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.EmergencyDelayTooShort.selector, uint32(2 days - 1)));
        new AttesterSet(DOMAIN, owner, attesters, weights, THRESHOLD_5_OF_7, OVERLAP, 2 days - 1);
    }

    function test_constructor_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new AttesterSet(DOMAIN, address(0), attesters, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnEmptySet() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.EmptyAttesterSet.selector));
        new AttesterSet(DOMAIN, owner, new address[](0), new uint96[](0), THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnTooManyAttesters() public {
        (, address[] memory a, uint96[] memory w) = _makeSet(129);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.TooManyAttesters.selector, 129));
        new AttesterSet(DOMAIN, owner, a, w, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnLengthMismatch() public {
        uint96[] memory w = new uint96[](6);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.AttesterWeightsLengthMismatch.selector, 7, 6));
        new AttesterSet(DOMAIN, owner, attesters, w, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnZeroAddress() public {
        address[] memory a = attesters;
        a[0] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.ZeroAddressAttester.selector));
        new AttesterSet(DOMAIN, owner, a, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnUnsortedAttesters() public {
        address[] memory a = attesters;
        (a[3], a[4]) = (a[4], a[3]);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.AttestersNotSorted.selector, 4));
        new AttesterSet(DOMAIN, owner, a, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnDuplicateAttester() public {
        address[] memory a = attesters;
        a[6] = a[5];
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.AttestersNotSorted.selector, 6));
        new AttesterSet(DOMAIN, owner, a, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnZeroWeight() public {
        uint96[] memory w = weights;
        w[2] = 0;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.ZeroAttesterWeight.selector, 2));
        new AttesterSet(DOMAIN, owner, attesters, w, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnTotalWeightOverflow() public {
        uint96[] memory w = weights;
        w[0] = type(uint96).max;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.TotalWeightOverflow.selector));
        new AttesterSet(DOMAIN, owner, attesters, w, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_acceptsTotalWeightAtMax() public {
        uint96[] memory w = weights;
        w[0] = type(uint96).max - 6 * ATTESTER_WEIGHT;
        AttesterSet s = new AttesterSet(DOMAIN, owner, attesters, w, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
        (,,, uint96 total,) = s.getSet(1);
        assertEq(total, type(uint96).max, "total at max");
        // Member 0 holds almost all the stake: alone it is a quorum, even at uint96 scale.
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, VALUE, keys, 1);
        assertEq(s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att), 1, "whale quorum");
    }

    function test_constructor_revertsOnThresholdTooLow() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidThreshold.selector, uint16(5000)));
        new AttesterSet(DOMAIN, owner, attesters, weights, 5000, OVERLAP, EMERGENCY_DELAY);
    }

    function test_constructor_revertsOnThresholdTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidThreshold.selector, uint16(10_001)));
        new AttesterSet(DOMAIN, owner, attesters, weights, 10_001, OVERLAP, EMERGENCY_DELAY);
    }

    // ================================================================ views

    function test_isLive_falseForUnknownSets() public view {
        assertFalse(set.isLive(0), "set 0");
        assertFalse(set.isLive(2), "set 2");
        assertFalse(set.isLive(type(uint64).max), "max id");
    }

    function test_getSet_revertsOnUnknownSet() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownAttesterSet.selector, uint64(2)));
        set.getSet(2);
    }

    function test_currentSetId_implementsInterface() public view {
        assertEq(IAttesterSet(address(set)).currentSetId(), 1, "interface current");
        assertEq(IAttesterSet(address(set)).localDomain(), DOMAIN, "interface domain");
    }

    function test_pendingEmergencyRotation_emptyByDefault() public view {
        (bytes32 h, uint40 at) = set.pendingEmergencyRotation();
        assertEq(h, bytes32(0), "hash");
        assertEq(at, 0, "executableAt");
    }

    // ================================================================ verify: quorums

    function test_verify_oneOfOne() public {
        (AttesterSet s, uint256[] memory k) = _deployAttesterSet(DOMAIN, owner, 1, 10_000);
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, VALUE, k, 1);
        assertEq(s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att), 1, "1-of-1");
    }

    function test_verify_fiveOfSeven() public view {
        assertEq(_verifyMessage(VALUE, _msgAttest(1, VALUE, keys, 5)), 1, "5-of-7");
    }

    function test_verify_allSevenOfSeven() public view {
        assertEq(_verifyMessage(VALUE, _msgAttest(1, VALUE, keys, 7)), 1, "7-of-7");
    }

    function test_verify_fiveOfSevenNonContiguous() public view {
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        uint8[5] memory pick = [uint8(0), 2, 3, 5, 6];
        for (uint256 i; i < 5; ++i) {
            idx[i] = pick[i];
            k[i] = keys[pick[i]];
        }
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, idx);
        assertEq(_verifyMessage(VALUE, att), 1, "non-contiguous 5-of-7");
    }

    function test_verify_revertsOnFourOfSeven() public {
        bytes memory att = _msgAttest(1, VALUE, keys, 4);
        // required = ceil(7e18 * 7142 / 10000) = 4.9994e18
        uint256 required = (7 * uint256(ATTESTER_WEIGHT) * THRESHOLD_5_OF_7 + 9999) / 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.InsufficientWeight.selector, 4 * uint256(ATTESTER_WEIGHT), required)
        );
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_thirteenOfNineteen() public {
        (AttesterSet s, uint256[] memory k) = _deployAttesterSet(DOMAIN, owner, 19, THRESHOLD_13_OF_19);
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, VALUE, k, 13);
        assertEq(s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att), 1, "13-of-19");
        // The last 13 members work as well as the first 13.
        uint256[] memory last = new uint256[](13);
        uint8[] memory idx = new uint8[](13);
        for (uint256 i; i < 13; ++i) {
            last[i] = k[6 + i];
            idx[i] = uint8(6 + i);
        }
        att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, last, idx);
        assertEq(s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att), 1, "last 13-of-19");
    }

    function test_verify_revertsOnTwelveOfNineteen() public {
        (AttesterSet s, uint256[] memory k) = _deployAttesterSet(DOMAIN, owner, 19, THRESHOLD_13_OF_19);
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, VALUE, k, 12);
        uint256 required = (19 * uint256(ATTESTER_WEIGHT) * THRESHOLD_13_OF_19 + 9999) / 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.InsufficientWeight.selector, 12 * uint256(ATTESTER_WEIGHT), required)
        );
        s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att);
    }

    function test_verify_weightedQuorumCountsStakeNotHeads() public {
        uint96[] memory w = new uint96[](7);
        w[0] = 60; // 60% of the stake alone is a 5001-bps quorum
        for (uint256 i = 1; i < 7; ++i) {
            w[i] = uint96(i == 6 ? 10 : 6); // 5 × 6 + 10 = 40
        }
        AttesterSet s = new AttesterSet(DOMAIN, owner, attesters, w, 5001, OVERLAP, EMERGENCY_DELAY);
        assertEq(s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, _msgAttest(1, VALUE, keys, 1)), 1, "whale alone");
        // Members 1..6 together hold 40%: six signatures are not a quorum.
        uint256[] memory k = new uint256[](6);
        uint8[] memory idx = new uint8[](6);
        for (uint256 i; i < 6; ++i) {
            k[i] = keys[i + 1];
            idx[i] = uint8(i + 1);
        }
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InsufficientWeight.selector, 40, 51));
        s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att);
    }

    function test_verify_thresholdIsInclusive() public {
        // 3 of 4 equal members = exactly 7500 bps: passes at 7500, fails at 7501.
        (uint256[] memory k, address[] memory a, uint96[] memory w) = _makeSet(4);
        AttesterSet s = new AttesterSet(DOMAIN, owner, a, w, 7500, OVERLAP, EMERGENCY_DELAY);
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, VALUE, k, 3);
        assertEq(s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att), 1, "exactly at threshold");
        s = new AttesterSet(DOMAIN, owner, a, w, 7501, OVERLAP, EMERGENCY_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttesterSet.InsufficientWeight.selector, 3 * uint256(ATTESTER_WEIGHT), 30_004 * uint256(1e14)
            )
        );
        s.verify(AttestationLib.MESSAGE_TYPEHASH, VALUE, att);
    }

    function test_verify_batchTypeHash() public view {
        bytes32 root = keccak256("root");
        bytes memory att = _attestBatch(DOMAIN, address(this), 1, root, keys, 5);
        assertEq(set.verify(AttestationLib.BATCH_TYPEHASH, root, att), 1, "batch attestation");
    }

    // ================================================================ verify: scoping (type, domain, verifier, set)

    /// @dev A signature made for other fields recovers to an unrelated address: UnknownSigner at index 0.
    function _expectUnknownFirstSigner(bytes memory att, bytes32 signedDigest) internal {
        (bytes32 r, bytes32 s, uint8 v) = _signatureAt(att, 0);
        address recovered = _recover(_digest(1, VALUE), r, s, v);
        assertTrue(recovered != attesters[0], "recovers to someone else");
        assertTrue(signedDigest != _digest(1, VALUE), "different digest");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, recovered));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnOtherVerifier() public {
        bytes memory att = _attestMessage(DOMAIN, gateway, 1, VALUE, keys, 5);
        _expectUnknownFirstSigner(
            att, AttestationLib.digest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(gateway), 1, VALUE)
        );
    }

    function test_verify_revertsOnOtherDomain() public {
        bytes memory att = _attestMessage(REMOTE_DOMAIN, address(this), 1, VALUE, keys, 5);
        _expectUnknownFirstSigner(
            att,
            AttestationLib.digest(AttestationLib.MESSAGE_TYPEHASH, REMOTE_DOMAIN, _toBytes32(address(this)), 1, VALUE)
        );
    }

    function test_verify_revertsOnOtherTypeHash() public {
        bytes memory att = _attestBatch(DOMAIN, address(this), 1, VALUE, keys, 5);
        _expectUnknownFirstSigner(
            att, AttestationLib.digest(AttestationLib.BATCH_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE)
        );
    }

    function test_verify_revertsOnOtherValue() public {
        bytes memory att = _msgAttest(1, keccak256("other id"), keys, 5);
        _expectUnknownFirstSigner(att, _digest(1, keccak256("other id")));
    }

    function test_verify_revertsWhenSignedForOtherSetId() public {
        // Signed for set 7 but claimed as set 1: the set id in the digest no longer matches.
        bytes memory att = _msgAttest(7, VALUE, keys, 5);
        for (uint256 i; i < 8; ++i) {
            att[i] = 0;
        }
        att[7] = bytes1(uint8(1));
        _expectUnknownFirstSigner(att, _digest(7, VALUE));
    }

    // ================================================================ verify: encoding errors

    function test_verify_revertsOnEmptyAttestation() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.MalformedAttestation.selector, 0));
        _verifyMessage(VALUE, "");
    }

    function test_verify_revertsOnTruncatedSetId() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.MalformedAttestation.selector, 7));
        _verifyMessage(VALUE, hex"00000000000001");
    }

    function test_verify_revertsOnNoSignatures() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NoSignatures.selector));
        _verifyMessage(VALUE, abi.encodePacked(uint64(1)));
    }

    function test_verify_revertsOnTruncatedSignature() public {
        bytes memory att = _msgAttest(1, VALUE, keys, 5);
        bytes memory cut = new bytes(att.length - 1);
        for (uint256 i; i < cut.length; ++i) {
            cut[i] = att[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.MalformedAttestation.selector, att.length - 1));
        this.verifyMessageExternal(VALUE, cut);
    }

    function test_verify_revertsOnTrailingByte() public {
        bytes memory att = bytes.concat(_msgAttest(1, VALUE, keys, 5), hex"00");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.MalformedAttestation.selector, att.length));
        this.verifyMessageExternal(VALUE, att);
    }

    // ================================================================ verify: set errors

    function test_verify_revertsOnUnknownSet() public {
        bytes memory att = _msgAttest(2, VALUE, keys, 5);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownAttesterSet.selector, uint64(2)));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnSetZero() public {
        bytes memory att = _msgAttest(0, VALUE, keys, 5);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownAttesterSet.selector, uint64(0)));
        this.verifyMessageExternal(VALUE, att);
    }

    // (AttesterSetExpired is covered with rotation in AttesterSetRotation.t.sol.)

    // ================================================================ verify: signer errors

    function test_verify_revertsOnDuplicateSigner() public {
        uint256[] memory k = new uint256[](6);
        uint8[] memory idx = new uint8[](6);
        uint8[6] memory pick = [uint8(0), 1, 2, 2, 3, 4];
        for (uint256 i; i < 6; ++i) {
            idx[i] = pick[i];
            k[i] = keys[pick[i]];
        }
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.DuplicateSigner.selector, 2));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnDuplicateSignerCannotReachQuorum() public {
        // Four distinct members plus a repeat of one: would be "5 signatures" if duplicates counted.
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        uint8[5] memory pick = [uint8(0), 1, 2, 3, 3];
        for (uint256 i; i < 5; ++i) {
            idx[i] = pick[i];
            k[i] = keys[pick[i]];
        }
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.DuplicateSigner.selector, 3));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnSignersOutOfOrder() public {
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        uint8[5] memory pick = [uint8(0), 1, 4, 3, 5];
        for (uint256 i; i < 5; ++i) {
            idx[i] = pick[i];
            k[i] = keys[pick[i]];
        }
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.SignersOutOfOrder.selector, 3, 4));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnInvalidV() public {
        bytes memory att = _msgAttest(1, VALUE, keys, 5);
        uint8[4] memory bad = [uint8(0), 1, 29, 255];
        for (uint256 j; j < bad.length; ++j) {
            (bytes32 r, bytes32 s,) = _signatureAt(att, 2);
            _setSignature(att, 2, r, s, bad[j]);
            vm.expectRevert(abi.encodeWithSelector(SignatureLib.InvalidSignatureV.selector, bad[j]));
            this.verifyMessageExternal(VALUE, att);
        }
    }

    function test_verify_revertsOnHighS() public {
        bytes memory att = _msgAttest(1, VALUE, keys, 5);
        (bytes32 r, bytes32 s, uint8 v) = _signatureAt(att, 1);
        // The malleable twin (n - s, flipped v) recovers the same signer but must be rejected, not normalised.
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        uint8 flipped = v == 27 ? 28 : 27;
        assertEq(_recover(_digest(1, VALUE), r, highS, flipped), attesters[1], "twin recovers the member");
        _setSignature(att, 1, r, highS, flipped);
        vm.expectRevert(abi.encodeWithSelector(SignatureLib.SignatureMalleable.selector, highS));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_acceptsSAtHalfOrder() public {
        // s = n/2 exactly is low-s: it passes the malleability check (and then fails membership).
        bytes memory att = _msgAttest(1, VALUE, keys, 5);
        (bytes32 r,, uint8 v) = _signatureAt(att, 0);
        bytes32 half = bytes32(SignatureLib.HALF_ORDER);
        _setSignature(att, 0, r, half, v);
        address recovered = _recover(_digest(1, VALUE), r, half, v);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, recovered));
        this.verifyMessageExternal(VALUE, att);
        _setSignature(att, 0, r, bytes32(SignatureLib.HALF_ORDER + 1), v);
        vm.expectRevert(
            abi.encodeWithSelector(SignatureLib.SignatureMalleable.selector, bytes32(SignatureLib.HALF_ORDER + 1))
        );
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnZeroAddressSigner() public {
        bytes memory att = _msgAttest(1, VALUE, keys, 5);
        // r = 0 is not a valid curve point: the precompile returns nothing.
        _setSignature(att, 0, bytes32(0), bytes32(uint256(1)), 27);
        vm.expectRevert(abi.encodeWithSelector(SignatureLib.ZeroAddressSigner.selector));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnIndexPastEnd() public {
        // Member 6's valid signature filed under index 7 (the set has 7 members).
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        for (uint256 i; i < 4; ++i) {
            k[i] = keys[i];
            idx[i] = uint8(i);
        }
        k[4] = keys[6];
        idx[4] = 7;
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 7, attesters[6]));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnIndex255() public {
        uint8[] memory idx = _indices(255);
        bytes memory att =
            _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, _keys(0), idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 255, attesters[0]));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnWrongIndexForMember() public {
        // Member 3 signs but claims index 4.
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        for (uint256 i; i < 5; ++i) {
            k[i] = keys[i];
            idx[i] = uint8(i);
        }
        idx[3] = 4;
        idx[4] = 5;
        k[4] = keys[5];
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 4, attesters[3]));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_revertsOnNonMemberSigner() public {
        (uint256[] memory outsiders,,) = _makeSet(1, 42);
        uint256[] memory k = _concat(outsiders, new uint256[](0));
        bytes memory att =
            _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, VALUE, k, _indices(0));
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.UnknownSigner.selector, 0, vm.addr(outsiders[0])));
        this.verifyMessageExternal(VALUE, att);
    }

    function test_verify_strictEvenAboveQuorum() public {
        // Six valid signatures are already a quorum; a seventh, defective one still fails the attestation.
        bytes memory att = _msgAttest(1, VALUE, keys, 7);
        (bytes32 r, bytes32 s,) = _signatureAt(att, 6);
        _setSignature(att, 6, r, s, 26);
        vm.expectRevert(abi.encodeWithSelector(SignatureLib.InvalidSignatureV.selector, uint8(26)));
        this.verifyMessageExternal(VALUE, att);
    }

    // (SignerRemoved is covered with equivocation in AttesterSetEquivocation.t.sol.)

    // ================================================================ gas

    /// @dev Budget for a cold 13-of-19 verify, measured around the external call:
    ///      13 × 3,600 per signature (ecrecover precompile 3,000 + warm STATICCALL 100 + ~500 of calldata reads, checks
    ///      and the memory copy of the 66-byte entry by the caller) = 46,800
    ///      + cold AttesterSet account 2,600 + cold config SLOAD 2,100 + cold EXTCODECOPY of the blob 2,600
    ///      + ~2,500 call, ABI, digest and threshold math = 9,800. Total 56,600.
    function test_verify_gasThirteenOfNineteen() public {
        (AttesterSet s, uint256[] memory k) = _deployAttesterSet(DOMAIN, owner, 19, THRESHOLD_13_OF_19);
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, VALUE, k, 13);
        bytes32 typeHash = AttestationLib.MESSAGE_TYPEHASH;
        uint256 before = gasleft();
        s.verify(typeHash, VALUE, att);
        uint256 used = before - gasleft();
        // Deployed in this transaction, so account, slot and blob are warm here: 56,600 - 7,300 + 3 × 100 = 49,600.
        assertLe(used, 49_600, "warm 13-of-19 verify gas");
        assertGe(used, 13 * 3_100, "at least 13 ecrecovers");
    }

    // ================================================================ pinned selectors and harness

    /// @dev The assembly loop in `verify` reverts with hard-coded selectors; they must equal the declared errors.
    function test_verify_assemblySelectorsMatchDeclaredErrors() public pure {
        assertEq(bytes32(IAttesterSet.DuplicateSigner.selector), bytes32(bytes4(0x9f4f72e1)), "DuplicateSigner");
        assertEq(bytes32(IAttesterSet.SignersOutOfOrder.selector), bytes32(bytes4(0xf76dd8aa)), "SignersOutOfOrder");
        assertEq(bytes32(SignatureLib.InvalidSignatureV.selector), bytes32(bytes4(0xba76ff02)), "InvalidSignatureV");
        assertEq(bytes32(SignatureLib.SignatureMalleable.selector), bytes32(bytes4(0xaddf7062)), "SignatureMalleable");
        assertEq(bytes32(SignatureLib.ZeroAddressSigner.selector), bytes32(bytes4(0xec67b1b9)), "ZeroAddressSigner");
        assertEq(bytes32(IAttesterSet.UnknownSigner.selector), bytes32(bytes4(0xb846e11d)), "UnknownSigner");
        assertEq(bytes32(IAttesterSet.SignerRemoved.selector), bytes32(bytes4(0x3525e228)), "SignerRemoved");
        assertEq(bytes32(Pausable.EnforcedPause.selector), bytes32(bytes4(0xd93c0665)), "EnforcedPause (pause flag)");
    }

    /// @dev A standalone AttesterSet has no guardian: its sets never carry the pause flag, and bits above expiresAt
    ///      stay clear through rotations.
    function test_verify_standaloneSetIsNeverPaused() public {
        assertEq(_verifyMessage(VALUE, _msgAttest(1, VALUE, keys, 5)), 1, "verifies");
        (,,,, uint40 expiresAt) = set.getSet(1);
        assertEq(expiresAt, 0, "current set does not expire");
        assertTrue(set.isLive(1), "live");
    }

    function test_attest_revertsOnLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(AttesterHarnessLengthMismatch.selector, 2, 1));
        this.attestExternal(new uint256[](2), new uint8[](1));
    }

    function attestExternal(uint256[] memory k, uint8[] memory idx) external pure returns (bytes memory) {
        return _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, bytes32(0), 1, VALUE, k, idx);
    }

    function verifyMessageExternal(bytes32 value, bytes memory attestation) external view returns (uint64) {
        return _verifyMessage(value, attestation);
    }
}

/// @notice Gas of a 13-of-19 verify against a set deployed in setUp (cold account, config slot and blob).
contract AttesterSetGasTest is AttesterSetBase {
    AttesterSet internal big;
    uint256[] internal bigKeys;

    function setUp() public override {
        super.setUp();
        (big, bigKeys) = _deployAttesterSet(DOMAIN, owner, 19, THRESHOLD_13_OF_19);
    }

    /// @dev See AttesterSetTest.test_verify_gasThirteenOfNineteen for the 56,600 budget.
    function test_verify_gasThirteenOfNineteenCold() public {
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, keccak256("id"), bigKeys, 13);
        AttesterSet target = big; // read the storage slot before measuring
        bytes32 typeHash = AttestationLib.MESSAGE_TYPEHASH;
        bytes32 value = keccak256("id");
        uint256 before = gasleft();
        target.verify(typeHash, value, att);
        uint256 used = before - gasleft();
        assertLe(used, 56_600, "cold 13-of-19 verify gas");
        assertGe(used, 13 * 3_100 + 2_100, "includes 13 ecrecovers and a cold slot");
    }
}
