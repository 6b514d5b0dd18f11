// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttesterSet} from "../../../src/core/AttesterSet.sol";
import {IAttesterSet} from "../../../src/core/interfaces/IAttesterSet.sol";
import {AttestationLib} from "../../../src/libraries/AttestationLib.sol";
import {
    CampaignLine, EpochReport, PayoutLeaf, RevenueCodec, SolanaDistribution, TokenAmount
} from "../../../src/libraries/RevenueCodec.sol";
import {Gateway} from "../../../src/core/Gateway.sol";
import {IGateway} from "../../../src/core/interfaces/IGateway.sol";
import {TokenBridge} from "../../../src/token/TokenBridge.sol";
import {CampaignLedger} from "../../../src/revenue/CampaignLedger.sol";
import {CreatorPayouts} from "../../../src/revenue/CreatorPayouts.sol";
import {EpochReports} from "../../../src/revenue/EpochReports.sol";
import {ICampaignLedger} from "../../../src/revenue/interfaces/ICampaignLedger.sol";
import {MockERC20} from "../../mocks/Tokens.sol";
import {CommunityRegistry} from "../../../src/revenue/CommunityRegistry.sol";
import {IdentityRegistry} from "../../../src/revenue/IdentityRegistry.sol";
import {ICommunityRegistry} from "../../../src/revenue/interfaces/ICommunityRegistry.sol";
import {SplitPolicyLibrary} from "../../../src/types/SplitPolicy.sol";
import {AttesterHarness} from "../../utils/AttesterHarness.sol";
import {SortedPairTree} from "../../utils/SortedPairTree.sol";
import {vm} from "../../utils/Vm.sol";

/// @notice Drives one revenue deployment (real AttesterSet 2-of-3, CommunityRegistry, IdentityRegistry, CampaignLedger,
///         EpochReports, CreatorPayouts, one token) through random campaigns (create, top up, pause, unpause, cancel,
///         refund), attested reports with payout roots over three personas (one in six over-promises: a malicious
///         root), finalization, bonded disputes resolved both ways, drops of reports built on a rejected one, claims
///         (also against the pending, not yet final root), withdrawals and time, with ghost accounting of every
///         token that came in and went out. One line in four owes a third of its creators' share on Solana: the
///         report carries a Solana payout, which is sent through a real TokenBridge once final (a second send of the
///         same payout must fail).
contract RevenueHandler is AttesterHarness {
    uint32 internal constant DOMAIN = 1001;
    uint32 internal constant EPOCH = 1 hours;
    uint32 internal constant WINDOW = 2 hours;
    uint256 internal constant BOND = 1 ether;
    uint256 internal constant PERSONAS = 3;
    uint32 internal constant SOLANA = 1003;

    AttesterSet public set;
    CommunityRegistry public registry;
    IdentityRegistry public identity;
    CampaignLedger public ledger;
    EpochReports public reports;
    CreatorPayouts public payouts;
    MockERC20 public token;
    TokenBridge public bridge;
    uint40 public genesis;
    address public advertiser = vm.addr(0xAD);
    address public feeRecipient = vm.addr(0xFEE);
    address[] public attesters;
    address[PERSONAS] public personas;
    uint256[] internal keys;

    /// @dev A report in the ghost chain.
    struct Ghost {
        uint64 seq;
        bytes report; // abi.encode(EpochReport)
        bytes attestation;
        uint256[PERSONAS] cum; // cumulative owed per persona under its payout root
    }

    Ghost[] internal live; // pending reports on the live chain, in chain order
    Ghost[] internal dead; // pending reports built on a rejected one
    Ghost[] internal solanaDue; // final reports whose Solana payout was not sent yet
    Ghost[] internal solanaDone; // final reports whose Solana payout was sent
    uint256[PERSONAS] public finalCum;
    uint64[] public campaignIds;

    // ghost token flows
    uint256 public funded;
    uint256 public refunded;
    uint256 public creatorsPaid;
    uint256 public treasuryWithdrawn;
    uint256 public operatorWithdrawn;
    uint256 public protocolWithdrawn;
    uint256 public solanaSent;
    bool public solanaSentTwice;
    mapping(address persona => uint256) public paidTo;

    // ghost spend per (campaign, epoch) of live and final reports
    mapping(uint64 id => mapping(uint64 epoch => uint256)) public epochSpend;
    uint64[] public spendIds;
    uint64[] public spendEpochs;
    mapping(uint64 community => mapping(uint64 epoch => bool)) public reported;

    // findings (must stay false / zero)
    bool public claimedBeforeFinal;
    bool public rootNotFromFinal;
    uint256 public capRefusals;
    bytes4 public lastClaimError;
    uint256 public submits;
    uint256 public finals;
    uint256 public rejections;
    uint256 public disputes;
    uint256 public drops;
    uint256 public claims;

    constructor() {
        vm.warp(1_700_000_000);
        genesis = uint40(block.timestamp);
        uint96[] memory weights;
        (keys, attesters, weights) = _makeSet(3);
        set = new AttesterSet(DOMAIN, address(this), attesters, weights, _thresholdFor(2, 3), 1 days, 7 days);
        registry = new CommunityRegistry(genesis, EPOCH);
        registry.createCommunity("ipfs://1", vm.addr(0x7001), new bytes[](0), SplitPolicyLibrary.pack(7000, 1500, 1000, 500), 10, 26);
        registry.createCommunity("ipfs://2", vm.addr(0x7002), new bytes[](0), SplitPolicyLibrary.pack(5000, 2000, 2300, 700), 10, 26);
        identity = new IdentityRegistry(IAttesterSet(address(set)));
        ledger = new CampaignLedger(ICommunityRegistry(address(registry)), address(this), feeRecipient, 1 hours);
        reports = new EpochReports(
            IAttesterSet(address(set)), ICommunityRegistry(address(registry)), ledger, WINDOW, BOND
        );
        payouts = new CreatorPayouts(ledger);
        ledger.setModules(address(reports), address(payouts));
        token = new MockERC20("Token", "TOK", 18);
        vm.prank(advertiser);
        token.approve(address(ledger), type(uint256).max);
        for (uint256 i; i < PERSONAS; ++i) {
            personas[i] = vm.addr(0x9000 + i);
        }
        for (uint256 i; i < attesters.length; ++i) {
            vm.deal(attesters[i], 100 ether);
        }
        (Gateway gateway,) = _deployGateway(DOMAIN, address(this), address(this), 3, _thresholdFor(2, 3));
        bridge = new TokenBridge(IGateway(address(gateway)), address(this));
        bridge.setRemoteBridge(SOLANA, keccak256("Solana program"));
        bridge.setClaimsCapable(SOLANA, true);
        bridge.registerToken(address(token), 0, 8);
        bridge.linkToken(address(token), SOLANA, keccak256("SPL mint"));
        bridge.setRateLimits(address(token), SOLANA, type(uint64).max, 0, type(uint64).max, 0);
        ledger.setSolanaRoute(address(bridge), SOLANA);
    }

    // ------------------------------------------------------------------ campaigns

    function createCampaign(uint256 seed, uint96 budget, uint96 cap) external {
        budget = uint96(_bound(budget, 1e18, 5_000e18));
        cap = uint96(_bound(cap, 1e18, 1_000e18));
        ICampaignLedger.CampaignParams memory p;
        p.token = address(token);
        uint256 which = seed % 3;
        p.communities = new uint64[](which == 2 ? 2 : 1);
        if (which == 2) {
            p.communities[0] = 1;
            p.communities[1] = 2;
        } else {
            p.communities[0] = uint64(which + 1);
        }
        p.cpm = uint96(_bound(seed >> 8, 1, 3e18));
        p.cpe = uint96(_bound(seed >> 80, 0, 0.05e18));
        p.budget = budget;
        p.epochCap = cap;
        // from the previous epoch's start, so that the report of the epoch just finished may bill it at once
        uint256 epochStart = block.timestamp - (block.timestamp - genesis) % EPOCH;
        p.start = uint40(epochStart >= genesis + EPOCH ? epochStart - EPOCH : genesis);
        p.end = uint40(block.timestamp + _bound(seed >> 160, 2 hours, 40 hours));
        p.creativeHash = keccak256(abi.encode(seed));
        token.mint(advertiser, budget);
        vm.prank(advertiser);
        uint64 id = ledger.createCampaign(p);
        campaignIds.push(id);
        funded += budget;
    }

    function topUp(uint256 seed, uint96 amount) external {
        if (campaignIds.length == 0) return;
        uint64 id = campaignIds[seed % campaignIds.length];
        amount = uint96(_bound(amount, 1, 1_000e18));
        token.mint(advertiser, amount);
        vm.prank(advertiser);
        try ledger.topUp(id, amount) {
            funded += amount;
        } catch {}
    }

    function pauseOrResume(uint256 seed) external {
        if (campaignIds.length == 0) return;
        uint64 id = campaignIds[seed % campaignIds.length];
        vm.prank(advertiser);
        if (ledger.campaign(id).pausedAt == 0) {
            try ledger.pause(id) {} catch {}
        } else {
            try ledger.unpause(id) {} catch {}
        }
    }

    function cancel(uint256 seed) external {
        if (campaignIds.length == 0) return;
        vm.prank(advertiser);
        try ledger.cancel(campaignIds[seed % campaignIds.length]) {} catch {}
    }

    function refund(uint256 seed) external {
        if (campaignIds.length == 0) return;
        vm.prank(advertiser);
        try ledger.refund(campaignIds[seed % campaignIds.length]) returns (uint256 amount) {
            refunded += amount;
        } catch {}
    }

    // ------------------------------------------------------------------ reports

    /// @notice Submits a report of up to three campaigns for the last finished epoch on a random community.
    function submit(uint256 seed) external {
        _submitFor(seed);
    }

    function _submitFor(uint256 seed) internal {
        uint64 current = uint64((block.timestamp - genesis) / EPOCH);
        if (current == 0 || campaignIds.length == 0) return;
        uint64 community = uint64(seed % 2) + 1;
        if (reported[community][current - 1]) community = 3 - community;
        if (reported[community][current - 1]) {
            vm.warp(block.timestamp + EPOCH); // both reported: move on to the next epoch
            current += 1;
        }
        (CampaignLine[] memory lines, uint256 evmCreators) = _lines(seed, community);
        if (lines.length == 0) return;

        // the new payout state: the tip's cumulative amounts plus this report's EVM creators' share
        uint256[PERSONAS] memory cum = _tipCum();
        cum[(seed >> 24) % PERSONAS] += evmCreators;
        // a malicious root over-promises: one persona is owed more than the whole creators' pool will hold
        if ((seed >> 32) % 6 == 0) cum[(seed >> 40) % PERSONAS] += ledger.creatorsOwed(address(token)) + evmCreators + 1e18;

        EpochReport memory r;
        r.communityId = community;
        r.epoch = current - 1;
        r.engagedAccounts = 10;
        r.lines = lines;
        r.prevPayoutRoot = _root(_tipCum());
        r.payoutRoot = _root(cum);
        r.payoutLeafCount = uint32(PERSONAS);
        r.expired = new TokenAmount[](0);
        bool owesSolana;
        for (uint256 i; i < lines.length; ++i) {
            if (lines[i].solanaCreators != 0) owesSolana = true;
        }
        r.solana = new SolanaDistribution[](owesSolana ? 1 : 0);
        if (owesSolana) {
            r.solana[0] = SolanaDistribution({token: address(token), root: keccak256(abi.encode(seed)), leafCount: 1});
        }
        _submit(r, cum);
    }

    function _tipCum() internal view returns (uint256[PERSONAS] memory) {
        return live.length == 0 ? finalCum : live[live.length - 1].cum;
    }

    /// @dev Up to three lines of consecutive campaigns (ascending ids) with random counts and exact spends.
    function _lines(uint256 seed, uint64 community)
        internal
        view
        returns (CampaignLine[] memory lines, uint256 evmCreators)
    {
        uint256 n = _bound(seed >> 8, 1, 3);
        uint256 first = (seed >> 16) % campaignIds.length;
        if (first + n > campaignIds.length) n = campaignIds.length - first;
        lines = new CampaignLine[](n);
        uint256 creatorsBps = community == 1 ? 7000 : 5000;
        uint256 count;
        for (uint256 i; i < n; ++i) {
            uint64 id = campaignIds[first + i];
            if (!ledger.targets(id, community)) continue;
            lines[count] = _line(seed, i, id);
            uint256 creators = uint256(lines[count].spend) * creatorsBps / 10_000;
            // the Solana part is a whole number of shared units (18 local decimals, 8 shared: 1e10)
            if ((seed >> 200) % 4 == 0) lines[count].solanaCreators = uint128(creators / 3 / 1e10 * 1e10);
            evmCreators += creators - lines[count].solanaCreators;
            ++count;
        }
        assembly ("memory-safe") {
            mstore(lines, count)
        }
    }

    function _line(uint256 seed, uint256 i, uint64 id) internal view returns (CampaignLine memory l) {
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        l.campaignId = id;
        // aim at up to 120% of the epoch cap, so that most lines fit and some exceed it
        uint256 aim = _bound(uint256(keccak256(abi.encode(seed, i))), 0, uint256(c.epochCap) * 6 / 5);
        l.impressions = uint64(aim * 1000 / c.cpm);
        l.engagements = uint64(_bound(uint256(keccak256(abi.encode(seed, i, 1))), 0, 20));
        l.spend = uint128(uint256(l.impressions) * c.cpm / 1000 + uint256(l.engagements) * c.cpe);
    }

    function _submit(EpochReport memory r, uint256[PERSONAS] memory cum) internal {
        bytes memory att = _attestFirst(
            AttestationLib.EPOCH_REPORT_TYPEHASH,
            DOMAIN,
            _toBytes32(address(reports)),
            1,
            RevenueCodec.reportHashMemory(r),
            keys,
            2
        );
        try reports.submit(r, att) returns (uint64 seq) {
            Ghost storage g = live.push();
            g.seq = seq;
            g.report = abi.encode(r);
            g.attestation = att;
            g.cum = cum;
            reported[r.communityId][r.epoch] = true;
            for (uint256 i; i < r.lines.length; ++i) {
                uint64 id = r.lines[i].campaignId;
                if (epochSpend[id][r.epoch] == 0) {
                    spendIds.push(id);
                    spendEpochs.push(r.epoch);
                }
                epochSpend[id][r.epoch] += r.lines[i].spend;
            }
            ++submits;
        } catch {}
    }

    /// @notice Finalizes the first live report (after its window).
    function finalize(uint256) external {
        if (live.length == 0) return;
        Ghost memory g = live[0];
        EpochReport memory r = abi.decode(g.report, (EpochReport));
        uint256 closes = uint256(reports.reportOf(g.seq).submittedAt) + WINDOW;
        if (block.timestamp < closes) vm.warp(closes);
        try reports.finalize(g.seq, r, g.attestation) {
            finalCum = g.cum;
            _shift(live);
            if (r.solana.length != 0) solanaDue.push(g);
            ++finals;
            if (payouts.root() != r.payoutRoot) rootNotFromFinal = true;
        } catch {}
    }

    /// @notice Submits up to two more reports, then disputes the first live report (if its window is open) and
    ///         resolves it at once, upheld or not (upheld: every later live report becomes droppable).
    function disputeAndResolve(uint256 seed) external {
        _submitFor(uint256(keccak256(abi.encode(seed, "a"))));
        _submitFor(uint256(keccak256(abi.encode(seed, "b"))));
        if (live.length == 0) return;
        Ghost memory g = live[0];
        EpochReport memory r = abi.decode(g.report, (EpochReport));
        vm.prank(attesters[seed % attesters.length]);
        try reports.dispute{value: BOND}(g.seq) {
            ++disputes;
        } catch {
            return;
        }
        bool upheld = (seed >> 8) % 2 == 0;
        bytes32 value = RevenueCodec.resolutionHash(RevenueCodec.reportHashMemory(r), g.seq, upheld);
        bytes memory resolution = _attestFirst(
            AttestationLib.REPORT_RESOLUTION_TYPEHASH, DOMAIN, _toBytes32(address(reports)), 1, value, keys, 2
        );
        reports.resolve(g.seq, r, g.attestation, upheld, resolution);
        if (!upheld) return;
        ++rejections;
        _forget(r);
        _shift(live);
        while (live.length != 0) {
            dead.push(live[0]);
            _shift(live);
        }
    }

    /// @notice Sends the Solana payout of a final report through the bridge; then tries a second send of an already
    ///         sent one (it must fail).
    function sendSolana(uint256 seed) external {
        if (solanaDue.length != 0) {
            Ghost memory g = solanaDue[seed % solanaDue.length];
            solanaDue[seed % solanaDue.length] = solanaDue[solanaDue.length - 1];
            solanaDue.pop();
            EpochReport memory r = abi.decode(g.report, (EpochReport));
            uint256 before = token.balanceOf(address(bridge));
            reports.sendSolanaPayout(g.seq, r, g.attestation, 0);
            solanaSent += token.balanceOf(address(bridge)) - before;
            solanaDone.push(g);
        }
        if (solanaDone.length != 0) {
            Ghost memory g = solanaDone[(seed >> 8) % solanaDone.length];
            EpochReport memory r = abi.decode(g.report, (EpochReport));
            try reports.sendSolanaPayout(g.seq, r, g.attestation, 0) {
                solanaSentTwice = true;
            } catch {}
        }
    }

    /// @notice Drops a report built on a rejected one.
    function drop(uint256) external {
        if (dead.length == 0) return;
        Ghost memory g = dead[dead.length - 1];
        dead.pop();
        EpochReport memory r = abi.decode(g.report, (EpochReport));
        reports.drop(g.seq, r, g.attestation);
        _forget(r);
        ++drops;
    }

    // ------------------------------------------------------------------ claims and withdrawals

    /// @notice Claims for a persona under the final root; also tries the pending tip root, which must fail.
    function claim(uint256 seed) external {
        uint256 p = seed % PERSONAS;
        address persona = personas[p];
        if (live.length != 0 && _root(live[live.length - 1].cum) != _root(finalCum)) {
            uint256[PERSONAS] memory tipCum = live[live.length - 1].cum;
            if (tipCum[p] > payouts.claimed(p)) {
                try payouts.claim(_payoutLeaf(p, tipCum[p]), _proof(tipCum, p)) {
                    if (tipCum[p] != finalCum[p]) claimedBeforeFinal = true;
                } catch {}
            }
        }
        uint256 cumulative = finalCum[p];
        uint256 already = payouts.claimed(p);
        if (cumulative <= already) return;
        uint256 before = token.balanceOf(persona);
        try payouts.claim(_payoutLeaf(p, cumulative), _proof(finalCum, p)) returns (uint256 amount) {
            creatorsPaid += amount;
            paidTo[persona] += amount;
            if (token.balanceOf(persona) - before != amount) claimedBeforeFinal = true;
            ++claims;
        } catch (bytes memory err) {
            ++capRefusals;
            lastClaimError = bytes4(err);
        }
    }

    function withdrawTreasury(uint256 seed) external {
        uint64 community = uint64(seed % 2) + 1;
        try ledger.withdrawTreasury(community, address(token)) returns (uint256 amount) {
            treasuryWithdrawn += amount;
        } catch {}
    }

    function withdrawOperator(uint256 seed) external {
        address operator = attesters[seed % attesters.length];
        vm.prank(operator);
        try ledger.withdrawOperator(address(token), operator) returns (uint256 amount) {
            operatorWithdrawn += amount;
        } catch {}
    }

    function withdrawProtocol(uint256) external {
        try ledger.withdrawProtocolFees(address(token)) returns (uint256 amount) {
            protocolWithdrawn += amount;
        } catch {}
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 1, 2 * EPOCH));
    }

    // ------------------------------------------------------------------ views for the invariants

    function campaignCount() external view returns (uint256) {
        return campaignIds.length;
    }

    function spendKeys() external view returns (uint256) {
        return spendIds.length;
    }

    function attesterCount() external view returns (uint256) {
        return attesters.length;
    }

    /// @notice Total withdrawn or paid out of the ledger.
    function outflow() external view returns (uint256) {
        return refunded + creatorsPaid + treasuryWithdrawn + operatorWithdrawn + protocolWithdrawn + solanaSent;
    }

    // ------------------------------------------------------------------ internals

    function _forget(EpochReport memory r) internal {
        reported[r.communityId][r.epoch] = false;
        for (uint256 i; i < r.lines.length; ++i) {
            epochSpend[r.lines[i].campaignId][r.epoch] -= r.lines[i].spend;
        }
    }

    function _shift(Ghost[] storage list) internal {
        for (uint256 i = 1; i < list.length; ++i) {
            list[i - 1] = list[i];
        }
        list.pop();
    }

    /// @dev Persona `p`'s leaf: slot p (stable over every root), paid at its own address.
    function _payoutLeaf(uint256 p, uint256 cumulative) internal view returns (PayoutLeaf memory) {
        return PayoutLeaf(p, personas[p], address(token), personas[p], cumulative, _salt(p));
    }

    function _salt(uint256 p) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", p));
    }

    function _leaves(uint256[PERSONAS] memory cum) internal view returns (bytes32[] memory leaves) {
        leaves = new bytes32[](PERSONAS);
        for (uint256 i; i < PERSONAS; ++i) {
            PayoutLeaf memory l = _payoutLeaf(i, cum[i]);
            leaves[i] = RevenueCodec.payoutLeaf(
                l.slot, _toBytes32(l.account), _toBytes32(l.token), _toBytes32(l.recipient), l.cumulative, l.salt
            );
        }
    }

    function _root(uint256[PERSONAS] memory cum) internal view returns (bytes32) {
        bool empty = true;
        for (uint256 i; i < PERSONAS; ++i) {
            if (cum[i] != 0) empty = false;
        }
        if (empty) return bytes32(0); // genesis
        (bytes32 root,) = _tree(_leaves(cum), 0);
        return root;
    }

    function _proof(uint256[PERSONAS] memory cum, uint256 p) internal view returns (bytes32[] memory proof) {
        (, proof) = _tree(_leaves(cum), p);
    }

    /// @notice Root of a sorted-pair tree over `leaves` (an odd node moves up unchanged) and the proof of `index`.
    function _tree(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32 root, bytes32[] memory proof) {
        return SortedPairTree.build(leaves, index);
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (x >= lo && x <= hi) return x;
        return lo + (x % (hi - lo + 1));
    }
}
