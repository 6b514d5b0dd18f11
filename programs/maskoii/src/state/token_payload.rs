//! Token-bridge payloads (docs/protocol.md §8 and docs/solana.md, "Payloads"). Every payload starts with a kind
//! byte; the token bridge accepts:
//!
//! * kind 1, transfer (73 bytes): `uint8 kind=1 ‖ bytes32 token ‖ bytes32 recipient ‖ uint64 amount`, where `token`
//!   is the token on the DESTINATION (the origin bridge resolves it from its link table) and `amount` is in shared
//!   decimals. On Solana the recipient is an SPL token account of that mint.
//! * kind 2, distribution (109 bytes): `uint8 kind=2 ‖ bytes32 root ‖ bytes32 mint ‖ uint64 total ‖
//!   uint32 leafCount ‖ bytes32 distributionId`, a payout Merkle root whose `total` (shared decimals) funds a
//!   claims vault of `mint` (the destination-side token).

use crate::errors_token::TokenBridgeError;

/// Payload kind of a token transfer.
pub const KIND_TRANSFER: u8 = 1;
/// Payload kind of a claims distribution.
pub const KIND_DISTRIBUTION: u8 = 2;
/// Byte length of a transfer payload.
pub const TRANSFER_LENGTH: usize = 73;
/// Byte length of a distribution payload.
pub const DISTRIBUTION_LENGTH: usize = 109;

/// A decoded transfer payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferPayload {
    /// The token on the destination chain.
    pub token: [u8; 32],
    /// The recipient on the destination chain.
    pub recipient: [u8; 32],
    /// Amount in shared decimals.
    pub amount: u64,
}

/// A decoded distribution payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistributionPayload {
    /// Root of the sorted-pair Merkle tree over the salted claim leaves.
    pub root: [u8; 32],
    /// The destination-side mint paid out.
    pub mint: [u8; 32],
    /// Total funded, in shared decimals.
    pub total: u64,
    /// Number of leaves (claims).
    pub leaf_count: u32,
    /// Identifier chosen by the origin, unique per origin domain.
    pub distribution_id: [u8; 32],
}

/// `kind=1 ‖ token ‖ recipient ‖ uint64 amount`.
pub fn encode_transfer(token: &[u8; 32], recipient: &[u8; 32], amount: u64) -> [u8; TRANSFER_LENGTH] {
    let mut out = [0u8; TRANSFER_LENGTH];
    out[0] = KIND_TRANSFER;
    out[1..33].copy_from_slice(token);
    out[33..65].copy_from_slice(recipient);
    out[65..73].copy_from_slice(&amount.to_be_bytes());
    out
}

/// Decodes a transfer payload: exactly 73 bytes of kind 1.
pub fn decode_transfer(payload: &[u8]) -> Result<TransferPayload, TokenBridgeError> {
    if payload.len() != TRANSFER_LENGTH {
        return Err(TokenBridgeError::TokenMessageInvalidLength);
    }
    if payload[0] != KIND_TRANSFER {
        return Err(TokenBridgeError::TokenMessageUnknownKind);
    }
    Ok(TransferPayload {
        token: payload[1..33].try_into().unwrap(),
        recipient: payload[33..65].try_into().unwrap(),
        amount: u64::from_be_bytes(payload[65..73].try_into().unwrap()),
    })
}

/// `kind=2 ‖ root ‖ mint ‖ uint64 total ‖ uint32 leafCount ‖ distributionId`.
pub fn encode_distribution(p: &DistributionPayload) -> [u8; DISTRIBUTION_LENGTH] {
    let mut out = [0u8; DISTRIBUTION_LENGTH];
    out[0] = KIND_DISTRIBUTION;
    out[1..33].copy_from_slice(&p.root);
    out[33..65].copy_from_slice(&p.mint);
    out[65..73].copy_from_slice(&p.total.to_be_bytes());
    out[73..77].copy_from_slice(&p.leaf_count.to_be_bytes());
    out[77..109].copy_from_slice(&p.distribution_id);
    out
}

/// Decodes a distribution payload: exactly 109 bytes of kind 2.
pub fn decode_distribution(payload: &[u8]) -> Result<DistributionPayload, TokenBridgeError> {
    if payload.len() != DISTRIBUTION_LENGTH {
        return Err(TokenBridgeError::DistributionMessageInvalidLength);
    }
    if payload[0] != KIND_DISTRIBUTION {
        return Err(TokenBridgeError::TokenMessageUnknownKind);
    }
    Ok(DistributionPayload {
        root: payload[1..33].try_into().unwrap(),
        mint: payload[33..65].try_into().unwrap(),
        total: u64::from_be_bytes(payload[65..73].try_into().unwrap()),
        leaf_count: u32::from_be_bytes(payload[73..77].try_into().unwrap()),
        distribution_id: payload[77..109].try_into().unwrap(),
    })
}

/// Wire (shared) units to local SPL units: `wire × 10^(L−S)`, failing if it does not fit `u64`.
pub fn to_local_u64(wire: u64, local_decimals: u8, shared_decimals: u8) -> anchor_lang::Result<u64> {
    let wide = crate::protocol::token::to_local(wire, local_decimals, shared_decimals)?;
    u64::try_from(wide).map_err(|_| TokenBridgeError::LocalAmountOverflow.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_round_trip_and_layout() {
        let token = [0x33u8; 32];
        let recipient = [0xaau8; 32];
        let encoded = encode_transfer(&token, &recipient, 100_000_000);
        assert_eq!(encoded[0], 1);
        assert_eq!(&encoded[65..73], &100_000_000u64.to_be_bytes());
        let decoded = decode_transfer(&encoded).unwrap();
        assert_eq!(decoded, TransferPayload { token, recipient, amount: 100_000_000 });
        assert_eq!(decode_transfer(&encoded[..72]), Err(TokenBridgeError::TokenMessageInvalidLength));
        let mut long = encoded.to_vec();
        long.push(0);
        assert_eq!(decode_transfer(&long), Err(TokenBridgeError::TokenMessageInvalidLength));
        let mut kind0 = encoded;
        kind0[0] = 0;
        assert_eq!(decode_transfer(&kind0), Err(TokenBridgeError::TokenMessageUnknownKind));
    }

    #[test]
    fn distribution_round_trip_and_layout() {
        let p = DistributionPayload {
            root: [1u8; 32],
            mint: [2u8; 32],
            total: u64::MAX,
            leaf_count: 0x0102_0304,
            distribution_id: [3u8; 32],
        };
        let encoded = encode_distribution(&p);
        assert_eq!(encoded[0], 2);
        assert_eq!(&encoded[73..77], &[1, 2, 3, 4]);
        assert_eq!(decode_distribution(&encoded).unwrap(), p);
        assert_eq!(decode_distribution(&encoded[..108]), Err(TokenBridgeError::DistributionMessageInvalidLength));
        let mut kind1 = encoded;
        kind1[0] = 1;
        assert_eq!(decode_distribution(&kind1), Err(TokenBridgeError::TokenMessageUnknownKind));
    }
}
