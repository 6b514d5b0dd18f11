use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::protocol::attestation::AttestationKind;
use crate::protocol::{attester_set, signature};
use crate::state::{AttesterSetAccount, Verification};

/// The checks before a verification account is consumed (`deliver`, `token_refund`): it attests `kind` over `value`,
/// its set is live, and the weight of its signers, recounted against the set's current weights (a signer removed for
/// equivocation after posting no longer counts), meets the threshold.
pub fn check_quorum(
    verification: &Verification,
    set: &AttesterSetAccount,
    kind: AttestationKind,
    value: &[u8; 32],
) -> Result<()> {
    require!(verification.kind == kind, MaskoiiError::VerificationKindMismatch);
    require!(verification.value == *value, MaskoiiError::VerificationValueMismatch);
    require!(set.is_live(Clock::get()?.unix_timestamp), MaskoiiError::AttesterSetExpired);
    let signed = signature::weight_of(&verification.signers, &set.weights);
    require!(
        attester_set::meets_threshold(signed, set.total_weight, set.threshold_bps),
        MaskoiiError::InsufficientWeight
    );
    Ok(())
}
