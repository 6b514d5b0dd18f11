// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// TODO(RevenueCodec): replace with Helper A's CommunityRegistry / IdentityRegistry after merging main.
import {ICommunityRegistry, IIdentityRegistry, SplitPolicy} from "./RevenueTypes.sol";

/// @notice Test double of CommunityRegistry: the views the money contracts read, set directly by the test.
contract CommunityRegistryDouble is ICommunityRegistry {
    error BeforeGenesis(uint40 genesis);
    error UnknownCommunity(uint64 communityId);

    struct Community {
        bool exists;
        address treasury;
        SplitPolicy policy;
        uint16 k;
        uint32 expiry;
    }

    uint40 public immutable override genesis;
    uint32 public immutable override epochLength;
    mapping(uint64 => Community) internal _communities;

    constructor(uint40 genesis_, uint32 epochLength_) {
        genesis = genesis_;
        epochLength = epochLength_;
    }

    function set(uint64 id, address treasury, SplitPolicy policy, uint16 k, uint32 expiry) external {
        _communities[id] = Community(true, treasury, policy, k, expiry);
    }

    function setPolicy(uint64 id, SplitPolicy policy) external {
        _communities[id].policy = policy;
    }

    function setTreasury(uint64 id, address treasury) external {
        _communities[id].treasury = treasury;
    }

    function currentEpoch() external view override returns (uint64) {
        if (block.timestamp < genesis) revert BeforeGenesis(genesis);
        return uint64((block.timestamp - genesis) / epochLength);
    }

    function exists(uint64 id) external view override returns (bool) {
        return _communities[id].exists;
    }

    function treasuryOf(uint64 id) external view override returns (address) {
        return _get(id).treasury;
    }

    function policyAt(uint64 id, uint64) external view override returns (SplitPolicy) {
        return _get(id).policy;
    }

    function kAnonymityOf(uint64 id) external view override returns (uint16) {
        return _get(id).k;
    }

    function unclaimedExpiryEpochsOf(uint64 id) external view override returns (uint32) {
        return _get(id).expiry;
    }

    function _get(uint64 id) internal view returns (Community storage c) {
        c = _communities[id];
        if (!c.exists) revert UnknownCommunity(id);
    }
}

/// @notice Test double of IdentityRegistry: payout (EVM, persona) unless the test set another one.
contract IdentityRegistryDouble is IIdentityRegistry {
    struct Payout {
        uint8 family;
        bytes32 recipient;
    }

    mapping(address => Payout) internal _payouts;

    function setPayout(address persona, uint8 family, bytes32 recipient) external {
        _payouts[persona] = Payout(family, recipient);
    }

    function personaOf(uint8, bytes32) external pure override returns (address) {
        return address(0);
    }

    function payoutOf(address persona) external view override returns (uint8 family, bytes32 recipient) {
        Payout storage p = _payouts[persona];
        if (p.family == 0) return (1, bytes32(uint256(uint160(persona))));
        return (p.family, p.recipient);
    }
}
