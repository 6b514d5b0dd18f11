use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, PausedSet};
use crate::seeds::*;
use crate::state::*;

/// The guardian pauses or unpauses every outflow (docs/protocol.md §8.1): `send`, `deliver`, `token_transfer_remote`,
/// `token_release_queued`, `claims_fund`, `claims_claim` and `token_refund` refuse while paused. Posting signatures,
/// rotations, equivocation reports and `token_cancel_queued` stay available, so the brakes and the recovery path
/// always work.
#[derive(Accounts)]
pub struct SetPaused<'info> {
    pub guardian: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

impl SetPaused<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(self.guardian.key(), self.config.guardian, MaskoiiError::NotGuardian);
        Ok(())
    }

    pub fn handler(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
        ctx.accounts.validate()?;
        ctx.accounts.config.paused = paused;
        emit(PausedSet { paused });
        Ok(())
    }
}
