// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {Message} from "../../src/libraries/Message.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";
import {ToggleRecipient} from "../mocks/Recipients.sol";

/// @notice Drives a gateway with random single deliveries, batches (overlapping earlier deliveries), retries and
///         recipient toggles, keeping a ghost record of what must have happened.
contract GatewayHandler is Test, AttesterHarness {
    uint32 internal constant LOCAL = 1001;

    Gateway public immutable gateway;
    ToggleRecipient public immutable recipient;
    uint256[] internal keys;

    /// @dev Every (origin, nonce) ever attempted, and whether the handler saw it delivered.
    bytes[] public attempted;
    mapping(bytes32 messageId => bool) public ghostDelivered;
    uint256 public ghostDeliveredCount;
    /// @dev Messages the ghost expects to be failed (delivered while the recipient was closed, not yet retried).
    bytes[] internal _failedQueue;
    uint256 public ghostHandled;
    /// @dev First expectation the handler saw broken (handler reverts are ignored by the runner, so it records).
    string public violation;

    function _expect(bool condition, string memory what) internal {
        if (!condition && bytes(violation).length == 0) violation = what;
    }

    constructor(Gateway gateway_, ToggleRecipient recipient_, uint256[] memory keys_) {
        gateway = gateway_;
        recipient = recipient_;
        keys = keys_;
    }

    function _pick(uint256 seed) internal view returns (bytes memory m) {
        uint32 origin = [uint32(1), 2, 1002][seed % 3];
        uint64 nonce = uint64((seed >> 8) % 600); // spans three bitmap words, collides often
        m = Message.encode(nonce, origin, bytes32(uint256(7)), LOCAL, _toBytes32(address(recipient)), "");
    }

    function _record(bytes memory m) internal {
        bytes32 id = keccak256(m);
        attempted.push(m);
        if (ghostDelivered[id]) return;
        ghostDelivered[id] = true;
        ++ghostDeliveredCount;
        if (recipient.isOpen()) ++ghostHandled;
        else _failedQueue.push(m);
    }

    function deliver(uint256 seed) external {
        bytes memory m = _pick(seed);
        bytes memory att = _attestMessage(LOCAL, address(gateway), 1, keccak256(m), keys, 5);
        bool already = ghostDelivered[keccak256(m)];
        try gateway.deliver(m, att) {
            _expect(!already, "delivered twice");
            _record(m);
        } catch (bytes memory reason) {
            _expect(already, "fresh delivery reverted");
            _expect(bytes4(reason) == IGateway.AlreadyDelivered.selector, "reverted with other than AlreadyDelivered");
        }
    }

    function deliverBatch(uint256 seed, uint256 size) external {
        size = bound(size, 1, 8);
        bytes[] memory batch = new bytes[](size);
        bytes32[] memory ids = new bytes32[](size);
        for (uint256 i; i < size; ++i) {
            batch[i] = _pick(uint256(keccak256(abi.encode(seed, i))));
            ids[i] = keccak256(batch[i]);
        }
        bytes32[][] memory proofs = new bytes32[][](size);
        for (uint256 i; i < size; ++i) {
            proofs[i] = MessageMerkle.proof(ids, i);
        }
        bytes memory att = _attestBatch(LOCAL, address(gateway), 1, MessageMerkle.root(ids), keys, 5);
        try gateway.deliverBatch(batch, proofs, att) {}
        catch {
            _expect(false, "batch reverted");
            return;
        }
        for (uint256 i; i < size; ++i) {
            _record(batch[i]);
        }
    }

    function toggle(bool open) external {
        if (open) recipient.open();
        else recipient.close();
    }

    function retry(uint256 index) external {
        if (_failedQueue.length == 0) return;
        index = bound(index, 0, _failedQueue.length - 1);
        bytes memory m = _failedQueue[index];
        try gateway.retry(m) {
            _expect(recipient.isOpen(), "retry succeeded while closed");
            ++ghostHandled;
            _failedQueue[index] = _failedQueue[_failedQueue.length - 1];
            _failedQueue.pop();
        } catch {
            _expect(!recipient.isOpen(), "retry failed while open");
        }
    }

    function attemptedCount() external view returns (uint256) {
        return attempted.length;
    }

    function failedCount() external view returns (uint256) {
        return _failedQueue.length;
    }

    function failedAt(uint256 i) external view returns (bytes memory) {
        return _failedQueue[i];
    }
}

contract GatewayInvariantTest is Test, AttesterHarness {
    Gateway internal gateway;
    ToggleRecipient internal recipient;
    GatewayHandler internal handler;

    function setUp() public {
        uint256[] memory keys;
        (gateway, keys) = _deployGateway(1001, address(this), address(this), 7, THRESHOLD_5_OF_7);
        recipient = new ToggleRecipient();
        recipient.open();
        handler = new GatewayHandler(gateway, recipient, keys);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_handlerExpectationsHold() public view {
        assertEq(bytes(handler.violation()).length, 0, handler.violation());
    }

    /// @dev Every message the handler delivered reads as delivered; its status matches the ghost.
    function invariant_deliveredBitsMatchGhost() public view {
        uint256 n = handler.attemptedCount();
        for (uint256 i; i < n; ++i) {
            bytes memory m = handler.attempted(i);
            assertTrue(gateway.messageStatus(m) != IGateway.MessageStatus.None, "delivered message reads None");
        }
        uint256 f = handler.failedCount();
        for (uint256 i; i < f; ++i) {
            assertEq(
                uint256(gateway.messageStatus(handler.failedAt(i))), uint256(IGateway.MessageStatus.Failed), "failed"
            );
        }
    }

    /// @dev The recipient handled each delivered message at most once, and exactly the ghost's count.
    function invariant_eachMessageHandledOnce() public view {
        assertEq(recipient.callCount(), handler.ghostHandled(), "handled count");
        assertEq(handler.ghostHandled() + handler.failedCount(), handler.ghostDeliveredCount(), "handled + failed");
    }
}
