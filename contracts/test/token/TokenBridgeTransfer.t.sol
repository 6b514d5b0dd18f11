// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {BridgedToken} from "../../src/token/BridgedToken.sol";
import {TokenBridge} from "../../src/token/TokenBridge.sol";
import {ITokenBridge} from "../../src/token/interfaces/ITokenBridge.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {Amounts} from "../../src/libraries/Amounts.sol";
import {Message} from "../../src/libraries/Message.sol";
import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";

/// @notice End-to-end transfers through the real Gateway and AttesterSet: lock/release and burn/mint both ways,
///         amounts and dust, rate limits and the inbound queue, and every rejection of `handle`.
contract TokenBridgeTransferTest is TokenBridgeFixture {
    function _nonceOf(bytes memory m) internal pure returns (uint64 n) {
        assembly ("memory-safe") {
            n := shr(192, mload(add(m, 0x21)))
        }
    }

    // ------------------------------------------------------------------ transferRemote: happy paths

    function test_transferRemote_locksAndEncodesMessage() public {
        uint256 nonce = a.gateway.nextNonce();
        vm.prank(alice);
        canonical.approve(address(a.bridge), 5e18);
        bytes memory payload =
            TokenMessage.encode(_toBytes32(address(wrapped)), _toBytes32(bob), 5e8);
        bytes memory expected = Message.encode(
            uint64(nonce), DOMAIN_A, _toBytes32(address(a.bridge)), DOMAIN_B, _toBytes32(address(b.bridge)), payload
        );
        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.TransferSent(keccak256(expected), address(canonical), DOMAIN_B, alice, _toBytes32(bob), 5e18, 5e8);
        vm.recordLogs();
        vm.prank(alice);
        bytes32 id = a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 5e18);
        assertEq(id, keccak256(expected), "message id");
        assertEq(_sentMessage(address(a.gateway)), expected, "message bytes");
        assertEq(canonical.balanceOf(address(a.bridge)), 5e18, "locked");
        assertEq(canonical.balanceOf(alice), 1_000_000e18 - 5e18, "taken from alice");
    }

    function test_transferRemote_lockThenMintOnB() public {
        bytes memory m = _send(a, b, address(canonical), alice, bob, 7e18);
        // A direct credit is described by the token's Transfer and the Gateway's MessageDelivered (TransferReceived
        // is only emitted by releaseQueued).
        vm.expectEmit(address(wrapped));
        emit IERC20.Transfer(address(0), bob, 7e18);
        vm.expectEmit(address(b.gateway));
        emit IGateway.MessageDelivered(keccak256(m), DOMAIN_A, _nonceOf(m));
        _deliver(b, m);
        assertEq(wrapped.balanceOf(bob), 7e18, "minted");
        assertEq(wrapped.totalSupply(), 7e18, "supply");
        assertEq(uint256(b.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered");
    }

    function test_transferRemote_burnThenReleaseOnA() public {
        _bridgeToB(bob, 10e18);
        bytes memory m = _send(b, a, address(wrapped), bob, alice, 4e18);
        assertEq(wrapped.balanceOf(bob), 6e18, "burned from bob");
        assertEq(wrapped.totalSupply(), 6e18, "supply down");
        uint256 before = canonical.balanceOf(alice);
        vm.expectEmit(address(canonical));
        emit IERC20.Transfer(address(a.bridge), alice, 4e18);
        vm.expectEmit(address(a.gateway));
        emit IGateway.MessageDelivered(keccak256(m), DOMAIN_B, _nonceOf(m));
        _deliver(a, m);
        assertEq(canonical.balanceOf(alice) - before, 4e18, "released");
        assertEq(canonical.balanceOf(address(a.bridge)), 6e18, "escrow == supply on B");
    }

    function test_transferRemote_dustStaysWithSender() public {
        uint256 amount = 3e18 + 123; // 123 wei below 10^(18-8) is dust
        uint256 before = canonical.balanceOf(alice);
        bytes memory m = _send(a, b, address(canonical), alice, bob, amount);
        assertEq(before - canonical.balanceOf(alice), 3e18, "only dust-free amount taken");
        _deliver(b, m);
        assertEq(wrapped.balanceOf(bob), 3e18, "credited dust-free amount");
    }

    function test_transferRemote_refundsOverpaidFee() public {
        vm.prank(owner);
        a.gateway.setFee(DOMAIN_B, 1000, 10);
        uint256 fee = a.bridge.quoteTransfer(DOMAIN_B);
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.prank(alice);
        a.bridge.transferRemote{value: fee + 12345}(address(canonical), DOMAIN_B, _toBytes32(bob), 1e18);
        assertEq(alice.balance, 1 ether - fee, "overpayment refunded");
        assertEq(address(a.gateway).balance, fee, "gateway kept the fee");
        assertEq(address(a.bridge).balance, 0, "bridge keeps nothing");
    }

    function test_transferRemote_insufficientFeeReverts() public {
        vm.prank(owner);
        a.gateway.setFee(DOMAIN_B, 1000, 0);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InsufficientFee.selector, 1000, 999));
        vm.deal(alice, 999);
        vm.prank(alice);
        a.bridge.transferRemote{value: 999}(address(canonical), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    function test_transferRemote_refundFailed() public {
        vm.prank(owner);
        a.gateway.setFee(DOMAIN_B, 1000, 0);
        NoEthSender s = new NoEthSender();
        canonical.mint(address(s), 1e18);
        vm.deal(address(s), 2000);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.RefundFailed.selector, address(s), 1000));
        s.send{value: 2000}(a.bridge, address(canonical), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    // ------------------------------------------------------------------ transferRemote: rejections

    function test_transferRemote_unknownRoute() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRoute.selector, 9));
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), 9, _toBytes32(bob), 1e18);
    }

    function test_transferRemote_tokenNotRegistered() public {
        MockERC20 t = new MockERC20("T", "T", 18);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotRegistered.selector, address(t)));
        vm.prank(alice);
        a.bridge.transferRemote(address(t), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    function test_transferRemote_tokenNotLinked() public {
        MockERC20 t = new MockERC20("T", "T", 18);
        _register(a, address(t), 0, 8);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotLinked.selector, address(t), DOMAIN_B));
        vm.prank(alice);
        a.bridge.transferRemote(address(t), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    function test_transferRemote_zeroRecipient() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidRecipient.selector, bytes32(0)));
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, bytes32(0), 1e18);
    }

    function test_transferRemote_amountTooSmall() public {
        vm.expectRevert(abi.encodeWithSelector(Amounts.AmountTooSmall.selector, 1e10 - 1));
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 1e10 - 1);
    }

    function test_transferRemote_amountExceedsWireLimit() public {
        uint256 amount = (uint256(type(uint64).max) + 1) * 1e10;
        vm.expectRevert(abi.encodeWithSelector(Amounts.AmountExceedsWireLimit.selector, amount));
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), amount);
    }

    function test_transferRemote_rateLimitExceeded() public {
        _setLimits(a, address(canonical), DOMAIN_B, 100e8, 1e8); // 100 tokens, 1 token/s
        _send(a, b, address(canonical), alice, bob, 60e18);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 41e18);
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.RateLimitExceeded.selector, address(canonical), DOMAIN_B, 41e8, 40e8)
        );
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 41e18);
        vm.warp(block.timestamp + 1);
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 41e18);
        assertEq(a.bridge.outboundAvailable(address(canonical), DOMAIN_B), 0, "bucket drained after refill");
    }

    function test_transferRemote_burnNeedsBalance() public {
        _bridgeToB(bob, 1e18);
        vm.expectRevert(); // ERC20InsufficientBalance from BridgedToken.burn
        vm.prank(bob);
        b.bridge.transferRemote(address(wrapped), DOMAIN_A, _toBytes32(alice), 2e18);
    }

    // ------------------------------------------------------------------ amounts across decimals

    function test_transferRemote_18to9Decimals() public {
        (MockERC20 t, BridgedToken w) = _newRoute(18, 9, 8, BIG, BIG);
        t.mint(alice, 10e18);
        _deliver(b, _send(a, b, address(t), alice, bob, 1.234567891234567891e18));
        assertEq(w.balanceOf(bob), 1.23456789e9, "9-decimal representation");
        assertEq(t.balanceOf(alice), 10e18 - 1.23456789e18, "dust 0.000000001234567891 stays");
        bytes memory back = _send(b, a, address(w), bob, alice, 1.23456789e9);
        _deliver(a, back);
        assertEq(t.balanceOf(alice), 10e18, "round trip restores alice's dust-free amount");
        assertEq(w.totalSupply(), 0, "all burned");
        assertEq(t.balanceOf(address(a.bridge)), 0, "escrow empty");
    }

    /// @dev For local decimals in {6, 8, 9, 18} on each side (shared = min(both, 8)): dust stays with the sender, the
    ///      recipient gets exactly the dust-free amount expressed in its own decimals, and escrow == supply.
    function testFuzz_transferRemote_dustStaysWithSender(uint256 amount, uint8 i, uint8 j) public {
        uint8[4] memory options = [uint8(6), 8, 9, 18];
        uint8 decA = options[i % 4];
        uint8 decB = options[j % 4];
        uint8 shared = decA < decB ? decA : decB;
        if (shared > 8) shared = 8;
        _checkDust(amount, decA, decB, shared);
    }

    function _checkDust(uint256 amount, uint8 decA, uint8 decB, uint8 shared) internal {
        (MockERC20 t, BridgedToken w) = _newRoute(decA, decB, shared, type(uint64).max, 0);
        uint256 scaleA = 10 ** uint256(decA - shared);
        amount = bound(amount, scaleA, uint256(type(uint64).max) * scaleA + scaleA - 1);
        t.mint(alice, amount);
        _deliver(b, _send(a, b, address(t), alice, bob, amount));
        uint256 dust = amount % scaleA;
        assertEq(t.balanceOf(alice), dust, "dust stayed with sender");
        assertEq(t.balanceOf(address(a.bridge)), amount - dust, "escrow holds dust-free amount");
        assertEq(w.balanceOf(bob), (amount / scaleA) * 10 ** uint256(decB - shared), "recipient credit");
    }

    // ------------------------------------------------------------------ inbound rate limit and queue

    function test_handle_overLimitQueuedThenReleasedAfterWarp() public {
        _setLimits(b, address(wrapped), DOMAIN_A, 10e8, 1e8); // inbound on B: 10 tokens, 1 token/s
        bytes memory m = _send(a, b, address(canonical), alice, bob, 25e18);
        vm.expectEmit(address(b.bridge));
        emit ITokenBridge.TransferQueued(1, DOMAIN_A, address(wrapped), bob, 25e18);
        _deliver(b, m);
        assertEq(uint256(b.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "never failed");
        assertEq(wrapped.balanceOf(bob), 0, "nothing minted yet");
        assertEq(b.bridge.nextQueueId(), 2, "queue id used");
        (address token, uint32 origin, uint64 wire, address recipient, uint64 nonce, bytes32 messageId) =
            b.bridge.queuedTransfer(1);
        assertEq(token, address(wrapped), "queued token");
        assertEq(origin, DOMAIN_A, "queued origin");
        assertEq(wire, 25e8, "queued wire");
        assertEq(recipient, bob, "queued recipient");
        assertEq(nonce, 0, "queued nonce: the message's");
        assertEq(messageId, keccak256(m), "queued message id: the message's");

        // Capacity 10 can never cover 25: the owner raises it, then the bucket must refill to 25.
        _setLimits(b, address(wrapped), DOMAIN_A, 30e8, 1e8);
        assertEq(b.bridge.inboundAvailable(address(wrapped), DOMAIN_A), 10e8, "level kept on raise");
        vm.warp(block.timestamp + 15);
        vm.expectEmit(address(b.bridge));
        emit ITokenBridge.QueuedTransferReleased(1);
        vm.expectEmit(address(b.bridge));
        emit ITokenBridge.TransferReceived(DOMAIN_A, address(wrapped), bob, 25e18);
        vm.prank(relayer);
        b.bridge.releaseQueued(1);
        assertEq(wrapped.balanceOf(bob), 25e18, "minted on release");
        (token,,,,,) = b.bridge.queuedTransfer(1);
        assertEq(token, address(0), "entry deleted");
    }

    function test_releaseQueued_tooEarly() public {
        _setLimits(b, address(wrapped), DOMAIN_A, 10e8, 1e8);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 8e18)); // fits: level 10 -> 2
        _deliver(b, _send(a, b, address(canonical), alice, bob, 5e18)); // queued
        vm.warp(block.timestamp + 2); // level 4 < 5
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.RateLimitExceeded.selector, address(wrapped), DOMAIN_A, 5e8, 4e8)
        );
        b.bridge.releaseQueued(1);
        vm.warp(block.timestamp + 1);
        b.bridge.releaseQueued(1);
        assertEq(wrapped.balanceOf(bob), 13e18, "both credited");
    }

    function test_releaseQueued_unknownQueuedTransfer() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownQueuedTransfer.selector, 1));
        b.bridge.releaseQueued(1);
    }

    function test_releaseQueued_cannotReleaseTwice() public {
        _setLimits(b, address(wrapped), DOMAIN_A, 1e8, 1e8);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 2e18));
        _setLimits(b, address(wrapped), DOMAIN_A, 5e8, 1e8);
        vm.warp(block.timestamp + 5);
        b.bridge.releaseQueued(1);
        vm.warp(block.timestamp + 10);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownQueuedTransfer.selector, 1));
        b.bridge.releaseQueued(1);
        assertEq(wrapped.balanceOf(bob), 2e18, "credited once");
    }

    function test_releaseQueued_releasesLockedTokens() public {
        _bridgeToB(bob, 20e18);
        _setLimits(a, address(canonical), DOMAIN_B, 5e8, 1e8);
        bytes memory m = _send(b, a, address(wrapped), bob, bob, 5e18); // B's outbound untouched (BIG)
        // A's inbound bucket: drain it first so the 5-token transfer queues.
        _setLimits(a, address(canonical), DOMAIN_B, 4e8, 1e8);
        _deliver(a, m);
        assertEq(canonical.balanceOf(bob), 0, "queued");
        vm.warp(block.timestamp + 1);
        _setLimits(a, address(canonical), DOMAIN_B, 5e8, 1e8);
        vm.warp(block.timestamp + 1);
        a.bridge.releaseQueued(1);
        assertEq(canonical.balanceOf(bob), 5e18, "released from escrow");
    }

    // ------------------------------------------------------------------ handle: rejections

    function test_handle_onlyGateway() public {
        bytes memory p = TokenMessage.encode(_toBytes32(address(wrapped)), _toBytes32(bob), 1);
        vm.expectRevert(ITokenBridge.OnlyGateway.selector);
        vm.prank(alice);
        b.bridge.handle(DOMAIN_A, _toBytes32(address(a.bridge)), p);
    }

    function test_handle_unknownRemoteBridge() public {
        bytes memory p = TokenMessage.encode(_toBytes32(address(wrapped)), _toBytes32(bob), 1);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRemoteBridge.selector, DOMAIN_A, _toBytes32(alice)));
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _toBytes32(alice), p);
    }

    function test_handle_unknownRemoteBridgeOfUnknownDomain() public {
        bytes memory p = TokenMessage.encode(_toBytes32(address(wrapped)), _toBytes32(bob), 1);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRemoteBridge.selector, 7, bytes32(0)));
        vm.prank(address(b.gateway));
        b.bridge.handle(7, bytes32(0), p);
    }

    function test_handle_wrongRemoteBridgeFailsThroughGateway() public {
        // A message to B's bridge from an impostor contract on A: delivered, recorded failed, nothing minted.
        bytes memory payload =
            TokenMessage.encode(_toBytes32(address(wrapped)), _toBytes32(bob), 5e8);
        vm.recordLogs();
        vm.prank(alice);
        a.gateway.send(DOMAIN_B, _toBytes32(address(b.bridge)), payload);
        bytes memory m = _sentMessage(address(a.gateway));
        _deliver(b, m);
        assertEq(uint256(b.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");
        assertEq(wrapped.totalSupply(), 0, "nothing minted");
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRemoteBridge.selector, DOMAIN_A, _toBytes32(alice)));
        b.gateway.retry(m);
    }

    function test_handle_unknownRemoteToken() public {
        bytes32 fake = _toBytes32(address(0xFA4E));
        bytes memory p = TokenMessage.encode(fake, _toBytes32(bob), 1);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRemoteToken.selector, DOMAIN_A, fake));
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _toBytes32(address(a.bridge)), p);
    }

    function test_handle_invalidRecipientUpperBitsRecordsRefundable() public {
        // The destination's family is not configured on A, so A cannot refuse the key at send time (see
        // TokenBridgeRefund.t.sol for the configured case); B can never credit it: a refund record, not a failure.
        bytes32 solanaKey = keccak256("a 32-byte key");
        bytes memory m = _sendTo(a, b, address(canonical), alice, solanaKey, 3e18);
        _assertRefundableOnB(m, 3e8);
    }

    function test_handle_invalidRecipientZeroRecordsRefundable() public {
        // transferRemote refuses a zero recipient, so only a hand-made payload from A's bridge can carry one.
        bytes memory payload = TokenMessage.encode(_toBytes32(address(wrapped)), bytes32(0), 4e8);
        vm.recordLogs();
        vm.prank(address(a.bridge));
        a.gateway.send(DOMAIN_B, _toBytes32(address(b.bridge)), payload);
        _assertRefundableOnB(_sentMessage(address(a.gateway)), 4e8);
    }

    /// @dev Delivers `m` to B and checks it ends as a reason-2 refund record: delivered (never failed, never retried),
    ///      nothing minted, the inbound bucket untouched.
    function _assertRefundableOnB(bytes memory m, uint64 wire) internal {
        uint64 levelBefore = b.bridge.inboundAvailable(address(wrapped), DOMAIN_A);
        vm.expectEmit(address(b.bridge));
        emit ITokenBridge.TransferRefundable(keccak256(m), DOMAIN_A, _nonceOf(m), address(wrapped), wire, 2);
        vm.expectEmit(address(b.gateway));
        emit IGateway.MessageDelivered(keccak256(m), DOMAIN_A, _nonceOf(m));
        _deliver(b, m);
        assertEq(uint256(b.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered, not failed");
        assertEq(wrapped.totalSupply(), 0, "nothing minted");
        assertEq(b.bridge.inboundAvailable(address(wrapped), DOMAIN_A), levelBefore, "bucket untouched");
        (address token, uint32 origin, uint64 recorded, uint64 nonce, uint8 reason) = b.bridge.refundRecord(keccak256(m));
        assertEq(token, address(wrapped), "record token");
        assertEq(origin, DOMAIN_A, "record origin");
        assertEq(recorded, wire, "record wire");
        assertEq(nonce, _nonceOf(m), "record nonce");
        assertEq(reason, b.bridge.REFUND_INVALID_RECIPIENT(), "record reason");
    }

    function test_handle_malformedPayload() public {
        vm.expectRevert(abi.encodeWithSelector(TokenMessage.TokenMessageInvalidLength.selector, 3));
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _toBytes32(address(a.bridge)), hex"010203");
    }

    function test_handle_redeliveryRejected() public {
        bytes memory m = _send(a, b, address(canonical), alice, bob, 1e18);
        _deliver(b, m);
        bytes memory att = _attestFor(b, m);
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(m)));
        b.gateway.deliver(m, att);
        assertEq(wrapped.balanceOf(bob), 1e18, "minted once");
    }
}

/// @dev A sender that cannot receive ETH (no receive/fallback), to make the fee refund fail.
contract NoEthSender {
    function send(TokenBridge bridge, address token, uint32 destination, bytes32 recipient, uint256 amount)
        external
        payable
    {
        MockERC20(token).approve(address(bridge), amount);
        bridge.transferRemote{value: msg.value}(token, destination, recipient, amount);
    }
}
