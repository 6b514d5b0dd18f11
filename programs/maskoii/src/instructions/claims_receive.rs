//! Kind-2 payloads (a payout root) received by the token bridge's `handle`: creates the distribution, its vault and
//! its claim bitmap, and funds the vault from the escrow or by minting, within the route's inbound bucket.

use std::collections::BTreeSet;

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, DistributionCreated, DistributionFunded};
use crate::instructions::token_common::{create_pda_account, TOKEN_ACCOUNT_LEN};
use crate::protocol::token_payload::{self, DistributionPayload};
use crate::seeds::*;
use crate::state::*;
use crate::utils::credit::BridgeMint;

/// Accounts of an inbound distribution (kind 2), after the gateway authority. The distribution, its vault and its
/// bitmap are created by hand (`create_pda_account`: top-up, allocate, assign when pre-funded) rather than with
/// Anchor's `init`, whose `create_account_allow_prefund` runtimes without that feature reject: the addresses are
/// public once the message is sent, and a lamport sent to one of them must not block the distribution.
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
    /// CHECK: `[DISTRIBUTION_SEED, origin, distribution_id]`, a fresh address (`DistributionAlreadyExists`
    /// otherwise); created by `receive_distribution`.
    #[account(mut, seeds = [DISTRIBUTION_SEED, &origin.to_le_bytes(), &distribution_id], bump)]
    pub distribution: UncheckedAccount<'info>,
    /// CHECK: `[CLAIMS_VAULT_SEED, distribution]`; created as an SPL token account of `mint` owned by the
    /// distribution.
    #[account(mut, seeds = [CLAIMS_VAULT_SEED, distribution.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: `[CLAIM_BITMAP_SEED, distribution]`; created as the distribution's `ClaimBitmap`.
    #[account(mut, seeds = [CLAIM_BITMAP_SEED, distribution.key().as_ref()], bump)]
    pub bitmap: UncheckedAccount<'info>,
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
        // A distribution id is single-use per origin. Its vault and bitmap are derived from it, so they are fresh too
        // unless the distribution exists (a pre-funded address is still system-owned and empty).
        for account in [&self.distribution, &self.vault, &self.bitmap] {
            require!(
                account.owner == &anchor_lang::system_program::ID && account.data_is_empty(),
                MaskoiiError::DistributionAlreadyExists
            );
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

    let distribution_key = a.distribution.key();
    let payer = a.payer.to_account_info();
    let system = a.system_program.to_account_info();
    let origin_le = origin.to_le_bytes();
    create_pda_account(
        &payer,
        &a.distribution,
        &system,
        8 + Distribution::INIT_SPACE,
        program_id,
        &[DISTRIBUTION_SEED, &origin_le, &p.distribution_id, &[bumps.distribution]],
    )?;
    create_pda_account(
        &payer,
        &a.vault,
        &system,
        TOKEN_ACCOUNT_LEN,
        &token::ID,
        &[CLAIMS_VAULT_SEED, distribution_key.as_ref(), &[bumps.vault]],
    )?;
    token::initialize_account3(CpiContext::new(
        a.token_program.key(),
        token::InitializeAccount3 {
            account: a.vault.to_account_info(),
            mint: a.mint.to_account_info(),
            authority: a.distribution.to_account_info(),
        },
    ))?;
    create_pda_account(
        &payer,
        &a.bitmap,
        &system,
        ClaimBitmap::space(p.leaf_count),
        program_id,
        &[CLAIM_BITMAP_SEED, distribution_key.as_ref(), &[bumps.bitmap]],
    )?;

    let now = Clock::get()?.unix_timestamp;
    let (funded, _) = a.route.inbound.try_consume(p.total, now);
    if funded {
        BridgeMint::new(&a.token_config, &a.token_program, &a.mint, a.escrow.as_deref(), &a.bridge_authority)
            .credit(&a.vault.to_account_info(), local_total)?;
    }
    let d = Distribution {
        origin,
        distribution_id: p.distribution_id,
        mint: a.mint.key(),
        root: p.root,
        total: p.total,
        claimed: 0,
        leaf_count: p.leaf_count,
        funded,
        local_decimals: a.token_config.local_decimals,
        shared_decimals: a.token_config.shared_decimals,
        bump: bumps.distribution,
        vault_bump: bumps.vault,
    };
    d.try_serialize(&mut &mut a.distribution.try_borrow_mut_data()?[..])?;
    let bitmap = ClaimBitmap { distribution: distribution_key, bits: vec![0u8; (p.leaf_count as usize).div_ceil(8)] };
    bitmap.try_serialize(&mut &mut a.bitmap.try_borrow_mut_data()?[..])?;
    emit(DistributionCreated {
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
        emit(DistributionFunded { distribution: distribution_key, amount: local_total });
    }
    a.exit(program_id)
}
