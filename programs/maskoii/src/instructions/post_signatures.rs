use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, SignaturesPosted};
use crate::instructions::token_common::create_pda_account;
use crate::protocol::attestation::{self, AttestationKind};
use crate::protocol::signature::{check_signatures, QuorumProgress, SignatureEntry};
use crate::seeds::*;
use crate::state::*;

/// Arguments of `post_signatures`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PostSignaturesArgs {
    /// What is attested.
    pub kind: AttestationKind,
    /// The set whose members signed.
    pub attester_set_id: u64,
    /// The attested value (message id, batch root or next set hash).
    pub value: [u8; 32],
    /// The next chunk of signatures, signer indices strictly ascending and above any posted before.
    pub signatures: Vec<SignatureEntry>,
    /// Bump of the verification PDA, so that the program checks the address with one `create_program_address`
    /// instead of searching for it. Clients pass the canonical one; another valid bump only gives the payer a
    /// second, equally checked account for the same `(kind, set, value)` (`deliver` trusts a verification's
    /// contents, not its address), so nothing depends on it being canonical.
    pub verification_bump: u8,
}

/// Verifies a chunk of signatures with `secp256k1_recover` and adds it to the payer's verification account for
/// `(kind, set, value)`, creating it on the first chunk. Every check of spec §4 runs here, chunk by chunk, with the
/// same errors as the EVM verifier.
#[derive(Accounts)]
#[instruction(args: PostSignaturesArgs)]
pub struct PostSignatures<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(
        seeds = [ATTESTER_SET_SEED, &args.attester_set_id.to_le_bytes()],
        bump = attester_set.bump
    )]
    pub attester_set: Account<'info, AttesterSetAccount>,
    /// CHECK: the payer's `Verification` PDA for `(kind, set, value)` at `args.verification_bump` (one
    /// `create_program_address`). Created by the handler on the first chunk (pre-funding-safe: Anchor's
    /// `init_if_needed` would use `create_account_allow_prefund`, which runtimes without that feature reject), then
    /// read as an Anchor `Account<Verification>` (owner and discriminator checked).
    #[account(
        mut,
        seeds = [
            VERIFICATION_SEED,
            payer.key().as_ref(),
            &[args.kind as u8],
            &args.attester_set_id.to_le_bytes(),
            &args.value
        ],
        bump = args.verification_bump
    )]
    pub verification: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl PostSignatures<'_> {
    pub fn validate(&self, args: &PostSignaturesArgs) -> Result<()> {
        require!(!args.signatures.is_empty(), MaskoiiError::NoSignatures);
        let now = Clock::get()?.unix_timestamp;
        require!(self.attester_set.is_live(now), MaskoiiError::AttesterSetExpired);
        Ok(())
    }

    pub fn handler(ctx: Context<PostSignatures>, args: PostSignaturesArgs) -> Result<()> {
        ctx.accounts.validate(&args)?;
        let program_id = *ctx.program_id;
        let local_domain = ctx.accounts.config.local_domain;
        let info = ctx.accounts.verification.to_account_info();
        if info.owner == &anchor_lang::system_program::ID {
            // First chunk (or the first after the account was consumed and closed): create and initialise it.
            let payer = ctx.accounts.payer.key();
            create_pda_account(
                &ctx.accounts.payer.to_account_info(),
                &info,
                &ctx.accounts.system_program.to_account_info(),
                8 + Verification::INIT_SPACE,
                &program_id,
                &[
                    VERIFICATION_SEED,
                    payer.as_ref(),
                    &[args.kind as u8],
                    &args.attester_set_id.to_le_bytes(),
                    &args.value,
                    &[args.verification_bump],
                ],
            )?;
            let fresh = Verification {
                payer,
                kind: args.kind,
                attester_set_id: args.attester_set_id,
                value: args.value,
                digest: attestation::digest(
                    &args.kind.type_hash(),
                    local_domain,
                    &program_id.to_bytes(),
                    args.attester_set_id,
                    &args.value,
                ),
                next_index: 0,
                signers: [0u8; 16],
                signed_weight: 0,
                bump: args.verification_bump,
            };
            fresh.try_serialize(&mut &mut info.try_borrow_mut_data()?[..])?;
        }
        // An existing verification: this program's account with `Verification`'s discriminator (Anchor's checks).
        require_keys_eq!(*info.owner, program_id, anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram);
        let mut verification = Verification::try_deserialize(&mut &info.try_borrow_data()?[..])?;
        let mut progress = QuorumProgress {
            next_index: verification.next_index,
            signers: verification.signers,
            signed_weight: verification.signed_weight,
        };
        let set = &ctx.accounts.attester_set;
        check_signatures(&verification.digest, &set.attesters, &set.weights, &args.signatures, &mut progress)?;
        verification.next_index = progress.next_index;
        verification.signers = progress.signers;
        verification.signed_weight = progress.signed_weight;
        emit(SignaturesPosted {
            verification: info.key(),
            digest: verification.digest,
            attester_set_id: args.attester_set_id,
            signatures: args.signatures.len() as u8,
            signed_weight: progress.signed_weight,
        });
        verification.try_serialize(&mut &mut info.try_borrow_mut_data()?[..])?;
        Ok(())
    }
}
