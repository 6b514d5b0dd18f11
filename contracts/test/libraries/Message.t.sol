// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";
import {Message} from "../../src/libraries/Message.sol";

/// @dev Exposes the calldata readers of Message to tests (they need a real calldata `bytes`).
contract MessageHarness {
    struct Fields {
        uint8 version;
        uint64 nonce;
        uint32 originDomain;
        bytes32 sender;
        uint32 destinationDomain;
        bytes32 recipient;
        bytes payload;
    }

    function encode(uint64 n, uint32 o, bytes32 s, uint32 d, bytes32 r, bytes memory p)
        external
        pure
        returns (bytes memory)
    {
        return Message.encode(n, o, s, d, r, p);
    }

    function validate(bytes calldata message) external pure {
        Message.validate(message);
    }

    function id(bytes calldata message) external pure returns (bytes32) {
        return Message.id(message);
    }

    /// @dev Validates, then reads every field.
    function decode(bytes calldata message) external pure returns (Fields memory f) {
        Message.validate(message);
        f.version = uint8(message[0]);
        f.nonce = Message.nonce(message);
        f.originDomain = Message.originDomain(message);
        f.sender = Message.sender(message);
        f.destinationDomain = Message.destinationDomain(message);
        f.recipient = Message.recipient(message);
        f.payload = Message.payload(message);
    }

    /// @dev `Message.id` must not disturb memory that was allocated before it ran.
    function idKeepsMemory(bytes calldata message) external pure returns (bool) {
        bytes memory before = abi.encodePacked(keccak256("canary"), keccak256("canary2"));
        bytes32 h = keccak256(before);
        Message.id(message);
        bytes memory afterwards = new bytes(64);
        afterwards[0] = 0xff;
        return keccak256(before) == h && afterwards[0] == 0xff && afterwards[63] == 0;
    }
}

contract MessageTest is Test {
    MessageHarness internal h;

    function setUp() public {
        h = new MessageHarness();
    }

    function test_encode_matchesSpecLayout() public view {
        bytes32 sender = bytes32(uint256(0xAAAA));
        bytes32 recipient = bytes32(uint256(0xBBBB) << 96);
        bytes memory m = h.encode(0x0102030405060708, 0x11121314, sender, 0x21222324, recipient, hex"deadbeef");
        bytes memory expected = bytes.concat(
            hex"01",
            hex"0102030405060708",
            hex"11121314",
            sender,
            hex"21222324",
            recipient,
            hex"deadbeef"
        );
        assertEq(m, expected, "byte layout");
        assertEq(m.length, 85, "81-byte header + payload");
        assertEq(uint8(m[0]), 1, "version byte");
        assertEq(uint8(m[1]), 0x01, "nonce big-endian first byte");
        assertEq(uint8(m[8]), 0x08, "nonce big-endian last byte");
        assertEq(uint8(m[9]), 0x11, "origin at 9");
        assertEq(uint8(m[45]), 0x21, "destination at 45");
        assertEq(uint8(m[81]), 0xde, "payload at 81");
    }

    function test_encode_revertsOnPayloadTooLong() public {
        vm.expectRevert(abi.encodeWithSelector(Message.PayloadTooLong.selector, 4097));
        h.encode(0, 1, 0, 2, 0, new bytes(4097));
    }

    function test_encode_acceptsMaxPayload() public view {
        assertEq(h.encode(0, 1, 0, 2, 0, new bytes(4096)).length, 81 + 4096, "max payload");
    }

    function test_decode_readsEveryField() public view {
        bytes memory m = h.encode(type(uint64).max, type(uint32).max, bytes32(type(uint256).max), 7, keccak256("r"), "p");
        MessageHarness.Fields memory f = h.decode(m);
        assertEq(f.version, 1, "version");
        assertEq(f.nonce, type(uint64).max, "nonce");
        assertEq(f.originDomain, type(uint32).max, "origin");
        assertEq(f.sender, bytes32(type(uint256).max), "sender");
        assertEq(f.destinationDomain, 7, "destination");
        assertEq(f.recipient, keccak256("r"), "recipient");
        assertEq(f.payload, "p", "payload");
    }

    function test_validate_acceptsHeaderOnly() public view {
        h.validate(h.encode(0, 1, 0, 2, 0, ""));
    }

    function test_validate_revertsOnEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(Message.MessageTooShort.selector, 0));
        h.validate("");
    }

    function test_validate_revertsOneByteShort() public {
        bytes memory m = h.encode(0, 1, 0, 2, 0, "");
        assembly ("memory-safe") {
            mstore(m, 80)
        }
        vm.expectRevert(abi.encodeWithSelector(Message.MessageTooShort.selector, 80));
        h.validate(m);
    }

    function test_validate_revertsOnPayloadTooLong() public {
        bytes memory m = bytes.concat(h.encode(0, 1, 0, 2, 0, new bytes(4096)), hex"00");
        vm.expectRevert(abi.encodeWithSelector(Message.PayloadTooLong.selector, 4097));
        h.validate(m);
    }

    function test_validate_revertsOnVersionZero() public {
        bytes memory m = h.encode(0, 1, 0, 2, 0, "");
        m[0] = 0x00;
        vm.expectRevert(abi.encodeWithSelector(Message.UnsupportedVersion.selector, uint8(0)));
        h.validate(m);
    }

    function test_validate_revertsOnVersionTwo() public {
        bytes memory m = h.encode(0, 1, 0, 2, 0, "");
        m[0] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(Message.UnsupportedVersion.selector, uint8(2)));
        h.validate(m);
    }

    function test_id_isKeccakOfWholeEncoding() public view {
        bytes memory m = h.encode(5, 1001, keccak256("s"), 1002, keccak256("r"), "hello");
        assertEq(h.id(m), keccak256(m), "id");
    }

    function test_id_doesNotCorruptMemory() public view {
        assertTrue(h.idKeepsMemory(h.encode(5, 1001, 0, 1002, 0, new bytes(300))), "memory intact");
    }

    function test_toBytes32_leftPads() public pure {
        address a = address(0x1234567890AbcdEF1234567890aBcdef12345678);
        assertEq(Message.toBytes32(a), bytes32(uint256(uint160(a))), "left padded");
        assertEq(uint256(Message.toBytes32(a)) >> 160, 0, "upper 12 bytes zero");
    }

    function testFuzz_encode_roundTrip(
        uint64 nonce,
        uint32 origin,
        bytes32 sender,
        uint32 destination,
        bytes32 recipient,
        bytes memory payload
    ) public view {
        vm.assume(payload.length <= 4096);
        bytes memory m = h.encode(nonce, origin, sender, destination, recipient, payload);
        assertEq(m.length, 81 + payload.length, "length");
        MessageHarness.Fields memory f = h.decode(m);
        assertEq(f.version, 1, "version");
        assertEq(f.nonce, nonce, "nonce");
        assertEq(f.originDomain, origin, "origin");
        assertEq(f.sender, sender, "sender");
        assertEq(f.destinationDomain, destination, "destination");
        assertEq(f.recipient, recipient, "recipient");
        assertEq(f.payload, payload, "payload");
        assertEq(h.id(m), keccak256(m), "id");
        // Re-encoding the decoded fields gives the same bytes (the encoding is canonical).
        assertEq(h.encode(f.nonce, f.originDomain, f.sender, f.destinationDomain, f.recipient, f.payload), m, "re");
    }

    function testFuzz_encode_distinctFieldsGiveDistinctIds(uint64 nonceA, uint64 nonceB, bytes memory payload)
        public
        view
    {
        vm.assume(nonceA != nonceB && payload.length <= 4096);
        bytes32 a = h.id(h.encode(nonceA, 1, 0, 2, 0, payload));
        bytes32 b = h.id(h.encode(nonceB, 1, 0, 2, 0, payload));
        assertTrue(a != b, "nonce changes the id");
    }

    /// @dev validate accepts exactly the well-formed byte strings.
    function testFuzz_validate_acceptsOnlyWellFormed(bytes memory data, uint16 extraLength, bool fixVersion) public {
        if (extraLength % 3 == 0) data = bytes.concat(data, new bytes(bound(extraLength, 0, 4300)));
        if (fixVersion && data.length > 0) data[0] = 0x01;
        bool wellFormed = data.length >= 81 && data.length - 81 <= 4096 && uint8(data[0]) == 1;
        (bool ok,) = address(h).call(abi.encodeCall(MessageHarness.validate, (data)));
        assertEq(ok ? 1 : 0, wellFormed ? 1 : 0, "validate iff well formed");
    }
}
