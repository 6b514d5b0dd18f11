// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DistributionMessage} from "../../src/libraries/DistributionMessage.sol";
import {TokenMessage} from "../../src/libraries/TokenMessage.sol";
import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";

contract DistributionMessageHarness {
    function encode(bytes32 root, bytes32 token, uint64 total, uint32 leafCount, bytes32 id)
        external
        pure
        returns (bytes memory)
    {
        return DistributionMessage.encode(root, token, total, leafCount, id);
    }

    function decode(bytes calldata payload) external pure returns (DistributionMessage.Distribution memory) {
        return DistributionMessage.decode(payload);
    }
}

contract DistributionMessageTest is Test {
    DistributionMessageHarness internal h = new DistributionMessageHarness();

    function test_encode_layout() public view {
        bytes32 root = bytes32(uint256(0xAAAA));
        bytes32 token = bytes32(uint256(0xBBBB));
        bytes32 id = bytes32(uint256(0xCCCC));
        bytes memory p = h.encode(root, token, 0x0102030405060708, 0x090a0b0c, id);
        assertEq(p.length, 109, "length");
        assertEq(uint8(p[0]), 2, "kind");
        assertEq(
            p, abi.encodePacked(uint8(2), root, token, hex"0102030405060708", hex"090a0b0c", id), "byte layout"
        );
    }

    function testFuzz_decode_roundTrip(bytes32 root, bytes32 token, uint64 total, uint32 leafCount, bytes32 id)
        public
        view
    {
        DistributionMessage.Distribution memory d = h.decode(h.encode(root, token, total, leafCount, id));
        assertEq(d.root, root, "root");
        assertEq(d.token, token, "token");
        assertEq(d.total, total, "total");
        assertEq(d.leafCount, leafCount, "leafCount");
        assertEq(d.distributionId, id, "distributionId");
    }

    function test_decode_invalidLengthShort() public {
        bytes memory p = h.encode(bytes32(0), bytes32(0), 1, 1, bytes32(0));
        bytes memory shorter = new bytes(108);
        for (uint256 i; i < 108; ++i) shorter[i] = p[i];
        vm.expectRevert(abi.encodeWithSelector(DistributionMessage.DistributionMessageInvalidLength.selector, 108));
        h.decode(shorter);
    }

    function test_decode_invalidLengthLong() public {
        bytes memory p = abi.encodePacked(h.encode(bytes32(0), bytes32(0), 1, 1, bytes32(0)), uint8(0));
        vm.expectRevert(abi.encodeWithSelector(DistributionMessage.DistributionMessageInvalidLength.selector, 110));
        h.decode(p);
    }

    function test_decode_transferIsNotADistribution() public {
        // A 73-byte transfer fails on its length before its kind is read.
        bytes memory transfer = TokenMessage.encode(bytes32(0), bytes32(0), 1);
        vm.expectRevert(abi.encodeWithSelector(DistributionMessage.DistributionMessageInvalidLength.selector, 73));
        h.decode(transfer);
    }

    function test_decode_unknownKind() public {
        bytes memory p = h.encode(bytes32(0), bytes32(0), 1, 1, bytes32(0));
        p[0] = bytes1(uint8(1));
        vm.expectRevert(abi.encodeWithSelector(TokenMessage.TokenMessageUnknownKind.selector, 1));
        h.decode(p);
    }
}
