// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {BridgedToken} from "../../src/token/BridgedToken.sol";
import {TokenBridge} from "../../src/token/TokenBridge.sol";
import {ITokenBridge} from "../../src/token/interfaces/ITokenBridge.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {Amounts} from "../../src/libraries/Amounts.sol";
import {RateLimit} from "../../src/libraries/RateLimit.sol";
import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";

/// @notice Construction, configuration, access control and views of TokenBridge.
contract TokenBridgeConfigTest is TokenBridgeFixture {
    address internal stranger = makeAddr("stranger");

    // ------------------------------------------------------------------ constructor / receive

    function test_constructor_setsGatewayAndOwner() public view {
        assertEq(address(a.bridge.gateway()), address(a.gateway), "gateway");
        assertEq(a.bridge.owner(), owner, "owner");
        assertEq(a.bridge.nextQueueId(), 1, "queue ids start at 1");
    }

    function test_constructor_zeroGateway() public {
        vm.expectRevert(ITokenBridge.ZeroAddress.selector);
        new TokenBridge(IGateway(address(0)), owner);
    }

    function test_constructor_zeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new TokenBridge(IGateway(address(a.gateway)), address(0));
    }

    function test_receive_onlyGateway() public {
        vm.deal(stranger, 1 ether);
        vm.prank(stranger);
        (bool ok, bytes memory ret) = address(a.bridge).call{value: 1}("");
        assertFalse(ok, "stranger's ETH rejected");
        assertEq(ret, abi.encodeWithSelector(ITokenBridge.OnlyGateway.selector), "OnlyGateway");
        vm.deal(address(a.gateway), 1 ether);
        vm.prank(address(a.gateway));
        (ok,) = address(a.bridge).call{value: 1}("");
        assertTrue(ok, "gateway's refund accepted");
    }

    // ------------------------------------------------------------------ setRemoteBridge

    function test_setRemoteBridge_setsAndEmits() public {
        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.RemoteBridgeSet(7, bytes32(uint256(0xB0B)));
        vm.prank(owner);
        a.bridge.setRemoteBridge(7, bytes32(uint256(0xB0B)));
        assertEq(a.bridge.remoteBridge(7), bytes32(uint256(0xB0B)), "stored");
    }

    function test_setRemoteBridge_onlyOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        a.bridge.setRemoteBridge(7, bytes32(uint256(1)));
    }

    function test_setRemoteBridge_invalidDomainZero() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidDomain.selector, 0));
        vm.prank(owner);
        a.bridge.setRemoteBridge(0, bytes32(uint256(1)));
    }

    function test_setRemoteBridge_invalidDomainLocal() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidDomain.selector, DOMAIN_A));
        vm.prank(owner);
        a.bridge.setRemoteBridge(DOMAIN_A, bytes32(uint256(1)));
    }

    function test_setRemoteBridge_zeroClosesRoute() public {
        vm.prank(owner);
        a.bridge.setRemoteBridge(DOMAIN_B, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRoute.selector, DOMAIN_B));
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    // ------------------------------------------------------------------ registerToken

    function test_registerToken_storesConfigAndEmits() public {
        MockERC20 t = new MockERC20("T", "T", 6);
        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.TokenRegistered(address(t), 0, 6, 6);
        _register(a, address(t), 0, 6);
        (bool registered, uint8 mode, uint8 l, uint8 s) = a.bridge.tokenConfig(address(t));
        assertTrue(registered, "registered");
        assertEq(mode, 0, "mode");
        assertEq(l, 6, "local decimals read from token");
        assertEq(s, 6, "shared");
    }

    function test_registerToken_onlyOwner() public {
        MockERC20 t = new MockERC20("T", "T", 6);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        a.bridge.registerToken(address(t), 0, 6);
    }

    function test_registerToken_zeroAddress() public {
        vm.expectRevert(ITokenBridge.ZeroAddress.selector);
        vm.prank(owner);
        a.bridge.registerToken(address(0), 0, 6);
    }

    function test_registerToken_invalidMode() public {
        MockERC20 t = new MockERC20("T", "T", 6);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidMode.selector, 2));
        vm.prank(owner);
        a.bridge.registerToken(address(t), 2, 6);
    }

    function test_registerToken_alreadyRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenAlreadyRegistered.selector, address(canonical)));
        vm.prank(owner);
        a.bridge.registerToken(address(canonical), 0, 8);
    }

    function test_registerToken_notBridgeMintable() public {
        // A BridgedToken of chain B's bridge cannot be registered in mint mode on chain A's bridge.
        BridgedToken other = new BridgedToken("X", "X", 18, address(b.bridge));
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.NotBridgeMintable.selector, address(other)));
        vm.prank(owner);
        a.bridge.registerToken(address(other), 1, 8);
    }

    function test_registerToken_invalidDecimals() public {
        MockERC20 t = new MockERC20("T", "T", 6);
        vm.expectRevert(abi.encodeWithSelector(Amounts.InvalidDecimals.selector, 6, 8));
        vm.prank(owner);
        a.bridge.registerToken(address(t), 0, 8);
    }

    // ------------------------------------------------------------------ linkToken

    function test_linkToken_linksBothLookups() public view {
        assertEq(a.bridge.remoteToken(address(canonical), DOMAIN_B), _toBytes32(address(wrapped)), "outbound");
        (address token, uint8 mode, uint8 l, uint8 s) = a.bridge.inboundRoute(DOMAIN_B, _toBytes32(address(wrapped)));
        assertEq(token, address(canonical), "inbound token");
        assertEq(mode, 0, "inbound mode");
        assertEq(l, 18, "inbound local decimals");
        assertEq(s, 8, "inbound shared decimals");
    }

    function test_linkToken_emits() public {
        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.TokenLinked(address(canonical), 7, bytes32(uint256(0xAB)));
        vm.prank(owner);
        a.bridge.linkToken(address(canonical), 7, bytes32(uint256(0xAB)));
    }

    function test_linkToken_onlyOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        a.bridge.linkToken(address(canonical), DOMAIN_B, bytes32(uint256(1)));
    }

    function test_linkToken_tokenNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotRegistered.selector, address(0xdead)));
        vm.prank(owner);
        a.bridge.linkToken(address(0xdead), DOMAIN_B, bytes32(uint256(1)));
    }

    function test_linkToken_invalidDomain() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidDomain.selector, DOMAIN_A));
        vm.prank(owner);
        a.bridge.linkToken(address(canonical), DOMAIN_A, bytes32(uint256(1)));
    }

    function test_linkToken_remoteTokenAlreadyLinked() public {
        MockERC20 t = new MockERC20("T", "T", 18);
        _register(a, address(t), 0, 8);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITokenBridge.RemoteTokenAlreadyLinked.selector, DOMAIN_B, _toBytes32(address(wrapped)), address(canonical)
            )
        );
        vm.prank(owner);
        a.bridge.linkToken(address(t), DOMAIN_B, _toBytes32(address(wrapped)));
    }

    function test_linkToken_relinkReplacesInbound() public {
        vm.prank(owner);
        a.bridge.linkToken(address(canonical), DOMAIN_B, bytes32(uint256(0xAB)));
        (address old,,,) = a.bridge.inboundRoute(DOMAIN_B, _toBytes32(address(wrapped)));
        assertEq(old, address(0), "old inbound route removed");
        (address now_,,,) = a.bridge.inboundRoute(DOMAIN_B, bytes32(uint256(0xAB)));
        assertEq(now_, address(canonical), "new inbound route");
    }

    function test_linkToken_zeroUnlinks() public {
        vm.prank(owner);
        a.bridge.linkToken(address(canonical), DOMAIN_B, bytes32(0));
        assertEq(a.bridge.remoteToken(address(canonical), DOMAIN_B), bytes32(0), "unlinked");
        (address old,,,) = a.bridge.inboundRoute(DOMAIN_B, _toBytes32(address(wrapped)));
        assertEq(old, address(0), "inbound removed");
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotLinked.selector, address(canonical), DOMAIN_B));
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    // ------------------------------------------------------------------ setRateLimits

    function test_setRateLimits_configuresBothBucketsAndEmits() public {
        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.RateLimitsSet(address(canonical), DOMAIN_B, 100, 1, 200, 2);
        vm.prank(owner);
        a.bridge.setRateLimits(address(canonical), DOMAIN_B, 100, 1, 200, 2);
        assertEq(a.bridge.outboundAvailable(address(canonical), DOMAIN_B), 100, "out");
        assertEq(a.bridge.inboundAvailable(address(canonical), DOMAIN_B), 200, "in");
        (uint64 level, uint64 capacity, uint64 refill, uint40 last) =
            a.bridge.inboundBucket(address(canonical), DOMAIN_B);
        assertEq(level, 200, "level");
        assertEq(capacity, 200, "capacity");
        assertEq(refill, 2, "refill");
        assertEq(last, block.timestamp, "lastUpdated");
    }

    function test_setRateLimits_onlyOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        a.bridge.setRateLimits(address(canonical), DOMAIN_B, 1, 1, 1, 1);
    }

    function test_setRateLimits_tokenNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotRegistered.selector, address(0xdead)));
        vm.prank(owner);
        a.bridge.setRateLimits(address(0xdead), DOMAIN_B, 1, 1, 1, 1);
    }

    function test_setRateLimits_invalidDomain() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidDomain.selector, 0));
        vm.prank(owner);
        a.bridge.setRateLimits(address(canonical), 0, 1, 1, 1, 1);
    }

    function test_setRateLimits_unlimited() public {
        vm.prank(owner);
        a.bridge.setRateLimits(address(canonical), DOMAIN_B, type(uint64).max, 0, type(uint64).max, 0);
        uint256 amount = 900_000e18;
        vm.prank(alice);
        canonical.approve(address(a.bridge), amount);
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), amount);
        assertEq(a.bridge.outboundAvailable(address(canonical), DOMAIN_B), RateLimit.UNLIMITED, "still unlimited");
    }

    function test_setRateLimits_closedByDefault() public {
        MockERC20 t = new MockERC20("T", "T", 18);
        _register(a, address(t), 0, 8);
        vm.prank(owner);
        a.bridge.linkToken(address(t), DOMAIN_B, bytes32(uint256(0xAB)));
        t.mint(alice, 1e18);
        vm.prank(alice);
        t.approve(address(a.bridge), 1e18);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.RateLimitExceeded.selector, address(t), DOMAIN_B, 1e8, 0));
        vm.prank(alice);
        a.bridge.transferRemote(address(t), DOMAIN_B, _toBytes32(bob), 1e18);
    }

    // ------------------------------------------------------------------ views

    function test_outboundAvailable_refillsToCapacity() public {
        _setLimits(a, address(canonical), DOMAIN_B, 100e8, 1e8);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 60e18);
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), DOMAIN_B, _toBytes32(bob), 60e18);
        assertEq(a.bridge.outboundAvailable(address(canonical), DOMAIN_B), 40e8, "after send");
        vm.warp(block.timestamp + 30);
        assertEq(a.bridge.outboundAvailable(address(canonical), DOMAIN_B), 70e8, "refilled");
        vm.warp(block.timestamp + 1 days);
        assertEq(a.bridge.outboundAvailable(address(canonical), DOMAIN_B), 100e8, "capped at capacity");
    }

    function test_inboundAvailable_unconfiguredIsZero() public view {
        assertEq(a.bridge.inboundAvailable(address(canonical), 7), 0, "closed route");
        assertEq(a.bridge.inboundAvailable(address(canonical), DOMAIN_B), BIG, "configured route");
    }

    // ------------------------------------------------------------------ ownership

    function test_transferOwnership_twoStep() public {
        vm.prank(owner);
        a.bridge.transferOwnership(stranger);
        assertEq(a.bridge.owner(), owner, "not yet");
        vm.prank(stranger);
        a.bridge.acceptOwnership();
        assertEq(a.bridge.owner(), stranger, "accepted");
    }

    // ------------------------------------------------------------------ quoteTransfer

    function test_quoteTransfer_usesGatewayFee() public {
        vm.prank(owner);
        a.gateway.setFee(DOMAIN_B, 1000, 3);
        assertEq(a.bridge.quoteTransfer(DOMAIN_B), 1000 + 3 * TokenMessage.LENGTH, "fee for 73 bytes");
    }

    function test_quoteTransfer_unknownRoute() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRoute.selector, 7));
        a.bridge.quoteTransfer(7);
    }
}
