// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMessageRecipient} from "../../src/core/interfaces/IMessageRecipient.sol";

/// @notice Records every `handle` call: caller, arguments and the gas it was given.
contract RecordingRecipient is IMessageRecipient {
    struct Call {
        address caller;
        uint32 origin;
        bytes32 sender;
        bytes payload;
        uint256 gasAtEntry;
    }

    Call[] internal _calls;

    event Handled(uint32 origin, bytes32 sender, bytes payload);

    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external virtual {
        uint256 g = gasleft();
        _calls.push(Call(msg.sender, origin, sender, payload, g));
        emit Handled(origin, sender, payload);
    }

    function callCount() external view returns (uint256) {
        return _calls.length;
    }

    function lastCall() external view returns (Call memory) {
        return _calls[_calls.length - 1];
    }

    function callAt(uint256 i) external view returns (Call memory) {
        return _calls[i];
    }
}

/// @notice Always reverts with a custom error.
contract RevertingRecipient is IMessageRecipient {
    error NoThanks(uint32 origin, bytes32 sender);

    function handle(uint32 origin, bytes32 sender, bytes calldata) external pure {
        revert NoThanks(origin, sender);
    }
}

/// @notice Reverts with `size` bytes of revert data (to check the gateway bounds what it copies).
contract LoudRevertingRecipient is IMessageRecipient {
    uint256 public immutable size;

    constructor(uint256 size_) {
        size = size_;
    }

    function handle(uint32, bytes32, bytes calldata) external view {
        uint256 n = size;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            for { let i := 0 } lt(i, n) { i := add(i, 0x20) } { mstore(add(ptr, i), not(i)) }
            revert(ptr, n)
        }
    }
}

/// @notice Reverts with `Closed()` until `open()` is called; then records calls like RecordingRecipient.
contract ToggleRecipient is RecordingRecipient {
    error Closed();

    bool public isOpen;

    function open() external {
        isOpen = true;
    }

    function close() external {
        isOpen = false;
    }

    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external override {
        if (!isOpen) revert Closed();
        _calls.push(Call(msg.sender, origin, sender, payload, gasleft()));
        emit Handled(origin, sender, payload);
    }
}

/// @notice Burns every unit of gas it is given (until `stopBurning()`), then behaves like RecordingRecipient.
contract GasBurnerRecipient is RecordingRecipient {
    bool public burning = true;

    function stopBurning() external {
        burning = false;
    }

    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external override {
        if (burning) {
            assembly ("memory-safe") {
                for {} 1 {} {}
            }
        }
        _calls.push(Call(msg.sender, origin, sender, payload, gasleft()));
        emit Handled(origin, sender, payload);
    }
}

/// @notice Calls `target` with preset calldata (e.g. back into the gateway) from inside `handle`, bubbling any
///         revert; records the call when the inner call succeeds.
contract ReentrantRecipient is RecordingRecipient {
    address public target;
    bytes public innerCall;
    uint256 public innerValue;

    function setInnerCall(address target_, bytes calldata innerCall_, uint256 value_) external {
        target = target_;
        innerCall = innerCall_;
        innerValue = value_;
    }

    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external override {
        (bool ok, bytes memory ret) = target.call{value: innerValue}(innerCall);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        _calls.push(Call(msg.sender, origin, sender, payload, gasleft()));
        emit Handled(origin, sender, payload);
    }

    receive() external payable {}
}

/// @notice Does nothing (gas benchmarks: the cost of the gateway alone).
contract NoopRecipient is IMessageRecipient {
    function handle(uint32, bytes32, bytes calldata) external {}
}
