// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm, vm} from "../utils/Vm.sol";
import {GatewayBase} from "../core/GatewayBase.t.sol";
import {BulkSender} from "../../src/demo/BulkSender.sol";
import {Message} from "../../src/libraries/Message.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";

contract BulkSenderTest is GatewayBase {
    BulkSender internal sender;
    bytes32 internal constant RECIPIENT = bytes32(uint256(0xbeef));

    function setUp() public override {
        super.setUp();
        sender = new BulkSender(gateway);
        vm.prank(owner);
        gateway.setFee(REMOTE, 1000, 10);
    }

    function test_quote_isCountTimesTheGatewayFee() public view {
        assertEq(sender.quote(REMOTE, 5), 5 * gateway.quoteFee(REMOTE, 32), "5 fees");
    }

    function test_sendMany_emitsOneMessagePerCountWithConsecutiveNoncesAndPayloads() public {
        uint256 count = 4;
        vm.recordLogs();
        sender.sendMany{value: sender.quote(REMOTE, count)}(REMOTE, RECIPIENT, 100, count);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 sent = keccak256("MessageSent(bytes32,uint32,uint64,bytes)");
        uint256 seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != sent) continue;
            bytes memory message = abi.decode(logs[i].data, (bytes));
            bytes memory expected = Message.encode(
                uint64(seen), LOCAL, bytes32(uint256(uint160(address(sender)))), REMOTE, RECIPIENT, abi.encode(100 + seen)
            );
            assertEq(keccak256(message), keccak256(expected), "message i");
            assertEq(logs[i].topics[1], keccak256(expected), "indexed id");
            ++seen;
        }
        assertEq(seen, count, "one MessageSent per message");
        assertEq(gateway.nextNonce(), count, "nonces consumed");
        assertEq(address(gateway).balance, sender.quote(REMOTE, count), "fees reach the gateway");
    }

    function test_sendMany_revertsOnZeroCount() public {
        vm.expectRevert(BulkSender.NothingToSend.selector);
        sender.sendMany(REMOTE, RECIPIENT, 0, 0);
    }

    function test_sendMany_revertsOnUnderpayment() public {
        uint256 fee = sender.quote(REMOTE, 3);
        vm.expectRevert(abi.encodeWithSelector(BulkSender.WrongFee.selector, fee, fee - 1));
        sender.sendMany{value: fee - 1}(REMOTE, RECIPIENT, 0, 3);
    }

    function test_sendMany_revertsOnOverpayment() public {
        uint256 fee = sender.quote(REMOTE, 3);
        vm.expectRevert(abi.encodeWithSelector(BulkSender.WrongFee.selector, fee, fee + 1));
        sender.sendMany{value: fee + 1}(REMOTE, RECIPIENT, 0, 3);
    }

    function test_sendMany_bubblesTheGatewaysRevert() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidDestination.selector, LOCAL));
        sender.sendMany(LOCAL, RECIPIENT, 0, 1);
    }
}
