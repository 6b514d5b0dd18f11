// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ChainFamily} from "../../src/libraries/ChainFamily.sol";
import {GatewayBase} from "./GatewayBase.t.sol";
import {vm} from "../utils/Vm.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";

/// @notice Send-time recipient checks by destination family (docs/protocol.md §8.1): `send` refuses a recipient the
///         destination's configured family can never accept.
contract GatewayDestinationFamilyTest is GatewayBase {
    bytes32 internal constant KEY = keccak256("a 32-byte key");
    bytes32 internal constant ADDR = bytes32(uint256(0xB0B));

    function _setFamily(uint8 family) internal {
        vm.prank(owner);
        gateway.setDestinationFamily(REMOTE, family);
    }

    function test_setDestinationFamily_setsAndEmits() public {
        vm.expectEmit(address(gateway));
        emit IGateway.DestinationFamilySet(REMOTE, ChainFamily.SVM);
        _setFamily(ChainFamily.SVM);
        assertEq(gateway.destinationFamily(REMOTE), ChainFamily.SVM, "family");
        assertEq(gateway.destinationFamily(1003), ChainFamily.UNKNOWN, "unknown by default");
    }

    function test_setDestinationFamily_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        vm.prank(guardian);
        gateway.setDestinationFamily(REMOTE, ChainFamily.EVM);
    }

    function test_setDestinationFamily_revertsOnInvalidFamily() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidFamily.selector, 3));
        vm.prank(owner);
        gateway.setDestinationFamily(REMOTE, 3);
    }

    function test_setDestinationFamily_revertsOnInvalidDestination() public {
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidDestination.selector, 0));
        gateway.setDestinationFamily(0, ChainFamily.EVM);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidDestination.selector, LOCAL));
        gateway.setDestinationFamily(LOCAL, ChainFamily.EVM);
        vm.stopPrank();
    }

    function test_send_evmFamilyRefusesNonAddressAndZero() public {
        _setFamily(ChainFamily.EVM);
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidRecipient.selector, KEY));
        gateway.send(REMOTE, KEY, "x");
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidRecipient.selector, bytes32(0)));
        gateway.send(REMOTE, bytes32(0), "x");
        gateway.send(REMOTE, ADDR, "x");
        assertEq(gateway.nextNonce(), 1, "only the address was sent");
    }

    function test_send_svmFamilyAcceptsAnyNonZeroKey() public {
        _setFamily(ChainFamily.SVM);
        gateway.send(REMOTE, KEY, "x");
        gateway.send(REMOTE, ADDR, "x");
        vm.expectRevert(abi.encodeWithSelector(IGateway.InvalidRecipient.selector, bytes32(0)));
        gateway.send(REMOTE, bytes32(0), "x");
        assertEq(gateway.nextNonce(), 2, "both keys sent");
    }

    function test_send_unknownFamilyChecksNothing() public {
        gateway.send(REMOTE, KEY, "x");
        gateway.send(REMOTE, bytes32(0), "x");
        assertEq(gateway.nextNonce(), 2, "as before families existed");
    }
}
