// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {ChainFamily} from "../libraries/ChainFamily.sol";
import {RevenueCodec} from "../libraries/RevenueCodec.sol";
import {ICampaignLedger} from "./interfaces/ICampaignLedger.sol";
import {ICreatorPayouts} from "./interfaces/ICreatorPayouts.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title CreatorPayouts
/// @notice One cumulative claim per (persona, token) on EVM (docs/protocol.md §11, see ICreatorPayouts). The root only
///         moves when EpochReports finalizes a report, so nothing is claimable before it is final. The tokens stay in
///         the CampaignLedger, which pays under its per-token safety cap.
/// @dev Checks-effects-interactions: `claimed` is raised before the ledger transfers, so a re-entrant claim (from a
///      token hook) finds nothing left to claim; the ledger holds its own reentrancy lock. No lock here keeps the
///      claim path short. Redirect signatures use this contract's own EIP-712 domain (name "maskoii CreatorPayouts",
///      version "1", chain id, this address) and a nonce per persona.
contract CreatorPayouts is ICreatorPayouts, EIP712, Nonces {
    /// @notice EIP-712 type of a redirect.
    bytes32 public constant CLAIM_TO_TYPEHASH =
        keccak256("ClaimTo(address persona,address token,address to,uint256 nonce,uint256 deadline)");

    /// @notice The ledger that holds and pays the tokens.
    ICampaignLedger public immutable ledger;
    /// @notice The identity registry naming each persona's payout chain and recipient.
    IIdentityRegistry public immutable identity;

    /// @inheritdoc ICreatorPayouts
    bytes32 public override root;
    mapping(address persona => mapping(address token => uint256)) private _claimed;

    /// @param ledger_ The CampaignLedger (its owner wires this contract in with `setModules`).
    /// @param identity_ The IdentityRegistry.
    constructor(ICampaignLedger ledger_, IIdentityRegistry identity_) EIP712("maskoii CreatorPayouts", "1") {
        if (address(ledger_) == address(0) || address(identity_) == address(0)) revert ZeroAddress();
        ledger = ledger_;
        identity = identity_;
    }

    /// @inheritdoc ICreatorPayouts
    function claim(address persona, address token, uint256 cumulative, bytes32 salt, bytes32[] calldata proof)
        external
        returns (uint256 amount)
    {
        address to = _requireEvmPayout(persona);
        amount = _record(persona, token, cumulative, salt, proof);
        emit Claimed(persona, token, to, amount, cumulative);
        ledger.payCreator(token, to, amount);
    }

    /// @inheritdoc ICreatorPayouts
    function claimTo(
        address persona,
        address token,
        uint256 cumulative,
        bytes32 salt,
        bytes32[] calldata proof,
        address to,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        _requireEvmPayout(persona);
        _checkRedirect(persona, token, to, deadline, signature);
        amount = _record(persona, token, cumulative, salt, proof);
        emit Claimed(persona, token, to, amount, cumulative);
        ledger.payCreator(token, to, amount);
    }

    /// @inheritdoc ICreatorPayouts
    function advanceRoot(bytes32 newRoot, uint32 leafCount) external {
        if (msg.sender != ledger.reports()) revert OnlyReports(msg.sender);
        root = newRoot;
        emit RootAdvanced(newRoot, leafCount);
    }

    /// @inheritdoc ICreatorPayouts
    function claimed(address persona, address token) external view returns (uint256) {
        return _claimed[persona][token];
    }

    /// @notice The EIP-712 domain separator of redirect signatures.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Reverts `PayoutOnOtherChain` unless the persona is paid on EVM; returns its recipient.
    function _requireEvmPayout(address persona) private view returns (address) {
        (uint8 family, bytes32 recipient) = identity.payoutOf(persona);
        if (family != ChainFamily.EVM) revert PayoutOnOtherChain(persona, family, recipient);
        return address(uint160(uint256(recipient)));
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

    /// @dev Verifies the leaf and raises `claimed` to `cumulative`; returns the difference.
    function _record(address persona, address token, uint256 cumulative, bytes32 salt, bytes32[] calldata proof)
        private
        returns (uint256 amount)
    {
        bytes32 leaf =
            RevenueCodec.payoutLeaf(RevenueCodec.toBytes32(persona), RevenueCodec.toBytes32(token), cumulative, salt);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidPayoutProof();
        uint256 prior = _claimed[persona][token];
        if (cumulative <= prior) revert NothingToClaim(persona, token, cumulative, prior);
        _claimed[persona][token] = cumulative;
        unchecked {
            amount = cumulative - prior;
        }
    }
}
