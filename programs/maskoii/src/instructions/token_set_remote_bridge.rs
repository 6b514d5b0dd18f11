use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, RemoteBridgeSet};
use crate::instructions::token_common::{check_domain, load_existing, store_pda_account};
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
    /// The `RemoteBridge` PDA of `domain`: created on first use (pre-funding-safe), else updated.
    /// CHECK: created by `store_pda_account`, or loaded with its owner and type checked by `load_existing`.
    #[account(mut, seeds = [REMOTE_BRIDGE_SEED, &domain.to_le_bytes()], bump)]
    pub remote_bridge: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl TokenSetRemoteBridge<'_> {
    pub fn validate(&self, domain: u32) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        check_domain(&self.config, domain)
    }

    pub fn handler(ctx: Context<TokenSetRemoteBridge>, domain: u32, bridge: [u8; 32]) -> Result<()> {
        ctx.accounts.validate(domain)?;
        let a = &ctx.accounts;
        let exists = load_existing::<RemoteBridge>(&a.remote_bridge)?.is_some();
        let remote = RemoteBridge { domain, bridge, bump: ctx.bumps.remote_bridge };
        let seeds: &[&[u8]] = &[REMOTE_BRIDGE_SEED, &domain.to_le_bytes(), &[remote.bump]];
        let (payer, system) = (a.admin.to_account_info(), a.system_program.to_account_info());
        store_pda_account(exists, &payer, &a.remote_bridge, &system, 8 + RemoteBridge::INIT_SPACE, seeds, &remote)?;
        emit(RemoteBridgeSet { domain, bridge });
        Ok(())
    }
}
