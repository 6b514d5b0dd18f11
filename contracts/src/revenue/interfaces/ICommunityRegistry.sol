// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SplitPolicy} from "../../types/SplitPolicy.sol";

/// @title ICommunityRegistry
/// @notice Communities of the revenue protocol (docs/protocol.md §11) and the epoch clock every revenue contract
///         shares. A community is an id with an owner, moderators, a metadata URI, a treasury, the sources its nodes
///         aggregate (opaque descriptors: a Farcaster channel URL, a Bluesky feed or handle list, a Mastodon hashtag,
///         an RSS URL), a split policy (SplitPolicy), a k-anonymity threshold and an unclaimed-payout expiry.
/// @dev Declares every event and custom error of CommunityRegistry (the contract inherits them, so
///      `CommunityRegistry.X.selector` keeps working); the policy validation errors (`InvalidSplitSum`,
///      `ProtocolFeeTooHigh`) are declared in SplitPolicyLibrary, like the errors of the other pure libraries.
///      Roles per community: the owner (two-step transfer) changes money-related settings (treasury, policy, k,
///      expiry) and the moderators; the owner or a moderator curates the metadata and the sources.
interface ICommunityRegistry {
    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Community `communityId` was created by `owner` (each of its initial sources also emits `SourceAdded`).
    event CommunityCreated(
        uint64 indexed communityId,
        address indexed owner,
        address treasury,
        string metadataURI,
        SplitPolicy policy,
        uint16 kAnonymity,
        uint32 unclaimedExpiryEpochs
    );
    /// @notice The treasury of `communityId` changed.
    event TreasurySet(uint64 indexed communityId, address treasury);
    /// @notice From epoch `effectiveFrom` on, `policy` is the split of `communityId` (it replaces any change that was
    ///         pending for that epoch; earlier epochs keep theirs).
    event PolicyScheduled(uint64 indexed communityId, SplitPolicy policy, uint64 effectiveFrom);
    /// @notice The k-anonymity threshold of `communityId` changed.
    event KAnonymitySet(uint64 indexed communityId, uint16 kAnonymity);
    /// @notice The number of epochs after which unclaimed creator payouts of `communityId` return to its treasury
    ///         changed.
    event UnclaimedExpirySet(uint64 indexed communityId, uint32 unclaimedExpiryEpochs);
    /// @notice `moderator` may now curate the metadata and sources of `communityId`.
    event ModeratorAdded(uint64 indexed communityId, address indexed moderator);
    /// @notice `moderator` no longer moderates `communityId`.
    event ModeratorRemoved(uint64 indexed communityId, address indexed moderator);
    /// @notice The owner of `communityId` offered ownership to `pendingOwner` (zero: the offer was withdrawn).
    event OwnershipTransferStarted(uint64 indexed communityId, address indexed owner, address indexed pendingOwner);
    /// @notice `newOwner` accepted ownership of `communityId`.
    event OwnershipTransferred(uint64 indexed communityId, address indexed previousOwner, address indexed newOwner);
    /// @notice The metadata URI of `communityId` changed.
    event MetadataSet(uint64 indexed communityId, string metadataURI);
    /// @notice `source` (keccak256 = `sourceHash`) was added to the sources of `communityId`.
    event SourceAdded(uint64 indexed communityId, bytes32 indexed sourceHash, bytes source);
    /// @notice The source with keccak256 `sourceHash` was removed from `communityId`.
    event SourceRemoved(uint64 indexed communityId, bytes32 indexed sourceHash);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The constructor's epoch length is 0.
    error InvalidEpochLength(uint32 epochLength);
    /// @notice The epoch clock starts at `genesis`, which has not come yet.
    error BeforeGenesis(uint40 genesis);
    /// @notice No community has this id.
    error UnknownCommunity(uint64 communityId);
    /// @notice The caller is not the owner of the community.
    error NotCommunityOwner(uint64 communityId, address caller);
    /// @notice The caller is neither the owner nor a moderator of the community.
    error NotOwnerOrModerator(uint64 communityId, address caller);
    /// @notice The caller is not the pending owner of the community.
    error NotPendingOwner(uint64 communityId, address caller);
    /// @notice A treasury or moderator address is zero.
    error ZeroAddress();
    /// @notice The metadata URI is longer than MAX_METADATA_URI_LENGTH bytes.
    error MetadataURITooLong(uint256 length);
    /// @notice The k-anonymity threshold is below MIN_K_ANONYMITY (2).
    error KAnonymityTooLow(uint16 kAnonymity);
    /// @notice The unclaimed-payout expiry is 0 epochs.
    error InvalidUnclaimedExpiry(uint32 unclaimedExpiryEpochs);
    /// @notice The community would have more than MAX_SOURCES sources.
    error TooManySources(uint256 count);
    /// @notice A source descriptor is empty or longer than MAX_SOURCE_LENGTH bytes.
    error InvalidSourceLength(uint256 length);
    /// @notice The community already has this source.
    error DuplicateSource(bytes32 sourceHash);
    /// @notice The community has no source with this hash.
    error UnknownSource(bytes32 sourceHash);
    /// @notice `account` already moderates the community.
    error AlreadyModerator(uint64 communityId, address account);
    /// @notice `account` does not moderate the community.
    error NotModerator(uint64 communityId, address account);

    // ---------------------------------------------------------------------------------------------------------
    // Epoch clock
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The current epoch: `(block.timestamp - genesis) / epochLength`. Reverts `BeforeGenesis` before it.
    function currentEpoch() external view returns (uint64);

    /// @notice Seconds per epoch.
    function epochLength() external view returns (uint32);

    /// @notice The timestamp epoch 0 starts at.
    function genesis() external view returns (uint40);

    // ---------------------------------------------------------------------------------------------------------
    // Views used by the revenue contracts
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Whether a community with this id exists.
    function exists(uint64 communityId) external view returns (bool);

    /// @notice The address the community's treasury share is paid to. Reverts `UnknownCommunity`.
    function treasuryOf(uint64 communityId) external view returns (address);

    /// @notice The split policy in force for `epoch`. Never changes for an epoch up to the current one: a change
    ///         takes effect from the epoch after the one it was made in. Reverts `UnknownCommunity`.
    function policyAt(uint64 communityId, uint64 epoch) external view returns (SplitPolicy);

    /// @notice The least number of distinct engaged accounts an epoch report of the community must count (>= 2,
    ///         default 10). Reverts `UnknownCommunity`.
    function kAnonymityOf(uint64 communityId) external view returns (uint16);

    /// @notice After how many epochs unclaimed creator payouts of the community return to its treasury (>= 1,
    ///         default 26). Reverts `UnknownCommunity`.
    function unclaimedExpiryEpochsOf(uint64 communityId) external view returns (uint32);

    // ---------------------------------------------------------------------------------------------------------
    // Writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Creates a community owned by the caller. Anyone may create one: a community earns nothing until
    ///         advertisers target it and the attester quorum reports its epochs.
    /// @param metadataURI Where the community's name, description and rules are published (at most
    ///        MAX_METADATA_URI_LENGTH bytes).
    /// @param treasury The community treasury's payee (non-zero).
    /// @param sources The sources its nodes aggregate: at most MAX_SOURCES distinct opaque descriptors of 1 to
    ///        MAX_SOURCE_LENGTH bytes each.
    /// @param policy The split policy (sums to 10,000, protocol fee at most MAX_PROTOCOL_FEE_BPS); in force from
    ///        epoch 0, i.e. for every epoch until the first change.
    /// @param kAnonymity The k-anonymity threshold (0 = DEFAULT_K_ANONYMITY, else >= MIN_K_ANONYMITY).
    /// @param unclaimedExpiryEpochs The unclaimed-payout expiry in epochs (0 = DEFAULT_UNCLAIMED_EXPIRY_EPOCHS).
    /// @return communityId The new community's id (ids start at 1).
    function createCommunity(
        string calldata metadataURI,
        address treasury,
        bytes[] calldata sources,
        SplitPolicy policy,
        uint16 kAnonymity,
        uint32 unclaimedExpiryEpochs
    ) external returns (uint64 communityId);

    /// @notice Owner: sets the treasury's payee (non-zero).
    function setTreasury(uint64 communityId, address treasury) external;

    /// @notice Owner: schedules `policy` from the next epoch (`currentEpoch() + 1`; epoch 0 before genesis). A second
    ///         change in the same epoch replaces the pending one; the policy of the current and every past epoch
    ///         never changes.
    /// @return effectiveFrom The first epoch `policy` applies to.
    function setPolicy(uint64 communityId, SplitPolicy policy) external returns (uint64 effectiveFrom);

    /// @notice Owner: sets the k-anonymity threshold (>= MIN_K_ANONYMITY); applies to reports submitted from now on.
    function setKAnonymity(uint64 communityId, uint16 kAnonymity) external;

    /// @notice Owner: sets the unclaimed-payout expiry in epochs (>= 1).
    function setUnclaimedExpiryEpochs(uint64 communityId, uint32 unclaimedExpiryEpochs) external;

    /// @notice Owner: lets `moderator` curate the metadata and sources.
    function addModerator(uint64 communityId, address moderator) external;

    /// @notice Owner: removes a moderator.
    function removeModerator(uint64 communityId, address moderator) external;

    /// @notice Owner: offers ownership to `newOwner`, who must accept it (zero withdraws the offer).
    function transferOwnership(uint64 communityId, address newOwner) external;

    /// @notice Pending owner: accepts ownership of the community.
    function acceptOwnership(uint64 communityId) external;

    /// @notice Owner or moderator: sets the metadata URI.
    function setMetadata(uint64 communityId, string calldata metadataURI) external;

    /// @notice Owner or moderator: adds a source descriptor.
    function addSource(uint64 communityId, bytes calldata source) external;

    /// @notice Owner or moderator: removes the source whose keccak256 is `sourceHash`.
    function removeSource(uint64 communityId, bytes32 sourceHash) external;
}
