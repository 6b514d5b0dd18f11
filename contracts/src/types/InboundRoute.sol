// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RateLimit} from "../libraries/RateLimit.sol";

/// @notice The inbound state of one (local token, origin domain, remote bridge) route of a TokenBridge, one storage
///         slot (docs/protocol.md §8): the inbound rate-limit bucket, then the token's decimal scale and mode and the
///         linked flag.
/// @dev Bits, low to high: bucket level uint64 [0, 64), capacity uint64 [64, 128), refillPerSecond uint64 [128, 192),
///      lastUpdated uint40 [192, 232) (the packed form of RateLimit.Bucket), scale exponent `L - S` uint8 [232, 240),
///      mode uint8 [240, 248), linked flag [248, 256). A wrong sender or an unlinked token finds no linked flag.
type InboundRoute is uint256;

using InboundRouteLibrary for InboundRoute global;

/// @title InboundRouteLibrary
/// @notice Pure getters and setters of an InboundRoute word. The bucket half delegates to RateLimit's packed form;
///         the route half (scale, mode, linked flag) is set by `link` and cleared by `unlink`, the bucket kept.
library InboundRouteLibrary {
    /// @notice Bit offset of the scale exponent `L - S` (local minus shared decimals).
    uint256 internal constant SCALE_SHIFT = 232;
    /// @notice Bit offset of the token mode (TokenBridge.MODE_LOCK / MODE_MINT).
    uint256 internal constant MODE_SHIFT = 240;
    /// @notice The linked flag.
    uint256 internal constant LINKED_FLAG = uint256(1) << 248;
    /// @notice The bits that are not the bucket (scale, mode, linked flag).
    uint256 internal constant META_MASK = ~((uint256(1) << SCALE_SHIFT) - 1);

    /// @notice Whether the route is linked (a known sender and a linked token).
    function isLinked(InboundRoute self) internal pure returns (bool) {
        return InboundRoute.unwrap(self) & LINKED_FLAG != 0;
    }

    /// @notice The decimal scale exponent `L - S` of the local token.
    function scaleExponent(InboundRoute self) internal pure returns (uint8) {
        return uint8(InboundRoute.unwrap(self) >> SCALE_SHIFT);
    }

    /// @notice The token mode (0 lock, 1 mint).
    function mode(InboundRoute self) internal pure returns (uint8) {
        return uint8(InboundRoute.unwrap(self) >> MODE_SHIFT);
    }

    /// @notice `wire` shared units in local units: `wire * 10^scaleExponent`.
    /// @dev Unchecked: the scale exponent is at most Amounts.MAX_DECIMALS (36) on every linked route, and
    ///      10^36 * (2^64 - 1) < 2^184.
    function toLocal(InboundRoute self, uint64 wire) internal pure returns (uint256 amount) {
        unchecked {
            amount = uint256(wire) * 10 ** ((InboundRoute.unwrap(self) >> SCALE_SHIFT) & 0xff);
        }
    }

    /// @notice The route linked with `mode_` and `scaleExponent_`, bucket kept.
    function link(InboundRoute self, uint8 mode_, uint8 scaleExponent_) internal pure returns (InboundRoute) {
        return InboundRoute.wrap(
            (InboundRoute.unwrap(self) & ~META_MASK) | LINKED_FLAG | (uint256(scaleExponent_) << SCALE_SHIFT)
                | (uint256(mode_) << MODE_SHIFT)
        );
    }

    /// @notice The route with scale, mode and linked flag cleared, bucket kept.
    function unlink(InboundRoute self) internal pure returns (InboundRoute) {
        return InboundRoute.wrap(InboundRoute.unwrap(self) & ~META_MASK);
    }

    /// @notice The inbound bucket, as stored (not refilled).
    function bucket(InboundRoute self) internal pure returns (RateLimit.Bucket memory) {
        return RateLimit.unpack(InboundRoute.unwrap(self));
    }

    /// @notice What the inbound bucket holds at `timestamp`.
    function available(InboundRoute self, uint256 timestamp) internal pure returns (uint64) {
        return RateLimit.availablePacked(InboundRoute.unwrap(self), timestamp);
    }

    /// @notice Takes `amount` from the inbound bucket if it holds enough (RateLimit.tryConsumePacked); the route half
    ///         is kept. The caller writes `updated` back when it differs from `self`.
    /// @return ok True iff the amount was taken.
    /// @return updated The new route (equal to `self` when nothing was taken or the bucket is unlimited).
    /// @return level The level before consumption, after refill.
    function tryConsume(InboundRoute self, uint64 amount, uint256 timestamp)
        internal
        pure
        returns (bool ok, InboundRoute updated, uint64 level)
    {
        uint256 word;
        (ok, word, level) = RateLimit.tryConsumePacked(InboundRoute.unwrap(self), amount, timestamp);
        updated = InboundRoute.wrap(word);
    }

    /// @notice The route with its bucket reconfigured (RateLimit.configurePacked); the route half is kept.
    function configure(InboundRoute self, uint64 capacity, uint64 refillPerSecond, uint256 timestamp)
        internal
        pure
        returns (InboundRoute)
    {
        return InboundRoute.wrap(RateLimit.configurePacked(InboundRoute.unwrap(self), capacity, refillPerSecond, timestamp));
    }

    /// @notice Whether two routes are the same word.
    function eq(InboundRoute self, InboundRoute other) internal pure returns (bool) {
        return InboundRoute.unwrap(self) == InboundRoute.unwrap(other);
    }
}
