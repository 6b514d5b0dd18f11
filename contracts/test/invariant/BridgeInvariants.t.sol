// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BridgedToken} from "../../src/token/BridgedToken.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {TokenBridge} from "../../src/token/TokenBridge.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";
import {RefundReceipt} from "../../src/libraries/RefundReceipt.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {TokenBridgeFixture} from "../token/TokenBridgeFixture.t.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {Vm, vm} from "../utils/Vm.sol";

/// @notice Drives two linked deployments (A = 1001 lock mode, B = 1002 mint mode) through random sends, relays
///         (single and batched), redelivery attempts, time warps and queue releases, and distributions (payout
///         roots) from either chain to a claims-capable domain (1003, the Solana program's role, not simulated: what
///         a distribution takes funds a vault there), transfers to recipients the destination can never credit (refund
///         records), the guardian cancelling queued entries (refund records too) and quorum-signed refunds on the
///         origin, keeping ghost accounting of what is in flight and what is refundable.
contract BridgeHandler is AttesterHarness {
    bytes32 internal constant DELIVERED_TOPIC = keccak256("MessageDelivered(bytes32,uint32,uint64)");
    bytes32 internal constant FAILED_TOPIC = keccak256("MessageFailed(bytes32,uint32,uint64,bytes)");
    bytes32 internal constant SENT_TOPIC = keccak256("MessageSent(bytes32,uint32,uint64,bytes)");
    bytes32 internal constant REFUNDABLE_TOPIC =
        keccak256("TransferRefundable(bytes32,uint32,uint64,address,uint64,uint8)");
    /// @dev A recipient no EVM chain can credit (upper 12 bytes not zero); the invariant setup leaves families unknown.
    bytes32 internal constant NON_EVM_RECIPIENT = keccak256("maskoii.non-evm recipient");
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
    address internal immutable guardian;

    /// @dev A refund record seen on a destination, not yet refunded on its origin.
    struct Refundable {
        bytes32 messageId;
        bool originA;
        uint64 nonce;
        uint64 wire;
    }

    /// @dev Who sent each message (the refund goes back to it).
    mapping(bytes32 messageId => address) internal senderOf;
    Refundable[] internal refundable;
    /// @dev Receipts already refunded (for resubmission attempts, which must fail).
    bytes[] internal refundedReceipts;
    bool[] internal refundedOriginA;
    /// @notice Local units recorded refundable on a destination and not yet refunded on the origin.
    uint256 public refundableValue;
    uint256 public refunds;
    uint256 public cancels;
    bool public doubleRefund;

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
        uint256[] memory keys_,
        address guardian_
    ) {
        guardian = guardian_;
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

    /// @notice An actor locks canonical tokens on A for a random recipient on B; one in eight recipients is one B
    ///         can never credit (a refund record there).
    function sendAtoB(uint256 actorSeed, uint256 recipientSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        amount = _bound(amount, SCALE, 50_000e18 + SCALE - 1);
        canonical.mint(actor, amount);
        vm.prank(actor);
        canonical.approve(address(bridgeA), amount);
        vm.recordLogs();
        vm.prank(actor);
        try bridgeA.transferRemote(address(canonical), 1002, _recipient(recipientSeed), amount) {
            bytes memory m = _sent(address(gatewayA));
            senderOf[keccak256(m)] = actor;
            pendingToB.push(m);
            ++sends;
        } catch {
            vm.getRecordedLogs();
        }
    }

    /// @notice An actor holding bridged tokens on B burns some of them for a random recipient on A (one in eight
    ///         can never be credited there).
    function sendBtoA(uint256 actorSeed, uint256 recipientSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        uint256 balance = wrapped.balanceOf(actor);
        if (balance < SCALE) return;
        amount = _bound(amount, SCALE, balance);
        vm.recordLogs();
        vm.prank(actor);
        try bridgeB.transferRemote(address(wrapped), 1001, _recipient(recipientSeed), amount) {
            bytes memory m = _sent(address(gatewayB));
            senderOf[keccak256(m)] = actor;
            pendingToA.push(m);
            ++sends;
        } catch {
            vm.getRecordedLogs();
        }
    }

    /// @notice The guardian cancels a queued transfer on either chain (a refund record; may not exist any more).
    function cancelQueued(bool onA, uint256 idSeed) external {
        TokenBridge bridge = onA ? bridgeA : bridgeB;
        uint256 last = bridge.nextQueueId() - 1;
        if (last == 0) return;
        vm.recordLogs();
        vm.prank(guardian);
        try bridge.cancelQueued(idSeed % last + 1) {
            ++cancels;
        } catch {}
        _scanLogs();
    }

    /// @notice Anyone submits a quorum-signed refund receipt on the origin of a refund record; or resubmits one
    ///         already paid, which must be refused.
    function refund(uint256 index, bool again) external {
        if (again && refundedReceipts.length != 0) {
            uint256 k = index % refundedReceipts.length;
            bytes memory done = refundedReceipts[k];
            bool originA = refundedOriginA[k];
            TokenBridge origin = originA ? bridgeA : bridgeB;
            bytes memory doneAtt = _attestRefund(originA, done);
            try origin.refund(done, doneAtt) {
                doubleRefund = true;
            } catch {}
            return;
        }
        if (refundable.length == 0) return;
        uint256 i = index % refundable.length;
        Refundable memory r = refundable[i];
        bytes memory receipt = RefundReceipt.encode(
            RefundReceipt.Receipt({
                messageId: r.messageId,
                originDomain: r.originA ? 1001 : 1002,
                nonce: r.nonce,
                destinationDomain: r.originA ? 1002 : 1001,
                token: _toBytes32(r.originA ? address(canonical) : address(wrapped)),
                refundTo: _toBytes32(senderOf[r.messageId]),
                wireAmount: r.wire
            })
        );
        bytes memory att = _attestRefund(r.originA, receipt);
        try (r.originA ? bridgeA : bridgeB).refund(receipt, att) {
            refundableValue -= uint256(r.wire) * SCALE;
            refundedReceipts.push(receipt);
            refundedOriginA.push(r.originA);
            refundable[i] = refundable[refundable.length - 1];
            refundable.pop();
            ++refunds;
        } catch {}
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

    function refundableCount() external view returns (uint256) {
        return refundable.length;
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
            if ((l.emitter == address(bridgeA) || l.emitter == address(bridgeB)) && l.topics[0] == REFUNDABLE_TOPIC) {
                (uint64 nonce, uint64 wire,) = abi.decode(l.data, (uint64, uint64, uint8));
                // A record on B is a transfer from A, and the other way round.
                refundable.push(Refundable(l.topics[1], l.emitter == address(bridgeB), nonce, wire));
                refundableValue += uint256(wire) * SCALE;
                continue;
            }
            if (l.emitter != address(gatewayA) && l.emitter != address(gatewayB)) continue;
            if (l.topics[0] == DELIVERED_TOPIC) {
                if (++deliveredTimes[l.topics[1]] > 1) doubleDelivery = true;
            } else if (l.topics[0] == FAILED_TOPIC) {
                ++failures;
            }
        }
    }

    /// @dev One in eight: a key no EVM chain can credit; otherwise an actor.
    function _recipient(uint256 seed) internal view returns (bytes32) {
        if (seed % 8 == 7) return NON_EVM_RECIPIENT;
        return _toBytes32(actors[seed % actors.length]);
    }

    /// @dev A 13-of-19 TransferRefund attestation of `receipt` for the origin's TokenBridge.
    function _attestRefund(bool originA, bytes memory receipt) internal view returns (bytes memory) {
        Gateway gw = originA ? gatewayA : gatewayB;
        return _attestFirst(
            AttestationLib.REFUND_TYPEHASH,
            originA ? 1001 : 1002,
            _toBytes32(address(originA ? bridgeA : bridgeB)),
            gw.currentSetId(),
            keccak256(receipt),
            keys,
            QUORUM
        );
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
        // Outbound: 100,000 tokens of capacity, refilling 10 tokens per second: big sends revert. Inbound: 60,000,
        // so that deliveries really queue (and releases, cancels run): with equal
        // buckets the origin's outbound limit would keep every inbound bucket from ever running short.
        vm.startPrank(owner);
        a.bridge.setRateLimits(address(canonical), DOMAIN_B, 100_000e8, 10e8, 60_000e8, 10e8);
        b.bridge.setRateLimits(address(wrapped), DOMAIN_A, 100_000e8, 10e8, 60_000e8, 10e8);
        vm.stopPrank();
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
        handler =
            new BridgeHandler(a.gateway, b.gateway, a.bridge, b.bridge, canonical, wrapped, attesterKeys, guardian);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Canonical tokens locked on A == BridgedToken supply on B + value in flight A->B (sent, not yet minted,
    ///         including queued on B) + value in flight B->A (burned, not yet released, including queued on A) +
    ///         value distributed to the claims domain (locked on A or burned on B for its vaults) + value recorded
    ///         refundable on a destination (never credited there; cancelled or uncreditable) and not yet refunded on
    ///         its origin. A refund pays back exactly that value, once, on the origin.
    /// @dev The brief wrote "- in flight B->A"; burned-but-unreleased tokens are still in A's escrow while no longer
    ///      in B's supply, so they are added: escrow = locked - released, supply = minted - burned.
    function invariant_lockedEqualsMintedPlusInFlight() public view {
        assertEq(
            canonical.balanceOf(address(a.bridge)),
            wrapped.totalSupply() + handler.inFlight(false) + handler.inFlight(true) + handler.distributed()
                + handler.refundableValue(),
            "escrow == supply + in flight + distributed + refundable"
        );
    }

    /// @notice No refund receipt is ever paid twice.
    function invariant_refundsPaidAtMostOnce() public view {
        assertFalse(handler.doubleRefund(), "a refund was paid twice");
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
