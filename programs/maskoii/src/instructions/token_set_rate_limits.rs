use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, RateLimitsSet};
use crate::instructions::token_common::{check_domain, load_route_or_new, store_pda_account};
use crate::seeds::*;
use crate::state::*;

/// Arguments of `token_set_rate_limits`, in shared units (per second for the refills). Capacity 0 closes a
/// direction, `u64::MAX` removes its limit.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct RateLimitsArgs {
    pub remote_domain: u32,
    pub out_capacity: u64,
    pub out_refill_per_second: u64,
    pub in_capacity: u64,
    pub in_refill_per_second: u64,
}

/// The admin sets both buckets of a (mint, remote domain) route, creating the route on first use.
#[derive(Accounts)]
#[instruction(args: RateLimitsArgs)]
pub struct TokenSetRateLimits<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(seeds = [TOKEN_CONFIG_SEED, token_config.mint.as_ref()], bump = token_config.bump)]
    pub token_config: Account<'info, TokenConfig>,
    /// The `TokenRoute` PDA of (mint, domain): created on first use (pre-funding-safe), else updated.
    /// CHECK: created by `store_pda_account`, or loaded with its owner and type checked by `load_existing`.
    #[account(mut, seeds = [TOKEN_ROUTE_SEED, token_config.mint.as_ref(), &args.remote_domain.to_le_bytes()], bump)]
    pub route: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl TokenSetRateLimits<'_> {
    pub fn validate(&self, args: &RateLimitsArgs) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        check_domain(&self.config, args.remote_domain)
    }

    pub fn handler(ctx: Context<TokenSetRateLimits>, args: RateLimitsArgs) -> Result<()> {
        ctx.accounts.validate(&args)?;
        let now = Clock::get()?.unix_timestamp;
        let mint = ctx.accounts.token_config.mint;
        let a = &ctx.accounts;
        let domain = args.remote_domain;
        let (mut route, exists) = load_route_or_new(&a.route, mint, domain, ctx.bumps.route)?;
        route.outbound.configure(args.out_capacity, args.out_refill_per_second, now);
        route.inbound.configure(args.in_capacity, args.in_refill_per_second, now);
        let seeds: &[&[u8]] = &[TOKEN_ROUTE_SEED, mint.as_ref(), &domain.to_le_bytes(), &[route.bump]];
        let (payer, system) = (a.admin.to_account_info(), a.system_program.to_account_info());
        store_pda_account(exists, &payer, &a.route, &system, 8 + TokenRoute::INIT_SPACE, seeds, &route)?;
        emit(RateLimitsSet {
            mint,
            remote_domain: args.remote_domain,
            out_capacity: args.out_capacity,
            out_refill_per_second: args.out_refill_per_second,
            in_capacity: args.in_capacity,
            in_refill_per_second: args.in_refill_per_second,
        });
        Ok(())
    }
}
