//! Token-bridge payloads (docs/protocol.md §8 and docs/solana.md, "Payloads"). Every payload starts with a kind
//! byte; the token bridge accepts:
//!
//! * kind 1, transfer (73 bytes): `uint8 kind=1 ‖ bytes32 token ‖ bytes32 recipient ‖ uint64 amount`, where `token`
//!   is the token on the DESTINATION (the origin bridge resolves it from its link table) and `amount` is in shared
//!   decimals. On Solana the recipient is an SPL token account of that mint.
//! * kind 2, distribution (109 bytes): `uint8 kind=2 ‖ bytes32 root ‖ bytes32 mint ‖ uint64 total ‖
//!   uint32 leafCount ‖ bytes32 distributionId`, a payout Merkle root whose `total` (shared decimals) funds a
//!   claims vault of `mint` (the destination-side token).

use crate::errors::MaskoiiError;
use crate::protocol::token;

/// Payload kind of a token transfer (the canonical definition is `protocol::token`).
pub const KIND_TRANSFER: u8 = token::KIND_TRANSFER;
/// Payload kind of a claims distribution.
pub const KIND_DISTRIBUTION: u8 = 2;
/// Byte length of a transfer payload.
pub const TRANSFER_LENGTH: usize = token::TOKEN_MESSAGE_LENGTH;
/// Byte length of a distribution payload.
pub const DISTRIBUTION_LENGTH: usize = 109;

/// A decoded transfer payload: the canonical `protocol::token::TokenMessage`.
pub type TransferPayload = token::TokenMessage;

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

/// `kind=1 ‖ token ‖ recipient ‖ uint64 amount`, encoded by the canonical `protocol::token::encode`.
pub fn encode_transfer(token: &[u8; 32], recipient: &[u8; 32], amount: u64) -> [u8; TRANSFER_LENGTH] {
    token::encode(token, recipient, amount)
}

/// Decodes a transfer payload (exactly 73 bytes of kind 1) with the canonical `protocol::token::decode`.
pub fn decode_transfer(payload: &[u8]) -> Result<TransferPayload, MaskoiiError> {
    token::decode(payload)
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
pub fn decode_distribution(payload: &[u8]) -> Result<DistributionPayload, MaskoiiError> {
    if payload.len() != DISTRIBUTION_LENGTH {
        return Err(MaskoiiError::DistributionMessageInvalidLength);
    }
    if payload[0] != KIND_DISTRIBUTION {
        return Err(MaskoiiError::TokenMessageUnknownKind);
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
    u64::try_from(wide).map_err(|_| MaskoiiError::LocalAmountOverflow.into())
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
        assert_eq!(decode_transfer(&encoded[..72]), Err(MaskoiiError::TokenMessageInvalidLength));
        let mut long = encoded.to_vec();
        long.push(0);
        assert_eq!(decode_transfer(&long), Err(MaskoiiError::TokenMessageInvalidLength));
        let mut kind0 = encoded;
        kind0[0] = 0;
        assert_eq!(decode_transfer(&kind0), Err(MaskoiiError::TokenMessageUnknownKind));
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
        assert_eq!(decode_distribution(&encoded[..108]), Err(MaskoiiError::DistributionMessageInvalidLength));
        let mut kind1 = encoded;
        kind1[0] = 1;
        assert_eq!(decode_distribution(&kind1), Err(MaskoiiError::TokenMessageUnknownKind));
    }

    fn unhex(s: &str) -> Vec<u8> {
        let s = s.strip_prefix("0x").unwrap_or(s);
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn h32(s: &str) -> [u8; 32] {
        unhex(s).try_into().unwrap()
    }

    /// The 73-byte vectors of `test/vectors/protocol.json` as of the `gasopt` revision (name, token, recipient,
    /// amount, encoded), pinned here until that revision reaches this branch; `vectors_file` reads the file itself.
    const TRANSFER_VECTORS: [(&str, &str, &str, u64, &str); 3] = [
        (
            "evm token to evm recipient",
            "0x0000000000000000000000003333333333333333333333333333333333333333",
            "0x00000000000000000000000000000000000000000000000000000000000000aa",
            100_000_000,
            "0x01000000000000000000000000333333333333333333333333333333333333333300000000000000000000000000000000000000000000000000000000000000aa0000000005f5e100",
        ),
        (
            "spl mint, max amount",
            "0x2e30e7699ec02ccf1f261766280b72ea5ad3721942c14305a807f2ed55308e8c",
            "0x0000000000000000000000001111111111111111111111111111111111111111",
            u64::MAX,
            "0x012e30e7699ec02ccf1f261766280b72ea5ad3721942c14305a807f2ed55308e8c0000000000000000000000001111111111111111111111111111111111111111ffffffffffffffff",
        ),
        (
            "amount 1",
            "0x0000000000000000000000001111111111111111111111111111111111111111",
            "0x331ac27df48d81b36ba2687101969cae8a956ab6affb497ff009fa8eae2764b5",
            1,
            "0x010000000000000000000000001111111111111111111111111111111111111111331ac27df48d81b36ba2687101969cae8a956ab6affb497ff009fa8eae2764b50000000000000001",
        ),
    ];

    #[test]
    fn pinned_gasopt_vectors() {
        for (name, token, recipient, amount, encoded) in TRANSFER_VECTORS {
            assert_eq!(encode_transfer(&h32(token), &h32(recipient), amount).to_vec(), unhex(encoded), "{name}");
            assert_eq!(
                decode_transfer(&unhex(encoded)).unwrap(),
                TransferPayload { token: h32(token), recipient: h32(recipient), amount },
                "{name}"
            );
        }
    }

    /// Reads the repository's vectors: in the 73-byte format every vector must match and every malformed one fail
    /// with its error name; in the older 105-byte format (with `from`) every vector must be rejected by length.
    #[test]
    fn vectors_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/vectors/protocol.json");
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let messages = v["tokenMessages"].as_array().unwrap();
        assert!(!messages.is_empty());
        for t in messages {
            let encoded = unhex(t["encoded"].as_str().unwrap());
            if t.get("from").is_some() {
                assert_eq!(encoded.len(), 105);
                assert_eq!(decode_transfer(&encoded), Err(MaskoiiError::TokenMessageInvalidLength));
                continue;
            }
            let amount: u64 = t["amount"].as_str().unwrap().parse().unwrap();
            let token = h32(t["token"].as_str().unwrap());
            let recipient = h32(t["recipient"].as_str().unwrap());
            assert_eq!(encode_transfer(&token, &recipient, amount).to_vec(), encoded, "{}", t["name"]);
        }
        if messages[0].get("from").is_none() {
            for t in v["malformedTokenMessages"].as_array().unwrap() {
                let err = decode_transfer(&unhex(t["encoded"].as_str().unwrap())).unwrap_err();
                assert_eq!(format!("{err:?}"), t["error"].as_str().unwrap(), "{}", t["name"]);
            }
        }
    }

    /// `distributionMessages` / `malformedDistributionMessages` of test/vectors/protocol.json: the 109-byte kind-2
    /// payload the SDK encodes is the one this program decodes, and each malformed one fails with its error name.
    #[test]
    fn distribution_vectors_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/vectors/protocol.json");
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let messages = v["distributionMessages"].as_array().expect("distribution vectors");
        assert!(!messages.is_empty());
        for t in messages {
            assert_eq!(t["kind"].as_u64(), Some(u64::from(KIND_DISTRIBUTION)));
            let p = DistributionPayload {
                root: h32(t["root"].as_str().unwrap()),
                mint: h32(t["token"].as_str().unwrap()),
                total: t["total"].as_str().unwrap().parse().unwrap(),
                leaf_count: t["leafCount"].as_u64().unwrap() as u32,
                distribution_id: h32(t["distributionId"].as_str().unwrap()),
            };
            let encoded = unhex(t["encoded"].as_str().unwrap());
            assert_eq!(encode_distribution(&p).to_vec(), encoded, "{}", t["name"]);
            assert_eq!(decode_distribution(&encoded), Ok(p), "{}", t["name"]);
        }
        for t in v["malformedDistributionMessages"].as_array().unwrap() {
            let err = decode_distribution(&unhex(t["encoded"].as_str().unwrap())).unwrap_err();
            assert_eq!(format!("{err:?}"), t["error"].as_str().unwrap(), "{}", t["name"]);
        }
    }
}
