use anchor_lang::prelude::*;
use anchor_lang::system_program;

use crate::errors::MaskoiiError;
use crate::events::{emit, MessageSent};
use crate::instructions::token_common::create_pda_account;
use crate::protocol::message;
use crate::seeds::*;
use crate::state::*;

/// Arguments of `send`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SendArgs {
    /// Destination domain (not 0, not this domain).
    pub destination: u32,
    /// Destination-side recipient, left-padded to 32 bytes.
    pub recipient: [u8; 32],
    /// Application bytes, at most 4096.
    pub payload: Vec<u8>,
    /// Most lamports the payer accepts to pay as fee (the fee schedule may change between quote and send).
    pub max_fee: u64,
}

/// Sends a message: assigns the next nonce, stores the encoded message in an outbox account for the attesters,
/// emits `MessageSent` with the whole message and moves the route's fee from `payer` to the fee vault.
/// `sender` (the message's sender) may be a program's PDA signing by CPI; `payer` pays fee and rent.
#[derive(Accounts)]
#[instruction(args: SendArgs)]
pub struct SendMessage<'info> {
    pub sender: Signer<'info>,
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(seeds = [ROUTE_FEE_SEED, &args.destination.to_le_bytes()], bump = route_fee.bump)]
    pub route_fee: Account<'info, RouteFee>,
    #[account(mut, seeds = [FEE_VAULT_SEED], bump = config.fee_vault_bump)]
    pub fee_vault: Account<'info, FeeVault>,
    /// CHECK: the `OutboxMessage` PDA of the next nonce, created by `enqueue` (see there: not Anchor's `init`).
    #[account(mut, seeds = [OUTBOX_SEED, &config.next_nonce.to_le_bytes()], bump)]
    pub outbox: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl SendMessage<'_> {
    /// Returns the fee.
    pub fn validate(&self, args: &SendArgs) -> Result<u64> {
        check_outbound(
            &self.config,
            &self.route_fee,
            args.destination,
            &args.recipient,
            args.payload.len(),
            args.max_fee,
        )
    }

    pub fn handler(ctx: Context<SendMessage>, args: SendArgs) -> Result<()> {
        let fee = ctx.accounts.validate(&args)?;
        let sender = ctx.accounts.sender.key();
        enqueue(
            &mut ctx.accounts.config,
            &ctx.accounts.fee_vault.to_account_info(),
            &ctx.accounts.outbox,
            ctx.bumps.outbox,
            &ctx.accounts.payer.to_account_info(),
            &ctx.accounts.system_program.to_account_info(),
            &sender,
            args.destination,
            &args.recipient,
            &args.payload,
            fee,
        )?;
        Ok(())
    }
}

/// The checks every outbound message passes (gateway not paused, a valid destination, a recipient the destination's
/// family can accept, payload size, fee within the payer's maximum); returns the fee. Shared by `send` and the token
/// bridge's `token_transfer_remote`.
pub(crate) fn check_outbound(
    config: &Config,
    route_fee: &RouteFee,
    destination: u32,
    recipient: &[u8; 32],
    payload_len: usize,
    max_fee: u64,
) -> Result<u64> {
    require!(!config.paused, MaskoiiError::Paused);
    require!(destination != 0 && destination != config.local_domain, MaskoiiError::InvalidDestination);
    require!(route_fee.accepts_recipient(recipient), MaskoiiError::InvalidRecipient);
    require!(payload_len <= message::MAX_PAYLOAD_LENGTH, MaskoiiError::PayloadTooLong);
    let fee = route_fee.quote(payload_len);
    require!(fee <= max_fee, MaskoiiError::FeeExceedsMaximum);
    Ok(fee)
}

/// Assigns the next nonce, encodes the message, moves `fee` from `payer` to the fee vault, stores the message in
/// the outbox account for the attesters and emits `MessageSent` with the whole message. Returns the message id.
/// Shared by `send` and the token bridge (whose messages' sender is this program).
///
/// The outbox account is created here by hand (`create_pda_account`: top-up, allocate, assign when pre-funded), not
/// with Anchor's `init`: anchor-lang 1.2 creates a pre-funded address with `create_account_allow_prefund`, which
/// runtimes without that feature reject, and the next outbox address is predictable (its seed is the next nonce), so
/// one lamport sent to it would block every `send` for good.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enqueue<'info>(
    config: &mut Account<'info, Config>,
    fee_vault: &AccountInfo<'info>,
    outbox: &AccountInfo<'info>,
    outbox_bump: u8,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    sender: &Pubkey,
    destination: u32,
    recipient: &[u8; 32],
    payload: &[u8],
    fee: u64,
) -> Result<[u8; 32]> {
    let nonce = config.next_nonce;
    // A u64 nonce cannot wrap in practice (one message a nanosecond for 584 years).
    config.next_nonce = nonce.checked_add(1).unwrap();
    let encoded = message::encode(nonce, config.local_domain, &sender.to_bytes(), destination, recipient, payload)?;
    let message_id = message::id(&encoded);
    if fee > 0 {
        system_program::transfer(
            CpiContext::new(system.key(), system_program::Transfer { from: payer.clone(), to: fee_vault.clone() }),
            fee,
        )?;
    }
    create_pda_account(
        payer,
        outbox,
        system,
        OutboxMessage::space(encoded.len()),
        &crate::ID,
        &[OUTBOX_SEED, &nonce.to_le_bytes(), &[outbox_bump]],
    )?;
    let stored = OutboxMessage {
        nonce,
        destination,
        sender: *sender,
        slot: Clock::get()?.slot,
        bump: outbox_bump,
        message: encoded.clone(),
    };
    stored.try_serialize(&mut &mut outbox.try_borrow_mut_data()?[..])?;
    emit(MessageSent { message_id, destination, nonce, message: encoded });
    Ok(message_id)
}
