use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, TransferSent};
use crate::instructions::token_common::dispatch;
use crate::protocol::token as amounts;
use crate::protocol::token_payload;
use crate::seeds::*;
use crate::state::*;

/// Arguments of `token_transfer_remote`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct TransferRemoteArgs {
    /// Destination domain.
    pub destination: u32,
    /// Recipient on the destination, left-padded to 32 bytes; non-zero.
    pub recipient: [u8; 32],
    /// Amount in local units; only `wire × 10^(L−S)` is taken, the dust stays in `source`.
    pub amount: u64,
    /// Most lamports the payer accepts as gateway fee.
    pub max_fee: u64,
}

/// Sends `amount` of a registered mint to `recipient` on `destination`: normalises to shared decimals (spec §8; the
/// dust stays with the sender), consumes the route's outbound bucket (`RateLimitExceeded` above it), locks the
/// dust-free amount in the escrow (lock mode) or burns it (mint mode), and sends a 73-byte transfer payload through
/// the gateway to the remote bridge, carrying the remote (destination-side) token. The message's sender is this
/// program's id.
#[derive(Accounts)]
#[instruction(args: TransferRemoteArgs)]
pub struct TokenTransferRemote<'info> {
    /// Owner of `source`.
    pub sender: Signer<'info>,
    /// Pays the gateway fee and the outbox rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(seeds = [ROUTE_FEE_SEED, &args.destination.to_le_bytes()], bump = route_fee.bump)]
    pub route_fee: Box<Account<'info, RouteFee>>,
    #[account(mut, seeds = [FEE_VAULT_SEED], bump = config.fee_vault_bump)]
    pub fee_vault: Box<Account<'info, FeeVault>>,
    /// CHECK: the `OutboxMessage` PDA of the next nonce, created by `enqueue` (pre-funding-safe, see there).
    #[account(mut, seeds = [OUTBOX_SEED, &config.next_nonce.to_le_bytes()], bump)]
    pub outbox: UncheckedAccount<'info>,
    #[account(seeds = [TOKEN_CONFIG_SEED, mint.key().as_ref()], bump = token_config.bump)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    #[account(seeds = [REMOTE_BRIDGE_SEED, &args.destination.to_le_bytes()], bump = remote_bridge.bump)]
    pub remote_bridge: Box<Account<'info, RemoteBridge>>,
    #[account(
        mut,
        seeds = [TOKEN_ROUTE_SEED, mint.key().as_ref(), &args.destination.to_le_bytes()],
        bump = route.bump
    )]
    pub route: Box<Account<'info, TokenRoute>>,
    #[account(mut)]
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        constraint = source.mint == mint.key() @ MaskoiiError::TokenAccountMintMismatch,
        constraint = source.owner == sender.key() @ MaskoiiError::SourceOwnerMismatch
    )]
    pub source: Box<Account<'info, TokenAccount>>,
    /// The mint's escrow (lock mode only; pass the program id as "none" in mint mode).
    #[account(mut, seeds = [ESCROW_SEED, mint.key().as_ref()], bump = token_config.escrow_bump)]
    pub escrow: Option<Box<Account<'info, TokenAccount>>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl TokenTransferRemote<'_> {
    /// Route and recipient checks; returns `(wire, taken)`.
    pub fn validate(&self, args: &TransferRemoteArgs) -> Result<(u64, u64)> {
        require!(self.remote_bridge.bridge != [0u8; 32], MaskoiiError::UnknownRoute);
        require!(args.recipient != [0u8; 32], MaskoiiError::InvalidRecipient);
        // The payload's recipient against the destination's family (docs/protocol.md §8.1); the message's recipient
        // (the remote bridge) is checked by `check_outbound`.
        require!(self.route_fee.accepts_recipient(&args.recipient), MaskoiiError::InvalidRecipient);
        require!(self.route.remote_token != [0u8; 32], MaskoiiError::TokenNotLinked);
        if self.token_config.mode == MODE_LOCK {
            require!(self.escrow.is_some(), MaskoiiError::EscrowRequired);
        }
        let cfg = &self.token_config;
        let (wire, dust) = amounts::to_shared(u128::from(args.amount), cfg.local_decimals, cfg.shared_decimals)?;
        Ok((wire, args.amount - dust as u64))
    }

    pub fn handler(ctx: Context<TokenTransferRemote>, args: TransferRemoteArgs) -> Result<()> {
        let (wire, taken) = ctx.accounts.validate(&args)?;
        let now = Clock::get()?.unix_timestamp;
        let a = ctx.accounts;
        let (ok, _) = a.route.outbound.try_consume(wire, now);
        require!(ok, MaskoiiError::RateLimitExceeded);

        if a.token_config.mode == MODE_LOCK {
            let escrow = a.escrow.as_ref().unwrap();
            token::transfer_checked(
                CpiContext::new(
                    a.token_program.key(),
                    token::TransferChecked {
                        from: a.source.to_account_info(),
                        mint: a.mint.to_account_info(),
                        to: escrow.to_account_info(),
                        authority: a.sender.to_account_info(),
                    },
                ),
                taken,
                a.token_config.local_decimals,
            )?;
        } else {
            token::burn(
                CpiContext::new(
                    a.token_program.key(),
                    token::Burn {
                        mint: a.mint.to_account_info(),
                        from: a.source.to_account_info(),
                        authority: a.sender.to_account_info(),
                    },
                ),
                taken,
            )?;
        }

        let payload = token_payload::encode_transfer(&a.route.remote_token, &args.recipient, wire);
        let bridge = a.remote_bridge.bridge;
        let message_id = dispatch(
            ctx.program_id,
            &mut a.config,
            &a.route_fee,
            &a.fee_vault.to_account_info(),
            &a.outbox.to_account_info(),
            ctx.bumps.outbox,
            &a.payer.to_account_info(),
            &a.system_program.to_account_info(),
            args.destination,
            &bridge,
            &payload,
            args.max_fee,
        )?;
        emit(TransferSent {
            message_id,
            mint: a.mint.key(),
            destination: args.destination,
            from: a.sender.key(),
            recipient: args.recipient,
            amount: taken,
            wire_amount: wire,
        });
        Ok(())
    }
}
