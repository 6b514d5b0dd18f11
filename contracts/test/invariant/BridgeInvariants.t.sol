// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BridgedToken} from "../../src/BridgedToken.sol";
import {Gateway} from "../../src/Gateway.sol";
import {TokenBridge} from "../../src/TokenBridge.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "../TokenBridgeFixture.t.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {Vm, vm} from "../utils/Vm.sol";

/// @notice Drives two linked deployments (A = 1001 lock mode, B = 1002 mint mode) through random sends, relays
///         (single and batched), redelivery attempts, time warps and queue releases, and distributions (payout
///         roots) from either chain to a claims-capable domain (1003, the Solana program's role, not simulated: what
///         a distribution takes funds a vault there), keeping ghost accounting of what is in flight.
contract BridgeHandler is AttesterHarness {
    bytes32 internal constant DELIVERED_TOPIC = keccak256("MessageDelivered(bytes32,uint32,uint64)");
    bytes32 internal constant FAILED_TOPIC = keccak256("MessageFailed(bytes32,uint32,uint64,bytes)");
    bytes32 internal constant SENT_TOPIC = keccak256("MessageSent(bytes32,uint32,uint64,bytes)");
    uint256 internal constant SCALE = 1e10; // 18 local decimals, 8 shared
    uint256 internal constant QUORUM = 13;
    uint32 internal constant CLAIMS = 1003;

    /// @notice The handler expected a MessageSent log from `gateway` and found none.
    error NoMessageSent(address gateway);

    Gateway public immutable gatewayA;
    Gateway public immutable gatewayB;
    TokenBridge public immutable bridgeA;
    TokenBridge public immutable bridgeB;
    MockERC20 public immutable canonical;
    BridgedToken public immutable wrapped;
    uint256[] internal keys;
    address[] internal actors;

    /// @dev Messages sent but not yet delivered, per destination.
    bytes[] internal pendingToA;
    bytes[] internal pendingToB;
    /// @dev Messages delivered, per destination (for redelivery attempts).
    bytes[] internal deliveredToA;
    bytes[] internal deliveredToB;

    mapping(bytes32 messageId => uint256) public deliveredTimes;
    bool public doubleDelivery;
    uint256 public failures;
    uint256 public redeliveryAttempts;
    uint256 public sends;
    uint256 public relays;
    uint256 public batches;
    uint256 public releases;
    uint256 public skippedInBatch;
    /// @dev Local units taken by distributions (locked on A or burned on B) and sent to the claims domain.
    uint256 public distributed;
    uint256 public distributions;
    bool public reusedIdAccepted;
    bytes32 internal lastDistributionId;
    bool internal lastFromA;

    constructor(
        Gateway gatewayA_,
        Gateway gatewayB_,
        TokenBridge bridgeA_,
        TokenBridge bridgeB_,
        MockERC20 canonical_,
        BridgedToken wrapped_,
        uint256[] memory keys_
    ) {
        gatewayA = gatewayA_;
        gatewayB = gatewayB_;
        bridgeA = bridgeA_;
        bridgeB = bridgeB_;
        canonical = canonical_;
        wrapped = wrapped_;
        keys = keys_;
        for (uint256 i; i < 3; ++i) {
            actors.push(vm.addr(uint256(keccak256(abi.encode("maskoii.actor", i)))));
        }
    }

    // ------------------------------------------------------------------ actions

    /// @notice An actor locks canonical tokens on A for a random recipient on B.
    function sendAtoB(uint256 actorSeed, uint256 recipientSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        amount = _bound(amount, SCALE, 50_000e18 + SCALE - 1);
        canonical.mint(actor, amount);
        vm.prank(actor);
        canonical.approve(address(bridgeA), amount);
        vm.recordLogs();
        vm.prank(actor);
        try bridgeA.transferRemote(address(canonical), 1002, _toBytes32(actors[recipientSeed % actors.length]), amount)
        {
            pendingToB.push(_sent(address(gatewayA)));
            ++sends;
        } catch {
            vm.getRecordedLogs();
        }
    }

    /// @notice An actor holding bridged tokens on B burns some of them for a random recipient on A.
    function sendBtoA(uint256 actorSeed, uint256 recipientSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        uint256 balance = wrapped.balanceOf(actor);
        if (balance < SCALE) return;
        amount = _bound(amount, SCALE, balance);
        vm.recordLogs();
        vm.prank(actor);
        try bridgeB.transferRemote(address(wrapped), 1001, _toBytes32(actors[recipientSeed % actors.length]), amount)
        {
            pendingToA.push(_sent(address(gatewayB)));
            ++sends;
        } catch {
            vm.getRecordedLogs();
        }
    }

    /// @notice An actor distributes a payout root to the claims domain: locking canonical tokens on A, or burning
    ///         bridged tokens it holds on B. Sometimes it reuses the last id, which must be refused.
    function distribute(bool fromA, uint256 actorSeed, uint256 amount, uint256 leafSeed, bool reuseId) external {
        address actor = actors[actorSeed % actors.length];
        TokenBridge bridge = fromA ? bridgeA : bridgeB;
        address token = fromA ? address(canonical) : address(wrapped);
        if (fromA) {
            amount = _bound(amount, SCALE, 50_000e18 + SCALE - 1);
            canonical.mint(actor, amount);
            vm.prank(actor);
            canonical.approve(address(bridgeA), amount);
        } else {
            uint256 balance = wrapped.balanceOf(actor);
            if (balance < SCALE) return;
            amount = _bound(amount, SCALE, balance);
        }
        bool reuse = reuseId && distributions != 0;
        bytes32 id = reuse ? lastDistributionId : keccak256(abi.encode("maskoii.distribution", distributions));
        uint32 leafCount = uint32(_bound(leafSeed, 1, 65_536));
        vm.prank(actor);
        try bridge.transferDistribution(token, CLAIMS, keccak256(abi.encode(id, "root")), amount, leafCount, id) {
            if (reuse && fromA == lastFromA) reusedIdAccepted = true;
            distributed += amount - amount % SCALE;
            lastDistributionId = id;
            lastFromA = fromA;
            ++distributions;
        } catch {}
    }

    /// @notice Relays one pending message with a fresh 13-of-19 attestation.
    function relay(bool toA, uint256 index) external {
        bytes[] storage pending = toA ? pendingToA : pendingToB;
        if (pending.length == 0) return;
        uint256 i = index % pending.length;
        bytes memory m = pending[i];
        Gateway gw = toA ? gatewayA : gatewayB;
        bytes memory att =
            _attestMessage(toA ? 1001 : 1002, address(gw), gw.attesterSet().currentSetId(), keccak256(m), keys, QUORUM);
        vm.recordLogs();
        gw.deliver(m, att);
        _scanLogs();
        _markDelivered(toA, i);
        ++relays;
    }

    /// @notice Relays up to four pending messages to one destination in a batch; when possible the batch also
    ///         carries one already delivered message, which must be skipped.
    function relayBatch(bool toA, uint256 count, bool includeDelivered) external {
        bytes[] storage pending = toA ? pendingToA : pendingToB;
        bytes[] storage delivered = toA ? deliveredToA : deliveredToB;
        if (pending.length == 0) return;
        uint256 fresh = _bound(count, 1, pending.length < 4 ? pending.length : 4);
        bool extra = includeDelivered && delivered.length != 0;
        uint256 n = fresh + (extra ? 1 : 0);
        bytes[] memory messages = new bytes[](n);
        bytes32[] memory ids = new bytes32[](n);
        // Take from the end so that swap-pop removal below stays simple.
        for (uint256 k; k < fresh; ++k) {
            messages[k] = pending[pending.length - 1 - k];
        }
        if (extra) messages[fresh] = delivered[count % delivered.length];
        for (uint256 k; k < n; ++k) {
            ids[k] = keccak256(messages[k]);
        }
        bytes32[][] memory proofs = new bytes32[][](n);
        for (uint256 k; k < n; ++k) {
            proofs[k] = MessageMerkle.proof(ids, k);
        }
        Gateway gw = toA ? gatewayA : gatewayB;
        bytes memory att = _attestBatch(
            toA ? 1001 : 1002, address(gw), gw.attesterSet().currentSetId(), MessageMerkle.root(ids), keys, QUORUM
        );
        vm.recordLogs();
        gw.deliverBatch(messages, proofs, att);
        _scanLogs();
        for (uint256 k; k < fresh; ++k) {
            _markDelivered(toA, pending.length - 1);
        }
        ++batches;
        if (extra) ++skippedInBatch;
    }

    /// @notice Tries to deliver an already delivered message again; it must revert.
    function redeliver(bool toA, uint256 index) external {
        bytes[] storage delivered = toA ? deliveredToA : deliveredToB;
        if (delivered.length == 0) return;
        bytes memory m = delivered[index % delivered.length];
        Gateway gw = toA ? gatewayA : gatewayB;
        bytes memory att =
            _attestMessage(toA ? 1001 : 1002, address(gw), gw.attesterSet().currentSetId(), keccak256(m), keys, QUORUM);
        ++redeliveryAttempts;
        vm.recordLogs();
        try gw.deliver(m, att) {
            doubleDelivery = true;
        } catch {}
        _scanLogs();
    }

    /// @notice Lets time pass (buckets refill).
    function warp(uint256 secondsToPass) external {
        vm.warp(block.timestamp + _bound(secondsToPass, 1, 2 hours));
    }

    /// @notice Anyone releases a queued transfer on either chain (may be too early: then it reverts).
    function releaseQueued(bool onA, uint256 idSeed) external {
        TokenBridge bridge = onA ? bridgeA : bridgeB;
        uint256 last = bridge.nextQueueId() - 1;
        if (last == 0) return;
        try bridge.releaseQueued(idSeed % last + 1) {
            ++releases;
        } catch {}
    }

    // ------------------------------------------------------------------ ghost views

    /// @notice Local units in flight towards `toA ? A : B`: pending messages plus transfers queued at the destination.
    function inFlight(bool toA) external view returns (uint256 total) {
        bytes[] storage pending = toA ? pendingToA : pendingToB;
        for (uint256 i; i < pending.length; ++i) {
            total += _wireOf(pending[i]) * SCALE;
        }
        TokenBridge bridge = toA ? bridgeA : bridgeB;
        uint256 next = bridge.nextQueueId();
        for (uint256 id = 1; id < next; ++id) {
            (address token,, uint64 wire,,,) = bridge.queuedTransfer(id);
            if (token != address(0)) total += uint256(wire) * SCALE;
        }
    }

    function pendingCount() external view returns (uint256, uint256) {
        return (pendingToA.length, pendingToB.length);
    }

    // ------------------------------------------------------------------ internals

    function _markDelivered(bool toA, uint256 i) internal {
        bytes[] storage pending = toA ? pendingToA : pendingToB;
        (toA ? deliveredToA : deliveredToB).push(pending[i]);
        pending[i] = pending[pending.length - 1];
        pending.pop();
    }

    function _scanLogs() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(gatewayA) && l.emitter != address(gatewayB)) continue;
            if (l.topics[0] == DELIVERED_TOPIC) {
                if (++deliveredTimes[l.topics[1]] > 1) doubleDelivery = true;
            } else if (l.topics[0] == FAILED_TOPIC) {
                ++failures;
            }
        }
    }

    function _sent(address gateway) internal returns (bytes memory) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = logs.length; i > 0; --i) {
            if (logs[i - 1].emitter == gateway && logs[i - 1].topics[0] == SENT_TOPIC) {
                return abi.decode(logs[i - 1].data, (bytes));
            }
        }
        revert NoMessageSent(gateway);
    }

    /// @dev The TokenMessage amount: message header 81 bytes, amount at payload offset 65, 8 bytes.
    function _wireOf(bytes memory m) internal pure returns (uint64 wire) {
        assembly ("memory-safe") {
            wire := shr(192, mload(add(add(m, 0x20), 146)))
        }
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (x >= lo && x <= hi) return x;
        return lo + (x % (hi - lo + 1));
    }
}

/// @notice Cross-contract invariants of the token bridge over the real Gateway and AttesterSet.
contract BridgeInvariantsTest is TokenBridgeFixture {
    BridgeHandler internal handler;

    function setUp() public override {
        super.setUp();
        // 100,000 tokens of capacity each way, refilling 10 tokens per second: big sends queue or revert.
        _setLimits(a, address(canonical), DOMAIN_B, 100_000e8, 10e8);
        _setLimits(b, address(wrapped), DOMAIN_A, 100_000e8, 10e8);
        // Both chains may distribute to the claims domain 1003 (its own bucket per chain).
        for (uint256 i; i < 2; ++i) {
            Chain memory c = i == 0 ? a : b;
            address token = i == 0 ? address(canonical) : address(wrapped);
            vm.startPrank(owner);
            c.bridge.setRemoteBridge(1003, keccak256("claims bridge"));
            c.bridge.setClaimsCapable(1003, true);
            c.bridge.linkToken(token, 1003, keccak256(abi.encode("claims mint", i)));
            c.bridge.setRateLimits(token, 1003, 100_000e8, 10e8, 100_000e8, 10e8);
            vm.stopPrank();
        }
        handler = new BridgeHandler(a.gateway, b.gateway, a.bridge, b.bridge, canonical, wrapped, attesterKeys);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Canonical tokens locked on A == BridgedToken supply on B + value in flight A->B (sent, not yet minted,
    ///         including queued on B) + value in flight B->A (burned, not yet released, including queued on A) +
    ///         value distributed to the claims domain (locked on A or burned on B for its vaults).
    /// @dev The brief wrote "- in flight B->A"; burned-but-unreleased tokens are still in A's escrow while no longer
    ///      in B's supply, so they are added: escrow = locked - released, supply = minted - burned.
    function invariant_lockedEqualsMintedPlusInFlight() public view {
        assertEq(
            canonical.balanceOf(address(a.bridge)),
            wrapped.totalSupply() + handler.inFlight(false) + handler.inFlight(true) + handler.distributed(),
            "escrow == supply + in flight + distributed"
        );
    }

    /// @notice A distribution id is never accepted twice by the same bridge for the same destination.
    function invariant_distributionIdsSingleUse() public view {
        assertFalse(handler.reusedIdAccepted(), "a distribution id was sent twice");
    }

    /// @notice No message id was ever delivered (credited) twice, and every redelivery attempt failed.
    function invariant_noMessageDeliveredTwice() public view {
        assertFalse(handler.doubleDelivery(), "a message was delivered twice");
    }

    /// @notice No delivery of a well-formed transfer between linked bridges ever fails (over-limit queues instead).
    function invariant_noFailedDeliveries() public view {
        assertEq(handler.failures(), 0, "a delivery failed");
    }

    /// @notice Every bucket's stored and available level stays within its capacity.
    function invariant_bucketsNeverExceedCapacity() public view {
        _checkBucket(a.bridge, address(canonical), DOMAIN_B);
        _checkBucket(b.bridge, address(wrapped), DOMAIN_A);
    }

    function _checkBucket(TokenBridge bridge, address token, uint32 remote) internal view {
        (uint64 level, uint64 capacity,,) = bridge.outboundBucket(token, remote);
        assertLe(level, capacity, "outbound level <= capacity");
        assertLe(bridge.outboundAvailable(token, remote), capacity, "outbound available <= capacity");
        (level, capacity,,) = bridge.inboundBucket(token, remote);
        assertLe(level, capacity, "inbound level <= capacity");
        assertLe(bridge.inboundAvailable(token, remote), capacity, "inbound available <= capacity");
    }
}
