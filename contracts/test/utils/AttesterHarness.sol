// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./Vm.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {AttesterSetCodec} from "../../src/libraries/AttesterSetCodec.sol";

/// @notice Test helpers for anything that needs attester keys and attestations: deterministic keys sorted by
///         address, attester sets, and attestations encoded per docs/protocol.md §4
///         (`uint64 setId ‖ k × (uint8 index ‖ r ‖ s ‖ v)`). Inherit it next to `Test`.
abstract contract AttesterHarness {
    /// @dev Weight of every member of a `_makeSet` set (equal stake).
    uint96 internal constant ATTESTER_WEIGHT = 1 ether;
    /// @dev secp256k1 group order.
    uint256 internal constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    /// @dev Default seed of `_makeSet(n)`; use `_makeSet(n, seed)` for a disjoint set (e.g. the next rotation).
    uint256 internal constant DEFAULT_ATTESTER_SEED = 0x6d61736b6f6969;

    /// @dev Thresholds from the brief: 5-of-7 and 13-of-19 pass, 4-of-7 and 12-of-19 fail.
    uint16 internal constant THRESHOLD_5_OF_7 = 7142;
    uint16 internal constant THRESHOLD_13_OF_19 = 6842;

    /// @notice `_attest` was given a different number of keys and indices.
    error AttesterHarnessLengthMismatch(uint256 keys, uint256 indices);

    /// @notice `n` deterministic attester keys from the default seed, sorted ascending by address, equal weights.
    function _makeSet(uint256 n)
        internal
        pure
        returns (uint256[] memory keys, address[] memory attesters, uint96[] memory weights)
    {
        return _makeSet(n, DEFAULT_ATTESTER_SEED);
    }

    /// @notice `n` deterministic attester keys derived from `seed`, sorted ascending by address, equal weights.
    function _makeSet(uint256 n, uint256 seed)
        internal
        pure
        returns (uint256[] memory keys, address[] memory attesters, uint96[] memory weights)
    {
        keys = new uint256[](n);
        attesters = new address[](n);
        weights = new uint96[](n);
        for (uint256 i; i < n; ++i) {
            uint256 key = uint256(keccak256(abi.encode("maskoii.attester", seed, i))) % (SECP256K1_N - 1) + 1;
            keys[i] = key;
            attesters[i] = vm.addr(key);
            weights[i] = ATTESTER_WEIGHT;
        }
        // Insertion sort by address (n ≤ 128).
        for (uint256 i = 1; i < n; ++i) {
            uint256 k = keys[i];
            address a = attesters[i];
            uint256 j = i;
            while (j > 0 && attesters[j - 1] > a) {
                attesters[j] = attesters[j - 1];
                keys[j] = keys[j - 1];
                --j;
            }
            attesters[j] = a;
            keys[j] = k;
        }
    }

    /// @notice The lowest threshold (basis points, at least 5001) at which `m` of `n` equal-weight members are a
    ///         quorum and `m - 1` are not.
    function _thresholdFor(uint256 m, uint256 n) internal pure returns (uint16) {
        uint256 bps = (m * 10_000) / n;
        return uint16(bps < 5001 ? 5001 : bps);
    }

    /// @notice The digest attesters sign (docs/protocol.md §3).
    function _attestationDigest(bytes32 typeHash, uint32 domain, bytes32 verifier, uint64 setId, bytes32 value)
        internal
        pure
        returns (bytes32)
    {
        return AttestationLib.digest(typeHash, domain, verifier, setId, value);
    }

    /// @notice One packed `r ‖ s ‖ v` signature of `digest` by `key`.
    function _signDigest(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @notice An attestation of `value` by `signerKeys[i]` at set positions `signerIndices[i]`, in the given order.
    function _attest(
        bytes32 typeHash,
        uint32 domain,
        bytes32 verifier,
        uint64 setId,
        bytes32 value,
        uint256[] memory signerKeys,
        uint8[] memory signerIndices
    ) internal pure returns (bytes memory attestation) {
        if (signerKeys.length != signerIndices.length) {
            revert AttesterHarnessLengthMismatch(signerKeys.length, signerIndices.length);
        }
        bytes32 digest = AttestationLib.digest(typeHash, domain, verifier, setId, value);
        attestation = abi.encodePacked(setId);
        for (uint256 i; i < signerKeys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKeys[i], digest);
            attestation = bytes.concat(attestation, abi.encodePacked(signerIndices[i], r, s, v));
        }
    }

    /// @notice An attestation signed by the first `count` members of a sorted key list (indices 0..count-1).
    function _attestFirst(
        bytes32 typeHash,
        uint32 domain,
        bytes32 verifier,
        uint64 setId,
        bytes32 value,
        uint256[] memory keys,
        uint256 count
    ) internal pure returns (bytes memory) {
        uint256[] memory signerKeys = new uint256[](count);
        uint8[] memory signerIndices = new uint8[](count);
        for (uint256 i; i < count; ++i) {
            signerKeys[i] = keys[i];
            signerIndices[i] = uint8(i);
        }
        return _attest(typeHash, domain, verifier, setId, value, signerKeys, signerIndices);
    }

    /// @notice A MessageAttestation of `messageId` for `verifier` (e.g. a gateway) by the first `count` members.
    function _attestMessage(
        uint32 domain,
        address verifier,
        uint64 setId,
        bytes32 messageId,
        uint256[] memory keys,
        uint256 count
    ) internal pure returns (bytes memory) {
        return _attestFirst(
            AttestationLib.MESSAGE_TYPEHASH, domain, _toBytes32(verifier), setId, messageId, keys, count
        );
    }

    /// @notice A BatchAttestation of `root` for `verifier` by the first `count` members.
    function _attestBatch(uint32 domain, address verifier, uint64 setId, bytes32 root, uint256[] memory keys, uint256 count)
        internal
        pure
        returns (bytes memory)
    {
        return _attestFirst(AttestationLib.BATCH_TYPEHASH, domain, _toBytes32(verifier), setId, root, keys, count);
    }

    /// @notice A rotation attestation by the first `count` members of set `setId` for the set that follows it.
    function _attestRotation(
        AttesterSet set,
        uint64 setId,
        address[] memory nextAttesters,
        uint96[] memory nextWeights,
        uint16 nextThresholdBps,
        uint256[] memory keys,
        uint256 count
    ) internal view returns (bytes memory) {
        bytes32 nextHash = AttesterSetCodec.hash(setId + 1, nextThresholdBps, nextAttesters, nextWeights);
        return _attestFirst(
            AttestationLib.ROTATION_TYPEHASH,
            set.localDomain(),
            _toBytes32(address(set)),
            setId,
            nextHash,
            keys,
            count
        );
    }

    /// @notice Deploys an AttesterSet with `n` default-seed members (overlap 1 day, emergency delay 7 days).
    function _deployAttesterSet(uint32 domain, address owner, uint256 n, uint16 thresholdBps)
        internal
        returns (AttesterSet set, uint256[] memory keys)
    {
        address[] memory attesters;
        uint96[] memory weights;
        (keys, attesters, weights) = _makeSet(n);
        set = new AttesterSet(domain, owner, attesters, weights, thresholdBps, 1 days, 7 days);
    }

    /// @notice Deploys a Gateway (which is its chain's attester set) with `n` default-seed members (overlap 1 day,
    ///         emergency delay 7 days).
    function _deployGateway(uint32 domain, address owner, address guardian, uint256 n, uint16 thresholdBps)
        internal
        returns (Gateway gateway, uint256[] memory keys)
    {
        address[] memory attesters;
        uint96[] memory weights;
        (keys, attesters, weights) = _makeSet(n);
        gateway = new Gateway(domain, owner, guardian, attesters, weights, thresholdBps, 1 days, 7 days);
    }

    function _toBytes32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
