// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RateLimit} from "../../src/libraries/RateLimit.sol";
import {InboundRoute} from "../../src/types/InboundRoute.sol";
import {Test} from "../utils/Test.sol";

/// @notice The TokenBridge inbound route word: layout, link/unlink round trips, bucket operations that keep the route
///         half, scaling.
contract InboundRouteTest is Test {
    uint256 internal constant BUCKET_BITS = (uint256(1) << 232) - 1;

    function _word(InboundRoute r) internal pure returns (uint256) {
        return InboundRoute.unwrap(r);
    }

    function test_link_layoutMatchesTheDocumentedBits() public pure {
        InboundRoute r = InboundRoute.wrap(0).link(1, 10);
        assertEq(_word(r), (uint256(1) << 248) | (uint256(1) << 240) | (uint256(10) << 232), "layout");
        uint256 maxFields = ((uint256(1) << 249) - 1) & ~BUCKET_BITS;
        assertEq(_word(InboundRoute.wrap(0).link(type(uint8).max, type(uint8).max)), maxFields, "max fields");
    }

    function test_link_roundTrips(uint256 word, uint8 mode, uint8 scale) public pure {
        InboundRoute r = InboundRoute.wrap(word).link(mode, scale);
        assertTrue(r.isLinked(), "linked");
        assertEq(r.mode(), mode, "mode");
        assertEq(r.scaleExponent(), scale, "scale");
        assertEq(_word(r) & BUCKET_BITS, word & BUCKET_BITS, "bucket kept");
        assertEq(_word(r) >> 249, 0, "nothing above the flag");
    }

    function test_unlink_clearsTheRouteHalfOnly(uint256 word) public pure {
        InboundRoute r = InboundRoute.wrap(word).unlink();
        assertFalse(r.isLinked(), "unlinked");
        assertEq(r.mode(), 0, "mode");
        assertEq(r.scaleExponent(), 0, "scale");
        assertEq(_word(r), word & BUCKET_BITS, "bucket kept");
    }

    function test_isLinked_onlyTheFlagBit(uint256 word) public pure {
        assertTrue(InboundRoute.wrap(word).isLinked() == ((word >> 248) & 1 == 1), "flag bit 248");
    }

    function test_toLocal_scaleBoundaries() public pure {
        InboundRoute r = InboundRoute.wrap(0).link(0, 0);
        assertEq(r.toLocal(type(uint64).max), type(uint64).max, "scale 0 is the identity");
        r = r.link(0, 36);
        assertEq(r.toLocal(type(uint64).max), uint256(type(uint64).max) * 1e36, "scale 36 at the largest wire");
        assertEq(r.toLocal(0), 0, "zero");
    }

    function test_toLocal_matchesCheckedMath(uint64 wire, uint8 scale) public pure {
        scale = uint8(bound(scale, 0, 36));
        assertEq(InboundRoute.wrap(0).link(1, scale).toLocal(wire), uint256(wire) * 10 ** scale, "scaled");
    }

    function test_bucket_readsTheLowBits(uint64 level, uint64 capacity, uint64 refill, uint40 lastUpdated) public pure {
        uint256 word = RateLimit.pack(0, RateLimit.Bucket(level, capacity, refill, lastUpdated));
        RateLimit.Bucket memory b = InboundRoute.wrap(word).link(1, 8).bucket();
        assertEq(b.level, level, "level");
        assertEq(b.capacity, capacity, "capacity");
        assertEq(b.refillPerSecond, refill, "refill");
        assertEq(b.lastUpdated, lastUpdated, "lastUpdated");
    }

    function test_tryConsume_keepsTheRouteHalf(uint64 capacity, uint64 refill, uint64 amount, uint8 mode, uint8 scale)
        public
        pure
    {
        InboundRoute r = InboundRoute.wrap(0).configure(capacity, refill, 1000).link(mode, scale);
        (bool ok, InboundRoute updated, uint64 level) = r.tryConsume(amount, 2000);
        (bool okRaw, uint256 updatedRaw, uint64 levelRaw) = RateLimit.tryConsumePacked(_word(r), amount, 2000);
        assertTrue(ok == okRaw, "ok as RateLimit");
        assertEq(_word(updated), updatedRaw, "word as RateLimit");
        assertEq(level, levelRaw, "level as RateLimit");
        assertEq(_word(updated) & ~BUCKET_BITS, _word(r) & ~BUCKET_BITS, "route half kept");
        assertTrue(updated.eq(r) == (!ok || capacity == RateLimit.UNLIMITED), "unchanged iff nothing was written");
    }

    function test_tryConsume_closedRouteTakesNothing() public pure {
        InboundRoute r = InboundRoute.wrap(0).link(0, 0);
        (bool ok, InboundRoute updated, uint64 level) = r.tryConsume(1, 1000);
        assertFalse(ok, "capacity 0 is closed");
        assertTrue(updated.eq(r), "unchanged");
        assertEq(level, 0, "empty");
    }

    function test_configure_keepsTheRouteHalf(uint256 word, uint64 capacity, uint64 refill) public pure {
        InboundRoute r = InboundRoute.wrap(word).configure(capacity, refill, 5000);
        assertEq(_word(r) & ~BUCKET_BITS, word & ~BUCKET_BITS, "route half kept");
        assertEq(r.bucket().capacity, capacity, "capacity");
        assertEq(r.bucket().refillPerSecond, refill, "refill");
        if (capacity != RateLimit.UNLIMITED) assertEq(r.available(5000), r.bucket().level, "available now: stored");
    }
}
