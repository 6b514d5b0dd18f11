// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {ICreatorPayouts} from "../../src/revenue/interfaces/ICreatorPayouts.sol";
import {IEpochReports} from "../../src/revenue/interfaces/IEpochReports.sol";
import {EpochReport, PayoutLeaf} from "../../src/libraries/RevenueCodec.sol";
import {vm} from "../utils/Vm.sol";
import {BlacklistToken} from "./mocks/RevenueTokens.sol";
import {RevenueFixture} from "./RevenueFixture.t.sol";

/// @notice The guardian's pause of the Gateway (the suite's attester set, `EpochReports.paused()`) stops every outflow
///         of the revenue suite ("pausing that stops every outflow"): finalization, bond credits, the ledger's
///         withdrawals, creator moves and refunds (`RevenuePaused()`), the Solana payouts (the Gateway's `send`
///         refuses the bridge transfer: `EnforcedPause()`) and, once `syncPause()` ran, the creators' claims; and
///         everything works again after the unpause.
contract RevenuePauseTest is RevenueFixture {
    bytes4 internal constant ENFORCED_PAUSE = bytes4(keccak256("EnforcedPause()"));
    uint256 internal constant ALICE_KEY = 0xA11CE;
    address internal alice = vm.addr(ALICE_KEY);
    address internal carol = makeAddr("carol");
    bytes32 internal constant SALT = keccak256("salt");
    address internal guardian;
    uint64 internal id;

    function setUp() public override {
        super.setUp();
        guardian = owner; // the fixture's Gateway guardian
        id = _campaign();
    }

    /// @notice The runbook: the guardian pauses the Gateway and syncs CreatorPayouts in the same batch.
    function _pause() internal {
        vm.prank(guardian);
        gateway.pause();
        assertTrue(payouts.syncPause(), "frozen");
    }

    function _unpause() internal {
        vm.prank(guardian);
        gateway.unpause();
        assertFalse(payouts.syncPause(), "thawed");
    }

    /// @notice Finalizes a one-leaf root paying alice `cumulative` (100,000 impressions: 140 tokens to creators).
    function _finalAlice(uint64 epoch, uint256 cumulative) internal returns (PayoutLeaf memory l) {
        l = _payout(0, alice, address(token), cumulative, SALT);
        _toEpochEnd(epoch);
        EpochReport memory r = _report(C1, epoch, _lines(_line(id, 100_000, 0)), _leaf(l));
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
    }

    function _claimToSig(address to, uint256 nonce, uint256 deadline) internal view returns (bytes memory) {
        bytes32 structHash =
            keccak256(abi.encode(payouts.CLAIM_TO_TYPEHASH(), alice, address(token), to, nonce, deadline));
        return _signDigest(ALICE_KEY, keccak256(abi.encodePacked("\x19\x01", payouts.domainSeparator(), structHash)));
    }

    // ------------------------------------------------------------------ the source of truth

    function test_paused_readsTheGateway() public {
        assertEq(address(reports.attesterSet()), address(gateway), "the Gateway is the attester set");
        assertFalse(reports.paused(), "not paused");
        vm.prank(guardian);
        gateway.pause();
        assertTrue(reports.paused(), "paused with the Gateway");
        assertFalse(payouts.frozen(), "claims not frozen before syncPause");
        vm.prank(guardian);
        gateway.unpause();
        assertFalse(reports.paused(), "unpaused with the Gateway");
    }

    function test_syncPause_permissionlessStashesAndRestoresTheRoot() public {
        PayoutLeaf memory l = _finalAlice(0, 10e18);
        bytes32 root = payouts.root();
        assertEq(root, _leaf(l), "root");
        assertFalse(payouts.syncPause(), "in step: no-op");
        vm.prank(guardian);
        gateway.pause();
        vm.expectEmit(address(payouts));
        emit ICreatorPayouts.PauseSynced(true);
        vm.prank(stranger);
        assertTrue(payouts.syncPause(), "frozen");
        assertEq(payouts.root(), bytes32(0), "root zeroed");
        assertTrue(payouts.frozen(), "frozen flag");
        vm.recordLogs();
        vm.prank(stranger);
        assertTrue(payouts.syncPause(), "still frozen");
        assertEq(vm.getRecordedLogs().length, 0, "second sync is a no-op");
        vm.prank(guardian);
        gateway.unpause();
        vm.expectEmit(address(payouts));
        emit ICreatorPayouts.PauseSynced(false);
        vm.prank(stranger);
        assertFalse(payouts.syncPause(), "thawed");
        assertEq(payouts.root(), root, "root restored");
    }

    function test_advanceRoot_whileFrozenTakesEffectOnTheThaw() public {
        PayoutLeaf memory l0 = _finalAlice(0, 10e18);
        _pause();
        // the guardian unpauses; a report finalizes before anyone syncs: its root waits in the stash
        vm.prank(guardian);
        gateway.unpause();
        PayoutLeaf memory l1 = _finalAlice(1, 30e18);
        assertEq(payouts.root(), bytes32(0), "still frozen");
        vm.expectRevert(ICreatorPayouts.RevenuePaused.selector);
        payouts.claim(l1, new bytes32[](0));
        assertFalse(payouts.syncPause(), "thawed");
        assertEq(payouts.root(), _leaf(l1), "the newer final root");
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(l0, new bytes32[](0));
        assertEq(payouts.claim(l1, new bytes32[](0)), 30e18, "paid under the newer root");
    }

    // ------------------------------------------------------------------ CreatorPayouts

    function test_claim_revertsWhenPaused() public {
        PayoutLeaf memory l = _finalAlice(0, 10e18);
        _pause();
        vm.expectRevert(ICreatorPayouts.RevenuePaused.selector);
        vm.prank(stranger);
        payouts.claim(l, new bytes32[](0));
        assertEq(token.balanceOf(alice), 0, "nothing paid");
        _unpause();
        vm.prank(stranger);
        assertEq(payouts.claim(l, new bytes32[](0)), 10e18, "paid after the unpause");
        assertEq(token.balanceOf(alice), 10e18, "alice paid");
    }

    function test_claimTo_revertsWhenPaused() public {
        PayoutLeaf memory l = _finalAlice(0, 10e18);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _claimToSig(carol, 0, deadline);
        _pause();
        vm.expectRevert(ICreatorPayouts.RevenuePaused.selector);
        payouts.claimTo(l, new bytes32[](0), carol, deadline, sig);
        _unpause();
        assertEq(payouts.claimTo(l, new bytes32[](0), carol, deadline, sig), 10e18, "paid after the unpause");
        assertEq(token.balanceOf(carol), 10e18, "carol paid");
    }

    function test_claim_invalidProofStaysInvalidWhenNotFrozen() public {
        _finalAlice(0, 10e18);
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(_payout(0, alice, address(token), 11e18, SALT), new bytes32[](0));
    }

    // ------------------------------------------------------------------ EpochReports

    function test_finalize_revertsWhenPaused() public {
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), keccak256("forged root"));
        (uint64 seq, bytes memory att) = _submit(r);
        _pause();
        _afterWindow();
        vm.expectRevert(IEpochReports.RevenuePaused.selector);
        reports.finalize(seq, r, att);
        assertEq(reports.lastFinal(), 0, "not final");
        // here the guardian unpauses without a dispute: the report finalizes normally
        _unpause();
        reports.finalize(seq, r, att);
        assertEq(reports.lastFinal(), seq, "final after the unpause");
        assertEq(payouts.root(), keccak256("forged root"), "root advanced");
    }

    /// @notice A dispute (an inflow: the bond) stays possible while paused, so the attesters can freeze a forged
    ///         report inside its window; it then never finalizes unless a resolution (after the unpause) clears it.
    function test_dispute_stillPossibleWhenPaused() public {
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), keccak256("forged root"));
        (uint64 seq, bytes memory att) = _submit(r);
        _pause();
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        _afterWindow();
        _unpause();
        vm.expectRevert(
            abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Frozen)
        );
        reports.finalize(seq, r, att);
        reports.resolve(seq, r, att, true, _attestResolution(seq, r, true));
        assertEq(reports.lastFinal(), 0, "the forged report never became final");
    }

    function test_withdrawCredit_revertsWhenPaused() public {
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 1000, 10)), keccak256("a"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        reports.resolve(seq, r, att, true, _attestResolution(seq, r, true));
        _pause();
        vm.expectRevert(IEpochReports.RevenuePaused.selector);
        vm.prank(attesters[2]);
        reports.withdrawCredit(payable(stranger));
        _unpause();
        vm.prank(attesters[2]);
        assertEq(reports.withdrawCredit(payable(stranger)), BOND, "paid after the unpause");
    }

    function test_sendSolanaPayout_revertsWhenPaused() public {
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), keccak256("evm root"));
        r.lines[0].solanaCreators = 40e18;
        r.solana = _solana(address(token), keccak256("solana claims root"), 2);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        _pause();
        vm.deal(stranger, 1 ether);
        // the bridge transfer goes through the Gateway's `send`, which the pause refuses
        vm.expectRevert(ENFORCED_PAUSE);
        vm.prank(stranger);
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        assertFalse(reports.solanaPayoutSent(seq, 0), "not sent");
        assertEq(ledger.totals(address(token)).solanaPending, 40e18, "bucket kept");
        _unpause();
        vm.prank(stranger);
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        assertEq(token.balanceOf(address(bridge)), 40e18, "sent after the unpause");
    }

    function test_submit_revertsWhenPaused() public {
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 1000, 10)), keccak256("a"));
        bytes memory att = _attest(r);
        _pause();
        vm.expectRevert(ENFORCED_PAUSE);
        reports.submit(r, att);
        _unpause();
        reports.submit(r, att);
    }

    // ------------------------------------------------------------------ CampaignLedger

    function test_withdrawTreasury_revertsWhenPaused() public {
        _settle(id, 0, keccak256("root"));
        _pause();
        vm.expectRevert(ICampaignLedger.RevenuePaused.selector);
        ledger.withdrawTreasury(C1, address(token));
        _unpause();
        assertTrue(ledger.withdrawTreasury(C1, address(token)) > 0, "withdrawn after the unpause");
    }

    function test_withdrawOperator_revertsWhenPaused() public {
        _settle(id, 0, keccak256("root"));
        _pause();
        vm.expectRevert(ICampaignLedger.RevenuePaused.selector);
        vm.prank(attesters[0]);
        ledger.withdrawOperator(address(token), attesters[0]);
        _unpause();
        vm.prank(attesters[0]);
        assertTrue(ledger.withdrawOperator(address(token), attesters[0]) > 0, "withdrawn after the unpause");
    }

    function test_withdrawProtocolFees_revertsWhenPaused() public {
        _settle(id, 0, keccak256("root"));
        _pause();
        vm.expectRevert(ICampaignLedger.RevenuePaused.selector);
        ledger.withdrawProtocolFees(address(token));
        _unpause();
        assertTrue(ledger.withdrawProtocolFees(address(token)) > 0, "withdrawn after the unpause");
    }

    function test_moveCreators_revertsWhenPaused() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(advertiser, 10_000e6);
        vm.prank(advertiser);
        blk.approve(address(ledger), 10_000e6);
        ICampaignLedger.CampaignParams memory p = _params(address(blk), _communities(C1), 10_000e6, 1_000e6);
        p.cpm = 2e6;
        p.cpe = 1;
        uint64 bid = _create(p);
        blk.setBlacklisted(address(payouts), true);
        _settle(bid, 0, keccak256("root"));
        uint256 held = ledger.creatorsHeld(address(blk));
        assertTrue(held > 0, "share held by the ledger");
        blk.setBlacklisted(address(payouts), false);
        _pause();
        vm.expectRevert(ICampaignLedger.RevenuePaused.selector);
        ledger.moveCreators(address(blk));
        _unpause();
        assertEq(ledger.moveCreators(address(blk)), held, "moved after the unpause");
    }

    function test_refund_revertsWhenPaused() public {
        vm.prank(advertiser);
        ledger.cancel(id);
        vm.warp(block.timestamp + EPOCH + REFUND_DELAY);
        _pause();
        vm.expectRevert(ICampaignLedger.RevenuePaused.selector);
        vm.prank(advertiser);
        ledger.refund(id);
        _unpause();
        vm.prank(advertiser);
        assertEq(ledger.refund(id), 10_000e18, "refunded after the unpause");
    }
}
