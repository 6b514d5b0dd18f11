// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {Test} from "../utils/Test.sol";
import {RevenueHandler} from "./handlers/RevenueHandler.t.sol";

/// @notice Invariants of the revenue money path (issue 13, points 3-6) over random campaigns, reports (some with a
///         malicious payout root), disputes, drops, claims, withdrawals and time (handler: handlers/RevenueHandler.t.sol).
/// @dev The handler lives in its own `.t.sol` file so that the test runner emits its artifact (the invariant fuzzer
///      needs its ABI): run this suite together with it, e.g.
///      `npx hardhat test solidity contracts/test/invariant/RevenueInvariants.t.sol
///      contracts/test/invariant/handlers/RevenueHandler.t.sol` (the whole Solidity suite includes both).
contract RevenueInvariantsTest is Test {
    RevenueHandler internal handler;

    function setUp() public {
        handler = new RevenueHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Conservation, per token: what the ledger and CreatorPayouts (the creators' EVM funds) hold plus
    ///         everything that left them is everything funded.
    function invariant_conservationOfBalance() public view {
        assertEq(
            handler.token().balanceOf(address(handler.ledger()))
                + handler.token().balanceOf(address(handler.payouts())) + handler.outflow(),
            handler.funded(),
            "held + paid + withdrawn + refunded == funded"
        );
    }

    /// @notice funded = budgets still held + reserved + claimable (creators' pool, Solana bucket, treasuries,
    ///         operators) + fees and dust (the protocol balance) + paid + withdrawn + refunded, exactly.
    function invariant_conservationByBucket() public view {
        ICampaignLedger ledger = handler.ledger();
        address token = address(handler.token());
        uint256 held;
        for (uint256 i; i < handler.campaignCount(); ++i) {
            uint64 id = handler.campaignIds(i);
            held += ledger.campaign(id).available + ledger.reservedOf(id);
        }
        uint256 claimable = ledger.creatorsOwed(token) + ledger.totals(token).solanaPending
            + ledger.treasuryBalance(1, token) + ledger.treasuryBalance(2, token);
        for (uint256 i; i < handler.attesterCount(); ++i) {
            claimable += ledger.operatorBalance(handler.attesters(i), token);
        }
        uint256 feesAndDust = ledger.protocolBalance(token);
        assertEq(held + claimable + feesAndDust + handler.outflow(), handler.funded(), "funded by bucket");
        ICampaignLedger.TokenTotals memory t = ledger.totals(token);
        assertEq(t.funded, handler.funded(), "totals funded");
        assertEq(t.refunded, handler.refunded(), "totals refunded");
        assertEq(t.creatorsPaid, handler.creatorsPaid(), "totals creators paid");
    }

    /// @notice No creator is paid twice: each persona's claimed total is exactly what it received, and all creators
    ///         together never received more than final reports owe EVM creators (whatever the roots said).
    function invariant_noDoublePayAndCap() public view {
        address token = address(handler.token());
        for (uint256 i; i < 3; ++i) {
            address persona = handler.personas(i);
            assertEq(handler.payouts().claimed(i), handler.paidTo(persona), "claimed == received");
        }
        ICampaignLedger ledger = handler.ledger();
        ICampaignLedger.TokenTotals memory t = ledger.totals(token);
        uint256 owedOnEvm = t.creatorsFinal - t.solanaPending - t.solanaSent - t.creatorsExpired;
        assertLe(handler.creatorsPaid(), owedOnEvm, "paid <= owed on EVM");
        // the cap is CreatorPayouts' balance: exactly the final EVM creators' shares moved there, not paid, not expired
        assertEq(
            handler.token().balanceOf(address(handler.payouts())),
            owedOnEvm - ledger.creatorsHeld(token) - handler.creatorsPaid(),
            "CreatorPayouts holds exactly what EVM creators are still owed"
        );
    }

    /// @notice The Solana bucket leaves only through bridge distributions, each once: what the bridge holds is what
    ///         was sent, the ledger counts the same, and no payout was sent twice.
    function invariant_solanaLeavesOnlyThroughTheBridgeOnce() public view {
        address token = address(handler.token());
        assertEq(handler.token().balanceOf(address(handler.bridge())), handler.solanaSent(), "bridge holds what was sent");
        assertEq(handler.ledger().totals(token).solanaSent, handler.solanaSent(), "ledger counts what was sent");
        assertFalse(handler.solanaSentTwice(), "a Solana payout sent twice");
    }

    /// @notice Spend never exceeds a campaign's budget or its cap in any epoch (live and final reports together).
    function invariant_spendWithinBudgetAndCap() public view {
        ICampaignLedger ledger = handler.ledger();
        for (uint256 i; i < handler.spendKeys(); ++i) {
            uint64 id = handler.spendIds(i);
            assertLe(handler.epochSpend(id, handler.spendEpochs(i)), ledger.campaign(id).epochCap, "epoch cap");
        }
        for (uint256 i; i < handler.campaignCount(); ++i) {
            ICampaignLedger.Campaign memory c = ledger.campaign(handler.campaignIds(i));
            assertLe(uint256(c.available) + c.spent + c.refunded, c.funded, "budget");
            assertLe(c.epochSpend, c.epochCap, "accumulator within cap");
        }
    }

    /// @notice Nothing is claimable before it is final: the payout root only ever is a final report's root, and no
    ///         claim against a pending root succeeded.
    function invariant_nothingClaimableBeforeFinal() public view {
        assertFalse(handler.claimedBeforeFinal(), "a pending root paid");
        assertFalse(handler.rootNotFromFinal(), "root set by a non-final report");
        assertEq(handler.payouts().root(), handler.reports().finalRoot(), "payout root is the final root");
    }
}
