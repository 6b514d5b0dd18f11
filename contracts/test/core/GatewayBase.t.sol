// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {AttesterHarness} from "../utils/AttesterHarness.sol";
import {AttesterSet} from "../../src/core/AttesterSet.sol";
import {Gateway} from "../../src/core/Gateway.sol";
import {Message} from "../../src/libraries/Message.sol";
import {MessageMerkle} from "../../src/libraries/MessageMerkle.sol";

/// @notice Shared fixture for the Gateway tests: a real AttesterSet (5-of-7 on domain 1001) and a Gateway on it.
abstract contract GatewayBase is Test, AttesterHarness {
    uint32 internal constant LOCAL = 1001;
    uint32 internal constant REMOTE = 1002;
    uint256 internal constant SET_SIZE = 7;
    uint256 internal constant QUORUM = 5;

    address internal owner = makeAddr("owner");
    address internal guardian = makeAddr("guardian");
    bytes32 internal remoteSender = keccak256("remote sender");

    AttesterSet internal set;
    uint256[] internal keys;
    Gateway internal gateway;

    function setUp() public virtual {
        (gateway, keys) = _deployGateway(LOCAL, owner, guardian, SET_SIZE, THRESHOLD_5_OF_7);
        set = gateway; // the gateway is its chain's attester set
    }

    // ----- message helpers -----------------------------------------------------------------------------------

    function _message(uint64 nonce, address recipient, bytes memory payload) internal view returns (bytes memory) {
        return Message.encode(nonce, REMOTE, remoteSender, LOCAL, _toBytes32(recipient), payload);
    }

    function _message(uint32 origin, uint64 nonce, address recipient, bytes memory payload)
        internal
        view
        returns (bytes memory)
    {
        return Message.encode(nonce, origin, remoteSender, LOCAL, _toBytes32(recipient), payload);
    }

    function _attest(bytes memory message) internal view returns (bytes memory) {
        return _attestMessage(LOCAL, address(gateway), 1, keccak256(message), keys, QUORUM);
    }

    function _deliver(bytes memory message) internal {
        gateway.deliver(message, _attest(message));
    }

    /// @dev Proofs for every message of a batch and the BatchAttestation of its root.
    function _batch(bytes[] memory messages)
        internal
        view
        returns (bytes32[][] memory proofs, bytes memory attestation, bytes32 root)
    {
        bytes32[] memory ids = new bytes32[](messages.length);
        for (uint256 i; i < messages.length; ++i) {
            ids[i] = keccak256(messages[i]);
        }
        root = MessageMerkle.root(ids);
        proofs = new bytes32[][](messages.length);
        for (uint256 i; i < messages.length; ++i) {
            proofs[i] = MessageMerkle.proof(ids, i);
        }
        attestation = _attestBatch(LOCAL, address(gateway), 1, root, keys, QUORUM);
    }

    /// @dev `n` messages with consecutive nonces from `firstNonce` to `recipient`, payload = abi.encode(nonce).
    function _messages(uint64 firstNonce, uint256 n, address recipient) internal view returns (bytes[] memory out) {
        out = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            uint64 nonce = firstNonce + uint64(i);
            out[i] = _message(nonce, recipient, abi.encode(nonce));
        }
    }

    // ----- revert helpers ------------------------------------------------------------------------------------

    /// @dev Low-level call that must revert; returns the revert data.
    function _revertData(address target, uint256 gasLimit, bytes memory data) internal returns (bytes memory ret) {
        bool ok;
        (ok, ret) = target.call{gas: gasLimit}(data);
        assertFalse(ok, "call should revert");
    }

    function _selector(bytes memory ret) internal pure returns (bytes4 sel) {
        if (ret.length < 4) return bytes4(0);
        assembly ("memory-safe") {
            sel := mload(add(ret, 0x20))
        }
    }

    receive() external payable virtual {}
}
