// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title MessageMerkle
/// @notice Batch tree over message ids (docs/protocol.md §5): leaf = keccak256(messageId), sorted-pair inner nodes,
///         odd last node carried up. Proof verification is OpenZeppelin's sorted-pair `processProofCalldata`.
library MessageMerkle {
    /// @notice The leaf of a message id. Double hashing keeps leaves (32-byte preimage) apart from inner nodes
    ///         (64-byte preimage).
    function leaf(bytes32 messageId) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, messageId)
            h := keccak256(0x00, 0x20)
        }
    }

    /// @notice The root implied by `messageId` and its `proof`.
    function rootOf(bytes32 messageId, bytes32[] calldata merkleProof) internal pure returns (bytes32) {
        return MerkleProof.processProofCalldata(merkleProof, leaf(messageId));
    }

    /// @notice Builds the root of a whole batch (used by tests and off-chain tooling parity checks).
    function root(bytes32[] memory messageIds) internal pure returns (bytes32) {
        uint256 n = messageIds.length;
        if (n == 0) return bytes32(0);
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            level[i] = leaf(messageIds[i]);
        }
        while (n > 1) {
            uint256 next = (n + 1) / 2;
            for (uint256 i; i < n / 2; ++i) {
                level[i] = _hashPair(level[2 * i], level[2 * i + 1]);
            }
            if (n % 2 == 1) level[next - 1] = level[n - 1];
            n = next;
        }
        return level[0];
    }

    /// @notice The proof for leaf `index` of the batch `messageIds` (tests and tooling).
    function proof(bytes32[] memory messageIds, uint256 index) internal pure returns (bytes32[] memory out) {
        uint256 n = messageIds.length;
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            level[i] = leaf(messageIds[i]);
        }
        bytes32[] memory path = new bytes32[](256);
        uint256 depth;
        while (n > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < n) path[depth++] = level[sibling];
            uint256 next = (n + 1) / 2;
            for (uint256 i; i < n / 2; ++i) {
                level[i] = _hashPair(level[2 * i], level[2 * i + 1]);
            }
            if (n % 2 == 1) level[next - 1] = level[n - 1];
            n = next;
            index /= 2;
        }
        out = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) {
            out[i] = path[i];
        }
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        (bytes32 lo, bytes32 hi) = a < b ? (a, b) : (b, a);
        assembly ("memory-safe") {
            mstore(0x00, lo)
            mstore(0x20, hi)
            h := keccak256(0x00, 0x40)
        }
    }
}
