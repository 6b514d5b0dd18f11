use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, RemoteBridgeSet};
use crate::instructions::token_common::check_domain;
use crate::seeds::*;
use crate::state::*;

/// The admin sets the token bridge of `domain` (left-padded to 32 bytes): the recipient of outbound transfers and
/// the only sender accepted for inbound ones. Zero closes the route in both directions.
#[derive(Accounts)]
#[instruction(domain: u32)]
pub struct TokenSetRemoteBridge<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(
        init_if_needed,
        payer = admin,
        space = 8 + RemoteBridge::INIT_SPACE,
        seeds = [REMOTE_BRIDGE_SEED, &domain.to_le_bytes()],
        bump
    )]
    pub remote_bridge: Account<'info, RemoteBridge>,
    pub system_program: Program<'info, System>,
}

impl TokenSetRemoteBridge<'_> {
    pub fn validate(&self, domain: u32) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        check_domain(&self.config, domain)
    }

    pub fn handler(ctx: Context<TokenSetRemoteBridge>, domain: u32, bridge: [u8; 32]) -> Result<()> {
        ctx.accounts.validate(domain)?;
        let remote = &mut ctx.accounts.remote_bridge;
        remote.domain = domain;
        remote.bridge = bridge;
        remote.bump = ctx.bumps.remote_bridge;
        emit(RemoteBridgeSet { domain, bridge });
        Ok(())
    }
}
