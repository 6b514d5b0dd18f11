use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, AdminTransferred};
use crate::seeds::*;
use crate::state::*;

/// Step two of the two-step admin transfer: the nominee accepts.
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub pending_admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

impl AcceptAdmin<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.config.pending_admin != Pubkey::default() && self.pending_admin.key() == self.config.pending_admin,
            MaskoiiError::NotPendingAdmin
        );
        Ok(())
    }

    pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
        ctx.accounts.validate()?;
        let config = &mut ctx.accounts.config;
        let previous = config.admin;
        config.admin = config.pending_admin;
        config.pending_admin = Pubkey::default();
        emit(AdminTransferred { previous, admin: config.admin });
        Ok(())
    }
}
