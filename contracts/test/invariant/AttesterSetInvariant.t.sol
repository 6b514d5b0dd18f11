// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {AttesterSetCodec} from "../../src/libraries/AttesterSetCodec.sol";
import {Message} from "../../src/libraries/Message.sol";

/// @notice Drives an AttesterSet through random quorum rotations, emergency rotations, equivocation reports and time,
///         keeping a ghost copy of every set (members, current weights, keys).
contract AttesterSetHandler is Test, AttesterHarness {
    uint32 internal constant DOMAIN = 1001;
    uint32 internal constant EMERGENCY_DELAY = 2 days;

    AttesterSet public set;
    uint64 internal nonce;

    mapping(uint64 setId => uint256[]) internal ghostKeys;
    mapping(uint64 setId => address[]) internal ghostAttesters;
    mapping(uint64 setId => uint96[]) internal ghostWeights;
    mapping(uint64 setId => uint16) public ghostThreshold;

    uint256 public rotations;
    uint256 public emergencies;
    uint256 public slashes;

    constructor() {
        (uint256[] memory k, address[] memory a, uint96[] memory w) = _weightedSet(5, 1);
        set = new AttesterSet(DOMAIN, address(this), a, w, 6000, 1 days, EMERGENCY_DELAY); // handler is owner
        _record(1, k, a, w, 6000);
    }

    // ---------------------------------------------------------------- actions

    /// @notice Rotates with every still-counted member of the current set signing.
    function rotate(uint256 seed, uint256 n, uint16 bps) external {
        (uint256[] memory k, address[] memory a, uint96[] memory w) = _weightedSet(bound(n, 1, 8), seed);
        bps = uint16(bound(bps, 5001, 10_000));
        uint64 current = set.currentSetId();
        (uint256[] memory signers, uint8[] memory idx) = _countedSigners(current);
        if (signers.length == 0) return; // every member was removed: only the emergency path is left
        bytes32 h = AttesterSetCodec.hash(current + 1, bps, a, w);
        bytes memory att = _attest(
            AttestationLib.ROTATION_TYPEHASH, DOMAIN, _toBytes32(address(set)), current, h, signers, idx
        );
        set.rotate(a, w, bps, att);
        _record(current + 1, k, a, w, bps);
        ++rotations;
    }

    /// @notice Owner proposes, time passes, anyone executes.
    function emergencyRotate(uint256 seed, uint256 n) external {
        (uint256[] memory k, address[] memory a, uint96[] memory w) = _weightedSet(bound(n, 1, 8), seed);
        set.proposeEmergencyRotation(a, w, 10_000);
        vm.warp(block.timestamp + EMERGENCY_DELAY);
        uint64 next = set.currentSetId() + 1;
        set.executeEmergencyRotation(a, w, 10_000);
        _record(next, k, a, w, 10_000);
        ++emergencies;
    }

    /// @notice A member of the current set signs two conflicting messages and is reported.
    function equivocate(uint256 who) external {
        uint64 current = set.currentSetId();
        uint256 count = ghostAttesters[current].length;
        uint256 i = who % count;
        if (ghostWeights[current][i] == 0) return;
        uint256 key = ghostKeys[current][i];
        address cheat = ghostAttesters[current][i];
        uint64 n = nonce++;
        bytes memory m1 = Message.encode(n, 1002, bytes32(0), DOMAIN, bytes32(uint256(1)), "a");
        bytes memory m2 = Message.encode(n, 1002, bytes32(0), DOMAIN, bytes32(uint256(1)), "b");
        set.reportEquivocation(_evidence(m1, key), _evidence(m2, key));
        // Mirror: removed from every live set that counts it.
        for (uint64 id = current; id != 0 && set.isLive(id); --id) {
            address[] storage members = ghostAttesters[id];
            for (uint256 j; j < members.length; ++j) {
                if (members[j] == cheat) ghostWeights[id][j] = 0;
            }
        }
        ++slashes;
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 2 days));
    }

    // ---------------------------------------------------------------- ghost reads

    function ghostSet(uint64 setId)
        external
        view
        returns (uint256[] memory keys, address[] memory attesters, uint96[] memory weights)
    {
        return (ghostKeys[setId], ghostAttesters[setId], ghostWeights[setId]);
    }

    /// @notice Keys and indices of the members of `setId` that still count.
    function _countedSigners(uint64 setId) internal view returns (uint256[] memory k, uint8[] memory idx) {
        uint96[] storage w = ghostWeights[setId];
        uint256 counted;
        for (uint256 i; i < w.length; ++i) {
            if (w[i] != 0) ++counted;
        }
        k = new uint256[](counted);
        idx = new uint8[](counted);
        uint256 p;
        for (uint256 i; i < w.length; ++i) {
            if (w[i] == 0) continue;
            k[p] = ghostKeys[setId][i];
            idx[p++] = uint8(i);
        }
    }

    function countedSigners(uint64 setId) external view returns (uint256[] memory, uint8[] memory) {
        return _countedSigners(setId);
    }

    // ---------------------------------------------------------------- internals

    function _weightedSet(uint256 n, uint256 seed)
        internal
        pure
        returns (uint256[] memory k, address[] memory a, uint96[] memory w)
    {
        (k, a, w) = _makeSet(n, seed);
        for (uint256 i; i < n; ++i) {
            w[i] = uint96(bound(uint256(keccak256(abi.encode(seed, i))), 1, 1000));
        }
    }

    function _record(uint64 id, uint256[] memory k, address[] memory a, uint96[] memory w, uint16 bps) internal {
        ghostKeys[id] = k;
        ghostAttesters[id] = a;
        ghostWeights[id] = w;
        ghostThreshold[id] = bps;
    }

    function _evidence(bytes memory m, uint256 key) internal pure returns (AttesterSet.Evidence memory e) {
        e.message = m;
        e.verifier = bytes32(uint256(0xcafe));
        e.attesterSetId = 1;
        e.signature = _signDigest(
            key, AttestationLib.digest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, e.verifier, 1, keccak256(m))
        );
    }
}

/// @notice Invariants of set succession, storage and quorum under random rotations, slashing and time.
contract AttesterSetInvariantTest is Test, AttesterHarness {
    AttesterSetHandler internal handler;
    AttesterSet internal set;

    function setUp() public {
        vm.warp(1_700_000_000);
        handler = new AttesterSetHandler();
        set = handler.set();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev The newest set never expires.
    function invariant_currentSetIsLive() public view {
        assertTrue(set.isLive(set.currentSetId()), "current set live");
    }

    /// @dev Only the current set and its predecessor can be live, so at most two sets verify at any time.
    function invariant_onlyCurrentAndPreviousLive() public view {
        uint64 current = set.currentSetId();
        for (uint64 id = 1; id + 1 < current; ++id) {
            assertFalse(set.isLive(id), "older set expired");
        }
    }

    /// @dev Every stored set equals the ghost: same members at the same indices, same weights (0 once removed),
    ///      total weight = sum of current weights.
    function invariant_storedSetsMatchGhost() public view {
        uint64 current = set.currentSetId();
        for (uint64 id = 1; id <= current; ++id) {
            (address[] memory a, uint96[] memory w, uint16 bps, uint96 total,) = set.getSet(id);
            (, address[] memory ga, uint96[] memory gw) = handler.ghostSet(id);
            assertEq(a.length, ga.length, "count");
            uint256 sum;
            for (uint256 i; i < a.length; ++i) {
                assertEq(a[i], ga[i], "member");
                assertEq(w[i], gw[i], "weight");
                sum += w[i];
            }
            assertEq(total, sum, "total = sum of weights");
            assertEq(bps, handler.ghostThreshold(id), "threshold");
        }
    }

    /// @dev The members of the current set that were never removed can always attest together.
    function invariant_remainingMembersCanAttest() public view {
        uint64 current = set.currentSetId();
        (uint256[] memory k, uint8[] memory idx) = handler.countedSigners(current);
        if (k.length == 0) return;
        bytes32 value = keccak256(abi.encode("invariant", current));
        bytes memory att =
            _attest(AttestationLib.MESSAGE_TYPEHASH, 1001, _toBytes32(address(this)), current, value, k, idx);
        assertEq(set.verify(AttestationLib.MESSAGE_TYPEHASH, value, att), current, "remaining members verify");
    }
}
