// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";

contract TokenMessageHarness {
    function encode(bytes32 token, bytes32 recipient, uint64 amount) external pure returns (bytes memory) {
        return TokenMessage.encode(token, recipient, amount);
    }

    function decode(bytes calldata payload) external pure returns (bytes32, bytes32, uint64) {
        return TokenMessage.decode(payload);
    }
}

contract TokenMessageTest is Test {
    TokenMessageHarness internal h = new TokenMessageHarness();

    function test_encode_layout() public view {
        bytes32 token = bytes32(uint256(0xAAAA));
        bytes32 recipient = bytes32(uint256(0xBBBB));
        bytes memory p = h.encode(token, recipient, 0x0102030405060708);
        assertEq(p.length, 73, "length");
        assertEq(uint8(p[0]), 1, "kind");
        assertEq(p, abi.encodePacked(uint8(1), token, recipient, hex"0102030405060708"), "byte layout");
    }

    function testFuzz_decode_roundTrip(bytes32 token, bytes32 recipient, uint64 amount) public view {
        (bytes32 t, bytes32 r, uint64 a) = h.decode(h.encode(token, recipient, amount));
        assertEq(t, token, "token");
        assertEq(r, recipient, "recipient");
        assertEq(a, amount, "amount");
    }

    function test_decode_invalidLengthShort() public {
        bytes memory p = h.encode(bytes32(0), bytes32(0), 1);
        bytes memory shorter = new bytes(72);
        for (uint256 i; i < 72; ++i) shorter[i] = p[i];
        vm.expectRevert(abi.encodeWithSelector(TokenMessage.TokenMessageInvalidLength.selector, 72));
        h.decode(shorter);
    }

    function test_decode_invalidLengthLong() public {
        bytes memory p = abi.encodePacked(h.encode(bytes32(0), bytes32(0), 1), uint8(0));
        vm.expectRevert(abi.encodeWithSelector(TokenMessage.TokenMessageInvalidLength.selector, 74));
        h.decode(p);
    }

    function test_decode_unknownKind() public {
        bytes memory p = h.encode(bytes32(0), bytes32(0), 1);
        p[0] = bytes1(uint8(2));
        vm.expectRevert(abi.encodeWithSelector(TokenMessage.TokenMessageUnknownKind.selector, 2));
        h.decode(p);
    }
}
