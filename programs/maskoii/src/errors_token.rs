//! Failures of the token bridge and the claims vault (docs/solana.md, "Token bridge" and "Claims"), one variant each,
//! numbered from 7000 so that they never collide with [`crate::errors::MaskoiiError`] (6000…). Names shared with
//! `TokenBridge.sol` are spelled identically. Append new variants at the end so existing codes never change.

use anchor_lang::prelude::*;

#[error_code(offset = 7000)]
#[derive(PartialEq, Eq)]
pub enum TokenBridgeError {
    // ---- registration and configuration ----
    #[msg("mint is owned by the Token-2022 program: transfer fees and hooks would break the bridge's accounting")]
    Token2022Unsupported,
    #[msg("mint account is not an initialised mint of the SPL Token program")]
    InvalidMint,
    #[msg("mode is neither 0 (lock) nor 1 (mint)")]
    InvalidMode,
    #[msg("mint mode needs the bridge authority PDA as the mint's mint authority")]
    MintAuthorityNotBridge,
    #[msg("mint mode needs the mint's freeze authority to be unset or the bridge authority PDA")]
    ForeignFreezeAuthority,
    #[msg("domain is 0 or this chain's own domain")]
    InvalidDomain,

    // ---- outbound ----
    #[msg("no remote bridge is set for the destination")]
    UnknownRoute,
    #[msg("the token has no remote token on that domain")]
    TokenNotLinked,
    #[msg("recipient is zero")]
    InvalidRecipient,
    #[msg("the route's rate-limit bucket holds less than requested")]
    RateLimitExceeded,
    #[msg("source token account is not owned by the sender")]
    SourceOwnerMismatch,

    // ---- inbound ----
    #[msg("the message sender is not the token bridge registered for the origin domain")]
    UnknownRemoteBridge,
    #[msg("transfer payload is not 73 bytes")]
    TokenMessageInvalidLength,
    #[msg("payload kind is neither 1 (transfer) nor 2 (distribution)")]
    TokenMessageUnknownKind,
    #[msg("the mint account is not the payload's token")]
    MintMismatch,
    #[msg("the recipient token account is not the payload's recipient")]
    RecipientMismatch,
    #[msg("token account holds another mint")]
    TokenAccountMintMismatch,
    #[msg("lock-mode token needs its escrow account")]
    EscrowRequired,
    #[msg("the queue entry account is not the route's next queue PDA")]
    QueueAccountMismatch,
    #[msg("amount in local units does not fit u64")]
    LocalAmountOverflow,
    #[msg("rent receiver is not the account that paid the rent")]
    RentReceiverMismatch,

    // ---- claims ----
    #[msg("distribution payload is not 109 bytes")]
    DistributionMessageInvalidLength,
    #[msg("leaf count is 0 or above the maximum")]
    InvalidLeafCount,
    #[msg("distribution is not funded yet (inbound rate limit): fund it first")]
    DistributionNotFunded,
    #[msg("distribution is already funded")]
    DistributionAlreadyFunded,
    #[msg("leaf index is not below the distribution's leaf count")]
    ClaimIndexOutOfRange,
    #[msg("leaf was already claimed")]
    AlreadyClaimed,
    #[msg("Merkle proof does not lead from the leaf to the distribution root")]
    InvalidClaimProof,
    #[msg("claim exceeds what the distribution has left")]
    ClaimExceedsFunding,
    #[msg("claimant token account is not owned by the claimant")]
    ClaimantMismatch,

    // ---- appended ----
    #[msg("mint mode needs a mint with zero supply: tokens minted before the bridge took over would be unbacked")]
    MintSupplyNotZero,
}
