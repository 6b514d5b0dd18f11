//! Every PDA seed of the program (docs/solana.md, "Accounts and PDA seeds"). Integers in seeds are little-endian.

/// `[CONFIG_SEED]`: the singleton [`crate::state::Config`] (domain, admin, guardian, pause flag, nonce counter).
pub const CONFIG_SEED: &[u8] = b"config";
/// `[ATTESTER_SET_SEED, set_id.to_le_bytes()]`: one [`crate::state::AttesterSetAccount`] per set id.
pub const ATTESTER_SET_SEED: &[u8] = b"attester_set";
/// `[VERIFICATION_SEED, payer, [kind], set_id.to_le_bytes(), value]`: a [`crate::state::Verification`] that
/// accumulates signatures over one digest; per payer so relayers cannot disturb each other's accounts.
pub const VERIFICATION_SEED: &[u8] = b"verification";
/// `[RECEIPT_SEED, origin.to_le_bytes(), nonce.to_le_bytes()]`: the [`crate::state::Receipt`] of a delivered message,
/// keyed by `(origin, nonce)` as the EVM delivered bitmap is (docs/protocol.md §8.1, "Exactly-once key"); its
/// existence is the replay guard, so a second message with the same pair (only an equivocating quorum can attest one)
/// is refused. The receipt stores the message id for status reads. Derive it with [`receipt_address`].
pub const RECEIPT_SEED: &[u8] = b"receipt";
/// `[OUTBOX_SEED, nonce.to_le_bytes()]`: an [`crate::state::OutboxMessage`] holding a sent message for attesters.
pub const OUTBOX_SEED: &[u8] = b"outbox";
/// `[ROUTE_FEE_SEED, destination.to_le_bytes()]`: the [`crate::state::RouteFee`] of a destination; a destination
/// without one is not enabled for `send`.
pub const ROUTE_FEE_SEED: &[u8] = b"route_fee";
/// `[FEE_VAULT_SEED]`: the [`crate::state::FeeVault`] that collects send fees in lamports.
pub const FEE_VAULT_SEED: &[u8] = b"fee_vault";
/// `[GATEWAY_AUTHORITY_SEED, recipient_program]`: a data-less PDA, one per recipient program, that signs the CPI into
/// that recipient's `handle`. A recipient checks that its first account is a signer at
/// `find_program_address(&[GATEWAY_AUTHORITY_SEED, own_program_id], maskoii::ID)`. Seeding it by the recipient matters:
/// signer privileges propagate through nested CPIs, so one authority shared by all recipients would let any recipient
/// (anyone can have a message delivered to their own program) call another recipient's `handle` with forged data.
pub const GATEWAY_AUTHORITY_SEED: &[u8] = b"gateway_authority";

// ---- token bridge and claims (docs/solana.md, "Token bridge", "Claims") ----

/// `[BRIDGE_AUTHORITY_SEED]`: a data-less PDA that owns every escrow and is the mint authority of every bridged mint.
pub const BRIDGE_AUTHORITY_SEED: &[u8] = b"bridge_authority";
/// `[TOKEN_CONFIG_SEED, mint]`: the [`crate::state::TokenConfig`] registering a mint.
pub const TOKEN_CONFIG_SEED: &[u8] = b"token_config";
/// `[ESCROW_SEED, mint]`: the SPL token account (owner: the bridge authority) holding a lock-mode mint's locked tokens.
pub const ESCROW_SEED: &[u8] = b"escrow";
/// `[REMOTE_BRIDGE_SEED, domain.to_le_bytes()]`: the [`crate::state::RemoteBridge`] of a domain.
pub const REMOTE_BRIDGE_SEED: &[u8] = b"remote_bridge";
/// `[TOKEN_ROUTE_SEED, mint, domain.to_le_bytes()]`: the [`crate::state::TokenRoute`] (link and buckets).
pub const TOKEN_ROUTE_SEED: &[u8] = b"token_route";
/// `[QUEUED_TRANSFER_SEED, route, seq.to_le_bytes()]`: a [`crate::state::QueuedTransfer`].
pub const QUEUED_TRANSFER_SEED: &[u8] = b"queued_transfer";
/// `[DISTRIBUTION_SEED, origin.to_le_bytes(), distribution_id]`: a [`crate::state::Distribution`].
pub const DISTRIBUTION_SEED: &[u8] = b"distribution";
/// `[CLAIMS_VAULT_SEED, distribution]`: the SPL token account (owner: the distribution PDA) paying its claims.
pub const CLAIMS_VAULT_SEED: &[u8] = b"claims_vault";
/// `[CLAIM_BITMAP_SEED, distribution]`: the [`crate::state::ClaimBitmap`] of a distribution.
pub const CLAIM_BITMAP_SEED: &[u8] = b"claim_bitmap";

/// `[REFUND_RECORD_SEED, message_id]`: the [`crate::state::RefundRecord`] of an inbound transfer this chain will never
/// credit (docs/protocol.md §8.1, "Refund records"): cancelled from the queue, or not creditable at delivery.
pub const REFUND_RECORD_SEED: &[u8] = b"refund_record";
/// `[REFUNDED_SEED, nonce.to_le_bytes()]`: the [`crate::state::RefundedNonce`] marking an outbound transfer of this
/// origin as refunded by `token_refund` (at most once per nonce, `AlreadyRefunded`).
pub const REFUNDED_SEED: &[u8] = b"refunded";

/// The receipt PDA of the message `(origin, nonce)` and its canonical bump: the one definition `deliver`, the token
/// bridge and the tests use.
pub fn receipt_address(origin: u32, nonce: u64) -> (anchor_lang::prelude::Pubkey, u8) {
    anchor_lang::prelude::Pubkey::find_program_address(
        &[RECEIPT_SEED, &origin.to_le_bytes(), &nonce.to_le_bytes()],
        &crate::ID,
    )
}

// ---- canonical bumps of the program's fixed PDAs ----
//
// `find_program_address` costs 1,500 CU per candidate bump on chain; `create_program_address` with a known bump costs
// one. The two data-less authorities on the delivery hot path have no account to store their bump in, and their
// seeds depend only on the program id, so their canonical bumps are constants here. `tests::fixed_bumps_are_canonical`
// fails if `declare_id!` changes without them: a deployment under another program id must update both.

/// Canonical bump of `[GATEWAY_AUTHORITY_SEED, crate::ID]`, the gateway authority of this program as a recipient
/// (token bridge and claims `handle`).
pub const SELF_GATEWAY_AUTHORITY_BUMP: u8 = 255;
/// Canonical bump of `[BRIDGE_AUTHORITY_SEED]`.
pub const BRIDGE_AUTHORITY_BUMP: u8 = 255;

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;

    #[test]
    fn fixed_bumps_are_canonical() {
        let (_, gateway) = Pubkey::find_program_address(&[GATEWAY_AUTHORITY_SEED, crate::ID.as_ref()], &crate::ID);
        assert_eq!(gateway, SELF_GATEWAY_AUTHORITY_BUMP, "update SELF_GATEWAY_AUTHORITY_BUMP for this program id");
        let (_, bridge) = Pubkey::find_program_address(&[BRIDGE_AUTHORITY_SEED], &crate::ID);
        assert_eq!(bridge, BRIDGE_AUTHORITY_BUMP, "update BRIDGE_AUTHORITY_BUMP for this program id");
    }
}
