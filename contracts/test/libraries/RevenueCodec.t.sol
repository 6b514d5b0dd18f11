// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {
    CampaignLine, EpochReport, PayoutLeaf, RevenueCodec, SolanaDistribution, TokenAmount
} from "../../src/libraries/RevenueCodec.sol";
import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";

/// @dev Exposes RevenueCodec externally (reportHash reads its report from calldata).
contract RevenueCodecHarness {
    function bindingHash(uint8 platform, bytes32 accountId, address persona, uint64 sequence)
        external
        pure
        returns (bytes32)
    {
        return RevenueCodec.bindingHash(platform, accountId, persona, sequence);
    }

    function reportHash(EpochReport calldata report) external pure returns (bytes32) {
        return RevenueCodec.reportHash(report);
    }

    function resolutionHash(bytes32 report, uint64 seq, bool upheld) external pure returns (bytes32) {
        return RevenueCodec.resolutionHash(report, seq, upheld);
    }

    function payoutLeaf(
        uint256 slot,
        bytes32 account,
        bytes32 token,
        bytes32 recipient,
        uint256 cumulative,
        bytes32 salt
    ) external pure returns (bytes32) {
        return RevenueCodec.payoutLeaf(slot, account, token, recipient, cumulative, salt);
    }

    function processPayoutProof(bytes32[] calldata proof, bytes32 leaf) external pure returns (bytes32) {
        return RevenueCodec.processPayoutProof(proof, leaf);
    }

    function processProofOz(bytes32[] calldata proof, bytes32 leaf) external pure returns (bytes32) {
        return MerkleProof.processProofCalldata(proof, leaf);
    }

    function payoutLeafCalldata(PayoutLeaf calldata leaf) external pure returns (bytes32) {
        return RevenueCodec.payoutLeaf(leaf);
    }
}

contract RevenueCodecTest is Test {
    RevenueCodecHarness internal h = new RevenueCodecHarness();

    // ----- type hashes ------------------------------------------------------------------------------------------

    function test_typeHashes_areTheSpecStrings() public pure {
        assertEq(
            AttestationLib.IDENTITY_BINDING_TYPEHASH,
            keccak256("IdentityBinding(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 bindingHash)"),
            "binding"
        );
        assertEq(
            AttestationLib.EPOCH_REPORT_TYPEHASH,
            keccak256("EpochReport(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 reportHash)"),
            "report"
        );
        assertEq(
            AttestationLib.REPORT_RESOLUTION_TYPEHASH,
            keccak256("ReportResolution(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 resolutionHash)"),
            "resolution"
        );
    }

    function test_typeHashes_distinctFromBridgeKinds() public pure {
        bytes32[7] memory all = [
            AttestationLib.MESSAGE_TYPEHASH,
            AttestationLib.BATCH_TYPEHASH,
            AttestationLib.ROTATION_TYPEHASH,
            AttestationLib.REFUND_TYPEHASH,
            AttestationLib.IDENTITY_BINDING_TYPEHASH,
            AttestationLib.EPOCH_REPORT_TYPEHASH,
            AttestationLib.REPORT_RESOLUTION_TYPEHASH
        ];
        for (uint256 i; i < all.length; ++i) {
            for (uint256 j = i + 1; j < all.length; ++j) {
                assertTrue(all[i] != all[j], "type hashes collide");
            }
        }
    }

    // ----- bindings ---------------------------------------------------------------------------------------------

    function testFuzz_bindingHash_isAbiEncodeOfTheFourFields(
        uint8 platform,
        bytes32 accountId,
        address persona,
        uint64 sequence
    ) public view {
        platform = uint8(bound(platform, 1, RevenueCodec.MAX_PLATFORM));
        assertEq(
            h.bindingHash(platform, accountId, persona, sequence),
            keccak256(
                abi.encodePacked(
                    uint256(platform), accountId, uint256(uint160(persona)), uint256(sequence)
                )
            ),
            "binding hash"
        );
    }

    function test_bindingHash_revokeIsPersonaZero() public view {
        bytes32 fid = bytes32(uint256(3));
        bytes32 bound_ = h.bindingHash(RevenueCodec.PLATFORM_FARCASTER, fid, address(0xBEEF), 1);
        bytes32 revoked = h.bindingHash(RevenueCodec.PLATFORM_FARCASTER, fid, address(0), 2);
        assertTrue(bound_ != revoked, "revoke differs");
        assertEq(revoked, keccak256(abi.encode(uint8(1), fid, address(0), uint64(2))), "revoke encoding");
    }

    function test_bindingHash_everyDefinedPlatform() public view {
        for (uint8 p = 1; p <= RevenueCodec.MAX_PLATFORM; ++p) {
            assertTrue(RevenueCodec.isPlatform(p), "defined");
            assertEq(
                h.bindingHash(p, bytes32(uint256(7)), address(1), 1),
                keccak256(abi.encode(p, bytes32(uint256(7)), address(1), uint64(1))),
                "hash"
            );
        }
        assertEq(RevenueCodec.PLATFORM_FARCASTER, 1, "farcaster");
        assertEq(RevenueCodec.PLATFORM_BLUESKY, 2, "bluesky");
        assertEq(RevenueCodec.PLATFORM_ACTIVITYPUB, 3, "activitypub");
        assertEq(RevenueCodec.PLATFORM_LENS, 4, "lens");
        assertEq(RevenueCodec.PLATFORM_X, 5, "x");
    }

    function test_bindingHash_unknownPlatformZero() public {
        assertFalse(RevenueCodec.isPlatform(0), "0 undefined");
        vm.expectRevert(abi.encodeWithSelector(RevenueCodec.UnknownPlatform.selector, uint8(0)));
        h.bindingHash(0, bytes32(uint256(1)), address(1), 1);
    }

    function testFuzz_bindingHash_unknownPlatformAbove(uint8 platform) public {
        platform = uint8(bound(platform, uint256(RevenueCodec.MAX_PLATFORM) + 1, type(uint8).max));
        assertFalse(RevenueCodec.isPlatform(platform), "undefined");
        vm.expectRevert(abi.encodeWithSelector(RevenueCodec.UnknownPlatform.selector, platform));
        h.bindingHash(platform, bytes32(uint256(1)), address(1), 1);
    }

    // ----- reports ----------------------------------------------------------------------------------------------

    function _report(uint256 nLines, uint256 nExpired) internal pure returns (EpochReport memory r) {
        r.communityId = 7;
        r.epoch = 42;
        r.engagedAccounts = 123;
        r.lines = new CampaignLine[](nLines);
        for (uint256 i; i < nLines; ++i) {
            r.lines[i] = CampaignLine({
                campaignId: uint64(i + 1),
                impressions: uint64(1000 * (i + 1)),
                engagements: uint64(10 * (i + 1)),
                spend: uint128(5000 + i),
                solanaCreators: uint128(100 + i)
            });
        }
        r.prevPayoutRoot = keccak256("prev");
        r.payoutRoot = keccak256("next");
        r.payoutLeafCount = 99;
        r.expired = new TokenAmount[](nExpired);
        for (uint256 i; i < nExpired; ++i) {
            r.expired[i] = TokenAmount({token: address(uint160(0xA000 + i)), amount: uint128(77 + i)});
        }
        // as many Solana payouts as expired entries (0, 1 or 3 in the layout test)
        r.solana = new SolanaDistribution[](nExpired);
        for (uint256 i; i < nExpired; ++i) {
            r.solana[i] = SolanaDistribution({
                token: address(uint160(0xB000 + i)), root: keccak256(abi.encode("claims", i)), leafCount: uint32(3 + i)
            });
        }
    }

    /// @dev The encoding written out word by word, as docs/protocol.md §11.3 describes it (independent of abi.encode).
    function _manualEncoding(EpochReport memory r) internal pure returns (bytes memory out) {
        uint256 linesOffset = 9 * 32;
        uint256 expiredOffset = linesOffset + 32 + r.lines.length * 5 * 32;
        uint256 solanaOffset = expiredOffset + 32 + r.expired.length * 2 * 32;
        out = abi.encodePacked(
            uint256(0x20),
            uint256(r.communityId),
            uint256(r.epoch),
            uint256(r.engagedAccounts),
            linesOffset,
            r.prevPayoutRoot,
            r.payoutRoot,
            uint256(r.payoutLeafCount),
            expiredOffset,
            solanaOffset
        );
        out = abi.encodePacked(out, r.lines.length);
        for (uint256 i; i < r.lines.length; ++i) {
            CampaignLine memory line = r.lines[i];
            out = abi.encodePacked(
                out,
                uint256(line.campaignId),
                uint256(line.impressions),
                uint256(line.engagements),
                uint256(line.spend),
                uint256(line.solanaCreators)
            );
        }
        out = abi.encodePacked(out, r.expired.length);
        for (uint256 i; i < r.expired.length; ++i) {
            out = abi.encodePacked(out, uint256(uint160(r.expired[i].token)), uint256(r.expired[i].amount));
        }
        out = abi.encodePacked(out, r.solana.length);
        for (uint256 i; i < r.solana.length; ++i) {
            SolanaDistribution memory d = r.solana[i];
            out = abi.encodePacked(out, uint256(uint160(d.token)), d.root, uint256(d.leafCount));
        }
    }

    function test_reportHash_wordLayout() public view {
        uint256[3] memory lineCounts = [uint256(1), 5, 32];
        uint256[3] memory expiredCounts = [uint256(0), 1, 3];
        for (uint256 a; a < 3; ++a) {
            for (uint256 b; b < 3; ++b) {
                EpochReport memory r = _report(lineCounts[a], expiredCounts[b]);
                bytes memory manual = _manualEncoding(r);
                assertEq(abi.encode(r), manual, "abi.encode layout");
                assertEq(h.reportHash(r), keccak256(manual), "calldata hash");
                assertEq(RevenueCodec.reportHashMemory(r), keccak256(manual), "memory hash");
            }
        }
    }

    function test_reportHash_everyFieldMatters() public view {
        EpochReport memory r = _report(2, 1);
        bytes32 base = h.reportHash(r);
        bytes32[] memory seen = new bytes32[](16);
        uint256 n;
        r.communityId++;
        seen[n++] = h.reportHash(r);
        r.communityId--;
        r.epoch++;
        seen[n++] = h.reportHash(r);
        r.epoch--;
        r.engagedAccounts++;
        seen[n++] = h.reportHash(r);
        r.engagedAccounts--;
        r.lines[1].impressions++;
        seen[n++] = h.reportHash(r);
        r.lines[1].impressions--;
        r.lines[0].engagements++;
        seen[n++] = h.reportHash(r);
        r.lines[0].engagements--;
        r.lines[0].spend++;
        seen[n++] = h.reportHash(r);
        r.lines[0].spend--;
        r.lines[1].solanaCreators++;
        seen[n++] = h.reportHash(r);
        r.lines[1].solanaCreators--;
        r.prevPayoutRoot = bytes32(0);
        seen[n++] = h.reportHash(r);
        r.prevPayoutRoot = keccak256("prev");
        r.payoutRoot = bytes32(0);
        seen[n++] = h.reportHash(r);
        r.payoutRoot = keccak256("next");
        r.payoutLeafCount++;
        seen[n++] = h.reportHash(r);
        r.payoutLeafCount--;
        r.expired[0].amount++;
        seen[n++] = h.reportHash(r);
        r.expired[0].amount--;
        TokenAmount[] memory expired = r.expired;
        r.expired = new TokenAmount[](0);
        seen[n++] = h.reportHash(r);
        r.expired = expired;
        r.solana[0].token = address(1);
        seen[n++] = h.reportHash(r);
        r.solana[0].token = address(0xB000);
        r.solana[0].root = bytes32(0);
        seen[n++] = h.reportHash(r);
        r.solana[0].root = keccak256(abi.encode("claims", 0));
        r.solana[0].leafCount++;
        seen[n++] = h.reportHash(r);
        r.solana[0].leafCount--;
        r.solana = new SolanaDistribution[](0);
        seen[n++] = h.reportHash(r);
        assertEq(n, seen.length, "count");
        for (uint256 i; i < n; ++i) {
            assertTrue(seen[i] != base, "a field change left the hash unchanged");
            for (uint256 j = i + 1; j < n; ++j) {
                assertTrue(seen[i] != seen[j], "two changes collide");
            }
        }
        assertEq(h.reportHash(_report(2, 1)), base, "restored");
    }

    // ----- resolutions ------------------------------------------------------------------------------------------

    function testFuzz_resolutionHash(bytes32 report, uint64 seq, bool upheld) public view {
        assertEq(
            h.resolutionHash(report, seq, upheld),
            keccak256(abi.encodePacked(report, uint256(seq), uint256(upheld ? 1 : 0))),
            "resolution hash"
        );
        assertTrue(h.resolutionHash(report, seq, true) != h.resolutionHash(report, seq, false), "upheld matters");
        unchecked {
            assertTrue(h.resolutionHash(report, seq, upheld) != h.resolutionHash(report, seq + 1, upheld), "seq matters");
        }
    }

    // ----- payout leaves ----------------------------------------------------------------------------------------

    function testFuzz_payoutLeaf_isDoubleHashOfAbiEncode(
        uint256 slot,
        bytes32 account,
        bytes32 token,
        bytes32 recipient,
        uint256 cumulative,
        bytes32 salt
    ) public view {
        bytes32 expected =
            keccak256(bytes.concat(keccak256(abi.encode(slot, account, token, recipient, cumulative, salt))));
        assertEq(h.payoutLeaf(slot, account, token, recipient, cumulative, salt), expected, "leaf (external)");
        assertEq(RevenueCodec.payoutLeaf(slot, account, token, recipient, cumulative, salt), expected, "leaf (internal)");
    }

    function testFuzz_payoutLeaf_calldataLeafHashesTheSame(
        uint256 slot,
        address account,
        address token,
        address recipient,
        uint256 cumulative,
        bytes32 salt
    ) public view {
        PayoutLeaf memory l = PayoutLeaf(slot, account, token, recipient, cumulative, salt);
        assertEq(
            h.payoutLeafCalldata(l),
            RevenueCodec.payoutLeaf(
                slot,
                RevenueCodec.toBytes32(account),
                RevenueCodec.toBytes32(token),
                RevenueCodec.toBytes32(recipient),
                cumulative,
                salt
            ),
            "calldata leaf"
        );
    }

    function testFuzz_processPayoutProof_isOpenZeppelins(bytes32 leaf, bytes32[] memory proof) public view {
        assertEq(h.processPayoutProof(proof, leaf), h.processProofOz(proof, leaf), "same root as MerkleProof");
    }

    function test_processPayoutProof_equalSiblingAndEmptyProof() public view {
        bytes32[] memory proof = new bytes32[](2);
        proof[0] = keccak256("x");
        proof[1] = h.processProofOz(new bytes32[](1), proof[0]); // any word
        assertEq(h.processPayoutProof(proof, proof[0]), h.processProofOz(proof, proof[0]), "equal pair");
        assertEq(h.processPayoutProof(new bytes32[](0), proof[0]), proof[0], "empty proof: the leaf");
    }

    function test_payoutLeaf_leavesFreeMemoryIntact() public pure {
        bytes memory before = abi.encode(uint256(1), uint256(2));
        uint256 fmpBefore;
        assembly ("memory-safe") {
            fmpBefore := mload(0x40)
        }
        RevenueCodec.payoutLeaf(5, bytes32(uint256(1)), bytes32(uint256(2)), bytes32(uint256(1)), 3, bytes32(uint256(4)));
        uint256 fmpAfter;
        assembly ("memory-safe") {
            fmpAfter := mload(0x40)
        }
        assertEq(fmpAfter, fmpBefore, "free memory pointer");
        assertEq(before, abi.encode(uint256(1), uint256(2)), "earlier allocation");
    }

    function test_toBytes32_leftPads() public pure {
        assertEq(
            RevenueCodec.toBytes32(0x1111111111111111111111111111111111111111),
            bytes32(0x0000000000000000000000001111111111111111111111111111111111111111),
            "left padded"
        );
    }

    function test_payoutLeaf_verifiesWithOpenZeppelinMerkleProof() public pure {
        bytes32 token = RevenueCodec.toBytes32(address(0xA0));
        bytes32 one = RevenueCodec.toBytes32(address(1));
        bytes32 two = RevenueCodec.toBytes32(address(2));
        bytes32 three = RevenueCodec.toBytes32(address(3));
        bytes32 a = RevenueCodec.payoutLeaf(0, one, token, one, 100, keccak256("s1"));
        bytes32 b = RevenueCodec.payoutLeaf(1, two, token, three, 200, keccak256("s2"));
        bytes32 c = RevenueCodec.payoutLeaf(2, three, token, three, 300, keccak256("s3"));
        bytes32 ab = a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
        bytes32 root = ab < c ? keccak256(abi.encodePacked(ab, c)) : keccak256(abi.encodePacked(c, ab));
        bytes32[] memory proof = new bytes32[](2);
        proof[0] = b;
        proof[1] = c;
        assertTrue(MerkleProof.verify(proof, root, a), "a");
        proof[0] = a;
        assertTrue(MerkleProof.verify(proof, root, b), "b");
        bytes32[] memory proofC = new bytes32[](1);
        proofC[0] = ab;
        assertTrue(MerkleProof.verify(proofC, root, c), "c");
        // A proof for the wrong leaf fails.
        assertFalse(MerkleProof.verify(proofC, root, a), "wrong leaf");
    }
}
