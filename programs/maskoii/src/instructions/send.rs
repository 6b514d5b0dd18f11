use anchor_lang::prelude::*;
use anchor_lang::system_program;

use crate::errors::MaskoiiError;
use crate::events::MessageSent;
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
    #[account(
        init,
        payer = payer,
        space = OutboxMessage::space(message::HEADER_LENGTH + args.payload.len()),
        seeds = [OUTBOX_SEED, &config.next_nonce.to_le_bytes()],
        bump
    )]
    pub outbox: Account<'info, OutboxMessage>,
    pub system_program: Program<'info, System>,
}

impl SendMessage<'_> {
    /// Returns the fee.
    pub fn validate(&self, args: &SendArgs) -> Result<u64> {
        require!(!self.config.paused, MaskoiiError::Paused);
        require!(
            args.destination != 0 && args.destination != self.config.local_domain,
            MaskoiiError::InvalidDestination
        );
        require!(args.payload.len() <= message::MAX_PAYLOAD_LENGTH, MaskoiiError::PayloadTooLong);
        let fee = self.route_fee.quote(args.payload.len());
        require!(fee <= args.max_fee, MaskoiiError::FeeExceedsMaximum);
        Ok(fee)
    }

    pub fn handler(ctx: Context<SendMessage>, args: SendArgs) -> Result<()> {
        let fee = ctx.accounts.validate(&args)?;
        let config = &mut ctx.accounts.config;
        let nonce = config.next_nonce;
        config.next_nonce = nonce.checked_add(1).unwrap();
        let sender = ctx.accounts.sender.key();
        let encoded = message::encode(
            nonce,
            config.local_domain,
            &sender.to_bytes(),
            args.destination,
            &args.recipient,
            &args.payload,
        )?;
        let message_id = message::id(&encoded);

        if fee > 0 {
            system_program::transfer(
                CpiContext::new(
                    ctx.accounts.system_program.key(),
                    system_program::Transfer {
                        from: ctx.accounts.payer.to_account_info(),
                        to: ctx.accounts.fee_vault.to_account_info(),
                    },
                ),
                fee,
            )?;
        }

        let outbox = &mut ctx.accounts.outbox;
        outbox.nonce = nonce;
        outbox.destination = args.destination;
        outbox.sender = sender;
        outbox.slot = Clock::get()?.slot;
        outbox.bump = ctx.bumps.outbox;
        outbox.message = encoded.clone();
        emit!(MessageSent { message_id, destination: args.destination, nonce, message: encoded });
        Ok(())
    }
}
