// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {AttestationLib} from "../../src/libraries/AttestationLib.sol";
import {GatewayBase} from "./GatewayBase.t.sol";
import {RecordingRecipient} from "../mocks/Recipients.sol";
import {vm} from "../utils/Vm.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";

/// @notice The exactly-once key against an equivocating quorum (docs/protocol.md §8.1 "Exactly-once key", §6): a
///         quorum signs two different messages with one (origin, nonce); the gateway delivers the first only, and
///         the signatures it was shown stay usable as equivocation evidence against every signer.
contract GatewayEquivocationTest is GatewayBase {
    uint64 internal constant NONCE = 7;

    RecordingRecipient internal recipient;
    bytes internal first;
    bytes internal second;
    bytes internal firstAttestation;
    bytes internal secondAttestation;

    function setUp() public override {
        super.setUp();
        recipient = new RecordingRecipient();
        first = _message(NONCE, address(recipient), "pay alice");
        second = _message(NONCE, address(recipient), "pay mallory");
        // The same 5-of-7 quorum signs both: only an equivocating quorum can attest a second message for a pair.
        firstAttestation = _attest(first);
        secondAttestation = _attest(second);
        gateway.deliver(first, firstAttestation);
    }

    /// @dev The evidence of signer entry `k` of `attestation` over `message` (MessageAttestation for this gateway).
    function _evidenceFrom(bytes memory message, bytes memory attestation, uint256 k)
        internal
        view
        returns (AttesterSet.Evidence memory e, uint8 index)
    {
        uint256 offset = 8 + 66 * k;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            let p := add(add(attestation, 0x20), offset)
            index := byte(0, mload(p))
            r := mload(add(p, 1))
            s := mload(add(p, 33))
            v := byte(0, mload(add(p, 65)))
        }
        e.message = message;
        e.verifier = _toBytes32(address(gateway));
        e.attesterSetId = 1;
        e.signature = abi.encodePacked(r, s, v);
    }

    function _digest(bytes memory message) internal view returns (bytes32) {
        return AttestationLib.digest(
            AttestationLib.MESSAGE_TYPEHASH, LOCAL, _toBytes32(address(gateway)), 1, keccak256(message)
        );
    }

    function test_deliver_refusesSecondMessageWithDeliveredOriginAndNonce() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(second)));
        gateway.deliver(second, secondAttestation);
        assertEq(recipient.callCount(), 1, "only the first message reached the recipient");
        assertEq(recipient.lastCall().payload, bytes("pay alice"), "the first one");
        assertFalse(gateway.isFailed(keccak256(second)), "the second is not retryable either");
    }

    function test_deliverBatch_skipsSecondMessageWithDeliveredOriginAndNonce() public {
        bytes[] memory messages = new bytes[](1);
        messages[0] = second;
        (bytes32[][] memory proofs, bytes memory attestation,) = _batch(messages);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageSkipped(keccak256(second));
        gateway.deliverBatch(messages, proofs, attestation);
        assertEq(recipient.callCount(), 1, "the second never reached the recipient");
    }

    function test_reportEquivocation_evidenceFromTheRefusedPair() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(second)));
        gateway.deliver(second, secondAttestation);

        // Every signer of both attestations is reportable with exactly the signatures the gateway was shown.
        for (uint256 k; k < QUORUM; ++k) {
            (AttesterSet.Evidence memory a, uint8 index) = _evidenceFrom(first, firstAttestation, k);
            (AttesterSet.Evidence memory b,) = _evidenceFrom(second, secondAttestation, k);
            (address[] memory members,,,,) = gateway.getSet(1);
            vm.expectEmit(address(gateway));
            emit IAttesterSet.AttesterSlashed(
                members[index], keccak256(first), keccak256(second), _digest(first), _digest(second)
            );
            gateway.reportEquivocation(a, b);
            (, uint96[] memory weights,,,) = gateway.getSet(1);
            assertEq(weights[index], 0, "signer removed");
        }
        (,,, uint96 total,) = gateway.getSet(1);
        assertEq(total, (SET_SIZE - QUORUM) * uint256(ATTESTER_WEIGHT), "only the honest members' weight remains");
        // The delivered message keeps its delivery; the status bitmap does not tell the pair apart (see messageStatus).
        assertEq(uint256(gateway.messageStatus(first)), uint256(IGateway.MessageStatus.Delivered), "first delivered");
    }
}
