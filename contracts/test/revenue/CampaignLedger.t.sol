// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {CampaignLedger} from "../../src/revenue/CampaignLedger.sol";
import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {FeeOnTransferToken, NoReturnToken, ReturnsFalseToken} from "../mocks/Tokens.sol";
import {vm} from "../utils/Vm.sol";
import {BlacklistToken, RevertingToken, SwitchableFeeToken} from "./mocks/RevenueTokens.sol";
import {CampaignLine, EpochReport, TokenAmount} from "../../src/libraries/RevenueCodec.sol";
import {ICommunityRegistry} from "../../src/revenue/interfaces/ICommunityRegistry.sol";
import {RevenueFixture} from "./RevenueFixture.t.sol";

/// @notice CampaignLedger: campaigns (create, top up, pause, cancel, refund), the module gates, the balances and
///         their withdrawals, and misbehaving tokens.
contract CampaignLedgerTest is RevenueFixture {
    // ------------------------------------------------------------------ constructor and wiring

    function test_constructor_zeroRegistry() public {
        vm.expectRevert(ICampaignLedger.ZeroAddress.selector);
        new CampaignLedger(ICommunityRegistry(address(0)), owner, feeRecipient, 1);
    }

    function test_constructor_zeroFeeRecipient() public {
        vm.expectRevert(ICampaignLedger.ZeroAddress.selector);
        new CampaignLedger(ICommunityRegistry(address(registry)), owner, address(0), 1);
    }

    function test_constructor_cachesClockAndWiring() public view {
        assertEq(ledger.feeRecipient(), feeRecipient, "fee recipient");
        assertEq(ledger.reports(), address(reports), "reports");
        assertEq(ledger.payouts(), address(payouts), "payouts");
        assertEq(ledger.refundDelay(), REFUND_DELAY, "refund delay");
        assertEq(address(ledger.registry()), address(registry), "registry");
    }

    function test_setModules_onlyOnce() public {
        vm.expectRevert(ICampaignLedger.ModulesAlreadySet.selector);
        vm.prank(owner);
        ledger.setModules(address(1), address(2));
    }

    function test_setModules_onlyOwner() public {
        CampaignLedger fresh = new CampaignLedger(ICommunityRegistry(address(registry)), owner, feeRecipient, 1);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        fresh.setModules(address(1), address(2));
    }

    function test_setModules_zeroAddress() public {
        CampaignLedger fresh = new CampaignLedger(ICommunityRegistry(address(registry)), owner, feeRecipient, 1);
        vm.expectRevert(ICampaignLedger.ZeroAddress.selector);
        vm.prank(owner);
        fresh.setModules(address(0), address(2));
    }

    function test_setModules_emits() public {
        CampaignLedger fresh = new CampaignLedger(ICommunityRegistry(address(registry)), owner, feeRecipient, 1);
        vm.expectEmit(address(fresh));
        emit ICampaignLedger.ModulesSet(address(1), address(2));
        vm.prank(owner);
        fresh.setModules(address(1), address(2));
    }

    function test_setFeeRecipient_setsAndEmits() public {
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.FeeRecipientSet(stranger);
        vm.prank(owner);
        ledger.setFeeRecipient(stranger);
        assertEq(ledger.feeRecipient(), stranger, "set");
    }

    function test_setFeeRecipient_zeroAddress() public {
        vm.expectRevert(ICampaignLedger.ZeroAddress.selector);
        vm.prank(owner);
        ledger.setFeeRecipient(address(0));
    }

    function test_setFeeRecipient_onlyOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        ledger.setFeeRecipient(stranger);
    }

    // ------------------------------------------------------------------ createCampaign

    function test_createCampaign_storesPullsAndEmits() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1, C2), 500e18, 100e18);
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.CampaignCreated(1, advertiser, address(token), p);
        uint64 id = _create(p);
        assertEq(id, 1, "first id");
        assertEq(ledger.lastCampaignId(), 1, "last id");
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        assertEq(c.available, 500e18, "available");
        assertEq(c.funded, 500e18, "funded");
        assertEq(c.cpm, 2e18, "cpm");
        assertEq(c.cpe, 0.01e18, "cpe");
        assertEq(c.epochCap, 100e18, "cap");
        assertEq(c.advertiser, advertiser, "advertiser");
        assertEq(c.token, address(token), "token");
        assertEq(c.creativeHash, keccak256("creative"), "creative");
        assertTrue(ledger.targets(id, C1) && ledger.targets(id, C2), "targets");
        assertFalse(ledger.targets(id, 3), "not 3");
        assertEq(token.balanceOf(address(ledger)), 500e18, "pulled");
        assertEq(ledger.totals(address(token)).funded, 500e18, "totals funded");
        assertEq(ledger.reservedOf(id), 0, "nothing reserved");
    }

    function test_createCampaign_zeroToken() public {
        vm.expectRevert(ICampaignLedger.ZeroAddress.selector);
        _create(_params(address(0), _communities(C1), 1e18, 1e18));
    }

    function test_createCampaign_noCommunities() public {
        vm.expectRevert(ICampaignLedger.InvalidCommunities.selector);
        _create(_params(address(token), new uint64[](0), 1e18, 1e18));
    }

    function test_createCampaign_tooManyCommunities() public {
        uint64[] memory many = new uint64[](33);
        for (uint256 i; i < 33; ++i) {
            many[i] = uint64(i + 1);
        }
        vm.expectRevert(ICampaignLedger.InvalidCommunities.selector);
        _create(_params(address(token), many, 1e18, 1e18));
    }

    function test_createCampaign_communitiesNotAscending() public {
        vm.expectRevert(ICampaignLedger.InvalidCommunities.selector);
        _create(_params(address(token), _communities(C2, C1), 1e18, 1e18));
    }

    function test_createCampaign_duplicateCommunity() public {
        vm.expectRevert(ICampaignLedger.InvalidCommunities.selector);
        _create(_params(address(token), _communities(C1, C1), 1e18, 1e18));
    }

    function test_createCampaign_unknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.UnknownCommunity.selector, uint64(7)));
        _create(_params(address(token), _communities(C1, 7), 1e18, 1e18));
    }

    function test_createCampaign_tooManyTags() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 1e18, 1e18);
        p.tags = new bytes32[](17);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.TooManyTags.selector, 17));
        _create(p);
    }

    function test_createCampaign_zeroPrice() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 1e18, 1e18);
        p.cpm = 0;
        p.cpe = 0;
        vm.expectRevert(ICampaignLedger.ZeroPrice.selector);
        _create(p);
    }

    function test_createCampaign_zeroBudget() public {
        vm.expectRevert(ICampaignLedger.ZeroAmount.selector);
        _create(_params(address(token), _communities(C1), 0, 1e18));
    }

    function test_createCampaign_zeroEpochCap() public {
        vm.expectRevert(ICampaignLedger.ZeroEpochCap.selector);
        _create(_params(address(token), _communities(C1), 1e18, 0));
    }

    function test_createCampaign_startNotBeforeEnd() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 1e18, 1e18);
        p.start = p.end;
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.InvalidSchedule.selector, p.start, p.end));
        _create(p);
    }

    function test_createCampaign_endInPast() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 1e18, 1e18);
        p.start = uint40(block.timestamp - 10);
        p.end = uint40(block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.InvalidSchedule.selector, p.start, p.end));
        _create(p);
    }

    function test_createCampaign_feeOnTransferRefused() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(100);
        fot.mint(advertiser, 100e18);
        vm.prank(advertiser);
        fot.approve(address(ledger), 100e18);
        vm.expectRevert(
            abi.encodeWithSelector(ICampaignLedger.TokenTransferShortfall.selector, address(fot), 10e18, 9.9e18)
        );
        _create(_params(address(fot), _communities(C1), 10e18, 1e18));
    }

    function test_createCampaign_noReturnTokenWorks() public {
        NoReturnToken nrt = new NoReturnToken();
        nrt.mint(advertiser, 100e6);
        vm.prank(advertiser);
        nrt.approve(address(ledger), 100e6);
        uint64 id = _create(_params(address(nrt), _communities(C1), 100e6, 10e6));
        assertEq(nrt.balanceOf(address(ledger)), 100e6, "pulled");
        assertEq(ledger.campaign(id).available, 100e6, "available");
    }

    function test_createCampaign_returnsFalseTokenReverts() public {
        ReturnsFalseToken rft = new ReturnsFalseToken();
        rft.mint(advertiser, 100e6);
        vm.prank(advertiser);
        rft.approve(address(ledger), 100e6);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(rft)));
        _create(_params(address(rft), _communities(C1), 100e6, 10e6));
    }

    // ------------------------------------------------------------------ topUp, pause, unpause, cancel

    function test_topUp_addsAndEmits() public {
        uint64 id = _campaign();
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.CampaignToppedUp(id, 5e18);
        vm.prank(advertiser);
        ledger.topUp(id, 5e18);
        assertEq(ledger.campaign(id).available, 10_005e18, "available");
        assertEq(ledger.campaign(id).funded, 10_005e18, "funded");
        assertEq(token.balanceOf(address(ledger)), 10_005e18, "pulled");
    }

    function test_topUp_unknownCampaign() public {
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.UnknownCampaign.selector, uint64(9)));
        vm.prank(advertiser);
        ledger.topUp(9, 1);
    }

    function test_topUp_notAdvertiser() public {
        uint64 id = _campaign();
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.NotAdvertiser.selector, id, stranger));
        vm.prank(stranger);
        ledger.topUp(id, 1);
    }

    function test_topUp_zeroAmount() public {
        uint64 id = _campaign();
        vm.expectRevert(ICampaignLedger.ZeroAmount.selector);
        vm.prank(advertiser);
        ledger.topUp(id, 0);
    }

    function test_topUp_cancelled() public {
        uint64 id = _campaign();
        vm.prank(advertiser);
        ledger.cancel(id);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignIsCancelled.selector, id));
        vm.prank(advertiser);
        ledger.topUp(id, 1);
    }

    function test_topUp_budgetOverflow() public {
        uint64 id = _campaign();
        token.mint(advertiser, type(uint96).max);
        uint256 total = uint256(10_000e18) + type(uint96).max;
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.BudgetOverflow.selector, total));
        vm.prank(advertiser);
        ledger.topUp(id, type(uint96).max);
    }

    function test_topUp_feeOnTransferRefused() public {
        SwitchableFeeToken swf = new SwitchableFeeToken();
        swf.mint(advertiser, 100e18);
        vm.prank(advertiser);
        swf.approve(address(ledger), 100e18);
        uint64 id = _create(_params(address(swf), _communities(C1), 10e18, 1e18));
        swf.setFee(100); // 1% from now on
        vm.expectRevert(
            abi.encodeWithSelector(ICampaignLedger.TokenTransferShortfall.selector, address(swf), 1e18, 0.99e18)
        );
        vm.prank(advertiser);
        ledger.topUp(id, 1e18);
        assertEq(ledger.campaign(id).available, 10e18, "unchanged");
    }

    function test_pause_setsAndEmits() public {
        uint64 id = _campaign();
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.CampaignPaused(id);
        vm.prank(advertiser);
        ledger.pause(id);
        assertEq(ledger.campaign(id).pausedAt, block.timestamp, "pausedAt");
    }

    function test_pause_alreadyPaused() public {
        uint64 id = _campaign();
        vm.prank(advertiser);
        ledger.pause(id);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignIsPaused.selector, id));
        vm.prank(advertiser);
        ledger.pause(id);
    }

    function test_pause_cancelled() public {
        uint64 id = _campaign();
        vm.prank(advertiser);
        ledger.cancel(id);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignIsCancelled.selector, id));
        vm.prank(advertiser);
        ledger.pause(id);
    }

    function test_pause_notAdvertiser() public {
        uint64 id = _campaign();
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.NotAdvertiser.selector, id, stranger));
        vm.prank(stranger);
        ledger.pause(id);
    }

    function test_unpause_clearsAndEmits() public {
        uint64 id = _campaign();
        vm.prank(advertiser);
        ledger.pause(id);
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.CampaignUnpaused(id);
        vm.prank(advertiser);
        ledger.unpause(id);
        assertEq(ledger.campaign(id).pausedAt, 0, "cleared");
    }

    function test_unpause_notPaused() public {
        uint64 id = _campaign();
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignNotPaused.selector, id));
        vm.prank(advertiser);
        ledger.unpause(id);
    }

    function test_unpause_cancelled() public {
        uint64 id = _campaign();
        vm.prank(advertiser);
        ledger.pause(id);
        vm.prank(advertiser);
        ledger.cancel(id);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignIsCancelled.selector, id));
        vm.prank(advertiser);
        ledger.unpause(id);
    }

    function test_cancel_setsAndEmits() public {
        uint64 id = _campaign();
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.CampaignCancelled(id);
        vm.prank(advertiser);
        ledger.cancel(id);
        assertEq(ledger.campaign(id).cancelledAt, block.timestamp, "cancelledAt");
    }

    function test_cancel_twice() public {
        uint64 id = _campaign();
        vm.prank(advertiser);
        ledger.cancel(id);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.CampaignIsCancelled.selector, id));
        vm.prank(advertiser);
        ledger.cancel(id);
    }

    // ------------------------------------------------------------------ refund

    function test_refund_afterCancelPaysUnspent() public {
        uint64 id = _campaign();
        (EpochReport memory r,) = _settle(id, 0, keccak256("root"));
        uint256 spend = r.lines[0].spend;
        vm.prank(advertiser);
        ledger.cancel(id);
        vm.warp(genesis + 3 * EPOCH + REFUND_DELAY);
        uint256 before = token.balanceOf(advertiser);
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.CampaignRefunded(id, advertiser, 10_000e18 - spend);
        vm.prank(advertiser);
        uint256 amount = ledger.refund(id);
        assertEq(amount, 10_000e18 - spend, "unspent");
        assertEq(token.balanceOf(advertiser) - before, amount, "paid");
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        assertEq(c.available, 0, "nothing left");
        assertEq(c.refunded, amount, "refunded");
        assertEq(c.spent, spend, "spent");
        assertEq(ledger.totals(address(token)).refunded, amount, "totals");
    }

    function test_refund_afterEnd() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 100e18, 10e18);
        p.end = uint40(block.timestamp + 2 * EPOCH);
        uint64 id = _create(p);
        vm.warp(uint256(p.end) + EPOCH + REFUND_DELAY);
        vm.prank(advertiser);
        assertEq(ledger.refund(id), 100e18, "all back");
    }

    function test_refund_notYet() public {
        uint64 id = _campaign();
        vm.prank(advertiser);
        ledger.cancel(id);
        uint256 refundableAt = uint256(genesis) + EPOCH + REFUND_DELAY;
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.RefundNotYet.selector, id, refundableAt));
        vm.prank(advertiser);
        ledger.refund(id);
    }

    function test_refund_runningCampaign() public {
        uint64 id = _campaign();
        uint256 refundableAt = uint256(genesis) + 30 days + EPOCH + REFUND_DELAY;
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.RefundNotYet.selector, id, refundableAt));
        vm.prank(advertiser);
        ledger.refund(id);
    }

    function test_refund_reportsPending() public {
        uint64 id = _campaign();
        _toEpochEnd(0);
        _submit(_report(C1, 0, _lines(_line(id, 1000, 0)), bytes32(0)));
        vm.prank(advertiser);
        ledger.cancel(id);
        vm.warp(block.timestamp + 3 * EPOCH);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.ReportsPending.selector, id, uint32(1)));
        vm.prank(advertiser);
        ledger.refund(id);
        assertEq(ledger.reservedOf(id), 2e18, "reserved");
    }

    function test_refund_nothingLeft() public {
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1), 100e18, 10e18);
        p.end = uint40(block.timestamp + 2 * EPOCH);
        uint64 id = _create(p);
        vm.warp(uint256(p.end) + EPOCH + REFUND_DELAY);
        vm.prank(advertiser);
        ledger.refund(id);
        vm.expectRevert(ICampaignLedger.NothingToWithdraw.selector);
        vm.prank(advertiser);
        ledger.refund(id);
    }

    function test_refund_notAdvertiser() public {
        uint64 id = _campaign();
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.NotAdvertiser.selector, id, stranger));
        vm.prank(stranger);
        ledger.refund(id);
    }

    function test_refund_blacklistedAdvertiserFailsOnlyItself() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(advertiser, 100e6);
        vm.prank(advertiser);
        blk.approve(address(ledger), 100e6);
        ICampaignLedger.CampaignParams memory p = _params(address(blk), _communities(C1), 100e6, 10e6);
        p.end = uint40(block.timestamp + 2 * EPOCH);
        uint64 id = _create(p);
        uint64 other = _campaign(); // the main token: unaffected
        blk.setBlacklisted(advertiser, true);
        vm.warp(uint256(p.end) + EPOCH + REFUND_DELAY);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, advertiser));
        vm.prank(advertiser);
        ledger.refund(id);
        assertEq(ledger.campaign(id).available, 100e6, "kept");
        vm.prank(advertiser);
        ledger.cancel(other);
        vm.warp(block.timestamp + EPOCH + REFUND_DELAY);
        vm.prank(advertiser);
        assertEq(ledger.refund(other), 10_000e18, "other refund unaffected");
    }

    // ------------------------------------------------------------------ module gates

    function test_reserve_onlyReports() public {
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.OnlyReports.selector, stranger));
        vm.prank(stranger);
        ledger.reserve(C1, 0, 7000, new CampaignLine[](0));
    }

    function test_release_onlyReports() public {
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.OnlyReports.selector, stranger));
        vm.prank(stranger);
        ledger.release(C1, 0, new CampaignLine[](0));
    }

    function test_commit_onlyReports() public {
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.OnlyReports.selector, stranger));
        vm.prank(stranger);
        ledger.commit(
            C1,
            0,
            _policy(7000, 1500, 1000, 500),
            new CampaignLine[](0),
            new TokenAmount[](0),
            new address[](0),
            new uint256[](0)
        );
    }

    function test_moveCreators_nothingToMove() public {
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.NothingToMove.selector, address(token)));
        ledger.moveCreators(address(token));
    }

    /// @notice A token refusing the move to CreatorPayouts (it blacklists it) cannot stop a final report from
    ///         committing: the share waits in the ledger, still counted as owed, and anyone moves it later.
    function test_moveCreators_retriesAMoveRefusedAtCommit() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(advertiser, 10_000e6);
        vm.prank(advertiser);
        blk.approve(address(ledger), 10_000e6);
        ICampaignLedger.CampaignParams memory p = _params(address(blk), _communities(C1), 10_000e6, 1_000e6);
        p.cpm = 2e6;
        p.cpe = 1;
        uint64 bid = _create(p);
        blk.setBlacklisted(address(payouts), true);
        (EpochReport memory r,) = _settle(bid, 0, keccak256("root"));
        uint256 creators = uint256(r.lines[0].spend) * 7000 / 10_000;
        assertEq(ledger.creatorsHeld(address(blk)), creators, "held by the ledger");
        assertEq(ledger.creatorsOwed(address(blk)), creators, "still owed");
        assertEq(blk.balanceOf(address(payouts)), 0, "nothing moved");
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, address(payouts)));
        ledger.moveCreators(address(blk));
        blk.setBlacklisted(address(payouts), false);
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.CreatorsMoved(address(blk), creators);
        vm.prank(stranger);
        assertEq(ledger.moveCreators(address(blk)), creators, "moved");
        assertEq(ledger.creatorsHeld(address(blk)), 0, "none held");
        assertEq(blk.balanceOf(address(payouts)), creators, "in CreatorPayouts");
        assertEq(ledger.creatorsOwed(address(blk)), creators, "owed unchanged");
    }

    function test_commit_movesTheCreatorsShareToPayouts() public {
        uint64 id = _campaign();
        uint256 before = token.balanceOf(address(ledger));
        (EpochReport memory r,) = _settle(id, 0, keccak256("root"));
        uint256 creators = uint256(r.lines[0].spend) * 7000 / 10_000;
        assertEq(token.balanceOf(address(payouts)), creators, "held by CreatorPayouts");
        assertEq(before - token.balanceOf(address(ledger)), creators, "left the ledger");
        assertEq(ledger.creatorsHeld(address(token)), 0, "nothing left in the ledger");
    }

    /// @notice An `expired` entry naming an address that is no token (no code: no balance word) returns nothing and
    ///         does not stop the report from committing.
    function test_commit_expiredOfANonTokenReturnsNothing() public {
        uint64 id = _campaign();
        _settle(id, 0, keccak256("root 0"));
        uint256 owedBefore = ledger.creatorsOwed(address(token));
        _toEpochEnd(1);
        EpochReport memory r = _report(C1, 1, _lines(_line(id, 1000, 0)), keccak256("root 1"));
        r.expired = new TokenAmount[](1);
        r.expired[0] = TokenAmount(makeAddr("not a token"), 1e18);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        assertEq(payouts.root(), keccak256("root 1"), "final");
        assertEq(ledger.treasuryBalance(C1, makeAddr("not a token")), 0, "nothing expired");
        uint256 creatorsNew = uint256(r.lines[0].spend) * 7000 / 10_000;
        assertEq(ledger.creatorsOwed(address(token)), owedBefore + creatorsNew, "the real pool untouched");
    }

    function test_commit_expiredStaysWhereARefusingTokenHoldsIt() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(advertiser, 10_000e6);
        vm.prank(advertiser);
        blk.approve(address(ledger), 10_000e6);
        ICampaignLedger.CampaignParams memory p = _params(address(blk), _communities(C1), 10_000e6, 1_000e6);
        p.cpm = 2e6;
        p.cpe = 1;
        uint64 bid = _create(p);
        (EpochReport memory r0,) = _settle(bid, 0, keccak256("root 0")); // the creators' share moved to CreatorPayouts
        uint256 moved = uint256(r0.lines[0].spend) * 7000 / 10_000;
        blk.setBlacklisted(address(payouts), true); // now it can neither receive nor send
        _toEpochEnd(1);
        EpochReport memory r = _report(C1, 1, _lines(_line(bid, 100_000, 0)), keccak256("root 1"));
        r.expired = new TokenAmount[](1);
        r.expired[0] = TokenAmount(address(blk), 200e6);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att); // commits: only this report's 140, which the ledger still holds, can expire
        assertEq(ledger.totals(address(blk)).creatorsExpired, 140e6, "expired what the ledger held");
        assertEq(blk.balanceOf(address(payouts)), moved, "CreatorPayouts keeps its funds");
        assertEq(ledger.creatorsOwed(address(blk)), moved, "owed");
        assertEq(ledger.creatorsHeld(address(blk)), 0, "nothing left held");
    }

    function test_reserve_epochOutOfRange() public {
        uint64 epoch = uint64(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.EpochOutOfRange.selector, epoch));
        vm.prank(address(reports));
        ledger.reserve(C1, epoch, 7000, new CampaignLine[](0));
    }

    // ------------------------------------------------------------------ commit: split and balances

    function test_commit_splitsByPolicyToEveryBalance() public {
        uint64 id = _campaign();
        (EpochReport memory r,) = _settle(id, 0, keccak256("root"));
        uint256 spend = r.lines[0].spend; // 1000 * 2e18 / 1000 + 10 * 0.01e18 = 2.1e18
        assertEq(spend, 2.1e18, "spend");
        assertEq(ledger.creatorsOwed(address(token)), spend * 7000 / 10_000, "creators");
        assertEq(ledger.treasuryBalance(C1, address(token)), spend * 1500 / 10_000, "treasury");
        uint256 operators = spend - spend * 7000 / 10_000 - spend * 1500 / 10_000 - spend * 500 / 10_000;
        // two equal-weight signers: each gets half, the odd unit (if any) is dust
        uint256 each = operators / 2;
        assertEq(ledger.operatorBalance(attesters[0], address(token)), each, "operator 0");
        assertEq(ledger.operatorBalance(attesters[1], address(token)), each, "operator 1");
        assertEq(ledger.operatorBalance(attesters[2], address(token)), 0, "did not sign");
        uint256 dust = operators - 2 * each;
        assertEq(ledger.protocolBalance(address(token)), spend * 500 / 10_000 + dust, "protocol + dust");
        ICampaignLedger.TokenTotals memory t = ledger.totals(address(token));
        assertEq(t.creatorsFinal, spend * 7000 / 10_000, "totals creators");
        assertEq(t.protocolFees, spend * 500 / 10_000, "totals protocol");
        assertEq(t.dust, dust, "totals dust");
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        assertEq(c.spent, spend, "spent");
        assertEq(c.pendingReports, 0, "settled");
        assertEq(ledger.reservedOf(id), 0, "nothing reserved");
    }

    function test_commit_dustGoesToProtocol() public {
        // 3 equal signers, an operators' part of 10 units: 3 each, 1 unit of dust.
        uint64 id = _create(_cheapParams());
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 0, 100)), bytes32(0)); // spend 100
        bytes memory att = _attestFirst(EPOCH_REPORT_TYPEHASH, DOMAIN, _toBytes32(address(reports)), 1, _hash(r), keys, 3);
        uint64 seq = reports.submit(r, att);
        _afterWindow();
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.DustAccrued(address(token), 1);
        reports.finalize(seq, r, att);
        for (uint256 i; i < 3; ++i) {
            assertEq(ledger.operatorBalance(attesters[i], address(token)), 3, "3 each");
        }
        assertEq(ledger.protocolBalance(address(token)), 5 + 1, "fee 5 + dust 1");
        assertEq(ledger.totals(address(token)).dust, 1, "dust counted");
    }

    function _cheapParams() internal view returns (ICampaignLedger.CampaignParams memory p) {
        p = _params(address(token), _communities(C1), 1000, 1000);
        p.cpm = 0;
        p.cpe = 1;
    }

    function test_commit_expiredMovesToTreasuryCapped() public {
        uint64 id = _campaign();
        _settle(id, 0, keccak256("root 0"));
        uint256 owed = ledger.creatorsOwed(address(token));
        _toEpochEnd(1);
        EpochReport memory r = _report(C1, 1, _lines(_line(id, 1000, 0)), keccak256("root 1"));
        r.expired = new TokenAmount[](1);
        r.expired[0] = TokenAmount(address(token), uint128(owed * 10)); // more than owed: capped
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        uint256 treasuryBefore = ledger.treasuryBalance(C1, address(token));
        uint256 creatorsNew = uint256(r.lines[0].spend) * 7000 / 10_000;
        uint256 treasuryNew = uint256(r.lines[0].spend) * 1500 / 10_000;
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.ExpiredReturned(C1, address(token), owed + creatorsNew);
        reports.finalize(seq, r, att);
        assertEq(ledger.creatorsOwed(address(token)), 0, "pool emptied");
        assertEq(token.balanceOf(address(payouts)), 0, "CreatorPayouts gave it back");
        assertEq(ledger.treasuryBalance(C1, address(token)), treasuryBefore + treasuryNew + owed + creatorsNew, "treasury");
        assertEq(ledger.totals(address(token)).creatorsExpired, owed + creatorsNew, "expired total");
    }

    // ------------------------------------------------------------------ withdrawals

    function test_withdrawTreasury_paysTreasury() public {
        uint64 id = _campaign();
        _settle(id, 0, keccak256("root"));
        uint256 amount = ledger.treasuryBalance(C1, address(token));
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.TreasuryWithdrawn(C1, address(token), treasury1, amount);
        vm.prank(stranger); // anyone may trigger it; the treasury is paid
        assertEq(ledger.withdrawTreasury(C1, address(token)), amount, "amount");
        assertEq(token.balanceOf(treasury1), amount, "paid");
        assertEq(ledger.treasuryBalance(C1, address(token)), 0, "cleared");
    }

    function test_withdrawTreasury_nothing() public {
        vm.expectRevert(ICampaignLedger.NothingToWithdraw.selector);
        ledger.withdrawTreasury(C1, address(token));
    }

    function test_withdrawTreasury_paysTheCurrentTreasury() public {
        uint64 id = _campaign();
        _settle(id, 0, keccak256("root"));
        uint256 amount = ledger.treasuryBalance(C1, address(token));
        vm.prank(owner);
        registry.setTreasury(C1, stranger);
        ledger.withdrawTreasury(C1, address(token));
        assertEq(token.balanceOf(stranger), amount, "paid to the treasury set now");
    }

    function test_withdrawOperator_paysTo() public {
        uint64 id = _campaign();
        _settle(id, 0, keccak256("root"));
        uint256 amount = ledger.operatorBalance(attesters[0], address(token));
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.OperatorWithdrawn(attesters[0], address(token), stranger, amount);
        vm.prank(attesters[0]);
        assertEq(ledger.withdrawOperator(address(token), stranger), amount, "amount");
        assertEq(token.balanceOf(stranger), amount, "paid");
        assertEq(ledger.operatorBalance(attesters[0], address(token)), 0, "cleared");
    }

    function test_withdrawOperator_zeroTo() public {
        vm.expectRevert(ICampaignLedger.ZeroAddress.selector);
        vm.prank(attesters[0]);
        ledger.withdrawOperator(address(token), address(0));
    }

    function test_withdrawOperator_nothing() public {
        vm.expectRevert(ICampaignLedger.NothingToWithdraw.selector);
        vm.prank(attesters[2]);
        ledger.withdrawOperator(address(token), attesters[2]);
    }

    function test_withdrawProtocolFees_paysRecipient() public {
        uint64 id = _campaign();
        _settle(id, 0, keccak256("root"));
        uint256 amount = ledger.protocolBalance(address(token));
        vm.expectEmit(address(ledger));
        emit ICampaignLedger.ProtocolFeesWithdrawn(address(token), feeRecipient, amount);
        assertEq(ledger.withdrawProtocolFees(address(token)), amount, "amount");
        assertEq(token.balanceOf(feeRecipient), amount, "paid");
    }

    function test_withdrawProtocolFees_nothing() public {
        vm.expectRevert(ICampaignLedger.NothingToWithdraw.selector);
        ledger.withdrawProtocolFees(address(token));
    }

    /// @dev A treasury the token refuses to pay fails only its own withdrawal: operators and fees still withdraw.
    function test_withdrawTreasury_blacklistedTreasuryFailsOnlyItself() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(advertiser, 10_000e6);
        vm.prank(advertiser);
        blk.approve(address(ledger), 10_000e6);
        ICampaignLedger.CampaignParams memory p = _params(address(blk), _communities(C1), 10_000e6, 1_000e6);
        p.cpm = 2e6;
        p.cpe = 0.01e6;
        uint64 id = _create(p);
        _settle(id, 0, keccak256("root"));
        blk.setBlacklisted(treasury1, true);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, treasury1));
        ledger.withdrawTreasury(C1, address(blk));
        assertGe(ledger.treasuryBalance(C1, address(blk)), 1, "kept");
        vm.prank(attesters[0]);
        ledger.withdrawOperator(address(blk), attesters[0]);
        ledger.withdrawProtocolFees(address(blk));
        assertEq(ledger.protocolBalance(address(blk)), 0, "fees withdrawn");
    }

    /// @dev A token that reverts every transfer blocks only its own balances; other tokens keep working.
    function test_withdrawProtocolFees_revertingTokenFailsOnlyItself() public {
        RevertingToken rev = new RevertingToken();
        rev.mint(advertiser, 10_000e18);
        vm.prank(advertiser);
        rev.approve(address(ledger), 10_000e18);
        uint64 id = _create(_params(address(rev), _communities(C1), 10_000e18, 1_000e18));
        uint64 other = _campaign();
        _toEpochEnd(0);
        CampaignLine[] memory lines = new CampaignLine[](2);
        lines[0] = _line(id, 1000, 10);
        lines[1] = _line(other, 1000, 10);
        EpochReport memory r = _report(C1, 0, lines, keccak256("root"));
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        rev.setBroken(true);
        vm.expectRevert(RevertingToken.TokenBroken.selector);
        ledger.withdrawProtocolFees(address(rev));
        ledger.withdrawProtocolFees(address(token));
        assertEq(ledger.protocolBalance(address(token)), 0, "other token withdrawn");
        assertGe(ledger.protocolBalance(address(rev)), 1, "broken token kept");
    }
}
