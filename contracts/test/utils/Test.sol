// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./Vm.sol";

/// @notice Minimal assertion base for Hardhat Solidity tests (forge-std's Test is not installable here).
abstract contract Test {
    error AssertionFailed(string what);
    error AssertionFailedUint(string what, uint256 left, uint256 right);
    error AssertionFailedBytes32(string what, bytes32 left, bytes32 right);
    error AssertionFailedAddress(string what, address left, address right);

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what);
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) revert AssertionFailed(what);
    }

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailedUint(what, left, right);
    }

    function assertEq(bytes32 left, bytes32 right, string memory what) internal pure {
        if (left != right) revert AssertionFailedBytes32(what, left, right);
    }

    function assertEq(address left, address right, string memory what) internal pure {
        if (left != right) revert AssertionFailedAddress(what, left, right);
    }

    function assertEq(bytes memory left, bytes memory right, string memory what) internal pure {
        if (keccak256(left) != keccak256(right)) revert AssertionFailedBytes32(what, keccak256(left), keccak256(right));
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailedUint(what, left, right);
    }

    function assertGe(uint256 left, uint256 right, string memory what) internal pure {
        if (left < right) revert AssertionFailedUint(what, left, right);
    }

    /// @dev Bounds `x` into [lo, hi] without rejecting fuzz inputs.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (lo > hi) revert AssertionFailed("bound: lo > hi");
        if (x >= lo && x <= hi) return x;
        uint256 size = hi - lo + 1;
        if (size == 0) return x; // full range
        return lo + (x % size);
    }

    function makeAddr(string memory name) internal returns (address who) {
        who = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(who, name);
    }
}
