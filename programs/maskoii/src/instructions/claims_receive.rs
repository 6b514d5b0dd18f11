//! Kind-2 payloads (a payout root) received by the token bridge's `handle`: creates the distribution, its vault and
//! its claim bitmap, and funds the vault from the escrow or by minting, within the route's inbound bucket.

use std::collections::BTreeSet;

use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{DistributionCreated, DistributionFunded};
use crate::instructions::token_common::credit;
use crate::seeds::*;
use crate::state::token_payload::{self, DistributionPayload};
use crate::state::*;

/// Accounts of an inbound distribution (kind 2), after the gateway authority.
#[derive(Accounts)]
#[instruction(origin: u32, distribution_id: [u8; 32], leaf_count: u32)]
pub struct ReceiveDistribution<'info> {
    /// Pays the rent of the distribution, its vault and its bitmap (the relayer).
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [REMOTE_BRIDGE_SEED, &origin.to_le_bytes()], bump = remote_bridge.bump)]
    pub remote_bridge: Box<Account<'info, RemoteBridge>>,
    #[account(seeds = [TOKEN_CONFIG_SEED, mint.key().as_ref()], bump = token_config.bump)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    #[account(mut, seeds = [TOKEN_ROUTE_SEED, mint.key().as_ref(), &origin.to_le_bytes()], bump = route.bump)]
    pub route: Box<Account<'info, TokenRoute>>,
    #[account(mut)]
    pub mint: Box<Account<'info, Mint>>,
    /// CHECK: data-less PDA that owns escrows and mints.
    #[account(seeds = [BRIDGE_AUTHORITY_SEED], bump = BRIDGE_AUTHORITY_BUMP)]
    pub bridge_authority: UncheckedAccount<'info>,
    /// The mint's escrow (lock mode only; the program id as "none" in mint mode).
    #[account(mut, seeds = [ESCROW_SEED, mint.key().as_ref()], bump = token_config.escrow_bump)]
    pub escrow: Option<Box<Account<'info, TokenAccount>>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Distribution::INIT_SPACE,
        seeds = [DISTRIBUTION_SEED, &origin.to_le_bytes(), &distribution_id],
        bump
    )]
    pub distribution: Box<Account<'info, Distribution>>,
    #[account(
        init,
        payer = payer,
        seeds = [CLAIMS_VAULT_SEED, distribution.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = distribution,
        token::token_program = token_program
    )]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        space = ClaimBitmap::space(leaf_count),
        seeds = [CLAIM_BITMAP_SEED, distribution.key().as_ref()],
        bump
    )]
    pub bitmap: Box<Account<'info, ClaimBitmap>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl ReceiveDistribution<'_> {
    pub fn validate(&self, sender: &[u8; 32], p: &DistributionPayload) -> Result<()> {
        let bridge = self.remote_bridge.bridge;
        require!(bridge != [0u8; 32] && bridge == *sender, MaskoiiError::UnknownRemoteBridge);
        require!(self.route.remote_token != [0u8; 32], MaskoiiError::TokenNotLinked);
        require!(self.mint.key().to_bytes() == p.mint, MaskoiiError::MintMismatch);
        if self.token_config.mode == MODE_LOCK {
            require!(self.escrow.is_some(), MaskoiiError::EscrowRequired);
        }
        Ok(())
    }
}

/// Creates and (capacity permitting) funds a distribution.
pub fn receive_distribution<'info>(
    program_id: &Pubkey,
    rest: &mut &'info [AccountInfo<'info>],
    origin: u32,
    sender: &[u8; 32],
    payload: &[u8],
) -> Result<()> {
    let p = token_payload::decode_distribution(payload)?;
    require!(p.leaf_count != 0 && p.leaf_count <= MAX_LEAF_COUNT, MaskoiiError::InvalidLeafCount);
    let mut ix_data = Vec::with_capacity(40);
    ix_data.extend_from_slice(&origin.to_le_bytes());
    ix_data.extend_from_slice(&p.distribution_id);
    ix_data.extend_from_slice(&p.leaf_count.to_le_bytes());
    let mut bumps = ReceiveDistributionBumps::default();
    let mut reallocs = BTreeSet::new();
    let mut a = ReceiveDistribution::try_accounts(program_id, rest, &ix_data, &mut bumps, &mut reallocs)?;
    a.validate(sender, &p)?;
    let cfg = &a.token_config;
    let local_total = token_payload::to_local_u64(p.total, cfg.local_decimals, cfg.shared_decimals)?;

    let now = Clock::get()?.unix_timestamp;
    let (funded, _) = a.route.inbound.try_consume(p.total, now);
    if funded {
        credit(
            &a.token_config,
            &a.token_program,
            &a.mint,
            a.escrow.as_deref(),
            &a.bridge_authority.to_account_info(),
            BRIDGE_AUTHORITY_BUMP,
            &a.vault.to_account_info(),
            local_total,
        )?;
    }
    let distribution_key = a.distribution.key();
    let d = &mut a.distribution;
    d.origin = origin;
    d.distribution_id = p.distribution_id;
    d.mint = a.mint.key();
    d.root = p.root;
    d.total = p.total;
    d.claimed = 0;
    d.leaf_count = p.leaf_count;
    d.funded = funded;
    d.local_decimals = a.token_config.local_decimals;
    d.shared_decimals = a.token_config.shared_decimals;
    d.bump = bumps.distribution;
    d.vault_bump = bumps.vault;
    a.bitmap.distribution = distribution_key;
    a.bitmap.bits = vec![0u8; (p.leaf_count as usize).div_ceil(8)];
    emit!(DistributionCreated {
        distribution: distribution_key,
        origin,
        distribution_id: p.distribution_id,
        mint: a.mint.key(),
        root: p.root,
        total: p.total,
        leaf_count: p.leaf_count,
        funded,
    });
    if funded {
        emit!(DistributionFunded { distribution: distribution_key, amount: local_total });
    }
    a.exit(program_id)
}
