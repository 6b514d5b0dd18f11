// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A community's revenue split in basis points, one 64-bit word:
///         `creatorsBps ‖ treasuryBps ‖ operatorsBps ‖ protocolBps`, uint16 each, high to low in that order
///         (docs/protocol.md §11).
/// @dev Bits [48, 64) creators, [32, 48) community treasury, [16, 32) node operators, [0, 16) protocol fee. A valid
///      policy sums to exactly BPS (10,000) and keeps the protocol fee at or below MAX_PROTOCOL_FEE_BPS. The zero word
///      is never valid (its sum is 0), so storage can use it as "no policy".
type SplitPolicy is uint64;

using SplitPolicyLibrary for SplitPolicy global;

/// @title SplitPolicyLibrary
/// @notice Packing, accessors, validation and the split arithmetic of a SplitPolicy word.
/// @dev The validation errors are declared here (like the errors of the other pure libraries, see IAttesterSet); the
///      CommunityRegistry raises them through `validate`.
library SplitPolicyLibrary {
    /// @notice The basis-point denominator: a valid policy's four shares sum to exactly this.
    uint16 internal constant BPS = 10_000;
    /// @notice The highest protocol fee a policy may carry (10%).
    uint16 internal constant MAX_PROTOCOL_FEE_BPS = 1_000;

    /// @notice Bit offset of the creators' share.
    uint64 internal constant CREATORS_SHIFT = 48;
    /// @notice Bit offset of the community treasury's share.
    uint64 internal constant TREASURY_SHIFT = 32;
    /// @notice Bit offset of the node operators' share.
    uint64 internal constant OPERATORS_SHIFT = 16;

    /// @notice The four shares do not sum to BPS.
    error InvalidSplitSum(uint256 sum);
    /// @notice The protocol fee is above MAX_PROTOCOL_FEE_BPS.
    error ProtocolFeeTooHigh(uint16 protocolBps, uint16 maxProtocolBps);

    /// @notice The word of four shares (not validated: see `isValid` / `validate`).
    function pack(uint16 creatorsBps_, uint16 treasuryBps_, uint16 operatorsBps_, uint16 protocolBps_)
        internal
        pure
        returns (SplitPolicy)
    {
        return SplitPolicy.wrap(
            (uint64(creatorsBps_) << CREATORS_SHIFT) | (uint64(treasuryBps_) << TREASURY_SHIFT)
                | (uint64(operatorsBps_) << OPERATORS_SHIFT) | uint64(protocolBps_)
        );
    }

    /// @notice The creators' share in basis points.
    function creatorsBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self) >> CREATORS_SHIFT);
    }

    /// @notice The community treasury's share in basis points.
    function treasuryBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self) >> TREASURY_SHIFT);
    }

    /// @notice The node operators' share in basis points.
    function operatorsBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self) >> OPERATORS_SHIFT);
    }

    /// @notice The protocol fee in basis points.
    function protocolBps(SplitPolicy self) internal pure returns (uint16) {
        return uint16(SplitPolicy.unwrap(self));
    }

    /// @notice The sum of the four shares (up to 4 × 65,535, so never overflows uint256).
    function sum(SplitPolicy self) internal pure returns (uint256) {
        return uint256(creatorsBps(self)) + treasuryBps(self) + operatorsBps(self) + protocolBps(self);
    }

    /// @notice Whether the policy sums to BPS and its protocol fee is within MAX_PROTOCOL_FEE_BPS.
    function isValid(SplitPolicy self) internal pure returns (bool) {
        return sum(self) == BPS && protocolBps(self) <= MAX_PROTOCOL_FEE_BPS;
    }

    /// @notice Reverts unless the policy is valid: `InvalidSplitSum` first, then `ProtocolFeeTooHigh`.
    function validate(SplitPolicy self) internal pure {
        uint256 total = sum(self);
        if (total != BPS) revert InvalidSplitSum(total);
        uint16 protocol = protocolBps(self);
        if (protocol > MAX_PROTOCOL_FEE_BPS) revert ProtocolFeeTooHigh(protocol, MAX_PROTOCOL_FEE_BPS);
    }

    /// @notice Splits `amount` by a valid policy: each of the creators', treasury's and protocol's parts is
    ///         `amount × bps / BPS` rounded down; the operators get the rest, so the four parts always sum to
    ///         `amount` exactly (the operators' part absorbs the rounding of the other three: it is its own floor
    ///         plus the sum of the four fractional parts, at most 3 units).
    /// @dev For a policy that is not valid the result is meaningless (and `operators` underflows, reverting, when the
    ///      other three shares sum above BPS). `amount × bps` cannot overflow for `amount < 2^240`.
    function split(SplitPolicy self, uint256 amount)
        internal
        pure
        returns (uint256 creators, uint256 treasury, uint256 operators, uint256 protocol)
    {
        creators = amount * creatorsBps(self) / BPS;
        treasury = amount * treasuryBps(self) / BPS;
        protocol = amount * protocolBps(self) / BPS;
        operators = amount - creators - treasury - protocol;
    }
}
