// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../utils/Vm.sol";
import {GatewayBase} from "./GatewayBase.t.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {Message} from "../../src/libraries/Message.sol";
import {RecordingRecipient, RevertingRecipient, ToggleRecipient} from "../mocks/Recipients.sol";

contract GatewayBatchTest is GatewayBase {
    RecordingRecipient internal recorder;

    function setUp() public override {
        super.setUp();
        recorder = new RecordingRecipient();
    }

    function _deliverAll(uint256 n) internal {
        bytes[] memory batch = _messages(100, n, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        for (uint256 i; i < n; ++i) {
            vm.expectEmit(address(gateway));
            emit IGateway.MessageDelivered(keccak256(batch[i]), REMOTE, uint64(100 + i));
        }
        gateway.deliverBatch(batch, proofs, att);
        assertEq(recorder.callCount(), n, "every message handled");
        for (uint256 i; i < n; ++i) {
            assertTrue(gateway.isDelivered(REMOTE, uint64(100 + i)), "delivered");
            RecordingRecipient.Call memory c = recorder.callAt(i);
            assertEq(c.payload, abi.encode(uint64(100 + i)), "handled in batch order");
            assertEq(c.caller, address(gateway), "caller");
        }
        assertFalse(gateway.isDelivered(REMOTE, uint64(100 + n)), "nothing beyond the batch");
    }

    function test_deliverBatch_one() public {
        _deliverAll(1);
    }

    function test_deliverBatch_eight() public {
        _deliverAll(8);
    }

    function test_deliverBatch_thirtyTwo() public {
        _deliverAll(32);
    }

    function test_deliverBatch_oddSizeAcrossBitmapWords() public {
        // 13 messages with nonces 250..262 straddle the bitmap word boundary at 256.
        bytes[] memory batch = _messages(250, 13, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        gateway.deliverBatch(batch, proofs, att);
        for (uint64 n = 250; n < 263; ++n) {
            assertTrue(gateway.isDelivered(REMOTE, n), "delivered");
        }
        assertFalse(gateway.isDelivered(REMOTE, 249), "249 clear");
        assertFalse(gateway.isDelivered(REMOTE, 263), "263 clear");
    }

    function test_deliverBatch_skipsMessageDeliveredSingly() public {
        bytes[] memory batch = _messages(0, 4, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        _deliver(batch[2]);

        vm.expectEmit(address(gateway));
        emit IGateway.MessageDelivered(keccak256(batch[0]), REMOTE, 0);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageDelivered(keccak256(batch[1]), REMOTE, 1);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageSkipped(keccak256(batch[2]));
        vm.expectEmit(address(gateway));
        emit IGateway.MessageDelivered(keccak256(batch[3]), REMOTE, 3);
        gateway.deliverBatch(batch, proofs, att);
        assertEq(recorder.callCount(), 4, "message 2 handled once, the rest once");
    }

    function test_deliverBatch_secondRelayerSkipsEverything() public {
        bytes[] memory batch = _messages(0, 5, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        gateway.deliverBatch(batch, proofs, att);
        for (uint256 i; i < 5; ++i) {
            vm.expectEmit(address(gateway));
            emit IGateway.MessageSkipped(keccak256(batch[i]));
        }
        gateway.deliverBatch(batch, proofs, att);
        assertEq(recorder.callCount(), 5, "no double handling");
    }

    function test_deliverBatch_thenDeliverReverts() public {
        bytes[] memory batch = _messages(0, 3, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        gateway.deliverBatch(batch, proofs, att);
        bytes memory m = batch[1];
        bytes memory single = _attest(m);
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(m)));
        gateway.deliver(m, single);
    }

    function test_deliverBatch_duplicateInBatchIsSkipped() public {
        bytes[] memory batch = _messages(0, 3, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        // Relay message 1 twice within the same call.
        bytes[] memory relayed = new bytes[](4);
        bytes32[][] memory relayedProofs = new bytes32[][](4);
        for (uint256 i; i < 3; ++i) {
            relayed[i] = batch[i];
            relayedProofs[i] = proofs[i];
        }
        relayed[3] = batch[1];
        relayedProofs[3] = proofs[1];
        vm.expectEmit(address(gateway));
        emit IGateway.MessageSkipped(keccak256(batch[1]));
        gateway.deliverBatch(relayed, relayedProofs, att);
        assertEq(recorder.callCount(), 3, "each handled once");
    }

    function test_deliverBatch_subsetOfAttestedBatch() public {
        bytes[] memory batch = _messages(0, 6, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        bytes[] memory subset = new bytes[](2);
        bytes32[][] memory subsetProofs = new bytes32[][](2);
        subset[0] = batch[4];
        subsetProofs[0] = proofs[4];
        subset[1] = batch[1];
        subsetProofs[1] = proofs[1];
        gateway.deliverBatch(subset, subsetProofs, att);
        assertTrue(gateway.isDelivered(REMOTE, 4) && gateway.isDelivered(REMOTE, 1), "subset delivered");
        assertFalse(gateway.isDelivered(REMOTE, 0), "rest not delivered");
    }

    function test_deliverBatch_revertsOnBadProof() public {
        bytes[] memory batch = _messages(0, 8, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        proofs[5][1] = bytes32(uint256(proofs[5][1]) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidMerkleProof.selector, 5));
        gateway.deliverBatch(batch, proofs, att);
        assertFalse(gateway.isDelivered(REMOTE, 0), "whole batch reverted");
    }

    function test_deliverBatch_revertsOnSwappedProofs() public {
        bytes[] memory batch = _messages(0, 8, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        (proofs[2], proofs[6]) = (proofs[6], proofs[2]);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidMerkleProof.selector, 2));
        gateway.deliverBatch(batch, proofs, att);
    }

    function test_deliverBatch_revertsOnMessageOutsideBatch() public {
        bytes[] memory batch = _messages(0, 4, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        batch[3] = _message(3, address(recorder), "smuggled");
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidMerkleProof.selector, 3));
        gateway.deliverBatch(batch, proofs, att);
    }

    function test_deliverBatch_revertsWhenFirstProofWrong() public {
        bytes[] memory batch = _messages(0, 4, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        proofs[0][0] = keccak256("wrong");
        // The root implied by message 0 is not the attested root: the attester set rejects the attestation.
        vm.expectRevert();
        gateway.deliverBatch(batch, proofs, att);
        assertFalse(gateway.isDelivered(REMOTE, 1), "nothing delivered");
    }

    function test_deliverBatch_revertsOnMessageTypedAttestation() public {
        bytes[] memory batch = _messages(0, 1, address(recorder));
        (bytes32[][] memory proofs,, bytes32 root) = _batch(batch);
        // A MessageAttestation over the same 32 bytes must not pass as a BatchAttestation.
        bytes memory att = _attestMessage(LOCAL, address(gateway), 1, root, keys, QUORUM);
        vm.expectRevert();
        gateway.deliverBatch(batch, proofs, att);
    }

    function test_deliverBatch_revertsOnLengthMismatch() public {
        bytes[] memory batch = _messages(0, 3, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        bytes32[][] memory short = new bytes32[][](2);
        short[0] = proofs[0];
        short[1] = proofs[1];
        vm.expectRevert(abi.encodeWithSelector(IGateway.LengthMismatch.selector, 3, 2));
        gateway.deliverBatch(batch, short, att);
    }

    function test_deliverBatch_revertsOnEmptyBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.EmptyBatch.selector));
        gateway.deliverBatch(new bytes[](0), new bytes32[][](0), "");
    }

    function test_deliverBatch_revertsOnWrongDestination() public {
        bytes[] memory batch = _messages(0, 3, address(recorder));
        batch[1] = Message.encode(1, REMOTE, remoteSender, 7, _toBytes32(address(recorder)), "");
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        vm.expectRevert(abi.encodeWithSelector(IGateway.WrongDestination.selector, LOCAL, uint32(7)));
        gateway.deliverBatch(batch, proofs, att);
    }

    function test_deliverBatch_revertsOnMalformedMessage() public {
        bytes[] memory batch = _messages(0, 3, address(recorder));
        batch[2] = hex"01";
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        vm.expectRevert(abi.encodeWithSelector(Message.MessageTooShort.selector, 1));
        gateway.deliverBatch(batch, proofs, att);
    }

    function test_deliverBatch_revertsOnInvalidRecipient() public {
        bytes[] memory batch = _messages(0, 2, address(recorder));
        bytes32 bad = bytes32(type(uint256).max);
        batch[1] = Message.encode(1, REMOTE, remoteSender, LOCAL, bad, "");
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidRecipient.selector, bad));
        gateway.deliverBatch(batch, proofs, att);
    }

    function test_deliverBatch_failedRecipientDoesNotStopBatch() public {
        RevertingRecipient reverter = new RevertingRecipient();
        ToggleRecipient toggle = new ToggleRecipient();
        bytes[] memory batch = new bytes[](4);
        batch[0] = _message(0, address(recorder), "a");
        batch[1] = _message(1, address(reverter), "b");
        batch[2] = _message(2, address(toggle), "c");
        batch[3] = _message(3, makeAddr("eoa"), "d");
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        gateway.deliverBatch(batch, proofs, att);
        assertEq(uint256(gateway.messageStatus(batch[0])), uint256(IGateway.MessageStatus.Delivered), "0");
        assertEq(uint256(gateway.messageStatus(batch[1])), uint256(IGateway.MessageStatus.Failed), "1");
        assertEq(uint256(gateway.messageStatus(batch[2])), uint256(IGateway.MessageStatus.Failed), "2");
        assertEq(uint256(gateway.messageStatus(batch[3])), uint256(IGateway.MessageStatus.Failed), "3");
        toggle.open();
        gateway.retry(batch[2]);
        assertEq(uint256(gateway.messageStatus(batch[2])), uint256(IGateway.MessageStatus.Delivered), "2 retried");
    }

    function test_deliverBatch_revertsWhenRelayerStarvesRecipient() public {
        bytes[] memory batch = _messages(0, 2, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        bytes memory ret =
            _revertData(address(gateway), 200_000, abi.encodeCall(Gateway.deliverBatch, (batch, proofs, att)));
        assertEq(_selector(ret), IGateway.InsufficientGasForRecipient.selector, "starved batch reverts");
        assertFalse(gateway.isDelivered(REMOTE, 0), "nothing delivered");
    }

    function test_deliverBatch_mixedOrigins() public {
        bytes[] memory batch = new bytes[](3);
        batch[0] = _message(uint32(1), 5, address(recorder), "");
        batch[1] = _message(uint32(2), 5, address(recorder), "");
        batch[2] = _message(uint32(1002), 5, address(recorder), "");
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        gateway.deliverBatch(batch, proofs, att);
        assertTrue(gateway.isDelivered(1, 5) && gateway.isDelivered(2, 5) && gateway.isDelivered(1002, 5), "all");
        assertFalse(gateway.isDelivered(3, 5), "other origin clear");
    }

    /// @dev Any batch size 1..40 and any already-delivered subset: each message ends delivered exactly once.
    function testFuzz_deliverBatch_exactlyOnce(uint8 size, uint64 firstNonce, uint256 preDelivered) public {
        uint256 n = bound(size, 1, 40);
        firstNonce = uint64(bound(firstNonce, 0, type(uint64).max - 64));
        bytes[] memory batch = _messages(firstNonce, n, address(recorder));
        (bytes32[][] memory proofs, bytes memory att,) = _batch(batch);
        uint256 pre;
        for (uint256 i; i < n; ++i) {
            if ((preDelivered >> i) & 1 == 1) {
                _deliver(batch[i]);
                ++pre;
            }
        }
        assertEq(recorder.callCount(), pre, "pre-delivered");
        gateway.deliverBatch(batch, proofs, att);
        assertEq(recorder.callCount(), n, "each message handled exactly once");
        for (uint256 i; i < n; ++i) {
            assertTrue(gateway.isDelivered(REMOTE, firstNonce + uint64(i)), "delivered");
        }
    }
}
