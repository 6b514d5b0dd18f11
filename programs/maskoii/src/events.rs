//! Events, named for what happened; the Solidity events of the same name carry the same fields.

use anchor_lang::prelude::*;

/// Logs `event` as one `sol_log_data` record, `discriminator ‖ borsh(event)`: the bytes `anchor_lang::emit!` logs,
/// which clients decode from `Program data: <base64>` log lines.
///
/// On chain (SBF) this is exactly `emit!`, the `sol_log_data` syscall. On the host anchor-lang 1.2 compiles its
/// `sol_log_data` to nothing, so a native build (the program tests, `local-rpc`) would never show an event; there the
/// record goes to solana-sysvar's syscall stubs instead, as `solana_program::log::sol_log_data` always did on the
/// host, and the test harness and `local-rpc` log it as `Program data: ...` like the SBF runtime. The program's
/// behaviour does not depend on which branch is compiled: logging has no effect on state.
pub fn emit<E: anchor_lang::Event>(event: E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

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

// ---- token bridge and claims ----

/// The admin registered `mint` (mode 0 lock, 1 mint).
#[event]
pub struct TokenRegistered {
    pub mint: Pubkey,
    pub mode: u8,
    pub local_decimals: u8,
    pub shared_decimals: u8,
}

/// The admin set the token bridge of `domain` (zero closes the route).
#[event]
pub struct RemoteBridgeSet {
    pub domain: u32,
    pub bridge: [u8; 32],
}

/// The admin linked `mint` to `remote_token` on `remote_domain` (zero unlinks).
#[event]
pub struct TokenLinked {
    pub mint: Pubkey,
    pub remote_domain: u32,
    pub remote_token: [u8; 32],
}

/// The admin set both buckets of a route, in shared units.
#[event]
pub struct RateLimitsSet {
    pub mint: Pubkey,
    pub remote_domain: u32,
    pub out_capacity: u64,
    pub out_refill_per_second: u64,
    pub in_capacity: u64,
    pub in_refill_per_second: u64,
}

/// A transfer left this chain: `amount` local units were taken from `from` (the dust stayed), `wire_amount` shared
/// units travel in message `message_id`.
#[event]
pub struct TransferSent {
    pub message_id: [u8; 32],
    pub mint: Pubkey,
    pub destination: u32,
    pub from: Pubkey,
    pub recipient: [u8; 32],
    pub amount: u64,
    pub wire_amount: u64,
}

/// An inbound transfer was credited (released or minted) to the `recipient` token account.
#[event]
pub struct TransferReceived {
    pub origin: u32,
    pub mint: Pubkey,
    pub recipient: Pubkey,
    pub amount: u64,
}

/// An inbound transfer exceeded the inbound bucket and waits in `queued_transfer`.
#[event]
pub struct TransferQueued {
    pub queued_transfer: Pubkey,
    pub seq: u64,
    pub origin: u32,
    pub mint: Pubkey,
    pub recipient: Pubkey,
    pub amount: u64,
}

/// A queued transfer was released to its recipient (a `TransferReceived` follows).
#[event]
pub struct QueuedTransferReleased {
    pub queued_transfer: Pubkey,
    pub seq: u64,
}

/// A payout root arrived; `funded` is false while the inbound bucket lacks capacity (`claims_fund` later).
#[event]
pub struct DistributionCreated {
    pub distribution: Pubkey,
    pub origin: u32,
    pub distribution_id: [u8; 32],
    pub mint: Pubkey,
    pub root: [u8; 32],
    pub total: u64,
    pub leaf_count: u32,
    pub funded: bool,
}

/// The vault of `distribution` received `amount` local units.
#[event]
pub struct DistributionFunded {
    pub distribution: Pubkey,
    pub amount: u64,
}

/// Leaf `index` of a distribution paid `amount` shared units (`local_amount` local units) to `claimant`'s
/// `token_account`.
#[event]
pub struct Claimed {
    pub distribution: Pubkey,
    pub distribution_id: [u8; 32],
    pub index: u32,
    pub claimant: Pubkey,
    pub token_account: Pubkey,
    pub amount: u64,
    pub local_amount: u64,
}

// ---- brakes, send-time checks and refunds (docs/protocol.md §8.1) ----

/// The admin set the chain family of a destination (0 unknown, 1 evm, 2 svm).
#[event]
pub struct DestinationFamilySet {
    pub destination: u32,
    pub family: u8,
}

/// The admin or guardian cancelled a queued transfer; a `TransferRefundable` (reason 1) follows.
#[event]
pub struct QueuedTransferCancelled {
    pub queued_transfer: Pubkey,
    pub seq: u64,
    pub by: Pubkey,
}

/// An inbound transfer will never be credited here (reason 1 cancelled, 2 invalid recipient, 3 amount overflow);
/// its refund record is `["refund_record", message_id]`.
#[event]
pub struct TransferRefundable {
    pub message_id: [u8; 32],
    pub origin: u32,
    pub nonce: u64,
    pub mint: Pubkey,
    pub wire_amount: u64,
    pub reason: u8,
}

/// An outbound transfer of this origin was paid back to `refund_to` (`amount` local units, into `token_account`).
#[event]
pub struct TransferRefunded {
    pub message_id: [u8; 32],
    pub mint: Pubkey,
    pub refund_to: Pubkey,
    pub token_account: Pubkey,
    pub amount: u64,
}
