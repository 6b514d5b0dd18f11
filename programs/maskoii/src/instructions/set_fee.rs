use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, FeeSet};
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
    #[account(
        init_if_needed,
        payer = admin,
        space = 8 + RouteFee::INIT_SPACE,
        seeds = [ROUTE_FEE_SEED, &destination.to_le_bytes()],
        bump
    )]
    pub route_fee: Account<'info, RouteFee>,
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
        let route = &mut ctx.accounts.route_fee;
        route.destination = destination;
        route.base_fee = base_fee;
        route.fee_per_byte = fee_per_byte;
        route.bump = ctx.bumps.route_fee;
        emit(FeeSet { destination, base_fee, fee_per_byte });
        Ok(())
    }
}
