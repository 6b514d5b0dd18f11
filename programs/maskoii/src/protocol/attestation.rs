//! EIP-712 attestation digests (docs/protocol.md §3).
//!
//! `digest = keccak256(0x19 ‖ 0x01 ‖ DOMAIN_SEPARATOR ‖ keccak256(abi.encode(typeHash, domain, verifier, setId, value)))`.

use anchor_lang::prelude::*;

/// `keccak256("EIP712Domain(string name,string version)")`.
pub const DOMAIN_TYPEHASH: [u8; 32] = hex32("b03948446334eb9b2196d5eb166f69b9d49403eb4a12f36de8d3f9f3cb8e15c3");
/// `keccak256("maskoii")`.
pub const NAME_HASH: [u8; 32] = hex32("580ac12b21cb40a62f9ae303bf5f981603438b8a0d5fe2e01055a085e782f9cf");
/// `keccak256("1")`.
pub const VERSION_HASH: [u8; 32] = hex32("c89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6");
/// `keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH))`; the same on every chain by design.
pub const DOMAIN_SEPARATOR: [u8; 32] = hex32("87e7a462d7f3bc9de0c44ae71a51fe7d9a59495acc40556702de86220a1d65f5");
/// `keccak256("MessageAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 messageId)")`.
pub const MESSAGE_TYPEHASH: [u8; 32] = hex32("b6f9a9b75282b37b9ddac27b613d219a2b64a61c26754acd8246f8573b282bc8");
/// `keccak256("BatchAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 root)")`.
pub const BATCH_TYPEHASH: [u8; 32] = hex32("0b6bc95143514facb9c436194f545163ecbbec4da2e6f6af4eea8264fd00b121");
/// `keccak256("AttesterSetRotation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 nextSetHash)")`.
pub const ROTATION_TYPEHASH: [u8; 32] = hex32("4a31362e3b147107296297f03ecbb10fac7ffcfd93bc4ebd09f8bf0c40e30460");

/// `keccak256("TransferRefund(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 refundHash)")`.
pub const REFUND_TYPEHASH: [u8; 32] = hex32("16aa40caf13c04e324275ee4a5d8d01e91b012407e03c2bf0f97046e4dad6667");

/// The EIP-712 type strings, hashed in the unit tests to prove the constants above.
pub const DOMAIN_TYPE: &str = "EIP712Domain(string name,string version)";
/// See [`MESSAGE_TYPEHASH`].
pub const MESSAGE_TYPE: &str =
    "MessageAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 messageId)";
/// See [`BATCH_TYPEHASH`].
pub const BATCH_TYPE: &str = "BatchAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 root)";
/// See [`ROTATION_TYPEHASH`].
pub const ROTATION_TYPE: &str =
    "AttesterSetRotation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 nextSetHash)";

/// See [`REFUND_TYPEHASH`].
pub const REFUND_TYPE: &str = "TransferRefund(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 refundHash)";

/// What an attestation attests; selects the EIP-712 type hash. Stored in verification accounts and used as a PDA
/// seed byte (`kind as u8`: 0 message, 1 batch, 2 rotation, 3 refund; the order of the variants is part of the
/// seeds).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
#[repr(u8)]
pub enum AttestationKind {
    /// `MessageAttestation` over a message id.
    Message,
    /// `BatchAttestation` over a batch Merkle root.
    Batch,
    /// `AttesterSetRotation` over the next set's hash.
    Rotation,
    /// `TransferRefund` over the hash of a refund receipt (docs/protocol.md §8.1), consumed by `token_refund`.
    Refund,
}

impl AttestationKind {
    /// The EIP-712 type hash of this kind.
    pub const fn type_hash(self) -> [u8; 32] {
        match self {
            AttestationKind::Message => MESSAGE_TYPEHASH,
            AttestationKind::Batch => BATCH_TYPEHASH,
            AttestationKind::Rotation => ROTATION_TYPEHASH,
            AttestationKind::Refund => REFUND_TYPEHASH,
        }
    }
}

/// `keccak256(abi.encode(typeHash, domain, verifier, attesterSetId, value))`.
pub fn struct_hash(
    type_hash: &[u8; 32],
    domain: u32,
    verifier: &[u8; 32],
    attester_set_id: u64,
    value: &[u8; 32],
) -> [u8; 32] {
    let mut domain_word = [0u8; 32];
    domain_word[28..].copy_from_slice(&domain.to_be_bytes());
    let mut set_word = [0u8; 32];
    set_word[24..].copy_from_slice(&attester_set_id.to_be_bytes());
    super::keccak(&[type_hash, &domain_word, verifier, &set_word, value])
}

/// The digest attesters sign (spec §3).
pub fn digest(
    type_hash: &[u8; 32],
    domain: u32,
    verifier: &[u8; 32],
    attester_set_id: u64,
    value: &[u8; 32],
) -> [u8; 32] {
    let s = struct_hash(type_hash, domain, verifier, attester_set_id, value);
    super::keccak(&[&[0x19, 0x01], &DOMAIN_SEPARATOR, &s])
}

/// Decodes 64 hex characters at compile time (for the constants above).
pub const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    assert!(b.len() == 64, "hex32 needs 64 hex characters");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("not a hex digit"),
    }
}
