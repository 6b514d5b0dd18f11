// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Amounts} from "../../src/libraries/Amounts.sol";
import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";

contract AmountsHarness {
    function toShared(uint256 amount, uint8 l, uint8 s) external pure returns (uint64, uint256) {
        return Amounts.toShared(amount, l, s);
    }

    function toLocal(uint64 shared, uint8 l, uint8 s) external pure returns (uint256) {
        return Amounts.toLocal(shared, l, s);
    }
}

contract AmountsTest is Test {
    AmountsHarness internal h = new AmountsHarness();

    function test_toShared_18to8() public view {
        (uint64 wire, uint256 dust) = h.toShared(1.234567891234567891e18, 18, 8);
        assertEq(wire, 123456789, "wire");
        assertEq(dust, 1234567891, "dust");
    }

    function test_toShared_18to9() public view {
        (uint64 wire, uint256 dust) = h.toShared(5e18 + 7, 18, 9);
        assertEq(wire, 5e9, "wire");
        assertEq(dust, 7, "dust");
        assertEq(h.toLocal(wire, 18, 9), 5e18, "back to local");
    }

    function test_toShared_equalDecimalsNoDust() public view {
        (uint64 wire, uint256 dust) = h.toShared(123, 6, 6);
        assertEq(wire, 123, "wire");
        assertEq(dust, 0, "dust");
    }

    function test_toShared_amountTooSmall() public {
        vm.expectRevert(abi.encodeWithSelector(Amounts.AmountTooSmall.selector, 1e10 - 1));
        h.toShared(1e10 - 1, 18, 8);
    }

    function test_toShared_zeroAmountTooSmall() public {
        vm.expectRevert(abi.encodeWithSelector(Amounts.AmountTooSmall.selector, 0));
        h.toShared(0, 6, 6);
    }

    function test_toShared_amountExceedsWireLimit() public {
        uint256 amount = (uint256(type(uint64).max) + 1) * 1e10;
        vm.expectRevert(abi.encodeWithSelector(Amounts.AmountExceedsWireLimit.selector, amount));
        h.toShared(amount, 18, 8);
    }

    function test_toShared_wireLimitExactlyFits() public view {
        (uint64 wire,) = h.toShared(uint256(type(uint64).max) * 1e10 + 5, 18, 8);
        assertEq(wire, type(uint64).max, "max wire");
    }

    function test_toShared_invalidDecimalsSharedAboveLocal() public {
        vm.expectRevert(abi.encodeWithSelector(Amounts.InvalidDecimals.selector, 6, 8));
        h.toShared(1e6, 6, 8);
    }

    function test_toLocal_invalidDecimalsAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(Amounts.InvalidDecimals.selector, 37, 8));
        h.toLocal(1, 37, 8);
    }

    function test_toLocal_maxDecimalsNoOverflow() public view {
        assertEq(h.toLocal(type(uint64).max, 36, 0), uint256(type(uint64).max) * 1e36, "max");
    }

    /// @dev wire * scale + dust == amount, dust < scale, and toLocal(wire) == amount - dust.
    function testFuzz_toShared_conservesValue(uint256 amount, uint8 l, uint8 s) public view {
        l = uint8(bound(l, 0, 36));
        s = uint8(bound(s, 0, l));
        uint256 scale = 10 ** uint256(l - s);
        amount = bound(amount, scale, uint256(type(uint64).max) * scale);
        (uint64 wire, uint256 dust) = h.toShared(amount, l, s);
        assertLe(dust, scale - 1, "dust below scale");
        assertEq(h.toLocal(wire, l, s), amount - dust, "local of wire is dust-free amount");
        assertEq(uint256(wire) * scale + dust, amount, "nothing created or destroyed");
    }

    /// @dev toShared(toLocal(w)) == (w, 0): a wire amount survives a round trip exactly.
    function testFuzz_toLocal_roundTrip(uint64 wire, uint8 l, uint8 s) public view {
        l = uint8(bound(l, 0, 36));
        s = uint8(bound(s, 0, l));
        wire = uint64(bound(wire, 1, type(uint64).max));
        (uint64 back, uint256 dust) = h.toShared(h.toLocal(wire, l, s), l, s);
        assertEq(back, wire, "wire round trip");
        assertEq(dust, 0, "no dust");
    }
}
