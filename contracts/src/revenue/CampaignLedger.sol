// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CampaignLine, SolanaDistribution, TokenAmount} from "../libraries/RevenueCodec.sol";
import {SplitPolicy} from "../types/SplitPolicy.sol";
import {ICommunityRegistry} from "./interfaces/ICommunityRegistry.sol";
import {ICampaignLedger} from "./interfaces/ICampaignLedger.sol";
import {ICreatorPayouts} from "./interfaces/ICreatorPayouts.sol";
import {ISolanaPayoutBridge} from "./interfaces/ISolanaPayoutBridge.sol";

/// @title CampaignLedger
/// @notice Holds the tokens of the revenue protocol (docs/protocol.md §11) but the creators' EVM pool: advertisers'
///         campaign budgets and the balances their spend is split into. Advertisers create, top up, pause, cancel
///         and refund campaigns here; the EpochReports module reserves spend when an attested report is submitted,
///         releases it when the report is rejected or dropped, and commits and splits it when the report is final,
///         moving the EVM creators' share to CreatorPayouts (which holds and pays it; its balance is the creators'
///         safety cap); treasuries, operators and the protocol fee recipient withdraw their own balances. Creators
///         paid on Solana are not paid here: their parts of final reports wait in a per-token Solana bucket (never
///         moved to CreatorPayouts) until EpochReports sends each report's part once through the TokenBridge
///         (`sendSolana`, a distribution to the Solana program; docs/protocol.md §11.3).
/// @dev Token safety: SafeERC20 for every transfer (tokens without a return value work, `false` reverts). Incoming
///      transfers are measured by balance difference and refused when short (`TokenTransferShortfall`:
///      fee-on-transfer tokens are not supported). Every outgoing transfer pays one party its own balance after the
///      balance was cleared (checks-effects-interactions), so a reverting or blacklisting recipient only fails its
///      own withdrawal. Every function that moves tokens holds a transient reentrancy lock; the module entry points
///      (`reserve`, `release`) move no tokens and only trust their fixed caller; `commit` does all its accounting
///      first and then moves the creators' share to CreatorPayouts with a bounded amount of gas and without
///      reverting on a refusing token (the share then waits in `creatorsHeld` for `moveCreators`), so that no token
///      can stop a final report, and so the root chain, from committing.
///
///      Split rule of a final line (`commit`): creators = spend × c / 10,000, treasury = spend × t / 10,000,
///      protocol = spend × p / 10,000 (each floored), operators = spend − the three (so it absorbs the line's
///      remainder). The operators' part is split over the report's signers by weight (each floored); what is left
///      (dust) is added to the protocol balance, the one dust sink (`TokenTotals.dust` counts it).
///
///      The per-epoch cap accumulates over every community of a campaign in one epoch. To keep a report submission
///      at three storage reads per line, the accumulator holds the newest epoch charged only: a report for an older
///      epoch than that is refused (`EpochCapClosed`); reports are expected in epoch order per campaign (all reports
///      of epoch e are due during epoch e + 1).
contract CampaignLedger is ICampaignLedger, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev Gas given to a token when `commit` moves creators' funds to or from CreatorPayouts (an OpenZeppelin ERC-20
    ///      transfer takes ~30,000 cold; a token that needs more is moved by `moveCreators` with the caller's gas).
    uint256 private constant MOVE_GAS = 200_000;

    /// @dev One line's split (see the contract notes).
    struct Shares {
        uint256 creators;
        uint256 treasury;
        uint256 protocol;
        uint256 operators;
        uint256 dust;
    }

    /// @dev Bit offsets of the fields in the campaign's first three slots (Solidity packs `Campaign` low to high).
    uint256 private constant W0_EPOCH_SPEND = 96;
    uint256 private constant W0_CAP_EPOCH = 192;
    uint256 private constant W0_PENDING = 224;
    uint256 private constant W1_CPE = 96;
    uint256 private constant W1_START = 192;
    uint256 private constant W2_END = 96;
    uint256 private constant W2_PAUSED_AT = 136;
    uint256 private constant W2_CANCELLED_AT = 176;

    /// @notice Most communities a campaign may target.
    uint256 public constant MAX_COMMUNITIES = 32;
    /// @notice Most tags a campaign may carry.
    uint256 public constant MAX_TAGS = 16;
    /// @dev Basis-point denominator.
    uint256 private constant BPS = 10_000;

    /// @notice The community registry (existence, treasuries, epoch clock).
    ICommunityRegistry public immutable registry;
    /// @notice Seconds after the start of the epoch that follows a campaign's last billable epoch before its
    ///         refund is possible, so that the reports of that epoch can be submitted first.
    uint32 public immutable refundDelay;
    /// @dev The registry's immutable clock, cached.
    uint40 private immutable _genesis;
    uint32 private immutable _epochLength;

    /// @inheritdoc ICampaignLedger
    address public override reports;
    /// @inheritdoc ICampaignLedger
    address public override payouts;
    /// @inheritdoc ICampaignLedger
    address public override feeRecipient;
    /// @dev Id of the last campaign created.
    uint64 private _lastCampaignId;
    /// @inheritdoc ICampaignLedger
    address public override solanaBridge;
    /// @inheritdoc ICampaignLedger
    uint32 public override solanaDomain;

    mapping(uint64 campaignId => Campaign) private _campaigns;
    /// @dev The campaign's price word (`cpm 96 | cpe 96 | start 40`, the layout of its second slot) per community it
    ///      targets; zero = not targeted. One SLOAD per report line answers both "targeted?" and "at what price?".
    mapping(uint64 campaignId => mapping(uint64 communityId => uint256 terms)) private _terms;
    /// @dev EVM creators' shares not moved to CreatorPayouts yet (0 unless a move failed at `commit`).
    mapping(address token => uint256) private _creatorsHeld;
    mapping(uint64 communityId => mapping(address token => uint256)) private _treasury;
    mapping(address operator => mapping(address token => uint256)) private _operators;
    mapping(address token => uint256) private _protocol;
    mapping(address token => TokenTotals) private _totals;

    /// @param registry_ The CommunityRegistry.
    /// @param owner_ The owner (two-step): wires the modules once and sets the fee recipient.
    /// @param feeRecipient_ Where protocol fees and dust are withdrawn to.
    /// @param refundDelay_ See `refundDelay`.
    constructor(ICommunityRegistry registry_, address owner_, address feeRecipient_, uint32 refundDelay_)
        Ownable(owner_)
    {
        if (address(registry_) == address(0) || feeRecipient_ == address(0)) revert ZeroAddress();
        registry = registry_;
        refundDelay = refundDelay_;
        _genesis = registry_.genesis();
        _epochLength = registry_.epochLength();
        feeRecipient = feeRecipient_;
        emit FeeRecipientSet(feeRecipient_);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Advertisers
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICampaignLedger
    /// @dev Checks, then storage, then the token pull (measured by balance difference). The lock stops a token hook
    ///      from re-entering before the pull is measured.
    function createCampaign(CampaignParams calldata params) external nonReentrant returns (uint64 campaignId) {
        if (params.token == address(0)) revert ZeroAddress();
        uint256 count = params.communities.length;
        if (count == 0 || count > MAX_COMMUNITIES) revert InvalidCommunities();
        if (params.tags.length > MAX_TAGS) revert TooManyTags(params.tags.length);
        if (params.cpm == 0 && params.cpe == 0) revert ZeroPrice();
        if (params.budget == 0) revert ZeroAmount();
        if (params.epochCap == 0) revert ZeroEpochCap();
        if (params.start >= params.end || params.end <= block.timestamp) revert InvalidSchedule(params.start, params.end);

        campaignId = ++_lastCampaignId;
        // cpm or cpe is non-zero, so the word is non-zero
        uint256 terms = uint256(params.cpm) | (uint256(params.cpe) << W1_CPE) | (uint256(params.start) << W1_START);
        uint64 previous;
        for (uint256 i; i < count; ++i) {
            uint64 communityId = params.communities[i];
            if (i != 0 && communityId <= previous) revert InvalidCommunities();
            if (!registry.exists(communityId)) revert UnknownCommunity(communityId);
            _terms[campaignId][communityId] = terms;
            previous = communityId;
        }

        Campaign storage c = _campaigns[campaignId];
        c.available = params.budget;
        c.cpm = params.cpm;
        c.cpe = params.cpe;
        c.start = params.start;
        c.epochCap = params.epochCap;
        c.end = params.end;
        c.advertiser = msg.sender;
        c.token = params.token;
        c.funded = params.budget;
        c.creativeHash = params.creativeHash;
        _totals[params.token].funded += params.budget;

        emit CampaignCreated(campaignId, msg.sender, params.token, params);
        _pull(params.token, params.budget);
    }

    /// @inheritdoc ICampaignLedger
    function topUp(uint64 campaignId, uint96 amount) external nonReentrant {
        Campaign storage c = _advertiserCampaign(campaignId);
        if (c.cancelledAt != 0) revert CampaignIsCancelled(campaignId);
        if (amount == 0) revert ZeroAmount();
        uint256 available = uint256(c.available) + amount;
        if (available > type(uint96).max) revert BudgetOverflow(available);
        c.available = uint96(available);
        c.funded += amount;
        address token = c.token;
        _totals[token].funded += amount;
        emit CampaignToppedUp(campaignId, amount);
        _pull(token, amount);
    }

    /// @inheritdoc ICampaignLedger
    function pause(uint64 campaignId) external {
        Campaign storage c = _advertiserCampaign(campaignId);
        if (c.cancelledAt != 0) revert CampaignIsCancelled(campaignId);
        if (c.pausedAt != 0) revert CampaignIsPaused(campaignId);
        c.pausedAt = uint40(block.timestamp);
        emit CampaignPaused(campaignId);
    }

    /// @inheritdoc ICampaignLedger
    function unpause(uint64 campaignId) external {
        Campaign storage c = _advertiserCampaign(campaignId);
        if (c.cancelledAt != 0) revert CampaignIsCancelled(campaignId);
        if (c.pausedAt == 0) revert CampaignNotPaused(campaignId);
        c.pausedAt = 0;
        emit CampaignUnpaused(campaignId);
    }

    /// @inheritdoc ICampaignLedger
    function cancel(uint64 campaignId) external {
        Campaign storage c = _advertiserCampaign(campaignId);
        if (c.cancelledAt != 0) revert CampaignIsCancelled(campaignId);
        c.cancelledAt = uint40(block.timestamp);
        emit CampaignCancelled(campaignId);
    }

    /// @inheritdoc ICampaignLedger
    /// @dev The campaign stops at the earliest of `end`, `cancelledAt` and `pausedAt` (a paused campaign that never
    ///      resumes may be refunded only once cancelled or ended). Refundable from the start of the epoch after the
    ///      one holding the stop time, plus `refundDelay`, with no report pending on it. Pays the advertiser (not the
    ///      caller) after zeroing `available`.
    function refund(uint64 campaignId) external nonReentrant returns (uint256 amount) {
        Campaign storage c = _advertiserCampaign(campaignId);
        uint256 stop = c.end;
        uint256 cancelledAt = c.cancelledAt;
        if (cancelledAt != 0 && cancelledAt < stop) stop = cancelledAt;
        uint256 refundableAt = _nextEpochStart(stop) + refundDelay;
        if (block.timestamp < refundableAt) revert RefundNotYet(campaignId, refundableAt);
        uint32 pending = c.pendingReports;
        if (pending != 0) revert ReportsPending(campaignId, pending);
        amount = c.available;
        if (amount == 0) revert NothingToWithdraw();
        c.available = 0;
        c.refunded += uint128(amount);
        address token = c.token;
        _totals[token].refunded += uint128(amount);
        address advertiser = c.advertiser;
        emit CampaignRefunded(campaignId, advertiser, amount);
        IERC20(token).safeTransfer(advertiser, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Modules
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICampaignLedger
    /// @dev The hot path of a report submission: per line three storage reads (the campaign's first and third
    ///      slots and its price word for the community) and one write. No tokens move.
    function reserve(uint64 communityId, uint64 epoch, uint16 creatorsBps, CampaignLine[] calldata lines)
        external
        returns (bool owesSolana)
    {
        if (msg.sender != reports) revert OnlyReports(msg.sender);
        if (epoch > type(uint32).max) revert EpochOutOfRange(epoch);
        uint256 epochStart = uint256(_genesis) + uint256(epoch) * _epochLength;
        uint256 count = lines.length;
        for (uint256 i; i < count; ++i) {
            if (_reserveLine(communityId, epoch, epochStart, creatorsBps, lines[i])) owesSolana = true;
        }
    }

    /// @inheritdoc ICampaignLedger
    /// @dev The amount is recomputed from the lines (campaign tokens never change) and was accrued to the Solana
    ///      bucket when the report was committed; EpochReports allows one call per (report, token). The bridge is
    ///      given exactly its quoted fee, so it has no overpayment to send back here; the excess of `msg.value` goes
    ///      to `refundTo`. Effects before the bridge call; the lock stops re-entry through a token hook.
    function sendSolana(
        CampaignLine[] calldata lines,
        SolanaDistribution calldata payout,
        bytes32 distributionId,
        address refundTo
    ) external payable nonReentrant returns (bytes32 messageId) {
        if (msg.sender != reports) revert OnlyReports(msg.sender);
        address bridge = solanaBridge;
        if (bridge == address(0)) revert SolanaRouteNotSet();
        address token = payout.token;
        uint256 amount;
        for (uint256 i; i < lines.length; ++i) {
            uint256 part = lines[i].solanaCreators;
            if (part != 0 && _campaigns[lines[i].campaignId].token == token) amount += part;
        }
        if (amount == 0) revert SolanaDistributionUnused(token);
        TokenTotals storage t = _totals[token];
        uint256 held = t.solanaPending;
        if (amount > held) revert SolanaBucketShort(token, amount, held);
        t.solanaPending = uint128(held - amount);
        t.solanaSent += uint128(amount);
        messageId = _bridgeToSolana(ISolanaPayoutBridge(bridge), payout, amount, distributionId, refundTo);
    }

    /// @dev Hands `amount` to the bridge as a distribution with exactly its quoted fee; the excess of `msg.value`
    ///      goes to `refundTo`.
    function _bridgeToSolana(
        ISolanaPayoutBridge bridge,
        SolanaDistribution calldata payout,
        uint256 amount,
        bytes32 distributionId,
        address refundTo
    ) private returns (bytes32 messageId) {
        uint32 domain = solanaDomain;
        uint256 fee = bridge.quoteDistribution(domain);
        if (msg.value < fee) revert InsufficientFee(msg.value, fee);
        address token = payout.token;
        IERC20(token).forceApprove(address(bridge), amount);
        messageId = bridge.transferDistribution{value: fee}(
            token, domain, payout.root, amount, payout.leafCount, distributionId
        );
        emit SolanaPayoutSent(token, distributionId, messageId, amount);
        uint256 excess = msg.value - fee;
        if (excess != 0) {
            (bool ok,) = refundTo.call{value: excess}("");
            if (!ok) revert FeeRefundFailed(refundTo, excess);
        }
    }

    /// @inheritdoc ICampaignLedger
    /// @dev The cap accumulator gives the spend back only while it still counts the report's epoch.
    function release(uint64 communityId, uint64 epoch, CampaignLine[] calldata lines) external {
        if (msg.sender != reports) revert OnlyReports(msg.sender);
        uint256 count = lines.length;
        for (uint256 i; i < count; ++i) {
            CampaignLine calldata line = lines[i];
            Campaign storage c = _campaigns[line.campaignId];
            uint96 spend = uint96(line.spend);
            c.available += spend;
            if (c.capEpoch == epoch) c.epochSpend -= spend;
            c.pendingReports -= 1;
            emit SpendReleased(line.campaignId, communityId, epoch, spend);
        }
    }

    /// @inheritdoc ICampaignLedger
    /// @dev Expired amounts are capped at what the creators' pool of the token still holds (a report cannot move
    ///      more than the pool holds), so that a final report never fails to commit. The lines' EVM creators' shares
    ///      are moved to CreatorPayouts last, one transfer per token.
    function commit(
        uint64 communityId,
        uint64 epoch,
        SplitPolicy policy,
        CampaignLine[] calldata lines,
        TokenAmount[] calldata expired,
        address[] calldata operators,
        uint256[] calldata weights
    ) external nonReentrant {
        if (msg.sender != reports) revert OnlyReports(msg.sender);
        uint256 signedWeight;
        for (uint256 j; j < weights.length; ++j) {
            signedWeight += weights[j];
        }
        for (uint256 i; i < lines.length; ++i) {
            _commitLine(communityId, epoch, policy, lines[i], operators, weights, signedWeight);
        }
        _returnExpired(communityId, expired);
        for (uint256 i; i < lines.length; ++i) {
            _moveCreatorsShare(_campaigns[lines[i].campaignId].token);
        }
    }

    /// @inheritdoc ICampaignLedger
    function moveCreators(address token) external nonReentrant returns (uint256 amount) {
        amount = _creatorsHeld[token];
        if (amount == 0) revert NothingToMove(token);
        _creatorsHeld[token] = 0;
        emit CreatorsMoved(token, amount);
        IERC20(token).safeTransfer(payouts, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Balances
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICampaignLedger
    function withdrawTreasury(uint64 communityId, address token) external nonReentrant returns (uint256 amount) {
        amount = _treasury[communityId][token];
        if (amount == 0) revert NothingToWithdraw();
        address to = registry.treasuryOf(communityId); // never zero (the registry refuses a zero treasury)
        _treasury[communityId][token] = 0;
        emit TreasuryWithdrawn(communityId, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc ICampaignLedger
    function withdrawOperator(address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = _operators[msg.sender][token];
        if (amount == 0) revert NothingToWithdraw();
        _operators[msg.sender][token] = 0;
        emit OperatorWithdrawn(msg.sender, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc ICampaignLedger
    function withdrawProtocolFees(address token) external nonReentrant returns (uint256 amount) {
        address to = feeRecipient;
        amount = _protocol[token];
        if (amount == 0) revert NothingToWithdraw();
        _protocol[token] = 0;
        emit ProtocolFeesWithdrawn(token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc ICampaignLedger
    function setModules(address reports_, address payouts_) external onlyOwner {
        if (reports != address(0)) revert ModulesAlreadySet();
        if (reports_ == address(0) || payouts_ == address(0)) revert ZeroAddress();
        reports = reports_;
        payouts = payouts_;
        emit ModulesSet(reports_, payouts_);
    }

    /// @inheritdoc ICampaignLedger
    /// @dev Once: a report's Solana check at submission and its payout after finalization must see the same route.
    function setSolanaRoute(address bridge, uint32 domain) external onlyOwner {
        if (solanaBridge != address(0)) revert SolanaRouteAlreadySet();
        if (bridge == address(0)) revert ZeroAddress();
        solanaBridge = bridge;
        solanaDomain = domain;
        emit SolanaRouteSet(bridge, domain);
    }

    /// @inheritdoc ICampaignLedger
    function setFeeRecipient(address recipient) external onlyOwner {
        if (recipient == address(0)) revert ZeroAddress();
        feeRecipient = recipient;
        emit FeeRecipientSet(recipient);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICampaignLedger
    function campaign(uint64 campaignId) external view returns (Campaign memory) {
        return _campaigns[campaignId];
    }

    /// @inheritdoc ICampaignLedger
    function targets(uint64 campaignId, uint64 communityId) external view returns (bool) {
        return _terms[campaignId][communityId] != 0;
    }

    /// @inheritdoc ICampaignLedger
    function reservedOf(uint64 campaignId) external view returns (uint256) {
        Campaign storage c = _campaigns[campaignId];
        return c.funded - c.available - c.spent - c.refunded;
    }

    /// @inheritdoc ICampaignLedger
    function creatorsOwed(address token) public view returns (uint256) {
        return _creatorsHeld[token] + IERC20(token).balanceOf(payouts);
    }

    /// @inheritdoc ICampaignLedger
    function creatorsHeld(address token) external view returns (uint256) {
        return _creatorsHeld[token];
    }

    /// @inheritdoc ICampaignLedger
    function treasuryBalance(uint64 communityId, address token) external view returns (uint256) {
        return _treasury[communityId][token];
    }

    /// @inheritdoc ICampaignLedger
    function operatorBalance(address operator, address token) external view returns (uint256) {
        return _operators[operator][token];
    }

    /// @inheritdoc ICampaignLedger
    function protocolBalance(address token) external view returns (uint256) {
        return _protocol[token];
    }

    /// @inheritdoc ICampaignLedger
    /// @dev `creatorsPaid` is derived (the claim path keeps no counter):
    ///      creatorsFinal − solanaPending − solanaSent − creatorsExpired − creatorsOwed, floored at 0 (tokens sent to
    ///      CreatorPayouts directly add to `creatorsOwed` without being a final share).
    function totals(address token) external view returns (TokenTotals memory t) {
        t = _totals[token];
        uint256 out = uint256(t.solanaPending) + t.solanaSent + t.creatorsExpired + creatorsOwed(token);
        t.creatorsPaid = t.creatorsFinal > out ? uint128(t.creatorsFinal - out) : 0;
    }

    /// @notice The last campaign id created (ids start at 1).
    function lastCampaignId() external view returns (uint64) {
        return _lastCampaignId;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Commits one line: the spend leaves the campaign's reservation and is split (see the contract notes).
    function _commitLine(
        uint64 communityId,
        uint64 epoch,
        SplitPolicy policy,
        CampaignLine calldata line,
        address[] calldata operators,
        uint256[] calldata weights,
        uint256 signedWeight
    ) private {
        Campaign storage c = _campaigns[line.campaignId];
        uint256 spend = line.spend;
        c.pendingReports -= 1;
        c.spent += uint128(spend);
        address token = c.token;

        Shares memory s;
        s.creators = spend * policy.creatorsBps() / BPS;
        s.treasury = spend * policy.treasuryBps() / BPS;
        s.protocol = spend * policy.protocolBps() / BPS;
        s.operators = spend - s.creators - s.treasury - s.protocol;
        s.dust = _splitOperators(token, s.operators, operators, weights, signedWeight);
        _accrue(communityId, token, s, line.solanaCreators);
        emit SpendCommitted(line.campaignId, communityId, epoch, spend, s.creators, s.treasury, s.operators, s.protocol);
    }

    /// @dev Credits a line's creators', treasury and protocol (+ dust) shares.
    function _accrue(uint64 communityId, address token, Shares memory s, uint256 solana) private {
        _creatorsHeld[token] += s.creators - solana;
        _treasury[communityId][token] += s.treasury;
        _protocol[token] += s.protocol + s.dust;
        TokenTotals storage t = _totals[token];
        t.creatorsFinal += uint128(s.creators);
        t.protocolFees += uint128(s.protocol);
        if (s.dust != 0) {
            t.dust += uint128(s.dust);
            emit DustAccrued(token, s.dust);
        }
        if (solana != 0) {
            t.solanaPending += uint128(solana);
            emit SolanaPendingAccrued(token, solana);
        }
    }

    /// @dev Moves `expired` amounts from the creators' pool to the community's treasury balance: first from what the
    ///      ledger still holds for creators, then back from CreatorPayouts (capped at what it holds; a token that
    ///      refuses that transfer leaves the rest where it is).
    function _returnExpired(uint64 communityId, TokenAmount[] calldata expired) private {
        for (uint256 i; i < expired.length; ++i) {
            address token = expired[i].token;
            uint256 amount = expired[i].amount;
            uint256 held = _creatorsHeld[token];
            uint256 fromHeld = amount < held ? amount : held;
            uint256 fromPayouts = _takeBackFromPayouts(token, amount - fromHeld);
            amount = fromHeld + fromPayouts;
            if (amount == 0) continue;
            if (fromHeld != 0) _creatorsHeld[token] = held - fromHeld;
            _treasury[communityId][token] += amount;
            _totals[token].creatorsExpired += uint128(amount);
            emit ExpiredReturned(communityId, token, amount);
        }
    }

    /// @dev Takes up to `amount` of `token` back from CreatorPayouts; returns what came back. Never reverts and gives
    ///      the token at most MOVE_GAS per call (an `expired` entry may name any token), so no token can stop a final
    ///      report from committing.
    function _takeBackFromPayouts(address token, uint256 amount) private returns (uint256) {
        if (amount == 0) return 0;
        address payouts_ = payouts;
        (bool ok, uint256 held) = _tryBalanceOf(token, payouts_);
        if (!ok) return 0;
        if (amount > held) amount = held;
        if (amount == 0) return 0;
        uint256 before;
        (ok, before) = _tryBalanceOf(token, address(this));
        if (!ok) return 0;
        try ICreatorPayouts(payouts_).returnToLedger{gas: MOVE_GAS}(token, amount) {}
        catch {
            return 0;
        }
        // what arrived counts (a campaign token moves exactly what it is asked: fee-on-transfer tokens never fund one)
        uint256 afterwards;
        (ok, afterwards) = _tryBalanceOf(token, address(this));
        if (!ok || afterwards <= before) return 0;
        uint256 received = afterwards - before;
        return received < amount ? received : amount;
    }

    /// @dev `token.balanceOf(who)` with at most MOVE_GAS gas; `ok` false when the call fails or returns no word.
    function _tryBalanceOf(address token, address who) private view returns (bool ok, uint256 balance) {
        bytes memory ret;
        (ok, ret) = token.staticcall{gas: MOVE_GAS}(abi.encodeCall(IERC20.balanceOf, (who)));
        if (!ok || ret.length < 32) return (false, 0);
        balance = abi.decode(ret, (uint256));
    }

    /// @dev Moves what the ledger holds of `token`'s EVM creators' share to CreatorPayouts with at most MOVE_GAS gas;
    ///      on any failure the share stays held (`moveCreators` retries it).
    function _moveCreatorsShare(address token) private {
        uint256 amount = _creatorsHeld[token];
        if (amount == 0) return;
        address payouts_ = payouts;
        bool ok;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0xa9059cbb00000000000000000000000000000000000000000000000000000000)
            mstore(add(ptr, 0x04), payouts_)
            mstore(add(ptr, 0x24), amount)
            ok := call(MOVE_GAS, token, 0, ptr, 0x44, 0x00, 0x20)
            // success: returned true, or returned nothing from a contract
            ok := and(
                ok,
                or(
                    and(gt(returndatasize(), 31), eq(mload(0x00), 1)),
                    and(iszero(returndatasize()), gt(extcodesize(token), 0))
                )
            )
        }
        if (!ok) return;
        _creatorsHeld[token] = 0;
        emit CreatorsMoved(token, amount);
    }

    /// @dev Checks one line against its campaign and reserves its spend (see `reserve`). Returns whether the line
    ///      owes Solana creators anything. Hot path: reads the
    ///      campaign's first and third slots once each as words (layout of `Campaign`, pinned by the tests through
    ///      the `campaign` view) and its price word for the community, and writes the first slot once.
    // solhint-disable-next-line function-max-lines
    function _reserveLine(
        uint64 communityId,
        uint64 epoch,
        uint256 epochStart,
        uint16 creatorsBps,
        CampaignLine calldata line
    ) private returns (bool owesSolana) {
        uint64 id = line.campaignId;
        Campaign storage c = _campaigns[id];
        uint256 w0;
        uint256 w2;
        assembly ("memory-safe") {
            w0 := sload(c.slot) // available 96 | epochSpend 96 | capEpoch 32 | pendingReports 32
            w2 := sload(add(c.slot, 2)) // epochCap 96 | end 40 | pausedAt 40 | cancelledAt 40
        }
        uint256 w1 = _terms[id][communityId]; // cpm 96 | cpe 96 | start 40, zero = not targeted
        {
            uint256 end = uint40(w2 >> W2_END);
            if (end == 0) revert UnknownCampaign(id);
            if (w1 == 0) revert NotTargeted(id, communityId);
            uint256 pausedAt = uint40(w2 >> W2_PAUSED_AT);
            uint256 cancelledAt = uint40(w2 >> W2_CANCELLED_AT);
            if (
                uint40(w1 >> W1_START) >= epochStart + _epochLength || epochStart >= end
                    || (pausedAt != 0 && epochStart >= pausedAt) || (cancelledAt != 0 && epochStart >= cancelledAt)
            ) revert CampaignNotLive(id, epoch);
        }

        uint256 spend = line.spend;
        uint256 epochSpend = spend;
        // No overflow below: uint64 × uint96 < 2^160, uint128 × uint16 < 2^144, and two values < 2^128 add up.
        unchecked {
            {
                uint256 expected = uint256(line.impressions) * uint96(w1) / 1000 + uint256(line.engagements)
                    * uint96(w1 >> W1_CPE);
                if (spend != expected) revert SpendMismatch(id, expected, spend);
            }
            {
                uint256 creatorsShare = spend * creatorsBps / BPS;
                uint256 solanaPart = line.solanaCreators;
                if (solanaPart > creatorsShare) revert SolanaShareTooLarge(id, solanaPart, creatorsShare);
                owesSolana = solanaPart != 0;
            }
            uint256 capEpoch = uint32(w0 >> W0_CAP_EPOCH);
            if (epoch == capEpoch) epochSpend += uint96(w0 >> W0_EPOCH_SPEND);
            else if (epoch < capEpoch) revert EpochCapClosed(id, epoch, uint64(capEpoch));
        }
        if (epochSpend > uint96(w2)) revert EpochCapExceeded(id, epochSpend, uint96(w2));
        uint256 available = uint96(w0);
        if (spend > available) revert BudgetExceeded(id, spend, available);

        // epochSpend <= epochCap < 2^96, available - spend < 2^96, epoch < 2^32 (checked by `reserve`); a campaign
        // cannot have 2^32 pending reports (each needs its own (community, epoch)).
        unchecked {
            w0 = (available - spend) | (epochSpend << W0_EPOCH_SPEND) | (uint256(epoch) << W0_CAP_EPOCH)
                | ((w0 >> W0_PENDING) + 1) << W0_PENDING;
        }
        assembly ("memory-safe") {
            sstore(c.slot, w0)
        }
    }

    /// @dev Accrues `part` of `token` to `operators` by `weights` (each share floored); returns the dust left.
    function _splitOperators(
        address token,
        uint256 part,
        address[] calldata operators,
        uint256[] calldata weights,
        uint256 signedWeight
    ) private returns (uint256 dust) {
        uint256 paid;
        if (signedWeight != 0) {
            for (uint256 j; j < operators.length; ++j) {
                uint256 share = part * weights[j] / signedWeight;
                if (share == 0) continue;
                _operators[operators[j]][token] += share;
                paid += share;
                emit OperatorAccrued(operators[j], token, share);
            }
        }
        dust = part - paid;
    }

    /// @dev The campaign, if the caller is its advertiser.
    function _advertiserCampaign(uint64 campaignId) private view returns (Campaign storage c) {
        c = _campaigns[campaignId];
        address advertiser = c.advertiser;
        if (advertiser == address(0)) revert UnknownCampaign(campaignId);
        if (advertiser != msg.sender) revert NotAdvertiser(campaignId, msg.sender);
    }

    /// @dev Start of the epoch after the one holding `timestamp` (the genesis for a timestamp before it).
    function _nextEpochStart(uint256 timestamp) private view returns (uint256) {
        uint256 genesis = _genesis;
        if (timestamp < genesis) return genesis;
        return genesis + ((timestamp - genesis) / _epochLength + 1) * _epochLength;
    }

    /// @dev Pulls exactly `amount` of `token` from the caller or reverts `TokenTransferShortfall`.
    function _pull(address token, uint256 amount) private {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert TokenTransferShortfall(token, amount, received);
    }
}
