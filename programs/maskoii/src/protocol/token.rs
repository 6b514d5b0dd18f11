//! Token transfer payload and decimal normalisation (docs/protocol.md §8). Pure functions only; the token-bridge
//! instructions build on them.

use crate::errors::MaskoiiError;

/// Payload kind of a token transfer.
pub const KIND_TRANSFER: u8 = 1;
/// Byte length of a token transfer payload.
pub const TOKEN_MESSAGE_LENGTH: usize = 105;

/// A decoded token transfer payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenMessage {
    /// The token on the origin chain (EVM address left-padded, or SPL mint).
    pub token: [u8; 32],
    /// The recipient on the destination.
    pub recipient: [u8; 32],
    /// Amount in the route's shared decimals.
    pub amount: u64,
    /// The origin-side sender.
    pub from: [u8; 32],
}

/// `kind ‖ token ‖ recipient ‖ uint64 amount ‖ from`.
pub fn encode(token: &[u8; 32], recipient: &[u8; 32], amount: u64, from: &[u8; 32]) -> [u8; TOKEN_MESSAGE_LENGTH] {
    let mut out = [0u8; TOKEN_MESSAGE_LENGTH];
    out[0] = KIND_TRANSFER;
    out[1..33].copy_from_slice(token);
    out[33..65].copy_from_slice(recipient);
    out[65..73].copy_from_slice(&amount.to_be_bytes());
    out[73..105].copy_from_slice(from);
    out
}

/// Decodes a token transfer payload: exactly 105 bytes, kind 1.
pub fn decode(payload: &[u8]) -> Result<TokenMessage, MaskoiiError> {
    if payload.len() != TOKEN_MESSAGE_LENGTH {
        return Err(MaskoiiError::TokenMessageInvalidLength);
    }
    if payload[0] != KIND_TRANSFER {
        return Err(MaskoiiError::TokenMessageUnknownKind);
    }
    Ok(TokenMessage {
        token: payload[1..33].try_into().unwrap(),
        recipient: payload[33..65].try_into().unwrap(),
        amount: u64::from_be_bytes(payload[65..73].try_into().unwrap()),
        from: payload[73..105].try_into().unwrap(),
    })
}

/// `10^(local − shared)`; `InvalidDecimals` if `shared > local` or the factor does not fit `u128`.
pub fn scale(local_decimals: u8, shared_decimals: u8) -> Result<u128, MaskoiiError> {
    if shared_decimals > local_decimals {
        return Err(MaskoiiError::InvalidDecimals);
    }
    10u128.checked_pow(u32::from(local_decimals - shared_decimals)).ok_or(MaskoiiError::InvalidDecimals)
}

/// Local units → wire units: `wire = floor(amount / 10^(L−S))`, `dust = amount − wire × 10^(L−S)`. The wire amount
/// must be non-zero and fit `u64`. (SPL amounts are `u64`; `u128` here also covers every 18-decimal vector.)
pub fn to_shared(amount: u128, local_decimals: u8, shared_decimals: u8) -> Result<(u64, u128), MaskoiiError> {
    let factor = scale(local_decimals, shared_decimals)?;
    let wire = amount / factor;
    if wire == 0 {
        return Err(MaskoiiError::AmountTooSmall);
    }
    let wire64 = u64::try_from(wire).map_err(|_| MaskoiiError::AmountExceedsWireLimit)?;
    Ok((wire64, amount - wire * factor))
}

/// Wire units → local units: `wire × 10^(L−S)`.
pub fn to_local(wire: u64, local_decimals: u8, shared_decimals: u8) -> Result<u128, MaskoiiError> {
    let factor = scale(local_decimals, shared_decimals)?;
    u128::from(wire).checked_mul(factor).ok_or(MaskoiiError::AmountExceedsWireLimit)
}
