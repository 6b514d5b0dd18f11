// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBridgedToken
/// @notice What a TokenBridge needs of the representation of a remote canonical token (docs/protocol.md §8): its
///         bridge, mint and burn. Declares every custom error of BridgedToken (the contract inherits them, so
///         `BridgedToken.X.selector` keeps working); its events are the ERC-20 ones.
interface IBridgedToken {
    /// @notice The caller is not the bridge.
    error OnlyBridge();
    /// @notice The bridge address is zero.
    error ZeroBridge();

    /// @notice The TokenBridge allowed to mint and burn.
    function bridge() external view returns (address);

    /// @notice Mints `amount` to `to`. Only the bridge, when a transfer arrives.
    function mint(address to, uint256 amount) external;

    /// @notice Burns `amount` from `from`. Only the bridge, when `from` sends through it (no allowance needed:
    ///         the bridge only ever burns from the account calling it).
    function burn(address from, uint256 amount) external;
}
