use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, QueuedTransferReleased, TransferReceived};
use crate::protocol::token_payload;
use crate::seeds::*;
use crate::state::*;
use crate::utils::credit::BridgeMint;

/// Anyone releases a queued inbound transfer once the route's inbound bucket holds its amount
/// (`RateLimitExceeded` before), unless the guardian paused (`Paused`: a forged burst waiting in the queue must not
/// drain as the bucket refills; the admin or guardian cancels it with `token_cancel_queued`). The entry is closed and its rent returned to the relayer that paid it, whoever
/// calls. A transfer above the bucket's capacity waits until the admin raises it; it is never dropped.
#[derive(Accounts)]
pub struct TokenReleaseQueued<'info> {
    /// The gateway config: its pause stops this outflow (docs/protocol.md §8.1).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut,
        close = rent_receiver,
        seeds = [QUEUED_TRANSFER_SEED, queued_transfer.route.as_ref(), &queued_transfer.seq.to_le_bytes()],
        bump = queued_transfer.bump
    )]
    pub queued_transfer: Box<Account<'info, QueuedTransfer>>,
    /// CHECK: receives the entry's rent; must be who paid it.
    #[account(mut, address = queued_transfer.payer @ MaskoiiError::RentReceiverMismatch)]
    pub rent_receiver: UncheckedAccount<'info>,
    #[account(mut, address = queued_transfer.route)]
    pub route: Box<Account<'info, TokenRoute>>,
    #[account(seeds = [TOKEN_CONFIG_SEED, queued_transfer.mint.as_ref()], bump = token_config.bump)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    #[account(mut, address = queued_transfer.mint @ MaskoiiError::MintMismatch)]
    pub mint: Box<Account<'info, Mint>>,
    /// CHECK: data-less PDA that owns escrows and mints.
    #[account(seeds = [BRIDGE_AUTHORITY_SEED], bump = BRIDGE_AUTHORITY_BUMP)]
    pub bridge_authority: UncheckedAccount<'info>,
    /// The mint's escrow (lock mode only; the program id as "none" in mint mode).
    #[account(mut, seeds = [ESCROW_SEED, mint.key().as_ref()], bump = token_config.escrow_bump)]
    pub escrow: Option<Box<Account<'info, TokenAccount>>>,
    #[account(mut, address = queued_transfer.recipient @ MaskoiiError::RecipientTokenAccountMismatch)]
    pub recipient: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl TokenReleaseQueued<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.config.paused, MaskoiiError::Paused);
        if self.token_config.mode == MODE_LOCK {
            require!(self.escrow.is_some(), MaskoiiError::EscrowRequired);
        }
        Ok(())
    }

    pub fn handler(ctx: Context<TokenReleaseQueued>) -> Result<()> {
        ctx.accounts.validate()?;
        let a = ctx.accounts;
        let q = &a.queued_transfer;
        let (ok, _) = a.route.inbound.try_consume(q.wire_amount, Clock::get()?.unix_timestamp);
        require!(ok, MaskoiiError::RateLimitExceeded);
        let amount =
            token_payload::to_local_u64(q.wire_amount, a.token_config.local_decimals, a.token_config.shared_decimals)?;
        BridgeMint::new(&a.token_config, &a.token_program, &a.mint, a.escrow.as_deref(), &a.bridge_authority)
            .credit(&a.recipient.to_account_info(), amount)?;
        emit(QueuedTransferReleased { queued_transfer: q.key(), seq: q.seq });
        emit(TransferReceived { origin: q.origin, mint: q.mint, recipient: q.recipient, amount });
        Ok(())
    }
}
