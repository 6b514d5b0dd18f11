use std::collections::BTreeSet;

use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, TransferQueued, TransferReceived};
use crate::instructions::claims_receive::receive_distribution;
use crate::instructions::token_common::{create_pda_account, credit};
use crate::seeds::*;
use crate::state::token_payload::{self, KIND_DISTRIBUTION, KIND_TRANSFER};
use crate::state::*;

/// The token bridge as a gateway recipient. `deliver` of a message whose recipient is this program's id calls this
/// instruction by CPI (self-invocation), signed by the gateway authority PDA, with the accounts the relayer listed
/// after `deliver`'s own. The payload's kind selects the accounts that follow the gateway authority:
/// [`ReceiveTransfer`] for kind 1, [`crate::instructions::claims_receive::ReceiveDistribution`] for kind 2.
///
/// A failure here fails the whole delivery, which stays retryable (docs/solana.md, "Failed recipients"); an
/// over-limit transfer never fails: it is queued.
#[derive(Accounts)]
pub struct TokenHandle<'info> {
    /// The gateway authority of this program as a recipient (`[GATEWAY_AUTHORITY_SEED, program id]`): only
    /// `deliver` can make it sign. Its bump is the constant `SELF_GATEWAY_AUTHORITY_BUMP` (one
    /// `create_program_address`, no search).
    #[account(seeds = [GATEWAY_AUTHORITY_SEED, crate::ID.as_ref()], bump = SELF_GATEWAY_AUTHORITY_BUMP)]
    pub gateway_authority: Signer<'info>,
}

impl<'info> TokenHandle<'info> {
    pub fn handler(
        ctx: Context<'info, TokenHandle<'info>>,
        origin: u32,
        sender: [u8; 32],
        payload: Vec<u8>,
    ) -> Result<()> {
        let mut rest: &'info [AccountInfo<'info>] = ctx.remaining_accounts;
        match payload.first() {
            Some(&KIND_TRANSFER) => receive_transfer(ctx.program_id, &mut rest, origin, &sender, &payload),
            Some(&KIND_DISTRIBUTION) => receive_distribution(ctx.program_id, &mut rest, origin, &sender, &payload),
            _ => err!(MaskoiiError::TokenMessageUnknownKind),
        }
    }
}

/// Accounts of an inbound transfer (kind 1), after the gateway authority.
#[derive(Accounts)]
#[instruction(origin: u32)]
pub struct ReceiveTransfer<'info> {
    /// Pays the rent of a queue entry (the relayer; it gets it back when the entry is released).
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
    /// The payload's recipient: an SPL token account of `mint`.
    #[account(mut, constraint = recipient.mint == mint.key() @ MaskoiiError::TokenAccountMintMismatch)]
    pub recipient: Box<Account<'info, TokenAccount>>,
    /// CHECK: `[QUEUED_TRANSFER_SEED, route, route.next_queue_seq]`, checked by `queue_bump` and created only if the
    /// inbound bucket lacks capacity; not touched (nor derived) otherwise.
    #[account(mut)]
    pub queued_transfer: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl ReceiveTransfer<'_> {
    /// Sender, link, token and recipient checks.
    pub fn validate(&self, sender: &[u8; 32], p: &token_payload::TransferPayload) -> Result<()> {
        let bridge = self.remote_bridge.bridge;
        require!(bridge != [0u8; 32] && bridge == *sender, MaskoiiError::UnknownRemoteBridge);
        require!(self.route.remote_token != [0u8; 32], MaskoiiError::TokenNotLinked);
        require!(self.mint.key().to_bytes() == p.token, MaskoiiError::MintMismatch);
        require!(self.recipient.key().to_bytes() == p.recipient, MaskoiiError::RecipientTokenAccountMismatch);
        if self.token_config.mode == MODE_LOCK {
            require!(self.escrow.is_some(), MaskoiiError::EscrowRequired);
        }
        Ok(())
    }

    /// The queue entry account must be the route's next queue PDA; returns its canonical bump. Only called when the
    /// transfer is queued, so a transfer credited at once pays no `find_program_address`.
    pub fn queue_bump(&self, program_id: &Pubkey) -> Result<u8> {
        let (expected, bump) = Pubkey::find_program_address(
            &[QUEUED_TRANSFER_SEED, self.route.key().as_ref(), &self.route.next_queue_seq.to_le_bytes()],
            program_id,
        );
        require_keys_eq!(self.queued_transfer.key(), expected, MaskoiiError::QueueAccountMismatch);
        Ok(bump)
    }
}

/// Credits an inbound transfer, or queues it when the inbound bucket lacks capacity.
fn receive_transfer<'info>(
    program_id: &Pubkey,
    rest: &mut &'info [AccountInfo<'info>],
    origin: u32,
    sender: &[u8; 32],
    payload: &[u8],
) -> Result<()> {
    let p = token_payload::decode_transfer(payload)?;
    let mut bumps = ReceiveTransferBumps::default();
    let mut reallocs = BTreeSet::new();
    let mut a = ReceiveTransfer::try_accounts(program_id, rest, &origin.to_le_bytes(), &mut bumps, &mut reallocs)?;
    a.validate(sender, &p)?;
    let cfg = &a.token_config;
    let amount = token_payload::to_local_u64(p.amount, cfg.local_decimals, cfg.shared_decimals)?;
    let now = Clock::get()?.unix_timestamp;
    let (ok, _) = a.route.inbound.try_consume(p.amount, now);
    let mint = a.mint.key();
    let recipient = a.recipient.key();
    if ok {
        credit(
            &a.token_config,
            &a.token_program,
            &a.mint,
            a.escrow.as_deref(),
            &a.bridge_authority.to_account_info(),
            BRIDGE_AUTHORITY_BUMP,
            &a.recipient.to_account_info(),
            amount,
        )?;
        emit(TransferReceived { origin, mint, recipient, amount });
    } else {
        let queue_bump = a.queue_bump(program_id)?;
        let route_key = a.route.key();
        let seq = a.route.next_queue_seq;
        let space = 8 + QueuedTransfer::INIT_SPACE;
        create_pda_account(
            &a.payer.to_account_info(),
            &a.queued_transfer.to_account_info(),
            &a.system_program.to_account_info(),
            space,
            program_id,
            &[QUEUED_TRANSFER_SEED, route_key.as_ref(), &seq.to_le_bytes(), &[queue_bump]],
        )?;
        let entry = QueuedTransfer {
            route: route_key,
            mint,
            origin,
            recipient,
            wire_amount: p.amount,
            seq,
            payer: a.payer.key(),
            bump: queue_bump,
        };
        let info = a.queued_transfer.to_account_info();
        let mut data = info.try_borrow_mut_data()?;
        entry.try_serialize(&mut &mut data[..])?;
        drop(data);
        a.route.next_queue_seq = seq + 1;
        emit(TransferQueued { queued_transfer: info.key(), seq, origin, mint, recipient, amount });
    }
    a.exit(program_id)
}
