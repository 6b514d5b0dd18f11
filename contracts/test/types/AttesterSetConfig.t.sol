// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttesterSetConfig, AttesterSetConfigLibrary} from "../../src/types/AttesterSetConfig.sol";
import {Test} from "../utils/Test.sol";

/// @notice The attester set config word: layout, round trips of every field, setters that touch only their field.
contract AttesterSetConfigTest is Test {
    uint256 internal constant PAUSED = AttesterSetConfigLibrary.PAUSED_FLAG;

    function _word(AttesterSetConfig c) internal pure returns (uint256) {
        return AttesterSetConfig.unwrap(c);
    }

    function test_pack_layoutMatchesTheDocumentedBits() public pure {
        AttesterSetConfig c = AttesterSetConfigLibrary.pack(address(0xB10B), 7, 6667, 0);
        assertEq(_word(c), uint256(0xB10B) | (uint256(7) << 160) | (uint256(6667) << 168), "layout");
        assertEq(_word(c.withExpiresAt(1234)), _word(c) | (uint256(1234) << 184), "expiry at bit 184");
        assertEq(_word(c.withPaused(true)), _word(c) | (uint256(1) << 224), "paused flag at bit 224");
    }

    function test_pack_maximumFieldsDoNotBleed() public pure {
        address maxPointer = address(type(uint160).max);
        AttesterSetConfig c = AttesterSetConfigLibrary.pack(maxPointer, type(uint8).max, type(uint16).max, PAUSED);
        c = c.withExpiresAt(type(uint40).max);
        assertEq(c.pointer(), maxPointer, "pointer");
        assertEq(c.count(), type(uint8).max, "count");
        assertEq(c.thresholdBps(), type(uint16).max, "threshold");
        assertEq(c.expiresAt(), type(uint40).max, "expiresAt");
        assertTrue(c.isPaused(), "paused");
        assertEq(_word(c), (uint256(1) << 225) - 1, "every field bit set, nothing above the flag");
    }

    function test_pack_zeroFieldsIsTheEmptyWord() public pure {
        AttesterSetConfig c = AttesterSetConfigLibrary.pack(address(0), 0, 0, 0);
        assertEq(_word(c), 0, "zero");
        assertFalse(c.exists(), "no set");
        assertFalse(c.isLive(0), "not live");
    }

    function test_pack_roundTrips(address pointer, uint8 count, uint16 thresholdBps, bool paused) public pure {
        AttesterSetConfig c = AttesterSetConfigLibrary.pack(pointer, count, thresholdBps, paused ? PAUSED : 0);
        assertEq(c.pointer(), pointer, "pointer");
        assertEq(c.count(), count, "count");
        assertEq(c.thresholdBps(), thresholdBps, "threshold");
        assertEq(c.expiresAt(), 0, "a new set never expires");
        assertTrue(c.isPaused() == paused, "paused");
        assertTrue(c.hasAnyFlag(PAUSED) == paused, "hasAnyFlag(PAUSED)");
        assertFalse(c.hasAnyFlag(0), "an empty mask never matches");
        assertTrue(c.exists() == (_word(c) != 0), "exists iff non-zero");
    }

    function test_withExpiresAt_touchesOnlyTheExpiry(uint256 word, uint40 expiresAt) public pure {
        AttesterSetConfig c = AttesterSetConfig.wrap(word).withExpiresAt(expiresAt);
        assertEq(c.expiresAt(), expiresAt, "expiresAt");
        uint256 field = uint256(type(uint40).max) << 184;
        assertEq(_word(c) & ~field, word & ~field, "other bits kept");
    }

    function test_withPointer_touchesOnlyThePointer(uint256 word, address pointer) public pure {
        AttesterSetConfig c = AttesterSetConfig.wrap(word).withPointer(pointer);
        assertEq(c.pointer(), pointer, "pointer");
        assertEq(_word(c) >> 160, word >> 160, "other bits kept");
    }

    function test_withPaused_touchesOnlyTheFlag(uint256 word, bool paused) public pure {
        AttesterSetConfig c = AttesterSetConfig.wrap(word).withPaused(paused);
        assertTrue(c.isPaused() == paused, "flag");
        assertEq(_word(c) & ~PAUSED, word & ~PAUSED, "other bits kept");
        assertEq(_word(c.withPaused(!paused).withPaused(paused)), _word(c), "toggle round trip");
    }

    function test_isLive_expiryBoundaries() public pure {
        AttesterSetConfig current = AttesterSetConfigLibrary.pack(address(1), 1, 5001, 0);
        assertTrue(current.isLive(type(uint256).max), "no expiry: live forever");
        AttesterSetConfig expiring = current.withExpiresAt(1000);
        assertTrue(expiring.isLive(999), "live before expiry");
        assertFalse(expiring.isLive(1000), "expired at expiresAt");
        assertFalse(expiring.isLive(1001), "expired after");
        assertFalse(AttesterSetConfig.wrap(0).isLive(0), "no set is never live");
    }

    function test_isLive_matchesExpiry(uint40 expiresAt, uint256 timestamp) public pure {
        AttesterSetConfig c = AttesterSetConfigLibrary.pack(address(1), 1, 5001, 0).withExpiresAt(expiresAt);
        assertTrue(c.isLive(timestamp) == (expiresAt == 0 || timestamp < expiresAt), "live");
    }
}
