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
        return availableAt(b.level, b.capacity, b.refillPerSecond, b.lastUpdated, timestamp);
    }

    /// @notice `availableAt` on unpacked fields (no memory struct).
    function availableAt(uint64 level_, uint64 capacity, uint64 refillPerSecond, uint40 lastUpdated, uint256 timestamp)
        internal
        pure
        returns (uint64)
    {
        if (capacity == UNLIMITED) return UNLIMITED;
        uint256 level = level_;
        if (timestamp > lastUpdated && refillPerSecond != 0) {
            uint256 elapsed;
            unchecked {
                elapsed = timestamp - lastUpdated;
            }
            // With refill >= 1, `capacity` seconds always fill the bucket; this also bounds the product below.
            if (elapsed >= capacity) return capacity;
            unchecked {
                // elapsed < 2^64 and refill < 2^64, level < 2^64: the sum is < 2^129.
                level += elapsed * refillPerSecond;
            }
        }
        return level > capacity ? capacity : uint64(level);
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

    // ------------------------------------------------------------------------------------------------------------
    // Packed form: a bucket in the low 232 bits of a word whose upper 24 bits belong to the caller. The layout is
    // the storage layout of `Bucket`: level [0, 64), capacity [64, 128), refillPerSecond [128, 192),
    // lastUpdated [192, 232).
    // ------------------------------------------------------------------------------------------------------------

    uint256 private constant LEVEL_MASK = type(uint64).max;
    uint256 private constant BUCKET_MASK = (uint256(1) << 232) - 1;
    uint256 private constant LAST_UPDATED_SHIFT = 192;
    /// @dev Clears level and lastUpdated (the fields consumption rewrites).
    uint256 private constant CONSUME_CLEAR_MASK = ~(LEVEL_MASK | (uint256(type(uint40).max) << LAST_UPDATED_SHIFT));

    /// @notice The bucket packed in the low 232 bits of `word`.
    function unpack(uint256 word) internal pure returns (Bucket memory b) {
        b.level = uint64(word);
        b.capacity = uint64(word >> 64);
        b.refillPerSecond = uint64(word >> 128);
        b.lastUpdated = uint40(word >> LAST_UPDATED_SHIFT);
    }

    /// @notice `word` with its low 232 bits replaced by `b`.
    function pack(uint256 word, Bucket memory b) internal pure returns (uint256) {
        return (word & ~BUCKET_MASK) | uint256(b.level) | (uint256(b.capacity) << 64)
            | (uint256(b.refillPerSecond) << 128) | (uint256(b.lastUpdated) << LAST_UPDATED_SHIFT);
    }

    /// @notice The level the packed bucket holds at `timestamp`.
    function availablePacked(uint256 word, uint256 timestamp) internal pure returns (uint64) {
        return availableAt(
            uint64(word), uint64(word >> 64), uint64(word >> 128), uint40(word >> LAST_UPDATED_SHIFT), timestamp
        );
    }

    /// @notice `tryConsume` on a packed bucket, without storage access: the caller writes `updated` back.
    /// @return ok True iff the amount was taken.
    /// @return updated The new word (equal to `word` when nothing was taken or the bucket is unlimited).
    /// @return level The level before consumption, after refill.
    function tryConsumePacked(uint256 word, uint64 amount, uint256 timestamp)
        internal
        pure
        returns (bool ok, uint256 updated, uint64 level)
    {
        uint64 capacity = uint64(word >> 64);
        if (capacity == UNLIMITED) return (true, word, UNLIMITED);
        level = availableAt(uint64(word), capacity, uint64(word >> 128), uint40(word >> LAST_UPDATED_SHIFT), timestamp);
        if (amount > level) return (false, word, level);
        unchecked {
            updated = (word & CONSUME_CLEAR_MASK) | uint256(level - amount)
                | (uint256(uint40(timestamp)) << LAST_UPDATED_SHIFT);
        }
        ok = true;
    }

    /// @notice `configure` on a packed bucket: returns `word` with the new parameters (upper bits kept).
    function configurePacked(uint256 word, uint64 capacity, uint64 refillPerSecond, uint256 timestamp)
        internal
        pure
        returns (uint256)
    {
        Bucket memory b = unpack(word);
        uint64 level;
        if (b.capacity == 0 || b.capacity == UNLIMITED) {
            level = capacity;
        } else {
            level = availableAt(b, timestamp);
            if (level > capacity) level = capacity;
        }
        return pack(word, Bucket(level, capacity, refillPerSecond, uint40(timestamp)));
    }
}
