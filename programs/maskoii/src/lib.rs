//! maskoii on Solana / Koii K2: the gateway (outbox, inbox with receipts, recipient CPI), the attester sets
//! (quorum rotation with overlap, emergency rotation, equivocation) and chunked secp256k1 verification accounts.
//! The wire formats are docs/protocol.md's, byte for byte; docs/solana.md describes the accounts and instructions.
#![allow(unexpected_cfgs)]
#![allow(clippy::result_large_err)]

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod protocol;
pub mod seeds;
pub mod state;
pub mod utils;

pub use instructions::*;
pub use state::{
    AttesterSetAccount, AttesterSetArgs, Config, FeeVault, OutboxMessage, Receipt, RouteFee, Verification,
};

declare_id!("MaskoiiGateway11111111111111111111111111111");

#[program]
pub mod maskoii {
    use super::*;

    /// Creates the config, fee vault and attester set 1. See [`Initialize`].
    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        Initialize::handler(ctx, args)
    }

    /// Verifies a chunk of attester signatures into a verification account. See [`PostSignatures`].
    pub fn post_signatures(ctx: Context<PostSignatures>, args: PostSignaturesArgs) -> Result<()> {
        PostSignatures::handler(ctx, args)
    }

    /// Closes an unused verification account, refunding its payer. See [`CloseVerification`].
    pub fn close_verification(ctx: Context<CloseVerification>) -> Result<()> {
        CloseVerification::handler(ctx)
    }

    /// Delivers an attested message to its recipient program. See [`Deliver`].
    pub fn deliver<'info>(ctx: Context<'info, Deliver<'info>>, message_id: [u8; 32], message: Vec<u8>) -> Result<()> {
        Deliver::handler(ctx, message_id, message)
    }

    /// Sends a message to another domain. See [`SendMessage`] (not `Send`, which would shadow the marker trait).
    pub fn send(ctx: Context<SendMessage>, args: SendArgs) -> Result<()> {
        SendMessage::handler(ctx, args)
    }

    /// Rotates to the next attester set with a quorum of the current one. See [`RotateAttesterSet`].
    pub fn rotate_attester_set(ctx: Context<RotateAttesterSet>, args: AttesterSetArgs) -> Result<()> {
        RotateAttesterSet::handler(ctx, args)
    }

    /// Admin: proposes a timelocked emergency set. See [`ProposeEmergencyRotation`].
    pub fn propose_emergency_rotation(ctx: Context<ProposeEmergencyRotation>, args: AttesterSetArgs) -> Result<()> {
        ProposeEmergencyRotation::handler(ctx, args)
    }

    /// Anyone: executes the proposed emergency set after the timelock. See [`ExecuteEmergencyRotation`].
    pub fn execute_emergency_rotation(ctx: Context<ExecuteEmergencyRotation>, args: AttesterSetArgs) -> Result<()> {
        ExecuteEmergencyRotation::handler(ctx, args)
    }

    /// Admin: cancels the pending emergency set. See [`CancelEmergencyRotation`].
    pub fn cancel_emergency_rotation(ctx: Context<CancelEmergencyRotation>) -> Result<()> {
        CancelEmergencyRotation::handler(ctx)
    }

    /// Anyone: removes an equivocating attester from the live sets. See [`ReportEquivocation`].
    pub fn report_equivocation(ctx: Context<ReportEquivocation>, a: Evidence, b: Evidence) -> Result<()> {
        ReportEquivocation::handler(ctx, a, b)
    }

    /// Guardian: pauses or unpauses every outflow (docs/protocol.md §8.1). See [`SetPaused`].
    pub fn set_paused(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
        SetPaused::handler(ctx, paused)
    }

    /// Admin: replaces the guardian. See [`SetGuardian`].
    pub fn set_guardian(ctx: Context<SetGuardian>, guardian: Pubkey) -> Result<()> {
        SetGuardian::handler(ctx, guardian)
    }

    /// Admin: nominates the next admin. See [`TransferAdmin`].
    pub fn transfer_admin(ctx: Context<TransferAdmin>, new_admin: Pubkey) -> Result<()> {
        TransferAdmin::handler(ctx, new_admin)
    }

    /// Pending admin: accepts. See [`AcceptAdmin`].
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        AcceptAdmin::handler(ctx)
    }

    /// Admin: sets the fee of a destination (enabling it). See [`SetFee`].
    pub fn set_fee(ctx: Context<SetFee>, destination: u32, base_fee: u64, fee_per_byte: u64) -> Result<()> {
        SetFee::handler(ctx, destination, base_fee, fee_per_byte)
    }

    /// Admin: records a destination's chain family (0 unknown, 1 evm, 2 svm) for send-time recipient checks. See
    /// [`SetDestinationFamily`].
    pub fn set_destination_family(ctx: Context<SetDestinationFamily>, destination: u32, family: u8) -> Result<()> {
        SetDestinationFamily::handler(ctx, destination, family)
    }

    /// Admin: withdraws collected fees. See [`WithdrawFees`].
    pub fn withdraw_fees(ctx: Context<WithdrawFees>, amount: u64) -> Result<()> {
        WithdrawFees::handler(ctx, amount)
    }

    // ---- token bridge and claims (docs/solana.md, "Token bridge", "Claims") ----

    /// Admin: registers a local SPL mint in lock (0) or mint (1) mode. See [`TokenRegister`].
    pub fn token_register(ctx: Context<TokenRegister>, mode: u8, shared_decimals: u8) -> Result<()> {
        TokenRegister::handler(ctx, mode, shared_decimals)
    }

    /// Admin: sets the token bridge of a remote domain. See [`TokenSetRemoteBridge`].
    pub fn token_set_remote_bridge(ctx: Context<TokenSetRemoteBridge>, domain: u32, bridge: [u8; 32]) -> Result<()> {
        TokenSetRemoteBridge::handler(ctx, domain, bridge)
    }

    /// Admin: links a mint to its remote token on a domain. See [`TokenLink`].
    pub fn token_link(ctx: Context<TokenLink>, remote_domain: u32, remote_token: [u8; 32]) -> Result<()> {
        TokenLink::handler(ctx, remote_domain, remote_token)
    }

    /// Admin: sets a route's outbound and inbound buckets. See [`TokenSetRateLimits`].
    pub fn token_set_rate_limits(ctx: Context<TokenSetRateLimits>, args: RateLimitsArgs) -> Result<()> {
        TokenSetRateLimits::handler(ctx, args)
    }

    /// Sends tokens to another domain. See [`TokenTransferRemote`].
    pub fn token_transfer_remote(ctx: Context<TokenTransferRemote>, args: TransferRemoteArgs) -> Result<()> {
        TokenTransferRemote::handler(ctx, args)
    }

    /// Gateway only (CPI from `deliver`): receives a token-bridge message. See [`TokenHandle`].
    pub fn handle<'info>(
        ctx: Context<'info, TokenHandle<'info>>,
        origin: u32,
        sender: [u8; 32],
        payload: Vec<u8>,
    ) -> Result<()> {
        TokenHandle::handler(ctx, origin, sender, payload)
    }

    /// Anyone: releases a queued inbound transfer. See [`TokenReleaseQueued`].
    pub fn token_release_queued(ctx: Context<TokenReleaseQueued>) -> Result<()> {
        TokenReleaseQueued::handler(ctx)
    }

    /// Anyone: funds a distribution that waited for inbound capacity. See [`ClaimsFund`].
    pub fn claims_fund(ctx: Context<ClaimsFund>) -> Result<()> {
        ClaimsFund::handler(ctx)
    }

    /// Anyone: pays one leaf of a distribution to its claimant. See [`ClaimsClaim`].
    pub fn claims_claim(ctx: Context<ClaimsClaim>, args: ClaimArgs) -> Result<()> {
        ClaimsClaim::handler(ctx, args)
    }

    /// Admin or guardian: cancels a queued inbound transfer into a refund record (reason 1). See
    /// [`TokenCancelQueued`].
    pub fn token_cancel_queued(ctx: Context<TokenCancelQueued>) -> Result<()> {
        TokenCancelQueued::handler(ctx)
    }

    /// Anyone: pays a refundable outbound transfer back to its sender against a quorum-signed refund receipt. See
    /// [`TokenRefund`].
    pub fn token_refund(ctx: Context<TokenRefund>, receipt: Vec<u8>) -> Result<()> {
        TokenRefund::handler(ctx, receipt)
    }
}
