// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// solhint-disable no-console
import {console} from "hardhat/console.sol";
import {Test} from "../utils/Test.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {Message} from "../../src/libraries/Message.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";
import {NoopRecipient} from "../mocks/Recipients.sol";

/// @notice Gas of the gateway's delivery paths with the benchmark quorum (13 of 19) and a recipient that does
///         nothing, so the numbers are the gateway + attester set alone. Measured as the gas of the external call
///         (no 21,000 base, no calldata cost; the call's cold account accesses are included).
contract GatewayGasTest is Test, AttesterHarness {
    uint32 internal constant LOCAL = 1001;
    uint32 internal constant REMOTE = 1002;

    AttesterSet internal set;
    uint256[] internal keys;
    Gateway internal gateway;
    NoopRecipient internal noop;

    function setUp() public {
        (gateway, keys) = _deployGateway(LOCAL, address(this), address(this), 19, THRESHOLD_13_OF_19);
        set = gateway;
        noop = new NoopRecipient();
        // Nonce 0 delivered in setUp: the bitmap word of nonces 0..255 already exists.
        _deliver(0);
    }

    function _message(uint64 nonce) internal view returns (bytes memory) {
        return Message.encode(nonce, REMOTE, keccak256("sender"), LOCAL, _toBytes32(address(noop)), "");
    }

    function _deliver(uint64 nonce) internal returns (uint256 used) {
        bytes memory m = _message(nonce);
        bytes memory att = _attestMessage(LOCAL, address(gateway), 1, keccak256(m), keys, 13);
        uint256 g = gasleft();
        gateway.deliver(m, att);
        used = g - gasleft();
    }

    /// @dev The common case: the nonce's bitmap word already holds earlier deliveries (one nonzero->nonzero write).
    function test_deliver_gasThirteenOfNineteenWarmWord() public {
        uint256 used = _deliver(1);
        console.log("deliver 13-of-19, no-op recipient, existing bitmap word:", used);
        assertTrue(gateway.isDelivered(REMOTE, 1), "delivered");
        assertLe(used, 85_000, "gateway + attester set budget");
    }

    /// @dev First nonce of a word (one in 256 messages): zero->nonzero write, ~17,000 more.
    function test_deliver_gasThirteenOfNineteenFreshWord() public {
        uint256 used = _deliver(256);
        console.log("deliver 13-of-19, no-op recipient, fresh bitmap word:", used);
        assertTrue(gateway.isDelivered(REMOTE, 256), "delivered");
        assertLe(used, 102_000, "gateway + attester set budget");
    }

    function test_deliverBatch_gasPerMessageOf32() public {
        uint256 n = 32;
        bytes[] memory batch = new bytes[](n);
        bytes32[] memory ids = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            batch[i] = _message(uint64(1 + i));
            ids[i] = keccak256(batch[i]);
        }
        bytes32[][] memory proofs = new bytes32[][](n);
        for (uint256 i; i < n; ++i) {
            proofs[i] = MessageMerkle.proof(ids, i);
        }
        bytes memory att = _attestBatch(LOCAL, address(gateway), 1, MessageMerkle.root(ids), keys, 13);
        uint256 g = gasleft();
        gateway.deliverBatch(batch, proofs, att);
        uint256 used = g - gasleft();
        console.log("deliverBatch of 32, 13-of-19, no-op recipient, per message:", used / n);
        assertTrue(gateway.isDelivered(REMOTE, 32), "delivered");
        assertLe(used / n, 12_000, "per-message gateway + attester set budget");
    }
}
