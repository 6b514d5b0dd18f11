// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";
import {CommunityRegistry} from "../../src/revenue/CommunityRegistry.sol";
import {SplitPolicy, SplitPolicyLibrary} from "../../src/types/SplitPolicy.sol";

/// @notice Shared fixture: a registry with hour-long epochs, the clock in epoch 10, and helpers to create communities.
abstract contract CommunityRegistryBase is Test {
    uint40 internal constant GENESIS = 1_700_000_000;
    uint32 internal constant EPOCH = 1 hours;
    /// @dev setUp warps to the middle of this epoch.
    uint64 internal constant START_EPOCH = 10;

    address internal owner = makeAddr("owner");
    address internal moderator = makeAddr("moderator");
    address internal stranger = makeAddr("stranger");
    address internal treasury = makeAddr("treasury");
    address internal newOwner = makeAddr("newOwner");

    CommunityRegistry internal registry;

    function setUp() public virtual {
        registry = new CommunityRegistry(GENESIS, EPOCH);
        _warpToEpoch(START_EPOCH);
    }

    // ---------------------------------------------------------------- policies

    function _policy() internal pure returns (SplitPolicy) {
        return SplitPolicyLibrary.pack(7000, 1500, 1000, 500);
    }

    function _otherPolicy() internal pure returns (SplitPolicy) {
        return SplitPolicyLibrary.pack(6000, 2000, 1500, 500);
    }

    function _word(SplitPolicy p) internal pure returns (uint256) {
        return SplitPolicy.unwrap(p);
    }

    /// @dev A valid policy derived from `seed`.
    function _policyFrom(uint256 seed) internal pure returns (SplitPolicy) {
        uint16 p = uint16(seed % 1001);
        uint16 c = uint16((seed >> 16) % (10_001 - uint256(p)));
        uint16 t = uint16((seed >> 32) % (10_001 - uint256(p) - c));
        return SplitPolicyLibrary.pack(c, t, 10_000 - p - c - t, p);
    }

    // ---------------------------------------------------------------- sources

    function _sources() internal pure returns (bytes[] memory s) {
        s = new bytes[](2);
        s[0] = bytes("https://warpcast.com/~/channel/maskoii");
        s[1] = bytes("bsky:feed:at://did:plc:abc/app.bsky.feed.generator/maskoii");
    }

    function _noSources() internal pure returns (bytes[] memory) {
        return new bytes[](0);
    }

    function _bytesOf(uint256 length, bytes1 fill) internal pure returns (bytes memory b) {
        b = new bytes(length);
        for (uint256 i; i < length; ++i) {
            b[i] = fill;
        }
    }

    function _stringOf(uint256 length) internal pure returns (string memory) {
        return string(_bytesOf(length, "u"));
    }

    // ---------------------------------------------------------------- communities and time

    /// @dev Creates a community owned by `owner` with two sources, `_policy()` and the defaults.
    function _create() internal returns (uint64 id) {
        vm.prank(owner);
        id = registry.createCommunity("ipfs://community", treasury, _sources(), _policy(), 0, 0);
    }

    /// @dev `_create()` plus `moderator` as moderator.
    function _createModerated() internal returns (uint64 id) {
        id = _create();
        vm.prank(owner);
        registry.addModerator(id, moderator);
    }

    /// @dev Warps to the middle of `epoch`.
    function _warpToEpoch(uint64 epoch) internal {
        vm.warp(uint256(GENESIS) + uint256(epoch) * EPOCH + EPOCH / 2);
    }
}
