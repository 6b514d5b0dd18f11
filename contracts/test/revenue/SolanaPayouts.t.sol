// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";
import {CampaignLedger} from "../../src/revenue/CampaignLedger.sol";
import {EpochReports} from "../../src/revenue/EpochReports.sol";
import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {ICommunityRegistry} from "../../src/revenue/interfaces/ICommunityRegistry.sol";
import {ICreatorPayouts} from "../../src/revenue/interfaces/ICreatorPayouts.sol";
import {IEpochReports} from "../../src/revenue/interfaces/IEpochReports.sol";
import {DistributionMessage} from "../../src/libraries/DistributionMessage.sol";
import {
    CampaignLine, EpochReport, PayoutLeaf, RevenueCodec, SolanaDistribution
} from "../../src/libraries/RevenueCodec.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {Vm, vm} from "../utils/Vm.sol";
import {RevenueFixture} from "./RevenueFixture.t.sol";

/// @notice Issue 13 point 7: creators paid on Solana. A report commits to one claims root per token owing Solana
///         creators (`EpochReport.solana`); submit checks those payouts; once the report is final anyone sends each
///         payout once through the real TokenBridge (`transferDistribution` to the claims-capable Solana domain) from
///         the ledger's Solana bucket; nothing of it is ever payable on EVM.
contract SolanaPayoutsTest is RevenueFixture {
    bytes32 internal constant CLAIMS_ROOT = keccak256("solana claims root");
    bytes32 internal constant SALT = keccak256("salt");
    /// @dev 100,000 impressions at 2 tokens per mille: spend 200, creators 140 (70 %), 40 of it owed on Solana.
    uint128 internal constant SOLANA_PART = 40e18;
    bytes32 internal constant MESSAGE_SENT_TOPIC = keccak256("MessageSent(bytes32,uint32,uint64,bytes)");

    address internal alice = makeAddr("alice (Solana persona)");
    address internal bob = makeAddr("bob (EVM persona)");
    address internal sender = makeAddr("anyone");
    uint64 internal id;

    function setUp() public override {
        super.setUp();
        id = _campaign();
        vm.deal(sender, 1 ether);
    }

    /// @notice A report of one line of `id` (100,000 impressions) on C1 for `epoch` with `solanaPart` owed on Solana.
    function _solanaReport(uint64 epoch, uint128 solanaPart, bytes32 evmRoot) internal returns (EpochReport memory r) {
        _toEpochEnd(epoch);
        r = _report(C1, epoch, _lines(_line(id, 100_000, 0)), evmRoot);
        r.lines[0].solanaCreators = solanaPart;
        r.solana = _solana(address(token), CLAIMS_ROOT, 2);
    }

    function _final(EpochReport memory r) internal returns (uint64 seq, bytes memory att) {
        (seq, att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
    }

    function _expectSubmitRevert(EpochReport memory r, bytes memory err) internal {
        bytes memory att = _attest(r);
        vm.expectRevert(err);
        reports.submit(r, att);
    }

    /// @notice The Solana payout code keeps every revenue contract deployable (EIP-170: 24,576 bytes of runtime code;
    ///         the test runner itself allows more, the local chains and mainnet do not).
    function test_revenueContractsFitTheCodeSizeLimit() public view {
        assertLe(address(ledger).code.length, 24_576, "CampaignLedger");
        assertLe(address(reports).code.length, 24_576, "EpochReports");
        assertLe(address(payouts).code.length, 24_576, "CreatorPayouts");
        assertLe(address(registry).code.length, 24_576, "CommunityRegistry");
        assertLe(address(identity).code.length, 24_576, "IdentityRegistry");
    }

    // ------------------------------------------------------------------ sending

    function test_sendSolanaPayout_movesTheBucketThroughTheBridgeOnce() public {
        EpochReport memory r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        (uint64 seq, bytes memory att) = _final(r);
        assertEq(ledger.totals(address(token)).solanaPending, SOLANA_PART, "bucket filled at finalization");
        assertEq(ledger.creatorsOwed(address(token)), 100e18, "EVM cap excludes the Solana part");

        bytes32 distributionId = keccak256(abi.encode(_hash(r), address(token)));
        assertEq(RevenueCodec.solanaDistributionId(_hash(r), address(token)), distributionId, "id formula");
        uint256 ledgerBefore = token.balanceOf(address(ledger));
        uint256 ethBefore = sender.balance;

        vm.expectEmit(false, true, true, false, address(reports));
        emit IEpochReports.SolanaPayoutSent(seq, 0, address(token), distributionId, bytes32(0));
        vm.prank(sender);
        bytes32 messageId = reports.sendSolanaPayout{value: SOLANA_FEE + 0.5 ether}(seq, r, att, 0);

        assertTrue(messageId != bytes32(0), "message id");
        assertEq(token.balanceOf(address(bridge)), SOLANA_PART, "locked in the bridge for the Solana vault");
        assertEq(token.balanceOf(address(ledger)), ledgerBefore - SOLANA_PART, "left the ledger");
        assertTrue(bridge.distributionSent(SOLANA, distributionId), "distribution id used on the bridge");
        assertEq(sender.balance, ethBefore - SOLANA_FEE, "fee paid, excess refunded to the caller");
        assertEq(address(gateway).balance, SOLANA_FEE, "gateway got the fee");
        ICampaignLedger.TokenTotals memory t = ledger.totals(address(token));
        assertEq(t.solanaPending, 0, "bucket empty");
        assertEq(t.solanaSent, SOLANA_PART, "sent counted");
        assertEq(t.creatorsPaid, 0, "nothing paid on EVM");
        assertTrue(reports.solanaPayoutSent(seq, 0), "sent bit");

        vm.expectRevert(abi.encodeWithSelector(IEpochReports.SolanaPayoutAlreadySent.selector, seq, uint256(0)));
        vm.prank(sender);
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
    }

    function test_sendSolanaPayout_sendsTheDistributionMessage() public {
        EpochReport memory r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        (uint64 seq, bytes memory att) = _final(r);
        bytes32 distributionId = RevenueCodec.solanaDistributionId(_hash(r), address(token));
        // 40 tokens of 18 decimals at 8 shared decimals: 40e8 shared units funding the vault
        bytes memory payload = DistributionMessage.encode(CLAIMS_ROOT, SOLANA_MINT, 40e8, 2, distributionId);
        vm.recordLogs();
        vm.prank(sender);
        bytes32 messageId = reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes memory message;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(gateway) && logs[i].topics[0] == MESSAGE_SENT_TOPIC) {
                message = abi.decode(logs[i].data, (bytes));
            }
        }
        assertEq(keccak256(message), messageId, "the message the id names");
        // the message ends with the payload (header: 81 bytes)
        bytes memory tail = new bytes(message.length - 81);
        for (uint256 i; i < tail.length; ++i) {
            tail[i] = message[81 + i];
        }
        assertEq(tail, payload, "kind-2 payload: claims root, SPL mint, 40e8 shared units, 2 leaves, the id");
    }

    function test_sendSolanaPayout_refusals() public {
        EpochReport memory r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        (uint64 seq, bytes memory att) = _submit(r);
        // pending: not yet final
        vm.expectRevert(
            abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Pending)
        );
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        _afterWindow();
        reports.finalize(seq, r, att);
        // another report or attestation than the stored one
        SolanaDistribution[] memory signed = r.solana;
        r.solana = _solana(address(token), keccak256("another root"), 2);
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.ReportMismatch.selector, seq));
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        r.solana = signed;
        // no such payout
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.UnknownSolanaPayout.selector, seq, uint256(1)));
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 1);
        // fee short
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.InsufficientFee.selector, SOLANA_FEE - 1, SOLANA_FEE));
        reports.sendSolanaPayout{value: SOLANA_FEE - 1}(seq, r, att, 0);
        assertFalse(reports.solanaPayoutSent(seq, 0), "a failed send leaves the bit clear");
        // only EpochReports moves the bucket
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.OnlyReports.selector, address(this)));
        ledger.sendSolana{value: SOLANA_FEE}(r.lines, r.solana[0], bytes32(0), address(this));
    }

    function test_sendSolanaPayout_rejectedReportNeverSends() public {
        EpochReport memory r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        (uint64 seq, bytes memory att) = _submit(r);
        vm.prank(attesters[2]);
        reports.dispute{value: BOND}(seq);
        reports.resolve(seq, r, att, true, _attestResolution(seq, r, true));
        vm.expectRevert(
            abi.encodeWithSelector(IEpochReports.BadStatus.selector, seq, IEpochReports.Status.Rejected)
        );
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        assertEq(ledger.totals(address(token)).solanaPending, 0, "nothing accrued");
    }

    // ------------------------------------------------------------------ no creator payable on both chains

    /// @notice The EVM root and the Solana distribution pay from disjoint funds: even a malicious EVM root that lists a
    ///         Solana persona for the Solana part and over-promises another persona stops at the EVM part (the creators'
    ///         funds CreatorPayouts holds); the Solana part leaves only through its one distribution.
    function test_noCreatorPayableOnBothChains() public {
        // a malicious EVM root pays alice (a Solana persona) the Solana part and bob the whole creators' share
        PayoutLeaf memory la = _payout(0, alice, address(token), SOLANA_PART, SALT);
        PayoutLeaf memory lb = _payout(1, bob, address(token), 140e18, SALT);
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = _leaf(la);
        leaves[1] = _leaf(lb);
        (bytes32 root, bytes32[] memory proofA) = _tree(leaves, 0);
        (, bytes32[] memory proofB) = _tree(leaves, 1);
        vm.prank(alice);
        identity.setPayout(2, keccak256("alice's Solana key"));

        EpochReport memory r = _solanaReport(0, SOLANA_PART, root);
        (uint64 seq, bytes memory att) = _final(r);
        assertEq(token.balanceOf(address(payouts)), 100e18, "CreatorPayouts holds the EVM part only");

        // bob's over-promised leaf: the cap stops at the EVM part (140 - 40 = 100)
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.PayoutCapExceeded.selector, address(token), 140e18, 100e18)
        );
        payouts.claim(lb, proofB);

        vm.prank(sender);
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        assertEq(token.balanceOf(address(bridge)), SOLANA_PART, "the Solana part went to the bridge");
        assertEq(ledger.creatorsOwed(address(token)), 100e18, "the EVM part is untouched");
        vm.expectRevert(abi.encodeWithSelector(IEpochReports.SolanaPayoutAlreadySent.selector, seq, uint256(0)));
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        // alice's EVM leaf is paid from the EVM part, never from the Solana part: the two together stop at 100
        payouts.claim(la, proofA);
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.PayoutCapExceeded.selector, address(token), 140e18, 60e18)
        );
        payouts.claim(lb, proofB);
        assertEq(
            token.balanceOf(alice) + token.balanceOf(address(bridge)), 80e18, "paid at most EVM part + Solana part"
        );
        assertEq(token.balanceOf(address(payouts)), 60e18, "the rest of the EVM part");
    }

    // ------------------------------------------------------------------ submit checks

    function test_submit_solanaDistributionMissing() public {
        EpochReport memory r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        r.solana = new SolanaDistribution[](0);
        _expectSubmitRevert(
            r, abi.encodeWithSelector(IEpochReports.SolanaDistributionMissing.selector, address(token))
        );
    }

    function test_submit_solanaDistributionUnused() public {
        // an entry without any Solana part
        EpochReport memory r = _solanaReport(0, 0, keccak256("evm root"));
        _expectSubmitRevert(r, abi.encodeWithSelector(IEpochReports.SolanaDistributionUnused.selector, address(token)));
        // the same token twice: the second entry finds nothing
        r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        r.solana = new SolanaDistribution[](2);
        r.solana[0] = SolanaDistribution({token: address(token), root: CLAIMS_ROOT, leafCount: 1});
        r.solana[1] = SolanaDistribution({token: address(token), root: CLAIMS_ROOT, leafCount: 1});
        _expectSubmitRevert(r, abi.encodeWithSelector(IEpochReports.SolanaDistributionUnused.selector, address(token)));
    }

    function test_submit_invalidSolanaRootAndLeafCount() public {
        EpochReport memory r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        r.solana[0].root = bytes32(0);
        _expectSubmitRevert(r, abi.encodeWithSelector(IEpochReports.InvalidSolanaRoot.selector, address(token)));
        r.solana[0].root = CLAIMS_ROOT;
        r.solana[0].leafCount = 0;
        _expectSubmitRevert(
            r, abi.encodeWithSelector(IEpochReports.InvalidSolanaLeafCount.selector, address(token), uint32(0))
        );
        r.solana[0].leafCount = DistributionMessage.MAX_LEAF_COUNT + 1;
        _expectSubmitRevert(
            r,
            abi.encodeWithSelector(
                IEpochReports.InvalidSolanaLeafCount.selector, address(token), DistributionMessage.MAX_LEAF_COUNT + 1
            )
        );
        r.solana[0].leafCount = DistributionMessage.MAX_LEAF_COUNT;
        reports.submit(r, _attest(r));
    }

    function test_submit_solanaAmountNotExact() public {
        // 18 local decimals, 8 shared: the unit is 1e10
        EpochReport memory r = _solanaReport(0, SOLANA_PART + 1, keccak256("evm root"));
        _expectSubmitRevert(
            r,
            abi.encodeWithSelector(
                IEpochReports.SolanaAmountNotExact.selector, address(token), uint256(SOLANA_PART) + 1, uint256(1e10)
            )
        );
    }

    function test_submit_solanaTokenNotRouted() public {
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        other.mint(advertiser, 10_000e18);
        vm.prank(advertiser);
        other.approve(address(ledger), type(uint256).max);
        uint64 oid = _create(_params(address(other), _communities(C1), 10_000e18, 1_000e18));
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(oid, 100_000, 0)), keccak256("evm root"));
        r.lines[0].solanaCreators = SOLANA_PART;
        r.solana = _solana(address(other), CLAIMS_ROOT, 1);
        _expectSubmitRevert(r, abi.encodeWithSelector(IEpochReports.SolanaTokenNotRouted.selector, address(other)));
        // registered but not linked to the Solana domain
        vm.prank(owner);
        bridge.registerToken(address(other), 0, 8);
        _expectSubmitRevert(r, abi.encodeWithSelector(IEpochReports.SolanaTokenNotRouted.selector, address(other)));
    }

    function test_submit_solanaAmountTooLarge() public {
        // a token whose route has no decimal scaling (shared = local = 18): 40e18 shared units exceed uint64
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        other.mint(advertiser, 10_000e18);
        vm.prank(advertiser);
        other.approve(address(ledger), type(uint256).max);
        vm.startPrank(owner);
        bridge.registerToken(address(other), 0, 18);
        bridge.linkToken(address(other), SOLANA, keccak256("other mint"));
        vm.stopPrank();
        uint64 oid = _create(_params(address(other), _communities(C1), 10_000e18, 1_000e18));
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(oid, 100_000, 0)), keccak256("evm root"));
        r.lines[0].solanaCreators = SOLANA_PART;
        r.solana = _solana(address(other), CLAIMS_ROOT, 1);
        _expectSubmitRevert(
            r,
            abi.encodeWithSelector(IEpochReports.SolanaAmountTooLarge.selector, address(other), uint256(SOLANA_PART))
        );
    }

    function test_submit_invalidSolanaCount() public {
        EpochReport memory r = _solanaReport(0, SOLANA_PART, keccak256("evm root"));
        r.solana = new SolanaDistribution[](33);
        _expectSubmitRevert(r, abi.encodeWithSelector(IEpochReports.InvalidSolanaCount.selector, uint256(33)));
    }

    function test_submit_solanaRouteNotSetAndSetOnce() public {
        vm.expectRevert(ICampaignLedger.SolanaRouteAlreadySet.selector);
        vm.prank(owner);
        ledger.setSolanaRoute(address(bridge), SOLANA);
        assertEq(ledger.solanaBridge(), address(bridge), "bridge");
        assertEq(ledger.solanaDomain(), SOLANA, "domain");

        // a ledger without a Solana route refuses any Solana part
        CampaignLedger bare = new CampaignLedger(ICommunityRegistry(address(registry)), owner, feeRecipient, 0);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(bytes4(keccak256("OwnableUnauthorizedAccount(address)")), stranger));
        bare.setSolanaRoute(address(bridge), SOLANA);
        vm.prank(owner);
        vm.expectRevert(ICampaignLedger.ZeroAddress.selector);
        bare.setSolanaRoute(address(0), SOLANA);
        vm.prank(owner);
        bare.setModules(address(this), address(payouts));
        token.mint(address(this), 10_000e18);
        token.approve(address(bare), type(uint256).max);
        uint64 bid = bare.createCampaign(_params(address(token), _communities(C1), 10_000e18, 1_000e18));
        _toEpochEnd(0);
        CampaignLine[] memory lines = new CampaignLine[](1);
        lines[0] = CampaignLine({campaignId: bid, impressions: 100_000, engagements: 0, spend: 200e18, solanaCreators: 1});
        assertTrue(bare.reserve(C1, 0, 7000, lines), "owes Solana");
        // EpochReports over the bare ledger refuses the Solana part at submission
        EpochReports bareReports =
            new EpochReports(IAttesterSet(address(set)), ICommunityRegistry(address(registry)), bare, WINDOW, BOND);
        vm.expectRevert(IEpochReports.SolanaRouteNotSet.selector);
        bareReports.checkSolana(lines, new SolanaDistribution[](0));
        vm.expectRevert(ICampaignLedger.SolanaRouteNotSet.selector);
        bare.sendSolana(lines, SolanaDistribution({token: address(token), root: CLAIMS_ROOT, leafCount: 1}), 0, address(this));
    }

    function test_submit_twoTokensTwoPayouts() public {
        MockERC20 other = new MockERC20("Other", "OTH", 9);
        other.mint(advertiser, 10_000e9);
        vm.prank(advertiser);
        other.approve(address(ledger), type(uint256).max);
        vm.startPrank(owner);
        bridge.registerToken(address(other), 0, 8);
        bridge.linkToken(address(other), SOLANA, keccak256("other mint"));
        bridge.setRateLimits(address(other), SOLANA, type(uint64).max, 0, type(uint64).max, 0);
        vm.stopPrank();
        ICampaignLedger.CampaignParams memory p = _params(address(other), _communities(C1), 10_000e9, 1_000e9);
        p.cpm = 2e9;
        p.cpe = 0;
        uint64 oid = _create(p);
        _toEpochEnd(0);
        CampaignLine[] memory lines = new CampaignLine[](2);
        lines[0] = _line(id, 100_000, 0);
        lines[0].solanaCreators = SOLANA_PART;
        lines[1] = _line(oid, 100_000, 0); // 200e9 spend, 140e9 creators
        lines[1].solanaCreators = 30e9;
        EpochReport memory r = _report(C1, 0, lines, keccak256("evm root"));
        r.solana = new SolanaDistribution[](2);
        r.solana[0] = SolanaDistribution({token: address(other), root: keccak256("other claims"), leafCount: 1});
        r.solana[1] = SolanaDistribution({token: address(token), root: CLAIMS_ROOT, leafCount: 3});
        (uint64 seq, bytes memory att) = _final(r);
        vm.startPrank(sender);
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 1);
        reports.sendSolanaPayout{value: SOLANA_FEE}(seq, r, att, 0);
        vm.stopPrank();
        assertEq(token.balanceOf(address(bridge)), SOLANA_PART, "token payout");
        assertEq(other.balanceOf(address(bridge)), 30e9, "other payout");
        assertTrue(reports.solanaPayoutSent(seq, 0) && reports.solanaPayoutSent(seq, 1), "both sent");
        assertTrue(
            bridge.distributionSent(SOLANA, RevenueCodec.solanaDistributionId(_hash(r), address(other))), "other id"
        );
    }
}
