// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {AttesterSet} from "../core/AttesterSet.sol";
import {IAttesterSet} from "../core/interfaces/IAttesterSet.sol";
import {AttestationLib} from "../libraries/AttestationLib.sol";
import {DistributionMessage} from "../libraries/DistributionMessage.sol";
import {CampaignLine, EpochReport, RevenueCodec, SolanaDistribution} from "../libraries/RevenueCodec.sol";
import {SplitPolicy} from "../types/SplitPolicy.sol";
import {ICampaignLedger} from "./interfaces/ICampaignLedger.sol";
import {ICommunityRegistry} from "./interfaces/ICommunityRegistry.sol";
import {ICreatorPayouts} from "./interfaces/ICreatorPayouts.sol";
import {IEpochReports} from "./interfaces/IEpochReports.sol";
import {ISolanaPayoutBridge} from "./interfaces/ISolanaPayoutBridge.sol";

/// @title EpochReports
/// @notice Optimistic epoch reports (docs/protocol.md §11): the attester quorum signs one report per (community,
///         epoch); anyone submits it; it reserves its spend in the CampaignLedger and joins the EVM payout root
///         chain; after `challengeWindow` (unless frozen) anyone finalizes it, in chain order, which commits and splits
///         its spend and advances CreatorPayouts' final root. Nothing is claimable before that.
/// @dev Storage per report: ONE slot (`ReportRecord`: 160-bit commitment to the report hash and its attestation,
///      submission time, status, parent) plus one bit per (community, epoch). The chain state (`Chain`: next seq,
///      tip, last final, dead-below mark and the tip root's 16-byte prefix) is one more slot; the final root another
///      (written at finalization). Finalize, resolve and drop take the report and its attestation again and check
///      them against the commitment, so nothing else is stored. Signers' weights for the operators' split are read
///      from the attester set at finalization (a member removed since then gets nothing: its part is dust).
///
///      Chain rules (see IEpochReports): a report builds on the pending tip; it is finalized only when its parent is
///      the last final report, so the live pending reports always form one line from the last final report to the
///      tip. A dispute is upheld only for a report whose parent is final (the first pending one): then every other
///      pending report built on it, so all of them with a lower sequence number than `nextSeq` become dead
///      (`deadBelow`), the tip rewinds to the final state and dead reports are dropped by anyone.
///
///      Reentrancy: the ledger and CreatorPayouts are trusted modules wired at deployment. The only paths that reach a
///      token are `finalize` (the ledger moves the creators' share to CreatorPayouts at the end of `commit`) and
///      `sendSolanaPayout`; both hold this contract's lock, so a token hook cannot finalize another report in between
///      (and so never advances the payout root out of order). The only outgoing value transfer is `withdrawCredit`
///      (pull pattern, state cleared first, locked).
contract EpochReports is IEpochReports, ReentrancyGuardTransient {
    /// @notice Most lines (campaigns) one report may carry.
    uint256 public constant MAX_LINES = 32;
    /// @dev Attestation layout: `uint64 setId ‖ k × (uint8 index ‖ bytes32 r ‖ bytes32 s ‖ uint8 v)`.
    uint256 private constant SIGNATURES_OFFSET = 8;
    uint256 private constant SIGNATURE_ENTRY_LENGTH = 66;

    /// @dev The payout root chain's bookkeeping, one slot.
    struct Chain {
        uint32 nextSeq;
        uint32 tip;
        uint32 lastFinal;
        uint32 deadBelow;
        bytes16 tipRoot;
    }

    /// @notice The chain's attester set (the Gateway), which verifies report and resolution attestations.
    IAttesterSet public immutable attesterSet;
    /// @notice The community registry.
    ICommunityRegistry public immutable registry;
    /// @notice The ledger the spend is reserved, committed and released in.
    ICampaignLedger public immutable ledger;
    /// @notice Seconds after submission during which a report can be frozen.
    uint32 public immutable challengeWindow;
    /// @notice Wei a dispute must be bonded with.
    uint256 public immutable disputeBond;
    /// @dev The registry's immutable clock, cached.
    uint40 private immutable _genesis;
    uint32 private immutable _epochLength;

    Chain private _chain;
    bytes32 private _finalRoot;
    mapping(uint256 seq => ReportRecord) private _records;
    mapping(uint64 communityId => mapping(uint256 word => uint256 bits)) private _reported;
    mapping(uint256 seq => address) private _disputers;
    mapping(address account => uint256) private _credits;
    /// @dev Bit i set: the Solana payout `solana[i]` of final report `seq` was sent (at most 32 per report).
    mapping(uint256 seq => uint256 bits) private _solanaSent;

    /// @param attesterSet_ The chain's Gateway (its attester set).
    /// @param registry_ The CommunityRegistry.
    /// @param ledger_ The CampaignLedger (its owner wires this contract in with `setModules`).
    /// @param challengeWindow_ See `challengeWindow`.
    /// @param disputeBond_ See `disputeBond`.
    constructor(
        IAttesterSet attesterSet_,
        ICommunityRegistry registry_,
        ICampaignLedger ledger_,
        uint32 challengeWindow_,
        uint256 disputeBond_
    ) {
        if (address(attesterSet_) == address(0) || address(registry_) == address(0) || address(ledger_) == address(0)) {
            revert ZeroAddress();
        }
        attesterSet = attesterSet_;
        registry = registry_;
        ledger = ledger_;
        challengeWindow = challengeWindow_;
        disputeBond = disputeBond_;
        _genesis = registry_.genesis();
        _epochLength = registry_.epochLength();
        _chain.nextSeq = 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Submission
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochReports
    /// @dev Checks (clock, registry, k, lines, uniqueness, chain tip, quorum), then effects (bit, record, chain,
    ///      tip root), then the ledger's reservation, which re-checks every line against its campaign and reverts the
    ///      whole submission on any defect, and its check of the Solana payouts (when a line owes Solana creators
    ///      anything or a payout is listed). The ledger is a trusted module and moves no tokens here.
    function submit(EpochReport calldata report, bytes calldata attestation) external returns (uint64 seq) {
        _checkReport(report);
        _mark(report.communityId, report.epoch);
        Chain memory chain = _chain;
        if (bytes16(report.prevPayoutRoot) != chain.tipRoot) {
            revert PayoutRootMismatch(chain.tipRoot, report.prevPayoutRoot);
        }
        bytes32 reportHash_ = _reportHash(report);
        attesterSet.verify(AttestationLib.EPOCH_REPORT_TYPEHASH, reportHash_, attestation);

        seq = chain.nextSeq;
        uint256 parent = chain.tip;
        _storeRecord(seq, _commitment(reportHash_, attestation), Status.Pending, parent);
        chain.nextSeq += 1;
        chain.tip = uint32(seq);
        chain.tipRoot = bytes16(report.payoutRoot);
        _storeChain(chain);
        emit ReportSubmitted(seq, report.communityId, report.epoch, reportHash_, report.payoutRoot, uint64(parent));

        uint64 communityId = report.communityId;
        uint64 epoch = report.epoch;
        uint16 creatorsBps = registry.policyAt(communityId, epoch).creatorsBps();
        // the Solana payouts are checked only when there is something to check (report_submit gas)
        if (ledger.reserve(communityId, epoch, creatorsBps, report.lines) || report.solana.length != 0) {
            _checkSolana(report.lines, report.solana);
        }
    }

    /// @dev The checks of `submit` that need no storage of this contract: clock, registry, k, lines.
    function _checkReport(EpochReport calldata report) private view {
        uint64 communityId = report.communityId;
        uint64 epoch = report.epoch;
        uint64 current = _currentEpoch();
        if (epoch >= current) revert EpochNotOver(epoch, current);
        uint16 k = registry.kAnonymityOf(communityId); // reverts UnknownCommunity (the registry's) for an unknown id
        if (report.engagedAccounts < k) revert BelowKAnonymity(report.engagedAccounts, k);
        uint256 count = report.lines.length;
        if (count == 0 || count > MAX_LINES) revert InvalidLineCount(count);
        uint64 previous = report.lines[0].campaignId;
        for (uint256 i = 1; i < count; ++i) {
            uint64 id = report.lines[i].campaignId;
            if (id <= previous) revert LinesNotAscending(i);
            previous = id;
        }
    }

    /// @dev See `checkSolana`: sums each line's Solana part by its campaign's token (read from the ledger) into the
    ///      matching payout (every such token must have one), then checks each payout: used (no entry without a
    ///      Solana part, no token twice: the second finds nothing), root, leaf count, and the route. Lives here rather
    ///      than in the ledger, which is at the contract size limit.
    function _checkSolana(CampaignLine[] calldata lines, SolanaDistribution[] calldata solana) private view {
        address bridge = ledger.solanaBridge();
        if (bridge == address(0)) revert SolanaRouteNotSet();
        uint256 n = solana.length;
        if (n > MAX_LINES) revert InvalidSolanaCount(n);
        uint256[] memory sums = new uint256[](n);
        for (uint256 i; i < lines.length; ++i) {
            uint256 part = lines[i].solanaCreators;
            if (part == 0) continue;
            address token = ledger.campaign(lines[i].campaignId).token;
            uint256 j;
            while (j < n && solana[j].token != token) ++j;
            if (j == n) revert SolanaDistributionMissing(token);
            sums[j] += part; // at most 32 parts below 2^128
        }
        uint32 domain = ledger.solanaDomain();
        for (uint256 j; j < n; ++j) {
            SolanaDistribution calldata d = solana[j];
            if (sums[j] == 0) revert SolanaDistributionUnused(d.token);
            if (d.root == bytes32(0)) revert InvalidSolanaRoot(d.token);
            if (d.leafCount == 0 || d.leafCount > DistributionMessage.MAX_LEAF_COUNT) {
                revert InvalidSolanaLeafCount(d.token, d.leafCount);
            }
            _checkSolanaAmount(ISolanaPayoutBridge(bridge), domain, d.token, sums[j]);
        }
    }

    /// @dev The bridge must route `token` to Solana and take `amount` without dust and within uint64 shared units.
    function _checkSolanaAmount(ISolanaPayoutBridge bridge, uint32 domain, address token, uint256 amount)
        private
        view
    {
        (bool registered,, uint8 localDecimals, uint8 sharedDecimals) = bridge.tokenConfig(token);
        if (!registered || bridge.remoteToken(token, domain) == bytes32(0)) revert SolanaTokenNotRouted(token);
        uint256 unit = 10 ** uint256(localDecimals - sharedDecimals); // S <= L <= 36 (the bridge's registration)
        if (amount % unit != 0) revert SolanaAmountNotExact(token, amount, unit);
        if (amount / unit > type(uint64).max) revert SolanaAmountTooLarge(token, amount / unit);
    }

    /// @dev Sets the (community, epoch) bit or reverts `ReportExists`.
    function _mark(uint64 communityId, uint64 epoch) private {
        uint256 bit = 1 << (epoch & 0xff);
        uint256 bits = _reported[communityId][epoch >> 8];
        if (bits & bit != 0) revert ReportExists(communityId, epoch);
        _reported[communityId][epoch >> 8] = bits | bit;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Challenge window
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochReports
    function challengeConflicting(
        uint64 seq,
        EpochReport calldata report,
        bytes calldata attestation,
        EpochReport calldata other,
        bytes calldata otherAttestation
    ) external {
        (ReportRecord memory r, bytes32 reportHash_) = _load(seq, report, attestation);
        _requireOpen(seq, r);
        if (other.communityId != report.communityId || other.epoch != report.epoch) revert NotConflicting();
        bytes32 otherHash = _reportHash(other);
        if (otherHash == reportHash_) revert NotConflicting();
        uint64 otherSet = attesterSet.verify(AttestationLib.EPOCH_REPORT_TYPEHASH, otherHash, otherAttestation);
        uint64 storedSet = _setIdOf(attestation);
        if (otherSet != storedSet) revert DifferentAttesterSet(storedSet, otherSet);
        _records[seq].status = Status.Frozen;
        emit ReportChallenged(seq, otherHash, msg.sender);
    }

    /// @inheritdoc IEpochReports
    function dispute(uint64 seq) external payable {
        ReportRecord memory r = _records[seq];
        if (r.status == Status.None) revert UnknownReport(seq);
        _requireOpen(seq, r);
        if (msg.value != disputeBond) revert WrongBond(msg.value, disputeBond);
        if (!_isCurrentAttester(msg.sender)) revert NotAnAttester(msg.sender);
        _records[seq].status = Status.Frozen;
        _disputers[seq] = msg.sender;
        emit ReportDisputed(seq, msg.sender, msg.value);
    }

    /// @inheritdoc IEpochReports
    function resolve(
        uint64 seq,
        EpochReport calldata report,
        bytes calldata attestation,
        bool upheld,
        bytes calldata resolution
    ) external {
        (ReportRecord memory r, bytes32 reportHash_) = _load(seq, report, attestation);
        if (r.status != Status.Frozen) revert BadStatus(seq, r.status);
        attesterSet.verify(
            AttestationLib.REPORT_RESOLUTION_TYPEHASH, RevenueCodec.resolutionHash(reportHash_, seq, upheld), resolution
        );
        address disputer = _disputers[seq];
        if (upheld) {
            Chain memory chain = _chain;
            if (r.parent != chain.lastFinal) revert ParentNotFinal(seq, r.parent, chain.lastFinal);
            _records[seq].status = Status.Rejected;
            chain.tip = chain.lastFinal;
            chain.deadBelow = chain.nextSeq;
            chain.tipRoot = bytes16(_finalRoot);
            _storeChain(chain);
            _unmark(report.communityId, report.epoch);
            emit ReportResolved(seq, true);
            if (disputer != address(0)) _creditBond(disputer);
            ledger.release(report.communityId, report.epoch, report.lines);
        } else {
            _records[seq].status = Status.Cleared;
            emit ReportResolved(seq, false);
            if (disputer != address(0)) _creditBond(ledger.feeRecipient());
        }
    }

    /// @inheritdoc IEpochReports
    function drop(uint64 seq, EpochReport calldata report, bytes calldata attestation) external {
        (ReportRecord memory r, ) = _load(seq, report, attestation);
        if (r.status != Status.Pending && r.status != Status.Frozen && r.status != Status.Cleared) {
            revert BadStatus(seq, r.status);
        }
        if (seq >= _chain.deadBelow) revert ReportAlive(seq);
        _records[seq].status = Status.Dropped;
        _unmark(report.communityId, report.epoch);
        emit ReportDropped(seq);
        address disputer = _disputers[seq];
        if (disputer != address(0)) _creditBond(disputer);
        ledger.release(report.communityId, report.epoch, report.lines);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Finalization
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochReports
    /// @dev The parent check also proves the report is alive (a dead report's parent never becomes final).
    function finalize(uint64 seq, EpochReport calldata report, bytes calldata attestation) external nonReentrant {
        (ReportRecord memory r, ) = _load(seq, report, attestation);
        if (r.status == Status.Pending) {
            uint256 closesAt = uint256(r.submittedAt) + challengeWindow;
            if (block.timestamp < closesAt) revert ChallengeWindowOpen(seq, closesAt);
        } else if (r.status != Status.Cleared) {
            revert BadStatus(seq, r.status);
        }
        Chain memory chain = _chain;
        if (r.parent != chain.lastFinal) revert ParentNotFinal(seq, r.parent, chain.lastFinal);

        _records[seq].status = Status.Final;
        _chain.lastFinal = uint32(seq);
        _finalRoot = report.payoutRoot;
        emit ReportFinalized(seq, report.communityId, report.epoch, report.payoutRoot);

        (address[] memory operators, uint256[] memory weights) = _signers(attestation);
        SplitPolicy policy = registry.policyAt(report.communityId, report.epoch);
        ledger.commit(report.communityId, report.epoch, policy, report.lines, report.expired, operators, weights);
        ICreatorPayouts(ledger.payouts()).advanceRoot(report.payoutRoot, report.payoutLeafCount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Solana payouts
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochReports
    /// @dev The bit is set before the ledger's bridge call; a failing call (fee, rate limit, route) reverts it all and
    ///      may be retried. The bridge refuses a reused distribution id too.
    function sendSolanaPayout(uint64 seq, EpochReport calldata report, bytes calldata attestation, uint256 index)
        external
        payable
        nonReentrant
        returns (bytes32 messageId)
    {
        (ReportRecord memory r, bytes32 reportHash_) = _load(seq, report, attestation);
        if (r.status != Status.Final) revert BadStatus(seq, r.status);
        if (index >= report.solana.length) revert UnknownSolanaPayout(seq, index);
        uint256 bit = 1 << index; // index < 32 (the ledger refuses more payouts at submission)
        uint256 bits = _solanaSent[seq];
        if (bits & bit != 0) revert SolanaPayoutAlreadySent(seq, index);
        _solanaSent[seq] = bits | bit;
        SolanaDistribution calldata payout = report.solana[index];
        bytes32 distributionId = RevenueCodec.solanaDistributionId(reportHash_, payout.token);
        messageId = ledger.sendSolana{value: msg.value}(report.lines, payout, distributionId, msg.sender);
        emit SolanaPayoutSent(seq, index, payout.token, distributionId, messageId);
    }

    /// @inheritdoc IEpochReports
    function checkSolana(CampaignLine[] calldata lines, SolanaDistribution[] calldata solana) external view {
        _checkSolana(lines, solana);
    }

    /// @inheritdoc IEpochReports
    function solanaPayoutSent(uint64 seq, uint256 index) external view returns (bool) {
        return index < 256 && _solanaSent[seq] & (1 << index) != 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bonds
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochReports
    function withdrawCredit(address payable to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = _credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _credits[msg.sender] = 0;
        emit CreditWithdrawn(msg.sender, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochReports
    function reportOf(uint64 seq) external view returns (ReportRecord memory) {
        return _records[seq];
    }

    /// @inheritdoc IEpochReports
    function isReported(uint64 communityId, uint64 epoch) external view returns (bool) {
        return _reported[communityId][epoch >> 8] & (1 << (epoch & 0xff)) != 0;
    }

    /// @inheritdoc IEpochReports
    function pendingRoot() external view returns (bytes16) {
        return _chain.tipRoot;
    }

    /// @inheritdoc IEpochReports
    function finalRoot() external view returns (bytes32) {
        return _finalRoot;
    }

    /// @inheritdoc IEpochReports
    function lastFinal() external view returns (uint64) {
        return _chain.lastFinal;
    }

    /// @inheritdoc IEpochReports
    function tip() external view returns (uint64) {
        return _chain.tip;
    }

    /// @inheritdoc IEpochReports
    function nextSeq() external view returns (uint64) {
        return _chain.nextSeq;
    }

    /// @inheritdoc IEpochReports
    function deadBelow() external view returns (uint64) {
        return _chain.deadBelow;
    }

    /// @notice Wei credited to `account` (returned or awarded bonds).
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @notice Who disputed report `seq` (zero if nobody did).
    function disputerOf(uint64 seq) external view returns (address) {
        return _disputers[seq];
    }

    /// @notice The value an EpochReport attestation signs for `report`.
    function reportHash(EpochReport calldata report) external pure returns (bytes32) {
        return _reportHash(report);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    function _reportHash(EpochReport calldata report) private pure returns (bytes32) {
        return RevenueCodec.reportHash(report);
    }

    /// @dev One SSTORE of a record (ReportRecord packs low to high: commitment 160 | submittedAt 40 | status 8 |
    ///      parent 48; pinned by the tests through `reportOf`).
    function _storeRecord(uint256 seq, bytes20 commitment, Status status, uint256 parent) private {
        uint256 word = uint256(uint160(commitment)) | (block.timestamp << 160) | (uint256(status) << 200)
            | (parent << 208);
        mapping(uint256 => ReportRecord) storage records = _records;
        assembly ("memory-safe") {
            mstore(0x00, seq)
            mstore(0x20, records.slot)
            sstore(keccak256(0x00, 0x40), word)
        }
    }

    /// @dev One SSTORE of the chain word (Chain packs low to high: nextSeq 32 | tip 32 | lastFinal 32 |
    ///      deadBelow 32 | tipRoot 128).
    function _storeChain(Chain memory chain) private {
        uint256 word = uint256(chain.nextSeq) | (uint256(chain.tip) << 32) | (uint256(chain.lastFinal) << 64)
            | (uint256(chain.deadBelow) << 96) | (uint256(uint128(chain.tipRoot)) << 128);
        assembly ("memory-safe") {
            sstore(_chain.slot, word)
        }
    }

    function _commitment(bytes32 reportHash_, bytes calldata attestation) private pure returns (bytes20) {
        return bytes20(keccak256(abi.encodePacked(reportHash_, attestation)));
    }

    /// @dev The stored record of `seq`, if `report` and `attestation` are the ones it was submitted with.
    function _load(uint64 seq, EpochReport calldata report, bytes calldata attestation)
        private
        view
        returns (ReportRecord memory r, bytes32 reportHash_)
    {
        r = _records[seq];
        if (r.status == Status.None) revert UnknownReport(seq);
        reportHash_ = _reportHash(report);
        if (_commitment(reportHash_, attestation) != r.commitment) revert ReportMismatch(seq);
    }

    function _requireOpen(uint64 seq, ReportRecord memory r) private view {
        if (r.status != Status.Pending) revert BadStatus(seq, r.status);
        uint256 closesAt = uint256(r.submittedAt) + challengeWindow;
        if (block.timestamp >= closesAt) revert ChallengeWindowClosed(seq, closesAt);
    }

    function _unmark(uint64 communityId, uint64 epoch) private {
        _reported[communityId][epoch >> 8] &= ~(uint256(1) << (epoch & 0xff));
    }

    function _creditBond(address account) private {
        _credits[account] += disputeBond;
        emit BondCredited(account, disputeBond);
    }

    /// @dev The registry's clock (`currentEpoch`), computed from its cached immutables; 0 before genesis.
    function _currentEpoch() private view returns (uint64) {
        if (block.timestamp < _genesis) return 0;
        return uint64((block.timestamp - _genesis) / _epochLength);
    }

    function _setIdOf(bytes calldata attestation) private pure returns (uint64) {
        return uint64(bytes8(attestation[:8]));
    }

    /// @dev Whether `account` is a member with weight of the current attester set.
    function _isCurrentAttester(address account) private view returns (bool) {
        (address[] memory members, uint96[] memory weights,,,) =
            AttesterSet(address(attesterSet)).getSet(attesterSet.currentSetId());
        for (uint256 i; i < members.length; ++i) {
            if (members[i] == account) return weights[i] != 0;
        }
        return false;
    }

    /// @dev The signers of a (verified) attestation and their current weights in its set.
    function _signers(bytes calldata attestation)
        private
        view
        returns (address[] memory operators, uint256[] memory weights)
    {
        (address[] memory members, uint96[] memory memberWeights,,,) =
            AttesterSet(address(attesterSet)).getSet(_setIdOf(attestation));
        uint256 count = (attestation.length - SIGNATURES_OFFSET) / SIGNATURE_ENTRY_LENGTH;
        operators = new address[](count);
        weights = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            uint256 index = uint8(attestation[SIGNATURES_OFFSET + i * SIGNATURE_ENTRY_LENGTH]);
            operators[i] = members[index];
            weights[i] = memberWeights[index];
        }
    }
}
