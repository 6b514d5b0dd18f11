// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICreatorPayouts
/// @notice Creators' payouts on EVM as ONE cumulative claim (docs/protocol.md §11): each final epoch report advances
///         the EVM payout root, whose leaves commit to (account, token, cumulative amount, salt). A claim pays
///         `cumulative − claimed` for every epoch and campaign at once. Declares every event and custom error of
///         CreatorPayouts.
/// @dev Leaf: `keccak256(bytes.concat(keccak256(abi.encode(bytes32 account, bytes32 token, uint256 cumulative,
///      bytes32 salt))))` with the persona and the token left-padded; sorted-pair tree (OpenZeppelin MerkleProof).
///      Funds always go to the persona's payout recipient (IdentityRegistry `payoutOf`), unless the persona signed a
///      `ClaimTo` redirect. Personas paid on Solana (family SVM) are refused here (`PayoutOnOtherChain`). Whatever a
///      root says, the ledger never pays a token's creators more than final reports owe them on EVM
///      (`ICampaignLedger.PayoutCapExceeded`).
///
///      Unclaimed amounts: after the community's `unclaimedExpiryEpochsOf` epochs, the aggregator lists what a
///      community's creators left unclaimed in the `expired` field of a report of that community, lowers the leaves
///      by it in the next root (never below what was claimed), and the ledger moves it to the community treasury at
///      finalization.
interface ICreatorPayouts {
    /// @notice A final report made `root` the payout root (`leafCount` leaves).
    event RootAdvanced(bytes32 root, uint32 leafCount);
    /// @notice `amount` of `token` was paid to `to` for `persona`, whose claimed total is now `cumulative`.
    event Claimed(address indexed persona, address indexed token, address indexed to, uint256 amount, uint256 cumulative);

    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice The caller is not the EpochReports module.
    error OnlyReports(address caller);
    /// @notice The leaf is not under the current root.
    error InvalidPayoutProof();
    /// @notice `cumulative` is not above what the persona already claimed of the token.
    error NothingToClaim(address persona, address token, uint256 cumulative, uint256 claimed);
    /// @notice The persona is paid on another chain family (`family`, recipient `recipient`).
    error PayoutOnOtherChain(address persona, uint8 family, bytes32 recipient);
    /// @notice The redirect signature expired at `deadline`.
    error SignatureExpired(uint256 deadline);
    /// @notice The redirect signature is not the persona's.
    error InvalidSignature();

    /// @notice Pays `persona` everything its leaf adds over what it claimed, to its payout recipient. Anyone may call.
    /// @param persona The account of the leaf (an EVM persona).
    /// @param token The ERC-20 of the leaf.
    /// @param cumulative Everything ever owed to (persona, token) under the current root.
    /// @param salt The leaf's salt.
    /// @param proof Sorted-pair Merkle proof of the leaf under `root()`.
    /// @return amount What was paid.
    function claim(address persona, address token, uint256 cumulative, bytes32 salt, bytes32[] calldata proof)
        external
        returns (uint256 amount);

    /// @notice `claim` paid to `to` instead of the payout recipient, with the persona's EIP-712 signature of
    ///         `ClaimTo(address persona,address token,address to,uint256 nonce,uint256 deadline)` (ECDSA, or
    ///         ERC-1271 for a contract persona). Anyone may submit it.
    /// @param to Where the amount goes.
    /// @param deadline Last second the signature is valid.
    /// @param signature The persona's signature over the current `nonces(persona)`.
    function claimTo(
        address persona,
        address token,
        uint256 cumulative,
        bytes32 salt,
        bytes32[] calldata proof,
        address to,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 amount);

    /// @notice Makes `newRoot` the payout root (EpochReports only, when a report becomes final).
    function advanceRoot(bytes32 newRoot, uint32 leafCount) external;

    /// @notice The payout root of the last final report.
    function root() external view returns (bytes32);

    /// @notice What `persona` has claimed of `token` in all.
    function claimed(address persona, address token) external view returns (uint256);
}
