use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, TokenLinked};
use crate::instructions::token_common::check_domain;
use crate::seeds::*;
use crate::state::*;

/// The admin links a registered mint to its counterpart on `remote_domain` (zero unlinks, closing the route in both
/// directions). Creates the route account on first use; its buckets stay closed until `token_set_rate_limits`.
#[derive(Accounts)]
#[instruction(remote_domain: u32)]
pub struct TokenLink<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(seeds = [TOKEN_CONFIG_SEED, token_config.mint.as_ref()], bump = token_config.bump)]
    pub token_config: Account<'info, TokenConfig>,
    #[account(
        init_if_needed,
        payer = admin,
        space = 8 + TokenRoute::INIT_SPACE,
        seeds = [TOKEN_ROUTE_SEED, token_config.mint.as_ref(), &remote_domain.to_le_bytes()],
        bump
    )]
    pub route: Account<'info, TokenRoute>,
    pub system_program: Program<'info, System>,
}

impl TokenLink<'_> {
    pub fn validate(&self, remote_domain: u32) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        check_domain(&self.config, remote_domain)
    }

    pub fn handler(ctx: Context<TokenLink>, remote_domain: u32, remote_token: [u8; 32]) -> Result<()> {
        ctx.accounts.validate(remote_domain)?;
        let mint = ctx.accounts.token_config.mint;
        let route = &mut ctx.accounts.route;
        route.mint = mint;
        route.remote_domain = remote_domain;
        route.remote_token = remote_token;
        route.bump = ctx.bumps.route;
        emit(TokenLinked { mint, remote_domain, remote_token });
        Ok(())
    }
}
