use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::SignaturesPosted;
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
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Verification::INIT_SPACE,
        seeds = [
            VERIFICATION_SEED,
            payer.key().as_ref(),
            &[args.kind as u8],
            &args.attester_set_id.to_le_bytes(),
            &args.value
        ],
        bump
    )]
    pub verification: Account<'info, Verification>,
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
        let verification = &mut ctx.accounts.verification;
        if verification.payer == Pubkey::default() {
            // First chunk: the account was just created by `init_if_needed`.
            verification.payer = ctx.accounts.payer.key();
            verification.kind = args.kind;
            verification.attester_set_id = args.attester_set_id;
            verification.value = args.value;
            verification.digest = attestation::digest(
                &args.kind.type_hash(),
                local_domain,
                &program_id.to_bytes(),
                args.attester_set_id,
                &args.value,
            );
            verification.bump = ctx.bumps.verification;
        }
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
        emit!(SignaturesPosted {
            verification: verification.key(),
            digest: verification.digest,
            attester_set_id: args.attester_set_id,
            signatures: args.signatures.len() as u8,
            signed_weight: progress.signed_weight,
        });
        Ok(())
    }
}
