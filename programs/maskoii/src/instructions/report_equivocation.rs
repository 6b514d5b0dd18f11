use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, AttesterSlashed};
use crate::protocol::attestation::{self, BATCH_TYPEHASH, MESSAGE_TYPEHASH};
use crate::protocol::{merkle, message, signature};
use crate::seeds::*;
use crate::state::*;

/// Equivocation evidence for one of two conflicting messages (spec §6).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct Evidence {
    /// The whole encoded message.
    pub message: Vec<u8>,
    /// The `verifier` the signature was made for (the destination gateway, 32 bytes).
    pub verifier: [u8; 32],
    /// The `attesterSetId` the signature was made for.
    pub attester_set_id: u64,
    /// Zero for a MessageAttestation signature, else the BatchAttestation root.
    pub root: [u8; 32],
    /// Empty for a MessageAttestation signature, else the proof of the message id under `root`.
    pub proof: Vec<[u8; 32]>,
    /// `r ‖ s ‖ v`.
    pub signature: [u8; 65],
}

impl Evidence {
    /// The digest this evidence's signature was made over (domain = the message's destination).
    pub fn digest(&self, message_id: &[u8; 32], destination: u32) -> Result<[u8; 32]> {
        if self.root == [0u8; 32] && self.proof.is_empty() {
            return Ok(attestation::digest(
                &MESSAGE_TYPEHASH,
                destination,
                &self.verifier,
                self.attester_set_id,
                message_id,
            ));
        }
        require!(merkle::root_of(message_id, &self.proof) == self.root, MaskoiiError::InvalidMerkleProof);
        Ok(attestation::digest(&BATCH_TYPEHASH, destination, &self.verifier, self.attester_set_id, &self.root))
    }

    /// The address that signed it.
    pub fn signer(&self, digest: &[u8; 32]) -> Result<[u8; 20]> {
        let r: [u8; 32] = self.signature[..32].try_into().unwrap();
        let s: [u8; 32] = self.signature[32..64].try_into().unwrap();
        Ok(signature::recover(digest, &r, &s, self.signature[64])?)
    }
}

/// Removes an attester that signed two different messages with one `(originDomain, nonce)` from every live set
/// containing it (the current set and, during its overlap window, the previous one). Anyone may submit it.
#[derive(Accounts)]
pub struct ReportEquivocation<'info> {
    pub reporter: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(
        mut,
        seeds = [ATTESTER_SET_SEED, &config.current_set_id.to_le_bytes()],
        bump = current_set.bump
    )]
    pub current_set: Account<'info, AttesterSetAccount>,
    /// Set `current − 1`; required once it exists.
    #[account(
        mut,
        seeds = [ATTESTER_SET_SEED, &config.current_set_id.saturating_sub(1).to_le_bytes()],
        bump = previous_set.bump
    )]
    pub previous_set: Option<Account<'info, AttesterSetAccount>>,
}

impl ReportEquivocation<'_> {
    /// Returns the signer, both message ids and both digests.
    pub fn validate(&self, a: &Evidence, b: &Evidence) -> Result<([u8; 20], [u8; 32], [u8; 32], [u8; 32], [u8; 32])> {
        require!(self.config.current_set_id == 1 || self.previous_set.is_some(), MaskoiiError::PreviousSetRequired);
        let ma = message::decode(&a.message)?;
        let mb = message::decode(&b.message)?;
        let id_a = message::id(&a.message);
        let id_b = message::id(&b.message);
        require!(
            id_a != id_b && ma.origin_domain == mb.origin_domain && ma.nonce == mb.nonce,
            MaskoiiError::NotConflicting
        );
        let digest_a = a.digest(&id_a, ma.destination_domain)?;
        let digest_b = b.digest(&id_b, mb.destination_domain)?;
        let signer = a.signer(&digest_a)?;
        let signer_b = b.signer(&digest_b)?;
        require!(signer == signer_b, MaskoiiError::DifferentSigners);
        Ok((signer, id_a, id_b, digest_a, digest_b))
    }

    pub fn handler(ctx: Context<ReportEquivocation>, a: Evidence, b: Evidence) -> Result<()> {
        let (signer, id_a, id_b, digest_a, digest_b) = ctx.accounts.validate(&a, &b)?;
        let now = Clock::get()?.unix_timestamp;
        let mut removed = ctx.accounts.current_set.remove_member(&signer);
        if let Some(previous) = ctx.accounts.previous_set.as_deref_mut() {
            if previous.is_live(now) && previous.remove_member(&signer) {
                removed = true;
            }
        }
        require!(removed, MaskoiiError::NotAnAttester);
        emit(AttesterSlashed { attester: signer, message_id_a: id_a, message_id_b: id_b, digest_a, digest_b });
        Ok(())
    }
}
