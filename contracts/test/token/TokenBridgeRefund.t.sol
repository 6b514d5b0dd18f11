// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BridgedToken} from "../../src/token/BridgedToken.sol";
import {ITokenBridge} from "../../src/token/interfaces/ITokenBridge.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {ChainFamily} from "../../src/libraries/ChainFamily.sol";
import {RefundReceipt} from "../../src/libraries/RefundReceipt.sol";
import {RebasingToken} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";

/// @notice Send-time recipient checks and refunds on the origin (docs/protocol.md §8.1): `transferRemote` refuses a
///         recipient the destination's family can never accept; a transfer the destination can never credit is a
///         refund record there, and `refund(receipt, attestation)` on the origin pays it back to its sender once.
contract TokenBridgeRefundTest is TokenBridgeFixture {
    bytes32 internal constant SOLANA_KEY = keccak256("a 32-byte key, not an EVM address");

    // ------------------------------------------------------------------ helpers

    function _nonceOf(bytes memory m) internal pure returns (uint64 n) {
        assembly ("memory-safe") {
            n := shr(192, mload(add(m, 0x21)))
        }
    }

    /// @dev Sends `amount` from `from` on `src` to a recipient `dst` can never credit, delivers it there (a refund
    ///      record) and returns the receipt the quorum signs for the origin.
    function _refundable(Chain memory src, Chain memory dst, address token, address from, uint256 amount)
        internal
        returns (bytes memory receipt)
    {
        bytes memory m = _sendTo(src, dst, token, from, SOLANA_KEY, amount);
        _deliver(dst, m);
        (address recorded,, uint64 wire,,) = dst.bridge.refundRecord(keccak256(m));
        assertTrue(recorded != address(0), "refund record on the destination");
        receipt = RefundReceipt.encode(
            RefundReceipt.Receipt({
                messageId: keccak256(m),
                originDomain: src.domain,
                nonce: _nonceOf(m),
                destinationDomain: dst.domain,
                token: _toBytes32(token),
                refundTo: _toBytes32(from),
                wireAmount: wire
            })
        );
    }

    /// @dev A 13-of-19 TransferRefund attestation of `receipt` for `origin`'s TokenBridge.
    function _attestRefund(Chain memory origin, bytes memory receipt) internal view returns (bytes memory) {
        return _attestFirst(
            AttestationLib.REFUND_TYPEHASH,
            origin.domain,
            _toBytes32(address(origin.bridge)),
            origin.set.currentSetId(),
            keccak256(receipt),
            attesterKeys,
            _quorum()
        );
    }

    function _withReceipt(bytes memory receipt, function(RefundReceipt.Receipt memory) internal pure edit)
        internal
        view
        returns (bytes memory)
    {
        RefundReceipt.Receipt memory r = this.decodeExt(receipt);
        edit(r);
        return RefundReceipt.encode(r);
    }

    /// @dev The selector `origin.bridge.refund(receipt, att)` reverts with (for errors whose arguments depend on the
    ///      signatures, e.g. the address an invalid signature recovers to).
    function _refundError(Chain memory origin, bytes memory receipt, bytes memory att) internal returns (bytes4 sel) {
        (bool ok, bytes memory ret) = address(origin.bridge).call(abi.encodeCall(origin.bridge.refund, (receipt, att)));
        assertFalse(ok, "refund should revert");
        if (ret.length >= 4) sel = bytes4(ret);
    }

    function decodeExt(bytes calldata receipt) external pure returns (RefundReceipt.Receipt memory) {
        return RefundReceipt.decode(receipt);
    }

    // ------------------------------------------------------------------ send-time checks

    function test_transferRemote_refusesNonEvmRecipientToEvmFamily() public {
        vm.prank(owner);
        a.gateway.setDestinationFamily(DOMAIN_B, ChainFamily.EVM);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidRecipient.selector, SOLANA_KEY));
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, SOLANA_KEY, 1e18);
        assertEq(canonical.balanceOf(address(a.bridge)), 0, "nothing taken");
        // An address is still fine.
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    function test_transferRemote_acceptsAnyKeyToSvmFamily() public {
        vm.prank(owner);
        a.gateway.setDestinationFamily(DOMAIN_B, ChainFamily.SVM);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, SOLANA_KEY, 1e18);
        assertEq(canonical.balanceOf(address(a.bridge)), 1e18, "locked");
    }

    function test_transferRemote_refusesZeroRecipientWhateverTheFamily() public {
        for (uint8 family; family <= ChainFamily.MAX; ++family) {
            vm.prank(owner);
            a.gateway.setDestinationFamily(DOMAIN_B, family);
            vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidRecipient.selector, bytes32(0)));
            vm.prank(alice);
            a.bridge.transferRemote(address(canonical), DOMAIN_B, bytes32(0), 1e18);
        }
    }

    // ------------------------------------------------------------------ refund: happy paths

    function test_refund_releasesEscrowToSender() public {
        uint256 before = canonical.balanceOf(alice);
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 3e18);
        assertEq(canonical.balanceOf(alice), before - 3e18, "taken on send");
        uint64 level = a.bridge.inboundAvailable(address(canonical), DOMAIN_B);
        RefundReceipt.Receipt memory r = this.decodeExt(receipt);

        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.TransferRefunded(r.messageId, address(canonical), alice, 3e18);
        vm.prank(relayer); // anyone may submit
        a.bridge.refund(receipt, _attestRefund(a, receipt));
        assertEq(canonical.balanceOf(alice), before, "paid back");
        assertEq(canonical.balanceOf(address(a.bridge)), 0, "escrow released");
        assertTrue(a.bridge.refunded(r.nonce), "nonce refunded");
        assertEq(a.bridge.inboundAvailable(address(canonical), DOMAIN_B), level - 3e8, "inbound bucket consumed");
        assertEq(wrapped.totalSupply(), 0, "never minted on B");
    }

    function test_refund_mintsBackInMintMode() public {
        _bridgeToB(alice, 10e18);
        // B burns; A (lock mode) records the transfer refundable and keeps the value in escrow.
        bytes memory receipt = _refundable(b, a, address(wrapped), alice, 4e18);
        assertEq(wrapped.balanceOf(alice), 6e18, "burned on send");
        assertEq(canonical.balanceOf(address(a.bridge)), 10e18, "A's escrow keeps the value");
        b.bridge.refund(receipt, _attestRefund(b, receipt));
        assertEq(wrapped.balanceOf(alice), 10e18, "minted back");
        assertEq(wrapped.totalSupply(), canonical.balanceOf(address(a.bridge)), "supply == escrow");
    }

    // ------------------------------------------------------------------ refund: failure paths, in the spec's order

    function test_refund_revertsWhilePaused() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory att = _attestRefund(a, receipt);
        vm.prank(guardian);
        a.gateway.pause();
        vm.expectRevert(ITokenBridge.EnforcedPause.selector);
        a.bridge.refund(receipt, att);
        vm.prank(guardian);
        a.gateway.unpause();
        a.bridge.refund(receipt, att);
    }

    function test_refund_revertsOnInvalidLength() public {
        vm.expectRevert(abi.encodeWithSelector(RefundReceipt.RefundReceiptInvalidLength.selector, 120));
        a.bridge.refund(new bytes(120), hex"");
    }

    function test_refund_revertsOnUnknownVersion() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        receipt[0] = 0x02;
        bytes memory att = _attestRefund(a, receipt);
        vm.expectRevert(abi.encodeWithSelector(RefundReceipt.RefundReceiptUnknownVersion.selector, 2));
        a.bridge.refund(receipt, att);
    }

    function test_refund_revertsOnWrongOrigin() public {
        // A receipt for a transfer from A, submitted to B's bridge (even with a quorum signature made for B).
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory att = _attestRefund(b, receipt);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.WrongRefundOrigin.selector, DOMAIN_B, DOMAIN_A));
        b.bridge.refund(receipt, att);
    }

    function test_refund_revertsWhenAlreadyRefunded() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory att = _attestRefund(a, receipt);
        a.bridge.refund(receipt, att);
        uint64 nonce = this.decodeExt(receipt).nonce;
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.AlreadyRefunded.selector, nonce));
        a.bridge.refund(receipt, att);
        // A second receipt for the same nonce (another amount, say) is refused too: once per nonce.
        bytes memory other = _withReceipt(receipt, _doubleAmount);
        bytes memory att2 = _attestRefund(a, other);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.AlreadyRefunded.selector, nonce));
        a.bridge.refund(other, att2);
    }

    function _doubleAmount(RefundReceipt.Receipt memory r) internal pure {
        r.wireAmount *= 2;
    }

    function test_refund_revertsOnTamperedReceipt() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory att = _attestRefund(a, receipt);
        bytes memory tampered = _withReceipt(receipt, _doubleAmount);
        // The signatures recover to other addresses than the set's members.
        assertEq(bytes32(_refundError(a, tampered, att)), bytes32(IAttesterSet.UnknownSigner.selector), "error");
    }

    function test_refund_revertsOnAttestationOfAnotherKind() public {
        // A MessageAttestation (or one addressed to the Gateway) of the same value never passes as a refund.
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory asMessage = _attestFirst(
            AttestationLib.MESSAGE_TYPEHASH,
            DOMAIN_A,
            _toBytes32(address(a.bridge)),
            1,
            keccak256(receipt),
            attesterKeys,
            _quorum()
        );
        assertEq(bytes32(_refundError(a, receipt, asMessage)), bytes32(IAttesterSet.UnknownSigner.selector), "error");
        bytes memory forGateway = _attestFirst(
            AttestationLib.REFUND_TYPEHASH,
            DOMAIN_A,
            _toBytes32(address(a.gateway)),
            1,
            keccak256(receipt),
            attesterKeys,
            _quorum()
        );
        assertEq(bytes32(_refundError(a, receipt, forGateway)), bytes32(IAttesterSet.UnknownSigner.selector), "error");
    }

    function test_refund_revertsBelowQuorum() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory att = _attestFirst(
            AttestationLib.REFUND_TYPEHASH,
            DOMAIN_A,
            _toBytes32(address(a.bridge)),
            1,
            keccak256(receipt),
            attesterKeys,
            _quorum() - 1
        );
        assertEq(bytes32(_refundError(a, receipt, att)), bytes32(IAttesterSet.InsufficientWeight.selector), "error");
        assertFalse(a.bridge.refunded(this.decodeExt(receipt).nonce), "not refunded");
    }

    function test_refund_revertsOnUnregisteredToken() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory other = _withReceipt(receipt, _otherToken);
        bytes memory att = _attestRefund(a, other);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotRegistered.selector, address(0xBEEF)));
        a.bridge.refund(other, att);
    }

    function _otherToken(RefundReceipt.Receipt memory r) internal pure {
        r.token = bytes32(uint256(0xBEEF));
    }

    function test_refund_revertsOnNonEvmRefundTo() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 1e18);
        bytes memory other = _withReceipt(receipt, _solanaRefundTo);
        bytes memory att = _attestRefund(a, other);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidRecipient.selector, SOLANA_KEY));
        a.bridge.refund(other, att);
    }

    function _solanaRefundTo(RefundReceipt.Receipt memory r) internal pure {
        r.refundTo = SOLANA_KEY;
    }

    function test_refund_rateLimitedThenResubmitted() public {
        bytes memory receipt = _refundable(a, b, address(canonical), alice, 5e18);
        bytes memory att = _attestRefund(a, receipt);
        // A's inbound bucket from B: 2 tokens, refilling 1 per second.
        _setLimits(a, address(canonical), DOMAIN_B, 10e8, 1e8);
        _setLimits(a, address(canonical), DOMAIN_B, 2e8, 1e8);
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.RateLimitExceeded.selector, address(canonical), DOMAIN_B, 5e8, 2e8)
        );
        a.bridge.refund(receipt, att);
        _setLimits(a, address(canonical), DOMAIN_B, 10e8, 1e8);
        vm.warp(block.timestamp + 3);
        a.bridge.refund(receipt, att); // the same receipt, later
        assertTrue(a.bridge.refunded(this.decodeExt(receipt).nonce), "refunded");
    }

    function test_refund_escrowShortRevertsAndCanBeResubmitted() public {
        // A rebasing canonical token: the escrow reads less than the refund needs. The refund reverts as a whole
        // (nothing marked refunded) and succeeds once the escrow holds enough again.
        RebasingToken reb = new RebasingToken();
        BridgedToken w = new BridgedToken("W", "W", 18, address(b.bridge));
        _register(a, address(reb), 0, 8);
        _register(b, address(w), 1, 8);
        _link(a, address(reb), b, address(w));
        _setLimits(a, address(reb), DOMAIN_B, BIG, BIG);
        _setLimits(b, address(w), DOMAIN_A, BIG, BIG);
        reb.mint(alice, 100e18);
        bytes memory receipt = _refundable(a, b, address(reb), alice, 100e18);
        bytes memory att = _attestRefund(a, receipt);
        reb.rebase(0.5e18);
        vm.expectRevert(RebasingToken.InsufficientBalance.selector);
        a.bridge.refund(receipt, att);
        assertFalse(a.bridge.refunded(this.decodeExt(receipt).nonce), "not marked refunded");
        reb.rebase(1e18);
        a.bridge.refund(receipt, att);
        assertEq(reb.balanceOf(alice), 100e18, "paid back in full");
    }

    // ------------------------------------------------------------------ destination side

    function test_handle_refundRecordIsNotRetryableAndNeverCredits() public {
        bytes memory m = _sendTo(a, b, address(canonical), alice, SOLANA_KEY, 1e18);
        _deliver(b, m);
        vm.expectRevert(abi.encodeWithSelector(IGateway.NotFailed.selector, keccak256(m)));
        b.gateway.retry(m);
        bytes memory att = _attestFor(b, m);
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(m)));
        b.gateway.deliver(m, att);
        assertEq(wrapped.totalSupply(), 0, "never credited");
    }
}
