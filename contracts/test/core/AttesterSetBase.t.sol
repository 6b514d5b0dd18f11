// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {AttesterSetCodec} from "../../src/libraries/AttesterSetCodec.sol";
import {Message} from "../../src/libraries/Message.sol";

/// @notice Shared fixture: a 7-member equal-weight set 1 on domain 1001 with a 5-of-7 threshold.
abstract contract AttesterSetBase is Test, AttesterHarness {
    uint32 internal constant DOMAIN = 1001;
    uint32 internal constant REMOTE_DOMAIN = 1002;
    uint32 internal constant OVERLAP = 1 days;
    uint32 internal constant EMERGENCY_DELAY = 7 days;
    uint256 internal constant START = 1_700_000_000;

    address internal owner = makeAddr("owner");
    address internal stranger = makeAddr("stranger");
    /// @dev Stand-in for a destination gateway: the verifier field of message attestations.
    address internal gateway = makeAddr("gateway");

    AttesterSet internal set;
    uint256[] internal keys;
    address[] internal attesters;
    uint96[] internal weights;

    function setUp() public virtual {
        vm.warp(START);
        (keys, attesters, weights) = _makeSet(7);
        set = new AttesterSet(DOMAIN, owner, attesters, weights, THRESHOLD_5_OF_7, OVERLAP, EMERGENCY_DELAY);
    }

    // ---------------------------------------------------------------- attestation helpers (verifier = this test)

    function _msgAttest(uint64 setId, bytes32 value, uint256[] memory signerKeys, uint256 count)
        internal
        view
        returns (bytes memory)
    {
        return _attestMessage(DOMAIN, address(this), setId, value, signerKeys, count);
    }

    function _verifyMessage(bytes32 value, bytes memory attestation) internal view returns (uint64) {
        return set.verify(AttestationLib.MESSAGE_TYPEHASH, value, attestation);
    }

    function _digest(uint64 setId, bytes32 value) internal view returns (bytes32) {
        return AttestationLib.digest(AttestationLib.MESSAGE_TYPEHASH, DOMAIN, _toBytes32(address(this)), setId, value);
    }

    /// @dev Replaces the `r ‖ s ‖ v` of signature `i` in an attestation.
    function _setSignature(bytes memory attestation, uint256 i, bytes32 r, bytes32 s, uint8 v) internal pure {
        uint256 o = 8 + 66 * i + 1;
        assembly {
            let p := add(add(attestation, 0x20), o)
            mstore(p, r)
            mstore(add(p, 0x20), s)
            mstore8(add(p, 0x40), v)
        }
    }

    function _signatureAt(bytes memory attestation, uint256 i) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        uint256 o = 8 + 66 * i + 1;
        assembly {
            let p := add(add(attestation, 0x20), o)
            r := mload(p)
            s := mload(add(p, 0x20))
            v := byte(0, mload(add(p, 0x40)))
        }
    }

    function _setIndex(bytes memory attestation, uint256 i, uint8 index) internal pure {
        attestation[8 + 66 * i] = bytes1(index);
    }

    function _keys(uint256 a) internal view returns (uint256[] memory k) {
        k = new uint256[](1);
        k[0] = keys[a];
    }

    function _indices(uint8 a) internal pure returns (uint8[] memory i) {
        i = new uint8[](1);
        i[0] = a;
    }

    function _concat(uint256[] memory a, uint256[] memory b) internal pure returns (uint256[] memory c) {
        c = new uint256[](a.length + b.length);
        for (uint256 i; i < a.length; ++i) {
            c[i] = a[i];
        }
        for (uint256 i; i < b.length; ++i) {
            c[a.length + i] = b[i];
        }
    }

    // ---------------------------------------------------------------- rotation helpers

    /// @dev Rotates to `(nextAttesters, nextWeights, bps)` with a quorum (first `count` keys) of the current set.
    function _rotate(
        uint256[] memory currentKeys,
        uint256 count,
        address[] memory nextAttesters,
        uint96[] memory nextWeights,
        uint16 bps
    ) internal {
        uint64 current = set.currentSetId();
        bytes memory att = _attestRotation(set, current, nextAttesters, nextWeights, bps, currentKeys, count);
        set.rotate(nextAttesters, nextWeights, bps, att);
    }

    // ---------------------------------------------------------------- messages

    function _message(uint64 nonce, uint32 origin, uint32 destination, bytes memory payload)
        internal
        view
        returns (bytes memory)
    {
        return Message.encode(nonce, origin, _toBytes32(stranger), destination, _toBytes32(gateway), payload);
    }

    function _recover(bytes32 digest, bytes32 r, bytes32 s, uint8 v) internal pure returns (address) {
        return ecrecover(digest, v, r, s);
    }

    /// @dev The address signature `i` of `attestation` recovers to under `digest`.
    function _recoveredAt(bytes memory attestation, uint256 i, bytes32 digest) internal pure returns (address) {
        (bytes32 r, bytes32 s, uint8 v) = _signatureAt(attestation, i);
        return ecrecover(digest, v, r, s);
    }

    function _rotationDigest(uint64 setId, bytes32 nextHash) internal view returns (bytes32) {
        return AttestationLib.digest(AttestationLib.ROTATION_TYPEHASH, DOMAIN, _toBytes32(address(set)), setId, nextHash);
    }

    function _setHash(uint64 setId, uint16 bps, address[] memory a, uint96[] memory w) internal pure returns (bytes32) {
        return AttesterSetCodec.hash(setId, bps, a, w);
    }
}
