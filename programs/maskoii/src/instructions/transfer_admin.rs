use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, AdminTransferStarted};
use crate::seeds::*;
use crate::state::*;

/// Step one of the two-step admin transfer: the admin nominates a successor (`Pubkey::default()` cancels).
#[derive(Accounts)]
pub struct TransferAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

impl TransferAdmin<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        Ok(())
    }

    pub fn handler(ctx: Context<TransferAdmin>, new_admin: Pubkey) -> Result<()> {
        ctx.accounts.validate()?;
        ctx.accounts.config.pending_admin = new_admin;
        emit(AdminTransferStarted { admin: ctx.accounts.config.admin, pending_admin: new_admin });
        Ok(())
    }
}
