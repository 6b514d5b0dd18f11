use anchor_lang::prelude::*;

use crate::state::*;

/// The payer of a verification account that will never be consumed (e.g. its set expired) closes it and takes
/// back the rent.
#[derive(Accounts)]
pub struct CloseVerification<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, has_one = payer, close = payer)]
    pub verification: Account<'info, Verification>,
}

impl CloseVerification<'_> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }

    pub fn handler(ctx: Context<CloseVerification>) -> Result<()> {
        ctx.accounts.validate()
    }
}
