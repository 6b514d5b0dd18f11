use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, TokenLinked};
use crate::instructions::token_common::{check_domain, load_route_or_new, store_pda_account};
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
    /// The `TokenRoute` PDA of (mint, domain): created on first use (pre-funding-safe), else updated.
    /// CHECK: created by `store_pda_account`, or loaded with its owner and type checked by `load_existing`.
    #[account(mut, seeds = [TOKEN_ROUTE_SEED, token_config.mint.as_ref(), &remote_domain.to_le_bytes()], bump)]
    pub route: UncheckedAccount<'info>,
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
        let a = &ctx.accounts;
        let (mut route, exists) = load_route_or_new(&a.route, mint, remote_domain, ctx.bumps.route)?;
        route.remote_token = remote_token;
        let seeds: &[&[u8]] = &[TOKEN_ROUTE_SEED, mint.as_ref(), &remote_domain.to_le_bytes(), &[route.bump]];
        let (payer, system) = (a.admin.to_account_info(), a.system_program.to_account_info());
        store_pda_account(exists, &payer, &a.route, &system, 8 + TokenRoute::INIT_SPACE, seeds, &route)?;
        emit(TokenLinked { mint, remote_domain, remote_token });
        Ok(())
    }
}
