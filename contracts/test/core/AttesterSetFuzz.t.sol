// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../utils/Vm.sol";
import {AttesterSetBase} from "./AttesterSetBase.t.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {AttesterSetCodec} from "../../src/libraries/AttesterSetCodec.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";

/// @notice Exposes the codec's internal functions so that their reverts can be observed.
contract AttesterSetCodecHarness {
    function hash(uint64 setId, uint16 bps, address[] memory a, uint96[] memory w) external pure returns (bytes32) {
        return AttesterSetCodec.hash(setId, bps, a, w);
    }

    function encode(uint64 setId, uint16 bps, address[] memory a, uint96[] memory w)
        external
        pure
        returns (bytes memory)
    {
        return AttesterSetCodec.encode(setId, bps, a, w);
    }
}

/// @notice Property tests: an attestation verifies iff it is a valid, strictly ordered quorum; the set codec matches
///         a straightforward reference encoding.
contract AttesterSetFuzzTest is AttesterSetBase {
    AttesterSet internal big; // 19 members, 13-of-19
    uint256[] internal bigKeys;
    AttesterSetCodecHarness internal codec;

    function setUp() public override {
        super.setUp();
        (big, bigKeys) = _deployAttesterSet(DOMAIN, owner, 19, THRESHOLD_13_OF_19);
        codec = new AttesterSetCodecHarness();
    }

    // ---------------------------------------------------------------- helpers

    function _tryVerify(AttesterSet s, bytes32 value, bytes memory att) internal view returns (bool ok) {
        try s.verify(AttestationLib.MESSAGE_TYPEHASH, value, att) returns (uint64) {
            ok = true;
        } catch {
            ok = false;
        }
    }

    function _subset(uint256 mask, uint256 n, uint256[] memory k)
        internal
        pure
        returns (uint256[] memory sk, uint8[] memory si)
    {
        uint256 count;
        for (uint256 i; i < n; ++i) {
            if (mask >> i & 1 == 1) ++count;
        }
        sk = new uint256[](count);
        si = new uint8[](count);
        uint256 j;
        for (uint256 i; i < n; ++i) {
            if (mask >> i & 1 == 1) {
                sk[j] = k[i];
                si[j] = uint8(i);
                ++j;
            }
        }
    }

    function _attestThis(uint64 setId, bytes32 value, uint256[] memory k, uint8[] memory idx)
        internal
        view
        returns (bytes memory)
    {
        return _attest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), setId, value, k, idx);
    }

    /// @dev `n` random addresses sorted ascending with random weights whose total fits uint96.
    function _randomSet(uint256 seed, uint256 n) internal pure returns (address[] memory a, uint96[] memory w) {
        a = new address[](n);
        w = new uint96[](n);
        for (uint256 i; i < n; ++i) {
            a[i] = address(uint160(uint256(keccak256(abi.encode(seed, "addr", i)))) | 1);
            w[i] = uint96(bound(uint256(keccak256(abi.encode(seed, "weight", i))), 1, type(uint96).max / 128));
        }
        for (uint256 i = 1; i < n; ++i) {
            address x = a[i];
            uint256 j = i;
            while (j > 0 && a[j - 1] > x) {
                a[j] = a[j - 1];
                --j;
            }
            a[j] = x;
        }
    }

    function _referenceEncoding(uint64 setId, uint16 bps, address[] memory a, uint96[] memory w)
        internal
        pure
        returns (bytes memory out)
    {
        out = abi.encodePacked(setId, bps, uint8(a.length));
        for (uint256 i; i < a.length; ++i) {
            out = bytes.concat(out, abi.encodePacked(a[i], w[i]));
        }
    }

    // ================================================================ verify properties

    /// @dev Any subset of the 19 members, in index order: verifies iff it has at least 13 members.
    function testFuzz_verify_subsetVerifiesIffQuorum(uint256 mask) public view {
        mask = mask & ((1 << 19) - 1);
        (uint256[] memory k, uint8[] memory idx) = _subset(mask, 19, bigKeys);
        bytes32 value = keccak256(abi.encode(mask));
        bool ok = _tryVerify(big, value, _attestThis(1, value, k, idx));
        assertEq(ok ? 1 : 0, k.length >= 13 ? 1 : 0, "verifies iff >= 13 of 19");
    }

    /// @dev Random weights, threshold and subset: verifies iff signed × 10000 ≥ total × threshold.
    function testFuzz_verify_weightedSubsetVerifiesIffQuorum(uint256 seed, uint256 mask, uint16 bps) public {
        bps = uint16(bound(bps, 5001, 10_000));
        mask = mask & 0x7f;
        uint96[] memory w = new uint96[](7);
        uint256 total;
        for (uint256 i; i < 7; ++i) {
            w[i] = uint96(bound(uint256(keccak256(abi.encode(seed, i))), 1, 1e27));
            total += w[i];
        }
        AttesterSet s = new AttesterSet(DOMAIN, owner, attesters, w, bps, OVERLAP, EMERGENCY_DELAY);
        (uint256[] memory k, uint8[] memory idx) = _subset(mask, 7, keys);
        uint256 signed;
        for (uint256 i; i < idx.length; ++i) {
            signed += w[idx[i]];
        }
        bytes32 value = keccak256(abi.encode(seed));
        bool ok = _tryVerify(s, value, _attestThis(1, value, k, idx));
        bool expected = k.length > 0 && signed * 10_000 >= total * bps;
        assertEq(ok ? 1 : 0, expected ? 1 : 0, "verifies iff weighted quorum");
    }

    /// @dev Random index sequences (possibly repeated, unordered, or past the end; each signed by the member at that
    ///      index, or by an outsider past the end): verifies iff strictly increasing, all members, and >= 5 of 7.
    function testFuzz_verify_randomIndicesVerifyIffOrderedQuorum(uint8[8] memory raw, uint8 len) public view {
        uint256 n = bound(len, 1, 8);
        uint256[] memory k = new uint256[](n);
        uint8[] memory idx = new uint8[](n);
        (uint256[] memory outsiders,,) = _makeSet(1, 7777);
        bool valid = true;
        for (uint256 i; i < n; ++i) {
            idx[i] = uint8(bound(raw[i], 0, 8)); // 7 and 8 are past the end
            k[i] = idx[i] < 7 ? keys[idx[i]] : outsiders[0];
            if (idx[i] >= 7 || (i > 0 && idx[i] <= idx[i - 1])) valid = false;
        }
        if (n < 5) valid = false;
        bytes32 value = keccak256(abi.encode(raw, len));
        bool ok = _tryVerify(set, value, _attestThis(1, value, k, idx));
        assertEq(ok ? 1 : 0, valid ? 1 : 0, "verifies iff ordered quorum of members");
    }

    /// @dev Changing any single byte of a valid attestation makes it fail (every signature is checked strictly).
    function testFuzz_verify_anyByteMutationReverts(uint256 position, uint8 delta) public view {
        bytes32 value = keccak256("mutate me");
        bytes memory att = _msgAttest(1, value, keys, 5);
        assertTrue(_tryVerify(set, value, att), "original verifies");
        position = bound(position, 0, att.length - 1);
        delta = uint8(bound(delta, 1, 255));
        att[position] = bytes1(uint8(att[position]) ^ delta);
        assertFalse(_tryVerify(set, value, att), "mutated attestation rejected");
    }

    /// @dev Swapping two signatures of a valid attestation always fails as out of order at the first inversion.
    function testFuzz_verify_swappedSignaturesRevertOutOfOrder(uint256 i, uint256 j) public {
        bytes32 value = keccak256("swap");
        i = bound(i, 0, 4);
        j = bound(j, 0, 4);
        if (i == j) j = (i + 1) % 5;
        if (i > j) (i, j) = (j, i);
        uint256[] memory k = new uint256[](5);
        uint8[] memory idx = new uint8[](5);
        for (uint256 p; p < 5; ++p) {
            k[p] = keys[p];
            idx[p] = uint8(p);
        }
        (k[i], k[j]) = (k[j], k[i]);
        (idx[i], idx[j]) = (idx[j], idx[i]);
        bytes memory att = _attestThis(1, value, k, idx);
        // Position i now holds index j; the next position holds i (adjacent swap) or i + 1, both below j.
        uint256 next = j == i + 1 ? i : i + 1;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.SignersOutOfOrder.selector, next, j));
        _verifyMessage(value, att);
    }

    /// @dev Repeating any signature right after itself fails as a duplicate.
    function testFuzz_verify_repeatedSignatureRevertsDuplicate(uint256 i) public {
        bytes32 value = keccak256("repeat");
        i = bound(i, 0, 4);
        uint256[] memory k = new uint256[](6);
        uint8[] memory idx = new uint8[](6);
        uint256 p;
        for (uint256 q; q < 5; ++q) {
            k[p] = keys[q];
            idx[p++] = uint8(q);
            if (q == i) {
                k[p] = keys[q];
                idx[p++] = uint8(q);
            }
        }
        bytes memory att = _attestThis(1, value, k, idx);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.DuplicateSigner.selector, i));
        _verifyMessage(value, att);
    }

    /// @dev Dropping any one signature from an exact 13-of-19 quorum leaves it short.
    function testFuzz_verify_droppedSignatureFallsShort(uint256 drop, uint256 offset) public {
        bytes32 value = keccak256("drop");
        offset = bound(offset, 0, 5); // which 13 consecutive members sign
        drop = bound(drop, 0, 12);
        uint256[] memory k = new uint256[](12);
        uint8[] memory idx = new uint8[](12);
        uint256 p;
        for (uint256 q; q < 13; ++q) {
            if (q == drop) continue;
            k[p] = bigKeys[offset + q];
            idx[p++] = uint8(offset + q);
        }
        bytes memory att = _attestThis(1, value, k, idx);
        uint256 required = (19 * uint256(ATTESTER_WEIGHT) * THRESHOLD_13_OF_19 + 9999) / 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(IAttesterSet.InsufficientWeight.selector, 12 * uint256(ATTESTER_WEIGHT), required)
        );
        big.verify(AttestationLib.MESSAGE_TYPEHASH, value, att);
    }

    /// @dev Any malformed length is rejected before anything else is read.
    function testFuzz_verify_malformedLengthReverts(uint256 length) public {
        length = bound(length, 0, 8 + 66 * 8);
        vm.assume(length >= 8 ? (length - 8) % 66 != 0 : true);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.MalformedAttestation.selector, length));
        _verifyMessage(keccak256("x"), new bytes(length));
    }

    // ================================================================ codec properties

    function testFuzz_hash_matchesReferenceEncoding(uint64 setId, uint16 bps, uint256 seed, uint8 n) public view {
        n = uint8(bound(n, 0, 128));
        (address[] memory a, uint96[] memory w) = _randomSet(seed, n);
        bytes memory ref = _referenceEncoding(setId, bps, a, w);
        assertEq(codec.encode(setId, bps, a, w), ref, "encoding");
        assertEq(ref.length, 11 + 32 * uint256(n), "length");
        assertEq(codec.hash(setId, bps, a, w), keccak256(ref), "hash");
    }

    function testFuzz_hash_changesWithEveryField(uint256 seed, uint8 n, uint256 which, uint256 at) public view {
        n = uint8(bound(n, 1, 32));
        (address[] memory a, uint96[] memory w) = _randomSet(seed, n);
        bytes32 h = codec.hash(5, 6000, a, w);
        which = bound(which, 0, 3);
        at = bound(at, 0, n - 1);
        if (which == 0) {
            assertTrue(codec.hash(6, 6000, a, w) != h, "set id");
        } else if (which == 1) {
            assertTrue(codec.hash(5, 6001, a, w) != h, "threshold");
        } else if (which == 2) {
            a[at] = address(uint160(a[at]) ^ 1);
            assertTrue(codec.hash(5, 6000, a, w) != h, "attester");
        } else {
            w[at] = w[at] ^ 1;
            assertTrue(codec.hash(5, 6000, a, w) != h, "weight");
        }
    }

    function test_hash_revertsOnLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(AttesterSetCodec.AttesterSetLengthMismatch.selector, 2, 1));
        codec.hash(1, 6000, new address[](2), new uint96[](1));
    }

    function test_hash_revertsOnCountOverflow() public {
        vm.expectRevert(abi.encodeWithSelector(AttesterSetCodec.AttesterSetCountOverflow.selector, 256));
        codec.hash(1, 6000, new address[](256), new uint96[](256));
    }

    function test_hash_knownVector() public view {
        // keccak256(0x0000000000000001 ‖ 0x1bee ‖ 0x02 ‖ 0x…01 ‖ 0x…000a ‖ 0x…02 ‖ 0x…0014), computed by hand.
        address[] memory a = new address[](2);
        uint96[] memory w = new uint96[](2);
        a[0] = address(1);
        a[1] = address(2);
        w[0] = 10;
        w[1] = 20;
        bytes memory expected = bytes.concat(
            hex"0000000000000001" hex"1bee" hex"02",
            hex"0000000000000000000000000000000000000001" hex"00000000000000000000000a",
            hex"0000000000000000000000000000000000000002" hex"000000000000000000000014"
        );
        assertEq(codec.encode(1, 7150, a, w), expected, "vector encoding");
        assertEq(codec.hash(1, 7150, a, w), keccak256(expected), "vector hash");
    }

    // ================================================================ storage round trip

    /// @dev Any valid set survives the SSTORE2 blob: getSet returns it and it hashes like the input.
    function testFuzz_getSet_roundTripsStoredSet(uint256 seed, uint8 n, uint16 bps) public {
        n = uint8(bound(n, 1, 128));
        bps = uint16(bound(bps, 5001, 10_000));
        (address[] memory a, uint96[] memory w) = _randomSet(seed, n);
        AttesterSet s = new AttesterSet(DOMAIN, owner, a, w, bps, OVERLAP, EMERGENCY_DELAY);
        (address[] memory ga, uint96[] memory gw, uint16 gb, uint96 total, uint40 expiresAt) = s.getSet(1);
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            assertEq(ga[i], a[i], "attester");
            assertEq(gw[i], w[i], "weight");
            sum += w[i];
        }
        assertEq(ga.length, n, "count");
        assertEq(gb, bps, "threshold");
        assertEq(total, sum, "total");
        assertEq(expiresAt, 0, "expiry");
        assertEq(codec.hash(1, gb, ga, gw), codec.hash(1, bps, a, w), "hash of stored set");
    }

    /// @dev Swapping two neighbours of a sorted set is always caught.
    function testFuzz_constructor_rejectsUnsorted(uint256 seed, uint8 n, uint256 at) public {
        n = uint8(bound(n, 2, 64));
        (address[] memory a, uint96[] memory w) = _randomSet(seed, n);
        at = bound(at, 0, n - 2);
        (a[at], a[at + 1]) = (a[at + 1], a[at]);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.AttestersNotSorted.selector, at + 1));
        new AttesterSet(DOMAIN, owner, a, w, 6000, OVERLAP, EMERGENCY_DELAY);
    }
}
