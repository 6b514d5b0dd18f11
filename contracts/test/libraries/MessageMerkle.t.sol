// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";

/// @dev Exposes `rootOf` (it reads the proof from calldata).
contract MessageMerkleHarness {
    function rootOf(bytes32 messageId, bytes32[] calldata proof) external pure returns (bytes32) {
        return MessageMerkle.rootOf(messageId, proof);
    }
}

contract MessageMerkleTest is Test {
    MessageMerkleHarness internal h;

    function setUp() public {
        h = new MessageMerkleHarness();
    }

    // ----- independent reference (RFC 6962-style split, sorted-pair nodes) ------------------------------------

    function _refLeaf(bytes32 id) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(id));
    }

    function _refNode(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    /// @dev Root of ids[lo:hi]: the left part is the largest power of two below the size. Level-by-level pairing
    ///      with the odd last node carried up (spec §5) builds exactly this shape.
    function _refRoot(bytes32[] memory ids, uint256 lo, uint256 hi) internal pure returns (bytes32) {
        uint256 n = hi - lo;
        if (n == 1) return _refLeaf(ids[lo]);
        uint256 k = 1;
        while (k * 2 < n) k *= 2;
        return _refNode(_refRoot(ids, lo, lo + k), _refRoot(ids, lo + k, hi));
    }

    function _refFold(bytes32 id, bytes32[] memory proof) internal pure returns (bytes32 node) {
        node = _refLeaf(id);
        for (uint256 i; i < proof.length; ++i) {
            node = _refNode(node, proof[i]);
        }
    }

    function _ids(uint256 n, uint256 seed) internal pure returns (bytes32[] memory ids) {
        ids = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = keccak256(abi.encode(seed, i));
        }
    }

    function _log2Ceil(uint256 n) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < n) ++d;
    }

    // ----- tests ----------------------------------------------------------------------------------------------

    function test_leaf_isKeccakOfId() public pure {
        bytes32 id = keccak256("message");
        assertEq(MessageMerkle.leaf(id), keccak256(abi.encodePacked(id)), "leaf = keccak256(id)");
    }

    function test_root_emptyIsZero() public pure {
        assertEq(MessageMerkle.root(new bytes32[](0)), bytes32(0), "empty");
    }

    function test_root_singleLeafIsLeaf() public view {
        bytes32[] memory ids = _ids(1, 1);
        assertEq(MessageMerkle.root(ids), _refLeaf(ids[0]), "root = leaf");
        assertEq(MessageMerkle.proof(ids, 0).length, 0, "empty proof");
        assertEq(h.rootOf(ids[0], new bytes32[](0)), _refLeaf(ids[0]), "rootOf with empty proof");
    }

    function test_root_twoLeavesSortedPair() public pure {
        bytes32[] memory ids = _ids(2, 2);
        bytes32 l0 = _refLeaf(ids[0]);
        bytes32 l1 = _refLeaf(ids[1]);
        bytes32 expected = l0 < l1 ? keccak256(abi.encodePacked(l0, l1)) : keccak256(abi.encodePacked(l1, l0));
        assertEq(MessageMerkle.root(ids), expected, "sorted pair");
    }

    function test_root_oddLastNodeCarriedUp() public pure {
        bytes32[] memory ids = _ids(3, 3);
        bytes32 expected = _refNode(_refNode(_refLeaf(ids[0]), _refLeaf(ids[1])), _refLeaf(ids[2]));
        assertEq(MessageMerkle.root(ids), expected, "3 leaves: H(H(l0,l1), l2)");
        // Never duplicated: H(H(l0,l1), H(l2,l2)) would be Bitcoin's shape.
        bytes32 duplicated =
            _refNode(_refNode(_refLeaf(ids[0]), _refLeaf(ids[1])), _refNode(_refLeaf(ids[2]), _refLeaf(ids[2])));
        assertTrue(MessageMerkle.root(ids) != duplicated, "no duplication");

        bytes32[] memory five = _ids(5, 5);
        bytes32 h01 = _refNode(_refLeaf(five[0]), _refLeaf(five[1]));
        bytes32 h23 = _refNode(_refLeaf(five[2]), _refLeaf(five[3]));
        assertEq(MessageMerkle.root(five), _refNode(_refNode(h01, h23), _refLeaf(five[4])), "5 leaves");
        assertEq(MessageMerkle.proof(five, 4).length, 1, "carried leaf needs one sibling");
    }

    /// @dev The brief's main property: for every batch size 1..40, every leaf's proof gives the batch root, both
    ///      through the on-chain `rootOf` (OpenZeppelin) and through the independent reference.
    function test_proof_everyLeafOfBatchesOneToForty() public view {
        for (uint256 n = 1; n <= 40; ++n) {
            bytes32[] memory ids = _ids(n, n);
            bytes32 root = MessageMerkle.root(ids);
            assertEq(root, _refRoot(ids, 0, n), "root matches reference");
            for (uint256 i; i < n; ++i) {
                bytes32[] memory proof = MessageMerkle.proof(ids, i);
                assertLe(proof.length, _log2Ceil(n), "proof depth");
                assertEq(h.rootOf(ids[i], proof), root, "rootOf");
                assertEq(_refFold(ids[i], proof), root, "reference fold");
            }
        }
    }

    function test_proof_doesNotProveOtherLeaf() public view {
        for (uint256 n = 2; n <= 40; n += 3) {
            bytes32[] memory ids = _ids(n, 100 + n);
            bytes32 root = MessageMerkle.root(ids);
            for (uint256 i; i < n; ++i) {
                bytes32[] memory proof = MessageMerkle.proof(ids, i);
                uint256 j = (i + 1) % n;
                assertTrue(h.rootOf(ids[j], proof) != root || ids[j] == ids[i], "proof bound to its leaf");
                assertTrue(h.rootOf(keccak256(abi.encode(ids[i])), proof) != root, "unknown id rejected");
            }
        }
    }

    /// @dev An inner node cannot be passed off as a message id (second-preimage defence).
    function test_rootOf_rejectsInnerNodeAsLeaf() public view {
        bytes32[] memory ids = _ids(4, 4);
        bytes32 root = MessageMerkle.root(ids);
        bytes32 h01 = _refNode(_refLeaf(ids[0]), _refLeaf(ids[1]));
        bytes32 h23 = _refNode(_refLeaf(ids[2]), _refLeaf(ids[3]));
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = h23;
        assertEq(_refNode(h01, h23), root, "fixture");
        assertTrue(h.rootOf(h01, proof) != root, "inner node is not a leaf");
        assertTrue(h.rootOf(root, new bytes32[](0)) != root, "root is not a leaf");
    }

    function testFuzz_proof_verifiesRandomBatch(uint256 seed, uint256 n, uint256 index) public view {
        n = bound(n, 1, 64);
        index = bound(index, 0, n - 1);
        bytes32[] memory ids = _ids(n, seed);
        bytes32 root = MessageMerkle.root(ids);
        bytes32[] memory proof = MessageMerkle.proof(ids, index);
        assertEq(h.rootOf(ids[index], proof), root, "verifies");
        assertEq(root, _refRoot(ids, 0, n), "reference");
    }

    function testFuzz_proof_tamperedFails(uint256 seed, uint256 n, uint256 index, uint256 position, uint8 bit)
        public
        view
    {
        n = bound(n, 2, 64);
        index = bound(index, 0, n - 1);
        bytes32[] memory ids = _ids(n, seed);
        bytes32 root = MessageMerkle.root(ids);
        bytes32[] memory proof = MessageMerkle.proof(ids, index);
        position = bound(position, 0, proof.length - 1);
        proof[position] = bytes32(uint256(proof[position]) ^ (uint256(1) << bit));
        assertTrue(h.rootOf(ids[index], proof) != root, "tampered proof fails");

        bytes32[] memory shorter = MessageMerkle.proof(ids, index);
        assembly ("memory-safe") {
            mstore(shorter, sub(mload(shorter), 1))
        }
        assertTrue(h.rootOf(ids[index], shorter) != root, "truncated proof fails");
    }
}
