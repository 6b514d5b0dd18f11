use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, EmergencyRotationCancelled, EmergencyRotationProposed};
use crate::protocol::attester_set;
use crate::seeds::*;
use crate::state::*;

/// The admin proposes a replacement for a current set that lost its quorum; anyone may execute it after
/// `emergency_delay`. Replaces an earlier pending proposal.
#[derive(Accounts)]
pub struct ProposeEmergencyRotation<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

impl ProposeEmergencyRotation<'_> {
    pub fn validate(&self, args: &AttesterSetArgs) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        attester_set::validate(self.config.current_set_id + 1, args.threshold_bps, &args.attesters, &args.weights)?;
        Ok(())
    }

    pub fn handler(ctx: Context<ProposeEmergencyRotation>, args: AttesterSetArgs) -> Result<()> {
        ctx.accounts.validate(&args)?;
        let config = &mut ctx.accounts.config;
        if config.emergency_set_hash != [0u8; 32] {
            emit(EmergencyRotationCancelled { set_hash: config.emergency_set_hash });
        }
        let next = config.current_set_id + 1;
        let set_hash = attester_set::hash(next, args.threshold_bps, &args.attesters, &args.weights);
        let executable_at = Clock::get()?.unix_timestamp + i64::from(config.emergency_delay);
        config.emergency_set_hash = set_hash;
        config.emergency_executable_at = executable_at;
        emit(EmergencyRotationProposed { set_id: next, set_hash, executable_at });
        Ok(())
    }
}
