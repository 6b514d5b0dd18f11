// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm, vm} from "../utils/Vm.sol";
import {GatewayBase} from "./GatewayBase.t.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {IAttesterSet} from "../../src/core/interfaces/IAttesterSet.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {Message} from "../../src/libraries/Message.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {
    RecordingRecipient,
    RevertingRecipient,
    LoudRevertingRecipient,
    ToggleRecipient,
    GasBurnerRecipient,
    ReentrantRecipient
} from "../mocks/Recipients.sol";

/// @dev Sends through the gateway but cannot receive a refund (no receive function).
contract NoRefundSender {
    function sendVia(Gateway gateway, uint32 destination, bytes32 recipient, bytes calldata payload)
        external
        payable
        returns (bytes32)
    {
        return gateway.send{value: msg.value}(destination, recipient, payload);
    }
}

/// @dev Rejects any ether sent to it.
contract EtherRejecter {}

contract GatewayTest is GatewayBase {
    bytes32 internal constant MESSAGE_TYPEHASH_ = keccak256(
        "MessageAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 messageId)"
    );
    RecordingRecipient internal recorder;

    function setUp() public override {
        super.setUp();
        recorder = new RecordingRecipient();
    }

    // =========================================================================================================
    // constructor and views
    // =========================================================================================================

    function test_constructor_setsImmutablesAndRoles() public view {
        assertEq(gateway.localDomain(), LOCAL, "localDomain");
        assertEq(address(gateway.attesterSet()), address(set), "attesterSet");
        assertEq(gateway.owner(), owner, "owner");
        assertEq(gateway.guardian(), guardian, "guardian");
        assertEq(gateway.nextNonce(), 0, "nonce");
        assertFalse(gateway.paused(), "paused");
        assertEq(gateway.RECIPIENT_GAS_FLOOR(), 100_000, "floor");
    }

    function test_constructor_revertsOnZeroDomain() public {
        (, address[] memory attesters, uint96[] memory weights) = _makeSet(SET_SIZE);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.InvalidLocalDomain.selector));
        new Gateway(0, owner, guardian, attesters, weights, THRESHOLD_5_OF_7, 1 days, 7 days);
    }

    function test_constructor_revertsOnInvalidAttesterSet() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.EmptyAttesterSet.selector));
        new Gateway(LOCAL, owner, guardian, new address[](0), new uint96[](0), THRESHOLD_5_OF_7, 1 days, 7 days);
    }

    function test_constructor_revertsOnShortEmergencyDelay() public {
        (, address[] memory attesters, uint96[] memory weights) = _makeSet(SET_SIZE);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSet.EmergencyDelayTooShort.selector, uint32(1 days)));
        new Gateway(LOCAL, owner, guardian, attesters, weights, THRESHOLD_5_OF_7, 1 days, 1 days);
    }

    function test_constructor_gatewayIsItsAttesterSet() public view {
        assertEq(address(gateway.attesterSet()), address(gateway), "attesterSet() is the gateway");
        assertEq(gateway.currentSetId(), 1, "set 1 installed");
        assertTrue(gateway.isLive(1), "set 1 live");
        (address[] memory attesters,,,,) = gateway.getSet(1);
        assertEq(attesters.length, SET_SIZE, "members");
    }

    function test_constructor_revertsOnZeroOwner() public {
        (, address[] memory attesters, uint96[] memory weights) = _makeSet(SET_SIZE);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new Gateway(LOCAL, address(0), guardian, attesters, weights, THRESHOLD_5_OF_7, 1 days, 7 days);
    }

    // =========================================================================================================
    // send / quoteFee / setFee / withdrawFees
    // =========================================================================================================

    function test_send_emitsWholeMessageAndReturnsId() public {
        bytes32 recipient = keccak256("solana recipient");
        bytes memory payload = hex"c0ffee";
        bytes memory expected = Message.encode(0, LOCAL, _toBytes32(address(this)), REMOTE, recipient, payload);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageSent(keccak256(expected), REMOTE, 0, expected);
        bytes32 id = gateway.send(REMOTE, recipient, payload);
        assertEq(id, keccak256(expected), "message id");
        assertEq(gateway.nextNonce(), 1, "next nonce");
    }

    function test_send_noncesIncrementAcrossDestinations() public {
        for (uint64 i; i < 5; ++i) {
            uint32 destination = i % 2 == 0 ? REMOTE : 7;
            bytes memory expected =
                Message.encode(i, LOCAL, _toBytes32(address(this)), destination, bytes32(uint256(i)), "");
            bytes32 id = gateway.send(destination, bytes32(uint256(i)), "");
            assertEq(id, keccak256(expected), "id carries the shared nonce");
        }
        assertEq(gateway.nextNonce(), 5, "one counter for all destinations");
    }

    function test_send_senderIsLeftPaddedCaller() public {
        address alice = makeAddr("alice");
        vm.prank(alice);
        bytes32 id = gateway.send(REMOTE, bytes32(0), "x");
        assertEq(id, keccak256(Message.encode(0, LOCAL, _toBytes32(alice), REMOTE, bytes32(0), "x")), "sender");
    }

    function test_send_revertsOnLocalDestination() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidDestination.selector, LOCAL));
        gateway.send(LOCAL, bytes32(0), "");
    }

    function test_send_revertsOnZeroDestination() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidDestination.selector, uint32(0)));
        gateway.send(0, bytes32(0), "");
    }

    function test_send_revertsOnPayloadTooLong() public {
        vm.expectRevert(abi.encodeWithSelector(Message.PayloadTooLong.selector, 4097));
        gateway.send(REMOTE, bytes32(0), new bytes(4097));
    }

    function test_send_acceptsMaxPayload() public {
        gateway.send(REMOTE, bytes32(0), new bytes(4096));
        assertEq(gateway.nextNonce(), 1, "sent");
    }

    function test_quoteFee_isBasePlusPerByte() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, 1 ether, 3 gwei);
        assertEq(gateway.quoteFee(REMOTE, 0), 1 ether, "base");
        assertEq(gateway.quoteFee(REMOTE, 100), 1 ether + 300 gwei, "base + per byte");
        assertEq(gateway.quoteFee(7, 100), 0, "unconfigured destination is free");
    }

    function test_quoteFee_maxConfigDoesNotOverflow() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, type(uint128).max, type(uint128).max);
        assertEq(
            gateway.quoteFee(REMOTE, 4096), uint256(type(uint128).max) * 4097, "fits in uint256 for any payload"
        );
    }

    function test_setFee_emitsAndStores() public {
        vm.expectEmit(address(gateway));
        emit IGateway.FeeSet(REMOTE, 5, 7);
        vm.prank(owner);
        gateway.setFee(REMOTE, 5, 7);
        assertEq(gateway.quoteFee(REMOTE, 2), 19, "stored");
    }

    function test_setFee_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        gateway.setFee(REMOTE, 1, 1);
    }

    function test_setFee_revertsOnInvalidDestination() public {
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidDestination.selector, LOCAL));
        gateway.setFee(LOCAL, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidDestination.selector, uint32(0)));
        gateway.setFee(0, 1, 1);
        vm.stopPrank();
    }

    function test_send_exactFeeAccumulates() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, 1000, 10);
        uint256 fee = gateway.quoteFee(REMOTE, 3);
        gateway.send{value: fee}(REMOTE, bytes32(0), hex"010203");
        gateway.send{value: fee}(REMOTE, bytes32(0), hex"040506");
        assertEq(address(gateway).balance, 2 * fee, "fees accumulate");
    }

    function test_send_revertsOnInsufficientFee() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, 1000, 10);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InsufficientFee.selector, 1030, 1029));
        gateway.send{value: 1029}(REMOTE, bytes32(0), hex"010203");
    }

    function test_send_refundsOverpayment() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, 1000, 0);
        address alice = makeAddr("alice");
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        gateway.send{value: 1 ether}(REMOTE, bytes32(0), "");
        assertEq(alice.balance, 1 ether - 1000, "overpayment refunded");
        assertEq(address(gateway).balance, 1000, "fee kept");
    }

    function test_send_revertsWhenRefundFails() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, 1000, 0);
        NoRefundSender sender = new NoRefundSender();
        vm.expectRevert(abi.encodeWithSelector(IGateway.RefundFailed.selector));
        sender.sendVia{value: 1001}(gateway, REMOTE, bytes32(0), "");
        // Exact payment needs no refund and works.
        sender.sendVia{value: 1000}(gateway, REMOTE, bytes32(0), "");
        assertEq(gateway.nextNonce(), 1, "exact payment sent");
    }

    function test_withdrawFees_sendsBalanceToRecipient() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, 1 ether, 0);
        gateway.send{value: 1 ether}(REMOTE, bytes32(0), "");
        gateway.send{value: 1 ether}(REMOTE, bytes32(0), "");
        address payable treasury = payable(makeAddr("treasury"));
        vm.expectEmit(address(gateway));
        emit IGateway.FeesWithdrawn(treasury, 2 ether);
        vm.prank(owner);
        gateway.withdrawFees(treasury);
        assertEq(treasury.balance, 2 ether, "treasury paid");
        assertEq(address(gateway).balance, 0, "gateway emptied");
    }

    function test_withdrawFees_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        gateway.withdrawFees(payable(address(this)));
    }

    function test_withdrawFees_revertsOnZeroRecipient() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidFeeRecipient.selector));
        gateway.withdrawFees(payable(address(0)));
    }

    function test_withdrawFees_revertsWhenTransferFails() public {
        vm.prank(owner);
        gateway.setFee(REMOTE, 1 ether, 0);
        gateway.send{value: 1 ether}(REMOTE, bytes32(0), "");
        address rejecter = address(new EtherRejecter());
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IGateway.FeeWithdrawalFailed.selector));
        gateway.withdrawFees(payable(rejecter));
        assertEq(address(gateway).balance, 1 ether, "fees stay");
    }

    function test_receive_rejectsPlainEther() public {
        (bool ok,) = address(gateway).call{value: 1}("");
        assertFalse(ok, "no receive");
    }

    // =========================================================================================================
    // deliver
    // =========================================================================================================

    function test_deliver_callsRecipientAndRecords() public {
        bytes memory m = _message(42, address(recorder), hex"abcdef");
        bytes32 id = keccak256(m);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageDelivered(id, REMOTE, 42);
        _deliver(m);

        assertEq(recorder.callCount(), 1, "called once");
        RecordingRecipient.Call memory c = recorder.lastCall();
        assertEq(c.caller, address(gateway), "caller is gateway");
        assertEq(c.origin, REMOTE, "origin");
        assertEq(c.sender, remoteSender, "sender");
        assertEq(c.payload, hex"abcdef", "payload");
        assertTrue(gateway.isDelivered(REMOTE, 42), "bit set");
        assertFalse(gateway.isDelivered(REMOTE, 41), "neighbour bit clear");
        assertFalse(gateway.isDelivered(REMOTE, 42 + 256), "next word clear");
        assertFalse(gateway.isDelivered(7, 42), "other origin clear");
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "status");
    }

    function test_deliver_emptyAndMaxPayload() public {
        bytes memory empty = _message(0, address(recorder), "");
        _deliver(empty);
        assertEq(recorder.lastCall().payload.length, 0, "empty payload");
        bytes memory big = new bytes(4096);
        big[0] = 0x11;
        big[4095] = 0x22;
        _deliver(_message(1, address(recorder), big));
        assertEq(recorder.lastCall().payload, big, "max payload intact");
    }

    function test_deliver_revertsWhenAlreadyDelivered() public {
        bytes memory m = _message(1, address(recorder), "once");
        bytes memory att = _attest(m);
        gateway.deliver(m, att);
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(m)));
        gateway.deliver(m, att);
        assertEq(recorder.callCount(), 1, "called exactly once");
    }

    function test_deliver_revertsForOtherMessageWithSameOriginNonce() public {
        _deliver(_message(1, address(recorder), "first"));
        bytes memory twin = _message(1, address(recorder), "equivocated");
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(twin)));
        gateway.deliver(twin, _attest(twin));
    }

    function test_deliver_revertsOnWrongDestination() public {
        bytes memory m = Message.encode(1, REMOTE, remoteSender, 7, _toBytes32(address(recorder)), "");
        bytes memory att = _attest(m);
        vm.expectRevert(abi.encodeWithSelector(IGateway.WrongDestination.selector, LOCAL, uint32(7)));
        gateway.deliver(m, att);
    }

    function test_deliver_revertsOnTooShortMessage() public {
        bytes memory m = new bytes(80);
        vm.expectRevert(abi.encodeWithSelector(Message.MessageTooShort.selector, 80));
        gateway.deliver(m, _attest(m));
    }

    function test_deliver_revertsOnBadVersion() public {
        bytes memory m = _message(1, address(recorder), "");
        m[0] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(Message.UnsupportedVersion.selector, uint8(2)));
        gateway.deliver(m, _attest(m));
    }

    function test_deliver_revertsOnPayloadTooLong() public {
        bytes memory m = abi.encodePacked(_message(1, address(recorder), new bytes(4096)), hex"00");
        vm.expectRevert(abi.encodeWithSelector(Message.PayloadTooLong.selector, 4097));
        gateway.deliver(m, _attest(m));
    }

    function test_deliver_revertsOnNonEvmRecipient() public {
        bytes32 recipient = bytes32(uint256(uint160(address(recorder))) | (uint256(1) << 160));
        bytes memory m = Message.encode(1, REMOTE, remoteSender, LOCAL, recipient, "");
        bytes memory att = _attest(m);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidRecipient.selector, recipient));
        gateway.deliver(m, att);
        assertFalse(gateway.isDelivered(REMOTE, 1), "not consumed");
    }

    function test_deliver_revertsOnAttestationForOtherMessage() public {
        bytes memory m = _message(1, address(recorder), "a");
        bytes memory other = _message(1, address(recorder), "b");
        vm.expectRevert(); // the signatures recover to addresses that are not members
        gateway.deliver(m, _attest(other));
        assertFalse(gateway.isDelivered(REMOTE, 1), "bit not set after failed verification");
    }

    function test_deliver_revertsOnAttestationForOtherVerifier() public {
        bytes memory m = _message(1, address(recorder), "a");
        bytes memory att = _attestMessage(LOCAL, address(0xBEEF), 1, keccak256(m), keys, QUORUM);
        vm.expectRevert();
        gateway.deliver(m, att);
        assertFalse(gateway.isDelivered(REMOTE, 1), "not consumed");
    }

    function test_deliver_revertsOnBatchTypedAttestation() public {
        bytes memory m = _message(1, address(recorder), "a");
        bytes memory att = _attestBatch(LOCAL, address(gateway), 1, keccak256(m), keys, QUORUM);
        vm.expectRevert();
        gateway.deliver(m, att);
    }

    function test_deliver_revertsBelowQuorum() public {
        bytes memory m = _message(1, address(recorder), "a");
        bytes memory att = _attestMessage(LOCAL, address(gateway), 1, keccak256(m), keys, QUORUM - 1);
        bytes memory ret = _revertData(address(gateway), 5_000_000, abi.encodeCall(Gateway.deliver, (m, att)));
        assertEq(_selector(ret), IAttesterSet.InsufficientWeight.selector, "attester set rejects the quorum");
        assertFalse(gateway.isDelivered(REMOTE, 1), "not consumed");
    }

    function test_deliver_revertsOnEmptyAttestation() public {
        bytes memory m = _message(1, address(recorder), "a");
        vm.expectRevert();
        gateway.deliver(m, "");
    }

    function test_deliver_nonContractRecipientFails() public {
        address eoa = makeAddr("eoa");
        bytes memory m = _message(3, eoa, "to nobody");
        bytes32 id = keccak256(m);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageFailed(id, REMOTE, 3, abi.encodeWithSelector(IGateway.RecipientNotContract.selector, eoa));
        assertFalse(gateway.isFailed(id), "not failed before delivery");
        _deliver(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");
        assertTrue(gateway.isFailed(id), "failed by id");
        assertTrue(gateway.isDelivered(REMOTE, 3), "consumed");
        // Retrying still finds no code.
        vm.expectRevert(abi.encodeWithSelector(IGateway.RecipientNotContract.selector, eoa));
        gateway.retry(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "still failed");
    }

    function test_deliver_precompileRecipientFails() public {
        bytes memory m = _message(3, address(4), "identity precompile");
        _deliver(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "no code: failed");
    }

    function test_deliver_revertingRecipientRecordedAsFailed() public {
        RevertingRecipient r = new RevertingRecipient();
        bytes memory m = _message(5, address(r), "");
        bytes32 id = keccak256(m);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageFailed(
            id, REMOTE, 5, abi.encodeWithSelector(RevertingRecipient.NoThanks.selector, REMOTE, remoteSender)
        );
        _deliver(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");
        assertTrue(gateway.isDelivered(REMOTE, 5), "delivery stands");
        // A failed message is still delivered exactly once.
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, id));
        gateway.deliver(m, _attest(m));
    }

    function test_deliver_truncatesHugeRevertData() public {
        LoudRevertingRecipient r = new LoudRevertingRecipient(100_000);
        bytes memory m = _message(6, address(r), "");
        vm.recordLogs();
        _deliver(m);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes memory reason;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IGateway.MessageFailed.selector) reason = abi.decode(logs[i].data, (bytes));
        }
        assertEq(reason.length, gateway.MAX_FAILURE_REASON_LENGTH(), "reason truncated");
        assertEq(uint256(bytes32(_slice32(reason, 32))), ~uint256(32), "reason is a prefix of the revert data");
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");
    }

    function test_deliver_gasBurnerMarkedFailedThenRetried() public {
        GasBurnerRecipient burner = new GasBurnerRecipient();
        bytes memory m = _message(7, address(burner), "burn");
        bytes32 id = keccak256(m);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageFailed(id, REMOTE, 7, "");
        (bool ok,) =
            address(gateway).call{gas: 2_000_000}(abi.encodeCall(Gateway.deliver, (m, _attest(m))));
        assertTrue(ok, "delivery stands although the recipient burned all its gas");
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");

        // Still burning: retry reverts (out of gas in the recipient), message stays failed.
        (ok,) = address(gateway).call{gas: 500_000}(abi.encodeCall(Gateway.retry, (m)));
        assertFalse(ok, "retry reverts");
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "still failed");

        burner.stopBurning();
        vm.expectEmit(address(gateway));
        emit IGateway.MessageRetried(id);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageDelivered(id, REMOTE, 7);
        gateway.retry(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered");
        assertEq(burner.callCount(), 1, "handled once");
    }

    function test_deliver_revertsWhenRelayerStarvesRecipient() public {
        bytes memory m = _message(8, address(recorder), "");
        bytes memory data = abi.encodeCall(Gateway.deliver, (m, _attest(m)));
        bytes memory ret = _revertData(address(gateway), 130_000, data);
        assertEq(_selector(ret), IGateway.InsufficientGasForRecipient.selector, "starved relayer reverts");
        (, uint256 available, uint256 required) = abi.decode(_withoutSelectorWord(ret), (uint256, uint256, uint256));
        assertLe(available, required, "reported gas below requirement");
        assertEq(required, gateway.RECIPIENT_GAS_FLOOR() + gateway.RECIPIENT_GAS_RESERVE(), "required");
        assertFalse(gateway.isDelivered(REMOTE, 8), "not consumed");
        assertEq(recorder.callCount(), 0, "recipient not called");
    }

    /// @dev With the least gas that lets a delivery through, the recipient still gets at least the floor, and a
    ///      gas-burning recipient still ends as Failed rather than reverting the delivery.
    function test_deliver_minimumGasGivesRecipientTheFloor() public {
        bytes memory m = _message(9, address(recorder), "");
        bytes memory data = abi.encodeCall(Gateway.deliver, (m, _attest(m)));
        uint256 minGas = _minimumGas(data);
        (bool ok,) = address(gateway).call{gas: minGas}(data);
        assertTrue(ok, "delivers at the minimum");
        assertEq(recorder.callCount(), 1, "called");
        // `gasAtEntry` is read after the recipient's dispatch (a few hundred gas).
        assertGe(recorder.lastCall().gasAtEntry + 1_000, gateway.RECIPIENT_GAS_FLOOR(), "recipient got the floor");

        GasBurnerRecipient burner = new GasBurnerRecipient();
        bytes memory mb = _message(10, address(burner), "");
        data = abi.encodeCall(Gateway.deliver, (mb, _attest(mb)));
        minGas = _minimumGas(data);
        (ok,) = address(gateway).call{gas: minGas}(data);
        assertTrue(ok, "burner delivery stands at minimum gas");
        assertEq(uint256(gateway.messageStatus(mb)), uint256(IGateway.MessageStatus.Failed), "burner failed");
    }

    /// @dev `deliver` holds no reentrancy lock: a recipient re-entering it delivers another attested message exactly
    ///      once, as if relayed after the outer one.
    function test_deliver_reentrantDeliverOfOtherMessageIsIndependent() public {
        ReentrantRecipient r = new ReentrantRecipient();
        bytes memory inner = _message(21, address(recorder), "inner");
        r.setInnerCall(address(gateway), abi.encodeCall(Gateway.deliver, (inner, _attest(inner))), 0);
        bytes memory m = _message(20, address(r), "outer");
        _deliver(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "outer delivered");
        assertTrue(gateway.isDelivered(REMOTE, 21), "inner message delivered");
        assertEq(recorder.callCount(), 1, "inner recipient called once");
        // ... and exactly once: relaying it again fails.
        bytes memory att = _attest(inner);
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(inner)));
        gateway.deliver(inner, att);
    }

    /// @dev A recipient re-entering `deliver` with the message being delivered finds its bit already set.
    function test_deliver_reentrantDeliverOfSameMessageFails() public {
        ReentrantRecipient r = new ReentrantRecipient();
        bytes memory m = _message(24, address(r), "self");
        r.setInnerCall(address(gateway), abi.encodeCall(Gateway.deliver, (m, _attest(m))), 0);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageFailed(
            keccak256(m), REMOTE, 24, abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(m))
        );
        _deliver(m);
        assertEq(r.callCount(), 0, "recipient handled nothing");
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed, retryable");
    }

    function test_deliver_reentrantRetryOfOwnMessageFails() public {
        ReentrantRecipient r = new ReentrantRecipient();
        bytes memory m = _message(22, address(r), "self");
        r.setInnerCall(address(gateway), abi.encodeCall(Gateway.retry, (m)), 0);
        _deliver(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");
        // Retrying from outside still re-enters and still fails; it stays failed.
        vm.expectRevert(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        gateway.retry(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "still failed");
    }

    function test_deliver_recipientMaySendReply() public {
        ReentrantRecipient r = new ReentrantRecipient();
        r.setInnerCall(address(gateway), abi.encodeCall(Gateway.send, (REMOTE, remoteSender, "pong")), 0);
        bytes memory m = _message(23, address(r), "ping");
        _deliver(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered");
        assertEq(gateway.nextNonce(), 1, "reply sent");
        assertEq(r.callCount(), 1, "handled");
    }

    function test_deliver_revertsOnAttestationForOtherDomain() public {
        bytes memory m = _message(1, address(recorder), "a");
        bytes memory att = _attestMessage(REMOTE, address(gateway), 1, keccak256(m), keys, QUORUM);
        vm.expectRevert();
        gateway.deliver(m, att);
        assertFalse(gateway.isDelivered(REMOTE, 1), "not consumed");
    }

    /// @dev §4: an attestation by a set that expired after rotation no longer delivers; the new set re-attests the
    ///      same message id and it delivers. Nothing about the message is bound to the set that first attested it.
    function test_deliver_reattestedByNextSetAfterExpiry() public {
        bytes memory m = _message(70, address(recorder), "in flight across a rotation");
        bytes memory oldAtt = _attest(m);

        (uint256[] memory nextKeys, address[] memory nextAttesters, uint96[] memory nextWeights) = _makeSet(7, 99);
        bytes memory rotation =
            _attestRotation(set, 1, nextAttesters, nextWeights, THRESHOLD_5_OF_7, keys, QUORUM);
        set.rotate(nextAttesters, nextWeights, THRESHOLD_5_OF_7, rotation);
        assertEq(set.currentSetId(), 2, "rotated");

        // Still inside the overlap window the old attestation is valid, but keep it for later.
        uint256 snap = vm.snapshotState();
        gateway.deliver(m, oldAtt);
        assertTrue(gateway.isDelivered(REMOTE, 70), "old set delivers during overlap");
        vm.revertToState(snap);

        vm.warp(block.timestamp + 1 days + 1);
        bytes memory ret = _revertData(address(gateway), 5_000_000, abi.encodeCall(Gateway.deliver, (m, oldAtt)));
        assertEq(_selector(ret), IAttesterSet.AttesterSetExpired.selector, "expired set rejected");
        assertFalse(gateway.isDelivered(REMOTE, 70), "not consumed");

        bytes memory newAtt = _attestMessage(LOCAL, address(gateway), 2, keccak256(m), nextKeys, QUORUM);
        gateway.deliver(m, newAtt);
        assertTrue(gateway.isDelivered(REMOTE, 70), "re-attested message delivered");
        assertEq(recorder.callCount(), 1, "handled once");
    }

    // =========================================================================================================
    // retry
    // =========================================================================================================

    function test_retry_succeedsAfterToggle() public {
        ToggleRecipient t = new ToggleRecipient();
        bytes memory m = _message(30, address(t), "later");
        bytes32 id = keccak256(m);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageFailed(id, REMOTE, 30, abi.encodeWithSelector(ToggleRecipient.Closed.selector));
        _deliver(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");

        // A retry that reverts bubbles the recipient's error and leaves the message failed.
        vm.expectRevert(abi.encodeWithSelector(ToggleRecipient.Closed.selector));
        gateway.retry(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "still failed");

        t.open();
        address anyone = makeAddr("anyone");
        vm.expectEmit(address(gateway));
        emit IGateway.MessageRetried(id);
        vm.expectEmit(address(gateway));
        emit IGateway.MessageDelivered(id, REMOTE, 30);
        vm.prank(anyone);
        gateway.retry(m);
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered");
        assertFalse(gateway.isFailed(id), "no longer failed by id");
        assertEq(t.callCount(), 1, "handled once");
        assertEq(t.lastCall().caller, address(gateway), "called by gateway");
        assertEq(t.lastCall().payload, "later", "payload");

        vm.expectRevert(abi.encodeWithSelector(IGateway.NotFailed.selector, id));
        gateway.retry(m);
        assertEq(t.callCount(), 1, "no second handling");
    }

    function test_retry_revertsWhenNotFailed() public {
        bytes memory m = _message(31, address(recorder), "");
        vm.expectRevert(abi.encodeWithSelector(IGateway.NotFailed.selector, keccak256(m)));
        gateway.retry(m);
        _deliver(m);
        vm.expectRevert(abi.encodeWithSelector(IGateway.NotFailed.selector, keccak256(m)));
        gateway.retry(m);
    }

    function test_retry_revertsOnMalformedMessage() public {
        vm.expectRevert(abi.encodeWithSelector(Message.MessageTooShort.selector, 3));
        gateway.retry(hex"010203");
    }

    // =========================================================================================================
    // messageStatus / isDelivered
    // =========================================================================================================

    function test_messageStatus_noneBeforeDelivery() public view {
        bytes memory m = _message(40, address(recorder), "");
        assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.None), "none");
    }

    function test_messageStatus_noneForOtherDestination() public {
        _deliver(_message(41, address(recorder), ""));
        bytes memory elsewhere = Message.encode(41, REMOTE, remoteSender, 7, _toBytes32(address(recorder)), "");
        assertEq(uint256(gateway.messageStatus(elsewhere)), uint256(IGateway.MessageStatus.None), "none");
    }

    function test_messageStatus_revertsOnMalformed() public {
        vm.expectRevert(abi.encodeWithSelector(Message.MessageTooShort.selector, 0));
        gateway.messageStatus("");
    }

    function test_isDelivered_wordBoundaries() public {
        uint64[6] memory nonces = [uint64(0), 255, 256, 511, 512, type(uint64).max];
        for (uint256 i; i < nonces.length; ++i) {
            assertFalse(gateway.isDelivered(REMOTE, nonces[i]), "clear before");
            _deliver(_message(nonces[i], address(recorder), ""));
            assertTrue(gateway.isDelivered(REMOTE, nonces[i]), "set after");
        }
        assertFalse(gateway.isDelivered(REMOTE, 1), "1 untouched");
        assertFalse(gateway.isDelivered(REMOTE, 254), "254 untouched");
        assertFalse(gateway.isDelivered(REMOTE, 257), "257 untouched");
        assertFalse(gateway.isDelivered(REMOTE, type(uint64).max - 1), "max-1 untouched");
    }

    // =========================================================================================================
    // pause / guardian / ownership
    // =========================================================================================================

    function test_pause_blocksSendDeliverBatchRetry() public {
        ToggleRecipient t = new ToggleRecipient();
        bytes memory failedMsg = _message(50, address(t), "");
        _deliver(failedMsg);
        t.open();

        vm.expectEmit(address(gateway));
        emit Pausable.Paused(guardian);
        vm.prank(guardian);
        gateway.pause();
        assertTrue(gateway.paused(), "paused");

        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.send(REMOTE, bytes32(0), "");

        bytes memory m = _message(51, address(recorder), "");
        bytes memory att = _attest(m);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.deliver(m, att);

        bytes[] memory batch = _messages(52, 2, address(recorder));
        (bytes32[][] memory proofs, bytes memory batchAtt,) = _batch(batch);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.deliverBatch(batch, proofs, batchAtt);

        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.retry(failedMsg);

        // Views keep working while paused.
        assertEq(uint256(gateway.messageStatus(failedMsg)), uint256(IGateway.MessageStatus.Failed), "view");
        assertEq(gateway.quoteFee(REMOTE, 1), 0, "quote");

        vm.expectEmit(address(gateway));
        emit Pausable.Unpaused(guardian);
        vm.prank(guardian);
        gateway.unpause();

        gateway.send(REMOTE, bytes32(0), "");
        gateway.deliver(m, att);
        gateway.deliverBatch(batch, proofs, batchAtt);
        gateway.retry(failedMsg);
        assertEq(recorder.callCount(), 3, "all delivered after unpause");
        assertEq(t.callCount(), 1, "retried after unpause");
    }

    function test_pause_blocksVerifyForOtherConsumers() public {
        bytes32 value = keccak256("value");
        bytes memory att = _attestMessage(LOCAL, address(this), 1, value, keys, QUORUM);
        assertEq(gateway.verify(MESSAGE_TYPEHASH_, value, att), 1, "verifies while unpaused");
        vm.prank(guardian);
        gateway.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.verify(MESSAGE_TYPEHASH_, value, att);
        vm.prank(guardian);
        gateway.unpause();
        assertEq(gateway.verify(MESSAGE_TYPEHASH_, value, att), 1, "verifies after unpause");
    }

    function test_pause_rotationWhilePausedKeepsItPaused() public {
        (uint256[] memory nextKeys, address[] memory nextAttesters, uint96[] memory nextWeights) =
            _makeSet(SET_SIZE, 77);
        vm.prank(guardian);
        gateway.pause();
        // A quorum rotation stays possible while paused (recovery path) ...
        gateway.rotate(
            nextAttesters,
            nextWeights,
            THRESHOLD_5_OF_7,
            _attestRotation(gateway, 1, nextAttesters, nextWeights, THRESHOLD_5_OF_7, keys, QUORUM)
        );
        assertEq(gateway.currentSetId(), 2, "rotated");
        assertTrue(gateway.paused(), "still paused");
        // ... and both live sets (the new one and the old one in its overlap window) stay paused.
        bytes memory m1 = _message(60, address(recorder), "");
        bytes memory attNew = _attestMessage(LOCAL, address(gateway), 2, keccak256(m1), nextKeys, QUORUM);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.deliver(m1, attNew);
        bytes memory m2 = _message(61, address(recorder), "");
        bytes memory attOld = _attest(m2);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.deliver(m2, attOld);

        vm.prank(guardian);
        gateway.unpause();
        gateway.deliver(m1, attNew);
        gateway.deliver(m2, attOld);
        assertEq(recorder.callCount(), 2, "both sets deliver after unpause");
    }

    function test_pause_emergencyRotationWhilePausedKeepsItPaused() public {
        (uint256[] memory nextKeys, address[] memory nextAttesters, uint96[] memory nextWeights) =
            _makeSet(SET_SIZE, 78);
        vm.prank(owner);
        gateway.proposeEmergencyRotation(nextAttesters, nextWeights, THRESHOLD_5_OF_7);
        vm.prank(guardian);
        gateway.pause();
        vm.warp(block.timestamp + 7 days);
        gateway.executeEmergencyRotation(nextAttesters, nextWeights, THRESHOLD_5_OF_7);
        assertEq(gateway.currentSetId(), 2, "rotated");
        bytes memory m = _message(62, address(recorder), "");
        bytes memory att = _attestMessage(LOCAL, address(gateway), 2, keccak256(m), nextKeys, QUORUM);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.deliver(m, att);
        vm.prank(guardian);
        gateway.unpause();
        gateway.deliver(m, att);
        assertEq(recorder.callCount(), 1, "delivered after unpause");
    }

    function test_unpause_afterRotationResumesNewSet() public {
        vm.prank(guardian);
        gateway.pause();
        vm.prank(guardian);
        gateway.unpause();
        (uint256[] memory nextKeys, address[] memory nextAttesters, uint96[] memory nextWeights) =
            _makeSet(SET_SIZE, 79);
        gateway.rotate(
            nextAttesters,
            nextWeights,
            THRESHOLD_5_OF_7,
            _attestRotation(gateway, 1, nextAttesters, nextWeights, THRESHOLD_5_OF_7, keys, QUORUM)
        );
        bytes memory m = _message(63, address(recorder), "");
        gateway.deliver(m, _attestMessage(LOCAL, address(gateway), 2, keccak256(m), nextKeys, QUORUM));
        assertEq(recorder.callCount(), 1, "new set not paused");
    }

    function test_pause_revertsForNonGuardian() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.NotGuardian.selector, address(this)));
        gateway.pause();
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IGateway.NotGuardian.selector, owner));
        gateway.pause();
    }

    function test_unpause_revertsForNonGuardian() public {
        vm.prank(guardian);
        gateway.pause();
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IGateway.NotGuardian.selector, owner));
        gateway.unpause();
        assertTrue(gateway.paused(), "still paused");
    }

    function test_pause_revertsWhenAlreadyPaused() public {
        vm.startPrank(guardian);
        gateway.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        gateway.pause();
        gateway.unpause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.ExpectedPause.selector));
        gateway.unpause();
        vm.stopPrank();
    }

    function test_setGuardian_ownerReplacesGuardian() public {
        address next = makeAddr("next guardian");
        vm.expectEmit(address(gateway));
        emit IGateway.GuardianSet(guardian, next);
        vm.prank(owner);
        gateway.setGuardian(next);
        assertEq(gateway.guardian(), next, "guardian");

        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IGateway.NotGuardian.selector, guardian));
        gateway.pause();
        vm.prank(next);
        gateway.pause();
        assertTrue(gateway.paused(), "new guardian pauses");
    }

    function test_setGuardian_revertsForNonOwner() public {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        gateway.setGuardian(guardian);
    }

    function test_transferOwnership_isTwoStep() public {
        address next = makeAddr("next owner");
        vm.prank(owner);
        gateway.transferOwnership(next);
        assertEq(gateway.owner(), owner, "owner unchanged until accepted");
        assertEq(gateway.pendingOwner(), next, "pending");

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        gateway.acceptOwnership();

        vm.prank(next);
        gateway.acceptOwnership();
        assertEq(gateway.owner(), next, "accepted");
        assertEq(gateway.pendingOwner(), address(0), "pending cleared");

        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
        gateway.setFee(REMOTE, 1, 1);
        vm.prank(next);
        gateway.setFee(REMOTE, 1, 1);
        assertEq(gateway.quoteFee(REMOTE, 0), 1, "new owner administers");
    }

    function test_transferOwnership_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        gateway.transferOwnership(address(this));
    }

    // =========================================================================================================
    // fuzz
    // =========================================================================================================

    /// @dev Two (origin, nonce) pairs: each is delivered exactly once and never marks the other.
    function testFuzz_deliver_bitmapPairsNeverCollide(uint32 originA, uint64 nonceA, uint32 originB, uint64 nonceB)
        public
    {
        originA = uint32(bound(originA, 1, type(uint32).max));
        originB = uint32(bound(originB, 1, type(uint32).max));
        vm.assume(originA != originB || nonceA != nonceB);
        bytes memory a = _message(originA, nonceA, address(recorder), "a");
        bytes memory b = _message(originB, nonceB, address(recorder), "b");

        _deliver(a);
        assertTrue(gateway.isDelivered(originA, nonceA), "a delivered");
        assertFalse(gateway.isDelivered(originB, nonceB), "b untouched by a");
        assertEq(uint256(gateway.messageStatus(b)), uint256(IGateway.MessageStatus.None), "b none");

        _deliver(b);
        assertTrue(gateway.isDelivered(originB, nonceB), "b delivered");
        assertTrue(gateway.isDelivered(originA, nonceA), "a still delivered");
        assertEq(recorder.callCount(), 2, "two handles");

        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(a)));
        gateway.deliver(a, _attest(a));
        vm.expectRevert(abi.encodeWithSelector(IGateway.AlreadyDelivered.selector, keccak256(b)));
        gateway.deliver(b, _attest(b));
    }

    /// @dev Fee arithmetic and refund for any schedule and payment.
    function testFuzz_send_chargesQuoteAndRefundsRest(uint128 baseFee, uint128 feePerByte, uint16 len, uint256 extra)
        public
    {
        len = uint16(bound(len, 0, 4096));
        baseFee = uint128(bound(baseFee, 0, 1e24));
        feePerByte = uint128(bound(feePerByte, 0, 1e20));
        extra = bound(extra, 0, 1e24);
        vm.prank(owner);
        gateway.setFee(REMOTE, baseFee, feePerByte);
        uint256 fee = gateway.quoteFee(REMOTE, len);
        assertEq(fee, uint256(baseFee) + uint256(feePerByte) * len, "quote");
        address alice = makeAddr("alice");
        vm.deal(alice, fee + extra);
        vm.prank(alice);
        gateway.send{value: fee + extra}(REMOTE, bytes32(0), new bytes(len));
        assertEq(alice.balance, extra, "refund");
        assertEq(address(gateway).balance, fee, "fee");
    }

    /// @dev Whatever gas limit a relayer picks, a delivery to a gas burner either reverts (too little gas, nothing
    ///      recorded) or stands as Failed: it never ends delivered-but-unrecorded.
    function testFuzz_deliver_gasBurnerNeverRevertsAfterFloor(uint256 gasLimit) public {
        gasLimit = bound(gasLimit, 100_000, 3_000_000);
        GasBurnerRecipient burner = new GasBurnerRecipient();
        bytes memory m = _message(60, address(burner), "");
        (bool ok,) = address(gateway).call{gas: gasLimit}(abi.encodeCall(Gateway.deliver, (m, _attest(m))));
        if (ok) {
            assertEq(uint256(gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Failed), "failed");
        } else {
            assertFalse(gateway.isDelivered(REMOTE, 60), "nothing recorded");
        }
        if (gasLimit >= 400_000) assertTrue(ok, "enough gas always delivers");
    }

    // =========================================================================================================
    // helpers
    // =========================================================================================================

    /// @dev The least gas limit for which a call with `data` to the gateway succeeds (binary search on snapshots).
    function _minimumGas(bytes memory data) internal returns (uint256) {
        uint256 lo = 100_000;
        uint256 hi = 2_000_000;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            uint256 snap = vm.snapshotState();
            (bool ok,) = address(gateway).call{gas: mid}(data);
            vm.revertToState(snap);
            if (ok) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    function _slice32(bytes memory b, uint256 offset) internal pure returns (bytes32 out) {
        assembly ("memory-safe") {
            out := mload(add(add(b, 0x20), offset))
        }
    }

    /// @dev Left-pads the 4-byte selector to a word so `abi.decode` can skip it.
    function _withoutSelectorWord(bytes memory ret) internal pure returns (bytes memory) {
        return abi.encodePacked(bytes28(0), ret);
    }
}
