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
    /// Chain family of the destination ([`FAMILY_UNKNOWN`], [`FAMILY_EVM`], [`FAMILY_SVM`]), set by the admin with
    /// `set_destination_family`; `send` and `token_transfer_remote` check recipients against it (docs/protocol.md §8.1).
    pub family: u8,
}

/// Destination family not configured: recipients are checked for nothing beyond being non-zero where required.
pub const FAMILY_UNKNOWN: u8 = 0;
/// An EVM destination: a recipient must be a left-padded address (upper 12 bytes zero) and not zero.
pub const FAMILY_EVM: u8 = 1;
/// A Solana-family (SVM) destination: any non-zero 32-byte key.
pub const FAMILY_SVM: u8 = 2;

impl RouteFee {
    /// The fee for a payload of `payload_len` bytes (saturating: an absurd fee simply cannot be paid).
    pub fn quote(&self, payload_len: usize) -> u64 {
        self.base_fee.saturating_add(self.fee_per_byte.saturating_mul(payload_len as u64))
    }

    /// Whether the destination can ever accept `recipient` (docs/protocol.md §8.1, "Send-time recipient checks"):
    /// to an EVM destination a non-zero left-padded address; otherwise anything (the destination judges it).
    pub fn accepts_recipient(&self, recipient: &[u8; 32]) -> bool {
        self.family != FAMILY_EVM || (recipient[..12] == [0u8; 12] && recipient != &[0u8; 32])
    }
}
