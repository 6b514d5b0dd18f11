use anchor_lang::prelude::*;

/// Fee schedule of one destination (seeds `[ROUTE_FEE_SEED, destination.to_le_bytes()]`):
/// `fee = base_fee + fee_per_byte × payload length`, in lamports. `send` requires it, so a destination is enabled
/// by the admin setting its fee (possibly zero).
#[account]
#[derive(InitSpace, Debug)]
pub struct RouteFee {
    /// Destination domain.
    pub destination: u32,
    /// Flat part of the fee.
    pub base_fee: u64,
    /// Per-payload-byte part of the fee.
    pub fee_per_byte: u64,
    /// Bump of this PDA.
    pub bump: u8,
}

impl RouteFee {
    /// The fee for a payload of `payload_len` bytes (saturating: an absurd fee simply cannot be paid).
    pub fn quote(&self, payload_len: usize) -> u64 {
        self.base_fee.saturating_add(self.fee_per_byte.saturating_mul(payload_len as u64))
    }
}
