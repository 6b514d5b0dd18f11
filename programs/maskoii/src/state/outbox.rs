use anchor_lang::prelude::*;

/// A sent message, kept on chain so that attesters can read it by nonce (seeds `[OUTBOX_SEED, nonce.to_le_bytes()]`).
#[account]
#[derive(Debug)]
pub struct OutboxMessage {
    /// The message's nonce.
    pub nonce: u64,
    /// Destination domain.
    pub destination: u32,
    /// The signer that sent it (the message's `sender`).
    pub sender: Pubkey,
    /// Slot it was sent in.
    pub slot: u64,
    /// Bump of this PDA.
    pub bump: u8,
    /// The whole encoded message (spec §2).
    pub message: Vec<u8>,
}

impl OutboxMessage {
    /// Account size (with discriminator) for a message of `message_len` bytes.
    pub const fn space(message_len: usize) -> usize {
        8 + 8 + 4 + 32 + 8 + 1 + 4 + message_len
    }
}
