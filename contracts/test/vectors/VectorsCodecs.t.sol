// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {AttesterSetCodec} from "../../src/libraries/AttesterSetCodec.sol";
import {Amounts} from "../../src/libraries/Amounts.sol";
import {DistributionMessage} from "../../src/libraries/DistributionMessage.sol";
import {SignatureLib} from "../../src/libraries/SignatureLib.sol";
import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {vm} from "../utils/Vm.sol";
import {VectorsBase} from "./VectorsBase.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";

/// @notice Checks AttesterSetCodec, the AttesterSet contract's set rules and attestation verification, TokenMessage,
///         DistributionMessage and Amounts against the shared vectors in test/vectors/protocol.json.
contract VectorsCodecsTest is VectorsBase {
    address private constant OWNER = address(0xA11CE);

    // ---------------------------------------------------------------------------------------------------------
    // harnesses (external so that reverts can be caught and calldata libraries called)

    function decodeTokenExt(bytes calldata payload) external pure returns (bytes32, bytes32, uint64) {
        return TokenMessage.decode(payload);
    }

    function decodeDistributionExt(bytes calldata payload)
        external
        pure
        returns (DistributionMessage.Distribution memory)
    {
        return DistributionMessage.decode(payload);
    }

    function toSharedExt(uint256 amount, uint8 localDecimals, uint8 sharedDecimals)
        external
        pure
        returns (uint64, uint256)
    {
        return Amounts.toShared(amount, localDecimals, sharedDecimals);
    }

    function _uint96s(uint256[] memory a) private pure returns (uint96[] memory out) {
        out = new uint96[](a.length);
        for (uint256 i; i < a.length; ++i) {
            out[i] = uint96(a[i]);
        }
    }

    function _deploy(uint32 domain, address[] memory attesters, uint96[] memory weights, uint16 bps)
        private
        returns (AttesterSet)
    {
        return new AttesterSet(domain, OWNER, attesters, weights, bps, 1 days, 7 days);
    }

    function _assertSelector(bytes memory reason, bytes4 expected, string memory what) private pure {
        assertEq(uint256(uint32(_selector(reason))), uint256(uint32(expected)), what);
    }

    // ---------------------------------------------------------------------------------------------------------
    // attester sets

    function test_attesterSets_hashAndEncodingMatchCodec() public view {
        string memory json = _json();
        uint256 n = _count(json, "attesterSets");
        for (uint256 i; i < n; ++i) {
            uint64 setId = uint64(VM_JSON.parseJsonUint(json, _key("attesterSets", i, "setId")));
            uint16 bps = uint16(VM_JSON.parseJsonUint(json, _key("attesterSets", i, "thresholdBps")));
            address[] memory attesters = VM_JSON.parseJsonAddressArray(json, _key("attesterSets", i, "attesters"));
            uint96[] memory weights = _uint96s(VM_JSON.parseJsonUintArray(json, _key("attesterSets", i, "weights")));
            assertEq(
                AttesterSetCodec.encode(setId, bps, attesters, weights),
                VM_JSON.parseJsonBytes(json, _key("attesterSets", i, "encoded")),
                "encoded"
            );
            assertEq(
                AttesterSetCodec.hash(setId, bps, attesters, weights),
                VM_JSON.parseJsonBytes32(json, _key("attesterSets", i, "hash")),
                "hash"
            );
        }
    }

    function test_attesterSets_validSetsAreAcceptedByAttesterSet() public {
        string memory json = _json();
        uint256 n = _count(json, "attesterSets");
        for (uint256 i; i < n; ++i) {
            address[] memory attesters = VM_JSON.parseJsonAddressArray(json, _key("attesterSets", i, "attesters"));
            uint96[] memory weights = _uint96s(VM_JSON.parseJsonUintArray(json, _key("attesterSets", i, "weights")));
            uint16 bps = uint16(VM_JSON.parseJsonUint(json, _key("attesterSets", i, "thresholdBps")));
            AttesterSet set = _deploy(1001, attesters, weights, bps);
            assertEq(set.currentSetId(), 1, "set 1");
            (address[] memory stored,,,,) = set.getSet(1);
            assertEq(stored.length, attesters.length, "stored members");
        }
    }

    function test_invalidAttesterSets_revertWithVectorError() public {
        string memory json = _json();
        uint256 n = _count(json, "invalidAttesterSets");
        uint256 checked;
        for (uint256 i; i < n; ++i) {
            string memory name = VM_JSON.parseJsonString(json, _key("invalidAttesterSets", i, "error"));
            // The contract assigns set ids itself, so a bad set id is an SDK-only check.
            if (_hash(name) == _hash("InvalidSetId")) continue;
            address[] memory attesters = VM_JSON.parseJsonAddressArray(json, _key("invalidAttesterSets", i, "attesters"));
            uint256[] memory raw = VM_JSON.parseJsonUintArray(json, _key("invalidAttesterSets", i, "weights"));
            uint96[] memory weights = _uint96s(raw);
            uint16 bps = uint16(VM_JSON.parseJsonUint(json, _key("invalidAttesterSets", i, "thresholdBps")));
            try new AttesterSet(1001, OWNER, attesters, weights, bps, 1 days, 7 days) returns (AttesterSet) {
                revert AssertionFailed(string.concat("invalid set accepted: ", name));
            } catch (bytes memory reason) {
                _assertSelector(reason, _setError(name), string.concat("set error ", name));
            }
            ++checked;
        }
        assertGe(checked, 8, "checked the contract-side set rules");
    }

    function _setError(string memory name) private pure returns (bytes4) {
        bytes32 h = _hash(name);
        if (h == _hash("EmptyAttesterSet")) return IAttesterSet.EmptyAttesterSet.selector;
        if (h == _hash("TooManyAttesters")) return IAttesterSet.TooManyAttesters.selector;
        if (h == _hash("AttesterWeightsLengthMismatch")) return IAttesterSet.AttesterWeightsLengthMismatch.selector;
        if (h == _hash("InvalidThreshold")) return IAttesterSet.InvalidThreshold.selector;
        if (h == _hash("ZeroAddressAttester")) return IAttesterSet.ZeroAddressAttester.selector;
        if (h == _hash("AttestersNotSorted")) return IAttesterSet.AttestersNotSorted.selector;
        if (h == _hash("ZeroAttesterWeight")) return IAttesterSet.ZeroAttesterWeight.selector;
        if (h == _hash("TotalWeightOverflow")) return IAttesterSet.TotalWeightOverflow.selector;
        revert AssertionFailed(string.concat("unknown attester set error ", name));
    }

    // ---------------------------------------------------------------------------------------------------------
    // attestations, verified by a real AttesterSet

    function _deployForAttestation(string memory json, uint256 i) private returns (AttesterSet set, address verifier) {
        assertEq(VM_JSON.parseJsonUint(json, _key("attestations", i, "attesterSetId")), 1, "vectors use set 1");
        set = _deploy(
            uint32(VM_JSON.parseJsonUint(json, _key("attestations", i, "domain"))),
            VM_JSON.parseJsonAddressArray(json, _key("attestations", i, "attesters")),
            _uint96s(VM_JSON.parseJsonUintArray(json, _key("attestations", i, "weights"))),
            uint16(VM_JSON.parseJsonUint(json, _key("attestations", i, "thresholdBps")))
        );
        verifier = address(uint160(uint256(VM_JSON.parseJsonBytes32(json, _key("attestations", i, "verifier")))));
    }

    function test_attestations_verifyOnAttesterSet() public {
        string memory json = _json();
        uint256 n = _count(json, "attestations");
        for (uint256 i; i < n; ++i) {
            (AttesterSet set, address verifier) = _deployForAttestation(json, i);
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("attestations", i, "encoded"));
            bytes32 value = VM_JSON.parseJsonBytes32(json, _key("attestations", i, "value"));
            bool quorum = VM_JSON.parseJsonBool(json, _key("attestations", i, "quorum"));
            vm.prank(verifier);
            try set.verify(AttestationLib.MESSAGE_TYPEHASH, value, encoded) returns (uint64 setId) {
                assertTrue(quorum, "only quorum attestations verify");
                assertEq(setId, 1, "set id");
            } catch (bytes memory reason) {
                assertFalse(quorum, "a quorum attestation verifies");
                _assertSelector(reason, IAttesterSet.InsufficientWeight.selector, "below threshold");
            }
            // The same attestation is worthless to any other verifier.
            vm.prank(address(uint160(verifier) + 1));
            try set.verify(AttestationLib.MESSAGE_TYPEHASH, value, encoded) returns (uint64) {
                revert AssertionFailed("verified for another verifier");
            } catch {}
        }
    }

    function test_malformedAttestations_revertWithVectorError() public {
        string memory json = _json();
        uint256 n = _count(json, "malformedAttestations");
        for (uint256 i; i < n; ++i) {
            uint256 base = VM_JSON.parseJsonUint(json, _key("malformedAttestations", i, "attestation"));
            (AttesterSet set, address verifier) = _deployForAttestation(json, base);
            bytes32 value = VM_JSON.parseJsonBytes32(json, _key("attestations", base, "value"));
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("malformedAttestations", i, "encoded"));
            string memory name = VM_JSON.parseJsonString(json, _key("malformedAttestations", i, "error"));
            vm.prank(verifier);
            try set.verify(AttestationLib.MESSAGE_TYPEHASH, value, encoded) returns (uint64) {
                revert AssertionFailed(string.concat("malformed attestation accepted: ", name));
            } catch (bytes memory reason) {
                _assertSelector(reason, _attestationError(name), string.concat("attestation error ", name));
            }
        }
    }

    function _attestationError(string memory name) private pure returns (bytes4) {
        bytes32 h = _hash(name);
        if (h == _hash("MalformedAttestation")) return IAttesterSet.MalformedAttestation.selector;
        if (h == _hash("NoSignatures")) return IAttesterSet.NoSignatures.selector;
        if (h == _hash("DuplicateSigner")) return IAttesterSet.DuplicateSigner.selector;
        if (h == _hash("SignersOutOfOrder")) return IAttesterSet.SignersOutOfOrder.selector;
        if (h == _hash("InvalidSignatureV")) return SignatureLib.InvalidSignatureV.selector;
        if (h == _hash("SignatureMalleable")) return SignatureLib.SignatureMalleable.selector;
        if (h == _hash("ZeroAddressSigner")) return SignatureLib.ZeroAddressSigner.selector;
        if (h == _hash("UnknownSigner")) return IAttesterSet.UnknownSigner.selector;
        revert AssertionFailed(string.concat("unknown attestation error ", name));
    }

    // ---------------------------------------------------------------------------------------------------------
    // token messages

    function test_tokenMessages_encodeAndDecodeMatch() public view {
        string memory json = _json();
        uint256 n = _count(json, "tokenMessages");
        for (uint256 i; i < n; ++i) {
            bytes32 token = VM_JSON.parseJsonBytes32(json, _key("tokenMessages", i, "token"));
            bytes32 recipient = VM_JSON.parseJsonBytes32(json, _key("tokenMessages", i, "recipient"));
            uint64 amount = uint64(VM_JSON.parseJsonUint(json, _key("tokenMessages", i, "amount")));
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("tokenMessages", i, "encoded"));
            assertEq(VM_JSON.parseJsonUint(json, _key("tokenMessages", i, "kind")), TokenMessage.KIND_TRANSFER, "kind");
            assertEq(TokenMessage.encode(token, recipient, amount), encoded, "encoded");
            (bytes32 t, bytes32 r, uint64 a) = this.decodeTokenExt(encoded);
            assertEq(t, token, "token");
            assertEq(r, recipient, "recipient");
            assertEq(a, amount, "amount");
        }
    }

    function test_malformedTokenMessages_revertWithVectorError() public view {
        string memory json = _json();
        uint256 n = _count(json, "malformedTokenMessages");
        for (uint256 i; i < n; ++i) {
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("malformedTokenMessages", i, "encoded"));
            string memory name = VM_JSON.parseJsonString(json, _key("malformedTokenMessages", i, "error"));
            bytes4 expected = _hash(name) == _hash("TokenMessageInvalidLength")
                ? TokenMessage.TokenMessageInvalidLength.selector
                : _hash(name) == _hash("TokenMessageUnknownKind") ? TokenMessage.TokenMessageUnknownKind.selector : bytes4(0);
            assertTrue(expected != bytes4(0), string.concat("unknown token message error ", name));
            try this.decodeTokenExt(encoded) returns (bytes32, bytes32, uint64) {
                revert AssertionFailed(string.concat("malformed token message accepted: ", name));
            } catch (bytes memory reason) {
                _assertSelector(reason, expected, name);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // distribution messages (kind 2): the 109 bytes sdk/src/claims.ts and the Solana program read

    function test_distributionMessages_encodeAndDecodeMatch() public view {
        string memory json = _json();
        uint256 n = _count(json, "distributionMessages");
        for (uint256 i; i < n; ++i) {
            bytes32 root = VM_JSON.parseJsonBytes32(json, _key("distributionMessages", i, "root"));
            bytes32 token = VM_JSON.parseJsonBytes32(json, _key("distributionMessages", i, "token"));
            uint64 total = uint64(VM_JSON.parseJsonUint(json, _key("distributionMessages", i, "total")));
            uint32 leafCount = uint32(VM_JSON.parseJsonUint(json, _key("distributionMessages", i, "leafCount")));
            bytes32 id = VM_JSON.parseJsonBytes32(json, _key("distributionMessages", i, "distributionId"));
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("distributionMessages", i, "encoded"));
            assertEq(
                VM_JSON.parseJsonUint(json, _key("distributionMessages", i, "kind")),
                DistributionMessage.KIND_DISTRIBUTION,
                "kind"
            );
            assertEq(encoded.length, DistributionMessage.LENGTH, "length");
            assertEq(DistributionMessage.encode(root, token, total, leafCount, id), encoded, "encoded");
            DistributionMessage.Distribution memory d = this.decodeDistributionExt(encoded);
            assertEq(d.root, root, "root");
            assertEq(d.token, token, "token");
            assertEq(d.total, total, "total");
            assertEq(d.leafCount, leafCount, "leafCount");
            assertEq(d.distributionId, id, "distributionId");
        }
    }

    function test_malformedDistributionMessages_revertWithVectorError() public view {
        string memory json = _json();
        uint256 n = _count(json, "malformedDistributionMessages");
        for (uint256 i; i < n; ++i) {
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("malformedDistributionMessages", i, "encoded"));
            string memory name = VM_JSON.parseJsonString(json, _key("malformedDistributionMessages", i, "error"));
            bytes4 expected = _hash(name) == _hash("DistributionMessageInvalidLength")
                ? DistributionMessage.DistributionMessageInvalidLength.selector
                : _hash(name) == _hash("TokenMessageUnknownKind") ? TokenMessage.TokenMessageUnknownKind.selector : bytes4(0);
            assertTrue(expected != bytes4(0), string.concat("unknown distribution message error ", name));
            try this.decodeDistributionExt(encoded) returns (DistributionMessage.Distribution memory) {
                revert AssertionFailed(string.concat("malformed distribution message accepted: ", name));
            } catch (bytes memory reason) {
                _assertSelector(reason, expected, name);
            }
        }
    }

    /// @dev Every distribution vector, read as a transfer, is rejected (EVM TokenBridge.handle never credits kind 2).
    function test_distributionMessages_areNotTransfers() public view {
        string memory json = _json();
        uint256 n = _count(json, "distributionMessages");
        for (uint256 i; i < n; ++i) {
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("distributionMessages", i, "encoded"));
            try this.decodeTokenExt(encoded) returns (bytes32, bytes32, uint64) {
                revert AssertionFailed("a distribution decoded as a transfer");
            } catch (bytes memory reason) {
                assertEq(
                    reason,
                    abi.encodeWithSelector(TokenMessage.TokenMessageInvalidLength.selector, DistributionMessage.LENGTH),
                    "length checked first"
                );
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // amounts

    function test_amounts_toSharedAndToLocalMatch() public view {
        string memory json = _json();
        uint256 n = _count(json, "amounts");
        for (uint256 i; i < n; ++i) {
            uint256 amount = VM_JSON.parseJsonUint(json, _key("amounts", i, "amount"));
            uint8 localDec = uint8(VM_JSON.parseJsonUint(json, _key("amounts", i, "localDecimals")));
            uint8 sharedDec = uint8(VM_JSON.parseJsonUint(json, _key("amounts", i, "sharedDecimals")));
            (uint64 wire, uint256 dust) = Amounts.toShared(amount, localDec, sharedDec);
            assertEq(wire, VM_JSON.parseJsonUint(json, _key("amounts", i, "wire")), "wire");
            assertEq(dust, VM_JSON.parseJsonUint(json, _key("amounts", i, "dust")), "dust");
            uint256 local = Amounts.toLocal(wire, localDec, sharedDec);
            assertEq(local, VM_JSON.parseJsonUint(json, _key("amounts", i, "local")), "local");
            assertEq(local, VM_JSON.parseJsonUint(json, _key("amounts", i, "sent")), "sent");
            assertEq(local + dust, amount, "no value created or destroyed");
        }
    }

    function test_invalidAmounts_revertWithVectorError() public view {
        string memory json = _json();
        uint256 n = _count(json, "invalidAmounts");
        for (uint256 i; i < n; ++i) {
            uint256 amount = VM_JSON.parseJsonUint(json, _key("invalidAmounts", i, "amount"));
            uint8 localDec = uint8(VM_JSON.parseJsonUint(json, _key("invalidAmounts", i, "localDecimals")));
            uint8 sharedDec = uint8(VM_JSON.parseJsonUint(json, _key("invalidAmounts", i, "sharedDecimals")));
            string memory name = VM_JSON.parseJsonString(json, _key("invalidAmounts", i, "error"));
            try this.toSharedExt(amount, localDec, sharedDec) returns (uint64, uint256) {
                revert AssertionFailed(string.concat("invalid amount accepted: ", name));
            } catch (bytes memory reason) {
                _assertSelector(reason, _amountError(name), name);
            }
        }
    }

    function _amountError(string memory name) private pure returns (bytes4) {
        bytes32 h = _hash(name);
        if (h == _hash("AmountTooSmall")) return Amounts.AmountTooSmall.selector;
        if (h == _hash("AmountExceedsWireLimit")) return Amounts.AmountExceedsWireLimit.selector;
        if (h == _hash("InvalidDecimals")) return Amounts.InvalidDecimals.selector;
        revert AssertionFailed(string.concat("unknown amount error ", name));
    }
}
