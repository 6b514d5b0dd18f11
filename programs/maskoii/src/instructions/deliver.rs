use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program::invoke_signed;

use crate::errors::MaskoiiError;
use crate::events::{emit, MessageDelivered};
use crate::instructions::token_common::create_pda_account;
use crate::protocol::attestation::AttestationKind;
use crate::protocol::message;
use crate::seeds::*;
use crate::state::*;
use crate::utils::quorum::check_quorum;

/// First 8 bytes of the recipient instruction: `sha256("global:handle")[..8]`, Anchor's discriminator of an
/// instruction named `handle`, so an Anchor recipient simply declares
/// `pub fn handle(ctx, origin: u32, sender: [u8; 32], payload: Vec<u8>)`.
pub const HANDLE_DISCRIMINATOR: [u8; 8] = [0x0a, 0x16, 0xc0, 0x53, 0x5a, 0x1c, 0x37, 0x4d];

/// The recipient's instruction data: `HANDLE_DISCRIMINATOR ‖ borsh(origin: u32, sender: [u8; 32], payload: Vec<u8>)`.
pub fn handle_instruction_data(origin: u32, sender: &[u8; 32], payload: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(8 + 4 + 32 + 4 + payload.len());
    data.extend_from_slice(&HANDLE_DISCRIMINATOR);
    data.extend_from_slice(&origin.to_le_bytes());
    data.extend_from_slice(sender);
    data.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    data.extend_from_slice(payload);
    data
}

/// Consumes a verification account holding a MessageAttestation quorum for `message_id`, records the receipt (the
/// replay guard), calls the recipient's `handle` by CPI signed by the recipient's gateway authority PDA, and closes the
/// verification account to its payer. If `handle` fails the whole transaction fails: nothing is consumed and
/// anyone may deliver again (docs/solana.md, "Failed recipients").
///
/// Accounts passed after the named ones are forwarded to the recipient, in order, after the gateway authority.
#[derive(Accounts)]
#[instruction(message_id: [u8; 32])]
pub struct Deliver<'info> {
    #[account(mut)]
    pub relayer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(
        seeds = [ATTESTER_SET_SEED, &verification.attester_set_id.to_le_bytes()],
        bump = attester_set.bump
    )]
    pub attester_set: Account<'info, AttesterSetAccount>,
    #[account(mut, close = verification_payer)]
    pub verification: Account<'info, Verification>,
    /// CHECK: must be the verification account's payer, which receives its rent.
    #[account(mut, address = verification.payer)]
    pub verification_payer: UncheckedAccount<'info>,
    /// CHECK: the `Receipt` PDA of the message's `(origin, nonce)` (`receipt_address`, checked in `validate` once the
    /// message is decoded) at its canonical bump (a `find_program_address`: a caller-chosen bump would let a second
    /// receipt address exist per message). `validate` requires it not to exist yet (`AlreadyDelivered`: this pair was
    /// delivered, by this message or by an equivocating one); the handler creates it and writes it before calling the
    /// recipient. Not Anchor's `init`:
    /// that fails inside the system program on replay (no error name), and anchor-lang 1.2 creates a pre-funded
    /// address with `create_account_allow_prefund`, which runtimes without that feature reject, so anyone could block
    /// a message for good by sending a lamport to its receipt address. `create_pda_account` tops up, allocates and
    /// assigns instead.
    #[account(mut)]
    pub receipt: UncheckedAccount<'info>,
    /// CHECK: checked in `validate` against the message's recipient.
    pub recipient_program: UncheckedAccount<'info>,
    /// CHECK: data-less PDA of this recipient that signs the CPI (see `GATEWAY_AUTHORITY_SEED`), checked in
    /// `validate`: by the constant bump when the recipient is this program, by `find_program_address` otherwise.
    pub gateway_authority: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl<'info> Deliver<'info> {
    /// Every check that is not an account constraint; returns the gateway authority's and the receipt's bumps.
    pub fn validate(&self, message_id: &[u8; 32], msg: &message::MessageView) -> Result<(u8, u8)> {
        require!(!self.config.paused, MaskoiiError::Paused);
        // The receipt of `(origin, nonce)` (docs/protocol.md §8.1) at its canonical bump.
        let (expected, receipt_bump) = receipt_address(msg.origin_domain, msg.nonce);
        let receipt = &self.receipt;
        if receipt.key() != expected {
            return Err(error!(anchor_lang::error::ErrorCode::ConstraintSeeds).with_pubkeys((receipt.key(), expected)));
        }
        // Replay: the receipt exists once a message with this (origin, nonce) was delivered (receipts are never
        // closed), whatever its id. A system-owned address without data is only pre-funded, which must not block the
        // delivery.
        require!(
            receipt.owner == &anchor_lang::system_program::ID && receipt.data_is_empty(),
            MaskoiiError::AlreadyDelivered
        );
        require!(msg.destination_domain == self.config.local_domain, MaskoiiError::WrongDestination);
        let recipient = Pubkey::new_from_array(msg.recipient);
        require_keys_eq!(self.recipient_program.key(), recipient, MaskoiiError::RecipientMismatch);
        // The zero key is the system program: what an unset EVM `recipient` decodes to. This program itself is a
        // valid recipient (its token bridge and claims `handle`; Solana allows a program to call itself).
        require!(recipient != Pubkey::default(), MaskoiiError::InvalidRecipient);
        require!(self.recipient_program.executable, MaskoiiError::RecipientNotExecutable);
        let authority_bump = gateway_authority_bump(&recipient, &self.gateway_authority.key())?;
        check_quorum(&self.verification, &self.attester_set, AttestationKind::Message, message_id)?;
        Ok((authority_bump, receipt_bump))
    }

    pub fn handler(ctx: Context<'info, Deliver<'info>>, message_id: [u8; 32], message_bytes: Vec<u8>) -> Result<()> {
        require!(message::id(&message_bytes) == message_id, MaskoiiError::MessageIdMismatch);
        let msg = message::decode(&message_bytes)?;
        let (authority_bump, receipt_bump) = ctx.accounts.validate(&message_id, &msg)?;

        let clock = Clock::get()?;
        let receipt = Receipt {
            message_id,
            origin_domain: msg.origin_domain,
            nonce: msg.nonce,
            sender: msg.sender,
            recipient: ctx.accounts.recipient_program.key(),
            relayer: ctx.accounts.relayer.key(),
            delivered_slot: clock.slot,
            delivered_at: clock.unix_timestamp,
            bump: receipt_bump,
        };
        // Effects before the interaction: create and write the receipt now, so the recipient (this program's own
        // `handle` included) already sees the message as delivered.
        let info = ctx.accounts.receipt.to_account_info();
        create_pda_account(
            &ctx.accounts.relayer.to_account_info(),
            &info,
            &ctx.accounts.system_program.to_account_info(),
            8 + Receipt::INIT_SPACE,
            ctx.program_id,
            &[RECEIPT_SEED, &msg.origin_domain.to_le_bytes(), &msg.nonce.to_le_bytes(), &[receipt.bump]],
        )?;
        receipt.try_serialize(&mut &mut info.try_borrow_mut_data()?[..])?;
        emit(MessageDelivered { message_id, origin: msg.origin_domain, nonce: msg.nonce });

        let authority = &ctx.accounts.gateway_authority;
        let recipient = ctx.accounts.recipient_program.key();
        let mut metas = Vec::with_capacity(2 + ctx.remaining_accounts.len());
        metas.push(AccountMeta::new_readonly(authority.key(), true));
        let mut infos = Vec::with_capacity(3 + ctx.remaining_accounts.len());
        infos.push(authority.to_account_info());
        if recipient == crate::ID {
            // This program's own `handle` (token bridge, claims) gets the receipt of the message it handles, read-only,
            // right after the gateway authority: its message id and nonce key queue entries and refund records. Only
            // `deliver` can make that authority sign, so the account in this position is always the current receipt.
            metas.push(AccountMeta::new_readonly(ctx.accounts.receipt.key(), false));
            infos.push(info.clone());
        }
        for account in ctx.remaining_accounts {
            metas.push(if account.is_writable {
                AccountMeta::new(*account.key, account.is_signer)
            } else {
                AccountMeta::new_readonly(*account.key, account.is_signer)
            });
            infos.push(account.clone());
        }
        infos.push(ctx.accounts.recipient_program.to_account_info());
        let ix = Instruction {
            program_id: ctx.accounts.recipient_program.key(),
            accounts: metas,
            data: handle_instruction_data(msg.origin_domain, &msg.sender, msg.payload),
        };
        let bump = [authority_bump];
        invoke_signed(&ix, &infos, &[&[GATEWAY_AUTHORITY_SEED, recipient.as_ref(), &bump]])?;
        Ok(())
    }
}

/// The bump of `recipient`'s gateway authority, checking that `authority` is that PDA. For this program as recipient
/// (every token and claims delivery) the canonical bump is the constant `SELF_GATEWAY_AUTHORITY_BUMP`, one
/// `create_program_address`; another recipient needs `find_program_address`, since recipients check the canonical
/// address.
fn gateway_authority_bump(recipient: &Pubkey, authority: &Pubkey) -> Result<u8> {
    let (expected, bump) = if *recipient == crate::ID {
        let bump = SELF_GATEWAY_AUTHORITY_BUMP;
        let key = Pubkey::create_program_address(&[GATEWAY_AUTHORITY_SEED, recipient.as_ref(), &[bump]], &crate::ID)
            .map_err(|_| error!(anchor_lang::error::ErrorCode::ConstraintSeeds))?;
        (key, bump)
    } else {
        Pubkey::find_program_address(&[GATEWAY_AUTHORITY_SEED, recipient.as_ref()], &crate::ID)
    };
    if *authority != expected {
        return Err(error!(anchor_lang::error::ErrorCode::ConstraintSeeds).with_pubkeys((*authority, expected)));
    }
    Ok(bump)
}
