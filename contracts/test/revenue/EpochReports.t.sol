// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";
import {EpochReports} from "../../src/revenue/EpochReports.sol";
import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {ICreatorPayouts} from "../../src/revenue/interfaces/ICreatorPayouts.sol";
import {IEpochReports} from "../../src/revenue/interfaces/IEpochReports.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ReentrantToken} from "../mocks/Tokens.sol";
import {vm} from "../utils/Vm.sol";
import {CampaignLine, EpochReport} from "../../src/libraries/RevenueCodec.sol";
import {ICommunityRegistry} from "../../src/revenue/interfaces/ICommunityRegistry.sol";
import {RevenueFixture} from "./RevenueFixture.t.sol";

/// @notice Refuses ETH (a bond credit withdrawn to it fails).
contract EthRefuser {
    error NoEth();

    receive() external payable {
        revert NoEth();
    }
}

/// @notice EpochReports: submission checks, the challenge window (conflicting report, bonded dispute), quorum
///         resolution, finalization in chain order, dropping reports built on a rejected one, bond credits.
contract EpochReportsTest is RevenueFixture {
    uint64 internal id;

    function setUp() public override {
        super.setUp();
        id = _campaign();
        _toEpochEnd(0);
    }

    function _one(uint64 epoch, bytes32 root) internal view returns (EpochReport memory) {
        return _report(C1, epoch, _lines(_line(id, 1000, 10)), root);
    }

    // ------------------------------------------------------------------ constructor

    function test_constructor_zeroAddress() public {
        vm.expectRevert(IEpochReports.ZeroAddress.selector);
        new EpochReports(IAttesterSet(address(0)), ICommunityRegistry(address(registry)), ledger, 1, 1);
    }

    function test_constructor_initialState() public view {
        assertEq(reports.nextSeq(), 1, "next seq");
        assertEq(reports.tip(), 0, "tip");
        assertEq(reports.lastFinal(), 0, "last final");
        assertEq(reports.deadBelow(), 0, "dead below");
        assertEq(bytes32(reports.pendingRoot()), bytes32(0), "pending root");
        assertEq(reports.finalRoot(), bytes32(0), "final root");
        assertEq(reports.challengeWindow(), WINDOW, "window");
        assertEq(reports.disputeBond(), BOND, "bond");
    }

    // ------------------------------------------------------------------ submit

    function test_submit_storesReservesAndEmits() public {
        EpochReport memory r = _one(0, keccak256("root"));
        bytes memory att = _attest(r);
        vm.expectEmit(address(reports));
        emit IEpochReports.ReportSubmitted(1, C1, 0, _hash(r), r.payoutRoot, 0);
        uint64 seq = reports.submit(r, att);
        assertEq(seq, 1, "seq");
        IEpochReports.ReportRecord memory rec = reports.reportOf(seq);
        assertEq(uint256(rec.status), uint256(IEpochReports.Status.Pending), "pending");
        assertEq(rec.submittedAt, block.timestamp, "time");
        assertEq(rec.parent, 0, "parent");
        assertEq(rec.commitment, bytes20(keccak256(abi.encodePacked(_hash(r), att))), "commitment");
        assertTrue(reports.isReported(C1, 0), "reported");
        assertEq(bytes32(reports.pendingRoot()), bytes32(bytes16(r.payoutRoot)), "tip root prefix");
        assertEq(reports.tip(), 1, "tip");
        assertEq(reports.nextSeq(), 2, "next");
        assertEq(reports.reportHash(r), _hash(r), "hash view");
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        assertEq(c.available, 10_000e18 - r.lines[0].spend, "reserved from budget");
        assertEq(c.epochSpend, r.lines[0].spend, "cap accumulator");
        assertEq(c.pendingReports, 1, "pending count");
        assertEq(ledger.reservedOf(id), r.lines[0].spend, "reserved");
    }

    function test_submit_epochNotOver() public {
        EpochReport memory r = _one(1, bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.EpochNotOver.selector, uint64(1), uint64(1)));
        reports.submit(r, att);
    }

    function test_submit_unknownCommunity() public {
        EpochReport memory r = _one(0, bytes32(0));
        r.communityId = 9;
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICommunityRegistry.UnknownCommunity.selector, uint64(9)));
        reports.submit(r, att);
    }

    function test_submit_belowKAnonymity() public {
        EpochReport memory r = _one(0, bytes32(0));
        r.engagedAccounts = K - 1;
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.BelowKAnonymity.selector, uint32(K - 1), K));
        reports.submit(r, att);
    }

    function test_submit_noLines() public {
        EpochReport memory r = _report(C1, 0, new CampaignLine[](0), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.InvalidLineCount.selector, 0));
        reports.submit(r, att);
    }

    function test_submit_tooManyLines() public {
        EpochReport memory r = _report(C1, 0, new CampaignLine[](33), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.InvalidLineCount.selector, 33));
        reports.submit(r, att);
    }

    function test_submit_linesNotAscending() public {
        CampaignLine[] memory lines = new CampaignLine[](2);
        lines[0] = _line(id, 1, 0);
        lines[1] = _line(id, 1, 0);
        EpochReport memory r = _report(C1, 0, lines, bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.LinesNotAscending.selector, 1));
        reports.submit(r, att);
    }

    function test_submit_reportExists() public {
        _submit(_one(0, keccak256("a")));
        EpochReport memory r = _one(0, keccak256("b"));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ReportExists.selector, C1, uint64(0)));
        reports.submit(r, att);
    }

    function test_submit_payoutRootMismatch() public {
        _submit(_one(0, keccak256("a")));
        EpochReport memory r = _report(C2, 0, _lines(_line(id, 1000, 0)), keccak256("b"));
        r.prevPayoutRoot = bytes32(0);
        bytes memory att = _attest(r);
        vm.expectRevert(
            abi.encodeWithSelector(IEpochReports.PayoutRootMismatch.selector, bytes16(keccak256("a")), bytes32(0))
        );
        reports.submit(r, att);
    }

    function test_submit_belowQuorum() public {
        EpochReport memory r = _one(0, bytes32(0));
        bytes memory att = _attestFirst(EPOCH_REPORT_TYPEHASH, DOMAIN, _toBytes32(address(reports)), 1, _hash(r), keys, 1);
        vm.expectRevert();
        reports.submit(r, att);
    }

    function test_submit_attestationForAnotherReport() public {
        EpochReport memory r = _one(0, bytes32(0));
        bytes memory att = _attest(_one(0, keccak256("other")));
        vm.expectRevert(); // recovers unknown signers
        reports.submit(r, att);
    }

    function test_submit_notTargeted() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 100e18, 100e18);
        p.start = genesis;
        uint64 only1 = _create(p);
        EpochReport memory r = _report(C2, 0, _lines(_line(only1, 1000, 0)), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.NotTargeted.selector, only1, C2));
        reports.submit(r, att);
    }

    function test_submit_unknownCampaign() public {
        CampaignLine memory l;
        l.campaignId = 77;
        EpochReport memory r = _report(C1, 0, _lines(l), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.UnknownCampaign.selector, uint64(77)));
        reports.submit(r, att);
    }

    function test_submit_campaignNotStarted() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 100e18, 100e18);
        p.start = uint40(block.timestamp + 1);
        uint64 later = _create(p);
        EpochReport memory r = _report(C1, 0, _lines(_line(later, 1000, 0)), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignNotLive.selector, later, uint64(0)));
        reports.submit(r, att);
    }

    function test_submit_campaignEnded() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 100e18, 100e18);
        p.end = uint40(block.timestamp + 1);
        uint64 short = _create(p); // runs during epoch 1 only
        _toEpochEnd(2);
        EpochReport memory r = _report(C1, 2, _lines(_line(short, 1000, 0)), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignNotLive.selector, short, uint64(2)));
        reports.submit(r, att);
    }

    function test_submit_pausedCampaignNotBillableAfterPause() public {
        vm.prank(advertiser);
        ledger.pause(id); // at the start of epoch 1
        _toEpochEnd(1);
        EpochReport memory r = _one(1, bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignNotLive.selector, id, uint64(1)));
        reports.submit(r, att);
        // epoch 0 ran before the pause: still billable
        _submit(_one(0, bytes32(0)));
    }

    function test_submit_cancelledCampaignNotBillableAfterCancel() public {
        vm.prank(advertiser);
        ledger.cancel(id);
        _toEpochEnd(1);
        EpochReport memory r = _one(1, bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignNotLive.selector, id, uint64(1)));
        reports.submit(r, att);
    }

    function test_submit_spendMismatch() public {
        EpochReport memory r = _one(0, bytes32(0));
        r.lines[0].spend += 1;
        bytes memory att = _attest(r);
        vm.expectRevert(
            abi.encodeWithSelector(ICampaignLedger.SpendMismatch.selector, id, r.lines[0].spend - 1, r.lines[0].spend)
        );
        reports.submit(r, att);
    }

    function test_submit_epochCapAccumulatesOverCommunities() public {
        // cap 1,000 tokens; 300,000 impressions = 600 tokens per community.
        _submit(_report(C1, 0, _lines(_line(id, 300_000, 0)), bytes32(0)));
        EpochReport memory r = _report(C2, 0, _lines(_line(id, 300_000, 0)), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.EpochCapExceeded.selector, id, 1200e18, 1000e18));
        reports.submit(r, att);
        // the next epoch starts a new accumulator
        _toEpochEnd(1);
        _submit(_report(C2, 1, _lines(_line(id, 300_000, 0)), bytes32(0)));
        assertEq(ledger.campaign(id).epochSpend, 600e18, "new epoch");
    }

    function test_submit_budgetExceeded() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 1e18, 100e18);
        p.start = genesis;
        uint64 small = _create(p);
        EpochReport memory r = _report(C1, 0, _lines(_line(small, 1000, 0)), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.BudgetExceeded.selector, small, 2e18, 1e18));
        reports.submit(r, att);
    }

    function test_submit_epochCapClosed() public {
        _toEpochEnd(1);
        _submit(_report(C1, 1, _lines(_line(id, 1000, 0)), bytes32(0)));
        EpochReport memory r = _report(C2, 0, _lines(_line(id, 1000, 0)), bytes32(0));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.EpochCapClosed.selector, id, uint64(0), uint64(1)));
        reports.submit(r, att);
    }

    function test_submit_solanaShareTooLarge() public {
        EpochReport memory r = _one(0, bytes32(0));
        uint256 creators = uint256(r.lines[0].spend) * 7000 / 10_000;
        r.lines[0].solanaCreators = uint128(creators + 1);
        bytes memory att = _attest(r);
        vm.expectRevert(
            abi.encodeWithSelector(ICampaignLedger.SolanaShareTooLarge.selector, id, creators + 1, creators)
        );
        reports.submit(r, att);
    }

    // ------------------------------------------------------------------ challengeConflicting

    function test_challengeConflicting_freezes() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        EpochReport memory other = _one(0, keccak256("b"));
        bytes memory otherAtt = _attest(other);
        vm.expectEmit(address(reports));
        emit IEpochReports.ReportChallenged(seq, _hash(other), stranger);
        vm.prank(stranger);
        reports.challengeConflicting(seq, r, att, other, otherAtt);
        assertEq(uint256(reports.reportOf(seq).status), uint256(IEpochReports.Status.Frozen), "frozen");
        _afterWindow();
        vm.expectRevert(
            abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Frozen)
        );
        reports.finalize(seq, r, att);
    }

    function test_challengeConflicting_sameReport() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.expectRevert(IEpochReports.NotConflicting.selector);
        reports.challengeConflicting(seq, r, att, r, att);
    }

    function test_challengeConflicting_otherEpoch() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        EpochReport memory other = _one(1, keccak256("a"));
        bytes memory otherAtt = _attest(other);
        vm.expectRevert(IEpochReports.NotConflicting.selector);
        reports.challengeConflicting(seq, r, att, other, otherAtt);
    }

    function test_challengeConflicting_otherNotAttested() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        EpochReport memory other = _one(0, keccak256("b"));
        bytes memory otherAtt = _attestFirst(EPOCH_REPORT_TYPEHASH, DOMAIN, _toBytes32(address(reports)), 1, _hash(other), keys, 1);
        vm.expectRevert();
        reports.challengeConflicting(seq, r, att, other, otherAtt);
    }

    function test_challengeConflicting_differentAttesterSet() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        // rotate to set 2 (same members) and sign the other report with it
        (, address[] memory members, uint96[] memory weights) = _makeSet(3);
        uint16 threshold = _thresholdFor(2, 3);
        set.rotate(members, weights, threshold, _attestRotation(set, 1, members, weights, threshold, keys, 2));
        EpochReport memory other = _one(0, keccak256("b"));
        bytes memory otherAtt = _attestFirst(EPOCH_REPORT_TYPEHASH, DOMAIN, _toBytes32(address(reports)), 2, _hash(other), keys, 2);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.DifferentAttesterSet.selector, uint64(1), uint64(2)));
        reports.challengeConflicting(seq, r, att, other, otherAtt);
    }

    function test_challengeConflicting_windowClosed() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        uint256 closes = block.timestamp + WINDOW;
        _afterWindow();
        EpochReport memory other = _one(0, keccak256("b"));
        bytes memory otherAtt = _attest(other);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ChallengeWindowClosed.selector, seq, closes));
        reports.challengeConflicting(seq, r, att, other, otherAtt);
    }

    function test_challengeConflicting_reportMismatch() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq,) = _submit(r);
        EpochReport memory other = _one(0, keccak256("b"));
        bytes memory otherAtt = _attest(other);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ReportMismatch.selector, seq));
        reports.challengeConflicting(seq, other, otherAtt, r, otherAtt);
    }

    // ------------------------------------------------------------------ dispute

    function test_dispute_freezesWithBond() public {
        (uint64 seq,) = _submit(_one(0, keccak256("a")));
        vm.expectEmit(address(reports));
        emit IEpochReports.ReportDisputed(seq, attesters[2], BOND);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        assertEq(uint256(reports.reportOf(seq).status), uint256(IEpochReports.Status.Frozen), "frozen");
        assertEq(reports.disputerOf(seq), attesters[2], "disputer");
        assertEq(address(reports).balance, BOND, "bond held");
    }

    function test_dispute_wrongBond() public {
        (uint64 seq,) = _submit(_one(0, keccak256("a")));
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.WrongBond.selector, BOND - 1, BOND));
        vm.prank(attesters[2]);
        reports.dispute{value: BOND - 1}(seq);
    }

    function test_dispute_notAnAttester() public {
        (uint64 seq,) = _submit(_one(0, keccak256("a")));
        vm.deal(stranger, BOND);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.NotAnAttester.selector, stranger));
        vm.prank(stranger);
        reports.dispute{value: BOND}(seq);
    }

    function test_dispute_unknownReport() public {
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.UnknownReport.selector, uint64(5)));
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(5);
    }

    function test_dispute_windowClosed() public {
        (uint64 seq,) = _submit(_one(0, keccak256("a")));
        uint256 closes = block.timestamp + WINDOW;
        _afterWindow();
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ChallengeWindowClosed.selector, seq, closes));
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
    }

    function test_dispute_alreadyFrozen() public {
        (uint64 seq,) = _submit(_one(0, keccak256("a")));
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Frozen));
        vm.prank(attesters[1]);
        reports.dispute{value: BOND}(seq);
    }

    // ------------------------------------------------------------------ resolve

    function test_resolve_upheldRejectsReleasesRewindsAndKillsDescendants() public {
        EpochReport memory a = _one(0, keccak256("a"));
        (uint64 seqA, bytes memory attA) = _submit(a);
        EpochReport memory b = _report(C2, 0, _lines(_line(id, 2000, 0)), keccak256("b")); // builds on a
        (uint64 seqB, bytes memory attB) = _submit(b);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seqA);

        vm.expectEmit(address(reports));
        emit IEpochReports.ReportResolved(seqA, true);
        reports.resolve(seqA, a, attA, true, _attestResolution(seqA, a, true));

        assertEq(uint256(reports.reportOf(seqA).status), uint256(IEpochReports.Status.Rejected), "rejected");
        assertFalse(reports.isReported(C1, 0), "C1 epoch 0 free again");
        assertEq(bytes32(reports.pendingRoot()), bytes32(0), "tip rewound");
        assertEq(reports.tip(), 0, "tip seq");
        assertEq(reports.deadBelow(), 3, "a and b dead");
        assertEq(reports.creditOf(attesters[2]), BOND, "bond back to disputer");
        assertEq(ledger.reservedOf(id), b.lines[0].spend, "a released, b still reserved");

        // b can never finalize and is dropped by anyone
        _afterWindow();
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ParentNotFinal.selector, seqB, seqA, uint64(0)));
        reports.finalize(seqB, b, attB);
        vm.expectEmit(address(reports));
        emit IEpochReports.ReportDropped(seqB);
        vm.prank(stranger);
        reports.drop(seqB, b, attB);
        assertEq(uint256(reports.reportOf(seqB).status), uint256(IEpochReports.Status.Dropped), "dropped");
        assertEq(ledger.reservedOf(id), 0, "all released");
        assertEq(ledger.campaign(id).available, 10_000e18, "budget whole again");
        assertEq(ledger.campaign(id).pendingReports, 0, "no pending");

        // a corrected report for (C1, 0) is accepted on the rewound tip and finalizes
        EpochReport memory a2 = _one(0, keccak256("a2"));
        (uint64 seqA2, bytes memory attA2) = _submit(a2);
        assertEq(reports.reportOf(seqA2).parent, 0, "builds on the final state");
        _afterWindow();
        reports.finalize(seqA2, a2, attA2);
        assertEq(payouts.root(), keccak256("a2"), "final root");
    }

    function test_resolve_notUpheldClearsAndSlashesBond() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        vm.expectEmit(address(reports));
        emit IEpochReports.BondCredited(feeRecipient, BOND);
        reports.resolve(seq, r, att, false, _attestResolution(seq, r, false));
        assertEq(uint256(reports.reportOf(seq).status), uint256(IEpochReports.Status.Cleared), "cleared");
        assertEq(reports.creditOf(feeRecipient), BOND, "bond to the fee recipient");
        // finalizable at once, inside the window
        reports.finalize(seq, r, att);
        assertEq(uint256(reports.reportOf(seq).status), uint256(IEpochReports.Status.Final), "final");
    }

    function test_resolve_notFrozen() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        bytes memory resolution = _attestResolution(seq, r, true);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Pending));
        reports.resolve(seq, r, att, true, resolution);
    }

    function test_resolve_wrongDecisionSigned() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        bytes memory resolution = _attestResolution(seq, r, false);
        vm.expectRevert(); // signed "not upheld", submitted as upheld
        reports.resolve(seq, r, att, true, resolution);
    }

    /// @dev Calls `resolve` and returns the selector it reverted with (the call must revert).
    function _resolveRevert(uint64 seq, EpochReport memory r, bytes memory att, bool upheld, bytes memory resolution)
        internal
        returns (bytes4 selector)
    {
        try reports.resolve(seq, r, att, upheld, resolution) {
            assertTrue(false, "resolve must revert");
        } catch (bytes memory ret) {
            selector = bytes4(ret);
        }
    }

    /// @notice A rejected report may be submitted again byte for byte (its attestation is still valid, anyone can).
    ///         The quorum's old "upheld" decision must not settle the new submission: a decision binds the `seq`.
    function test_resolve_oldDecisionRefusedForResubmittedIdenticalReport() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq1, bytes memory att) = _submit(r);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq1);
        bytes memory oldDecision = _attestResolution(seq1, r, true);
        reports.resolve(seq1, r, att, true, oldDecision);
        assertEq(uint256(reports.reportOf(seq1).status), uint256(IEpochReports.Status.Rejected), "rejected");

        // the same bytes and attestation, submitted again, get a new seq
        uint64 seq2 = reports.submit(r, att);
        assertTrue(seq2 != seq1, "new seq");
        vm.prank(attesters[1]);
        reports.dispute{value: BOND}(seq2);

        // replaying the old decision fails the quorum check (the signed value differs)
        assertEq(
            _resolveRevert(seq2, r, att, true, oldDecision), IAttesterSet.UnknownSigner.selector, "old decision refused"
        );
        assertEq(uint256(reports.reportOf(seq2).status), uint256(IEpochReports.Status.Frozen), "still frozen");

        // only a decision on seq2 settles it
        reports.resolve(seq2, r, att, true, _attestResolution(seq2, r, true));
        assertEq(uint256(reports.reportOf(seq2).status), uint256(IEpochReports.Status.Rejected), "rejected again");
    }

    /// @notice The dangerous direction: a report cleared once ("not upheld"), dropped because its parent was rejected,
    ///         then submitted again byte for byte and disputed. The old clearance must not unfreeze it.
    function test_resolve_oldClearanceRefusedForResubmittedIdenticalReport() public {
        EpochReport memory a = _one(0, keccak256("a"));
        (uint64 seqA, bytes memory attA) = _submit(a);
        EpochReport memory b = _report(C2, 0, _lines(_line(id, 2000, 0)), keccak256("b")); // builds on a
        (uint64 seqB, bytes memory attB) = _submit(b);

        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seqB);
        bytes memory oldClearance = _attestResolution(seqB, b, false);
        reports.resolve(seqB, b, attB, false, oldClearance);
        vm.prank(attesters[1]);
        reports.dispute{value: BOND}(seqA);
        reports.resolve(seqA, a, attA, true, _attestResolution(seqA, a, true));
        reports.drop(seqB, b, attB);

        // both reports submitted again as they were (same bytes, same attestations): same chain, new seqs
        uint64 seqA2 = reports.submit(a, attA);
        uint64 seqB2 = reports.submit(b, attB);
        _rootOf[seqA2] = a.payoutRoot;
        _rootOf[seqB2] = b.payoutRoot;
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seqB2);

        assertEq(
            _resolveRevert(seqB2, b, attB, false, oldClearance),
            IAttesterSet.UnknownSigner.selector,
            "old clearance refused"
        );
        assertEq(uint256(reports.reportOf(seqB2).status), uint256(IEpochReports.Status.Frozen), "still frozen");
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.BadStatus.selector, seqB2, IEpochReports.Status.Frozen));
        reports.finalize(seqB2, b, attB);
    }

    function test_resolve_upheldNeedsFinalParent() public {
        EpochReport memory a = _one(0, keccak256("a"));
        _submit(a);
        EpochReport memory b = _report(C2, 0, _lines(_line(id, 1000, 0)), keccak256("b"));
        (uint64 seqB, bytes memory attB) = _submit(b);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seqB);
        bytes memory resolution = _attestResolution(seqB, b, true);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ParentNotFinal.selector, seqB, uint64(1), uint64(0)));
        reports.resolve(seqB, b, attB, true, resolution);
    }

    function test_resolve_releaseKeepsANewerEpochAccumulator() public {
        EpochReport memory a = _one(0, keccak256("a"));
        (uint64 seqA, bytes memory attA) = _submit(a);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seqA);
        _toEpochEnd(1);
        EpochReport memory b = _report(C2, 1, _lines(_line(id, 5000, 0)), keccak256("b"));
        (uint64 seqB, bytes memory attB) = _submit(b);
        reports.resolve(seqA, a, attA, true, _attestResolution(seqA, a, true));
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        assertEq(c.capEpoch, 1, "accumulator on epoch 1");
        assertEq(c.epochSpend, b.lines[0].spend, "epoch 1 spend untouched by releasing epoch 0");
        reports.drop(seqB, b, attB);
        c = ledger.campaign(id);
        assertEq(c.epochSpend, 0, "epoch 1 released");
        assertEq(c.available, 10_000e18, "budget whole");
    }

    // ------------------------------------------------------------------ finalize

    function test_finalize_commitsAndAdvancesRoot() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        vm.expectEmit(address(reports));
        emit IEpochReports.ReportFinalized(seq, C1, 0, keccak256("a"));
        vm.expectEmit(address(payouts));
        emit ICreatorPayouts.RootAdvanced(keccak256("a"), 1);
        reports.finalize(seq, r, att);
        assertEq(uint256(reports.reportOf(seq).status), uint256(IEpochReports.Status.Final), "final");
        assertEq(reports.lastFinal(), seq, "last final");
        assertEq(reports.finalRoot(), keccak256("a"), "final root");
        assertEq(payouts.root(), keccak256("a"), "payout root");
        assertEq(ledger.campaign(id).spent, r.lines[0].spend, "spent");
    }

    function test_finalize_windowOpen() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ChallengeWindowOpen.selector, seq, block.timestamp + WINDOW));
        reports.finalize(seq, r, att);
        assertEq(payouts.root(), bytes32(0), "nothing claimable before final");
    }

    function test_finalize_inChainOrder() public {
        EpochReport memory a = _one(0, keccak256("a"));
        (uint64 seqA, bytes memory attA) = _submit(a);
        EpochReport memory b = _report(C2, 0, _lines(_line(id, 1000, 0)), keccak256("b"));
        (uint64 seqB, bytes memory attB) = _submit(b);
        _afterWindow();
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ParentNotFinal.selector, seqB, seqA, uint64(0)));
        reports.finalize(seqB, b, attB);
        reports.finalize(seqA, a, attA);
        reports.finalize(seqB, b, attB);
        assertEq(payouts.root(), keccak256("b"), "root b");
    }

    /// @notice A token whose transfer hook tries to finalize the next report while the ledger moves the creators'
    ///         share cannot: finalize holds its lock, the refused move leaves the share in the ledger (for
    ///         `moveCreators`), and the payout root still advances in chain order.
    function test_finalize_reentrantTokenCannotFinalizeAnother() public {
        ReentrantToken ree = new ReentrantToken();
        ree.mint(advertiser, 10_000e18);
        vm.prank(advertiser);
        ree.approve(address(ledger), 10_000e18);
        uint64 rid = _create(_params(address(ree), _communities(C1, C2), 10_000e18, 1_000e18));
        _toEpochEnd(1); // the campaign starts during epoch 0: epoch 1 is its first whole epoch
        EpochReport memory a = _report(C1, 1, _lines(_line(rid, 1000, 0)), keccak256("a"));
        (uint64 seqA, bytes memory attA) = _submit(a);
        EpochReport memory b = _report(C2, 1, _lines(_line(rid, 1000, 0)), keccak256("b"));
        (uint64 seqB, bytes memory attB) = _submit(b);
        _afterWindow();
        ree.arm(address(reports), abi.encodeCall(EpochReports.finalize, (seqB, b, attB)));
        reports.finalize(seqA, a, attA);
        assertEq(payouts.root(), keccak256("a"), "root a");
        uint256 share = uint256(a.lines[0].spend) * 7000 / 10_000;
        assertEq(ledger.creatorsHeld(address(ree)), share, "the refused move waits in the ledger");
        // the refused transfer rolled the one-shot hook back: it is still armed, and moveCreators holds the ledger's
        // lock, so the hook's finalize fails there too
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        ledger.moveCreators(address(ree));
        ree.arm(address(0), "");
        assertEq(ledger.moveCreators(address(ree)), share, "moved later");
        reports.finalize(seqB, b, attB);
        assertEq(payouts.root(), keccak256("b"), "root b");
        assertEq(ree.balanceOf(address(payouts)), 2 * share, "both shares in CreatorPayouts");
    }

    function test_finalize_twice() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Final));
        reports.finalize(seq, r, att);
        // and (C1, 0) can never be reported again
        EpochReport memory again = _one(0, keccak256("again"));
        bytes memory att2 = _attest(again);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ReportExists.selector, C1, uint64(0)));
        reports.submit(again, att2);
    }

    function test_finalize_reportMismatch() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        r.lines[0].impressions += 1000;
        r.lines[0].spend += 2e18;
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ReportMismatch.selector, seq));
        reports.finalize(seq, r, att);
    }

    function test_finalize_unknownReport() public {
        EpochReport memory r = _one(0, keccak256("a"));
        bytes memory att = _attest(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.UnknownReport.selector, uint64(1)));
        reports.finalize(1, r, att);
    }

    // ------------------------------------------------------------------ drop

    function test_drop_aliveReport() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ReportAlive.selector, seq));
        reports.drop(seq, r, att);
    }

    function test_drop_finalReport() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Final));
        reports.drop(seq, r, att);
    }

    function test_drop_frozenDeadReportReturnsBond() public {
        EpochReport memory a = _one(0, keccak256("a"));
        (uint64 seqA, bytes memory attA) = _submit(a);
        EpochReport memory b = _report(C2, 0, _lines(_line(id, 1000, 0)), keccak256("b"));
        (uint64 seqB, bytes memory attB) = _submit(b);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seqA);
        vm.prank(attesters[1]);
        reports.dispute{value: BOND}(seqB);
        reports.resolve(seqA, a, attA, true, _attestResolution(seqA, a, true));
        reports.drop(seqB, b, attB);
        assertEq(reports.creditOf(attesters[1]), BOND, "bond back");
    }

    // ------------------------------------------------------------------ withdrawCredit

    function test_withdrawCredit_pays() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        reports.resolve(seq, r, att, true, _attestResolution(seq, r, true));
        uint256 before = stranger.balance;
        vm.expectEmit(address(reports));
        emit IEpochReports.CreditWithdrawn(attesters[2], stranger, BOND);
        vm.prank(attesters[2]);
        assertEq(reports.withdrawCredit(payable(stranger)), BOND, "amount");
        assertEq(stranger.balance - before, BOND, "paid");
        assertEq(reports.creditOf(attesters[2]), 0, "cleared");
    }

    function test_withdrawCredit_nothing() public {
        vm.expectRevert(IEpochReports.NothingToWithdraw.selector);
        reports.withdrawCredit(payable(stranger));
    }

    function test_withdrawCredit_zeroAddress() public {
        vm.expectRevert(IEpochReports.ZeroAddress.selector);
        reports.withdrawCredit(payable(address(0)));
    }

    function test_withdrawCredit_transferFailed() public {
        EpochReport memory r = _one(0, keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        reports.resolve(seq, r, att, true, _attestResolution(seq, r, true));
        address refuser = address(new EthRefuser());
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.TransferFailed.selector, refuser));
        vm.prank(attesters[2]);
        reports.withdrawCredit(payable(refuser));
    }
}
