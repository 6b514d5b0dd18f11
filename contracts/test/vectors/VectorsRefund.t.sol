// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {RefundReceipt} from "../../src/libraries/RefundReceipt.sol";
import {VectorsBase} from "./VectorsBase.sol";

/// @notice Checks RefundReceipt and the TransferRefund digest (docs/protocol.md §3, §8.1) against the shared vectors
///         `refundReceipts`, `malformedRefundReceipts` and `constants.refundTypehash` in test/vectors/protocol.json,
///         which the sdk (`sdk/src/refund.ts`) and the Solana program check too.
contract VectorsRefundTest is VectorsBase {
    /// @dev External so that the calldata decoder runs on calldata and its reverts can be caught.
    function decodeExt(bytes calldata receipt) external pure returns (RefundReceipt.Receipt memory) {
        return RefundReceipt.decode(receipt);
    }

    function _receipt(string memory json, uint256 i) internal pure returns (RefundReceipt.Receipt memory r) {
        r.messageId = VM_JSON.parseJsonBytes32(json, _key("refundReceipts", i, "messageId"));
        r.originDomain = uint32(VM_JSON.parseJsonUint(json, _key("refundReceipts", i, "originDomain")));
        r.nonce = uint64(VM_JSON.parseJsonUint(json, _key("refundReceipts", i, "nonce")));
        r.destinationDomain = uint32(VM_JSON.parseJsonUint(json, _key("refundReceipts", i, "destinationDomain")));
        r.token = VM_JSON.parseJsonBytes32(json, _key("refundReceipts", i, "token"));
        r.refundTo = VM_JSON.parseJsonBytes32(json, _key("refundReceipts", i, "refundTo"));
        r.wireAmount = uint64(VM_JSON.parseJsonUint(json, _key("refundReceipts", i, "wireAmount")));
    }

    function test_constants_refundTypehashMatchesAttestationLib() public view {
        string memory json = _json();
        assertEq(
            VM_JSON.parseJsonBytes32(json, ".constants.refundTypehash"), AttestationLib.REFUND_TYPEHASH, "refund th"
        );
        assertEq(
            keccak256(bytes(VM_JSON.parseJsonString(json, ".constants.refundTypeString"))),
            AttestationLib.REFUND_TYPEHASH,
            "refund type string"
        );
    }

    function test_refundReceipts_encodeAndDecodeMatch() public view {
        string memory json = _json();
        uint256 n = _count(json, "refundReceipts");
        for (uint256 i; i < n; ++i) {
            RefundReceipt.Receipt memory r = _receipt(json, i);
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("refundReceipts", i, "encoded"));
            assertEq(encoded.length, RefundReceipt.LENGTH, "length");
            assertEq(RefundReceipt.encode(r), encoded, "encoded");
            RefundReceipt.Receipt memory d = this.decodeExt(encoded);
            assertEq(d.messageId, r.messageId, "messageId");
            assertEq(d.originDomain, r.originDomain, "originDomain");
            assertEq(d.nonce, r.nonce, "nonce");
            assertEq(d.destinationDomain, r.destinationDomain, "destinationDomain");
            assertEq(d.token, r.token, "token");
            assertEq(d.refundTo, r.refundTo, "refundTo");
            assertEq(d.wireAmount, r.wireAmount, "wireAmount");
        }
    }

    function test_refundReceipts_hashStructHashAndDigestMatch() public view {
        string memory json = _json();
        uint256 n = _count(json, "refundReceipts");
        for (uint256 i; i < n; ++i) {
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("refundReceipts", i, "encoded"));
            bytes32 refundHash = keccak256(encoded);
            assertEq(refundHash, VM_JSON.parseJsonBytes32(json, _key("refundReceipts", i, "refundHash")), "refundHash");
            uint32 domain = uint32(VM_JSON.parseJsonUint(json, _key("refundReceipts", i, "originDomain")));
            bytes32 verifier = VM_JSON.parseJsonBytes32(json, _key("refundReceipts", i, "verifier"));
            uint64 setId = uint64(VM_JSON.parseJsonUint(json, _key("refundReceipts", i, "attesterSetId")));
            assertEq(
                keccak256(abi.encode(AttestationLib.REFUND_TYPEHASH, domain, verifier, setId, refundHash)),
                VM_JSON.parseJsonBytes32(json, _key("refundReceipts", i, "structHash")),
                "structHash"
            );
            assertEq(
                AttestationLib.digest(AttestationLib.REFUND_TYPEHASH, domain, verifier, setId, refundHash),
                VM_JSON.parseJsonBytes32(json, _key("refundReceipts", i, "digest")),
                "digest (domain = the transfer's origin)"
            );
        }
    }

    function test_malformedRefundReceipts_revertWithVectorError() public view {
        string memory json = _json();
        uint256 n = _count(json, "malformedRefundReceipts");
        for (uint256 i; i < n; ++i) {
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("malformedRefundReceipts", i, "encoded"));
            string memory name = VM_JSON.parseJsonString(json, _key("malformedRefundReceipts", i, "error"));
            bytes4 expected = _hash(name) == _hash("RefundReceiptInvalidLength")
                ? RefundReceipt.RefundReceiptInvalidLength.selector
                : _hash(name) == _hash("RefundReceiptUnknownVersion")
                    ? RefundReceipt.RefundReceiptUnknownVersion.selector
                    : bytes4(0);
            assertTrue(expected != bytes4(0), string.concat("unknown refund receipt error ", name));
            try this.decodeExt(encoded) returns (RefundReceipt.Receipt memory) {
                revert AssertionFailed(string.concat("malformed refund receipt accepted: ", name));
            } catch (bytes memory reason) {
                assertEq(uint256(uint32(_selector(reason))), uint256(uint32(expected)), name);
            }
        }
    }
}
