// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {Message} from "../../src/libraries/Message.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";
import {vm} from "../utils/Vm.sol";
import {VectorsBase} from "./VectorsBase.sol";

/// @notice Checks the canonical Solidity libraries (Message, AttestationLib, MessageMerkle) against the shared
///         vectors in test/vectors/protocol.json, which the TypeScript SDK generates and Rust will read.
contract VectorsTest is VectorsBase {
    // ---------------------------------------------------------------------------------------------------------
    // calldata harnesses (the libraries read messages and proofs in place from calldata)

    function validateExt(bytes calldata message) external pure {
        Message.validate(message);
    }

    function idExt(bytes calldata message) external pure returns (bytes32) {
        return Message.id(message);
    }

    function fieldsExt(bytes calldata message)
        external
        pure
        returns (uint64 nonce, uint32 origin, bytes32 sender, uint32 destination, bytes32 recipient, bytes memory payload)
    {
        Message.validate(message);
        return (
            Message.nonce(message),
            Message.originDomain(message),
            Message.sender(message),
            Message.destinationDomain(message),
            Message.recipient(message),
            Message.payload(message)
        );
    }

    function rootOfExt(bytes32 messageId, bytes32[] calldata proof) external pure returns (bytes32) {
        return MessageMerkle.rootOf(messageId, proof);
    }

    // ---------------------------------------------------------------------------------------------------------
    // constants

    function test_constants_matchAttestationLib() public view {
        string memory json = _json();
        assertEq(VM_JSON.parseJsonBytes32(json, ".constants.domainTypehash"), AttestationLib.DOMAIN_TYPEHASH, "domain th");
        assertEq(VM_JSON.parseJsonBytes32(json, ".constants.nameHash"), AttestationLib.NAME_HASH, "name hash");
        assertEq(VM_JSON.parseJsonBytes32(json, ".constants.versionHash"), AttestationLib.VERSION_HASH, "version hash");
        assertEq(VM_JSON.parseJsonBytes32(json, ".constants.domainSeparator"), AttestationLib.DOMAIN_SEPARATOR, "separator");
        assertEq(VM_JSON.parseJsonBytes32(json, ".constants.messageTypehash"), AttestationLib.MESSAGE_TYPEHASH, "message th");
        assertEq(VM_JSON.parseJsonBytes32(json, ".constants.batchTypehash"), AttestationLib.BATCH_TYPEHASH, "batch th");
        assertEq(
            VM_JSON.parseJsonBytes32(json, ".constants.rotationTypehash"), AttestationLib.ROTATION_TYPEHASH, "rotation th"
        );
        // The type strings in the file hash to the same constants.
        assertEq(_hash(VM_JSON.parseJsonString(json, ".constants.domainTypeString")), AttestationLib.DOMAIN_TYPEHASH, "d");
        assertEq(_hash(VM_JSON.parseJsonString(json, ".constants.messageTypeString")), AttestationLib.MESSAGE_TYPEHASH, "m");
        assertEq(_hash(VM_JSON.parseJsonString(json, ".constants.batchTypeString")), AttestationLib.BATCH_TYPEHASH, "b");
        assertEq(_hash(VM_JSON.parseJsonString(json, ".constants.rotationTypeString")), AttestationLib.ROTATION_TYPEHASH, "r");
        assertEq(_hash(VM_JSON.parseJsonString(json, ".constants.name")), AttestationLib.NAME_HASH, "name");
        assertEq(_hash(VM_JSON.parseJsonString(json, ".constants.version")), AttestationLib.VERSION_HASH, "version");
    }

    // ---------------------------------------------------------------------------------------------------------
    // messages

    function test_messages_encodeAndIdMatchVectors() public view {
        string memory json = _json();
        uint256 n = _count(json, "messages");
        for (uint256 i; i < n; ++i) {
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("messages", i, "encoded"));
            bytes32 id = VM_JSON.parseJsonBytes32(json, _key("messages", i, "id"));
            assertEq(VM_JSON.parseJsonUint(json, _key("messages", i, "version")), Message.VERSION, "version");
            bytes memory built = Message.encode(
                uint64(VM_JSON.parseJsonUint(json, _key("messages", i, "nonce"))),
                uint32(VM_JSON.parseJsonUint(json, _key("messages", i, "originDomain"))),
                VM_JSON.parseJsonBytes32(json, _key("messages", i, "sender")),
                uint32(VM_JSON.parseJsonUint(json, _key("messages", i, "destinationDomain"))),
                VM_JSON.parseJsonBytes32(json, _key("messages", i, "recipient")),
                VM_JSON.parseJsonBytes(json, _key("messages", i, "payload"))
            );
            assertEq(built, encoded, "encoded");
            assertEq(keccak256(encoded), id, "keccak id");
            assertEq(this.idExt(encoded), id, "Message.id");
        }
    }

    function test_messages_decodeMatchesVectorFields() public view {
        string memory json = _json();
        uint256 n = _count(json, "messages");
        for (uint256 i; i < n; ++i) {
            (uint64 nonce, uint32 origin, bytes32 sender, uint32 destination, bytes32 recipient, bytes memory payload)
            = this.fieldsExt(VM_JSON.parseJsonBytes(json, _key("messages", i, "encoded")));
            assertEq(nonce, VM_JSON.parseJsonUint(json, _key("messages", i, "nonce")), "nonce");
            assertEq(origin, VM_JSON.parseJsonUint(json, _key("messages", i, "originDomain")), "origin");
            assertEq(sender, VM_JSON.parseJsonBytes32(json, _key("messages", i, "sender")), "sender");
            assertEq(destination, VM_JSON.parseJsonUint(json, _key("messages", i, "destinationDomain")), "destination");
            assertEq(recipient, VM_JSON.parseJsonBytes32(json, _key("messages", i, "recipient")), "recipient");
            assertEq(payload, VM_JSON.parseJsonBytes(json, _key("messages", i, "payload")), "payload");
        }
    }

    function test_messages_maxPayloadVectorIs4096Bytes() public view {
        string memory json = _json();
        uint256 n = _count(json, "messages");
        uint256 longest;
        for (uint256 i; i < n; ++i) {
            uint256 len = VM_JSON.parseJsonBytes(json, _key("messages", i, "payload")).length;
            if (len > longest) longest = len;
        }
        assertEq(longest, Message.MAX_PAYLOAD_LENGTH, "a max-length payload vector exists");
    }

    function test_malformedMessages_revertWithVectorError() public view {
        string memory json = _json();
        uint256 n = _count(json, "malformedMessages");
        for (uint256 i; i < n; ++i) {
            bytes memory encoded = VM_JSON.parseJsonBytes(json, _key("malformedMessages", i, "encoded"));
            bytes4 expected = _messageError(VM_JSON.parseJsonString(json, _key("malformedMessages", i, "error")));
            try this.validateExt(encoded) {
                revert AssertionFailed(string.concat("malformed message accepted: vector ", VM_JSON.toString(i)));
            } catch (bytes memory reason) {
                assertEq(uint256(uint32(_selector(reason))), uint256(uint32(expected)), "error selector");
            }
        }
    }

    function _messageError(string memory name) private pure returns (bytes4) {
        bytes32 h = _hash(name);
        if (h == _hash("MessageTooShort")) return Message.MessageTooShort.selector;
        if (h == _hash("PayloadTooLong")) return Message.PayloadTooLong.selector;
        if (h == _hash("UnsupportedVersion")) return Message.UnsupportedVersion.selector;
        revert AssertionFailed(string.concat("unknown message error name ", name));
    }

    function test_addressPadding_matchesToBytes32() public view {
        string memory json = _json();
        uint256 n = _count(json, "addressPadding");
        for (uint256 i; i < n; ++i) {
            address a = VM_JSON.parseJsonAddress(json, _key("addressPadding", i, "address"));
            assertEq(Message.toBytes32(a), VM_JSON.parseJsonBytes32(json, _key("addressPadding", i, "bytes32")), "padding");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // digests

    function test_digests_matchAttestationLib() public view {
        string memory json = _json();
        uint256 n = _count(json, "digests");
        for (uint256 i; i < n; ++i) {
            bytes32 typeHash = VM_JSON.parseJsonBytes32(json, _key("digests", i, "typeHash"));
            assertEq(typeHash, _typeHashOf(VM_JSON.parseJsonString(json, _key("digests", i, "kind"))), "type hash of kind");
            uint32 domain = uint32(VM_JSON.parseJsonUint(json, _key("digests", i, "domain")));
            bytes32 verifier = VM_JSON.parseJsonBytes32(json, _key("digests", i, "verifier"));
            uint64 setId = uint64(VM_JSON.parseJsonUint(json, _key("digests", i, "attesterSetId")));
            bytes32 value = VM_JSON.parseJsonBytes32(json, _key("digests", i, "value"));
            bytes32 structHash = keccak256(abi.encode(typeHash, domain, verifier, setId, value));
            assertEq(structHash, VM_JSON.parseJsonBytes32(json, _key("digests", i, "structHash")), "struct hash");
            bytes32 expected = VM_JSON.parseJsonBytes32(json, _key("digests", i, "digest"));
            assertEq(AttestationLib.digest(typeHash, domain, verifier, setId, value), expected, "digest");
            assertEq(
                keccak256(abi.encodePacked(hex"1901", AttestationLib.DOMAIN_SEPARATOR, structHash)), expected, "eip712"
            );
        }
    }

    function _typeHashOf(string memory kind) private pure returns (bytes32) {
        bytes32 h = _hash(kind);
        if (h == _hash("message")) return AttestationLib.MESSAGE_TYPEHASH;
        if (h == _hash("batch")) return AttestationLib.BATCH_TYPEHASH;
        if (h == _hash("rotation")) return AttestationLib.ROTATION_TYPEHASH;
        revert AssertionFailed(string.concat("unknown attestation kind ", kind));
    }

    // ---------------------------------------------------------------------------------------------------------
    // attestations

    function test_attestations_signaturesRecoverAndEncodingMatches() public view {
        string memory json = _json();
        uint256 n = _count(json, "attestations");
        for (uint256 i; i < n; ++i) {
            bytes32 digest = VM_JSON.parseJsonBytes32(json, _key("attestations", i, "digest"));
            assertEq(
                AttestationLib.digest(
                    _typeHashOf(VM_JSON.parseJsonString(json, _key("attestations", i, "kind"))),
                    uint32(VM_JSON.parseJsonUint(json, _key("attestations", i, "domain"))),
                    VM_JSON.parseJsonBytes32(json, _key("attestations", i, "verifier")),
                    uint64(VM_JSON.parseJsonUint(json, _key("attestations", i, "attesterSetId"))),
                    VM_JSON.parseJsonBytes32(json, _key("attestations", i, "value"))
                ),
                digest,
                "digest"
            );
            _checkAttestation(json, i, digest);
        }
    }

    function _checkAttestation(string memory json, uint256 i, bytes32 digest) private pure {
        bytes32[] memory keys = VM_JSON.parseJsonBytes32Array(json, _key("attestations", i, "privateKeys"));
        address[] memory attesters = VM_JSON.parseJsonAddressArray(json, _key("attestations", i, "attesters"));
        uint256[] memory weights = VM_JSON.parseJsonUintArray(json, _key("attestations", i, "weights"));
        uint256[] memory signers = VM_JSON.parseJsonUintArray(json, _key("attestations", i, "signerIndices"));
        assertEq(keys.length, attesters.length, "keys per attester");
        for (uint256 j; j < keys.length; ++j) {
            assertEq(vm.addr(uint256(keys[j])), attesters[j], "key belongs to attester");
            if (j > 0) assertTrue(attesters[j - 1] < attesters[j], "attesters sorted");
        }
        bytes memory encoded = abi.encodePacked(uint64(VM_JSON.parseJsonUint(json, _key("attestations", i, "attesterSetId"))));
        uint256 signed;
        uint256 total;
        for (uint256 j; j < weights.length; ++j) {
            total += weights[j];
        }
        for (uint256 j; j < signers.length; ++j) {
            (uint256 index, bytes memory packed) = _checkSignature(json, i, j, digest, keys, attesters);
            assertEq(index, signers[j], "signature order");
            encoded = bytes.concat(encoded, packed);
            signed += weights[index];
        }
        assertEq(encoded, VM_JSON.parseJsonBytes(json, _key("attestations", i, "encoded")), "encoded attestation");
        assertEq(signed, VM_JSON.parseJsonUint(json, _key("attestations", i, "signedWeight")), "signed weight");
        assertEq(total, VM_JSON.parseJsonUint(json, _key("attestations", i, "totalWeight")), "total weight");
        uint256 bps = VM_JSON.parseJsonUint(json, _key("attestations", i, "thresholdBps"));
        assertTrue(
            (signed * 10_000 >= total * bps) == VM_JSON.parseJsonBool(json, _key("attestations", i, "quorum")), "quorum"
        );
    }

    /// @dev Checks signature j of attestation vector i; returns its signer index and its 66 encoded bytes.
    function _checkSignature(
        string memory json,
        uint256 i,
        uint256 j,
        bytes32 digest,
        bytes32[] memory keys,
        address[] memory attesters
    ) private pure returns (uint256 index, bytes memory packed) {
        string memory sig = string.concat(_key("attestations", i, "signatures"), "[", VM_JSON.toString(j), "]");
        index = VM_JSON.parseJsonUint(json, string.concat(sig, ".index"));
        bytes32 r = VM_JSON.parseJsonBytes32(json, string.concat(sig, ".r"));
        bytes32 s = VM_JSON.parseJsonBytes32(json, string.concat(sig, ".s"));
        uint8 v = uint8(VM_JSON.parseJsonUint(json, string.concat(sig, ".v")));
        assertLe(uint256(s), 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0, "low s");
        assertEq(ecrecover(digest, v, r, s), attesters[index], "recovers to member at index");
        // RFC 6979: the cheatcode signer produces the very same signature.
        (uint8 v2, bytes32 r2, bytes32 s2) = vm.sign(uint256(keys[index]), digest);
        assertEq(r2, r, "rfc6979 r");
        assertEq(s2, s, "rfc6979 s");
        assertEq(v2, v, "v");
        packed = abi.encodePacked(uint8(index), r, s, v);
    }

    // ---------------------------------------------------------------------------------------------------------
    // merkle

    function test_merkle_rootsLeavesAndProofsMatch() public view {
        string memory json = _json();
        uint256 n = _count(json, "merkle");
        for (uint256 i; i < n; ++i) {
            bytes32[] memory ids = VM_JSON.parseJsonBytes32Array(json, _key("merkle", i, "messageIds"));
            bytes32[] memory leaves = VM_JSON.parseJsonBytes32Array(json, _key("merkle", i, "leaves"));
            bytes32 root = VM_JSON.parseJsonBytes32(json, _key("merkle", i, "root"));
            assertEq(ids.length, VM_JSON.parseJsonUint(json, _key("merkle", i, "size")), "size");
            assertEq(MessageMerkle.root(ids), root, "root");
            for (uint256 j; j < ids.length; ++j) {
                assertEq(MessageMerkle.leaf(ids[j]), leaves[j], "leaf");
                bytes32[] memory proof = VM_JSON.parseJsonBytes32Array(
                    json, string.concat(_key("merkle", i, "proofs"), "[", VM_JSON.toString(j), "]")
                );
                bytes32[] memory built = MessageMerkle.proof(ids, j);
                assertEq(built.length, proof.length, "proof length");
                for (uint256 k; k < proof.length; ++k) {
                    assertEq(built[k], proof[k], "proof node");
                }
                assertEq(this.rootOfExt(ids[j], proof), root, "rootOf");
                assertTrue(MerkleProof.verify(proof, root, leaves[j]), "OZ verify");
            }
        }
    }

    function test_merkle_proofForAnotherLeafFails() public view {
        string memory json = _json();
        uint256 n = _count(json, "merkle");
        for (uint256 i; i < n; ++i) {
            bytes32[] memory ids = VM_JSON.parseJsonBytes32Array(json, _key("merkle", i, "messageIds"));
            if (ids.length < 2) continue;
            bytes32 root = VM_JSON.parseJsonBytes32(json, _key("merkle", i, "root"));
            bytes32[] memory proof0 =
                VM_JSON.parseJsonBytes32Array(json, string.concat(_key("merkle", i, "proofs"), "[0]"));
            assertTrue(this.rootOfExt(ids[1], proof0) != root || ids[1] == ids[0], "proof of leaf 0 rejects leaf 1");
            assertTrue(this.rootOfExt(root, new bytes32[](0)) != root, "root is no leaf");
        }
    }
}
