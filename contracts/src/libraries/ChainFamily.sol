// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ChainFamily
/// @notice The chain family of a destination domain, as an origin's owner configures it (`Gateway.destinationFamily`,
///         docs/protocol.md §8.1 "Send-time recipient checks"), and the one rule deciding which 32-byte recipients a
///         destination of that family can ever accept. `Gateway.send` applies it to the message recipient and
///         `TokenBridge.transferRemote` to the transfer's recipient.
/// @dev UNKNOWN checks nothing (the rules before families existed). EVM needs a non-zero left-padded address (upper
///      12 bytes zero): the destination Gateway / TokenBridge rejects anything else forever. SVM accepts any non-zero
///      key: whether it is an executable program or an initialized token account of the right mint, and whether the
///      scaled amount fits `u64` there, is only known at delivery (those transfers end in a refund record).
library ChainFamily {
    /// @notice Not configured: no recipient check beyond each function's own rules.
    uint8 internal constant UNKNOWN = 0;
    /// @notice An EVM chain: recipients are 20-byte addresses left-padded to 32 bytes.
    uint8 internal constant EVM = 1;
    /// @notice A Solana-VM chain (Solana, Koii K2): recipients are 32-byte public keys.
    uint8 internal constant SVM = 2;
    /// @notice The largest defined family.
    uint8 internal constant MAX = SVM;

    /// @notice Whether a destination of `family` could ever accept `recipient`.
    function accepts(uint8 family, bytes32 recipient) internal pure returns (bool) {
        if (family == EVM) return recipient != bytes32(0) && uint256(recipient) >> 160 == 0;
        if (family == SVM) return recipient != bytes32(0);
        return true;
    }
}
