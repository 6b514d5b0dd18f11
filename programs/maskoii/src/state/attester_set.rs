use anchor_lang::prelude::*;

/// One numbered attester set (seeds `[ATTESTER_SET_SEED, set_id.to_le_bytes()]`). Members are Ethereum addresses
/// sorted ascending; a member removed for equivocation keeps its index with weight 0.
#[account]
#[derive(Debug)]
pub struct AttesterSetAccount {
    /// Set number, from 1.
    pub set_id: u64,
    /// Quorum threshold in basis points of `total_weight`.
    pub threshold_bps: u16,
    /// Sum of current weights (members removed for equivocation no longer count); fits `uint96`.
    pub total_weight: u128,
    /// Unix time at which the set expires; 0 while it is the current set.
    pub expires_at: i64,
    /// Bump of this PDA.
    pub bump: u8,
    /// Members, strictly ascending.
    pub attesters: Vec<[u8; 20]>,
    /// Weight per member (`uint96` range).
    pub weights: Vec<u128>,
}

impl AttesterSetAccount {
    /// Account size (with discriminator) for a set of `count` members.
    pub const fn space(count: usize) -> usize {
        8 + 8 + 2 + 16 + 8 + 1 + (4 + 20 * count) + (4 + 16 * count)
    }

    /// Whether the set is live at `now` (spec §4: current, or within its overlap window).
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at == 0 || now < self.expires_at
    }
}

/// A set's members and threshold as passed to `initialize`, `rotate_attester_set` and the emergency path.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct AttesterSetArgs {
    /// Quorum threshold in basis points (5001–10000).
    pub threshold_bps: u16,
    /// Member addresses, strictly ascending, non-zero.
    pub attesters: Vec<[u8; 20]>,
    /// Weight per member, each > 0, total within `uint96`.
    pub weights: Vec<u128>,
}

impl AttesterSetAccount {
    /// A set with no members, to be filled by [`Self::install`].
    pub fn empty() -> Self {
        AttesterSetAccount {
            set_id: 0,
            threshold_bps: 0,
            total_weight: 0,
            expires_at: 0,
            bump: 0,
            attesters: Vec::new(),
            weights: Vec::new(),
        }
    }

    /// Writes a validated set (no expiry).
    pub fn install(&mut self, set_id: u64, args: &AttesterSetArgs, total_weight: u128, bump: u8) {
        self.set_id = set_id;
        self.threshold_bps = args.threshold_bps;
        self.total_weight = total_weight;
        self.expires_at = 0;
        self.bump = bump;
        self.attesters = args.attesters.clone();
        self.weights = args.weights.clone();
    }

    /// Zeroes `attester`'s weight and lowers the total; false if it is not a counted member.
    pub fn remove_member(&mut self, attester: &[u8; 20]) -> bool {
        match self.attesters.binary_search(attester) {
            Ok(i) if self.weights[i] != 0 => {
                self.total_weight -= self.weights[i];
                self.weights[i] = 0;
                true
            }
            _ => false,
        }
    }
}
