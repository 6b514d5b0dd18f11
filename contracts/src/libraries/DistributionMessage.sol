// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TokenMessage} from "./TokenMessage.sol";

/// @title DistributionMessage
/// @notice The distribution payload (token-bridge kind 2, docs/protocol.md §8): a payout root that funds a claims
///         vault on the destination with `total` tokens the origin bridge locked or burned.
/// @dev Layout (109 bytes, big-endian, packed): kind (1) = 2 ‖ root (32) ‖ token (32) ‖ total uint64 (8) ‖
///      leafCount uint32 (4) ‖ distributionId (32). `token` is the token on the DESTINATION chain (on Solana the SPL
///      mint), `total` is in the route's shared decimals. Byte for byte sdk/src/claims.ts `encodeDistributionMessage`
///      and the Solana program's `state/token_payload.rs` (vectors: `distributionMessages` in
///      test/vectors/protocol.json). EVM TokenBridges send this kind but never accept it (no claims vault on EVM).
library DistributionMessage {
    /// @notice The kind byte of a distribution payload.
    uint8 internal constant KIND_DISTRIBUTION = 2;
    /// @notice Exact length of an encoded distribution payload.
    uint256 internal constant LENGTH = 109;
    /// @notice The most leaves a distribution may have: what every claims-capable destination accepts (the Solana
    ///         program creates the claim bitmap, ceil(leafCount / 8) bytes, inside one CPI, at most 10 KiB growth).
    uint32 internal constant MAX_LEAF_COUNT = 65_536;

    uint256 private constant ROOT_OFFSET = 1;
    uint256 private constant TOKEN_OFFSET = 33;
    uint256 private constant TOTAL_OFFSET = 65;
    uint256 private constant LEAF_COUNT_OFFSET = 73;
    uint256 private constant ID_OFFSET = 77;

    /// @notice The payload is not exactly LENGTH bytes long.
    error DistributionMessageInvalidLength(uint256 length);

    /// @notice A decoded distribution payload.
    struct Distribution {
        bytes32 root;
        bytes32 token;
        uint64 total;
        uint32 leafCount;
        bytes32 distributionId;
    }

    /// @notice Encodes a distribution payload.
    /// @param root Root of the sorted-pair tree over the claim leaves (docs/solana.md, "Claims").
    /// @param token The token on the destination chain, left-padded to 32 bytes.
    /// @param total The amount funding the vault, in shared decimals (the sum the leaves may pay).
    /// @param leafCount The number of leaves of the tree.
    /// @param distributionId The id of the distribution, single-use per origin domain on the destination.
    function encode(bytes32 root, bytes32 token, uint64 total, uint32 leafCount, bytes32 distributionId)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(KIND_DISTRIBUTION, root, token, total, leafCount, distributionId);
    }

    /// @notice Decodes a distribution payload in place: the length first (`DistributionMessageInvalidLength` unless
    ///         109 bytes), then the kind (`TokenMessage.TokenMessageUnknownKind` unless 2), as §8 prescribes.
    function decode(bytes calldata payload) internal pure returns (Distribution memory d) {
        if (payload.length != LENGTH) revert DistributionMessageInvalidLength(payload.length);
        uint256 kind;
        bytes32 root;
        bytes32 token;
        uint64 total;
        uint32 leafCount;
        bytes32 id;
        assembly ("memory-safe") {
            let p := payload.offset
            kind := byte(0, calldataload(p))
            root := calldataload(add(p, ROOT_OFFSET))
            token := calldataload(add(p, TOKEN_OFFSET))
            total := shr(192, calldataload(add(p, TOTAL_OFFSET)))
            leafCount := shr(224, calldataload(add(p, LEAF_COUNT_OFFSET)))
            id := calldataload(add(p, ID_OFFSET))
        }
        if (kind != KIND_DISTRIBUTION) revert TokenMessage.TokenMessageUnknownKind(uint8(kind));
        d = Distribution({root: root, token: token, total: total, leafCount: leafCount, distributionId: id});
    }
}
