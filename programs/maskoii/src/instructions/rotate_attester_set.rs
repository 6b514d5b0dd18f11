use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, AttesterSetRotated, EmergencyRotationCancelled};
use crate::instructions::token_common::create_pda_account;
use crate::protocol::attestation::AttestationKind;
use crate::protocol::{attester_set, signature};
use crate::seeds::*;
use crate::state::*;

/// Installs set `current + 1`, authorised by a verification account holding a quorum of the current set over
/// `AttesterSetRotation(localDomain, programId, current, hash(next))`. Anyone may submit it. The current set stays
/// valid for `overlap_window` seconds; the set before it expires now. Supersedes a pending emergency proposal.
#[derive(Accounts)]
#[instruction(args: AttesterSetArgs)]
pub struct RotateAttesterSet<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(
        mut,
        seeds = [ATTESTER_SET_SEED, &config.current_set_id.to_le_bytes()],
        bump = current_set.bump
    )]
    pub current_set: Account<'info, AttesterSetAccount>,
    /// Set `current − 1`; required once it exists, so that it can be expired now.
    #[account(
        mut,
        seeds = [ATTESTER_SET_SEED, &config.current_set_id.saturating_sub(1).to_le_bytes()],
        bump = previous_set.bump
    )]
    pub previous_set: Option<Account<'info, AttesterSetAccount>>,
    /// CHECK: the `AttesterSetAccount` PDA of set `current + 1`, created by `store_new_set` (pre-funding-safe: with
    /// Anchor's `init`, one lamport sent to this predictable address would block every rotation).
    #[account(mut, seeds = [ATTESTER_SET_SEED, &(config.current_set_id + 1).to_le_bytes()], bump)]
    pub next_set: UncheckedAccount<'info>,
    #[account(mut, close = verification_payer)]
    pub verification: Account<'info, Verification>,
    /// CHECK: must be the verification account's payer, which receives its rent.
    #[account(mut, address = verification.payer)]
    pub verification_payer: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl RotateAttesterSet<'_> {
    /// Set rules, previous-set presence and the rotation quorum; returns the next set's total weight and hash.
    pub fn validate(&self, args: &AttesterSetArgs) -> Result<(u128, [u8; 32])> {
        let current = self.config.current_set_id;
        let next = current + 1;
        let total = attester_set::validate(next, args.threshold_bps, &args.attesters, &args.weights)?;
        require!(current == 1 || self.previous_set.is_some(), MaskoiiError::PreviousSetRequired);
        let verification = &self.verification;
        require!(verification.kind == AttestationKind::Rotation, MaskoiiError::VerificationKindMismatch);
        // Only the current set may rotate: a set in its overlap window must not fork the succession.
        require!(verification.attester_set_id == current, MaskoiiError::RotationNotByCurrentSet);
        let set_hash = attester_set::hash(next, args.threshold_bps, &args.attesters, &args.weights);
        require!(verification.value == set_hash, MaskoiiError::VerificationValueMismatch);
        let set = &self.current_set;
        let signed = signature::weight_of(&verification.signers, &set.weights);
        require!(
            attester_set::meets_threshold(signed, set.total_weight, set.threshold_bps),
            MaskoiiError::InsufficientWeight
        );
        Ok((total, set_hash))
    }

    pub fn handler(ctx: Context<RotateAttesterSet>, args: AttesterSetArgs) -> Result<()> {
        let (total, set_hash) = ctx.accounts.validate(&args)?;
        let now = Clock::get()?.unix_timestamp;
        let previous_expires_at = now + i64::from(ctx.accounts.config.overlap_window);
        let accounts = &mut *ctx.accounts;
        let mut next = AttesterSetAccount::empty();
        install_next(
            &mut accounts.config,
            &mut accounts.current_set,
            accounts.previous_set.as_deref_mut(),
            &mut next,
            &args,
            total,
            ctx.bumps.next_set,
            previous_expires_at,
            now,
        );
        store_new_set(
            &accounts.payer.to_account_info(),
            &accounts.next_set,
            &accounts.system_program.to_account_info(),
            &next,
        )?;
        emit(AttesterSetRotated {
            set_id: accounts.config.current_set_id,
            set_hash,
            previous_set_expires_at: previous_expires_at,
        });
        Ok(())
    }
}

/// Makes `next` current: `current` expires at `current_expires_at`, the one before it (if still live) now; clears a
/// pending emergency proposal (emitting its cancellation).
#[allow(clippy::too_many_arguments)]
pub(crate) fn install_next(
    config: &mut Config,
    current: &mut AttesterSetAccount,
    previous: Option<&mut AttesterSetAccount>,
    next: &mut AttesterSetAccount,
    args: &AttesterSetArgs,
    total: u128,
    bump: u8,
    current_expires_at: i64,
    now: i64,
) {
    current.expires_at = current_expires_at;
    if let Some(previous) = previous {
        if previous.is_live(now) {
            previous.expires_at = now;
        }
    }
    let next_id = config.current_set_id + 1;
    config.current_set_id = next_id;
    next.install(next_id, args, total, bump);
    if config.emergency_set_hash != [0u8; 32] {
        emit(EmergencyRotationCancelled { set_hash: config.emergency_set_hash });
        config.emergency_set_hash = [0u8; 32];
        config.emergency_executable_at = 0;
    }
}

/// Creates the account of a newly installed set at its PDA (`create_pda_account`: top-up, allocate, assign when
/// someone pre-funded the predictable address) and writes it.
pub(crate) fn store_new_set<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    set: &AttesterSetAccount,
) -> Result<()> {
    create_pda_account(
        payer,
        target,
        system,
        AttesterSetAccount::space(set.attesters.len()),
        &crate::ID,
        &[ATTESTER_SET_SEED, &set.set_id.to_le_bytes(), &[set.bump]],
    )?;
    set.try_serialize(&mut &mut target.try_borrow_mut_data()?[..])
}
