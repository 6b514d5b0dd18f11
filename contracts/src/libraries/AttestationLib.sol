// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title AttestationLib
/// @notice EIP-712 digests of everything attesters sign (docs/protocol.md §3). Every attested struct has the shape
///         `(uint32 domain, bytes32 verifier, uint64 attesterSetId, bytes32 value)`; its type name says what it is.
library AttestationLib {
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version)");
    bytes32 internal constant NAME_HASH = keccak256("maskoii");
    bytes32 internal constant VERSION_HASH = keccak256("1");
    /// @dev keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH)); constant on every chain by design:
    ///      chain and deployment separation is carried by the struct's `domain` and `verifier` fields.
    bytes32 internal constant DOMAIN_SEPARATOR = keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH));

    bytes32 internal constant MESSAGE_TYPEHASH =
        keccak256("MessageAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 messageId)");
    bytes32 internal constant BATCH_TYPEHASH =
        keccak256("BatchAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 root)");
    bytes32 internal constant ROTATION_TYPEHASH =
        keccak256("AttesterSetRotation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 nextSetHash)");
    /// @dev A refund receipt (RefundReceipt.sol), verified on the transfer's ORIGIN with the origin TokenBridge as
    ///      verifier (docs/protocol.md §8.1).
    bytes32 internal constant REFUND_TYPEHASH =
        keccak256("TransferRefund(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 refundHash)");
    /// @dev A social account bound to (or, persona 0, unbound from) a persona; verified by the IdentityRegistry as
    ///      verifier. `bindingHash` is RevenueCodec.bindingHash (docs/protocol.md §11.2).
    bytes32 internal constant IDENTITY_BINDING_TYPEHASH =
        keccak256("IdentityBinding(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 bindingHash)");
    /// @dev One (community, epoch) revenue report; verified by EpochReports as verifier. `reportHash` is
    ///      RevenueCodec.reportHash (docs/protocol.md §11.3).
    bytes32 internal constant EPOCH_REPORT_TYPEHASH =
        keccak256("EpochReport(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 reportHash)");
    /// @dev The quorum's decision on a disputed report; verified by EpochReports as verifier. `resolutionHash` is
    ///      RevenueCodec.resolutionHash (docs/protocol.md §11.4): it binds the report's hash AND its sequence number,
    ///      so a decision settles one submission only.
    bytes32 internal constant REPORT_RESOLUTION_TYPEHASH =
        keccak256("ReportResolution(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 resolutionHash)");

    /// @notice The digest attesters sign for `value` under `typeHash`.
    function digest(bytes32 typeHash, uint32 domain, bytes32 verifier, uint64 attesterSetId, bytes32 value)
        internal
        pure
        returns (bytes32 d)
    {
        bytes32 separator = DOMAIN_SEPARATOR;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            mstore(add(ptr, 0x20), and(domain, 0xffffffff))
            mstore(add(ptr, 0x40), verifier)
            mstore(add(ptr, 0x60), and(attesterSetId, 0xffffffffffffffff))
            mstore(add(ptr, 0x80), value)
            let structHash := keccak256(ptr, 0xa0)
            mstore(ptr, 0x1901)
            mstore(add(ptr, 0x20), separator)
            mstore(add(ptr, 0x40), structHash)
            d := keccak256(add(ptr, 0x1e), 0x42)
        }
    }
}
