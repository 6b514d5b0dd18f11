// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CampaignLine, SolanaDistribution, TokenAmount} from "../../libraries/RevenueCodec.sol";
import {SplitPolicy} from "../../types/SplitPolicy.sol";

/// @title ICampaignLedger
/// @notice The money of the revenue protocol (docs/protocol.md §11): ERC-20 campaigns aimed at communities, and every
///         balance their spend turns into (community treasuries, node operators, the protocol fee, the creators'
///         pool per token). Declares every event and custom error of CampaignLedger (the contract inherits them).
/// @dev Conservation, per token, at every step (tested by an invariant suite):
///      `funded == Σ campaign available + Σ reserved + creatorsOwed + solanaPending + Σ treasury + Σ operators +
///      protocol + creatorsPaid + solanaSent + withdrawn + refunded`, where `creatorsOwed` = what the ledger still
///      holds for EVM creators (normally 0) + what CreatorPayouts holds; the ledger's token balance equals everything
///      it holds itself.
interface ICampaignLedger {
    // ---------------------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------------------

    /// @notice What an advertiser gives `createCampaign`.
    /// @param token The ERC-20 the campaign pays in (fee-on-transfer tokens are refused).
    /// @param communities 1..MAX_COMMUNITIES existing community ids, strictly ascending.
    /// @param tags Up to MAX_TAGS content tags (opaque 32-byte words, e.g. keccak256 of a hashtag); only emitted.
    /// @param cpm Token units per 1,000 impressions.
    /// @param cpe Token units per engagement.
    /// @param budget Token units pulled from the advertiser now.
    /// @param epochCap The most the campaign may spend in one epoch, over all its communities.
    /// @param start First second the campaign runs.
    /// @param end First second it no longer runs (start < end).
    /// @param creativeHash Content hash of the creative.
    /// @param creativeURI Where the creative is served from; only emitted.
    // solhint-disable-next-line gas-struct-packing
    struct CampaignParams { // calldata only, never stored
        address token;
        uint64[] communities;
        bytes32[] tags;
        uint96 cpm;
        uint96 cpe;
        uint96 budget;
        uint96 epochCap;
        uint40 start;
        uint40 end;
        bytes32 creativeHash;
        string creativeURI;
    }

    /// @notice A campaign as stored. The first three slots are what `reserve` reads (one is written).
    /// @param available Budget neither spent, nor reserved by a pending report, nor refunded.
    /// @param epochSpend Spend reserved or committed in `capEpoch` (the per-epoch cap accumulator).
    /// @param capEpoch The newest epoch a report charged; reports of older epochs are refused (`EpochCapClosed`).
    /// @param pendingReports Reports that reserved spend and are neither final nor rejected/dropped.
    /// @param cpm Token units per 1,000 impressions.
    /// @param cpe Token units per engagement.
    /// @param start First second the campaign runs.
    /// @param epochCap The most the campaign may spend in one epoch.
    /// @param end First second it no longer runs.
    /// @param pausedAt When the advertiser paused it (0 = running): epochs starting at or after it are not billable.
    /// @param cancelledAt When the advertiser cancelled it (0 = not cancelled): epochs starting at or after it are not
    ///        billable.
    /// @param advertiser Who created it; the only one who may top up, pause, cancel and refund.
    /// @param token The ERC-20 it pays in.
    /// @param funded Budget plus every top-up.
    /// @param spent Spend of final reports.
    /// @param refunded Paid back to the advertiser.
    /// @param creativeHash Content hash of the creative.
    struct Campaign {
        uint96 available;
        uint96 epochSpend;
        uint32 capEpoch;
        uint32 pendingReports;
        uint96 cpm;
        uint96 cpe;
        uint40 start;
        uint96 epochCap;
        uint40 end;
        uint40 pausedAt;
        uint40 cancelledAt;
        address advertiser;
        address token;
        uint128 funded;
        uint128 spent;
        uint128 refunded;
        bytes32 creativeHash;
    }

    /// @notice Per-token totals (monotonic counters except where noted), for views and the conservation invariant.
    /// @param funded Every budget and top-up received.
    /// @param refunded Every refund paid.
    /// @param creatorsFinal Creators' shares of final reports (EVM and Solana parts).
    /// @param creatorsPaid Paid to creators on EVM (CreatorPayouts claims).
    /// @param creatorsExpired Moved from the creators' pool to community treasuries (`expired` of final reports).
    /// @param solanaPending Creators' parts owed on Solana still held here (the Solana bucket; decreases when a final
    ///        report's Solana payout is sent through the bridge).
    /// @param solanaSent Creators' parts sent to the Solana program through the bridge (`sendSolana`).
    /// @param protocolFees Protocol fee shares accrued.
    /// @param dust Rounding remainders of the operators' split accrued to the protocol balance.
    struct TokenTotals {
        uint128 funded;
        uint128 refunded;
        uint128 creatorsFinal;
        uint128 creatorsPaid;
        uint128 creatorsExpired;
        uint128 solanaPending;
        uint128 protocolFees;
        uint128 dust;
        uint128 solanaSent;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The owner wired the two modules (once).
    event ModulesSet(address reports, address payouts);
    /// @notice The owner set where protocol fees (and dust) are withdrawn to.
    event FeeRecipientSet(address recipient);
    /// @notice A campaign was created and funded with `params.budget` (the whole CampaignParams, tags and creative
    ///         URI included, are only published here).
    event CampaignCreated(
        uint64 indexed campaignId, address indexed advertiser, address indexed token, CampaignParams params
    );
    /// @notice The advertiser added `amount` to the campaign's budget.
    event CampaignToppedUp(uint64 indexed campaignId, uint96 amount);
    /// @notice The advertiser paused the campaign.
    event CampaignPaused(uint64 indexed campaignId);
    /// @notice The advertiser resumed the campaign.
    event CampaignUnpaused(uint64 indexed campaignId);
    /// @notice The advertiser cancelled the campaign.
    event CampaignCancelled(uint64 indexed campaignId);
    /// @notice The unspent budget `amount` went back to the advertiser.
    event CampaignRefunded(uint64 indexed campaignId, address indexed to, uint256 amount);
    /// @notice A final report's line: `spend` was committed and split.
    event SpendCommitted(
        uint64 indexed campaignId,
        uint64 indexed communityId,
        uint64 indexed epoch,
        uint256 spend,
        uint256 creators,
        uint256 treasury,
        uint256 operators,
        uint256 protocol
    );
    /// @notice A rejected or dropped report's reservation of `spend` went back to the campaign's budget.
    event SpendReleased(uint64 indexed campaignId, uint64 indexed communityId, uint64 indexed epoch, uint256 spend);
    /// @notice `operator` accrued `amount` of `token` for signing a final report.
    event OperatorAccrued(address indexed operator, address indexed token, uint256 amount);
    /// @notice The operators' split of a line left `amount` of rounding dust, accrued to the protocol balance.
    event DustAccrued(address indexed token, uint256 amount);
    /// @notice Creators' parts owed on Solana grew by `amount`.
    event SolanaPendingAccrued(address indexed token, uint256 amount);
    /// @notice The owner set, once, the bridge and the Solana domain that Solana payouts go through.
    event SolanaRouteSet(address bridge, uint32 domain);
    /// @notice `amount` of `token` left the Solana bucket as the bridge distribution `distributionId` (message
    ///         `messageId`) to the Solana program.
    event SolanaPayoutSent(address indexed token, bytes32 indexed distributionId, bytes32 messageId, uint256 amount);
    /// @notice `amount` of `token`, EVM creators' shares of final reports, moved to CreatorPayouts.
    event CreatorsMoved(address indexed token, uint256 amount);
    /// @notice Unclaimed creator amounts of a community moved back to its treasury balance.
    event ExpiredReturned(uint64 indexed communityId, address indexed token, uint256 amount);
    /// @notice A community's treasury balance was paid to its treasury.
    event TreasuryWithdrawn(uint64 indexed communityId, address indexed token, address indexed to, uint256 amount);
    /// @notice An operator withdrew its balance.
    event OperatorWithdrawn(address indexed operator, address indexed token, address indexed to, uint256 amount);
    /// @notice The protocol balance (fees and dust) was paid to the fee recipient.
    event ProtocolFeesWithdrawn(address indexed token, address indexed to, uint256 amount);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice The modules were already wired.
    error ModulesAlreadySet();
    /// @notice The caller is not the EpochReports module.
    error OnlyReports(address caller);
    /// @notice No community is listed, more than MAX_COMMUNITIES are, or they are not strictly ascending.
    error InvalidCommunities();
    /// @notice The community does not exist in the registry.
    error UnknownCommunity(uint64 communityId);
    /// @notice More than MAX_TAGS tags.
    error TooManyTags(uint256 count);
    /// @notice Both prices are zero.
    error ZeroPrice();
    /// @notice The budget (or a top-up) is zero.
    error ZeroAmount();
    /// @notice The epoch cap is zero.
    error ZeroEpochCap();
    /// @notice `start` is not before `end`, or `end` is in the past.
    error InvalidSchedule(uint40 start, uint40 end);
    /// @notice The token moved less than was asked for (fee-on-transfer tokens are not supported).
    error TokenTransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice A budget would exceed `type(uint96).max` token units.
    error BudgetOverflow(uint256 total);
    /// @notice No campaign with this id.
    error UnknownCampaign(uint64 campaignId);
    /// @notice The caller is not the campaign's advertiser.
    error NotAdvertiser(uint64 campaignId, address caller);
    /// @notice The campaign is cancelled.
    error CampaignIsCancelled(uint64 campaignId);
    /// @notice The campaign is already paused.
    error CampaignIsPaused(uint64 campaignId);
    /// @notice The campaign is not paused.
    error CampaignNotPaused(uint64 campaignId);
    /// @notice The campaign neither ended nor was cancelled, or its last billable epoch is not settled before
    ///         `refundableAt`.
    error RefundNotYet(uint64 campaignId, uint256 refundableAt);
    /// @notice Reports that reserved the campaign's spend are still pending.
    error ReportsPending(uint64 campaignId, uint32 pending);
    /// @notice Nothing to refund or withdraw.
    error NothingToWithdraw();
    /// @notice The report line's campaign does not target the report's community.
    error NotTargeted(uint64 campaignId, uint64 communityId);
    /// @notice The campaign was not running during the epoch (not started, ended, paused or cancelled).
    error CampaignNotLive(uint64 campaignId, uint64 epoch);
    /// @notice The line's spend is not `impressions * cpm / 1000 + engagements * cpe`.
    error SpendMismatch(uint64 campaignId, uint256 expected, uint256 given);
    /// @notice The epoch's spend would exceed the campaign's epoch cap.
    error EpochCapExceeded(uint64 campaignId, uint256 epochSpend, uint256 epochCap);
    /// @notice The spend exceeds the campaign's remaining budget.
    error BudgetExceeded(uint64 campaignId, uint256 spend, uint256 available);
    /// @notice A report for an epoch older than the newest one the campaign was charged for (the cap accumulator
    ///         keeps one epoch; reports must come in epoch order per campaign).
    error EpochCapClosed(uint64 campaignId, uint64 epoch, uint64 capEpoch);
    /// @notice The epoch does not fit the accumulator (above `type(uint32).max`).
    error EpochOutOfRange(uint64 epoch);
    /// @notice The Solana part of a line exceeds the line's creators' share.
    error SolanaShareTooLarge(uint64 campaignId, uint256 solanaCreators, uint256 creatorsShare);
    /// @notice A report owes Solana creators something but no Solana route (bridge, domain) is set.
    error SolanaRouteNotSet();
    /// @notice The Solana route was already set.
    error SolanaRouteAlreadySet();
    /// @notice A Solana payout of `token` is sent but no line of the report owes Solana creators any.
    error SolanaDistributionUnused(address token);
    /// @notice The Solana bucket of `token` holds less than a payout needs (never expected: defensive).
    error SolanaBucketShort(address token, uint256 amount, uint256 held);
    /// @notice `msg.value` is below the bridge's distribution fee.
    error InsufficientFee(uint256 sent, uint256 fee);
    /// @notice Returning the fee overpayment to `to` failed.
    error FeeRefundFailed(address to, uint256 amount);

    /// @notice Nothing of the token's EVM creators' share waits in the ledger.
    error NothingToMove(address token);

    // ---------------------------------------------------------------------------------------------------------
    // Advertisers
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Creates a campaign and pulls its budget from the caller (who becomes its advertiser).
    /// @param params The campaign (see CampaignParams).
    /// @return campaignId The new campaign's id (ids start at 1).
    function createCampaign(CampaignParams calldata params) external returns (uint64 campaignId);

    /// @notice Adds `amount` to a campaign's budget (advertiser only; not once cancelled).
    function topUp(uint64 campaignId, uint96 amount) external;

    /// @notice Pauses a campaign: epochs starting from now are not billable until `unpause` (advertiser only).
    function pause(uint64 campaignId) external;

    /// @notice Resumes a paused campaign (advertiser only).
    function unpause(uint64 campaignId) external;

    /// @notice Cancels a campaign for good: epochs starting from now are not billable (advertiser only).
    function cancel(uint64 campaignId) external;

    /// @notice Pays the unspent, unreserved budget back to the advertiser once the campaign ended or was cancelled,
    ///         its last billable epoch had `refundDelay` to be reported, and no report holding a reservation on it
    ///         is pending.
    /// @return amount What was paid.
    function refund(uint64 campaignId) external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------------------------
    // Modules
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Reserves each line's spend for a submitted report (EpochReports only).
    /// @param communityId The report's community.
    /// @param epoch The report's epoch.
    /// @param creatorsBps The creators' share in basis points of the policy in force for that epoch.
    /// @param lines The report's lines (campaign ids strictly ascending, checked by the caller).
    /// @return owesSolana Whether a line owes Solana creators anything (then EpochReports checks the report's
    ///         Solana payouts).
    function reserve(uint64 communityId, uint64 epoch, uint16 creatorsBps, CampaignLine[] calldata lines)
        external
        returns (bool owesSolana);


    /// @notice Sends a final report's Solana payout of `payout.token` (EpochReports only, once per report and token):
    ///         the sum of `lines`' `solanaCreators` in that token leaves the Solana bucket through the bridge's
    ///         `transferDistribution` to the Solana domain under `payout.root`. Pays the bridge fee from `msg.value`
    ///         and returns the excess to `refundTo`.
    /// @return messageId The Gateway message id of the distribution.
    function sendSolana(
        CampaignLine[] calldata lines,
        SolanaDistribution calldata payout,
        bytes32 distributionId,
        address refundTo
    ) external payable returns (bytes32 messageId);

    /// @notice Sets, once, the bridge and the Solana domain Solana payouts go through (owner only).
    function setSolanaRoute(address bridge, uint32 domain) external;

    /// @notice The bridge Solana payouts go through (zero = not set: reports owing Solana creators are refused).
    function solanaBridge() external view returns (address);

    /// @notice The Solana domain.
    function solanaDomain() external view returns (uint32);

    /// @notice Gives the reservations of a rejected or dropped report back to the budgets (EpochReports only).
    function release(uint64 communityId, uint64 epoch, CampaignLine[] calldata lines) external;

    /// @notice Commits a final report: each line's spend leaves the campaign and is split by `policy`; the
    ///         operators' part goes to `operators` by `weights` (dust to the protocol balance); `expired` amounts move
    ///         from the creators' pool to the community treasury (EpochReports only).
    function commit(
        uint64 communityId,
        uint64 epoch,
        SplitPolicy policy,
        CampaignLine[] calldata lines,
        TokenAmount[] calldata expired,
        address[] calldata operators,
        uint256[] calldata weights
    ) external;

    /// @notice Moves what the ledger still holds of `token`'s EVM creators' share to CreatorPayouts. Anyone may call.
    ///         `commit` moves each final report's share itself; this retries a move that failed there (a token that
    ///         refused the transfer or spent more than the gas `commit` gives it), with all the caller's gas.
    /// @return amount What was moved.
    function moveCreators(address token) external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------------------------
    // Balances
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Pays a community's treasury balance of `token` to its current treasury address. Anyone may call.
    function withdrawTreasury(uint64 communityId, address token) external returns (uint256 amount);

    /// @notice Pays the caller's operator balance of `token` to `to`.
    function withdrawOperator(address token, address to) external returns (uint256 amount);

    /// @notice Pays the protocol balance (fees and dust) of `token` to the fee recipient. Anyone may call.
    function withdrawProtocolFees(address token) external returns (uint256 amount);

    /// @notice Wires the EpochReports and CreatorPayouts modules, once (owner only).
    function setModules(address reports, address payouts) external;

    /// @notice Sets the protocol fee recipient (owner only).
    function setFeeRecipient(address recipient) external;

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The stored campaign (all zero for an unknown id).
    function campaign(uint64 campaignId) external view returns (Campaign memory);

    /// @notice Whether `campaignId` targets `communityId`.
    function targets(uint64 campaignId, uint64 communityId) external view returns (bool);

    /// @notice Spend reserved by pending reports on `campaignId`.
    function reservedOf(uint64 campaignId) external view returns (uint256);

    /// @notice What EVM creators of `token` may still be paid: what CreatorPayouts holds of it plus what the ledger
    ///         still holds for them (`creatorsHeld`); from final reports, final creators' shares − expired − Solana −
    ///         paid (the Solana bucket never counts: it leaves only through `sendSolana`).
    function creatorsOwed(address token) external view returns (uint256);

    /// @notice What the ledger itself still holds of `token`'s EVM creators' share: 0 unless a move to CreatorPayouts
    ///         failed at `commit` (then `moveCreators` retries it).
    function creatorsHeld(address token) external view returns (uint256);

    /// @notice A community's treasury balance of `token`.
    function treasuryBalance(uint64 communityId, address token) external view returns (uint256);

    /// @notice An operator's balance of `token`.
    function operatorBalance(address operator, address token) external view returns (uint256);

    /// @notice The protocol balance (fees and dust) of `token`.
    function protocolBalance(address token) external view returns (uint256);

    /// @notice The per-token totals.
    function totals(address token) external view returns (TokenTotals memory);

    /// @notice Where protocol fees are withdrawn to.
    function feeRecipient() external view returns (address);

    /// @notice The EpochReports module.
    function reports() external view returns (address);

    /// @notice The CreatorPayouts module.
    function payouts() external view returns (address);
}
