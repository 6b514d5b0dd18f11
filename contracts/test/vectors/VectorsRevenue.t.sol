// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";
import {
    CampaignLine, EpochReport, RevenueCodec, SolanaDistribution, TokenAmount
} from "../../src/libraries/RevenueCodec.sol";
import {VectorsBase} from "./VectorsBase.sol";

/// @notice Checks RevenueCodec, the three revenue attestation type hashes and digests, and payout proofs through
///         OpenZeppelin's MerkleProof (docs/protocol.md §11) against test/vectors/revenue.json, which the sdk
///         (`sdk/src/revenue/`) and the Solana program (`protocol/payout.rs`) check too.
contract VectorsRevenueTest is VectorsBase {
    // ---------------------------------------------------------------------------------------------------------
    // harnesses (external so that calldata functions run on calldata and reverts can be caught)

    function bindingHashExt(uint8 platform, bytes32 accountId, address persona, uint64 sequence)
        external
        pure
        returns (bytes32)
    {
        return RevenueCodec.bindingHash(platform, accountId, persona, sequence);
    }

    function reportHashExt(EpochReport calldata report) external pure returns (bytes32) {
        return RevenueCodec.reportHash(report);
    }

    // ---------------------------------------------------------------------------------------------------------
    // reading

    function _revenue() internal view returns (string memory) {
        return VM_JSON.readFile(string.concat(VM_JSON.projectRoot(), "/test/vectors/revenue.json"));
    }

    /// @dev Entries of the array at `path` (which may be empty, unlike `_count`).
    function _len(string memory json, string memory path) internal view returns (uint256 n) {
        while (VM_JSON.keyExistsJson(json, string.concat(path, "[", VM_JSON.toString(n), "]"))) ++n;
    }

    function _idx(string memory path, uint256 i) internal pure returns (string memory) {
        return string.concat(path, "[", VM_JSON.toString(i), "]");
    }

    function _uint(string memory json, string memory path) internal pure returns (uint256) {
        return VM_JSON.parseJsonUint(json, path);
    }

    function _b32(string memory json, string memory path) internal pure returns (bytes32) {
        return VM_JSON.parseJsonBytes32(json, path);
    }

    function _proof(string memory json, string memory path) internal view returns (bytes32[] memory proof) {
        proof = new bytes32[](_len(json, path));
        for (uint256 k; k < proof.length; ++k) {
            proof[k] = _b32(json, _idx(path, k));
        }
    }

    function _report(string memory json, string memory p) internal view returns (EpochReport memory r) {
        r.communityId = uint64(_uint(json, string.concat(p, ".communityId")));
        r.epoch = uint64(_uint(json, string.concat(p, ".epoch")));
        r.engagedAccounts = uint32(_uint(json, string.concat(p, ".engagedAccounts")));
        string memory lines = string.concat(p, ".lines");
        r.lines = new CampaignLine[](_len(json, lines));
        for (uint256 j; j < r.lines.length; ++j) {
            string memory line = _idx(lines, j);
            r.lines[j] = CampaignLine({
                campaignId: uint64(_uint(json, string.concat(line, ".campaignId"))),
                impressions: uint64(_uint(json, string.concat(line, ".impressions"))),
                engagements: uint64(_uint(json, string.concat(line, ".engagements"))),
                spend: uint128(_uint(json, string.concat(line, ".spend"))),
                solanaCreators: uint128(_uint(json, string.concat(line, ".solanaCreators")))
            });
        }
        r.prevPayoutRoot = _b32(json, string.concat(p, ".prevPayoutRoot"));
        r.payoutRoot = _b32(json, string.concat(p, ".payoutRoot"));
        r.payoutLeafCount = uint32(_uint(json, string.concat(p, ".payoutLeafCount")));
        string memory expired = string.concat(p, ".expired");
        r.expired = new TokenAmount[](_len(json, expired));
        for (uint256 j; j < r.expired.length; ++j) {
            string memory e = _idx(expired, j);
            r.expired[j] = TokenAmount({
                token: VM_JSON.parseJsonAddress(json, string.concat(e, ".token")),
                amount: uint128(_uint(json, string.concat(e, ".amount")))
            });
        }
        string memory solana = string.concat(p, ".solana");
        r.solana = new SolanaDistribution[](_len(json, solana));
        for (uint256 j; j < r.solana.length; ++j) {
            string memory d = _idx(solana, j);
            r.solana[j] = SolanaDistribution({
                token: VM_JSON.parseJsonAddress(json, string.concat(d, ".token")),
                root: _b32(json, string.concat(d, ".root")),
                leafCount: uint32(_uint(json, string.concat(d, ".leafCount")))
            });
        }
    }

    function _leafAt(string memory json, string memory p) internal pure returns (bytes32) {
        return RevenueCodec.payoutLeaf(
            _uint(json, string.concat(p, ".slot")),
            _b32(json, string.concat(p, ".account")),
            _b32(json, string.concat(p, ".token")),
            _b32(json, string.concat(p, ".recipient")),
            _uint(json, string.concat(p, ".cumulative")),
            _b32(json, string.concat(p, ".salt"))
        );
    }

    /// @dev The attestation recorded at `p` (structHash and digest of `typeHash` over `value`).
    function _checkAttested(string memory json, string memory p, bytes32 typeHash, bytes32 value) internal pure {
        uint32 domain = uint32(_uint(json, string.concat(p, ".domain")));
        bytes32 verifier = _b32(json, string.concat(p, ".verifier"));
        uint64 setId = uint64(_uint(json, string.concat(p, ".attesterSetId")));
        assertEq(
            keccak256(abi.encode(typeHash, domain, verifier, setId, value)),
            _b32(json, string.concat(p, ".structHash")),
            "structHash"
        );
        assertEq(
            AttestationLib.digest(typeHash, domain, verifier, setId, value),
            _b32(json, string.concat(p, ".digest")),
            "digest"
        );
    }

    // ---------------------------------------------------------------------------------------------------------
    // tests

    function test_constants_typeHashesAndPlatforms() public view {
        string memory json = _revenue();
        string[3] memory kinds = ["identityBinding", "epochReport", "reportResolution"];
        bytes32[3] memory hashes = [
            AttestationLib.IDENTITY_BINDING_TYPEHASH,
            AttestationLib.EPOCH_REPORT_TYPEHASH,
            AttestationLib.REPORT_RESOLUTION_TYPEHASH
        ];
        for (uint256 i; i < 3; ++i) {
            assertEq(_b32(json, string.concat(".constants.", kinds[i], "Typehash")), hashes[i], "type hash");
            assertEq(
                keccak256(bytes(VM_JSON.parseJsonString(json, string.concat(".constants.", kinds[i], "TypeString")))),
                hashes[i],
                "type string"
            );
        }
        assertEq(_uint(json, ".constants.platforms.Farcaster"), RevenueCodec.PLATFORM_FARCASTER, "farcaster");
        assertEq(_uint(json, ".constants.platforms.Bluesky"), RevenueCodec.PLATFORM_BLUESKY, "bluesky");
        assertEq(_uint(json, ".constants.platforms.ActivityPub"), RevenueCodec.PLATFORM_ACTIVITYPUB, "activitypub");
        assertEq(_uint(json, ".constants.platforms.Lens"), RevenueCodec.PLATFORM_LENS, "lens");
        assertEq(_uint(json, ".constants.platforms.X"), RevenueCodec.PLATFORM_X, "x");
    }

    function test_bindings_encodingHashAndDigest() public view {
        string memory json = _revenue();
        uint256 n = _count(json, "bindings");
        for (uint256 i; i < n; ++i) {
            string memory p = _at("bindings", i);
            uint8 platform = uint8(_uint(json, string.concat(p, ".platform")));
            bytes32 accountId = _b32(json, string.concat(p, ".accountId"));
            address persona = VM_JSON.parseJsonAddress(json, string.concat(p, ".persona"));
            uint64 sequence = uint64(_uint(json, string.concat(p, ".sequence")));
            assertEq(
                abi.encode(platform, accountId, persona, sequence),
                VM_JSON.parseJsonBytes(json, string.concat(p, ".encoded")),
                "encoded"
            );
            bytes32 hash = _b32(json, string.concat(p, ".hash"));
            assertEq(this.bindingHashExt(platform, accountId, persona, sequence), hash, "hash");
            _checkAttested(json, string.concat(p, ".attestation"), AttestationLib.IDENTITY_BINDING_TYPEHASH, hash);
        }
    }

    function test_malformedBindings_revertWithTheRecordedError() public view {
        string memory json = _revenue();
        uint256 n = _count(json, "malformedBindings");
        for (uint256 i; i < n; ++i) {
            string memory p = _at("malformedBindings", i);
            assertEq(
                _hash(VM_JSON.parseJsonString(json, string.concat(p, ".error"))), _hash("UnknownPlatform"), "error"
            );
            uint8 platform = uint8(_uint(json, string.concat(p, ".platform")));
            try this.bindingHashExt(
                platform,
                _b32(json, string.concat(p, ".accountId")),
                VM_JSON.parseJsonAddress(json, string.concat(p, ".persona")),
                uint64(_uint(json, string.concat(p, ".sequence")))
            ) returns (bytes32) {
                assertTrue(false, "malformed binding hashed");
            } catch (bytes memory reason) {
                assertEq(reason, abi.encodeWithSelector(RevenueCodec.UnknownPlatform.selector, platform), "revert");
            }
        }
    }

    function test_reports_encodingHashAndDigest() public view {
        string memory json = _revenue();
        uint256 n = _count(json, "reports");
        for (uint256 i; i < n; ++i) {
            string memory p = _at("reports", i);
            EpochReport memory r = _report(json, string.concat(p, ".report"));
            bytes memory encoded = VM_JSON.parseJsonBytes(json, string.concat(p, ".encoded"));
            assertEq(abi.encode(r), encoded, "encoded");
            bytes32 hash = _b32(json, string.concat(p, ".hash"));
            assertEq(this.reportHashExt(r), hash, "hash (calldata)");
            assertEq(RevenueCodec.reportHashMemory(r), hash, "hash (memory)");
            _checkAttested(json, string.concat(p, ".attestation"), AttestationLib.EPOCH_REPORT_TYPEHASH, hash);
            string memory ids = string.concat(p, ".solanaDistributionIds");
            assertEq(_len(json, ids), r.solana.length, "one distribution id per Solana payout");
            for (uint256 j; j < r.solana.length; ++j) {
                assertEq(
                    RevenueCodec.solanaDistributionId(hash, r.solana[j].token), _b32(json, _idx(ids, j)), "distribution id"
                );
            }
        }
    }

    function test_resolutions_encodingHashAndDigest() public view {
        string memory json = _revenue();
        uint256 n = _count(json, "resolutions");
        for (uint256 i; i < n; ++i) {
            string memory p = _at("resolutions", i);
            bytes32 report = _b32(json, string.concat(p, ".reportHash"));
            uint64 seq = uint64(VM_JSON.parseJsonUint(json, string.concat(p, ".seq")));
            bool upheld = VM_JSON.parseJsonBool(json, string.concat(p, ".upheld"));
            assertEq(
                abi.encode(report, seq, upheld), VM_JSON.parseJsonBytes(json, string.concat(p, ".encoded")), "enc"
            );
            bytes32 hash = _b32(json, string.concat(p, ".hash"));
            assertEq(RevenueCodec.resolutionHash(report, seq, upheld), hash, "hash");
            _checkAttested(json, string.concat(p, ".attestation"), AttestationLib.REPORT_RESOLUTION_TYPEHASH, hash);
        }
    }

    function test_payoutLeaves_encodingAndDoubleHash() public view {
        string memory json = _revenue();
        uint256 n = _count(json, "payoutLeaves");
        for (uint256 i; i < n; ++i) {
            string memory p = _at("payoutLeaves", i);
            bytes memory encoded = abi.encode(
                _uint(json, string.concat(p, ".slot")),
                _b32(json, string.concat(p, ".account")),
                _b32(json, string.concat(p, ".token")),
                _b32(json, string.concat(p, ".recipient")),
                _uint(json, string.concat(p, ".cumulative")),
                _b32(json, string.concat(p, ".salt"))
            );
            assertEq(encoded, VM_JSON.parseJsonBytes(json, string.concat(p, ".encoded")), "encoded");
            assertEq(keccak256(encoded), _b32(json, string.concat(p, ".hash")), "hash");
            assertEq(_leafAt(json, p), _b32(json, string.concat(p, ".leaf")), "leaf");
        }
    }

    function test_payoutTrees_rootsAndProofsVerifyWithMerkleProof() public view {
        string memory json = _revenue();
        uint256 n = _count(json, "payoutTrees");
        for (uint256 t; t < n; ++t) {
            string memory p = _at("payoutTrees", t);
            bytes32 root = _b32(json, string.concat(p, ".root"));
            uint256 count = _len(json, string.concat(p, ".leaves"));
            assertEq(count, _uint(json, string.concat(p, ".leafCount")), "leafCount");
            bytes32[] memory hashes = new bytes32[](count);
            for (uint256 i; i < count; ++i) {
                string memory at = _idx(string.concat(p, ".leaves"), i);
                bytes32 leaf = _leafAt(json, at);
                assertEq(leaf, _b32(json, string.concat(at, ".leaf")), "leaf");
                if (i > 0) {
                    bytes32 prev = _b32(json, string.concat(_idx(string.concat(p, ".leaves"), i - 1), ".leaf"));
                    assertTrue(leaf > prev, "leaves ascend");
                }
                hashes[i] = _b32(json, string.concat(at, ".hash"));
                bytes32[] memory proof = _proof(json, _idx(string.concat(p, ".proofs"), i));
                assertTrue(MerkleProof.verify(proof, root, leaf), "proof verifies");
            }
            // The tree is §5's batch tree over the inner hashes in leaf order (MessageMerkle's leaf is keccak256(hash)).
            assertEq(MessageMerkle.root(hashes), root, "root");
            for (uint256 i; i < count; ++i) {
                assertEq(
                    keccak256(abi.encode(MessageMerkle.proof(hashes, i))),
                    keccak256(abi.encode(_proof(json, _idx(string.concat(p, ".proofs"), i)))),
                    "proof"
                );
            }
        }
    }

    function test_invalidPayoutProofs_doNotVerify() public view {
        string memory json = _revenue();
        uint256 n = _count(json, "invalidPayoutProofs");
        for (uint256 i; i < n; ++i) {
            string memory p = _at("invalidPayoutProofs", i);
            assertEq(
                _hash(VM_JSON.parseJsonString(json, string.concat(p, ".error"))), _hash("InvalidPayoutProof"), "error"
            );
            bytes32[] memory proof = _proof(json, string.concat(p, ".proof"));
            assertFalse(MerkleProof.verify(proof, _b32(json, string.concat(p, ".root")), _leafAt(json, p)), "verifies");
        }
    }
}
