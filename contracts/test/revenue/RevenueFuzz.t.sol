// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {CampaignLine, TokenAmount} from "../../src/libraries/RevenueCodec.sol";
import {vm} from "../utils/Vm.sol";
import {SplitPolicy} from "../../src/types/SplitPolicy.sol";
import {RevenueFixture} from "./RevenueFixture.t.sol";

/// @notice Fuzzed pricing (spend = impressions × cpm / 1000 + engagements × cpe, floor) and split arithmetic (every
///         share floored, the operators' part absorbing the line remainder, the operators' split dust to the protocol
///         balance, nothing created or lost), driven through the ledger's module entry points.
contract RevenueFuzzTest is RevenueFixture {
    function _campaignPriced(uint96 cpm, uint96 cpe) internal returns (uint64) {
        ICampaignLedger.CampaignParams memory p =
            _params(address(token), _communities(C1), type(uint96).max, type(uint96).max);
        p.cpm = cpm;
        p.cpe = cpe;
        p.start = genesis;
        token.mint(advertiser, type(uint96).max);
        return _create(p);
    }

    function test_reserve_fuzzPricingExactOrRefused(uint64 impressions, uint64 engagements, uint96 cpm, uint96 cpe)
        public
    {
        cpm = uint96(bound(cpm, 1, 1e24));
        cpe = uint96(bound(cpe, 0, 1e22));
        impressions = uint64(bound(impressions, 0, 1e12));
        engagements = uint64(bound(engagements, 0, 1e9));
        uint64 id = _campaignPriced(cpm, cpe);
        uint256 expected = uint256(impressions) * cpm / 1000 + uint256(engagements) * cpe;
        vm.assume(expected <= type(uint96).max);

        CampaignLine[] memory lines = new CampaignLine[](1);
        lines[0] = CampaignLine(id, impressions, engagements, uint128(expected + 1), 0);
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.SpendMismatch.selector, id, expected, expected + 1));
        vm.prank(address(reports));
        ledger.reserve(C1, 0, 7000, lines);

        lines[0].spend = uint128(expected);
        vm.prank(address(reports));
        ledger.reserve(C1, 0, 7000, lines);
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        assertEq(c.available, uint256(type(uint96).max) - expected, "reserved exactly the spend");
        assertEq(c.epochSpend, expected, "cap accumulator");
        assertEq(ledger.reservedOf(id), expected, "reserved view");
    }

    function test_commit_fuzzSplitConserves(
        uint128 spendSeed,
        uint16 creatorsBps,
        uint16 treasuryBps,
        uint16 protocolBps,
        uint8 operatorCount,
        uint96 weightSeed
    ) public {
        protocolBps = uint16(bound(protocolBps, 0, 1000));
        creatorsBps = uint16(bound(creatorsBps, 0, 10_000 - protocolBps));
        treasuryBps = uint16(bound(treasuryBps, 0, 10_000 - protocolBps - creatorsBps));
        uint16 operatorsBps = 10_000 - protocolBps - creatorsBps - treasuryBps;
        SplitPolicy policy = _policy(creatorsBps, treasuryBps, operatorsBps, protocolBps);
        uint256 spend = bound(spendSeed, 0, type(uint64).max);
        uint64 id = _campaignPriced(1000, 0); // cpm 1000: spend == impressions
        CampaignLine[] memory lines = new CampaignLine[](1);
        lines[0] = CampaignLine(id, uint64(spend), 0, uint128(spend), 0);
        vm.prank(address(reports));
        ledger.reserve(C1, 0, creatorsBps, lines);

        uint256 n = bound(operatorCount, 0, 8);
        address[] memory operators = new address[](n);
        uint256[] memory weights = new uint256[](n);
        uint256 signed;
        for (uint256 i; i < n; ++i) {
            operators[i] = vm.addr(i + 1);
            weights[i] = bound(uint256(keccak256(abi.encode(weightSeed, i))), 0, 1e24);
            signed += weights[i];
        }
        vm.prank(address(reports));
        ledger.commit(C1, 0, policy, lines, new TokenAmount[](0), operators, weights);

        uint256 creators = spend * creatorsBps / 10_000;
        uint256 treasury = spend * treasuryBps / 10_000;
        uint256 protocol = spend * protocolBps / 10_000;
        uint256 operatorsPart = spend - creators - treasury - protocol;
        assertEq(ledger.creatorsOwed(address(token)), creators, "creators floor");
        assertEq(ledger.treasuryBalance(C1, address(token)), treasury, "treasury floor");
        uint256 paid;
        for (uint256 i; i < n; ++i) {
            uint256 share = signed == 0 ? 0 : operatorsPart * weights[i] / signed;
            assertEq(ledger.operatorBalance(operators[i], address(token)), share, "operator share by weight");
            paid += share;
        }
        uint256 dust = operatorsPart - paid;
        if (signed != 0) assertLe(dust, n, "dust below one unit per operator");
        assertEq(ledger.protocolBalance(address(token)), protocol + dust, "protocol + dust");
        assertEq(creators + treasury + paid + protocol + dust, spend, "nothing created or lost");
        assertEq(ledger.totals(address(token)).dust, dust, "dust counted");
        assertEq(ledger.campaign(id).spent, spend, "spent");
    }

    function test_reserve_fuzzEpochCapAndBudget(uint96 cap, uint96 budget, uint64 a, uint64 b) public {
        cap = uint96(bound(cap, 1, type(uint64).max));
        budget = uint96(bound(budget, 1, type(uint64).max));
        ICampaignLedger.CampaignParams memory p = _params(address(token), _communities(C1, C2), budget, cap);
        p.cpm = 1000; // spend == impressions
        p.cpe = 0;
        p.start = genesis;
        token.mint(advertiser, budget);
        uint64 id = _create(p);
        a = uint64(bound(a, 0, type(uint64).max));
        b = uint64(bound(b, 0, type(uint64).max));

        CampaignLine[] memory lines = new CampaignLine[](1);
        lines[0] = CampaignLine(id, a, 0, a, 0);
        bool okA = a <= cap && a <= budget;
        if (!okA) vm.expectRevert();
        vm.prank(address(reports));
        ledger.reserve(C1, 0, 7000, lines);
        uint256 usedA = okA ? a : 0;

        lines[0] = CampaignLine(id, b, 0, b, 0);
        bool okB = usedA + b <= cap && b <= budget - usedA;
        if (!okB) vm.expectRevert();
        vm.prank(address(reports));
        ledger.reserve(C2, 0, 7000, lines);
        uint256 used = usedA + (okB ? b : 0);

        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        assertLe(c.epochSpend, cap, "never above the epoch cap");
        assertEq(c.epochSpend, used, "accumulated over communities");
        assertEq(c.available, budget - used, "never above the budget");
    }
}
