//! Events, named for what happened; the Solidity events of the same name carry the same fields.

use anchor_lang::prelude::*;

/// A message was sent; `message` is the whole encoding (spec §2) the attesters sign.
#[event]
pub struct MessageSent {
    pub message_id: [u8; 32],
    pub destination: u32,
    pub nonce: u64,
    pub message: Vec<u8>,
}

/// A message was delivered and its recipient's `handle` succeeded.
#[event]
pub struct MessageDelivered {
    pub message_id: [u8; 32],
    pub origin: u32,
    pub nonce: u64,
}

/// A chunk of signatures was verified and added to a verification account.
#[event]
pub struct SignaturesPosted {
    pub verification: Pubkey,
    pub digest: [u8; 32],
    pub attester_set_id: u64,
    pub signatures: u8,
    pub signed_weight: u128,
}

/// Set `set_id` became current; the previous set expires at `previous_set_expires_at` (0 for the first set).
#[event]
pub struct AttesterSetRotated {
    pub set_id: u64,
    pub set_hash: [u8; 32],
    pub previous_set_expires_at: i64,
}

/// The admin proposed emergency set `set_id`, executable by anyone from `executable_at`.
#[event]
pub struct EmergencyRotationProposed {
    pub set_id: u64,
    pub set_hash: [u8; 32],
    pub executable_at: i64,
}

/// The pending emergency proposal was cancelled by the admin or superseded by a rotation.
#[event]
pub struct EmergencyRotationCancelled {
    pub set_hash: [u8; 32],
}

/// `attester` was removed from every live set for signing two conflicting messages.
#[event]
pub struct AttesterSlashed {
    pub attester: [u8; 20],
    pub message_id_a: [u8; 32],
    pub message_id_b: [u8; 32],
    pub digest_a: [u8; 32],
    pub digest_b: [u8; 32],
}

/// The guardian paused or unpaused the gateway.
#[event]
pub struct PausedSet {
    pub paused: bool,
}

/// The admin replaced the guardian.
#[event]
pub struct GuardianChanged {
    pub previous: Pubkey,
    pub guardian: Pubkey,
}

/// The admin nominated `pending_admin` (step one of two).
#[event]
pub struct AdminTransferStarted {
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
}

/// The pending admin accepted (step two of two).
#[event]
pub struct AdminTransferred {
    pub previous: Pubkey,
    pub admin: Pubkey,
}

/// The admin set the fee of a destination.
#[event]
pub struct FeeSet {
    pub destination: u32,
    pub base_fee: u64,
    pub fee_per_byte: u64,
}

/// The admin withdrew collected fees.
#[event]
pub struct FeesWithdrawn {
    pub to: Pubkey,
    pub amount: u64,
}
