//! Refunds (docs/protocol.md §8.1): the destination's record of a transfer it will never credit, and the origin's
//! once-per-nonce marker of a paid refund.

use anchor_lang::prelude::*;

/// Refund reason: the admin or guardian cancelled the queued transfer (`token_cancel_queued`).
pub const REFUND_REASON_CANCELLED: u8 = 1;
/// Refund reason: the recipient is not an initialized SPL token account of the destination mint (a wallet, an
/// account that does not exist, another mint's account).
pub const REFUND_REASON_INVALID_RECIPIENT: u8 = 2;
/// Refund reason: `wire × 10^(L−S)` does not fit `u64`.
pub const REFUND_REASON_AMOUNT_OVERFLOW: u8 = 3;

/// An inbound transfer that reached this chain and will never be credited here (seeds
/// `[REFUND_RECORD_SEED, message_id]`). Its value stays held (in the escrow, or never minted) until the origin
/// refunds the sender against a quorum-signed receipt of this record. Never closed.
#[account]
#[derive(InitSpace, Debug)]
pub struct RefundRecord {
    /// Id of the transfer's message.
    pub message_id: [u8; 32],
    /// Origin domain.
    pub origin: u32,
    /// Origin nonce.
    pub nonce: u64,
    /// The local mint (the payload's token).
    pub mint: Pubkey,
    /// Amount in shared units (the payload's).
    pub wire_amount: u64,
    /// [`REFUND_REASON_CANCELLED`], [`REFUND_REASON_INVALID_RECIPIENT`] or [`REFUND_REASON_AMOUNT_OVERFLOW`].
    pub reason: u8,
    /// Unix time of the record.
    pub recorded_at: i64,
    /// Bump of this PDA.
    pub bump: u8,
}

/// An outbound transfer of this origin that `token_refund` paid back (seeds `[REFUNDED_SEED, nonce.to_le_bytes()]`):
/// its existence makes a second refund of the nonce fail (`AlreadyRefunded`). Never closed.
#[account]
#[derive(InitSpace, Debug)]
pub struct RefundedNonce {
    /// Id of the refunded transfer's message.
    pub message_id: [u8; 32],
    /// Unix time of the refund.
    pub refunded_at: i64,
    /// Bump of this PDA.
    pub bump: u8,
}
