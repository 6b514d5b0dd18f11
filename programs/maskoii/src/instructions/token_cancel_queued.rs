use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, QueuedTransferCancelled, TransferRefundable};
use crate::instructions::token_common::{create_pda_account, is_fresh, write_account};
use crate::seeds::*;
use crate::state::*;

/// The admin or the guardian cancels an inbound transfer waiting in the rate-limit queue (docs/protocol.md §8.1,
/// "Cancelling a queued transfer"), also while paused: a forged burst queued after a quorum compromise is contained
/// without freezing the legitimate queue. The entry is closed (its rent back to the relayer that paid it) and
/// becomes a refund record (reason 1, cancelled) keyed by its message id; nothing is ever credited here for it. Its
/// value stays held where it was: in the escrow (lock mode) or never minted (mint mode); the origin pays a
/// legitimate transfer back to its sender against a quorum-signed refund receipt (`token_refund` there).
#[derive(Accounts)]
pub struct TokenCancelQueued<'info> {
    /// The admin or the guardian; pays the refund record's rent.
    #[account(mut)]
    pub authority: Signer<'info>,
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
    /// CHECK: the message's `RefundRecord` PDA, created here by hand (pre-funding-safe); `validate` requires it fresh.
    #[account(mut, seeds = [REFUND_RECORD_SEED, &queued_transfer.message_id], bump)]
    pub refund_record: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl TokenCancelQueued<'_> {
    pub fn validate(&self) -> Result<()> {
        let who = self.authority.key();
        require!(who == self.config.admin || who == self.config.guardian, MaskoiiError::NotAdminOrGuardian);
        require!(is_fresh(&self.refund_record), MaskoiiError::RefundRecordMismatch);
        Ok(())
    }

    pub fn handler(ctx: Context<TokenCancelQueued>) -> Result<()> {
        ctx.accounts.validate()?;
        let a = &ctx.accounts;
        let q = &a.queued_transfer;
        let bump = ctx.bumps.refund_record;
        let record = RefundRecord {
            message_id: q.message_id,
            origin: q.origin,
            nonce: q.nonce,
            mint: q.mint,
            wire_amount: q.wire_amount,
            reason: REFUND_REASON_CANCELLED,
            recorded_at: Clock::get()?.unix_timestamp,
            bump,
        };
        let info = a.refund_record.to_account_info();
        create_pda_account(
            &a.authority.to_account_info(),
            &info,
            &a.system_program.to_account_info(),
            8 + RefundRecord::INIT_SPACE,
            ctx.program_id,
            &[REFUND_RECORD_SEED, &q.message_id, &[bump]],
        )?;
        write_account(&info, &record)?;
        emit(QueuedTransferCancelled { queued_transfer: q.key(), seq: q.seq, by: a.authority.key() });
        emit(TransferRefundable {
            message_id: q.message_id,
            origin: q.origin,
            nonce: q.nonce,
            mint: q.mint,
            wire_amount: q.wire_amount,
            reason: REFUND_REASON_CANCELLED,
        });
        Ok(())
    }
}
