// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISolanaPayoutBridge
/// @notice The part of the TokenBridge (contracts/src/token/TokenBridge.sol) the CampaignLedger uses to pay creators on
///         Solana (docs/protocol.md §8 distributions, §11.3 "Solana payouts"): the route's decimals and link, the fee
///         quote and `transferDistribution`.
interface ISolanaPayoutBridge {
    /// @notice Registration of a local token: registered, mode, local decimals L, shared decimals S.
    function tokenConfig(address token)
        external
        view
        returns (bool registered, uint8 mode, uint8 localDecimals, uint8 sharedDecimals);

    /// @notice The token `token` is linked to on `domain` (zero = not linked).
    function remoteToken(address token, uint32 domain) external view returns (bytes32);

    /// @notice The fee `transferDistribution` to `destination` needs in `msg.value`.
    function quoteDistribution(uint32 destination) external view returns (uint256 fee);

    /// @notice Takes `amount` of `token` from the caller and sends a distribution (kind 2) funding the claims vault of
    ///         `distributionId` on `destination` under `root`.
    function transferDistribution(
        address token,
        uint32 destination,
        bytes32 root,
        uint256 amount,
        uint32 leafCount,
        bytes32 distributionId
    ) external payable returns (bytes32 messageId);
}
