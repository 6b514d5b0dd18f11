// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {PayoutLeaf, RevenueCodec} from "../libraries/RevenueCodec.sol";
import {ICampaignLedger} from "./interfaces/ICampaignLedger.sol";
import {ICreatorPayouts} from "./interfaces/ICreatorPayouts.sol";

/// @title CreatorPayouts
/// @notice One cumulative claim per (persona, token) on EVM (docs/protocol.md §11, see ICreatorPayouts). The root only
///         moves when EpochReports finalizes a report, so nothing is claimable before it is final. This contract holds
///         the creators' EVM funds (the ledger moves each final report's share here), so its balance of a token is
///         the safety cap: a claim can never pay more than the final creators' shares moved here.
/// @dev The claim path: one cold root read, one leaf hash over the calldata leaf, the proof, one 256-bit word holding
///      the claimed totals of two slots (read and written), one token transfer, one event. Checks-effects-interactions:
///      the slot's claimed total is raised before the transfer, so a re-entrant claim (from a token hook) finds
///      nothing left to claim; no lock keeps the path short. Redirect signatures use this contract's own EIP-712
///      domain (name "maskoii CreatorPayouts", version "1", chain id, this address) and a nonce per persona.
contract CreatorPayouts is ICreatorPayouts, EIP712, Nonces {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type of a redirect.
    bytes32 public constant CLAIM_TO_TYPEHASH =
        keccak256("ClaimTo(address persona,address token,address to,uint256 nonce,uint256 deadline)");

    uint256 private constant AMOUNT_MASK = type(uint128).max;

    /// @notice The ledger that moves the creators' funds here and whose `reports()` advances the root.
    ICampaignLedger public immutable ledger;

    /// @inheritdoc ICreatorPayouts
    bytes32 public override root;
    /// @dev Claimed totals, two 128-bit slots per word: slot s lives in word s >> 1 at bit (s & 1) * 128.
    mapping(uint256 pair => uint256 word) private _claimedPairs;

    /// @param ledger_ The CampaignLedger (its owner wires this contract in with `setModules`).
    constructor(ICampaignLedger ledger_) EIP712("maskoii CreatorPayouts", "1") {
        if (address(ledger_) == address(0)) revert ZeroAddress();
        ledger = ledger_;
    }

    /// @inheritdoc ICreatorPayouts
    function claim(PayoutLeaf calldata leaf, bytes32[] calldata proof) external returns (uint256 amount) {
        amount = _record(leaf, proof);
        address token = leaf.token;
        address to = leaf.recipient;
        emit Claimed(leaf.account, token, to, amount);
        _pay(token, to, amount);
    }

    /// @inheritdoc ICreatorPayouts
    function claimTo(
        PayoutLeaf calldata leaf,
        bytes32[] calldata proof,
        address to,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        address persona = leaf.account;
        address token = leaf.token;
        _checkRedirect(persona, token, to, deadline, signature);
        amount = _record(leaf, proof);
        emit Claimed(persona, token, to, amount);
        _pay(token, to, amount);
    }

    /// @inheritdoc ICreatorPayouts
    function advanceRoot(bytes32 newRoot, uint32 leafCount) external {
        if (msg.sender != ledger.reports()) revert OnlyReports(msg.sender);
        root = newRoot;
        emit RootAdvanced(newRoot, leafCount);
    }

    /// @inheritdoc ICreatorPayouts
    function returnToLedger(address token, uint256 amount) external {
        if (msg.sender != address(ledger)) revert OnlyLedger(msg.sender);
        IERC20(token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ICreatorPayouts
    function claimed(uint256 slot) external view returns (uint256) {
        return (_claimedPairs[slot >> 1] >> ((slot & 1) << 7)) & AMOUNT_MASK;
    }

    /// @notice The EIP-712 domain separator of redirect signatures.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Consumes the persona's nonce and checks its redirect signature.
    function _checkRedirect(address persona, address token, address to, uint256 deadline, bytes calldata signature)
        private
    {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(CLAIM_TO_TYPEHASH, persona, token, to, _useNonce(persona), deadline))
        );
        if (!SignatureChecker.isValidSignatureNow(persona, digest, signature)) revert InvalidSignature();
    }

    /// @dev Verifies the leaf and raises its slot's claimed total to `cumulative`; returns the difference.
    function _record(PayoutLeaf calldata leaf, bytes32[] calldata proof) private returns (uint256 amount) {
        if (RevenueCodec.processPayoutProof(proof, RevenueCodec.payoutLeaf(leaf)) != root) revert InvalidPayoutProof();
        uint256 cumulative = leaf.cumulative;
        if (cumulative > AMOUNT_MASK) revert CumulativeTooLarge(cumulative);
        uint256 slot = leaf.slot;
        uint256 shift = (slot & 1) << 7;
        uint256 word = _claimedPairs[slot >> 1];
        uint256 prior = (word >> shift) & AMOUNT_MASK;
        if (cumulative <= prior) revert NothingToClaim(slot, cumulative, prior);
        _claimedPairs[slot >> 1] = word ^ ((prior ^ cumulative) << shift);
        unchecked {
            amount = cumulative - prior;
        }
    }

    /// @dev Transfers `amount` of `token` to `to`. On failure: `PayoutCapExceeded` when the creators' funds held here
    ///      do not cover it, else the token's own refusal (a blacklisted recipient fails only its own claim).
    function _pay(address token, address to, uint256 amount) private {
        if (IERC20(token).trySafeTransfer(to, amount)) return;
        uint256 held = IERC20(token).balanceOf(address(this));
        if (held < amount) revert PayoutCapExceeded(token, amount, held);
        IERC20(token).safeTransfer(to, amount);
    }
}
