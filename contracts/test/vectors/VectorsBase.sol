// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";

/// @notice The JSON cheatcodes the vector tests need beyond contracts/test/utils/Vm.sol (same cheatcode address).
interface IVmJson {
    function readFile(string calldata path) external view returns (string memory data);
    function projectRoot() external view returns (string memory path);
    function keyExistsJson(string calldata json, string calldata key) external view returns (bool);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonBool(string calldata json, string calldata key) external pure returns (bool);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonAddress(string calldata json, string calldata key) external pure returns (address);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);
    function parseJsonBytes32Array(string calldata json, string calldata key)
        external
        pure
        returns (bytes32[] memory);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function parseJsonAddressArray(string calldata json, string calldata key) external pure returns (address[] memory);
    function toString(uint256 value) external pure returns (string memory);
}

/// @notice Reads test/vectors/protocol.json (docs/protocol.md §10) for the vector tests.
abstract contract VectorsBase is Test {
    IVmJson internal constant VM_JSON = IVmJson(address(uint160(uint256(keccak256("hevm cheat code")))));

    function _json() internal view returns (string memory) {
        return VM_JSON.readFile(string.concat(VM_JSON.projectRoot(), "/test/vectors/protocol.json"));
    }

    /// @dev `.<section>[i]`
    function _at(string memory section, uint256 i) internal pure returns (string memory) {
        return string.concat(".", section, "[", VM_JSON.toString(i), "]");
    }

    /// @dev `.<section>[i].<field>`
    function _key(string memory section, uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(_at(section, i), ".", field);
    }

    /// @dev Number of entries of the top-level array `section` (the cheatcodes have no array length).
    function _count(string memory json, string memory section) internal view returns (uint256 n) {
        while (VM_JSON.keyExistsJson(json, _at(section, n))) ++n;
        assertTrue(n > 0, string.concat("no vectors in ", section));
    }

    function _hash(string memory s) internal pure returns (bytes32) {
        return keccak256(bytes(s));
    }

    /// @dev The 4-byte selector at the start of revert data (zero if shorter).
    function _selector(bytes memory reason) internal pure returns (bytes4 sel) {
        if (reason.length >= 4) sel = bytes4(reason);
    }
}
