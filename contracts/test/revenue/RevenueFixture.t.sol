// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {TokenBridge} from "../../src/token/TokenBridge.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";
import {CampaignLedger} from "../../src/revenue/CampaignLedger.sol";
import {CreatorPayouts} from "../../src/revenue/CreatorPayouts.sol";
import {EpochReports} from "../../src/revenue/EpochReports.sol";
import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {Test} from "../utils/Test.sol";
import {SortedPairTree} from "../utils/SortedPairTree.sol";
import {vm} from "../utils/Vm.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {
    CampaignLine, EpochReport, PayoutLeaf, RevenueCodec, SolanaDistribution, TokenAmount
} from "../../src/libraries/RevenueCodec.sol";
import {CommunityRegistry} from "../../src/revenue/CommunityRegistry.sol";
import {IdentityRegistry} from "../../src/revenue/IdentityRegistry.sol";
import {ICommunityRegistry} from "../../src/revenue/interfaces/ICommunityRegistry.sol";
import {SplitPolicy, SplitPolicyLibrary} from "../../src/types/SplitPolicy.sol";

/// @notice One revenue deployment over a REAL AttesterSet (3 attesters, 2-of-3 quorum): CommunityRegistry,
///         IdentityRegistry, CampaignLedger, EpochReports, CreatorPayouts, a well-behaved 18-decimal token, two communities
///         (ids 1 and 2, policy 70 / 15 / 10 / 5 %, k = 10), an hour-long epoch clock starting at setUp, and helpers
///         to create campaigns, build and attest reports, and build payout trees with proofs.
abstract contract RevenueFixture is Test, AttesterHarness {
    uint32 internal constant DOMAIN = 1001;
    uint32 internal constant EPOCH = 1 hours;
    uint32 internal constant WINDOW = 1 hours;
    uint32 internal constant REFUND_DELAY = 1 hours;
    uint256 internal constant BOND = 1 ether;
    uint64 internal constant C1 = 1;
    uint64 internal constant C2 = 2;
    uint16 internal constant K = 10;
    bytes32 internal constant EPOCH_REPORT_TYPEHASH = AttestationLib.EPOCH_REPORT_TYPEHASH;
    bytes32 internal constant REPORT_RESOLUTION_TYPEHASH = AttestationLib.REPORT_RESOLUTION_TYPEHASH;
    /// @dev The Solana domain and its program (the claims-capable TokenBridge of docs/protocol.md §8), and the SPL
    ///      mint the token is linked to there.
    uint32 internal constant SOLANA = 1003;
    bytes32 internal constant SOLANA_PROGRAM = keccak256("maskoii Solana program id");
    bytes32 internal constant SOLANA_MINT = keccak256("SPL mint of TOK");
    /// @dev The bridge's distribution fee to Solana, in wei.
    uint128 internal constant SOLANA_FEE = 0.001 ether;

    address internal owner = makeAddr("owner");
    address internal feeRecipient = makeAddr("fee recipient");
    address internal advertiser = makeAddr("advertiser");
    address internal treasury1 = makeAddr("treasury 1");
    address internal treasury2 = makeAddr("treasury 2");
    address internal stranger = makeAddr("stranger");

    AttesterSet internal set;
    uint256[] internal keys;
    address[] internal attesters;
    CommunityRegistry internal registry;
    IdentityRegistry internal identity;
    CampaignLedger internal ledger;
    EpochReports internal reports;
    CreatorPayouts internal payouts;
    MockERC20 internal token;
    uint40 internal genesis;
    /// @dev The chain's Gateway and TokenBridge Solana payouts go through (a real bridge; its own attester set).
    Gateway internal gateway;
    TokenBridge internal bridge;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        genesis = uint40(block.timestamp);
        uint96[] memory weights;
        (keys, attesters, weights) = _makeSet(3);
        set = new AttesterSet(DOMAIN, owner, attesters, weights, _thresholdFor(2, 3), 1 days, 7 days);
        registry = new CommunityRegistry(genesis, EPOCH);
        vm.startPrank(owner);
        assertEq(registry.createCommunity("ipfs://c1", treasury1, new bytes[](0), _policy(7000, 1500, 1000, 500), K, 26), C1, "c1");
        assertEq(registry.createCommunity("ipfs://c2", treasury2, new bytes[](0), _policy(7000, 1500, 1000, 500), K, 26), C2, "c2");
        vm.stopPrank();
        identity = new IdentityRegistry(IAttesterSet(address(set)));
        ledger = new CampaignLedger(ICommunityRegistry(address(registry)), owner, feeRecipient, REFUND_DELAY);
        reports = new EpochReports(
            IAttesterSet(address(set)), ICommunityRegistry(address(registry)), ledger, WINDOW, BOND
        );
        payouts = new CreatorPayouts(ledger);
        vm.prank(owner);
        ledger.setModules(address(reports), address(payouts));
        token = new MockERC20("Token", "TOK", 18);
        token.mint(advertiser, 1_000_000e18);
        vm.prank(advertiser);
        token.approve(address(ledger), type(uint256).max);
        for (uint256 i; i < attesters.length; ++i) {
            vm.deal(attesters[i], 10 ether);
        }
        _wireSolana();
    }

    /// @notice A Gateway and TokenBridge with a claims-capable route of `token` (18 decimals, 8 shared) to SOLANA,
    ///         set as the ledger's Solana route.
    function _wireSolana() internal {
        (gateway,) = _deployGateway(DOMAIN, owner, owner, 3, _thresholdFor(2, 3));
        bridge = new TokenBridge(IGateway(address(gateway)), owner);
        vm.startPrank(owner);
        gateway.setFee(SOLANA, SOLANA_FEE, 0);
        bridge.setRemoteBridge(SOLANA, SOLANA_PROGRAM);
        bridge.setClaimsCapable(SOLANA, true);
        bridge.registerToken(address(token), 0, 8);
        bridge.linkToken(address(token), SOLANA, SOLANA_MINT);
        bridge.setRateLimits(address(token), SOLANA, type(uint64).max, 0, type(uint64).max, 0);
        ledger.setSolanaRoute(address(bridge), SOLANA);
        vm.stopPrank();
    }

    /// @notice One Solana payout of `token_` under `root` with `leafCount` leaves.
    function _solana(address token_, bytes32 root, uint32 leafCount) internal pure returns (SolanaDistribution[] memory d) {
        d = new SolanaDistribution[](1);
        d[0] = SolanaDistribution({token: token_, root: root, leafCount: leafCount});
    }

    // ------------------------------------------------------------------ campaigns

    function _policy(uint16 c, uint16 t, uint16 o, uint16 p) internal pure returns (SplitPolicy) {
        return SplitPolicyLibrary.pack(c, t, o, p);
    }

    function _params(address token_, uint64[] memory communities, uint96 budget, uint96 epochCap)
        internal
        view
        returns (ICampaignLedger.CampaignParams memory p)
    {
        p.token = token_;
        p.communities = communities;
        p.tags = new bytes32[](1);
        p.tags[0] = keccak256("#maskoii");
        p.cpm = 2e18; // 2 tokens per 1,000 impressions
        p.cpe = 0.01e18; // 0.01 token per engagement
        p.budget = budget;
        p.epochCap = epochCap;
        p.start = uint40(block.timestamp);
        p.end = uint40(block.timestamp + 30 days);
        p.creativeHash = keccak256("creative");
        p.creativeURI = "ipfs://creative";
    }

    function _communities(uint64 a) internal pure returns (uint64[] memory c) {
        c = new uint64[](1);
        c[0] = a;
    }

    function _communities(uint64 a, uint64 b) internal pure returns (uint64[] memory c) {
        c = new uint64[](2);
        c[0] = a;
        c[1] = b;
    }

    /// @notice A campaign on communities 1 and 2 with a 10,000-token budget and a 1,000-token epoch cap.
    function _campaign() internal returns (uint64) {
        return _create(_params(address(token), _communities(C1, C2), 10_000e18, 1_000e18));
    }

    function _create(ICampaignLedger.CampaignParams memory p) internal returns (uint64 id) {
        vm.prank(advertiser);
        id = ledger.createCampaign(p);
    }

    // ------------------------------------------------------------------ reports

    /// @notice A line for `id` with its exact spend at the campaign's prices.
    function _line(uint64 id, uint64 impressions, uint64 engagements) internal view returns (CampaignLine memory l) {
        ICampaignLedger.Campaign memory c = ledger.campaign(id);
        l.campaignId = id;
        l.impressions = impressions;
        l.engagements = engagements;
        l.spend = uint128(uint256(impressions) * c.cpm / 1000 + uint256(engagements) * c.cpe);
    }

    function _lines(CampaignLine memory a) internal pure returns (CampaignLine[] memory l) {
        l = new CampaignLine[](1);
        l[0] = a;
    }

    /// @notice A report of `lines` building on the pending tip, with `payoutRoot`.
    function _report(uint64 community, uint64 epoch, CampaignLine[] memory lines, bytes32 payoutRoot)
        internal
        view
        returns (EpochReport memory r)
    {
        r.communityId = community;
        r.epoch = epoch;
        r.engagedAccounts = 50;
        r.lines = lines;
        r.prevPayoutRoot = _tipRoot();
        r.payoutRoot = payoutRoot;
        r.payoutLeafCount = 1;
        r.expired = new TokenAmount[](0);
        r.solana = new SolanaDistribution[](0);
    }

    function _hash(EpochReport memory r) internal pure returns (bytes32) {
        return RevenueCodec.reportHashMemory(r);
    }

    /// @notice A 2-of-3 EpochReport attestation (signers 0 and 1) of `r` for the EpochReports contract.
    function _attest(EpochReport memory r) internal view returns (bytes memory) {
        return _attestFirst(EPOCH_REPORT_TYPEHASH, DOMAIN, _toBytes32(address(reports)), 1, _hash(r), keys, 2);
    }

    /// @notice A 2-of-3 ReportResolution attestation of the decision on report `r` submitted as `seq`.
    function _attestResolution(uint64 seq, EpochReport memory r, bool upheld) internal view returns (bytes memory) {
        bytes32 value = RevenueCodec.resolutionHash(_hash(r), seq, upheld);
        return _attestFirst(REPORT_RESOLUTION_TYPEHASH, DOMAIN, _toBytes32(address(reports)), 1, value, keys, 2);
    }

    function _submit(EpochReport memory r) internal returns (uint64 seq, bytes memory att) {
        att = _attest(r);
        seq = reports.submit(r, att);
        _rootOf[seq] = r.payoutRoot;
    }

    /// @dev Payout root of each report submitted through `_submit`.
    mapping(uint64 seq => bytes32) internal _rootOf;

    /// @notice The full pending tip root (the contract keeps a 16-byte prefix): the final root when the tip is the
    ///         last final report, else the tip report's payout root.
    function _tipRoot() internal view returns (bytes32 root) {
        uint64 tip = reports.tip();
        if (tip == reports.lastFinal()) return reports.finalRoot();
        root = _rootOf[tip];
        assertEq(bytes32(bytes16(root)), bytes32(reports.pendingRoot()), "fixture tracks the tip");
    }

    /// @notice Moves time to the start of `epoch + 1` (so that `epoch` is reportable).
    function _toEpochEnd(uint64 epoch) internal {
        uint256 t = uint256(genesis) + (uint256(epoch) + 1) * EPOCH;
        if (block.timestamp < t) vm.warp(t);
    }

    function _afterWindow() internal {
        vm.warp(block.timestamp + WINDOW);
    }

    /// @notice Submits and finalizes a report of one line (1,000 impressions, 10 engagements) of `id` on C1 for
    ///         `epoch`, with payout root `root`.
    function _settle(uint64 id, uint64 epoch, bytes32 root) internal returns (EpochReport memory r, uint64 seq) {
        _toEpochEnd(epoch);
        r = _report(C1, epoch, _lines(_line(id, 1000, 10)), root);
        bytes memory att;
        (seq, att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
    }

    // ------------------------------------------------------------------ payout trees

    /// @notice A payout leaf paying `account` at its own address.
    function _payout(uint256 slot, address account, address token_, uint256 cumulative, bytes32 salt)
        internal
        pure
        returns (PayoutLeaf memory)
    {
        return PayoutLeaf(slot, account, token_, account, cumulative, salt);
    }

    function _leaf(PayoutLeaf memory l) internal pure returns (bytes32) {
        return RevenueCodec.payoutLeaf(
            l.slot, _toBytes32(l.account), _toBytes32(l.token), _toBytes32(l.recipient), l.cumulative, l.salt
        );
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return SortedPairTree.hashPair(a, b);
    }

    /// @notice Root of a sorted-pair tree over `leaves` (an odd node moves up unchanged) and the proof of `index`.
    function _tree(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32 root, bytes32[] memory proof) {
        return SortedPairTree.build(leaves, index);
    }
}
