// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SplitPolicy, SplitPolicyLibrary} from "../types/SplitPolicy.sol";
import {ICommunityRegistry} from "./interfaces/ICommunityRegistry.sol";

/// @title CommunityRegistry
/// @notice The communities of the revenue protocol and its epoch clock (docs/protocol.md §11). Advertisers target
///         communities, the attester quorum reports each community's epochs, and the revenue contracts split each
///         report's spend by the policy this registry says was in force for that epoch.
/// @dev Design:
///      - The clock is immutable (`genesis`, `epochLength`): every revenue contract reads it here, so reports,
///        policies and expiries count the same epochs.
///      - Policies are a per-community list of checkpoints `(fromEpoch, policy)`, strictly ascending in `fromEpoch`.
///        The first is at epoch 0 (the creation policy applies to every epoch before the first change); a change
///        made during epoch `e` is written at `e + 1`, and a second change during `e` overwrites it (or removes it
///        when it restores the policy in force). So a checkpoint at or below the current epoch is never written
///        again, and `policyAt` of the current and every past epoch is fixed: a report for an epoch can only ever
///        be split by the policy its community announced before that epoch began.
///      - Everything a report's money depends on (treasury, policy, k, expiry) is the owner's; moderators curate
///        only what nodes read off chain (metadata and sources). Ownership moves in two steps, and a community
///        always has a non-zero owner, which is also what `exists` reads.
///      - Communities are permissionless: creating one costs only gas and earns nothing until advertisers fund
///        campaigns aimed at it.
contract CommunityRegistry is ICommunityRegistry {
    /// @notice A policy checkpoint: `policy` is in force from epoch `fromEpoch` until the next checkpoint's.
    struct Checkpoint {
        uint64 fromEpoch;
        SplitPolicy policy;
    }

    /// @notice One community's settings (three slots and the URI).
    struct Community {
        address owner; // slot 0: 160
        uint16 kAnonymity; //     + 16
        uint32 unclaimedExpiryEpochs; // + 32
        address treasury; // slot 1
        address pendingOwner; // slot 2
        string metadataURI; // slot 3
    }

    /// @notice Most sources a community may list.
    uint256 public constant MAX_SOURCES = 16;
    /// @notice Longest source descriptor, in bytes.
    uint256 public constant MAX_SOURCE_LENGTH = 512;
    /// @notice Longest metadata URI, in bytes.
    uint256 public constant MAX_METADATA_URI_LENGTH = 2048;
    /// @notice Lowest k-anonymity threshold: an aggregate of one account is that account's activity.
    uint16 public constant MIN_K_ANONYMITY = 2;
    /// @notice The k-anonymity threshold of a community created with 0.
    uint16 public constant DEFAULT_K_ANONYMITY = 10;
    /// @notice The unclaimed-payout expiry of a community created with 0 (about six months of weekly epochs).
    uint32 public constant DEFAULT_UNCLAIMED_EXPIRY_EPOCHS = 26;
    /// @notice The highest protocol fee a policy may carry, in basis points.
    uint16 public constant MAX_PROTOCOL_FEE_BPS = SplitPolicyLibrary.MAX_PROTOCOL_FEE_BPS;

    /// @inheritdoc ICommunityRegistry
    uint40 public immutable override genesis;
    /// @inheritdoc ICommunityRegistry
    uint32 public immutable override epochLength;

    /// @notice The number of communities created; ids run from 1 to this.
    uint64 public communityCount;

    mapping(uint64 communityId => Community) private _communities;
    mapping(uint64 communityId => Checkpoint[]) private _checkpoints;
    mapping(uint64 communityId => mapping(address account => bool)) private _moderators;
    mapping(uint64 communityId => bytes[]) private _sources;
    /// @dev Position + 1 of each source in `_sources` (0 = not a source).
    mapping(uint64 communityId => mapping(bytes32 sourceHash => uint256 position)) private _sourcePosition;

    /// @param genesis_ The timestamp epoch 0 starts at (may be in the future: then `currentEpoch` reverts until it).
    /// @param epochLength_ Seconds per epoch (non-zero; at least an hour in production, shorter in tests).
    constructor(uint40 genesis_, uint32 epochLength_) {
        if (epochLength_ == 0) revert InvalidEpochLength(epochLength_);
        genesis = genesis_;
        epochLength = epochLength_;
    }

    /*//////////////////////////////////////////////////////////////
                                MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyCommunityOwner(uint64 communityId) {
        _checkOwner(communityId);
        _;
    }

    modifier onlyOwnerOrModerator(uint64 communityId) {
        _checkOwnerOrModerator(communityId);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               EPOCH CLOCK
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICommunityRegistry
    function currentEpoch() public view override returns (uint64) {
        if (block.timestamp < genesis) revert BeforeGenesis(genesis);
        return uint64((block.timestamp - genesis) / epochLength);
    }

    /*//////////////////////////////////////////////////////////////
                                 CREATION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICommunityRegistry
    function createCommunity(
        string calldata metadataURI,
        address treasury,
        bytes[] calldata sources,
        SplitPolicy policy,
        uint16 kAnonymity,
        uint32 unclaimedExpiryEpochs
    ) external override returns (uint64 communityId) {
        _checkMetadata(metadataURI);
        if (treasury == address(0)) revert ZeroAddress();
        policy.validate();
        if (kAnonymity == 0) kAnonymity = DEFAULT_K_ANONYMITY;
        else _checkKAnonymity(kAnonymity);
        if (unclaimedExpiryEpochs == 0) unclaimedExpiryEpochs = DEFAULT_UNCLAIMED_EXPIRY_EPOCHS;
        if (sources.length > MAX_SOURCES) revert TooManySources(sources.length);

        communityId = ++communityCount;
        Community storage c = _communities[communityId];
        c.owner = msg.sender;
        c.kAnonymity = kAnonymity;
        c.unclaimedExpiryEpochs = unclaimedExpiryEpochs;
        c.treasury = treasury;
        c.metadataURI = metadataURI;
        _checkpoints[communityId].push(Checkpoint({fromEpoch: 0, policy: policy}));
        emit CommunityCreated(
            communityId, msg.sender, treasury, metadataURI, policy, kAnonymity, unclaimedExpiryEpochs
        );
        for (uint256 i; i < sources.length; ++i) {
            _addSource(communityId, sources[i]);
        }
    }

    /*//////////////////////////////////////////////////////////////
                               OWNER ONLY
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICommunityRegistry
    function setTreasury(uint64 communityId, address treasury) external override onlyCommunityOwner(communityId) {
        if (treasury == address(0)) revert ZeroAddress();
        _communities[communityId].treasury = treasury;
        emit TreasurySet(communityId, treasury);
    }

    /// @inheritdoc ICommunityRegistry
    function setPolicy(uint64 communityId, SplitPolicy policy)
        external
        override
        onlyCommunityOwner(communityId)
        returns (uint64 effectiveFrom)
    {
        policy.validate();
        effectiveFrom = block.timestamp < genesis ? 0 : currentEpoch() + 1;
        Checkpoint[] storage checkpoints = _checkpoints[communityId];
        uint256 n = checkpoints.length; // >= 1: every community has its creation checkpoint
        Checkpoint storage last = checkpoints[n - 1];
        // Time only moves forward, so `last.fromEpoch <= effectiveFrom`: equality means a change is already pending
        // for `effectiveFrom` (or, before genesis, the creation policy); it is replaced, never an epoch in force.
        if (last.fromEpoch == effectiveFrom) {
            if (n > 1 && _same(checkpoints[n - 2].policy, policy)) checkpoints.pop(); // back to the policy in force
            else last.policy = policy;
        } else if (!_same(last.policy, policy)) {
            checkpoints.push(Checkpoint({fromEpoch: effectiveFrom, policy: policy}));
        }
        emit PolicyScheduled(communityId, policy, effectiveFrom);
    }

    /// @inheritdoc ICommunityRegistry
    function setKAnonymity(uint64 communityId, uint16 kAnonymity) external override onlyCommunityOwner(communityId) {
        _checkKAnonymity(kAnonymity);
        _communities[communityId].kAnonymity = kAnonymity;
        emit KAnonymitySet(communityId, kAnonymity);
    }

    /// @inheritdoc ICommunityRegistry
    function setUnclaimedExpiryEpochs(uint64 communityId, uint32 unclaimedExpiryEpochs)
        external
        override
        onlyCommunityOwner(communityId)
    {
        if (unclaimedExpiryEpochs == 0) revert InvalidUnclaimedExpiry(unclaimedExpiryEpochs);
        _communities[communityId].unclaimedExpiryEpochs = unclaimedExpiryEpochs;
        emit UnclaimedExpirySet(communityId, unclaimedExpiryEpochs);
    }

    /// @inheritdoc ICommunityRegistry
    function addModerator(uint64 communityId, address moderator) external override onlyCommunityOwner(communityId) {
        if (moderator == address(0)) revert ZeroAddress();
        mapping(address => bool) storage moderators = _moderators[communityId];
        if (moderators[moderator]) revert AlreadyModerator(communityId, moderator);
        moderators[moderator] = true;
        emit ModeratorAdded(communityId, moderator);
    }

    /// @inheritdoc ICommunityRegistry
    function removeModerator(uint64 communityId, address moderator)
        external
        override
        onlyCommunityOwner(communityId)
    {
        mapping(address => bool) storage moderators = _moderators[communityId];
        if (!moderators[moderator]) revert NotModerator(communityId, moderator);
        delete moderators[moderator];
        emit ModeratorRemoved(communityId, moderator);
    }

    /// @inheritdoc ICommunityRegistry
    function transferOwnership(uint64 communityId, address newOwner)
        external
        override
        onlyCommunityOwner(communityId)
    {
        _communities[communityId].pendingOwner = newOwner;
        emit OwnershipTransferStarted(communityId, msg.sender, newOwner);
    }

    /// @inheritdoc ICommunityRegistry
    /// @dev The pending owner can never be zero here (`msg.sender` is not), so a community never loses its owner.
    function acceptOwnership(uint64 communityId) external override {
        Community storage c = _communities[communityId];
        if (c.pendingOwner != msg.sender) revert NotPendingOwner(communityId, msg.sender);
        address previous = c.owner;
        c.owner = msg.sender;
        delete c.pendingOwner;
        emit OwnershipTransferred(communityId, previous, msg.sender);
    }

    /*//////////////////////////////////////////////////////////////
                           OWNER OR MODERATOR
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICommunityRegistry
    function setMetadata(uint64 communityId, string calldata metadataURI)
        external
        override
        onlyOwnerOrModerator(communityId)
    {
        _checkMetadata(metadataURI);
        _communities[communityId].metadataURI = metadataURI;
        emit MetadataSet(communityId, metadataURI);
    }

    /// @inheritdoc ICommunityRegistry
    function addSource(uint64 communityId, bytes calldata source) external override onlyOwnerOrModerator(communityId) {
        uint256 count = _sources[communityId].length;
        if (count >= MAX_SOURCES) revert TooManySources(count + 1);
        _addSource(communityId, source);
    }

    /// @inheritdoc ICommunityRegistry
    /// @dev The last source takes the removed one's place (the order of `sourcesOf` is not meaningful).
    function removeSource(uint64 communityId, bytes32 sourceHash)
        external
        override
        onlyOwnerOrModerator(communityId)
    {
        mapping(bytes32 => uint256) storage positions = _sourcePosition[communityId];
        uint256 position = positions[sourceHash];
        if (position == 0) revert UnknownSource(sourceHash);
        bytes[] storage sources = _sources[communityId];
        uint256 lastIndex = sources.length - 1;
        if (position - 1 != lastIndex) {
            bytes storage moved = sources[lastIndex];
            sources[position - 1] = moved;
            positions[keccak256(moved)] = position;
        }
        sources.pop();
        delete positions[sourceHash];
        emit SourceRemoved(communityId, sourceHash);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICommunityRegistry
    function exists(uint64 communityId) public view override returns (bool) {
        return _communities[communityId].owner != address(0);
    }

    /// @inheritdoc ICommunityRegistry
    /// @dev One SLOAD: a community's treasury is never zero, so a zero treasury means no such community.
    function treasuryOf(uint64 communityId) external view override returns (address treasury) {
        treasury = _communities[communityId].treasury;
        if (treasury == address(0)) revert UnknownCommunity(communityId);
    }

    /// @inheritdoc ICommunityRegistry
    /// @dev The newest checkpoint first (the usual case: a recent epoch), else a binary search over the checkpoints
    ///      (at most one per epoch in which the owner changed the policy).
    function policyAt(uint64 communityId, uint64 epoch) external view override returns (SplitPolicy) {
        Checkpoint[] storage checkpoints = _checkpoints[communityId];
        uint256 high = checkpoints.length;
        if (high == 0) revert UnknownCommunity(communityId);
        Checkpoint storage last = checkpoints[high - 1];
        if (last.fromEpoch <= epoch) return last.policy;
        // Find the last checkpoint with fromEpoch <= epoch; checkpoint 0 (fromEpoch 0) always qualifies.
        uint256 low;
        --high;
        while (high - low > 1) {
            uint256 mid = (low + high) >> 1;
            if (checkpoints[mid].fromEpoch <= epoch) low = mid;
            else high = mid;
        }
        return checkpoints[low].policy;
    }

    /// @inheritdoc ICommunityRegistry
    function kAnonymityOf(uint64 communityId) external view override returns (uint16) {
        return _community(communityId).kAnonymity;
    }

    /// @inheritdoc ICommunityRegistry
    function unclaimedExpiryEpochsOf(uint64 communityId) external view override returns (uint32) {
        return _community(communityId).unclaimedExpiryEpochs;
    }

    /// @notice The policy change waiting for the next epoch, if any.
    /// @return policy The pending policy (zero word if none).
    /// @return effectiveFrom The epoch it takes effect from (0 if none).
    function pendingPolicyOf(uint64 communityId)
        external
        view
        returns (SplitPolicy policy, uint64 effectiveFrom)
    {
        _community(communityId);
        Checkpoint[] storage checkpoints = _checkpoints[communityId];
        Checkpoint storage last = checkpoints[checkpoints.length - 1];
        // Before genesis the only checkpoint is the creation one (a change then replaces it), which is not pending.
        if (block.timestamp >= genesis && last.fromEpoch > currentEpoch()) return (last.policy, last.fromEpoch);
        return (SplitPolicy.wrap(0), 0);
    }

    /// @notice Every policy checkpoint of the community, oldest first: `policies[i]` is in force from epoch
    ///         `fromEpochs[i]` until `fromEpochs[i + 1]`.
    function policyHistoryOf(uint64 communityId)
        external
        view
        returns (uint64[] memory fromEpochs, SplitPolicy[] memory policies)
    {
        _community(communityId);
        Checkpoint[] storage checkpoints = _checkpoints[communityId];
        uint256 n = checkpoints.length;
        fromEpochs = new uint64[](n);
        policies = new SplitPolicy[](n);
        for (uint256 i; i < n; ++i) {
            fromEpochs[i] = checkpoints[i].fromEpoch;
            policies[i] = checkpoints[i].policy;
        }
    }

    /// @notice The owner of the community (zero if there is none with this id).
    function ownerOf(uint64 communityId) external view returns (address) {
        return _communities[communityId].owner;
    }

    /// @notice The address ownership was offered to (zero if none).
    function pendingOwnerOf(uint64 communityId) external view returns (address) {
        return _communities[communityId].pendingOwner;
    }

    /// @notice Whether `account` moderates the community.
    function isModerator(uint64 communityId, address account) external view returns (bool) {
        return _moderators[communityId][account];
    }

    /// @notice The metadata URI of the community.
    function metadataOf(uint64 communityId) external view returns (string memory) {
        return _community(communityId).metadataURI;
    }

    /// @notice The source descriptors of the community (in no meaningful order).
    function sourcesOf(uint64 communityId) external view returns (bytes[] memory) {
        _community(communityId);
        return _sources[communityId];
    }

    /// @notice Whether the community lists the source whose keccak256 is `sourceHash`.
    function hasSource(uint64 communityId, bytes32 sourceHash) external view returns (bool) {
        return _sourcePosition[communityId][sourceHash] != 0;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _community(uint64 communityId) private view returns (Community storage c) {
        c = _communities[communityId];
        if (c.owner == address(0)) revert UnknownCommunity(communityId);
    }

    function _checkOwner(uint64 communityId) private view {
        if (_community(communityId).owner != msg.sender) revert NotCommunityOwner(communityId, msg.sender);
    }

    function _checkOwnerOrModerator(uint64 communityId) private view {
        if (_community(communityId).owner != msg.sender && !_moderators[communityId][msg.sender]) {
            revert NotOwnerOrModerator(communityId, msg.sender);
        }
    }

    function _checkMetadata(string calldata metadataURI) private pure {
        uint256 length = bytes(metadataURI).length;
        if (length > MAX_METADATA_URI_LENGTH) revert MetadataURITooLong(length);
    }

    function _checkKAnonymity(uint16 kAnonymity) private pure {
        if (kAnonymity < MIN_K_ANONYMITY) revert KAnonymityTooLow(kAnonymity);
    }

    /// @dev Appends a validated, new source (the caller checked the count).
    function _addSource(uint64 communityId, bytes calldata source) private {
        uint256 length = source.length;
        if (length == 0 || length > MAX_SOURCE_LENGTH) revert InvalidSourceLength(length);
        bytes32 sourceHash = keccak256(source);
        mapping(bytes32 => uint256) storage positions = _sourcePosition[communityId];
        if (positions[sourceHash] != 0) revert DuplicateSource(sourceHash);
        bytes[] storage sources = _sources[communityId];
        sources.push(source);
        positions[sourceHash] = sources.length;
        emit SourceAdded(communityId, sourceHash, source);
    }

    function _same(SplitPolicy a, SplitPolicy b) private pure returns (bool) {
        return SplitPolicy.unwrap(a) == SplitPolicy.unwrap(b);
    }
}
