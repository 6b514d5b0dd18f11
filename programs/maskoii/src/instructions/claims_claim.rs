use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, Claimed};
use crate::protocol::token_payload;
use crate::seeds::*;
use crate::state::*;

/// Arguments of `claims_claim`: the leaf's fields and its Merkle proof.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ClaimArgs {
    /// Leaf index (its bit in the bitmap).
    pub index: u32,
    /// The wallet entitled to the payout.
    pub claimant: Pubkey,
    /// Payout in shared units.
    pub amount: u64,
    /// The leaf's salt.
    pub salt: [u8; 32],
    /// Sibling hashes from the leaf to the root.
    pub proof: Vec<[u8; 32]>,
}

/// Pays one leaf of a funded distribution to a token account owned by the leaf's claimant. Anyone may submit it
/// (the payout can only go to the claimant's own account); each leaf pays once (bitmap), never more than the
/// distribution has left. Emits `Claimed`.
#[derive(Accounts)]
pub struct ClaimsClaim<'info> {
    /// The gateway config: its pause stops this outflow (docs/protocol.md §8.1).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut,
        seeds = [DISTRIBUTION_SEED, &distribution.origin.to_le_bytes(), &distribution.distribution_id],
        bump = distribution.bump
    )]
    pub distribution: Box<Account<'info, Distribution>>,
    #[account(mut, seeds = [CLAIM_BITMAP_SEED, distribution.key().as_ref()], bump)]
    pub bitmap: Box<Account<'info, ClaimBitmap>>,
    #[account(mut, seeds = [CLAIMS_VAULT_SEED, distribution.key().as_ref()], bump = distribution.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(address = distribution.mint @ MaskoiiError::MintMismatch)]
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        constraint = claimant_token.mint == distribution.mint @ MaskoiiError::TokenAccountMintMismatch
    )]
    pub claimant_token: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl ClaimsClaim<'_> {
    /// Returns the payout in local units.
    pub fn validate(&self, args: &ClaimArgs) -> Result<u64> {
        require!(!self.config.paused, MaskoiiError::Paused);
        let d = &self.distribution;
        require!(d.funded, MaskoiiError::DistributionNotFunded);
        require_keys_eq!(self.claimant_token.owner, args.claimant, MaskoiiError::ClaimantMismatch);
        require!(args.index < d.leaf_count, MaskoiiError::ClaimIndexOutOfRange);
        require!(!self.bitmap.is_set(args.index), MaskoiiError::AlreadyClaimed);
        let root = claim_root(args.index, &args.claimant, args.amount, &args.salt, &args.proof);
        require!(root == d.root, MaskoiiError::InvalidClaimProof);
        let left = d.total - d.claimed;
        require!(args.amount <= left, MaskoiiError::ClaimExceedsFunding);
        token_payload::to_local_u64(args.amount, d.local_decimals, d.shared_decimals)
    }

    pub fn handler(ctx: Context<ClaimsClaim>, args: ClaimArgs) -> Result<()> {
        let local_amount = ctx.accounts.validate(&args)?;
        let a = ctx.accounts;
        a.bitmap.set(args.index);
        a.distribution.claimed += args.amount;
        let d = &a.distribution;
        let origin = d.origin.to_le_bytes();
        let seeds: &[&[u8]] = &[DISTRIBUTION_SEED, &origin, &d.distribution_id, &[d.bump]];
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                token::TransferChecked {
                    from: a.vault.to_account_info(),
                    mint: a.mint.to_account_info(),
                    to: a.claimant_token.to_account_info(),
                    authority: a.distribution.to_account_info(),
                },
                &[seeds],
            ),
            local_amount,
            d.local_decimals,
        )?;
        emit(Claimed {
            distribution: a.distribution.key(),
            distribution_id: d.distribution_id,
            index: args.index,
            claimant: args.claimant,
            token_account: a.claimant_token.key(),
            amount: args.amount,
            local_amount,
        });
        Ok(())
    }
}
