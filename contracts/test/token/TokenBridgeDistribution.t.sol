// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TokenBridge} from "../../src/token/TokenBridge.sol";
import {ITokenBridge} from "../../src/token/interfaces/ITokenBridge.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {Amounts} from "../../src/libraries/Amounts.sol";
import {DistributionMessage} from "../../src/libraries/DistributionMessage.sol";
import {Message} from "../../src/libraries/Message.sol";
import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {FeeOnTransferToken, MockERC20, ReentrantToken} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";

/// @notice `TokenBridge.transferDistribution`: a payout root sent to a claims-capable destination (domain 1003, the
///         Solana program's role; only its 32-byte ids matter here) with tokens taken exactly like `transferRemote`:
///         lock and burn, dust, decimals, the shared outbound bucket, fees, and every rejection. An EVM destination
///         never credits a distribution.
contract TokenBridgeDistributionTest is TokenBridgeFixture {
    uint32 internal constant CLAIMS = 1003;
    bytes32 internal constant CLAIMS_BRIDGE = keccak256("claims-capable bridge (the Solana program id)");
    bytes32 internal constant MINT_FOR_A = keccak256("SPL mint linked to A's canonical token");
    bytes32 internal constant MINT_FOR_B = keccak256("SPL mint linked to B's bridged token");
    bytes32 internal constant ROOT = keccak256("payout root");
    bytes32 internal constant ID = keccak256("distribution 1");

    function setUp() public override {
        super.setUp();
        _openClaims(a, address(canonical), MINT_FOR_A);
        _openClaims(b, address(wrapped), MINT_FOR_B);
    }

    function _openClaims(Chain memory c, address token, bytes32 mint) internal {
        vm.startPrank(owner);
        c.bridge.setRemoteBridge(CLAIMS, CLAIMS_BRIDGE);
        c.bridge.setClaimsCapable(CLAIMS, true);
        c.bridge.linkToken(token, CLAIMS, mint);
        c.bridge.setRateLimits(token, CLAIMS, BIG, BIG, BIG, BIG);
        vm.stopPrank();
    }

    /// @notice `from` approves and distributes `amount` of `token` from `c` to the claims domain; returns the message.
    function _distribute(Chain memory c, address token, address from, uint256 amount, uint32 leafCount, bytes32 id)
        internal
        returns (bytes memory message)
    {
        vm.prank(from);
        MockERC20(token).approve(address(c.bridge), amount);
        vm.recordLogs();
        vm.prank(from);
        c.bridge.transferDistribution(token, CLAIMS, ROOT, amount, leafCount, id);
        message = _sentMessage(address(c.gateway));
    }

    function _payloadOf(bytes memory m) internal pure returns (bytes memory p) {
        p = new bytes(m.length - 81);
        for (uint256 i; i < p.length; ++i) p[i] = m[81 + i];
    }

    // ------------------------------------------------------------------ happy paths

    function test_transferDistribution_locksAndEncodesMessage() public {
        uint256 nonce = a.gateway.nextNonce();
        bytes memory payload = DistributionMessage.encode(ROOT, MINT_FOR_A, 600e8, 3, ID);
        assertEq(payload.length, 109, "109-byte payload");
        bytes memory expected =
            Message.encode(uint64(nonce), DOMAIN_A, _toBytes32(address(a.bridge)), CLAIMS, CLAIMS_BRIDGE, payload);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 600e18);
        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.DistributionSent(keccak256(expected), address(canonical), CLAIMS, alice, ID, ROOT, 3, 600e18, 600e8);
        vm.recordLogs();
        vm.prank(alice);
        bytes32 id = a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 600e18, 3, ID);
        assertEq(id, keccak256(expected), "message id");
        assertEq(_sentMessage(address(a.gateway)), expected, "message bytes");
        assertEq(canonical.balanceOf(address(a.bridge)), 600e18, "locked");
        assertEq(canonical.balanceOf(alice), 1_000_000e18 - 600e18, "taken from alice");
        assertTrue(a.bridge.distributionSent(CLAIMS, ID), "id recorded");
    }

    function test_transferDistribution_burnsInMintMode() public {
        _bridgeToB(bob, 10e18);
        bytes memory m = _distribute(b, address(wrapped), bob, 4e18, 2, ID);
        assertEq(wrapped.balanceOf(bob), 6e18, "burned from bob");
        assertEq(wrapped.totalSupply(), 6e18, "supply down by the distributed amount");
        assertEq(_payloadOf(m), DistributionMessage.encode(ROOT, MINT_FOR_B, 4e8, 2, ID), "payload names B's mint");
        // A's escrow still backs everything: 6 on B + 4 funding the vault on the claims domain.
        assertEq(canonical.balanceOf(address(a.bridge)), 10e18, "escrow unchanged");
    }

    function test_transferDistribution_dustStaysWithSender() public {
        uint256 before = canonical.balanceOf(alice);
        bytes memory m = _distribute(a, address(canonical), alice, 3e18 + 123, 1, ID);
        assertEq(before - canonical.balanceOf(alice), 3e18, "only the dust-free amount taken");
        assertEq(_payloadOf(m), DistributionMessage.encode(ROOT, MINT_FOR_A, 3e8, 1, ID), "total in shared units");
    }

    /// @dev For local decimals {6, 8, 9, 18} (shared = min(L, 8)) and any amount with a non-zero wire amount: the
    ///      payload's total is floor(amount / 10^(L-S)), exactly total * 10^(L-S) is locked, the dust stays.
    function testFuzz_transferDistribution_amountsAndDust(uint256 amount, uint8 i) public {
        uint8[4] memory options = [uint8(6), 8, 9, 18];
        uint8 dec = options[i % 4];
        uint8 shared = dec > 8 ? 8 : dec;
        MockERC20 t = new MockERC20("T", "T", dec);
        vm.startPrank(owner);
        a.bridge.registerToken(address(t), 0, shared);
        a.bridge.linkToken(address(t), CLAIMS, keccak256(abi.encode("mint", dec)));
        a.bridge.setRateLimits(address(t), CLAIMS, type(uint64).max, 0, type(uint64).max, 0);
        vm.stopPrank();
        uint256 scale = 10 ** uint256(dec - shared);
        amount = bound(amount, scale, uint256(type(uint64).max) * scale + scale - 1);
        t.mint(alice, amount);
        bytes memory m = _distribute(a, address(t), alice, amount, 7, ID);
        uint256 dust = amount % scale;
        assertEq(t.balanceOf(alice), dust, "dust stayed with sender");
        assertEq(t.balanceOf(address(a.bridge)), amount - dust, "escrow holds exactly total * 10^(L-S)");
        assertEq(
            _payloadOf(m),
            DistributionMessage.encode(ROOT, keccak256(abi.encode("mint", dec)), uint64(amount / scale), 7, ID),
            "total = floor(amount / 10^(L-S))"
        );
    }

    function test_transferDistribution_sharesTheOutboundBucketWithTransfers() public {
        _setLimits(a, address(canonical), CLAIMS, 100e8, 1e8); // 100 tokens, 1 token/s
        _distribute(a, address(canonical), alice, 60e18, 1, ID);
        assertEq(a.bridge.outboundAvailable(address(canonical), CLAIMS), 40e8, "distribution consumed the bucket");
        vm.prank(alice);
        canonical.approve(address(a.bridge), 41e18);
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.RateLimitExceeded.selector, address(canonical), CLAIMS, 41e8, 40e8)
        );
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 41e18, 1, keccak256("2"));
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.RateLimitExceeded.selector, address(canonical), CLAIMS, 41e8, 40e8)
        );
        vm.prank(alice);
        a.bridge.transferRemote(address(canonical), CLAIMS, _toBytes32(bob), 41e18);
        assertFalse(a.bridge.distributionSent(CLAIMS, keccak256("2")), "a reverted distribution leaves its id free");
        vm.warp(block.timestamp + 1);
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 41e18, 1, keccak256("2"));
        assertEq(a.bridge.outboundAvailable(address(canonical), CLAIMS), 0, "bucket drained after refill");
    }

    function test_transferDistribution_feeQuotedForItsLengthAndOverpaymentRefunded() public {
        vm.prank(owner);
        a.gateway.setFee(CLAIMS, 1000, 10);
        uint256 fee = a.bridge.quoteDistribution(CLAIMS);
        assertEq(fee, a.gateway.quoteFee(CLAIMS, 109), "quoted for 109 bytes");
        assertEq(fee - a.bridge.quoteTransfer(CLAIMS), (109 - 73) * 10, "36 bytes more than a transfer");
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.prank(alice);
        a.bridge.transferDistribution{value: fee + 12345}(address(canonical), CLAIMS, ROOT, 1e18, 1, ID);
        assertEq(alice.balance, 1 ether - fee, "overpayment refunded");
        assertEq(address(a.gateway).balance, fee, "gateway kept the fee");
        assertEq(address(a.bridge).balance, 0, "bridge keeps nothing");
    }

    function test_transferDistribution_insufficientFeeReverts() public {
        vm.prank(owner);
        a.gateway.setFee(CLAIMS, 1000, 10);
        uint256 fee = a.bridge.quoteDistribution(CLAIMS);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.deal(alice, fee - 1);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InsufficientFee.selector, fee, fee - 1));
        vm.prank(alice);
        a.bridge.transferDistribution{value: fee - 1}(address(canonical), CLAIMS, ROOT, 1e18, 1, ID);
    }

    function test_transferDistribution_maxLeafCountAccepted() public {
        bytes memory m = _distribute(a, address(canonical), alice, 1e18, DistributionMessage.MAX_LEAF_COUNT, ID);
        assertEq(_payloadOf(m), DistributionMessage.encode(ROOT, MINT_FOR_A, 1e8, 65_536, ID), "65,536 leaves");
    }

    function test_transferDistribution_sameIdToAnotherClaimsDomain() public {
        uint32 other = 1004;
        vm.startPrank(owner);
        a.bridge.setRemoteBridge(other, keccak256("another claims bridge"));
        a.bridge.setClaimsCapable(other, true);
        a.bridge.linkToken(address(canonical), other, keccak256("another mint"));
        a.bridge.setRateLimits(address(canonical), other, BIG, BIG, BIG, BIG);
        vm.stopPrank();
        _distribute(a, address(canonical), alice, 1e18, 1, ID);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), other, ROOT, 1e18, 1, ID);
        assertTrue(a.bridge.distributionSent(other, ID), "ids are per destination");
    }

    // ------------------------------------------------------------------ rejections

    function test_transferDistribution_unknownRoute() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRoute.selector, 9));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), 9, ROOT, 1e18, 1, ID);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRoute.selector, 9));
        a.bridge.quoteDistribution(9);
    }

    function test_transferDistribution_evmDestinationIsNotClaimsCapable() public {
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.ClaimsUnsupported.selector, DOMAIN_B));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), DOMAIN_B, ROOT, 1e18, 1, ID);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.ClaimsUnsupported.selector, DOMAIN_B));
        a.bridge.quoteDistribution(DOMAIN_B);
        assertEq(canonical.balanceOf(address(a.bridge)), 0, "nothing taken");
    }

    function test_setClaimsCapable_ownerOnlyEmitsAndCloses() public {
        vm.expectRevert(); // OwnableUnauthorizedAccount
        vm.prank(alice);
        a.bridge.setClaimsCapable(CLAIMS, false);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidDomain.selector, DOMAIN_A));
        vm.prank(owner);
        a.bridge.setClaimsCapable(DOMAIN_A, true);
        vm.expectEmit(address(a.bridge));
        emit ITokenBridge.ClaimsCapableSet(CLAIMS, false);
        vm.prank(owner);
        a.bridge.setClaimsCapable(CLAIMS, false);
        assertFalse(a.bridge.claimsCapable(CLAIMS), "closed");
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.ClaimsUnsupported.selector, CLAIMS));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 1e18, 1, ID);
    }

    function test_transferDistribution_zeroRoot() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidPayoutRoot.selector, bytes32(0)));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, bytes32(0), 1e18, 1, ID);
    }

    function test_transferDistribution_invalidLeafCount() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidLeafCount.selector, 0));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 1e18, 0, ID);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.InvalidLeafCount.selector, 65_537));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 1e18, 65_537, ID);
    }

    function test_transferDistribution_reusedIdRejected() public {
        _distribute(a, address(canonical), alice, 1e18, 1, ID);
        vm.prank(alice);
        canonical.approve(address(a.bridge), 1e18);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.DistributionIdUsed.selector, CLAIMS, ID));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 1e18, 1, ID);
        assertEq(canonical.balanceOf(address(a.bridge)), 1e18, "second one took nothing");
    }

    function test_transferDistribution_tokenNotRegistered() public {
        MockERC20 t = new MockERC20("T", "T", 18);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotRegistered.selector, address(t)));
        vm.prank(alice);
        a.bridge.transferDistribution(address(t), CLAIMS, ROOT, 1e18, 1, ID);
    }

    function test_transferDistribution_tokenNotLinked() public {
        MockERC20 t = new MockERC20("T", "T", 18);
        _register(a, address(t), 0, 8);
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.TokenNotLinked.selector, address(t), CLAIMS));
        vm.prank(alice);
        a.bridge.transferDistribution(address(t), CLAIMS, ROOT, 1e18, 1, ID);
    }

    function test_transferDistribution_amountTooSmall() public {
        vm.expectRevert(abi.encodeWithSelector(Amounts.AmountTooSmall.selector, 1e10 - 1));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, 1e10 - 1, 1, ID);
    }

    function test_transferDistribution_amountExceedsWireLimit() public {
        uint256 amount = (uint256(type(uint64).max) + 1) * 1e10;
        vm.expectRevert(abi.encodeWithSelector(Amounts.AmountExceedsWireLimit.selector, amount));
        vm.prank(alice);
        a.bridge.transferDistribution(address(canonical), CLAIMS, ROOT, amount, 1, ID);
    }

    function test_transferDistribution_feeOnTransferRejected() public {
        FeeOnTransferToken t = new FeeOnTransferToken(100); // 1 %
        vm.startPrank(owner);
        a.bridge.registerToken(address(t), 0, 8);
        a.bridge.linkToken(address(t), CLAIMS, keccak256("fee mint"));
        a.bridge.setRateLimits(address(t), CLAIMS, BIG, BIG, BIG, BIG);
        vm.stopPrank();
        t.mint(alice, 1e18);
        vm.prank(alice);
        t.approve(address(a.bridge), 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.FeeOnTransferUnsupported.selector, address(t), 1e18, 0.99e18)
        );
        vm.prank(alice);
        a.bridge.transferDistribution(address(t), CLAIMS, ROOT, 1e18, 1, ID);
    }

    function test_transferDistribution_burnNeedsBalance() public {
        _bridgeToB(bob, 1e18);
        vm.expectRevert(); // ERC20InsufficientBalance from BridgedToken.burn
        vm.prank(bob);
        b.bridge.transferDistribution(address(wrapped), CLAIMS, ROOT, 2e18, 1, ID);
    }

    function test_transferDistribution_reentrancyBlocked() public {
        ReentrantToken t = new ReentrantToken();
        vm.startPrank(owner);
        a.bridge.registerToken(address(t), 0, 8);
        a.bridge.linkToken(address(t), CLAIMS, keccak256("reentrant mint"));
        a.bridge.setRateLimits(address(t), CLAIMS, BIG, BIG, BIG, BIG);
        vm.stopPrank();
        t.mint(address(this), 2e18);
        t.approve(address(a.bridge), 2e18);
        t.arm(
            address(a.bridge),
            abi.encodeCall(TokenBridge.transferDistribution, (address(t), CLAIMS, ROOT, 1e18, 1, keccak256("inner")))
        );
        vm.expectRevert(); // ReentrancyGuardReentrantCall from the inner call, bubbled up by the token
        a.bridge.transferDistribution(address(t), CLAIMS, ROOT, 1e18, 1, ID);
        assertFalse(a.bridge.distributionSent(CLAIMS, ID), "nothing recorded");
    }

    // ------------------------------------------------------------------ an EVM destination never credits kind 2

    function test_handle_distributionDeliveredToEvmFailsAndCreditsNothing() public {
        // A message to B's bridge from A's bridge that carries a distribution (only possible from a non-bridge sender
        // since transferDistribution refuses EVM destinations; here sent by the gateway directly as A's bridge).
        bytes memory payload = DistributionMessage.encode(ROOT, _toBytes32(address(wrapped)), 5e8, 1, ID);
        vm.recordLogs();
        vm.prank(address(a.bridge));
        a.gateway.send(DOMAIN_B, _toBytes32(address(b.bridge)), payload);
        bytes memory m = _sentMessage(address(a.gateway));
        _deliver(b, m);
        assertEq(uint256(b.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");
        assertEq(wrapped.totalSupply(), 0, "nothing minted");
        vm.expectRevert(abi.encodeWithSelector(TokenMessage.TokenMessageInvalidLength.selector, 109));
        b.gateway.retry(m);
    }
}
