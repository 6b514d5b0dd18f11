// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Gateway} from "../src/Gateway.sol";
import {IGateway} from "../src/interfaces/IGateway.sol";
import {Message} from "../src/libraries/Message.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "./utils/Vm.sol";

/// @notice Gas of the benchmarked path: `deliver` of one token transfer with a 13-of-19 quorum that releases
///         locked canonical tokens to a fresh recipient. Everything but the measured call happens in setUp, so the
///         measured call runs with cold accounts and storage like a real transaction.
/// @dev Steady state: the origin's delivery-bitmap word is already non-zero (an earlier message from the same
///      origin was delivered), as it is for 255 of every 256 messages. The first message of each 256-nonce word
///      pays ~17,100 more for the bitmap's zero-to-non-zero SSTORE (measured by the "firstOfWord" test).
///      Results are emitted as `GasMeasured` events (visible with -vvvv) and guarded by regression ceilings.
contract TokenBridgeGasTest is TokenBridgeFixture {
    /// @dev Brief's budget for deliver + release, excluding the 21,000 tx base.
    uint256 internal constant BRIEF_BUDGET = 120_000;
    /// @dev Regression ceiling for TokenBridge.handle called from a test (incl. the cold call into the bridge) on this
    ///      path, including the token's own transfer (~29,800).
    uint256 internal constant HANDLE_CEILING = 56_000;

    address internal fresh = makeAddr("fresh recipient");
    bytes internal warmup;
    bytes internal message;
    bytes internal attestation;

    event GasMeasured(string what, uint256 gas);

    function setUp() public override {
        super.setUp();
        _bridgeToB(bob, 100e18); // escrow on A holds 100; bob holds 100 bridged on B
        warmup = _send(b, a, address(wrapped), bob, bob, 1e18); // nonce 0 from B
        message = _send(b, a, address(wrapped), bob, fresh, 10e18); // nonce 1 from B: the measured one
        attestation = _attestFor(a, message);
        if (_steadyState()) _deliver(a, warmup);
    }

    function _steadyState() internal pure virtual returns (bool) {
        return true;
    }

    function test_deliver_gasTokenReleaseFreshRecipient13of19() public {
        (uint256 execution, uint256 calldataGas) = _measureDeliver();
        emit GasMeasured("deliver 13-of-19 + release, execution", execution);
        emit GasMeasured("deliver 13-of-19 + release, calldata", calldataGas);
        emit GasMeasured("deliver 13-of-19 + release, tx gas - 21000", execution + calldataGas);
        emit GasMeasured(
            "over the brief's budget by",
            execution + calldataGas > BRIEF_BUDGET ? execution + calldataGas - BRIEF_BUDGET : 0
        );
        assertLe(execution + calldataGas, _steadyState() ? 150_000 : 170_000, "regression ceiling (brief budget: 120,000)");
    }

    /// @dev TokenBridge.handle alone, called as the Gateway would (cold bridge storage, cold token, fresh recipient).
    function test_handle_gasTokenReleaseFreshRecipient() public {
        bytes memory payload = this.payloadOf(message);
        vm.prank(address(a.gateway));
        uint256 start = gasleft();
        a.bridge.handle(DOMAIN_B, _toBytes32(address(b.bridge)), payload);
        uint256 used = start - gasleft();
        emit GasMeasured("TokenBridge.handle (lock/release, fresh recipient)", used);
        assertEq(canonical.balanceOf(fresh), 10e18, "released");
        assertLe(used, HANDLE_CEILING, "handle regression ceiling");
    }

    function payloadOf(bytes calldata m) external pure returns (bytes memory) {
        return Message.payload(m);
    }

    function _measureDeliver() internal returns (uint256 execution, uint256 calldataGas) {
        bytes memory m = message;
        bytes memory att = attestation;
        Gateway gw = a.gateway;
        uint256 start = gasleft();
        gw.deliver(m, att);
        execution = start - gasleft();
        calldataGas = _calldataGas(abi.encodeCall(Gateway.deliver, (m, att)));
        assertEq(canonical.balanceOf(fresh), 10e18, "released to fresh recipient");
        assertEq(uint256(gw.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered");
    }

    /// @dev EIP-2028 calldata cost: 16 per non-zero byte, 4 per zero byte (EIP-7623's floor does not apply on cancun).
    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i; i < data.length; ++i) {
            g += data[i] == 0 ? 4 : 16;
        }
    }
}

/// @notice The same measurement when the message is the first of its 256-nonce bitmap word from that origin.
contract TokenBridgeGasFirstOfWordTest is TokenBridgeGasTest {
    function _steadyState() internal pure override returns (bool) {
        return false;
    }

    function test_deliver_gasTokenReleaseFreshRecipientFirstOfWord() public {
        (uint256 execution, uint256 calldataGas) = _measureDeliver();
        emit GasMeasured("first of bitmap word: deliver + release, tx gas - 21000", execution + calldataGas);
        assertLe(execution + calldataGas, 170_000, "regression ceiling");
    }
}
