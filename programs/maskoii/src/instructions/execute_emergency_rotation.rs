use anchor_lang::prelude::*;

use super::rotate_attester_set::{install_next, store_new_set};
use crate::errors::MaskoiiError;
use crate::events::{emit, AttesterSetRotated};
use crate::protocol::attester_set;
use crate::seeds::*;
use crate::state::*;

/// Executes the pending emergency rotation once its timelock has passed; anyone may call it with the exact proposed
/// set. The replaced set expires immediately (no overlap): undelivered messages are re-attested by the new set.
#[derive(Accounts)]
#[instruction(args: AttesterSetArgs)]
pub struct ExecuteEmergencyRotation<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(
        mut,
        seeds = [ATTESTER_SET_SEED, &config.current_set_id.to_le_bytes()],
        bump = current_set.bump
    )]
    pub current_set: Account<'info, AttesterSetAccount>,
    /// Set `current − 1`; required once it exists.
    #[account(
        mut,
        seeds = [ATTESTER_SET_SEED, &config.current_set_id.saturating_sub(1).to_le_bytes()],
        bump = previous_set.bump
    )]
    pub previous_set: Option<Account<'info, AttesterSetAccount>>,
    /// CHECK: the `AttesterSetAccount` PDA of set `current + 1`, created by `store_new_set` (pre-funding-safe: with
    /// Anchor's `init`, one lamport sent to this predictable address would block every rotation).
    #[account(mut, seeds = [ATTESTER_SET_SEED, &(config.current_set_id + 1).to_le_bytes()], bump)]
    pub next_set: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl ExecuteEmergencyRotation<'_> {
    /// Returns the next set's total weight and hash.
    pub fn validate(&self, args: &AttesterSetArgs, now: i64) -> Result<(u128, [u8; 32])> {
        let config = &self.config;
        require!(config.emergency_set_hash != [0u8; 32], MaskoiiError::NoEmergencyRotation);
        require!(now >= config.emergency_executable_at, MaskoiiError::EmergencyRotationNotReady);
        let next = config.current_set_id + 1;
        let set_hash = attester_set::hash(next, args.threshold_bps, &args.attesters, &args.weights);
        require!(set_hash == config.emergency_set_hash, MaskoiiError::EmergencyRotationMismatch);
        let total = attester_set::validate(next, args.threshold_bps, &args.attesters, &args.weights)?;
        require!(config.current_set_id == 1 || self.previous_set.is_some(), MaskoiiError::PreviousSetRequired);
        Ok((total, set_hash))
    }

    pub fn handler(ctx: Context<ExecuteEmergencyRotation>, args: AttesterSetArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let (total, set_hash) = ctx.accounts.validate(&args, now)?;
        // Clear the proposal first so that `install_next` does not report it as cancelled.
        ctx.accounts.config.emergency_set_hash = [0u8; 32];
        ctx.accounts.config.emergency_executable_at = 0;
        let accounts = &mut *ctx.accounts;
        let mut next = AttesterSetAccount::empty();
        install_next(
            &mut accounts.config,
            &mut accounts.current_set,
            accounts.previous_set.as_deref_mut(),
            &mut next,
            &args,
            total,
            ctx.bumps.next_set,
            now,
            now,
        );
        store_new_set(
            &accounts.payer.to_account_info(),
            &accounts.next_set,
            &accounts.system_program.to_account_info(),
            &next,
        )?;
        emit(AttesterSetRotated { set_id: accounts.config.current_set_id, set_hash, previous_set_expires_at: now });
        Ok(())
    }
}
