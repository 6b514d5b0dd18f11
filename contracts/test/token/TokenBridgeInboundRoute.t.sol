// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITokenBridge} from "../../src/token/interfaces/ITokenBridge.sol";
import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";

/// @notice The one-slot inbound route of TokenBridge: word layout, keying by (token, origin, remote bridge),
///         migration when the remote bridge changes, unlink/relink keeping the bucket.
contract TokenBridgeInboundRouteTest is TokenBridgeFixture {
    uint256 internal constant LINKED = uint256(1) << 248;

    function _payload(address token, address recipient, uint64 wire) internal pure returns (bytes memory) {
        return TokenMessage.encode(_toBytes32(token), _toBytes32(recipient), wire);
    }

    function _aBridgeOnB() internal view returns (bytes32) {
        return _toBytes32(address(a.bridge));
    }

    function test_inboundRouteKey_isKeccakOfAbiEncode() public view {
        bytes32 sender = _aBridgeOnB();
        assertEq(
            b.bridge.inboundRouteKey(address(wrapped), DOMAIN_A, sender),
            keccak256(abi.encode(address(wrapped), DOMAIN_A, sender)),
            "key"
        );
    }

    function test_inboundRouteWord_layout() public view {
        uint256 word = a.bridge.inboundRouteWord(address(canonical), DOMAIN_B, _toBytes32(address(b.bridge)));
        assertEq(uint64(word), BIG, "level (full at configuration)");
        assertEq(uint64(word >> 64), BIG, "capacity");
        assertEq(uint64(word >> 128), BIG, "refill per second");
        assertEq(uint40(word >> 192), block.timestamp, "last updated");
        assertEq(uint8(word >> 232), 10, "scale exponent 18 - 8");
        assertEq(uint8(word >> 240), 0, "mode lock");
        assertTrue(word & LINKED != 0, "linked flag");
        uint256 minted = b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, _aBridgeOnB());
        assertEq(uint8(minted >> 240), 1, "mode mint on B");
        // A wrong sender finds an empty word.
        assertEq(a.bridge.inboundRouteWord(address(canonical), DOMAIN_B, _toBytes32(alice)), 0, "other sender");
    }

    function test_handle_consumesBucketInTheRouteWord() public {
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), _payload(address(wrapped), bob, 3e8));
        assertEq(wrapped.balanceOf(bob), 3e18, "minted with the stored scale");
        uint256 word = b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, _aBridgeOnB());
        assertEq(uint64(word), BIG - 3e8, "level consumed");
        assertTrue(word & LINKED != 0, "meta kept");
        assertEq(uint8(word >> 232), 10, "scale kept");
    }

    function test_setRemoteBridge_movesRouteAndBucket() public {
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), _payload(address(wrapped), bob, 3e8));
        uint256 before = b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, _aBridgeOnB());
        bytes32 newBridge = _toBytes32(makeAddr("new bridge on A"));
        vm.prank(owner);
        b.bridge.setRemoteBridge(DOMAIN_A, newBridge);

        assertEq(b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, _aBridgeOnB()), 0, "old key cleared");
        assertEq(b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, newBridge), before, "moved unchanged");
        assertEq(b.bridge.inboundAvailable(address(wrapped), DOMAIN_A), BIG - 3e8, "bucket state kept");

        // The old bridge is no longer accepted; the new one is.
        vm.prank(address(b.gateway));
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRemoteBridge.selector, DOMAIN_A, _aBridgeOnB()));
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), _payload(address(wrapped), bob, 1e8));
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, newBridge, _payload(address(wrapped), bob, 1e8));
        assertEq(wrapped.balanceOf(bob), 4e18, "credited via the new bridge");
    }

    function test_setRemoteBridge_sameBridgeKeepsRoute() public {
        uint256 before = b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, _aBridgeOnB());
        vm.prank(owner);
        b.bridge.setRemoteBridge(DOMAIN_A, _aBridgeOnB());
        assertEq(b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, _aBridgeOnB()), before, "unchanged");
    }

    function test_setRemoteBridge_zeroClosesInboundEvenForZeroSender() public {
        vm.prank(owner);
        b.bridge.setRemoteBridge(DOMAIN_A, bytes32(0));
        // The route moved under the zero sender, but a zero sender is never accepted.
        assertTrue(b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, bytes32(0)) & LINKED != 0, "moved to 0");
        vm.prank(address(b.gateway));
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRemoteBridge.selector, DOMAIN_A, bytes32(0)));
        b.bridge.handle(DOMAIN_A, bytes32(0), _payload(address(wrapped), bob, 1e8));
        // Reopening restores it.
        vm.prank(owner);
        b.bridge.setRemoteBridge(DOMAIN_A, _aBridgeOnB());
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), _payload(address(wrapped), bob, 1e8));
        assertEq(wrapped.balanceOf(bob), 1e18, "credited after reopening");
    }

    function test_linkToken_configuredBeforeRemoteBridgeIsMovedOnSet() public {
        // Domain 7: token registered, limited and linked before any remote bridge exists.
        MockERC20 t = new MockERC20("Seven", "SVN", 6);
        _register(b, address(t), 0, 6);
        _setLimits(b, address(t), 7, 100, 1);
        vm.prank(owner);
        b.bridge.linkToken(address(t), 7, bytes32(uint256(0x77)));
        bytes32 remote = _toBytes32(makeAddr("bridge on 7"));
        vm.prank(owner);
        b.bridge.setRemoteBridge(7, remote);
        uint256 word = b.bridge.inboundRouteWord(address(t), 7, remote);
        assertTrue(word & LINKED != 0, "linked under the new bridge");
        assertEq(uint64(word >> 64), 100, "capacity moved");
        assertEq(uint8(word >> 232), 0, "scale exponent 0");
        t.mint(address(b.bridge), 50);
        vm.prank(address(b.gateway));
        b.bridge.handle(7, remote, _payload(address(t), bob, 50));
        assertEq(t.balanceOf(bob), 50, "released");
    }

    function test_linkToken_unlinkKeepsBucketAndRelinkRestores() public {
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), _payload(address(wrapped), bob, 3e8));
        vm.prank(owner);
        b.bridge.linkToken(address(wrapped), DOMAIN_A, bytes32(0));
        uint256 word = b.bridge.inboundRouteWord(address(wrapped), DOMAIN_A, _aBridgeOnB());
        assertEq(word & LINKED, 0, "unlinked");
        assertEq(uint64(word), BIG - 3e8, "bucket kept");
        vm.prank(address(b.gateway));
        vm.expectRevert(
            abi.encodeWithSelector(ITokenBridge.UnknownRemoteToken.selector, DOMAIN_A, _toBytes32(address(wrapped)))
        );
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), _payload(address(wrapped), bob, 1e8));

        vm.prank(owner);
        b.bridge.linkToken(address(wrapped), DOMAIN_A, _toBytes32(address(canonical)));
        assertEq(b.bridge.inboundAvailable(address(wrapped), DOMAIN_A), BIG - 3e8, "bucket still there");
        vm.prank(address(b.gateway));
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), _payload(address(wrapped), bob, 1e8));
        assertEq(wrapped.balanceOf(bob), 4e18, "credited after relink");
    }

    function test_handle_tokenWithUpperBitsIsUnknown() public {
        bytes32 dirty = bytes32(uint256(uint160(address(wrapped))) | (uint256(1) << 200));
        bytes memory p = TokenMessage.encode(dirty, _toBytes32(bob), 1);
        vm.prank(address(b.gateway));
        vm.expectRevert(abi.encodeWithSelector(ITokenBridge.UnknownRemoteToken.selector, DOMAIN_A, dirty));
        b.bridge.handle(DOMAIN_A, _aBridgeOnB(), p);
    }

    function test_transferRemote_carriesDestinationToken() public {
        bytes memory m = _send(a, b, address(canonical), alice, bob, 2e18);
        (bytes32 token, bytes32 recipient, uint64 wire) = this.decodePayload(m);
        assertEq(token, _toBytes32(address(wrapped)), "destination-side token");
        assertEq(recipient, _toBytes32(bob), "recipient");
        assertEq(wire, 2e8, "wire");
    }

    function decodePayload(bytes calldata m) external pure returns (bytes32, bytes32, uint64) {
        return TokenMessage.decode(m[81:]);
    }
}
