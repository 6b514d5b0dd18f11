use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, GuardianChanged};
use crate::seeds::*;
use crate::state::*;

/// The admin replaces the guardian.
#[derive(Accounts)]
pub struct SetGuardian<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

impl SetGuardian<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        Ok(())
    }

    pub fn handler(ctx: Context<SetGuardian>, guardian: Pubkey) -> Result<()> {
        ctx.accounts.validate()?;
        let previous = ctx.accounts.config.guardian;
        ctx.accounts.config.guardian = guardian;
        emit(GuardianChanged { previous, guardian });
        Ok(())
    }
}
