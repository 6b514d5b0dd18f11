// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CampaignLine, EpochReport, SolanaDistribution} from "../../libraries/RevenueCodec.sol";

/// @title IEpochReports
/// @notice Optimistic, attested epoch reports (docs/protocol.md §11): one report per (community, epoch), signed by the
///         attester quorum, reserves its campaigns' spend when submitted and becomes final after a challenge window,
///         in the order of the EVM payout root chain. Declares every event and custom error of EpochReports.
/// @dev Reports are numbered by submission (`seq`, from 1). Each report builds on the pending tip of the payout root
///      chain (`prevPayoutRoot` starts with `pendingRoot()`), and its parent is the report that set that tip (0 =
///      genesis). A report is finalized only when its parent is the last final report. Rejecting a report (a
///      dispute upheld by a quorum decision) rewinds the tip to the rejected report's parent and kills every other
///      pending report (they all built on it): those are dropped by anyone (`drop`), which releases their
///      reservations, and their (community, epoch) may be reported again.
interface IEpochReports {
    /// @notice Life cycle of a report.
    enum Status {
        None,
        Pending,
        Frozen,
        Cleared,
        Final,
        Rejected,
        Dropped
    }

    /// @notice A stored report, unpacked (see `reportOf`).
    /// @param commitment The first 160 bits of keccak256(reportHash ‖ attestation).
    /// @param submittedAt When it was submitted.
    /// @param status Its status.
    /// @param parent The report it built on (0 = the chain's final state when it was submitted was genesis).
    // solhint-disable-next-line gas-struct-packing
    struct ReportRecord { // one slot: 160 + 40 + 8 + 48 bits
        bytes20 commitment;
        uint40 submittedAt;
        Status status;
        uint48 parent;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A report was submitted and its spend reserved.
    event ReportSubmitted(
        uint64 indexed seq,
        uint64 indexed communityId,
        uint64 indexed epoch,
        bytes32 reportHash,
        bytes32 payoutRoot,
        uint64 parent
    );
    /// @notice A conflicting report for the same (community, epoch), signed by a quorum of the same set, froze it.
    event ReportChallenged(uint64 indexed seq, bytes32 conflictingReportHash, address challenger);
    /// @notice A member of the current attester set froze the report with a bond.
    event ReportDisputed(uint64 indexed seq, address indexed disputer, uint256 bond);
    /// @notice A quorum decided a frozen report: `upheld` = the dispute was right and the report is rejected.
    event ReportResolved(uint64 indexed seq, bool upheld);
    /// @notice A report became final; its payout root is the final root.
    event ReportFinalized(uint64 indexed seq, uint64 indexed communityId, uint64 indexed epoch, bytes32 payoutRoot);
    /// @notice A pending report built on a rejected one was dropped; its reservations were released.
    event ReportDropped(uint64 indexed seq);
    /// @notice `amount` wei (a bond) was credited to `account`, withdrawable with `withdrawCredit`.
    event BondCredited(address indexed account, uint256 amount);
    /// @notice Final report `seq`'s Solana payout `index` (of `token`) left through the bridge as distribution
    ///         `distributionId`, Gateway message `messageId`.
    event SolanaPayoutSent(
        uint64 indexed seq, uint256 index, address indexed token, bytes32 distributionId, bytes32 messageId
    );
    /// @notice `account` withdrew its credited wei to `to`.
    event CreditWithdrawn(address indexed account, address indexed to, uint256 amount);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice The epoch is not over yet (`epoch < currentEpoch` is required).
    error EpochNotOver(uint64 epoch, uint64 currentEpoch);
    /// @notice Fewer distinct engaged accounts than the community's k.
    error BelowKAnonymity(uint32 engagedAccounts, uint16 k);
    /// @notice A live report for this (community, epoch) exists or one is final.
    error ReportExists(uint64 communityId, uint64 epoch);
    /// @notice No lines, or more than MAX_LINES.
    error InvalidLineCount(uint256 count);
    /// @notice Campaign ids are not strictly ascending at `index`.
    error LinesNotAscending(uint256 index);
    /// @notice `prevPayoutRoot` does not start with the pending tip's 16-byte prefix.
    error PayoutRootMismatch(bytes16 expected, bytes32 given);
    /// @notice No report with this sequence number.
    error UnknownReport(uint64 seq);
    /// @notice The report or attestation given is not the one stored under `seq`.
    error ReportMismatch(uint64 seq);
    /// @notice The report is not in a status that allows this action.
    error BadStatus(uint64 seq, Status status);
    /// @notice The challenge window closed at `closedAt`.
    error ChallengeWindowClosed(uint64 seq, uint256 closedAt);
    /// @notice The challenge window is still open until `closesAt`.
    error ChallengeWindowOpen(uint64 seq, uint256 closesAt);
    /// @notice The two reports are not for the same (community, epoch), or are the same report.
    error NotConflicting();
    /// @notice The conflicting report was signed by another attester set than the stored one.
    error DifferentAttesterSet(uint64 stored, uint64 given);
    /// @notice `msg.value` is not the dispute bond.
    error WrongBond(uint256 sent, uint256 bond);
    /// @notice The caller is not a member (with weight) of the current attester set.
    error NotAnAttester(address caller);
    /// @notice The report's parent is not the last final report (finalize and reject follow the chain's order).
    error ParentNotFinal(uint64 seq, uint64 parent, uint64 lastFinal);
    /// @notice The report is still on the live chain (only reports built on a rejected one can be dropped).
    error ReportAlive(uint64 seq);
    /// @notice Nothing to withdraw.
    error NothingToWithdraw();
    /// @notice A line owes Solana creators something but the ledger has no Solana route (bridge, domain).
    error SolanaRouteNotSet();
    /// @notice More Solana payouts than MAX_LINES (32) in one report.
    error InvalidSolanaCount(uint256 count);
    /// @notice The report's lines owe Solana creators some `token` but no Solana payout of `token` is listed.
    error SolanaDistributionMissing(address token);
    /// @notice A Solana payout of `token` is listed but no line owes Solana creators any (or `token` is listed twice).
    error SolanaDistributionUnused(address token);
    /// @notice A Solana payout's claims root is zero.
    error InvalidSolanaRoot(address token);
    /// @notice A Solana payout's leaf count is outside 1..DistributionMessage.MAX_LEAF_COUNT.
    error InvalidSolanaLeafCount(address token, uint32 leafCount);
    /// @notice The bridge has not registered `token` or not linked it to the Solana domain.
    error SolanaTokenNotRouted(address token);
    /// @notice The Solana total of `token` is not an exact multiple of the route's unit 10^(L-S) (it would leave dust).
    error SolanaAmountNotExact(address token, uint256 amount, uint256 unit);
    /// @notice The Solana total of `token` in shared units does not fit uint64.
    error SolanaAmountTooLarge(address token, uint256 sharedAmount);
    /// @notice The report has no Solana payout at `index`.
    error UnknownSolanaPayout(uint64 seq, uint256 index);
    /// @notice The report's Solana payout `index` was already sent.
    error SolanaPayoutAlreadySent(uint64 seq, uint256 index);
    /// @notice A wei transfer failed.
    error TransferFailed(address to);
    /// @notice The guardian paused the Gateway (this module's `attesterSet`), which stops every outflow of the revenue
    ///         suite (`finalize`, `sendSolanaPayout` through the bridge, `withdrawCredit`, the ledger's withdrawals and
    ///         refunds, CreatorPayouts' claims); see `paused()`.
    error RevenuePaused();

    // ---------------------------------------------------------------------------------------------------------
    // Functions
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Submits a quorum-signed report: checks it, reserves each line's spend on its campaign and appends it
    ///         to the payout root chain. Anyone may submit; the attestation is the authority.
    /// @param report The report (see EpochReport).
    /// @param attestation EpochReport attestation of `reportHash(report)` by a quorum of a live attester set,
    ///        with this contract as verifier.
    /// @return seq The report's sequence number.
    function submit(EpochReport calldata report, bytes calldata attestation) external returns (uint64 seq);

    /// @notice Freezes a pending report during its window with a different report for the same (community, epoch)
    ///         signed by a quorum of the same attester set (an equivocation of the quorum).
    function challengeConflicting(
        uint64 seq,
        EpochReport calldata report,
        bytes calldata attestation,
        EpochReport calldata other,
        bytes calldata otherAttestation
    ) external;

    /// @notice Freezes a pending report during its window; the caller must be a member of the current attester set
    ///         and send exactly `disputeBond` wei. The bond is returned if a quorum upholds the dispute (or the report
    ///         is dropped) and goes to the protocol fee recipient otherwise.
    function dispute(uint64 seq) external payable;

    /// @notice Applies a quorum's ReportResolution over a frozen report. Upheld: the report is rejected, its
    ///         reservations released, the tip rewound to its parent and every other pending report becomes droppable.
    ///         Not upheld: the report may be finalized at once.
    /// @param seq The report.
    /// @param report The report as submitted.
    /// @param attestation Its attestation as submitted.
    /// @param upheld Whether the dispute was right.
    /// @param resolution ReportResolution attestation of `resolutionHash(reportHash, seq, upheld)`: bound to `seq`,
    ///        so a decision on one submission never settles the same report submitted again under another `seq`.
    function resolve(
        uint64 seq,
        EpochReport calldata report,
        bytes calldata attestation,
        bool upheld,
        bytes calldata resolution
    ) external;

    /// @notice Finalizes a report after its window (or once cleared): commits and splits its spend in the ledger and
    ///         makes its payout root the final root of CreatorPayouts. Its parent must be the last final report.
    function finalize(uint64 seq, EpochReport calldata report, bytes calldata attestation) external;

    /// @notice Drops a report built on a rejected one: releases its reservations and frees its (community, epoch).
    function drop(uint64 seq, EpochReport calldata report, bytes calldata attestation) external;

    /// @notice Sends a final report's Solana payout `index` (docs/protocol.md §11.3): the sum of its lines'
    ///         `solanaCreators` in `report.solana[index].token` leaves the ledger's Solana bucket through the bridge's
    ///         `transferDistribution` to the Solana program, under the payout's claims root, with distribution id
    ///         `keccak256(abi.encode(reportHash, token))`. Once per (report, index). Anyone may call; `msg.value` pays
    ///         the bridge fee (`TokenBridge.quoteDistribution(ledger.solanaDomain())`), the excess is returned.
    /// @param seq The final report.
    /// @param report The report as submitted.
    /// @param attestation Its attestation as submitted.
    /// @param index The payout in `report.solana`.
    /// @return messageId The Gateway message id of the distribution.
    function sendSolanaPayout(uint64 seq, EpochReport calldata report, bytes calldata attestation, uint256 index)
        external
        payable
        returns (bytes32 messageId);

    /// @notice Reverts unless `solana` are the right Solana payouts of `lines` (docs/protocol.md §11.3): one per token
    ///         whose lines owe Solana creators anything (a line's token is its campaign's), none other, each with a
    ///         non-zero root, 1..65,536 leaves, a token the ledger's bridge routes to the Solana domain and a total that
    ///         is an exact multiple of the route's unit 10^(L-S) within uint64 shared units. `submit` runs it when a
    ///         line owes Solana creators anything or a payout is listed; anyone may call it (an aggregator, before it
    ///         asks for signatures).
    function checkSolana(CampaignLine[] calldata lines, SolanaDistribution[] calldata solana) external view;

    /// @notice Whether report `seq`'s Solana payout `index` was sent.
    function solanaPayoutSent(uint64 seq, uint256 index) external view returns (bool);

    /// @notice Sends the caller's credited wei (returned or awarded bonds) to `to`.
    function withdrawCredit(address payable to) external returns (uint256 amount);

    /// @notice The stored report `seq`.
    function reportOf(uint64 seq) external view returns (ReportRecord memory);

    /// @notice Whether (community, epoch) has a live or final report (a rejected or dropped one does not count).
    function isReported(uint64 communityId, uint64 epoch) external view returns (bool);

    /// @notice The first 16 bytes of the pending tip of the payout root chain (what the next report's
    ///         `prevPayoutRoot` must start with). The full root is the `payoutRoot` of the tip's `ReportSubmitted`
    ///         event, or `finalRoot()` when the tip is the last final report.
    /// @dev A prefix keeps the chain bookkeeping in one slot (report_submit gas); the check only guards an honest
    ///      quorum against building on a stale tip (the quorum signs `prevPayoutRoot` itself).
    function pendingRoot() external view returns (bytes16);

    /// @notice The payout root of the last final report.
    function finalRoot() external view returns (bytes32);

    /// @notice The last final report (0 = none).
    function lastFinal() external view returns (uint64);

    /// @notice The report the pending tip belongs to (0 = the last final state).
    function tip() external view returns (uint64);

    /// @notice Sequence number the next report gets.
    function nextSeq() external view returns (uint64);

    /// @notice Pending reports with a sequence number below this are dead (built on a rejected report).
    function deadBelow() external view returns (uint64);

    /// @notice Whether the revenue suite is paused: the `paused()` of the chain's Gateway, which is this module's
    ///         `attesterSet` (the single source of truth, set by the bridge's guardian). While it is true `finalize`
    ///         and `withdrawCredit` revert `RevenuePaused()`, the CampaignLedger's outflows (`withdrawTreasury`,
    ///         `withdrawOperator`, `withdrawProtocolFees`, `moveCreators`, `refund`) revert `RevenuePaused()`, and
    ///         `submit`, `dispute`, `resolve` and `sendSolanaPayout` revert with the Gateway's `EnforcedPause()`
    ///         (its `verify` and `send`). CreatorPayouts' claims stop once anyone calls its `syncPause()`.
    function paused() external view returns (bool);
}
