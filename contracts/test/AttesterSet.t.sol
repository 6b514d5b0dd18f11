// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {vm} from "./utils/Vm.sol";
import {AttesterHarness} from "./utils/AttesterHarness.sol";
import {AttesterSet} from "../src/AttesterSet.sol";
import {AttestationLib} from "../src/libraries/AttestationLib.sol";

contract AttesterSetTest is Test, AttesterHarness {
    uint32 internal constant DOMAIN = 1001;
    address internal owner = address(0xA11CE);

    function test_verify_oneOfOne() public {
        (AttesterSet set, uint256[] memory keys) = _deployAttesterSet(DOMAIN, owner, 1, 10_000);
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, keccak256("m"), keys, 1);
        assertEq(set.verify(AttestationLib.MESSAGE_TYPEHASH, keccak256("m"), att), 1, "set id");
    }

    function test_verify_thirteenOfNineteen() public {
        (AttesterSet set, uint256[] memory keys) = _deployAttesterSet(DOMAIN, owner, 19, THRESHOLD_13_OF_19);
        bytes memory att = _attestMessage(DOMAIN, address(this), 1, keccak256("m"), keys, 13);
        uint256 g = gasleft();
        set.verify(AttestationLib.MESSAGE_TYPEHASH, keccak256("m"), att);
        g -= gasleft();
        assertLe(g, 60_000, "gas");
    }
}
