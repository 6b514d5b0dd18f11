// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../utils/Vm.sol";
import {AttesterSetBase} from "./AttesterSetBase.t.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {Message} from "../../src/libraries/Message.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";
import {SignatureLib} from "../../src/libraries/SignatureLib.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";

/// @notice `reportEquivocation` and the effect of removal on verification (docs/protocol.md §6).
contract AttesterSetEquivocationTest is AttesterSetBase {
    uint64 internal constant NONCE = 42;
    uint256 internal constant CHEAT = 2; // index of the equivocating member

    bytes internal msgA;
    bytes internal msgB;
    bytes32 internal idA;
    bytes32 internal idB;

    function setUp() public override {
        super.setUp();
        // Two different messages from domain 1002 with the same nonce, both to this domain.
        msgA = _message(NONCE, REMOTE_DOMAIN, DOMAIN, "pay alice");
        msgB = _message(NONCE, REMOTE_DOMAIN, DOMAIN, "pay mallory");
        idA = keccak256(msgA);
        idB = keccak256(msgB);
    }

    // ---------------------------------------------------------------- evidence builders

    function _messageDigest(bytes memory m, bytes32 verifier, uint64 setId) internal pure returns (bytes32) {
        uint32 destination;
        assembly {
            destination := shr(224, mload(add(m, add(0x20, 45))))
        }
        return AttestationLib.digest(AttestationLib.MESSAGE_TYPEHASH, destination, verifier, setId, keccak256(m));
    }

    function _msgEvidence(bytes memory m, uint256 key) internal view returns (AttesterSet.Evidence memory e) {
        e.message = m;
        e.verifier = _toBytes32(gateway);
        e.attesterSetId = 1;
        e.signature = _signDigest(key, _messageDigest(m, e.verifier, 1));
    }

    /// @dev Evidence that `key` signed a batch root over `[x, m, y]` (the message is leaf 1).
    function _batchEvidence(bytes memory m, uint256 key) internal view returns (AttesterSet.Evidence memory e) {
        bytes32[] memory ids = new bytes32[](3);
        ids[0] = keccak256("x");
        ids[1] = keccak256(m);
        ids[2] = keccak256("y");
        e.message = m;
        e.verifier = _toBytes32(gateway);
        e.attesterSetId = 1;
        e.root = MessageMerkle.root(ids);
        e.proof = MessageMerkle.proof(ids, 1);
        e.signature =
            _signDigest(key, AttestationLib.digest(AttestationLib.BATCH_TYPEHASH, DOMAIN, e.verifier, 1, e.root));
    }

    function _evidenceDigest(AttesterSet.Evidence memory e) internal pure returns (bytes32) {
        uint32 destination;
        bytes memory m = e.message;
        assembly {
            destination := shr(224, mload(add(m, add(0x20, 45))))
        }
        if (e.root == bytes32(0)) {
            return AttestationLib.digest(
                AttestationLib.MESSAGE_TYPEHASH, destination, e.verifier, e.attesterSetId, keccak256(m)
            );
        }
        return AttestationLib.digest(AttestationLib.BATCH_TYPEHASH, destination, e.verifier, e.attesterSetId, e.root);
    }

    function _assertRemoved(uint64 setId, uint256 index, uint256 expectedTotal) internal view {
        (address[] memory a, uint96[] memory w,, uint96 total,) = set.getSet(setId);
        assertEq(a[index], attesters[index], "member keeps its index");
        assertEq(w[index], 0, "weight zeroed");
        assertEq(total, expectedTotal, "total weight reduced");
    }

    // ================================================================ reportEquivocation: success

    function test_reportEquivocation_twoMessageAttestations() public {
        AttesterSet.Evidence memory a = _msgEvidence(msgA, keys[CHEAT]);
        AttesterSet.Evidence memory b = _msgEvidence(msgB, keys[CHEAT]);
        vm.expectEmit(address(set));
        emit IAttesterSet.AttesterSlashed(attesters[CHEAT], idA, idB, _evidenceDigest(a), _evidenceDigest(b));
        vm.prank(stranger);
        set.reportEquivocation(a, b);
        _assertRemoved(1, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
        // Other members keep their weights.
        (, uint96[] memory w,,,) = set.getSet(1);
        for (uint256 i; i < 7; ++i) {
            if (i != CHEAT) assertEq(w[i], ATTESTER_WEIGHT, "untouched member");
        }
    }

    function test_reportEquivocation_batchRootAndMessageAttestation() public {
        AttesterSet.Evidence memory a = _batchEvidence(msgA, keys[CHEAT]);
        AttesterSet.Evidence memory b = _msgEvidence(msgB, keys[CHEAT]);
        vm.expectEmit(address(set));
        emit IAttesterSet.AttesterSlashed(attesters[CHEAT], idA, idB, _evidenceDigest(a), _evidenceDigest(b));
        set.reportEquivocation(a, b);
        _assertRemoved(1, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
    }

    function test_reportEquivocation_twoBatchRoots() public {
        set.reportEquivocation(_batchEvidence(msgB, keys[CHEAT]), _batchEvidence(msgA, keys[CHEAT]));
        _assertRemoved(1, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
    }

    function test_reportEquivocation_batchOfOne() public {
        // A batch of one has root = leaf and an empty proof.
        AttesterSet.Evidence memory a = _msgEvidence(msgA, keys[CHEAT]);
        a.root = MessageMerkle.leaf(idA);
        a.signature =
            _signDigest(keys[CHEAT], AttestationLib.digest(AttestationLib.BATCH_TYPEHASH, DOMAIN, a.verifier, 1, a.root));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
        _assertRemoved(1, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
    }

    function test_reportEquivocation_acceptsEvidenceFromOtherChains() public {
        // Message A went to domain 1002 and was signed there for its gateway and its set 9; the signer is a member
        // here, so the evidence counts here too.
        bytes memory remoteA = _message(NONCE, REMOTE_DOMAIN, REMOTE_DOMAIN, "pay alice");
        AttesterSet.Evidence memory a;
        a.message = remoteA;
        a.verifier = bytes32(uint256(0xbeef));
        a.attesterSetId = 9;
        a.signature = _signDigest(keys[CHEAT], _messageDigest(remoteA, a.verifier, 9));
        AttesterSet.Evidence memory b = _msgEvidence(msgB, keys[CHEAT]);
        vm.expectEmit(address(set));
        emit IAttesterSet.AttesterSlashed(attesters[CHEAT], keccak256(remoteA), idB, _evidenceDigest(a), _evidenceDigest(b));
        set.reportEquivocation(a, b);
        _assertRemoved(1, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
    }

    function test_reportEquivocation_removesFromEveryLiveSet() public {
        // Set 2 has the same members; set 1 is in its overlap window.
        _rotate(keys, 5, attesters, weights, THRESHOLD_5_OF_7);
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[CHEAT]));
        _assertRemoved(1, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
        _assertRemoved(2, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
    }

    function test_reportEquivocation_leavesExpiredSetsAlone() public {
        _rotate(keys, 5, attesters, weights, THRESHOLD_5_OF_7);
        vm.warp(START + OVERLAP);
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[CHEAT]));
        _assertRemoved(2, CHEAT, 6 * uint256(ATTESTER_WEIGHT));
        (, uint96[] memory w1,, uint96 total1,) = set.getSet(1);
        assertEq(w1[CHEAT], ATTESTER_WEIGHT, "expired set untouched");
        assertEq(total1, 7 * uint256(ATTESTER_WEIGHT), "expired total untouched");
    }

    function test_reportEquivocation_lastMemberOfOneMemberSet() public {
        (AttesterSet s, uint256[] memory k) = _deployAttesterSet(DOMAIN, owner, 1, 10_000);
        s.reportEquivocation(_msgEvidence(msgA, k[0]), _msgEvidence(msgB, k[0]));
        (,,, uint96 total,) = s.getSet(1);
        assertEq(total, 0, "no weight left");
        bytes32 value = keccak256("v");
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, value, k, 1);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.SignerRemoved.selector, vm.addr(k[0])));
        s.verify(AttestationLib.MESSAGE_TYPEHASH, value, att);
    }

    // ================================================================ effect on verify and rotate

    function test_verify_revertsOnRemovedSigner() public {
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[CHEAT]));
        bytes32 value = keccak256("later message");
        // The removed member's signature no longer counts; including it fails the attestation outright.
        bytes memory att = _msgAttest(1, value, keys, 6);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.SignerRemoved.selector, attesters[CHEAT]));
        _verifyMessage(value, att);
    }

    function test_verify_quorumAfterRemovalUsesReducedTotal() public {
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[CHEAT]));
        bytes32 value = keccak256("later message");
        // Total is now 6: five of the remaining six are a quorum (50000 ≥ 6 × 7142), four are not.
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        uint8[5] memory pick = [uint8(0), 1, 3, 4, 5];
        for (uint256 i; i < 5; ++i) {
            k[i] = keys[pick[i]];
            idx[i] = pick[i];
        }
        bytes memory att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, value, k, idx);
        assertEq(_verifyMessage(value, att), 1, "5 of remaining 6");

        uint256[] memory k4 = new uint256[](4);
        uint8[] memory idx4 = new uint8[](4);
        for (uint256 i; i < 4; ++i) {
            k4[i] = k[i + 1];
            idx4[i] = idx[i + 1];
        }
        att = _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), 1, value, k4, idx4);
        uint256 required = (6 * uint256(ATTESTER_WEIGHT) * THRESHOLD_5_OF_7 + 9999) / 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.InsufficientWeight.selector, 4 * uint256(ATTESTER_WEIGHT), required)
        );
        _verifyMessage(value, att);
    }

    function test_rotate_worksAfterRemoval() public {
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[CHEAT]));
        (, address[] memory a2, uint96[] memory w2) = _makeSet(4, 2);
        bytes32 h = _setHash(2, 7500, a2, w2);
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        uint8[5] memory pick = [uint8(0), 1, 3, 4, 5];
        for (uint256 i; i < 5; ++i) {
            k[i] = keys[pick[i]];
            idx[i] = pick[i];
        }
        bytes memory att = _attest(AttestationLib.ROTATION_TYPEHASH, DOMAIN, _toBytes32(address(set)), 1, h, k, idx);
        set.rotate(a2, w2, 7500, att);
        assertEq(set.currentSetId(), 2, "rotated by the honest quorum");
    }

    // ================================================================ reportEquivocation: reverts

    function test_reportEquivocation_revertsOnSameMessage() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NotConflicting.selector));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgA, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnSameMessageViaBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NotConflicting.selector));
        set.reportEquivocation(_batchEvidence(msgA, keys[CHEAT]), _msgEvidence(msgA, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnDifferentNonce() public {
        bytes memory other = _message(NONCE + 1, REMOTE_DOMAIN, DOMAIN, "pay mallory");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NotConflicting.selector));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(other, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnDifferentOrigin() public {
        bytes memory other = _message(NONCE, 3, DOMAIN, "pay mallory");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NotConflicting.selector));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(other, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnInvalidMerkleProof() public {
        AttesterSet.Evidence memory a = _batchEvidence(msgA, keys[CHEAT]);
        a.proof[0] = keccak256("wrong sibling");
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidEvidenceProof.selector));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnProofOfOtherMessage() public {
        // A valid batch signature whose tree does not contain message B cannot be filed as evidence for B.
        AttesterSet.Evidence memory b = _batchEvidence(msgA, keys[CHEAT]);
        b.message = msgB;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidEvidenceProof.selector));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), b);
    }

    function test_reportEquivocation_revertsOnProofWithoutRoot() public {
        AttesterSet.Evidence memory a = _batchEvidence(msgA, keys[CHEAT]);
        a.root = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidEvidenceProof.selector));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnDifferentSigners() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.DifferentSigners.selector, attesters[CHEAT], attesters[4]));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[4]));
    }

    function test_reportEquivocation_revertsOnMismatchedEvidenceFields() public {
        // The signature was made for set 1; filing it as set 2 evidence rebuilds another digest: another signer.
        AttesterSet.Evidence memory a = _msgEvidence(msgA, keys[CHEAT]);
        a.attesterSetId = 2;
        address recovered = _recover(_evidenceDigest(a), a.signature);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.DifferentSigners.selector, recovered, attesters[CHEAT]));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnNonMember() public {
        (uint256[] memory outsider,,) = _makeSet(1, 99);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NotAnAttester.selector, vm.addr(outsider[0])));
        set.reportEquivocation(_msgEvidence(msgA, outsider[0]), _msgEvidence(msgB, outsider[0]));
    }

    function test_reportEquivocation_revertsOnMemberOfExpiredSetOnly() public {
        (, address[] memory a2, uint96[] memory w2) = _makeSet(3, 2);
        _rotate(keys, 5, a2, w2, 10_000);
        vm.warp(START + OVERLAP);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NotAnAttester.selector, attesters[CHEAT]));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnRepeatReport() public {
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), _msgEvidence(msgB, keys[CHEAT]));
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.NotAnAttester.selector, attesters[CHEAT]));
        set.reportEquivocation(_msgEvidence(msgB, keys[CHEAT]), _msgEvidence(msgA, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnBadSignatureLength() public {
        AttesterSet.Evidence memory a = _msgEvidence(msgA, keys[CHEAT]);
        bytes memory sig = a.signature;
        assembly {
            mstore(sig, 64)
        }
        vm.expectRevert(abi.encodeWithSelector(SignatureLib.InvalidSignatureLength.selector, 64));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnInvalidV() public {
        AttesterSet.Evidence memory b = _msgEvidence(msgB, keys[CHEAT]);
        b.signature[64] = bytes1(uint8(1));
        vm.expectRevert(abi.encodeWithSelector(SignatureLib.InvalidSignatureV.selector, uint8(1)));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), b);
    }

    function test_reportEquivocation_revertsOnHighS() public {
        AttesterSet.Evidence memory a = _msgEvidence(msgA, keys[CHEAT]);
        (bytes32 r, bytes32 s, uint8 v) = _split(a.signature);
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        a.signature = abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(SignatureLib.SignatureMalleable.selector, highS));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnZeroAddressSigner() public {
        AttesterSet.Evidence memory a = _msgEvidence(msgA, keys[CHEAT]);
        a.signature = abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(27));
        vm.expectRevert(abi.encodeWithSelector(SignatureLib.ZeroAddressSigner.selector));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnMalformedMessage() public {
        AttesterSet.Evidence memory a = _msgEvidence(msgA, keys[CHEAT]);
        a.message = hex"01";
        vm.expectRevert(abi.encodeWithSelector(Message.MessageTooShort.selector, 1));
        set.reportEquivocation(a, _msgEvidence(msgB, keys[CHEAT]));
    }

    function test_reportEquivocation_revertsOnUnsupportedVersion() public {
        AttesterSet.Evidence memory b = _msgEvidence(msgB, keys[CHEAT]);
        b.message[0] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(Message.UnsupportedVersion.selector, 2));
        set.reportEquivocation(_msgEvidence(msgA, keys[CHEAT]), b);
    }

    // ---------------------------------------------------------------- helpers

    function _split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
    }

    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        return ecrecover(digest, v, r, s);
    }
}
