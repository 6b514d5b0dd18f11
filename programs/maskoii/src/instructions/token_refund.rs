use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, TransferRefunded};
use crate::instructions::token_common::{create_pda_account, is_fresh, load_existing, write_account};
use crate::protocol::attestation::AttestationKind;
use crate::protocol::refund::{self, RefundReceipt};
use crate::protocol::token_payload;
use crate::seeds::*;
use crate::state::*;
use crate::utils::credit::BridgeMint;
use crate::utils::quorum::check_quorum;

/// Anyone pays a refundable outbound transfer back to its sender on this chain, its origin (docs/protocol.md §8.1,
/// "Refund on the origin"), against a 121-byte refund receipt and a verification account holding a `TransferRefund`
/// quorum (kind 3) over `keccak256(receipt)`. Checks, in order: not paused; the receipt decodes; its origin is this
/// domain (`WrongRefundOrigin`); its nonce is not refunded yet (`AlreadyRefunded`); the attestation (as `deliver`);
/// the token is a mint registered here (`MintMismatch` for another mint account, `TokenNotRegistered`); the refund
/// account is a token account of the mint owned by `refundTo` (`RefundAccountMismatch`); the inbound bucket of
/// `(mint, destinationDomain)` holds the wire amount (`RateLimitExceeded`: submit again later). Then it marks the nonce
/// refunded, credits `wireAmount × 10^(L−S)` (release from escrow or mint), closes the verification to its payer and
/// emits `TransferRefunded`.
#[derive(Accounts)]
pub struct TokenRefund<'info> {
    /// Pays the rent of the refunded marker.
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        seeds = [ATTESTER_SET_SEED, &verification.attester_set_id.to_le_bytes()],
        bump = attester_set.bump
    )]
    pub attester_set: Box<Account<'info, AttesterSetAccount>>,
    #[account(mut, close = verification_payer)]
    pub verification: Box<Account<'info, Verification>>,
    /// CHECK: must be the verification account's payer, which receives its rent.
    #[account(mut, address = verification.payer)]
    pub verification_payer: UncheckedAccount<'info>,
    /// CHECK: the `RefundedNonce` PDA of the receipt's nonce (checked in `validate` once decoded), created here.
    #[account(mut)]
    pub refunded: UncheckedAccount<'info>,
    /// CHECK: the mint's `TokenConfig` PDA, loaded in `validate` (after the attestation: `TokenNotRegistered`).
    #[account(seeds = [TOKEN_CONFIG_SEED, mint.key().as_ref()], bump)]
    pub token_config: UncheckedAccount<'info>,
    /// CHECK: the `TokenRoute` of `(mint, destinationDomain)`, checked and loaded in `validate`.
    #[account(mut)]
    pub route: UncheckedAccount<'info>,
    #[account(mut)]
    pub mint: Box<Account<'info, Mint>>,
    /// CHECK: data-less PDA that owns escrows and mints.
    #[account(seeds = [BRIDGE_AUTHORITY_SEED], bump = BRIDGE_AUTHORITY_BUMP)]
    pub bridge_authority: UncheckedAccount<'info>,
    /// The mint's escrow (lock mode only; the program id as "none" in mint mode).
    #[account(mut, seeds = [ESCROW_SEED, mint.key().as_ref()], bump)]
    pub escrow: Option<Box<Account<'info, TokenAccount>>>,
    /// A token account of the mint owned by the receipt's `refundTo`.
    #[account(mut)]
    pub refund_account: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// What `validate` established for the handler.
pub struct CheckedRefund {
    pub receipt: RefundReceipt,
    pub token_config: TokenConfig,
    pub route: TokenRoute,
    pub refunded_bump: u8,
    pub amount: u64,
}

impl TokenRefund<'_> {
    pub fn validate(&self, bytes: &[u8]) -> Result<CheckedRefund> {
        require!(!self.config.paused, MaskoiiError::Paused);
        let r = refund::decode(bytes)?;
        require!(r.origin_domain == self.config.local_domain, MaskoiiError::WrongRefundOrigin);
        let (expected, refunded_bump) =
            Pubkey::find_program_address(&[REFUNDED_SEED, &r.nonce.to_le_bytes()], &crate::ID);
        require_keys_eq!(self.refunded.key(), expected, anchor_lang::error::ErrorCode::ConstraintSeeds);
        require!(is_fresh(&self.refunded), MaskoiiError::AlreadyRefunded);
        check_quorum(&self.verification, &self.attester_set, AttestationKind::Refund, &refund::hash(bytes))?;

        require!(self.mint.key().to_bytes() == r.token, MaskoiiError::MintMismatch);
        let token_config = load_existing::<TokenConfig>(&self.token_config)?.ok_or(MaskoiiError::TokenNotRegistered)?;
        if token_config.mode == MODE_LOCK {
            require!(self.escrow.is_some(), MaskoiiError::EscrowRequired);
        }
        let account = &self.refund_account;
        require!(
            account.mint == self.mint.key() && account.owner.to_bytes() == r.refund_to,
            MaskoiiError::RefundAccountMismatch
        );
        let mint = self.mint.key();
        let (route_key, _) = Pubkey::find_program_address(
            &[TOKEN_ROUTE_SEED, mint.as_ref(), &r.destination_domain.to_le_bytes()],
            &crate::ID,
        );
        require_keys_eq!(self.route.key(), route_key, anchor_lang::error::ErrorCode::ConstraintSeeds);
        // A route never configured has closed buckets: nothing comes back from that domain.
        let route = load_existing::<TokenRoute>(&self.route)?.ok_or(MaskoiiError::RateLimitExceeded)?;
        let amount =
            token_payload::to_local_u64(r.wire_amount, token_config.local_decimals, token_config.shared_decimals)?;
        Ok(CheckedRefund { receipt: r, token_config, route, refunded_bump, amount })
    }

    pub fn handler(ctx: Context<TokenRefund>, receipt: Vec<u8>) -> Result<()> {
        let CheckedRefund { receipt: r, token_config, mut route, refunded_bump, amount } =
            ctx.accounts.validate(&receipt)?;
        let a = &ctx.accounts;
        // A refund is value coming back from the destination: the inbound bucket limits a quorum that signs receipts
        // exactly as one that signs deliveries.
        let (ok, _) = route.inbound.try_consume(r.wire_amount, Clock::get()?.unix_timestamp);
        require!(ok, MaskoiiError::RateLimitExceeded);
        write_account(&a.route.to_account_info(), &route)?;

        let marker =
            RefundedNonce { message_id: r.message_id, refunded_at: Clock::get()?.unix_timestamp, bump: refunded_bump };
        let info = a.refunded.to_account_info();
        create_pda_account(
            &a.payer.to_account_info(),
            &info,
            &a.system_program.to_account_info(),
            8 + RefundedNonce::INIT_SPACE,
            ctx.program_id,
            &[REFUNDED_SEED, &r.nonce.to_le_bytes(), &[refunded_bump]],
        )?;
        write_account(&info, &marker)?;

        BridgeMint::new(&token_config, &a.token_program, &a.mint, a.escrow.as_deref(), &a.bridge_authority)
            .credit(&a.refund_account.to_account_info(), amount)?;
        emit(TransferRefunded {
            message_id: r.message_id,
            mint: a.mint.key(),
            refund_to: Pubkey::new_from_array(r.refund_to),
            token_account: a.refund_account.key(),
            amount,
        });
        Ok(())
    }
}
