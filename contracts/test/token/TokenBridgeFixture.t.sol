// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {BridgedToken} from "../../src/token/BridgedToken.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {TokenBridge} from "../../src/token/TokenBridge.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {Test} from "../utils/Test.sol";
import {Vm, vm} from "../utils/Vm.sol";

/// @notice Two full maskoii deployments in one EVM (domain 1001 = chain A, domain 1002 = chain B), each with the
///         REAL AttesterSet (19 attesters, 13-of-19 quorum), Gateway and TokenBridge, plus relay helpers that sign
///         attestations with the harness keys and deliver. Default route: an 18-decimal canonical token locked on A,
///         an 18-decimal BridgedToken minted on B, 8 shared decimals.
abstract contract TokenBridgeFixture is Test, AttesterHarness {
    uint32 internal constant DOMAIN_A = 1001;
    uint32 internal constant DOMAIN_B = 1002;
    uint256 internal constant ATTESTERS = 19;
    uint256 internal constant QUORUM = 13;
    uint64 internal constant BIG = 1e15; // shared units: 10 million tokens at 8 shared decimals
    bytes32 internal constant MESSAGE_SENT_TOPIC = keccak256("MessageSent(bytes32,uint32,uint64,bytes)");

    struct Chain {
        uint32 domain;
        AttesterSet set;
        Gateway gateway;
        TokenBridge bridge;
    }

    address internal owner = makeAddr("owner");
    address internal guardian = makeAddr("guardian");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal relayer = makeAddr("relayer");

    uint256[] internal attesterKeys;
    Chain internal a;
    Chain internal b;
    MockERC20 internal canonical;
    BridgedToken internal wrapped;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        a = _deployChain(DOMAIN_A);
        b = _deployChain(DOMAIN_B);
        _linkBridges();
        (canonical, wrapped) = _newRoute(18, 18, 8, BIG, BIG);
        canonical.mint(alice, 1_000_000e18);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Deployment
    // ------------------------------------------------------------------------------------------------------------

    function _deployChain(uint32 domain) internal returns (Chain memory c) {
        uint256[] memory keys;
        (c.gateway, keys) = _deployGateway(domain, owner, guardian, _attesterCount(), _thresholdBps());
        c.set = c.gateway; // the gateway is its chain's attester set
        if (attesterKeys.length == 0) attesterKeys = keys;
        c.domain = domain;
        c.bridge = new TokenBridge(IGateway(address(c.gateway)), owner);
    }

    /// @dev Attester set shape of both chains (default: the benchmark's 13 of 19); gas tests override it.
    function _attesterCount() internal pure virtual returns (uint256) {
        return ATTESTERS;
    }

    function _thresholdBps() internal pure virtual returns (uint16) {
        return THRESHOLD_13_OF_19;
    }

    function _quorum() internal pure virtual returns (uint256) {
        return QUORUM;
    }

    function _linkBridges() internal {
        vm.prank(owner);
        a.bridge.setRemoteBridge(DOMAIN_B, _toBytes32(address(b.bridge)));
        vm.prank(owner);
        b.bridge.setRemoteBridge(DOMAIN_A, _toBytes32(address(a.bridge)));
    }

    /// @notice A fresh canonical token (lock mode) on A and its BridgedToken (mint mode) on B, linked both ways,
    ///         with the given rate limits (same for both directions and both chains).
    function _newRoute(uint8 decimalsA, uint8 decimalsB, uint8 shared, uint64 capacity, uint64 refill)
        internal
        returns (MockERC20 token, BridgedToken bridged)
    {
        token = new MockERC20("Canonical", "CAN", decimalsA);
        bridged = new BridgedToken("Bridged", "bCAN", decimalsB, address(b.bridge));
        _register(a, address(token), 0, shared);
        _register(b, address(bridged), 1, shared);
        _link(a, address(token), b, address(bridged));
        _setLimits(a, address(token), DOMAIN_B, capacity, refill);
        _setLimits(b, address(bridged), DOMAIN_A, capacity, refill);
    }

    function _register(Chain memory c, address token, uint8 mode, uint8 shared) internal {
        vm.prank(owner);
        c.bridge.registerToken(token, mode, shared);
    }

    function _link(Chain memory c1, address t1, Chain memory c2, address t2) internal {
        vm.prank(owner);
        c1.bridge.linkToken(t1, c2.domain, _toBytes32(t2));
        vm.prank(owner);
        c2.bridge.linkToken(t2, c1.domain, _toBytes32(t1));
    }

    function _setLimits(Chain memory c, address token, uint32 remote, uint64 capacity, uint64 refill) internal {
        vm.prank(owner);
        c.bridge.setRateLimits(token, remote, capacity, refill, capacity, refill);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sending and relaying
    // ------------------------------------------------------------------------------------------------------------

    /// @notice `from` approves and sends `amount` of `token` from chain `src` to `recipient` on `dst`; returns the
    ///         Gateway's message as emitted in MessageSent.
    function _send(Chain memory src, Chain memory dst, address token, address from, address recipient, uint256 amount)
        internal
        returns (bytes memory message)
    {
        return _sendTo(src, dst, token, from, _toBytes32(recipient), amount);
    }

    /// @notice `_send` to a raw 32-byte recipient (e.g. one an EVM destination can never credit).
    function _sendTo(Chain memory src, Chain memory dst, address token, address from, bytes32 recipient, uint256 amount)
        internal
        returns (bytes memory message)
    {
        vm.prank(from);
        MockERC20(token).approve(address(src.bridge), amount);
        vm.recordLogs();
        vm.prank(from);
        src.bridge.transferRemote(token, dst.domain, recipient, amount);
        message = _sentMessage(address(src.gateway));
    }

    /// @notice The message of the last MessageSent emitted by `gateway` since `vm.recordLogs()`.
    function _sentMessage(address gateway) internal returns (bytes memory message) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = logs.length; i > 0; --i) {
            Vm.Log memory l = logs[i - 1];
            if (l.emitter == gateway && l.topics.length > 0 && l.topics[0] == MESSAGE_SENT_TOPIC) {
                return abi.decode(l.data, (bytes));
            }
        }
        revert AssertionFailed("no MessageSent");
    }

    /// @notice A 13-of-19 MessageAttestation of `message` for `dst`'s gateway by the current set.
    function _attestFor(Chain memory dst, bytes memory message) internal view returns (bytes memory) {
        return _attestMessage(
            dst.domain, address(dst.gateway), dst.set.currentSetId(), keccak256(message), attesterKeys, _quorum()
        );
    }

    /// @notice Relays `message` to `dst` with a fresh attestation.
    function _deliver(Chain memory dst, bytes memory message) internal {
        bytes memory att = _attestFor(dst, message);
        vm.prank(relayer);
        dst.gateway.deliver(message, att);
    }

    /// @notice Alice locks `amount` canonical on A and it is minted to `to` on B.
    function _bridgeToB(address to, uint256 amount) internal {
        _deliver(b, _send(a, b, address(canonical), alice, to, amount));
    }
}
