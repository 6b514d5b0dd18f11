// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {BridgedToken} from "../../src/token/BridgedToken.sol";
import {TokenBridge} from "../../src/token/TokenBridge.sol";
import {ITokenBridge} from "../../src/token/interfaces/ITokenBridge.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {
    FeeOnTransferToken, MockERC20, NoReturnToken, RebasingToken, ReentrantToken, ReturnsFalseToken
} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";

/// @notice TokenBridge against misbehaving canonical tokens (lock mode on chain A, BridgedToken on chain B).
contract TokenBridgeTokensTest is TokenBridgeFixture {
    /// @dev Registers `token` (lock, shared `shared`) on A, a BridgedToken on B, links both and opens the limits.
    function _route(address token, uint8 decimals_, uint8 shared) internal returns (BridgedToken w) {
        w = new BridgedToken("W", "W", decimals_, address(b.bridge));
        _register(a, token, 0, shared);
        _register(b, address(w), 1, shared);
        _link(a, token, b, address(w));
        _setLimits(a, token, DOMAIN_B, BIG, BIG);
        _setLimits(b, address(w), DOMAIN_A, BIG, BIG);
    }

    function _sendRaw(address token, address from, uint256 amount) internal returns (bytes memory) {
        vm.recordLogs();
        vm.prank(from);
        a.bridge.transferRemote(token, DOMAIN_B, _toBytes32(from), amount);
        return _sentMessage(address(a.gateway));
    }

    // ------------------------------------------------------------------ fee-on-transfer

    function test_transferRemote_feeOnTransferUnsupported() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(100); // 1%
        _route(address(fot), 18, 8);
        fot.mint(alice, 100e18);
        vm.prank(alice);
        fot.approve(address(a.bridge), 100e18);
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.FeeOnTransferUnsupported.selector, address(fot), 10e18, 9.9e18)
        );
        vm.prank(alice);
        a.bridge.transferRemote(address(fot), DOMAIN_B, _toBytes32(bob), 10e18);
        assertEq(fot.balanceOf(alice), 100e18, "nothing taken");
    }

    // ------------------------------------------------------------------ rebasing

    /// @dev The escrow rebases down below what a release needs: the release reverts, the Gateway records the
    ///      message as failed, nothing is lost; once the escrow is topped up (rebased back), retry succeeds.
    function test_handle_rebasingDownReleaseFailsThenRetrySucceeds() public {
        RebasingToken reb = new RebasingToken(); // owner = this test
        BridgedToken w = _route(address(reb), 18, 8);
        reb.mint(alice, 100e18);
        vm.prank(alice);
        reb.approve(address(a.bridge), 100e18);
        _deliver(b, _sendRaw(address(reb), alice, 100e18));
        assertEq(w.balanceOf(alice), 100e18, "minted on B");

        reb.rebase(0.5e18); // escrow now reads 50
        vm.recordLogs();
        vm.prank(alice);
        b.bridge.transferRemote(address(w), DOMAIN_A, _toBytes32(bob), 100e18);
        bytes memory m = _sentMessage(address(b.gateway));
        _deliver(a, m);
        assertEq(uint256(a.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "recorded failed");
        assertEq(reb.balanceOf(bob), 0, "nothing released");

        vm.expectRevert(RebasingToken.InsufficientBalance.selector);
        a.gateway.retry(m);
        assertEq(uint256(a.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "still failed");

        reb.rebase(1e18); // topped up
        a.gateway.retry(m);
        assertEq(uint256(a.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered");
        assertEq(reb.balanceOf(bob), 100e18, "released in full");
    }

    // ------------------------------------------------------------------ no return value (USDT-like)

    function test_transferRemote_noReturnValueTokenWorks() public {
        NoReturnToken usdt = new NoReturnToken(); // 6 decimals
        BridgedToken w = _route(address(usdt), 6, 6);
        usdt.mint(alice, 1000e6);
        vm.prank(alice);
        usdt.approve(address(a.bridge), 1000e6);
        _deliver(b, _sendRaw(address(usdt), alice, 250e6));
        assertEq(usdt.balanceOf(address(a.bridge)), 250e6, "locked");
        assertEq(w.balanceOf(alice), 250e6, "minted");
        // and back: release through SafeERC20.safeTransfer
        vm.recordLogs();
        vm.prank(alice);
        b.bridge.transferRemote(address(w), DOMAIN_A, _toBytes32(bob), 100e6);
        _deliver(a, _sentMessage(address(b.gateway)));
        assertEq(usdt.balanceOf(bob), 100e6, "released");
        assertEq(usdt.balanceOf(address(a.bridge)), 150e6, "escrow");
    }

    // ------------------------------------------------------------------ returns false

    function test_transferRemote_returnsFalseTokenRejected() public {
        ReturnsFalseToken bad = new ReturnsFalseToken();
        _route(address(bad), 6, 6);
        bad.mint(alice, 1000e6);
        vm.prank(alice);
        bad.approve(address(a.bridge), 1000e6);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(bad)));
        vm.prank(alice);
        a.bridge.transferRemote(address(bad), DOMAIN_B, _toBytes32(bob), 10e6);
    }

    // ------------------------------------------------------------------ reentrancy

    function test_transferRemote_reentrantTokenBlocked() public {
        ReentrantToken ree = new ReentrantToken();
        _route(address(ree), 18, 8);
        ree.mint(alice, 100e18);
        vm.prank(alice);
        ree.approve(address(a.bridge), 100e18);
        // During the lock's transferFrom, the token re-enters transferRemote (as itself).
        ree.arm(
            address(a.bridge),
            abi.encodeCall(TokenBridge.transferRemote, (address(ree), DOMAIN_B, _toBytes32(bob), 1e18))
        );
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        a.bridge.transferRemote(address(ree), DOMAIN_B, _toBytes32(bob), 10e18);
    }

    function test_handle_reentrantTokenBlockedOnRelease() public {
        ReentrantToken ree = new ReentrantToken();
        BridgedToken w = _route(address(ree), 18, 8);
        ree.mint(alice, 100e18);
        vm.prank(alice);
        ree.approve(address(a.bridge), 100e18);
        _deliver(b, _sendRaw(address(ree), alice, 50e18));

        // Queue one inbound transfer on A, then make the release of another try to re-enter releaseQueued.
        _setLimits(a, address(ree), DOMAIN_B, 1e8, 0);
        vm.recordLogs();
        vm.prank(alice);
        b.bridge.transferRemote(address(w), DOMAIN_A, _toBytes32(bob), 5e18);
        _deliver(a, _sentMessage(address(b.gateway))); // queued as id 1
        _setLimits(a, address(ree), DOMAIN_B, BIG, BIG);
        vm.warp(block.timestamp + 1); // a raised capacity fills by refill, not at once
        ree.arm(address(a.bridge), abi.encodeCall(TokenBridge.releaseQueued, (1)));

        vm.recordLogs();
        vm.prank(alice);
        b.bridge.transferRemote(address(w), DOMAIN_A, _toBytes32(bob), 7e18);
        bytes memory m = _sentMessage(address(b.gateway));
        _deliver(a, m);
        assertEq(uint256(a.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "re-entry failed it");
        assertEq(ree.balanceOf(bob), 0, "nothing released");

        // Still armed (the failed call's state was rolled back): a retry hits the guard again.
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        a.gateway.retry(m);
        // Disarmed, both go through exactly once.
        ree.arm(address(0), "");
        a.gateway.retry(m);
        a.bridge.releaseQueued(1);
        assertEq(ree.balanceOf(bob), 12e18, "both credited once");
    }
}
