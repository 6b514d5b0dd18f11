// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SortedPairTree
/// @notice Test helper: the sorted-pair (commutative keccak256) Merkle tree OpenZeppelin's MerkleProof verifies, as
///         the payout roots use it (docs/protocol.md §11.5). One copy for the revenue fixture and the invariant handler.
library SortedPairTree {
    /// @notice keccak256 of the two nodes, smaller first.
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    /// @notice Root of the tree over `leaves` (an odd node moves up unchanged) and the proof of `index`.
    function build(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32 root, bytes32[] memory proof) {
        bytes32[] memory level = leaves;
        bytes32[] memory path = new bytes32[](64);
        uint256 depth;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) path[depth++] = level[sibling];
            bytes32[] memory next = new bytes32[]((level.length + 1) / 2);
            for (uint256 i; i < level.length; i += 2) {
                next[i / 2] = i + 1 < level.length ? hashPair(level[i], level[i + 1]) : level[i];
            }
            level = next;
            index /= 2;
        }
        root = level[0];
        proof = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) {
            proof[i] = path[i];
        }
    }
}
