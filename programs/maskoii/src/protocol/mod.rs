//! Canonical maskoii v1 encodings (docs/protocol.md §2–§5, §8, §11.5), as pure functions.
//!
//! Every function here is byte-for-byte identical to the Solidity libraries (`contracts/src/libraries/*.sol`) and
//! the TypeScript SDK; `tests` below checks each one against the shared vectors in `test/vectors/protocol.json`.
//! Nothing in this module touches accounts, so the token-bridge and claims instructions can use it freely.

pub mod attestation;
pub mod attester_set;
pub mod merkle;
pub mod message;
pub mod payout;
pub mod refund;
pub mod signature;
pub mod token;
pub mod token_payload;

/// keccak256 over the concatenation of `parts` (the Ethereum Keccak, not SHA3-256). On chain this is the
/// `sol_keccak256` syscall.
pub fn keccak(parts: &[&[u8]]) -> [u8; 32] {
    solana_keccak_hasher::hashv(parts).to_bytes()
}

#[cfg(test)]
mod vectors;
