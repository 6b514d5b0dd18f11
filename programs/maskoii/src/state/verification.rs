use anchor_lang::prelude::*;

use crate::protocol::attestation::AttestationKind;

/// Signatures over one digest, verified as they are posted in chunks (seeds
/// `[VERIFICATION_SEED, payer, [kind], attester_set_id.to_le_bytes(), value]`). `deliver` and
/// `rotate_attester_set` consume it once it holds a quorum and close it, refunding the rent to `payer`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Verification {
    /// Who paid the rent and receives it back on close.
    pub payer: Pubkey,
    /// What is attested (selects the EIP-712 type).
    pub kind: AttestationKind,
    /// The set whose members sign.
    pub attester_set_id: u64,
    /// The attested value: a message id, a batch root or the next set's hash.
    pub value: [u8; 32],
    /// The EIP-712 digest the signatures are over (domain = local, verifier = this program id).
    pub digest: [u8; 32],
    /// Lowest signer index the next posted signature may carry.
    pub next_index: u16,
    /// Bit `i` set when member `i` has signed.
    pub signers: [u8; 16],
    /// Weight signed so far, at posting time (consumers recount from `signers` against the current weights).
    pub signed_weight: u128,
    /// Bump of this PDA.
    pub bump: u8,
}
