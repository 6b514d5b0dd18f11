use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, FeeSet};
use crate::instructions::token_common::{load_existing, store_pda_account};
use crate::seeds::*;
use crate::state::*;

/// The admin sets (and thereby enables) the fee schedule of a destination.
#[derive(Accounts)]
#[instruction(destination: u32)]
pub struct SetFee<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    /// The `RouteFee` PDA of `destination`: created on first use (pre-funding-safe), else updated.
    /// CHECK: created by `store_pda_account`, or loaded with its owner and type checked by `load_existing`.
    #[account(mut, seeds = [ROUTE_FEE_SEED, &destination.to_le_bytes()], bump)]
    pub route_fee: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl SetFee<'_> {
    pub fn validate(&self, destination: u32) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        require!(destination != 0 && destination != self.config.local_domain, MaskoiiError::InvalidDestination);
        Ok(())
    }

    pub fn handler(ctx: Context<SetFee>, destination: u32, base_fee: u64, fee_per_byte: u64) -> Result<()> {
        ctx.accounts.validate(destination)?;
        let a = &ctx.accounts;
        let existing = load_existing::<RouteFee>(&a.route_fee)?;
        let exists = existing.is_some();
        // The destination's family (set_destination_family) survives a fee change.
        let family = existing.map_or(FAMILY_UNKNOWN, |r| r.family);
        let route = RouteFee { destination, base_fee, fee_per_byte, bump: ctx.bumps.route_fee, family };
        let seeds: &[&[u8]] = &[ROUTE_FEE_SEED, &destination.to_le_bytes(), &[route.bump]];
        let (payer, system) = (a.admin.to_account_info(), a.system_program.to_account_info());
        store_pda_account(exists, &payer, &a.route_fee, &system, 8 + RouteFee::INIT_SPACE, seeds, &route)?;
        emit(FeeSet { destination, base_fee, fee_per_byte });
        Ok(())
    }
}
