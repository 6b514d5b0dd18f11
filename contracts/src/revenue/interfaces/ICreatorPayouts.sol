// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PayoutLeaf} from "../../libraries/RevenueCodec.sol";

/// @title ICreatorPayouts
/// @notice Creators' payouts on EVM as ONE cumulative claim (docs/protocol.md §11): each final epoch report advances
///         the EVM payout root, whose leaves commit to (slot, account, token, recipient, cumulative amount, salt). A
///         claim pays `cumulative − claimed(slot)` for every epoch and campaign at once. Declares every event and custom
///         error of CreatorPayouts.
/// @dev Custody: CreatorPayouts holds the creators' EVM funds itself. The CampaignLedger moves each final report's EVM
///      creators' share here when it commits the report (and takes expired amounts back to the community treasury),
///      and nothing else pays in, so this contract's balance of a token is the safety cap of acceptance point 5:
///      whatever a root says, the total paid never exceeds the final creators' shares (less the Solana part and the
///      expired amounts) moved here (`PayoutCapExceeded`). Tokens anyone sends here directly only add to that pool.
///
///      Recipient: the leaf names it, so a claim reads no registry. Anyone may submit a claim; the amount always goes
///      to the leaf's recipient. A persona that changes its payout recipient (or family) is paid at the new one from
///      the next root on; until then it can redirect with `claimTo` (EIP-712 signature of the persona). Personas paid
///      on Solana are not in the EVM root; what the EVM root pays comes only from the EVM part of the creators' shares,
///      and the Solana part only leaves through the bridge, so no amount is payable on both chains.
///
///      Unclaimed amounts: after the community's `unclaimedExpiryEpochsOf` epochs, the aggregator lists what a
///      community's creators left unclaimed in the `expired` field of a report of that community, lowers the leaves
///      by it in the next root (never below what was claimed), and the ledger moves it to the community treasury at
///      finalization.
interface ICreatorPayouts {
    /// @notice A final report made `root` the payout root (`leafCount` leaves).
    event RootAdvanced(bytes32 root, uint32 leafCount);
    /// @notice `amount` of `token` was paid to `to` for `persona` (the one event of a claim; its `claimed` total is
    ///         readable by slot).
    event Claimed(address indexed persona, address indexed token, address to, uint256 amount);

    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice The caller is not the EpochReports module.
    error OnlyReports(address caller);
    /// @notice The caller is not the CampaignLedger.
    error OnlyLedger(address caller);
    /// @notice The leaf is not under the current root.
    error InvalidPayoutProof();
    /// @notice `cumulative` is not above what the slot already claimed.
    error NothingToClaim(uint256 slot, uint256 cumulative, uint256 claimed);
    /// @notice The leaf's cumulative amount does not fit the 128-bit claimed record.
    error CumulativeTooLarge(uint256 cumulative);
    /// @notice Paying `amount` of `token` needs more than the `held` creators' funds (a root promising more than final
    ///         reports gave the creators).
    error PayoutCapExceeded(address token, uint256 amount, uint256 held);
    /// @notice The redirect signature expired at `deadline`.
    error SignatureExpired(uint256 deadline);
    /// @notice The redirect signature is not the persona's.
    error InvalidSignature();

    /// @notice Pays the leaf's persona everything the leaf adds over what its slot claimed, to the leaf's recipient.
    ///         Anyone may call.
    /// @param leaf The leaf (its ABI encoding is the hashed preimage).
    /// @param proof Sorted-pair Merkle proof of the leaf under `root()`.
    /// @return amount What was paid.
    function claim(PayoutLeaf calldata leaf, bytes32[] calldata proof) external returns (uint256 amount);

    /// @notice `claim` paid to `to` instead of the leaf's recipient, with the persona's EIP-712 signature of
    ///         `ClaimTo(address persona,address token,address to,uint256 nonce,uint256 deadline)` (ECDSA, or
    ///         ERC-1271 for a contract persona). Anyone may submit it.
    /// @param to Where the amount goes.
    /// @param deadline Last second the signature is valid.
    /// @param signature The persona's signature over the current `nonces(persona)`.
    function claimTo(
        PayoutLeaf calldata leaf,
        bytes32[] calldata proof,
        address to,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 amount);

    /// @notice Makes `newRoot` the payout root (EpochReports only, when a report becomes final).
    function advanceRoot(bytes32 newRoot, uint32 leafCount) external;

    /// @notice Sends `amount` of `token` back to the CampaignLedger (the ledger only: expired creator amounts on their
    ///         way to a community treasury).
    function returnToLedger(address token, uint256 amount) external;

    /// @notice The payout root of the last final report.
    function root() external view returns (bytes32);

    /// @notice What slot `slot` has claimed in all.
    function claimed(uint256 slot) external view returns (uint256);
}
