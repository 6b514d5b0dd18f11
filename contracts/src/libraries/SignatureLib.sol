// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SignatureLib
/// @notice Strict secp256k1 recovery for attester signatures (docs/protocol.md §3): `v ∈ {27, 28}`, low-s only
///         (high-s is rejected, never normalised), and a failed recovery is an error rather than `address(0)`.
library SignatureLib {
    /// @dev secp256k1n / 2. Signatures with `s` above it are the malleable twin of a low-s signature.
    uint256 internal constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    /// @notice Byte length of an `r ‖ s ‖ v` signature.
    uint256 internal constant SIGNATURE_LENGTH = 65;

    /// @notice `v` is neither 27 nor 28.
    error InvalidSignatureV(uint8 v);
    /// @notice `s` is in the upper half of the curve order (malleable signature).
    error SignatureMalleable(bytes32 s);
    /// @notice The signature does not recover to any address.
    error ZeroAddressSigner();
    /// @notice A signature is not 65 bytes long.
    error InvalidSignatureLength(uint256 length);

    /// @notice Recovers the signer of `digest`, reverting on a non-canonical or unrecoverable signature.
    function recover(bytes32 digest, bytes32 r, bytes32 s, uint8 v) internal view returns (address signer) {
        if (v != 27 && v != 28) revert InvalidSignatureV(v);
        if (uint256(s) > HALF_ORDER) revert SignatureMalleable(s);
        signer = ecrecoverRaw(digest, r, s, v);
        if (signer == address(0)) revert ZeroAddressSigner();
    }

    /// @notice `recover` for a packed 65-byte `r ‖ s ‖ v` signature in calldata.
    function recoverCalldata(bytes32 digest, bytes calldata signature) internal view returns (address) {
        if (signature.length != SIGNATURE_LENGTH) revert InvalidSignatureLength(signature.length);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
            v := byte(0, calldataload(add(signature.offset, 0x40)))
        }
        return recover(digest, r, s, v);
    }

    /// @notice The ecrecover precompile through an inline staticcall; `address(0)` when recovery fails.
    /// @dev Uses scratch space and the free-memory pointer word only transiently and restores them.
    function ecrecoverRaw(bytes32 digest, bytes32 r, bytes32 s, uint8 v) internal view returns (address signer) {
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, digest)
            mstore(0x20, v)
            mstore(0x40, r)
            mstore(0x60, s)
            // On failure the precompile returns no data; clear the output word so a stale value cannot leak.
            let ok := staticcall(gas(), 0x01, 0x00, 0x80, 0x00, 0x20)
            signer := mul(mload(0x00), and(ok, eq(returndatasize(), 0x20)))
            mstore(0x40, fmp)
            mstore(0x60, 0)
        }
    }
}
