// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RateLimit
/// @notice A token bucket in shared units, packed into one storage slot (docs/protocol.md §8).
/// @dev Semantics of `capacity`:
///      - `0` means the route is CLOSED: nothing passes (outbound reverts, inbound queues). This is the state of
///        every bucket until the owner configures it, so a route is never accidentally unlimited.
///      - `UNLIMITED` (type(uint64).max) means no limit: consume always succeeds and never writes storage.
///      - anything else is a bucket that holds at most `capacity` and refills `refillPerSecond` per second.
///      `level <= capacity` holds after every operation.
library RateLimit {
    /// @notice Capacity value meaning "no limit".
    uint64 internal constant UNLIMITED = type(uint64).max;

    /// @notice One bucket: 64 + 64 + 64 + 40 = 232 bits, one slot.
    struct Bucket {
        uint64 level;
        uint64 capacity;
        uint64 refillPerSecond;
        uint40 lastUpdated;
    }

    /// @notice `consume` was asked to revert and the bucket holds less than requested.
    error BucketExhausted(uint64 requested, uint64 available);

    /// @notice The level the bucket holds at `timestamp`, refilled but never above capacity.
    /// @dev For an UNLIMITED bucket returns UNLIMITED.
    function availableAt(Bucket memory b, uint256 timestamp) internal pure returns (uint64) {
        if (b.capacity == UNLIMITED) return UNLIMITED;
        uint256 level = b.level;
        if (timestamp > b.lastUpdated && b.refillPerSecond != 0) {
            uint256 elapsed;
            unchecked {
                elapsed = timestamp - b.lastUpdated;
            }
            // With refill >= 1, `capacity` seconds always fill the bucket; this also bounds the product below.
            if (elapsed >= b.capacity) return b.capacity;
            unchecked {
                // elapsed < 2^64 and refill < 2^64, level < 2^64: the sum is < 2^129.
                level += elapsed * b.refillPerSecond;
            }
        }
        return level > b.capacity ? b.capacity : uint64(level);
    }

    /// @notice The level the bucket holds now.
    function available(Bucket storage self) internal view returns (uint64) {
        return availableAt(self, block.timestamp);
    }

    /// @notice Takes `amount` from the bucket.
    /// @param revertIfExceeded If true, reverts with BucketExhausted when the bucket holds too little; if false,
    ///        returns false and leaves the bucket untouched.
    /// @return ok True iff the amount was taken.
    function consume(Bucket storage self, uint64 amount, bool revertIfExceeded) internal returns (bool ok) {
        (ok,) = tryConsume(self, amount);
        if (!ok && revertIfExceeded) revert BucketExhausted(amount, available(self));
    }

    /// @notice Takes `amount` from the bucket if it holds enough; one SLOAD, at most one SSTORE.
    /// @return ok True iff the amount was taken.
    /// @return level The level before consumption (what was available), after refill.
    function tryConsume(Bucket storage self, uint64 amount) internal returns (bool ok, uint64 level) {
        Bucket memory b = self;
        if (b.capacity == UNLIMITED) return (true, UNLIMITED);
        level = availableAt(b, block.timestamp);
        if (amount > level) return (false, level);
        unchecked {
            self.level = level - amount;
        }
        // Writes of the remaining fields happen in the same slot; the optimiser merges them into one SSTORE.
        self.lastUpdated = uint40(block.timestamp);
        return (true, level);
    }

    /// @notice Sets capacity and refill rate.
    /// @dev The bucket is first refilled under the old parameters. A bucket that was closed (capacity 0) or
    ///      unlimited starts full; otherwise the current level is kept, clamped to the new capacity.
    function configure(Bucket storage self, uint64 capacity, uint64 refillPerSecond) internal {
        Bucket memory b = self;
        uint64 level;
        if (b.capacity == 0 || b.capacity == UNLIMITED) {
            level = capacity;
        } else {
            level = availableAt(b, block.timestamp);
            if (level > capacity) level = capacity;
        }
        self.level = level;
        self.capacity = capacity;
        self.refillPerSecond = refillPerSecond;
        self.lastUpdated = uint40(block.timestamp);
    }
}
