use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, DestinationFamilySet};
use crate::seeds::*;
use crate::state::*;

/// The admin records the chain family of an enabled destination (its `RouteFee` exists: `set_fee` first), so that
/// `send` and `token_transfer_remote` refuse recipients that destination can never accept (docs/protocol.md §8.1,
/// "Send-time recipient checks"): 0 unknown (the default; nothing checked beyond today's rules), 1 evm (upper 12
/// bytes zero and not zero), 2 svm (any non-zero key).
#[derive(Accounts)]
#[instruction(destination: u32)]
pub struct SetDestinationFamily<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(mut, seeds = [ROUTE_FEE_SEED, &destination.to_le_bytes()], bump = route_fee.bump)]
    pub route_fee: Account<'info, RouteFee>,
}

impl SetDestinationFamily<'_> {
    pub fn validate(&self, family: u8) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        require!(family <= FAMILY_SVM, MaskoiiError::InvalidFamily);
        Ok(())
    }

    pub fn handler(ctx: Context<SetDestinationFamily>, destination: u32, family: u8) -> Result<()> {
        ctx.accounts.validate(family)?;
        ctx.accounts.route_fee.family = family;
        emit(DestinationFamilySet { destination, family });
        Ok(())
    }
}
