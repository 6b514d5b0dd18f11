// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The packed config word of one attester set (docs/protocol.md §4), one storage slot per set id:
///         `pointer ‖ count ‖ thresholdBps ‖ expiresAt ‖ flags`, low to high bits.
/// @dev Bits [0, 160) SSTORE2 pointer of the member blob, [160, 168) member count, [168, 184) threshold in basis
///      points, [184, 224) expiry timestamp (0 = current set, no expiry), [224, 256) flags (PAUSED_FLAG at bit 224,
///      only ever set by a Gateway). The zero word means "no such set" (a stored set always has a non-zero pointer).
type AttesterSetConfig is uint256;

using AttesterSetConfigLibrary for AttesterSetConfig global;

/// @title AttesterSetConfigLibrary
/// @notice Pure getters and setters of an AttesterSetConfig word. Every setter returns a new word and leaves the other
///         fields as they are.
library AttesterSetConfigLibrary {
    /// @notice Bit offset of the member count.
    uint256 internal constant COUNT_SHIFT = 160;
    /// @notice Bit offset of the threshold (basis points).
    uint256 internal constant THRESHOLD_SHIFT = 168;
    /// @notice Bit offset of the expiry timestamp.
    uint256 internal constant EXPIRES_SHIFT = 184;
    /// @notice Bit offset of the flags.
    uint256 internal constant FLAGS_SHIFT = 224;
    /// @notice The paused flag: attestation consumers reject a set whose word carries it.
    uint256 internal constant PAUSED_FLAG = 1 << FLAGS_SHIFT;

    uint256 private constant POINTER_MASK = (1 << 160) - 1;
    uint256 private constant EXPIRES_CLEAR_MASK = ~(uint256(type(uint40).max) << EXPIRES_SHIFT);

    /// @notice A new set's word: no expiry, with `flags` (a combination of flag constants such as PAUSED_FLAG).
    /// @dev `count` and `thresholdBps` must fit their fields (the set rules keep count <= 128); `flags` must only hold
    ///      bits at or above FLAGS_SHIFT.
    function pack(address pointer_, uint256 count_, uint16 thresholdBps_, uint256 flags)
        internal
        pure
        returns (AttesterSetConfig)
    {
        return AttesterSetConfig.wrap(
            uint256(uint160(pointer_)) | (count_ << COUNT_SHIFT) | (uint256(thresholdBps_) << THRESHOLD_SHIFT) | flags
        );
    }

    /// @notice Whether the word describes a stored set (non-zero).
    function exists(AttesterSetConfig self) internal pure returns (bool) {
        return AttesterSetConfig.unwrap(self) != 0;
    }

    /// @notice The SSTORE2 pointer of the member blob (zero if no such set).
    function pointer(AttesterSetConfig self) internal pure returns (address) {
        return address(uint160(AttesterSetConfig.unwrap(self)));
    }

    /// @notice The number of members.
    function count(AttesterSetConfig self) internal pure returns (uint256) {
        return uint8(AttesterSetConfig.unwrap(self) >> COUNT_SHIFT);
    }

    /// @notice The quorum threshold in basis points of the total weight.
    function thresholdBps(AttesterSetConfig self) internal pure returns (uint16) {
        return uint16(AttesterSetConfig.unwrap(self) >> THRESHOLD_SHIFT);
    }

    /// @notice When the set expires (0 while it is the current set).
    function expiresAt(AttesterSetConfig self) internal pure returns (uint40) {
        return uint40(AttesterSetConfig.unwrap(self) >> EXPIRES_SHIFT);
    }

    /// @notice Whether the set exists and has not expired at `timestamp`.
    function isLive(AttesterSetConfig self, uint256 timestamp) internal pure returns (bool) {
        if (AttesterSetConfig.unwrap(self) == 0) return false;
        uint256 expiry = expiresAt(self);
        return expiry == 0 || timestamp < expiry;
    }

    /// @notice Whether the word carries any of the flag bits in `flagMask` (0 never matches).
    function hasAnyFlag(AttesterSetConfig self, uint256 flagMask) internal pure returns (bool) {
        return AttesterSetConfig.unwrap(self) & flagMask != 0;
    }

    /// @notice Whether the word carries PAUSED_FLAG.
    function isPaused(AttesterSetConfig self) internal pure returns (bool) {
        return AttesterSetConfig.unwrap(self) & PAUSED_FLAG != 0;
    }

    /// @notice The word with another member blob pointer.
    function withPointer(AttesterSetConfig self, address pointer_) internal pure returns (AttesterSetConfig) {
        return AttesterSetConfig.wrap((AttesterSetConfig.unwrap(self) & ~POINTER_MASK) | uint160(pointer_));
    }

    /// @notice The word with another expiry timestamp.
    function withExpiresAt(AttesterSetConfig self, uint40 expiresAt_) internal pure returns (AttesterSetConfig) {
        return AttesterSetConfig.wrap(
            (AttesterSetConfig.unwrap(self) & EXPIRES_CLEAR_MASK) | (uint256(expiresAt_) << EXPIRES_SHIFT)
        );
    }

    /// @notice The word with PAUSED_FLAG set or cleared.
    function withPaused(AttesterSetConfig self, bool paused_) internal pure returns (AttesterSetConfig) {
        uint256 word = AttesterSetConfig.unwrap(self);
        return AttesterSetConfig.wrap(paused_ ? word | PAUSED_FLAG : word & ~PAUSED_FLAG);
    }
}
