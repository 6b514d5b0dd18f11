// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title AttesterSetCodec
/// @notice The canonical attester-set hash (docs/protocol.md §4), the value a rotation attestation signs:
///         `keccak256(uint64 setId ‖ uint16 thresholdBps ‖ uint8 count ‖ count × (address attester ‖ uint96 weight))`.
/// @dev Pure encoding only; the set rules (sorted, non-zero, weights, threshold range) are enforced by AttesterSet.
library AttesterSetCodec {
    /// @notice Byte length of the fixed prefix `setId ‖ thresholdBps ‖ count`.
    uint256 internal constant PREFIX_LENGTH = 11;
    /// @notice Byte length of one `address ‖ uint96` entry.
    uint256 internal constant ENTRY_LENGTH = 32;

    /// @notice `attesters` and `weights` have different lengths.
    error AttesterSetLengthMismatch(uint256 attesters, uint256 weights);
    /// @notice The set has more members than a `uint8` count can express.
    error AttesterSetCountOverflow(uint256 count);

    /// @notice The packed preimage of the set hash.
    function encode(uint64 setId, uint16 thresholdBps, address[] memory attesters, uint96[] memory weights)
        internal
        pure
        returns (bytes memory out)
    {
        uint256 count = attesters.length;
        if (count != weights.length) revert AttesterSetLengthMismatch(count, weights.length);
        if (count > type(uint8).max) revert AttesterSetCountOverflow(count);
        out = new bytes(PREFIX_LENGTH + count * ENTRY_LENGTH);
        assembly ("memory-safe") {
            let p := add(out, 0x20)
            // setId (8) ‖ thresholdBps (2) ‖ count (1), left-aligned in one word; the entries overwrite the rest.
            mstore(p, or(shl(192, setId), or(shl(176, thresholdBps), shl(168, count))))
            p := add(p, PREFIX_LENGTH)
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                let a := mload(add(attesters, shl(5, add(i, 1))))
                let w := mload(add(weights, shl(5, add(i, 1))))
                // address in the high 20 bytes, uint96 weight in the low 12 bytes of one word.
                mstore(p, or(shl(96, a), and(w, 0xffffffffffffffffffffffff)))
                p := add(p, ENTRY_LENGTH)
            }
        }
    }

    /// @notice The set hash signed by `AttesterSetRotation` (docs/protocol.md §4).
    function hash(uint64 setId, uint16 thresholdBps, address[] memory attesters, uint96[] memory weights)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(encode(setId, thresholdBps, attesters, weights));
    }
}
