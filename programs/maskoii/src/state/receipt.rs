use anchor_lang::prelude::*;

/// Delivery record of one message (seeds `[RECEIPT_SEED, message_id]`). It is created only when the recipient's
/// `handle` succeeded in the same transaction, so its existence means Delivered and makes replay fail.
#[account]
#[derive(InitSpace, Debug)]
pub struct Receipt {
    /// keccak256 of the message.
    pub message_id: [u8; 32],
    /// Origin domain of the message.
    pub origin_domain: u32,
    /// Origin nonce of the message.
    pub nonce: u64,
    /// Origin-side sender.
    pub sender: [u8; 32],
    /// Recipient program.
    pub recipient: Pubkey,
    /// Who submitted the delivery.
    pub relayer: Pubkey,
    /// Slot of delivery.
    pub delivered_slot: u64,
    /// Unix time of delivery.
    pub delivered_at: i64,
    /// Bump of this PDA.
    pub bump: u8,
}
