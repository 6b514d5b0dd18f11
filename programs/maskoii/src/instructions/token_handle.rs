use std::collections::BTreeSet;

use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::events::{emit, TransferQueued, TransferReceived, TransferRefundable};
use crate::instructions::claims_receive::receive_distribution;
use crate::instructions::token_common::{create_pda_account, is_fresh, write_account, TOKEN_ACCOUNT_LEN};
use crate::protocol::token_payload::{self, KIND_DISTRIBUTION, KIND_TRANSFER};
use crate::seeds::*;
use crate::state::*;
use crate::utils::credit::BridgeMint;

/// The token bridge as a gateway recipient. `deliver` of a message whose recipient is this program's id calls this
/// instruction by CPI (self-invocation), signed by the gateway authority PDA, with the accounts the relayer listed
/// after `deliver`'s own. The payload's kind selects the accounts that follow the gateway authority:
/// [`ReceiveTransfer`] for kind 1, [`crate::instructions::claims_receive::ReceiveDistribution`] for kind 2.
///
/// A failure here fails the whole delivery, which stays retryable (docs/solana.md, "Failed recipients"); an
/// over-limit transfer never fails: it is queued; a transfer this chain can never credit (the recipient is not an
/// initialized token account of the mint, or the local amount overflows `u64`) is consumed into a refund record
/// (docs/protocol.md §8.1).
#[derive(Accounts)]
pub struct TokenHandle<'info> {
    /// The gateway authority of this program as a recipient (`[GATEWAY_AUTHORITY_SEED, program id]`): only
    /// `deliver` can make it sign. Its bump is the constant `SELF_GATEWAY_AUTHORITY_BUMP` (one
    /// `create_program_address`, no search).
    #[account(seeds = [GATEWAY_AUTHORITY_SEED, crate::ID.as_ref()], bump = SELF_GATEWAY_AUTHORITY_BUMP)]
    pub gateway_authority: Signer<'info>,
    /// CHECK: the `Receipt` of the message being delivered, which `deliver` itself inserts here (read-only) for this
    /// program as recipient; only `deliver` can make `gateway_authority` sign, so no caller can substitute another.
    /// Read (owner checked) only when a transfer is queued or recorded refundable (see [`HandledMessage`]).
    pub receipt: UncheckedAccount<'info>,
}

impl<'info> TokenHandle<'info> {
    pub fn handler(
        ctx: Context<'info, TokenHandle<'info>>,
        origin: u32,
        sender: [u8; 32],
        payload: Vec<u8>,
    ) -> Result<()> {
        let mut rest: &'info [AccountInfo<'info>] = ctx.remaining_accounts;
        let receipt = ctx.accounts.receipt.to_account_info();
        match payload.first() {
            Some(&KIND_TRANSFER) => receive_transfer(ctx.program_id, &mut rest, &receipt, origin, &sender, &payload),
            Some(&KIND_DISTRIBUTION) => receive_distribution(ctx.program_id, &mut rest, origin, &sender, &payload),
            _ => err!(MaskoiiError::TokenMessageUnknownKind),
        }
    }
}

/// Message id and nonce of the message being delivered, read from its receipt (see [`TokenHandle::receipt`]).
pub struct HandledMessage {
    pub message_id: [u8; 32],
    pub nonce: u64,
}

impl HandledMessage {
    /// Reads the receipt `deliver` passed: an account of this program (so written by `deliver`) with the `Receipt`
    /// discriminator.
    pub fn read(receipt: &AccountInfo) -> Result<Self> {
        require_keys_eq!(*receipt.owner, crate::ID, MaskoiiError::ReceiptMismatch);
        let data = receipt.try_borrow_data()?;
        require!(
            data.len() >= 8 + Receipt::INIT_SPACE && data[..8] == *Receipt::DISCRIMINATOR,
            MaskoiiError::ReceiptMismatch
        );
        let id = Receipt::MESSAGE_ID_OFFSET;
        let nonce = Receipt::NONCE_OFFSET;
        Ok(Self {
            message_id: data[id..id + 32].try_into().unwrap(),
            nonce: u64::from_le_bytes(data[nonce..nonce + 8].try_into().unwrap()),
        })
    }
}

/// Accounts of an inbound transfer (kind 1), after the gateway authority and the receipt.
#[derive(Accounts)]
#[instruction(origin: u32)]
pub struct ReceiveTransfer<'info> {
    /// Pays the rent of a queue entry or a refund record (the relayer; a queue entry's rent comes back on release).
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
    /// CHECK: the payload's recipient (address checked in `validate`). Credited when it is an initialized SPL token
    /// account of `mint` (`creditable_recipient`); anything else (a wallet, an account that does not exist, another
    /// mint's account) makes the transfer refundable (reason 2).
    #[account(mut)]
    pub recipient: UncheckedAccount<'info>,
    /// CHECK: created only when needed, and then checked: the route's next queue PDA
    /// `[QUEUED_TRANSFER_SEED, route, route.next_queue_seq]` when the inbound bucket lacks capacity (`queue_bump`), or
    /// the message's refund record `[REFUND_RECORD_SEED, message_id]` when the transfer can never be credited
    /// (`record_bump`); not touched (nor derived) when the transfer is credited at once.
    #[account(mut)]
    pub record: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl ReceiveTransfer<'_> {
    /// Sender, link, token and recipient-address checks.
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
        require_keys_eq!(self.record.key(), expected, MaskoiiError::QueueAccountMismatch);
        Ok(bump)
    }

    /// The record account must be the message's refund record PDA, still fresh; returns its canonical bump.
    pub fn record_bump(&self, program_id: &Pubkey, message_id: &[u8; 32]) -> Result<u8> {
        let (expected, bump) = Pubkey::find_program_address(&[REFUND_RECORD_SEED, message_id], program_id);
        require_keys_eq!(self.record.key(), expected, MaskoiiError::RefundRecordMismatch);
        require!(is_fresh(&self.record), MaskoiiError::RefundRecordMismatch);
        Ok(bump)
    }
}

/// Whether `account` is an initialized (or frozen) SPL token account of `mint`: owned by the Token program, of a
/// token account's size, with that mint and a non-zero state. Read from the bytes (spl-token's layout: mint at 0,
/// state at 108), which costs less than unpacking.
pub fn creditable_recipient(account: &AccountInfo, mint: &Pubkey) -> bool {
    if account.owner != &anchor_spl::token::ID {
        return false;
    }
    let Ok(data) = account.try_borrow_data() else { return false };
    data.len() == TOKEN_ACCOUNT_LEN && data[..32] == mint.to_bytes() && data[108] != 0
}

/// Credits an inbound transfer, queues it when the inbound bucket lacks capacity, or records it refundable when this
/// chain can never credit it.
fn receive_transfer<'info>(
    program_id: &Pubkey,
    rest: &mut &'info [AccountInfo<'info>],
    receipt: &AccountInfo<'info>,
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
    let mint = a.mint.key();
    let local = token_payload::to_local_u64(p.amount, cfg.local_decimals, cfg.shared_decimals);
    let reason = if !creditable_recipient(&a.recipient, &mint) {
        Some(REFUND_REASON_INVALID_RECIPIENT)
    } else if local.is_err() {
        Some(REFUND_REASON_AMOUNT_OVERFLOW)
    } else {
        None
    };
    if let Some(reason) = reason {
        // Consumed (the receipt exists), nothing credited, the value stays held: escrowed or never minted.
        let handled = HandledMessage::read(receipt)?;
        let bump = a.record_bump(program_id, &handled.message_id)?;
        let record = RefundRecord {
            message_id: handled.message_id,
            origin,
            nonce: handled.nonce,
            mint,
            wire_amount: p.amount,
            reason,
            recorded_at: Clock::get()?.unix_timestamp,
            bump,
        };
        create_pda_account(
            &a.payer.to_account_info(),
            &a.record.to_account_info(),
            &a.system_program.to_account_info(),
            8 + RefundRecord::INIT_SPACE,
            program_id,
            &[REFUND_RECORD_SEED, &handled.message_id, &[bump]],
        )?;
        write_account(&a.record.to_account_info(), &record)?;
        emit(TransferRefundable {
            message_id: handled.message_id,
            origin,
            nonce: handled.nonce,
            mint,
            wire_amount: p.amount,
            reason,
        });
        return a.exit(program_id);
    }
    let amount = local?;
    let now = Clock::get()?.unix_timestamp;
    let (ok, _) = a.route.inbound.try_consume(p.amount, now);
    let recipient = a.recipient.key();
    if ok {
        BridgeMint::new(&a.token_config, &a.token_program, &a.mint, a.escrow.as_deref(), &a.bridge_authority)
            .credit(&a.recipient.to_account_info(), amount)?;
        emit(TransferReceived { origin, mint, recipient, amount });
    } else {
        let handled = HandledMessage::read(receipt)?;
        let queue_bump = a.queue_bump(program_id)?;
        let route_key = a.route.key();
        let seq = a.route.next_queue_seq;
        let space = 8 + QueuedTransfer::INIT_SPACE;
        create_pda_account(
            &a.payer.to_account_info(),
            &a.record.to_account_info(),
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
            message_id: handled.message_id,
            nonce: handled.nonce,
        };
        let info = a.record.to_account_info();
        write_account(&info, &entry)?;
        a.route.next_queue_seq = seq + 1;
        emit(TransferQueued { queued_transfer: info.key(), seq, origin, mint, recipient, amount });
    }
    a.exit(program_id)
}
