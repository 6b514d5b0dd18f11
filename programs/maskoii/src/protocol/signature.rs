//! Strict secp256k1 recovery and the one-pass quorum check (docs/protocol.md §3, §4).
//!
//! Signatures are `r ‖ s ‖ v` over the EIP-712 digest with `v ∈ {27, 28}` and low `s`; a signature that does not
//! recover is an error, never the zero address. Recovery uses the `sol_secp256k1_recover` syscall (docs/solana.md
//! explains why not the secp256k1 precompile).

use anchor_lang::prelude::*;
use solana_secp256k1_recover::secp256k1_recover;

use crate::errors::MaskoiiError;

/// secp256k1n / 2; a larger `s` is the malleable twin of a low-s signature.
pub const HALF_ORDER: [u8; 32] =
    super::attestation::hex32("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
/// Bytes of one signature entry in the spec's attestation encoding: `index ‖ r ‖ s ‖ v`.
pub const ENTRY_LENGTH: usize = 66;
/// Bytes of the attestation's `uint64 attesterSetId` prefix.
pub const SET_ID_LENGTH: usize = 8;

/// One attester signature as posted to a verification account.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureEntry {
    /// The signer's position in the sorted attester set.
    pub index: u8,
    /// ECDSA `r`.
    pub r: [u8; 32],
    /// ECDSA `s` (must be ≤ n/2).
    pub s: [u8; 32],
    /// 27 or 28.
    pub v: u8,
}

/// Recovers the Ethereum address that signed `digest`, rejecting non-canonical signatures.
pub fn recover(digest: &[u8; 32], r: &[u8; 32], s: &[u8; 32], v: u8) -> std::result::Result<[u8; 20], MaskoiiError> {
    if v != 27 && v != 28 {
        return Err(MaskoiiError::InvalidSignatureV);
    }
    if s > &HALF_ORDER {
        return Err(MaskoiiError::SignatureMalleable);
    }
    let mut rs = [0u8; 64];
    rs[..32].copy_from_slice(r);
    rs[32..].copy_from_slice(s);
    let pubkey = secp256k1_recover(digest, v - 27, &rs).map_err(|_| MaskoiiError::ZeroAddressSigner)?;
    let hashed = super::keccak(&[&pubkey.to_bytes()]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&hashed[12..]);
    if address == [0u8; 20] {
        return Err(MaskoiiError::ZeroAddressSigner);
    }
    Ok(address)
}

/// Splits the spec's attestation encoding `uint64 setId ‖ k × (index ‖ r ‖ s ‖ v)` (off-chain tooling and the
/// vector tests; on chain the entries arrive as instruction arguments).
pub fn parse_attestation(bytes: &[u8]) -> std::result::Result<(u64, Vec<SignatureEntry>), MaskoiiError> {
    if bytes.len() < SET_ID_LENGTH || (bytes.len() - SET_ID_LENGTH) % ENTRY_LENGTH != 0 {
        return Err(MaskoiiError::MalformedAttestation);
    }
    if bytes.len() == SET_ID_LENGTH {
        return Err(MaskoiiError::NoSignatures);
    }
    let set_id = u64::from_be_bytes(bytes[..SET_ID_LENGTH].try_into().unwrap());
    let entries = bytes[SET_ID_LENGTH..]
        .chunks(ENTRY_LENGTH)
        .map(|c| SignatureEntry {
            index: c[0],
            r: c[1..33].try_into().unwrap(),
            s: c[33..65].try_into().unwrap(),
            v: c[65],
        })
        .collect();
    Ok((set_id, entries))
}

/// Progress of a quorum check that may span several chunks of signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuorumProgress {
    /// Lowest index the next signature may carry (previous index + 1).
    pub next_index: u16,
    /// Bit `i` set when member `i` has signed.
    pub signers: [u8; 16],
    /// Sum of the signers' weights at the time they were checked.
    pub signed_weight: u128,
}

/// Checks `entries` against the set in one pass, each failure with its own error in the Solidity order
/// (ordering, `v`, `s`, recovery, membership, removal), and accumulates them into `progress`.
pub fn check_signatures(
    digest: &[u8; 32],
    attesters: &[[u8; 20]],
    weights: &[u128],
    entries: &[SignatureEntry],
    progress: &mut QuorumProgress,
) -> std::result::Result<(), MaskoiiError> {
    for entry in entries {
        let index = u16::from(entry.index);
        if index < progress.next_index {
            return Err(if index + 1 == progress.next_index {
                MaskoiiError::DuplicateSigner
            } else {
                MaskoiiError::SignersOutOfOrder
            });
        }
        let signer = recover(digest, &entry.r, &entry.s, entry.v)?;
        let i = usize::from(entry.index);
        if i >= attesters.len() || attesters[i] != signer {
            return Err(MaskoiiError::UnknownSigner);
        }
        if weights[i] == 0 {
            return Err(MaskoiiError::SignerRemoved);
        }
        progress.signed_weight += weights[i];
        progress.signers[i / 8] |= 1 << (i % 8);
        progress.next_index = index + 1;
    }
    Ok(())
}

/// The current weight of the members marked in `signers` (members removed since posting count zero).
pub fn weight_of(signers: &[u8; 16], weights: &[u128]) -> u128 {
    weights.iter().enumerate().filter(|(i, _)| signers[i / 8] & (1 << (i % 8)) != 0).map(|(_, w)| *w).sum()
}
