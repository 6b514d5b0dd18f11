//! Refund receipts (docs/protocol.md §8.1): the failure receipt an attester quorum signs (`TransferRefund`,
//! verification kind 3) so that the ORIGIN pays a transfer back to its sender when the destination will never credit
//! it. Byte for byte `sdk/src/refund.ts` and `contracts/src/libraries/RefundReceipt.sol`; vectors `refundReceipts`,
//! `malformedRefundReceipts`.

use crate::errors::MaskoiiError;

/// The version byte of a refund receipt.
pub const REFUND_RECEIPT_VERSION: u8 = 1;
/// `version 1 ‖ messageId 32 ‖ origin 4 ‖ nonce 8 ‖ destination 4 ‖ token 32 ‖ refundTo 32 ‖ wireAmount 8`.
pub const REFUND_RECEIPT_LENGTH: usize = 121;

/// A decoded refund receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefundReceipt {
    /// keccak256 of the transfer's message.
    pub message_id: [u8; 32],
    /// The transfer's origin: where the refund is paid and the attestation verified.
    pub origin_domain: u32,
    /// The transfer's nonce on its origin.
    pub nonce: u64,
    /// The transfer's destination, which recorded it refundable.
    pub destination_domain: u32,
    /// The token on the origin (here: the SPL mint).
    pub token: [u8; 32],
    /// Who is paid back on the origin (here: the owner wallet that signed `token_transfer_remote`).
    pub refund_to: [u8; 32],
    /// The transfer's wire amount, in shared decimals.
    pub wire_amount: u64,
}

/// Encodes a refund receipt (big-endian, packed).
pub fn encode(r: &RefundReceipt) -> [u8; REFUND_RECEIPT_LENGTH] {
    let mut out = [0u8; REFUND_RECEIPT_LENGTH];
    out[0] = REFUND_RECEIPT_VERSION;
    out[1..33].copy_from_slice(&r.message_id);
    out[33..37].copy_from_slice(&r.origin_domain.to_be_bytes());
    out[37..45].copy_from_slice(&r.nonce.to_be_bytes());
    out[45..49].copy_from_slice(&r.destination_domain.to_be_bytes());
    out[49..81].copy_from_slice(&r.token);
    out[81..113].copy_from_slice(&r.refund_to);
    out[113..121].copy_from_slice(&r.wire_amount.to_be_bytes());
    out
}

/// Decodes a refund receipt: the length first (`RefundReceiptInvalidLength`), then the version
/// (`RefundReceiptUnknownVersion`), as every implementation does.
pub fn decode(bytes: &[u8]) -> Result<RefundReceipt, MaskoiiError> {
    if bytes.len() != REFUND_RECEIPT_LENGTH {
        return Err(MaskoiiError::RefundReceiptInvalidLength);
    }
    if bytes[0] != REFUND_RECEIPT_VERSION {
        return Err(MaskoiiError::RefundReceiptUnknownVersion);
    }
    Ok(RefundReceipt {
        message_id: bytes[1..33].try_into().unwrap(),
        origin_domain: u32::from_be_bytes(bytes[33..37].try_into().unwrap()),
        nonce: u64::from_be_bytes(bytes[37..45].try_into().unwrap()),
        destination_domain: u32::from_be_bytes(bytes[45..49].try_into().unwrap()),
        token: bytes[49..81].try_into().unwrap(),
        refund_to: bytes[81..113].try_into().unwrap(),
        wire_amount: u64::from_be_bytes(bytes[113..121].try_into().unwrap()),
    })
}

/// `refundHash = keccak256(receipt)`: the value a `TransferRefund` attestation signs.
pub fn hash(bytes: &[u8]) -> [u8; 32] {
    super::keccak(&[bytes])
}
