//! Claims accounts (docs/solana.md, "Claims"): a distribution funded by a bridged payout root, its vault and the
//! bitmap that lets each leaf pay once.

use anchor_lang::prelude::*;

use crate::protocol::{keccak, merkle};

/// Most leaves a distribution may have: its bitmap (`leaf_count / 8` bytes) is created inside the gateway's
/// recipient CPI, where an account may grow by at most 10 KiB.
pub const MAX_LEAF_COUNT: u32 = 65_536;

/// A payout distribution (seeds `[DISTRIBUTION_SEED, origin.to_le_bytes(), distribution_id]`). Amounts are in the
/// mint's shared decimals, like the wire; a claim pays `amount × 10^(L−S)` local units.
#[account]
#[derive(InitSpace, Debug)]
pub struct Distribution {
    /// Origin domain of the message that created it.
    pub origin: u32,
    /// Identifier chosen by the origin.
    pub distribution_id: [u8; 32],
    /// The mint paid out.
    pub mint: Pubkey,
    /// Root of the sorted-pair tree over [`claim_leaf`]s.
    pub root: [u8; 32],
    /// Total funded, shared units.
    pub total: u64,
    /// Claimed so far, shared units (never above `total`).
    pub claimed: u64,
    /// Number of leaves.
    pub leaf_count: u32,
    /// Whether the vault received `total` (false while waiting for inbound rate-limit capacity).
    pub funded: bool,
    /// The mint's local decimals (`L`), from its registration.
    pub local_decimals: u8,
    /// The mint's shared decimals (`S`), from its registration.
    pub shared_decimals: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the vault token account PDA.
    pub vault_bump: u8,
}

/// One bit per leaf of a distribution (seeds `[CLAIM_BITMAP_SEED, distribution]`); bit `i` (byte `i / 8`, bit
/// `i % 8`) is set once leaf `i` has been paid.
#[account]
#[derive(Debug)]
pub struct ClaimBitmap {
    /// The distribution it belongs to.
    pub distribution: Pubkey,
    /// The bits, `ceil(leaf_count / 8)` bytes.
    pub bits: Vec<u8>,
}

impl ClaimBitmap {
    /// Account size (with discriminator) for `leaf_count` leaves.
    pub const fn space(leaf_count: u32) -> usize {
        8 + 32 + 4 + (leaf_count as usize).div_ceil(8)
    }

    /// Whether leaf `index` was paid.
    pub fn is_set(&self, index: u32) -> bool {
        self.bits[(index / 8) as usize] & (1 << (index % 8)) != 0
    }

    /// Marks leaf `index` as paid.
    pub fn set(&mut self, index: u32) {
        self.bits[(index / 8) as usize] |= 1 << (index % 8);
    }
}

/// The claim leaf: `keccak256(keccak256(uint32 index ‖ bytes32 claimant ‖ uint64 amount ‖ bytes32 salt))`, big-endian
/// packed. The salt hides the other claimants' amounts from anyone holding only some proofs; hashing twice gives
/// leaves a 32-byte preimage so no 64-byte inner node can be passed off as a leaf (as in spec §5).
pub fn claim_leaf(index: u32, claimant: &Pubkey, amount: u64, salt: &[u8; 32]) -> [u8; 32] {
    merkle::leaf(&claim_leaf_preimage_hash(index, claimant, amount, salt))
}

/// The inner hash of [`claim_leaf`]: `keccak256(index ‖ claimant ‖ amount ‖ salt)`.
pub fn claim_leaf_preimage_hash(index: u32, claimant: &Pubkey, amount: u64, salt: &[u8; 32]) -> [u8; 32] {
    keccak(&[&index.to_be_bytes(), claimant.as_ref(), &amount.to_be_bytes(), salt])
}

/// The root implied by a claim and its proof (sorted pairs, spec §5's `processProof`).
pub fn claim_root(index: u32, claimant: &Pubkey, amount: u64, salt: &[u8; 32], proof: &[[u8; 32]]) -> [u8; 32] {
    merkle::root_of(&claim_leaf_preimage_hash(index, claimant, amount, salt), proof)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_is_double_keccak_of_packed_fields() {
        let claimant = Pubkey::new_from_array([7u8; 32]);
        let salt = [9u8; 32];
        let mut packed = Vec::new();
        packed.extend_from_slice(&5u32.to_be_bytes());
        packed.extend_from_slice(&[7u8; 32]);
        packed.extend_from_slice(&1234u64.to_be_bytes());
        packed.extend_from_slice(&salt);
        assert_eq!(packed.len(), 76);
        let inner = keccak(&[&packed]);
        assert_eq!(claim_leaf(5, &claimant, 1234, &salt), keccak(&[&inner]));
        assert_eq!(claim_root(5, &claimant, 1234, &salt, &[]), keccak(&[&inner]));
    }

    #[test]
    fn bitmap_bits() {
        let mut b = ClaimBitmap { distribution: Pubkey::default(), bits: vec![0; 2] };
        assert!(!b.is_set(9));
        b.set(9);
        assert!(b.is_set(9));
        assert!(!b.is_set(8));
        assert_eq!(b.bits, vec![0, 2]);
        assert_eq!(ClaimBitmap::space(9), 8 + 32 + 4 + 2);
        assert_eq!(ClaimBitmap::space(8), 8 + 32 + 4 + 1);
    }
}
