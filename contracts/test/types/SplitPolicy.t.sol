// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SplitPolicy, SplitPolicyLibrary} from "../../src/types/SplitPolicy.sol";
import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";

/// @dev External entry points so that reverts of the internal library functions can be expected.
contract SplitPolicyHarness {
    function validate(SplitPolicy policy) external pure {
        policy.validate();
    }

    function split(SplitPolicy policy, uint256 amount) external pure returns (uint256, uint256, uint256, uint256) {
        return policy.split(amount);
    }
}

/// @notice The split policy word: layout, round trips, validation (sum and protocol cap), and the split arithmetic.
contract SplitPolicyTest is Test {
    uint16 internal constant BPS = 10_000;
    uint16 internal constant CAP = SplitPolicyLibrary.MAX_PROTOCOL_FEE_BPS;

    SplitPolicyHarness internal harness = new SplitPolicyHarness();

    function _word(SplitPolicy p) internal pure returns (uint64) {
        return SplitPolicy.unwrap(p);
    }

    /// @dev A valid policy from three fuzzed numbers: protocol in [0, CAP], the rest shared out of 10,000.
    function _validPolicy(uint256 a, uint256 b, uint256 protocol) internal pure returns (SplitPolicy) {
        uint16 p = uint16(bound(protocol, 0, CAP));
        uint16 c = uint16(bound(a, 0, BPS - p));
        uint16 t = uint16(bound(b, 0, BPS - p - c));
        return SplitPolicyLibrary.pack(c, t, BPS - p - c - t, p);
    }

    // ---------------------------------------------------------------- pack and accessors

    function test_pack_layoutMatchesTheDocumentedBits() public pure {
        SplitPolicy p = SplitPolicyLibrary.pack(7000, 1500, 1000, 500);
        assertEq(_word(p), (uint64(7000) << 48) | (uint64(1500) << 32) | (uint64(1000) << 16) | 500, "layout");
        assertEq(_word(p), 0x1b58_05dc_03e8_01f4, "hex layout: creators, treasury, operators, protocol");
    }

    function test_pack_roundTrips(uint16 c, uint16 t, uint16 o, uint16 p) public pure {
        SplitPolicy policy = SplitPolicyLibrary.pack(c, t, o, p);
        assertEq(policy.creatorsBps(), c, "creators");
        assertEq(policy.treasuryBps(), t, "treasury");
        assertEq(policy.operatorsBps(), o, "operators");
        assertEq(policy.protocolBps(), p, "protocol");
        assertEq(policy.sum(), uint256(c) + t + o + p, "sum");
    }

    function test_pack_maximumFieldsDoNotBleed() public pure {
        SplitPolicy policy = SplitPolicyLibrary.pack(type(uint16).max, 0, type(uint16).max, 0);
        assertEq(policy.treasuryBps(), 0, "treasury untouched");
        assertEq(policy.protocolBps(), 0, "protocol untouched");
        uint16 m = type(uint16).max;
        assertEq(_word(SplitPolicyLibrary.pack(m, m, m, m)), type(uint64).max, "every bit");
    }

    function test_accessors_readTheirFieldOfAnyWord(uint64 word) public pure {
        SplitPolicy policy = SplitPolicy.wrap(word);
        SplitPolicy repacked = SplitPolicyLibrary.pack(
            policy.creatorsBps(), policy.treasuryBps(), policy.operatorsBps(), policy.protocolBps()
        );
        assertEq(_word(repacked), word, "unpack then pack is the identity");
    }

    // ---------------------------------------------------------------- validation

    function test_isValid_matchesTheRule(uint16 c, uint16 t, uint16 o, uint16 p) public view {
        SplitPolicy policy = SplitPolicyLibrary.pack(c, t, o, p);
        bool expected = uint256(c) + t + o + p == BPS && p <= CAP;
        assertTrue(policy.isValid() == expected, "isValid");
        if (expected) {
            harness.validate(policy); // does not revert
        }
    }

    function test_isValid_acceptsEveryGeneratedValidPolicy(uint256 a, uint256 b, uint256 p) public view {
        SplitPolicy policy = _validPolicy(a, b, p);
        assertTrue(policy.isValid(), "valid");
        harness.validate(policy);
    }

    function test_isValid_boundaries() public pure {
        assertTrue(SplitPolicyLibrary.pack(BPS, 0, 0, 0).isValid(), "all to creators");
        assertTrue(SplitPolicyLibrary.pack(0, 0, BPS - CAP, CAP).isValid(), "protocol at the cap");
        assertFalse(SplitPolicyLibrary.pack(0, 0, BPS - CAP - 1, CAP + 1).isValid(), "protocol one above the cap");
        assertFalse(SplitPolicyLibrary.pack(BPS - 1, 0, 0, 0).isValid(), "sum one short");
        assertFalse(SplitPolicyLibrary.pack(BPS, 1, 0, 0).isValid(), "sum one over");
        assertFalse(SplitPolicy.wrap(0).isValid(), "the zero word");
    }

    function test_validate_revertsOnABadSum(uint16 c, uint16 t, uint16 o, uint16 p) public {
        uint256 sum = uint256(c) + t + o + p;
        vm.assume(sum != BPS);
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.InvalidSplitSum.selector, sum));
        harness.validate(SplitPolicyLibrary.pack(c, t, o, p));
    }

    function test_validate_revertsOnAProtocolFeeOverTheCap(uint256 protocol, uint256 creators) public {
        uint16 p = uint16(bound(protocol, CAP + 1, BPS));
        uint16 c = uint16(bound(creators, 0, BPS - p));
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.ProtocolFeeTooHigh.selector, p, CAP));
        harness.validate(SplitPolicyLibrary.pack(c, 0, BPS - p - c, p));
    }

    function test_validate_checksTheSumBeforeTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(SplitPolicyLibrary.InvalidSplitSum.selector, 12_000));
        harness.validate(SplitPolicyLibrary.pack(9000, 0, 0, 3000));
    }

    // ---------------------------------------------------------------- split arithmetic

    function test_split_example() public pure {
        (uint256 c, uint256 t, uint256 o, uint256 p) = SplitPolicyLibrary.pack(7000, 1500, 1000, 500).split(999);
        assertEq(c, 699, "creators floor(699.3)");
        assertEq(t, 149, "treasury floor(149.85)");
        assertEq(p, 49, "protocol floor(49.95)");
        assertEq(o, 102, "operators: the rest (99.9 + the three remainders)");
    }

    function test_split_partsSumToTheAmountAndMatchTheFloors(uint256 a, uint256 b, uint256 protocol, uint256 amount)
        public
        pure
    {
        SplitPolicy policy = _validPolicy(a, b, protocol);
        amount = bound(amount, 0, type(uint128).max);
        (uint256 c, uint256 t, uint256 o, uint256 p) = policy.split(amount);
        assertEq(c + t + o + p, amount, "conservation");
        assertEq(c, amount * policy.creatorsBps() / BPS, "creators floor");
        assertEq(t, amount * policy.treasuryBps() / BPS, "treasury floor");
        assertEq(p, amount * policy.protocolBps() / BPS, "protocol floor");
        uint256 operatorsFloor = amount * policy.operatorsBps() / BPS;
        assertGe(o, operatorsFloor, "operators at least their floor");
        assertLe(o, operatorsFloor + 3, "operators absorb at most three units of rounding");
        assertLe(p, amount * CAP / BPS, "protocol never above the cap");
    }

    function test_split_isMonotoneInTheAmount(uint256 a, uint256 b, uint256 protocol, uint256 amount) public pure {
        SplitPolicy policy = _validPolicy(a, b, protocol);
        amount = bound(amount, 0, type(uint128).max - 1);
        (uint256 c0, uint256 t0,, uint256 p0) = policy.split(amount);
        (uint256 c1, uint256 t1,, uint256 p1) = policy.split(amount + 1);
        assertGe(c1, c0, "creators");
        assertGe(t1, t0, "treasury");
        assertGe(p1, p0, "protocol");
    }

    function test_split_revertsWhenTheSharesExceedTheWhole() public {
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11)); // arithmetic underflow of the operators' part
        harness.split(SplitPolicyLibrary.pack(BPS, BPS, 0, 0), 10);
    }
}
