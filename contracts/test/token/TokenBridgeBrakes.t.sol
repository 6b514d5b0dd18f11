// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {ITokenBridge} from "../../src/token/interfaces/ITokenBridge.sol";
import {Message} from "../../src/libraries/Message.sol";
import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";

/// @notice The guardian's brakes on the TokenBridge (docs/protocol.md §8.1): the Gateway's pause stops the release of
///         queued transfers, and the owner or the guardian cancels queued entries into refund records, so that a forged
///         burst signed by a compromised quorum is contained without freezing the legitimate queue.
contract TokenBridgeBrakesTest is TokenBridgeFixture {
    address internal mallory = makeAddr("mallory");
    address internal stranger = makeAddr("stranger");

    /// @dev Inbound on B: 10 tokens of capacity, refilling 1 token per second.
    function setUp() public override {
        super.setUp();
        _setLimits(b, address(wrapped), DOMAIN_A, 10e8, 1e8);
    }

    /// @dev A transfer to `to` on B that A's bridge never sent, attested by the (compromised) quorum. Nonces far
    ///      above A's counter so they never collide with real sends.
    function _forge(uint64 nonce, address to, uint64 wire) internal returns (bytes memory m) {
        m = Message.encode(
            nonce,
            DOMAIN_A,
            _toBytes32(address(a.bridge)),
            DOMAIN_B,
            _toBytes32(address(b.bridge)),
            TokenMessage.encode(_toBytes32(address(wrapped)), _toBytes32(to), wire)
        );
        _deliver(b, m);
    }

    function _pause(Gateway gw) internal {
        vm.prank(guardian);
        gw.pause();
    }

    function _unpause(Gateway gw) internal {
        vm.prank(guardian);
        gw.unpause();
    }

    function _queued(uint256 id) internal view returns (address token) {
        (token,,,,,) = b.bridge.queuedTransfer(id);
    }

    // ------------------------------------------------------------------ the incident, end to end

    function test_releaseQueued_forgedBurstContainedByPauseAndCancel() public {
        // Legitimate traffic drains the bucket; one legitimate transfer waits in the queue (id 1).
        _bridgeToB(bob, 10e18);
        bytes memory legit = _send(a, b, address(canonical), alice, bob, 2e18);
        _deliver(b, legit);
        // The compromised quorum attests a burst of forged transfers: all queued behind the rate limit (ids 2..4).
        bytes[] memory forged = new bytes[](3);
        for (uint256 i; i < 3; ++i) {
            forged[i] = _forge(uint64(1_000_000 + i), mallory, 9e8);
        }
        assertEq(b.bridge.nextQueueId(), 5, "four entries queued");
        assertEq(wrapped.balanceOf(mallory), 0, "nothing forged credited yet");

        // The guardian pauses; a day passes and the bucket is full again; nobody can release anything.
        _pause(b.gateway);
        vm.warp(block.timestamp + 1 days);
        assertEq(b.bridge.inboundAvailable(address(wrapped), DOMAIN_A), 10e8, "bucket refilled");
        for (uint256 id = 1; id <= 4; ++id) {
            vm.expectRevert(ITokenBridge.EnforcedPause.selector);
            vm.prank(stranger);
            b.bridge.releaseQueued(id);
        }

        // Still paused, the guardian cancels the forged entries: each becomes a reason-1 refund record.
        for (uint256 i; i < 3; ++i) {
            uint256 id = 2 + i;
            bytes32 messageId = keccak256(forged[i]);
            vm.expectEmit(address(b.bridge));
            emit ITokenBridge.QueuedTransferCancelled(id, messageId, guardian);
            vm.expectEmit(address(b.bridge));
            emit ITokenBridge.TransferRefundable(messageId, DOMAIN_A, uint64(1_000_000 + i), address(wrapped), 9e8, 1);
            vm.prank(guardian);
            b.bridge.cancelQueued(id);
            assertEq(_queued(id), address(0), "entry removed");
            (address token, uint32 origin, uint64 wire, uint64 nonce, uint8 reason) = b.bridge.refundRecord(messageId);
            assertEq(token, address(wrapped), "record token");
            assertEq(origin, DOMAIN_A, "record origin");
            assertEq(wire, 9e8, "record wire");
            assertEq(nonce, 1_000_000 + i, "record nonce");
            assertEq(reason, b.bridge.REFUND_CANCELLED(), "record reason");
        }

        // Unpaused: the legitimate entry still releases; the cancelled ones are gone for good.
        _unpause(b.gateway);
        vm.prank(stranger);
        b.bridge.releaseQueued(1);
        assertEq(wrapped.balanceOf(bob), 12e18, "legitimate transfers credited");
        for (uint256 id = 2; id <= 4; ++id) {
            vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownQueuedTransfer.selector, id));
            b.bridge.releaseQueued(id);
        }
        assertEq(wrapped.balanceOf(mallory), 0, "no forged value ever minted");
        assertEq(wrapped.totalSupply(), canonical.balanceOf(address(a.bridge)), "supply == escrow");
    }

    function test_releaseQueued_refusedWhilePaused() public {
        _bridgeToB(bob, 10e18);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 5e18));
        _pause(b.gateway);
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(Pausable.EnforcedPause.selector); // the same selector as ITokenBridge.EnforcedPause
        b.bridge.releaseQueued(1);
        assertEq(_queued(1), address(wrapped), "still queued");
        _unpause(b.gateway);
        b.bridge.releaseQueued(1);
        assertEq(wrapped.balanceOf(bob), 15e18, "released after unpause");
    }

    // ------------------------------------------------------------------ cancelQueued

    function test_cancelQueued_byOwner() public {
        _bridgeToB(bob, 10e18);
        bytes memory m = _send(a, b, address(canonical), alice, bob, 5e18);
        _deliver(b, m);
        vm.expectEmit(address(b.bridge));
        emit ITokenBridge.QueuedTransferCancelled(1, keccak256(m), owner);
        vm.prank(owner);
        b.bridge.cancelQueued(1);
        (address token,,,,) = b.bridge.refundRecord(keccak256(m));
        assertEq(token, address(wrapped), "refund record");
    }

    function test_cancelQueued_lockModeKeepsValueInEscrow() public {
        // B -> A: A releases from escrow. Cancel an entry queued on A: the escrow keeps its value.
        _bridgeToB(alice, 8e18);
        _setLimits(a, address(canonical), DOMAIN_B, 2e8, 1e8);
        vm.recordLogs();
        vm.prank(alice);
        b.bridge.transferRemote(address(wrapped), DOMAIN_A, _toBytes32(bob), 5e18);
        bytes memory m = _sentMessage(address(b.gateway));
        _deliver(a, m);
        uint256 escrow = canonical.balanceOf(address(a.bridge));
        vm.prank(guardian);
        a.bridge.cancelQueued(1);
        assertEq(canonical.balanceOf(address(a.bridge)), escrow, "escrow unchanged");
        assertEq(canonical.balanceOf(bob), 0, "nothing released");
        (, , uint64 wire, uint64 nonce, uint8 reason) = a.bridge.refundRecord(keccak256(m));
        assertEq(wire, 5e8, "record wire");
        assertEq(nonce, 0, "record nonce (B's first message)");
        assertEq(reason, 1, "cancelled");
    }

    function test_cancelQueued_revertsForStranger() public {
        _bridgeToB(bob, 10e18);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 5e18));
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.NotOwnerOrGuardian.selector, stranger));
        vm.prank(stranger);
        b.bridge.cancelQueued(1);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.NotOwnerOrGuardian.selector, relayer));
        vm.prank(relayer);
        b.bridge.cancelQueued(1);
        assertEq(_queued(1), address(wrapped), "still queued");
    }

    function test_cancelQueued_revertsForFormerGuardian() public {
        _bridgeToB(bob, 10e18);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 5e18));
        address next = makeAddr("next guardian");
        vm.prank(owner);
        b.gateway.setGuardian(next);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.NotOwnerOrGuardian.selector, guardian));
        vm.prank(guardian);
        b.bridge.cancelQueued(1);
        vm.prank(next);
        b.bridge.cancelQueued(1);
        assertEq(_queued(1), address(0), "cancelled by the new guardian");
    }

    function test_cancelQueued_revertsForPendingOwner() public {
        // Ownable2Step: a pending owner has no powers until it accepts.
        _bridgeToB(bob, 10e18);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 5e18));
        vm.prank(owner);
        b.bridge.transferOwnership(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.NotOwnerOrGuardian.selector, stranger));
        vm.prank(stranger);
        b.bridge.cancelQueued(1);
        assertEq(Ownable(address(b.bridge)).owner(), owner, "owner unchanged until accepted");
    }

    function test_cancelQueued_revertsOnUnknownEntry() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownQueuedTransfer.selector, 7));
        vm.prank(guardian);
        b.bridge.cancelQueued(7);
    }

    function test_cancelQueued_revertsTwiceAndAfterRelease() public {
        _bridgeToB(bob, 10e18);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 5e18));
        _deliver(b, _send(a, b, address(canonical), alice, bob, 1e18));
        vm.prank(guardian);
        b.bridge.cancelQueued(1);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownQueuedTransfer.selector, 1));
        vm.prank(guardian);
        b.bridge.cancelQueued(1);
        vm.warp(block.timestamp + 10);
        b.bridge.releaseQueued(2);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownQueuedTransfer.selector, 2));
        vm.prank(guardian);
        b.bridge.cancelQueued(2);
        assertEq(wrapped.balanceOf(bob), 11e18, "only the released one credited");
    }

    function test_cancelQueued_doesNotTouchTheBucket() public {
        _bridgeToB(bob, 10e18);
        _deliver(b, _send(a, b, address(canonical), alice, bob, 5e18));
        vm.warp(block.timestamp + 3);
        uint64 level = b.bridge.inboundAvailable(address(wrapped), DOMAIN_A);
        vm.prank(guardian);
        b.bridge.cancelQueued(1);
        assertEq(b.bridge.inboundAvailable(address(wrapped), DOMAIN_A), level, "bucket untouched");
    }
}
