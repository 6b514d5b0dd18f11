use anchor_lang::prelude::*;

/// Delivery record of one message (seeds `[RECEIPT_SEED, origin u32 LE, nonce u64 LE]`, docs/protocol.md §8.1). It is
/// created only when the recipient's `handle` succeeded in the same transaction, so its existence means that
/// `(origin, nonce)` is delivered and makes replay, and any second message with the same pair, fail. `message_id` says
/// which message it was (status reads compare it with the id they ask about).
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

impl Receipt {
    /// Byte offset of `message_id` in the account data (after the discriminator).
    pub const MESSAGE_ID_OFFSET: usize = 8;
    /// Byte offset of `nonce` in the account data.
    pub const NONCE_OFFSET: usize = 8 + 32 + 4;
}
