use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, DistributionFunded};
use crate::protocol::token_payload;
use crate::seeds::*;
use crate::state::*;
use crate::utils::credit::BridgeMint;

/// Anyone funds a distribution that arrived while the route's inbound bucket lacked capacity, once it holds the
/// distribution's total (`RateLimitExceeded` before). Like a queued transfer, a payout root is never dropped.
#[derive(Accounts)]
pub struct ClaimsFund<'info> {
    /// The gateway config: its pause stops this outflow (docs/protocol.md §8.1).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut,
        seeds = [DISTRIBUTION_SEED, &distribution.origin.to_le_bytes(), &distribution.distribution_id],
        bump = distribution.bump
    )]
    pub distribution: Box<Account<'info, Distribution>>,
    #[account(
        mut,
        seeds = [TOKEN_ROUTE_SEED, distribution.mint.as_ref(), &distribution.origin.to_le_bytes()],
        bump = route.bump
    )]
    pub route: Box<Account<'info, TokenRoute>>,
    #[account(seeds = [TOKEN_CONFIG_SEED, distribution.mint.as_ref()], bump = token_config.bump)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    #[account(mut, address = distribution.mint @ MaskoiiError::MintMismatch)]
    pub mint: Box<Account<'info, Mint>>,
    /// CHECK: data-less PDA that owns escrows and mints.
    #[account(seeds = [BRIDGE_AUTHORITY_SEED], bump = BRIDGE_AUTHORITY_BUMP)]
    pub bridge_authority: UncheckedAccount<'info>,
    /// The mint's escrow (lock mode only; the program id as "none" in mint mode).
    #[account(mut, seeds = [ESCROW_SEED, mint.key().as_ref()], bump = token_config.escrow_bump)]
    pub escrow: Option<Box<Account<'info, TokenAccount>>>,
    #[account(mut, seeds = [CLAIMS_VAULT_SEED, distribution.key().as_ref()], bump = distribution.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl ClaimsFund<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.config.paused, MaskoiiError::Paused);
        require!(!self.distribution.funded, MaskoiiError::DistributionAlreadyFunded);
        if self.token_config.mode == MODE_LOCK {
            require!(self.escrow.is_some(), MaskoiiError::EscrowRequired);
        }
        Ok(())
    }

    pub fn handler(ctx: Context<ClaimsFund>) -> Result<()> {
        ctx.accounts.validate()?;
        let a = ctx.accounts;
        let total = a.distribution.total;
        let (ok, _) = a.route.inbound.try_consume(total, Clock::get()?.unix_timestamp);
        require!(ok, MaskoiiError::RateLimitExceeded);
        let amount = token_payload::to_local_u64(total, a.token_config.local_decimals, a.token_config.shared_decimals)?;
        a.distribution.funded = true;
        BridgeMint::new(&a.token_config, &a.token_program, &a.mint, a.escrow.as_deref(), &a.bridge_authority)
            .credit(&a.vault.to_account_info(), amount)?;
        emit(DistributionFunded { distribution: a.distribution.key(), amount });
        Ok(())
    }
}
