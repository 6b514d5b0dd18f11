// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Gateway} from "../../src/core/Gateway.sol";
import {IGateway} from "../../src/core/interfaces/IGateway.sol";
import {Message} from "../../src/libraries/Message.sol";
import {TokenBridgeFixture} from "./TokenBridgeFixture.t.sol";
import {vm} from "../utils/Vm.sol";

/// @dev Runtime code `STOP`: a call to it costs only the caller-side overhead of a warm CALL.
contract EmptyFrame {
    constructor() {
        assembly ("memory-safe") {
            mstore8(0, 0x00)
            return(0, 1)
        }
    }
}

/// @notice Gas of the benchmarked path: `deliver` of one token transfer with a 13-of-19 quorum that releases
///         locked canonical tokens to a fresh recipient. Everything but the measured call happens in setUp, so the
///         measured call runs with cold accounts and storage like a real transaction.
/// @dev Reports what a real transaction calling `deliver` is charged minus the 21,000 base:
///      - execution: the gas used inside the Gateway's frame. Measured around a low-level call with pre-encoded
///        calldata to the already-warm gateway (a transaction's `to` is warm, EIP-2929), minus the caller-side
///        overhead of such a call, which is calibrated with the same call pattern against a `STOP` contract;
///      - calldata: EIP-2028 cost of the exact transaction data (selector + ABI encoding): 16 per non-zero byte,
///        4 per zero byte (EIP-7623's floor does not apply on cancun).
///      Steady state: the origin's delivery-bitmap word is already non-zero (an earlier message from the same
///      origin was delivered), as it is for 255 of every 256 messages. The first message of each 256-nonce word
///      pays ~17,100 more for the bitmap's zero-to-non-zero SSTORE (the "firstOfWord" contract).
///      Results are emitted as `GasMeasured` events (visible with -vvvv).
contract TokenBridgeGasTest is TokenBridgeFixture {
    /// @dev Brief's budget for deliver + release, excluding the 21,000 tx base (13-of-19, steady state).
    uint256 internal constant BRIEF_BUDGET = 120_000;
    /// @dev Regression ceiling for TokenBridge.handle called from a test (incl. the cold call into the bridge) on this
    ///      path, including the token's own transfer (~29,800).
    uint256 internal constant HANDLE_CEILING = 50_000;

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

    /// @dev Ceiling for `tx gas - 21,000` of this contract's configuration.
    function _ceiling() internal pure virtual returns (uint256) {
        return BRIEF_BUDGET;
    }

    function _label() internal pure virtual returns (string memory) {
        return "13-of-19, steady state";
    }

    function test_deliver_gasTokenReleaseFreshRecipient() public {
        (uint256 execution, uint256 calldataGas) = _measureDeliver();
        emit GasMeasured(string.concat(_label(), ": execution"), execution);
        emit GasMeasured(string.concat(_label(), ": calldata"), calldataGas);
        emit GasMeasured(string.concat(_label(), ": tx gas - 21000"), execution + calldataGas);
        assertLe(execution + calldataGas, _ceiling(), "deliver + release budget (tx gas - 21,000)");
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
        address gw = address(a.gateway);
        bytes memory data = abi.encodeCall(Gateway.deliver, (m, attestation));
        address empty = address(new EmptyFrame());
        // Warm both accounts (only the accounts: no storage of the gateway is touched).
        assertTrue(gw.code.length != 0 && empty.code.length == 1, "warm");

        uint256 start = gasleft();
        (bool ok,) = empty.call(data);
        uint256 overhead = start - gasleft();
        assertTrue(ok, "empty call");

        start = gasleft();
        (ok,) = gw.call(data);
        uint256 used = start - gasleft();
        assertTrue(ok, "deliver");
        execution = used - overhead;
        calldataGas = _calldataGas(data);
        assertEq(canonical.balanceOf(fresh), 10e18, "released to fresh recipient");
        assertEq(uint256(a.gateway.messageStatus(m)), uint256(IGateway.MessageStatus.Delivered), "delivered");
    }

    /// @dev EIP-2028 calldata cost: 16 per non-zero byte, 4 per zero byte.
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

    function _ceiling() internal pure override returns (uint256) {
        return 137_500;
    }

    function _label() internal pure override returns (string memory) {
        return "13-of-19, first of bitmap word";
    }
}

/// @notice 1-of-1 attester set (steady state).
contract TokenBridgeGasOneOfOneTest is TokenBridgeGasTest {
    function _attesterCount() internal pure override returns (uint256) {
        return 1;
    }

    function _thresholdBps() internal pure override returns (uint16) {
        return 10_000;
    }

    function _quorum() internal pure override returns (uint256) {
        return 1;
    }

    function _ceiling() internal pure override returns (uint256) {
        return 70_000;
    }

    function _label() internal pure override returns (string memory) {
        return "1-of-1, steady state";
    }
}

/// @notice 5-of-7 attester set (steady state).
contract TokenBridgeGasFiveOfSevenTest is TokenBridgeGasTest {
    function _attesterCount() internal pure override returns (uint256) {
        return 7;
    }

    function _thresholdBps() internal pure override returns (uint16) {
        return THRESHOLD_5_OF_7;
    }

    function _quorum() internal pure override returns (uint256) {
        return 5;
    }

    function _ceiling() internal pure override returns (uint256) {
        return 90_000;
    }

    function _label() internal pure override returns (string memory) {
        return "5-of-7, steady state";
    }
}
