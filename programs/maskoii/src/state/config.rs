use anchor_lang::prelude::*;

/// The gateway's singleton configuration (seeds `[CONFIG_SEED]`).
#[account]
#[derive(InitSpace, Debug)]
pub struct Config {
    /// This deployment's maskoii domain (spec §1), never 0.
    pub local_domain: u32,
    /// Two-step admin (expected: a multisig PDA such as a Squads vault): fees, guardian, emergency rotations.
    pub admin: Pubkey,
    /// Nominated admin until it accepts; `Pubkey::default()` when none.
    pub pending_admin: Pubkey,
    /// May pause and unpause (docs/protocol.md §8.1: the pause stops every outflow: `send`, `deliver`,
    /// `token_transfer_remote`, `token_release_queued`, `claims_fund`, `claims_claim`, `token_refund`; it never stops
    /// `post_signatures`, rotations, equivocation reports or cancelling) and, like the admin, cancel queued transfers.
    pub guardian: Pubkey,
    /// Whether the guardian paused every outflow.
    pub paused: bool,
    /// Nonce the next `send` assigns (spec §2: strictly increasing from 0).
    pub next_nonce: u64,
    /// Seconds a set stays valid after the next quorum rotation.
    pub overlap_window: u32,
    /// Seconds between an emergency proposal and the earliest execution (≥ 2 days).
    pub emergency_delay: u32,
    /// Id of the newest attester set.
    pub current_set_id: u64,
    /// Hash (spec §4) of the pending emergency set; zero when none is pending.
    pub emergency_set_hash: [u8; 32],
    /// Unix time from which the pending emergency rotation may execute; 0 when none is pending.
    pub emergency_executable_at: i64,
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the fee vault PDA.
    pub fee_vault_bump: u8,
}

/// Holds send fees in lamports (seeds `[FEE_VAULT_SEED]`); the admin withdraws above the rent-exempt minimum.
#[account]
#[derive(InitSpace, Debug)]
pub struct FeeVault {
    /// Bump of this PDA.
    pub bump: u8,
}
