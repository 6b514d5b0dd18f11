use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, EmergencyRotationCancelled};
use crate::seeds::*;
use crate::state::*;

/// The admin cancels the pending emergency rotation.
#[derive(Accounts)]
pub struct CancelEmergencyRotation<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

impl CancelEmergencyRotation<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        require!(self.config.emergency_set_hash != [0u8; 32], MaskoiiError::NoEmergencyRotation);
        Ok(())
    }

    pub fn handler(ctx: Context<CancelEmergencyRotation>) -> Result<()> {
        ctx.accounts.validate()?;
        let config = &mut ctx.accounts.config;
        emit(EmergencyRotationCancelled { set_hash: config.emergency_set_hash });
        config.emergency_set_hash = [0u8; 32];
        config.emergency_executable_at = 0;
        Ok(())
    }
}
