//! Attester sets (docs/protocol.md §4): the set rules and the set hash a rotation signs,
//! `keccak256(uint64 setId ‖ uint16 thresholdBps ‖ uint8 count ‖ count × (address attester ‖ uint96 weight))`.

use crate::errors::MaskoiiError;

/// Most members a set may have.
pub const MAX_ATTESTERS: usize = 128;
/// Lowest allowed threshold: a quorum is always a strict majority of stake.
pub const MIN_THRESHOLD_BPS: u16 = 5001;
/// Basis-point denominator and highest allowed threshold.
pub const MAX_THRESHOLD_BPS: u16 = 10_000;
/// Largest total weight (`type(uint96).max`).
pub const MAX_TOTAL_WEIGHT: u128 = (1u128 << 96) - 1;

/// The packed preimage of the set hash. Weights are written as their low 12 bytes (`uint96`); [`validate`]
/// guarantees they fit.
pub fn encode(set_id: u64, threshold_bps: u16, attesters: &[[u8; 20]], weights: &[u128]) -> Vec<u8> {
    let count = attesters.len().min(weights.len());
    let mut out = Vec::with_capacity(11 + 32 * count);
    out.extend_from_slice(&set_id.to_be_bytes());
    out.extend_from_slice(&threshold_bps.to_be_bytes());
    out.push(count as u8);
    for i in 0..count {
        out.extend_from_slice(&attesters[i]);
        out.extend_from_slice(&weights[i].to_be_bytes()[4..]);
    }
    out
}

/// The set hash signed by `AttesterSetRotation`.
pub fn hash(set_id: u64, threshold_bps: u16, attesters: &[[u8; 20]], weights: &[u128]) -> [u8; 32] {
    super::keccak(&[&encode(set_id, threshold_bps, attesters, weights)])
}

/// Enforces the set rules of spec §4 in the Solidity order and returns the total weight.
pub fn validate(
    set_id: u64,
    threshold_bps: u16,
    attesters: &[[u8; 20]],
    weights: &[u128],
) -> Result<u128, MaskoiiError> {
    if set_id == 0 {
        return Err(MaskoiiError::InvalidSetId);
    }
    let count = attesters.len();
    if count == 0 {
        return Err(MaskoiiError::EmptyAttesterSet);
    }
    if count > MAX_ATTESTERS {
        return Err(MaskoiiError::TooManyAttesters);
    }
    if count != weights.len() {
        return Err(MaskoiiError::AttesterWeightsLengthMismatch);
    }
    if !(MIN_THRESHOLD_BPS..=MAX_THRESHOLD_BPS).contains(&threshold_bps) {
        return Err(MaskoiiError::InvalidThreshold);
    }
    if attesters[0] == [0u8; 20] {
        return Err(MaskoiiError::ZeroAddressAttester);
    }
    let mut total: u128 = 0;
    for i in 0..count {
        if i != 0 && attesters[i] <= attesters[i - 1] {
            return Err(MaskoiiError::AttestersNotSorted);
        }
        if weights[i] == 0 {
            return Err(MaskoiiError::ZeroAttesterWeight);
        }
        total = total.checked_add(weights[i]).ok_or(MaskoiiError::TotalWeightOverflow)?;
    }
    if total > MAX_TOTAL_WEIGHT {
        return Err(MaskoiiError::TotalWeightOverflow);
    }
    Ok(total)
}

/// Whether `signed` weight meets `threshold_bps` of `total` (`signed × 10000 ≥ total × thresholdBps`).
pub fn meets_threshold(signed: u128, total: u128, threshold_bps: u16) -> bool {
    // Both sides fit in u128: weights are below 2^96 and the factors below 2^14.
    signed * u128::from(MAX_THRESHOLD_BPS) >= total * u128::from(threshold_bps)
}
