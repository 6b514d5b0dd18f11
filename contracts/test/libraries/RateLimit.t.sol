// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RateLimit} from "../../src/libraries/RateLimit.sol";
import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";

contract RateLimitHarness {
    using RateLimit for RateLimit.Bucket;

    RateLimit.Bucket public bucket;

    function configure(uint64 capacity_, uint64 refill) external {
        bucket.configure(capacity_, refill);
    }

    function consume(uint64 amount, bool revertIfExceeded) external returns (bool) {
        return bucket.consume(amount, revertIfExceeded);
    }

    function available() external view returns (uint64) {
        return bucket.available();
    }

    function slotWord() external view returns (uint256 w) {
        assembly {
            w := sload(bucket.slot)
        }
    }

    function level() external view returns (uint64) {
        return bucket.level;
    }

    function capacity() external view returns (uint64) {
        return bucket.capacity;
    }
}

contract RateLimitTest is Test {
    RateLimitHarness internal h;

    function setUp() public {
        vm.warp(1_000_000);
        h = new RateLimitHarness();
    }

    function test_configure_startsFull() public {
        h.configure(100, 1);
        assertEq(h.available(), 100, "full");
    }

    function test_configure_packsOneSlot() public {
        h.configure(100, 7);
        uint256 w = h.slotWord();
        assertEq(uint64(w), 100, "level in low 64 bits");
        assertEq(uint64(w >> 64), 100, "capacity");
        assertEq(uint64(w >> 128), 7, "refill");
        assertEq(uint40(w >> 192), 1_000_000, "lastUpdated");
    }

    function test_configure_clampsLevelToNewCapacity() public {
        h.configure(100, 0);
        h.consume(10, true);
        h.configure(50, 0);
        assertEq(h.available(), 50, "clamped");
        h.configure(200, 0);
        assertEq(h.available(), 50, "kept when raised");
    }

    function test_consume_closedWhenCapacityZero() public {
        assertFalse(h.consume(1, false), "closed by default");
        h.configure(0, 100);
        vm.warp(2_000_000);
        assertEq(h.available(), 0, "closed stays empty");
        assertFalse(h.consume(1, false), "closed");
    }

    function test_consume_unlimited() public {
        h.configure(type(uint64).max, 0);
        assertTrue(h.consume(type(uint64).max, false), "unlimited");
        assertTrue(h.consume(type(uint64).max, false), "still unlimited");
        assertEq(h.available(), type(uint64).max, "available");
    }

    function test_consume_returnsFalseWithoutStateChange() public {
        h.configure(100, 1);
        uint256 before = h.slotWord();
        assertFalse(h.consume(101, false), "over capacity");
        assertEq(h.slotWord(), before, "untouched");
    }

    function test_consume_bucketExhausted() public {
        h.configure(100, 1);
        h.consume(60, true);
        vm.expectRevert(abi.encodeWithSelector(RateLimit.BucketExhausted.selector, 41, 40));
        h.consume(41, true);
    }

    function test_consume_refillsOverTime() public {
        h.configure(100, 2);
        h.consume(100, true);
        assertEq(h.available(), 0, "empty");
        vm.warp(1_000_010);
        assertEq(h.available(), 20, "refilled 10s x 2");
        assertTrue(h.consume(20, false), "consume refilled");
        assertFalse(h.consume(1, false), "empty again");
    }

    function test_consume_refillNeverExceedsCapacity() public {
        h.configure(100, type(uint64).max);
        h.consume(100, true);
        vm.warp(type(uint40).max);
        assertEq(h.available(), 100, "capped");
        h.consume(1, true);
        assertEq(h.level(), 99, "stored level capped");
    }

    function testFuzz_consume_levelNeverAboveCapacity(uint64 capacity, uint64 refill, uint64 a, uint64 b, uint32 dt)
        public
    {
        capacity = uint64(bound(capacity, 1, type(uint64).max - 1));
        h.configure(capacity, refill);
        h.consume(a, false);
        vm.warp(1_000_000 + uint256(dt));
        h.consume(b, false);
        assertLe(h.level(), h.capacity(), "level <= capacity");
        assertLe(h.available(), capacity, "available <= capacity");
    }
}
