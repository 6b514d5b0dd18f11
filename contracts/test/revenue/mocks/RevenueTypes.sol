// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// TEMPORARY (issue 13): a copy of the SplitPolicy word of src/types/SplitPolicy.sol and the consumed views of
// ICommunityRegistry / IIdentityRegistry (Helper A) until they are on main. TODO(registry): delete after `git merge main`
// and import the real ones.

type SplitPolicy is uint64;

using SplitPolicyLibrary for SplitPolicy global;

library SplitPolicyLibrary {
    uint16 internal constant BPS = 10_000;

    function pack(uint16 creatorsBps_, uint16 treasuryBps_, uint16 operatorsBps_, uint16 protocolBps_)
        internal
        pure
        returns (SplitPolicy)
    {
        return SplitPolicy.wrap(
            (uint64(creatorsBps_) << 48) | (uint64(treasuryBps_) << 32) | (uint64(operatorsBps_) << 16)
                | uint64(protocolBps_)
        );
    }

    function creatorsBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self) >> 48);
    }

    function treasuryBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self) >> 32);
    }

    function operatorsBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self) >> 16);
    }

    function protocolBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self));
    }
}

/// @dev TEMPORARY subset of Helper A's ICommunityRegistry (the views the money contracts consume).
interface ICommunityRegistry {
    function currentEpoch() external view returns (uint64);
    function epochLength() external view returns (uint32);
    function genesis() external view returns (uint40);
    function exists(uint64 communityId) external view returns (bool);
    function treasuryOf(uint64 communityId) external view returns (address);
    function policyAt(uint64 communityId, uint64 epoch) external view returns (SplitPolicy);
    function kAnonymityOf(uint64 communityId) external view returns (uint16);
    function unclaimedExpiryEpochsOf(uint64 communityId) external view returns (uint32);
}

/// @dev TEMPORARY subset of Helper A's IIdentityRegistry.
interface IIdentityRegistry {
    function personaOf(uint8 platform, bytes32 accountId) external view returns (address persona);
    function payoutOf(address persona) external view returns (uint8 family, bytes32 recipient);
}
