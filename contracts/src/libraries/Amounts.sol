// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Amounts
/// @notice Conversion between a token's local decimals and its route's shared decimals (docs/protocol.md §8).
/// @dev Sending `a` local units moves `wire = floor(a / 10^(L-S))` and takes only `wire * 10^(L-S)`; the remainder
///      (dust) stays with the sender. Receiving credits `wire * 10^(L-S)`. No value is created or destroyed.
library Amounts {
    /// @notice Largest supported local decimals: keeps `10^(L-S)` and `type(uint64).max * 10^(L-S)` far inside uint256.
    uint8 internal constant MAX_DECIMALS = 36;

    /// @notice Shared decimals exceed local decimals, or local decimals exceed MAX_DECIMALS.
    error InvalidDecimals(uint8 localDecimals, uint8 sharedDecimals);
    /// @notice The amount in shared decimals does not fit the uint64 wire field.
    error AmountExceedsWireLimit(uint256 amount);
    /// @notice The amount is zero in shared decimals (everything would be dust).
    error AmountTooSmall(uint256 amount);

    /// @notice Reverts unless `sharedDecimals <= localDecimals <= MAX_DECIMALS`.
    function validateDecimals(uint8 localDecimals, uint8 sharedDecimals) internal pure {
        if (sharedDecimals > localDecimals || localDecimals > MAX_DECIMALS) {
            revert InvalidDecimals(localDecimals, sharedDecimals);
        }
    }

    /// @notice `10^(localDecimals - sharedDecimals)`, after validating the pair.
    function scale(uint8 localDecimals, uint8 sharedDecimals) internal pure returns (uint256) {
        validateDecimals(localDecimals, sharedDecimals);
        unchecked {
            return 10 ** uint256(localDecimals - sharedDecimals);
        }
    }

    /// @notice Converts a local amount to the wire amount and the dust left behind.
    /// @dev Reverts with AmountTooSmall when the wire amount is zero and AmountExceedsWireLimit above uint64.
    /// @return shared The amount in shared decimals (what the message carries).
    /// @return dust The local remainder that must not be taken from the sender.
    function toShared(uint256 amount, uint8 localDecimals, uint8 sharedDecimals)
        internal
        pure
        returns (uint64 shared, uint256 dust)
    {
        uint256 s = scale(localDecimals, sharedDecimals);
        uint256 wide;
        unchecked {
            wide = amount / s;
            dust = amount % s;
        }
        if (wide == 0) revert AmountTooSmall(amount);
        if (wide > type(uint64).max) revert AmountExceedsWireLimit(amount);
        shared = uint64(wide);
    }

    /// @notice Converts a wire amount back to local units. Never overflows for valid decimals.
    function toLocal(uint64 shared, uint8 localDecimals, uint8 sharedDecimals) internal pure returns (uint256) {
        uint256 s = scale(localDecimals, sharedDecimals);
        unchecked {
            // shared < 2^64 and s <= 10^36 < 2^120, so the product is < 2^184.
            return uint256(shared) * s;
        }
    }
}
