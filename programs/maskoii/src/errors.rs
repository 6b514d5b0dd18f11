//! Every failure of the program, one variant each, named for what is wrong. Names shared with the Solidity
//! contracts (`AttesterSet.sol`, `Gateway.sol`, `Message.sol`, `SignatureLib.sol`, `TokenMessage.sol`,
//! `Amounts.sol`, `TokenBridge.sol`) and with `test/vectors/protocol.json` are spelled identically. Anchor numbers
//! them from 6000 in declaration order: append new variants at the end so existing codes never change.
//!
//! There is one enum for the whole program, gateway, token bridge and claims alike: the anchor CLI's IDL step refuses
//! a program with more than one `#[error_code]` ("Multiple error definitions are not allowed.").

use anchor_lang::prelude::*;

#[error_code]
#[derive(PartialEq, Eq)]
pub enum MaskoiiError {
    // ---- messages (spec §2) ----
    #[msg("message is shorter than the 81-byte header")]
    MessageTooShort,
    #[msg("message payload is longer than 4096 bytes")]
    PayloadTooLong,
    #[msg("message version is not 1")]
    UnsupportedVersion,

    // ---- attester sets (spec §4) ----
    #[msg("attester set id must not be 0")]
    InvalidSetId,
    #[msg("attester set has no members")]
    EmptyAttesterSet,
    #[msg("attester set has more than 128 members")]
    TooManyAttesters,
    #[msg("attesters and weights have different lengths")]
    AttesterWeightsLengthMismatch,
    #[msg("attester set contains the zero address")]
    ZeroAddressAttester,
    #[msg("attesters are not sorted strictly ascending (unsorted or duplicate)")]
    AttestersNotSorted,
    #[msg("an attester has weight 0")]
    ZeroAttesterWeight,
    #[msg("total attester weight exceeds uint96")]
    TotalWeightOverflow,
    #[msg("threshold is outside [5001, 10000] basis points")]
    InvalidThreshold,

    // ---- attestations (spec §3, §4) ----
    #[msg("attestation length is not 8 + 66k")]
    MalformedAttestation,
    #[msg("attestation carries no signatures")]
    NoSignatures,
    #[msg("attester set has expired")]
    AttesterSetExpired,
    #[msg("signer index repeats the previous one")]
    DuplicateSigner,
    #[msg("signer index is below the previous one")]
    SignersOutOfOrder,
    #[msg("signer index is past the end of the set or the signature is not from the member at that index")]
    UnknownSigner,
    #[msg("signer was removed from the set for equivocation")]
    SignerRemoved,
    #[msg("signed weight is below the set's threshold")]
    InsufficientWeight,
    #[msg("signature v is neither 27 nor 28")]
    InvalidSignatureV,
    #[msg("signature s is in the upper half of the curve order (malleable)")]
    SignatureMalleable,
    #[msg("signature does not recover to any address")]
    ZeroAddressSigner,

    // ---- rotation (spec §4) ----
    #[msg("rotation attestation is not by the current attester set")]
    RotationNotByCurrentSet,
    #[msg("emergency delay is shorter than 2 days")]
    EmergencyDelayTooShort,
    #[msg("no emergency rotation is pending")]
    NoEmergencyRotation,
    #[msg("the pending emergency rotation's timelock has not passed")]
    EmergencyRotationNotReady,
    #[msg("submitted set is not the proposed emergency set")]
    EmergencyRotationMismatch,
    #[msg("the previous attester set is still live and must be passed")]
    PreviousSetRequired,

    // ---- equivocation (spec §6) ----
    #[msg("the two messages do not share (originDomain, nonce) or are the same message")]
    NotConflicting,
    #[msg("Merkle proof does not lead from the message id to the evidence root")]
    InvalidMerkleProof,
    #[msg("the two signatures recover to different addresses")]
    DifferentSigners,
    #[msg("equivocating signer is not a counted member of any live set")]
    NotAnAttester,

    // ---- verification accounts ----
    #[msg("verification account attests another kind (message, batch or rotation)")]
    VerificationKindMismatch,
    #[msg("verification account attests another value")]
    VerificationValueMismatch,

    // ---- gateway (spec §7) ----
    #[msg("local domain must not be 0")]
    InvalidLocalDomain,
    #[msg("destination is 0 or this domain")]
    InvalidDestination,
    #[msg("fee is above the caller's maximum")]
    FeeExceedsMaximum,
    #[msg("message is addressed to another domain")]
    WrongDestination,
    #[msg("message id argument is not keccak256 of the message")]
    MessageIdMismatch,
    #[msg("recipient program account is not the message's recipient")]
    RecipientMismatch,
    #[msg("recipient is not an executable program")]
    RecipientNotExecutable,
    #[msg("recipient is zero (for deliver: the zero key is the system program, not a recipient program)")]
    InvalidRecipient,
    #[msg("gateway is paused")]
    Paused,
    #[msg("signer is not the guardian")]
    NotGuardian,
    #[msg("signer is not the admin")]
    NotAdmin,
    #[msg("signer is not the pending admin")]
    NotPendingAdmin,
    #[msg("withdrawal would take the fee vault below its rent-exempt minimum")]
    InsufficientFeeBalance,

    // ---- token payload and amounts (spec §8; used by the token bridge) ----
    #[msg("transfer payload is not 73 bytes")]
    TokenMessageInvalidLength,
    #[msg("payload kind is neither 1 (transfer) nor, for the token bridge, 2 (distribution)")]
    TokenMessageUnknownKind,
    #[msg("amount is below one shared-decimals unit")]
    AmountTooSmall,
    #[msg("wire amount does not fit uint64")]
    AmountExceedsWireLimit,
    #[msg("shared decimals exceed local decimals")]
    InvalidDecimals,

    // ---- deployment ----
    #[msg("initialize must be signed by the program's upgrade authority")]
    NotUpgradeAuthority,

    // ---- token bridge and claims (docs/solana.md, "Token bridge" and "Claims") ----
    // (test_every_token_bridge_error_is_asserted checks every variant from here to the end of the enum)

    // registration and configuration
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
    #[msg("mint mode needs a mint with zero supply: tokens minted before the bridge took over would be unbacked")]
    MintSupplyNotZero,

    // outbound
    #[msg("no remote bridge is set for the destination")]
    UnknownRoute,
    #[msg("the token has no remote token on that domain")]
    TokenNotLinked,
    #[msg("the route's rate-limit bucket holds less than requested")]
    RateLimitExceeded,
    #[msg("source token account is not owned by the sender")]
    SourceOwnerMismatch,

    // inbound
    #[msg("the message sender is not the token bridge registered for the origin domain")]
    UnknownRemoteBridge,
    #[msg("the mint account is not the payload's token")]
    MintMismatch,
    #[msg("the recipient token account is not the payload's (or the queued transfer's) recipient")]
    RecipientTokenAccountMismatch,
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

    // claims
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

    // ---- appended after the token bridge ----
    #[msg("message was already delivered: its receipt account exists")]
    AlreadyDelivered,
    #[msg("a distribution with this id from this origin already exists (ids are single-use per origin)")]
    DistributionAlreadyExists,
    #[msg("the program is already initialized: its config, fee vault or attester set 1 exists")]
    AlreadyInitialized,
    #[msg("mint is already registered: its token config exists")]
    TokenAlreadyRegistered,

    // ---- brakes, send-time checks and refunds (docs/protocol.md §8.1) ----
    #[msg("refund receipt is not 121 bytes")]
    RefundReceiptInvalidLength,
    #[msg("refund receipt version is not 1")]
    RefundReceiptUnknownVersion,
    #[msg("the transfer of this origin nonce was already refunded")]
    AlreadyRefunded,
    #[msg("the refund receipt's origin is not this domain")]
    WrongRefundOrigin,
    #[msg("the refund receipt's token is not a mint registered here")]
    TokenNotRegistered,
    #[msg("the refund token account is not a token account of the mint owned by the receipt's refundTo")]
    RefundAccountMismatch,
    #[msg("signer is neither the admin nor the guardian")]
    NotAdminOrGuardian,
    #[msg("the refund record account is not the message's refund record PDA, or it exists already")]
    RefundRecordMismatch,
    #[msg("destination family is neither 0 (unknown), 1 (evm) nor 2 (svm)")]
    InvalidFamily,
    #[msg("the receipt account passed to the token bridge is not the receipt of the message being delivered")]
    ReceiptMismatch,
}
