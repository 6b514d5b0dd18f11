//! Token-bridge accounts (docs/solana.md, "Token bridge"): per-mint registration, per-domain remote bridge, the
//! per-(mint, domain) route with both rate-limit buckets, and queued inbound transfers.

use anchor_lang::prelude::*;

/// Mode of a canonical SPL mint: locked in the mint's escrow on send, released on receive.
pub const MODE_LOCK: u8 = 0;
/// Mode of a bridged mint whose mint authority is the bridge authority PDA: burned on send, minted on receive.
pub const MODE_MINT: u8 = 1;

/// Registration of one local mint (seeds `[TOKEN_CONFIG_SEED, mint]`). Permanent: mode and decimals never change.
#[account]
#[derive(InitSpace, Debug)]
pub struct TokenConfig {
    /// The SPL mint.
    pub mint: Pubkey,
    /// [`MODE_LOCK`] or [`MODE_MINT`].
    pub mode: u8,
    /// The mint's decimals (`L`).
    pub local_decimals: u8,
    /// The token's shared decimals (`S ≤ L`), equal on every chain of the token (spec §8).
    pub shared_decimals: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the escrow token account PDA (lock mode; 0 in mint mode).
    pub escrow_bump: u8,
}

/// The token bridge on another domain (seeds `[REMOTE_BRIDGE_SEED, domain.to_le_bytes()]`): the recipient of
/// outbound transfers and the only accepted sender of inbound ones. Zero closes the route in both directions.
#[account]
#[derive(InitSpace, Debug)]
pub struct RemoteBridge {
    /// The remote domain.
    pub domain: u32,
    /// The remote bridge, left-padded to 32 bytes (zero = no route).
    pub bridge: [u8; 32],
    /// Bump of this PDA.
    pub bump: u8,
}

/// A token bucket in shared units (spec §8), identical in behaviour to `RateLimit.sol`:
/// capacity 0 is CLOSED (nothing passes), `u64::MAX` is UNLIMITED, anything else holds at most `capacity` and
/// refills `refill_per_second` per second of `Clock::unix_timestamp`. A bucket starts full when configured from
/// closed or unlimited; otherwise its current level is kept, clamped to the new capacity.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Units available at `last_updated`.
    pub level: u64,
    /// Most units the bucket holds.
    pub capacity: u64,
    /// Units added per second.
    pub refill_per_second: u64,
    /// Unix time of the last consumption or configuration.
    pub last_updated: i64,
}

impl Bucket {
    /// Capacity meaning "no limit".
    pub const UNLIMITED: u64 = u64::MAX;

    /// The level at `now`, refilled but never above capacity (`UNLIMITED` for an unlimited bucket).
    pub fn available_at(&self, now: i64) -> u64 {
        if self.capacity == Self::UNLIMITED {
            return Self::UNLIMITED;
        }
        let mut level = u128::from(self.level);
        if now > self.last_updated && self.refill_per_second != 0 {
            let elapsed = (now as i128 - self.last_updated as i128) as u128;
            // With refill ≥ 1, `capacity` seconds always fill the bucket.
            if elapsed >= u128::from(self.capacity) {
                return self.capacity;
            }
            level += elapsed * u128::from(self.refill_per_second);
        }
        level.min(u128::from(self.capacity)) as u64
    }

    /// Takes `amount` if the bucket holds enough; returns whether it did and the level before consumption.
    pub fn try_consume(&mut self, amount: u64, now: i64) -> (bool, u64) {
        if self.capacity == Self::UNLIMITED {
            return (true, Self::UNLIMITED);
        }
        let level = self.available_at(now);
        if amount > level {
            return (false, level);
        }
        self.level = level - amount;
        self.last_updated = now;
        (true, level)
    }

    /// Sets capacity and refill rate (see the type's documentation for the level rule).
    pub fn configure(&mut self, capacity: u64, refill_per_second: u64, now: i64) {
        let level = if self.capacity == 0 || self.capacity == Self::UNLIMITED {
            capacity
        } else {
            self.available_at(now).min(capacity)
        };
        *self = Bucket { level, capacity, refill_per_second, last_updated: now };
    }
}

/// One route: a local mint towards/from one remote domain (seeds `[TOKEN_ROUTE_SEED, mint, domain.to_le_bytes()]`).
/// It is the inbound record the payload's (local) token and the message's origin select, and it holds both
/// buckets. Created by `token_link` or `token_set_rate_limits`, whichever comes first; closed buckets until
/// configured.
#[account]
#[derive(InitSpace, Debug)]
pub struct TokenRoute {
    /// The local mint.
    pub mint: Pubkey,
    /// The remote domain.
    pub remote_domain: u32,
    /// The mint's counterpart on the remote domain (zero = not linked: both directions closed). Outbound payloads
    /// carry it as `token` (the destination-side token, spec §8).
    pub remote_token: [u8; 32],
    /// Outbound bucket (transfers above it fail with `RateLimitExceeded`).
    pub outbound: Bucket,
    /// Inbound bucket (transfers above it are queued).
    pub inbound: Bucket,
    /// Sequence number the next queued inbound transfer of this route gets (its PDA seed).
    pub next_queue_seq: u64,
    /// Bump of this PDA.
    pub bump: u8,
}

/// An inbound transfer waiting for inbound bucket capacity (seeds `[QUEUED_TRANSFER_SEED, route, seq.to_le_bytes()]`).
/// Anyone may release it once the bucket refills (not while paused); the admin or the guardian may cancel it into a
/// [`crate::state::RefundRecord`]. Its rent goes back to whoever paid it (the relayer that delivered the message),
/// never to the caller.
#[account]
#[derive(InitSpace, Debug)]
pub struct QueuedTransfer {
    /// The route it was queued on.
    pub route: Pubkey,
    /// The local mint.
    pub mint: Pubkey,
    /// Origin domain.
    pub origin: u32,
    /// The recipient token account.
    pub recipient: Pubkey,
    /// Amount in shared units.
    pub wire_amount: u64,
    /// Its sequence number within the route.
    pub seq: u64,
    /// Who paid its rent and gets it back on release.
    pub payer: Pubkey,
    /// Bump of this PDA.
    pub bump: u8,
    /// Id of the message that carried it (the refund record's key if the entry is cancelled).
    pub message_id: [u8; 32],
    /// Origin nonce of that message.
    pub nonce: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured(capacity: u64, refill: u64) -> Bucket {
        let mut b = Bucket::default();
        b.configure(capacity, refill, 1_000);
        b
    }

    #[test]
    fn closed_bucket_lets_nothing_through() {
        let mut b = Bucket::default();
        assert_eq!(b.try_consume(1, 5_000), (false, 0));
        assert_eq!(b, Bucket::default());
    }

    #[test]
    fn unlimited_bucket_never_changes() {
        let mut b = configured(Bucket::UNLIMITED, 0);
        let before = b;
        assert_eq!(b.try_consume(u64::MAX, 2_000), (true, Bucket::UNLIMITED));
        assert_eq!(b, before);
    }

    #[test]
    fn starts_full_consumes_and_refills_to_capacity() {
        let mut b = configured(100, 10);
        assert_eq!(b.available_at(1_000), 100);
        assert_eq!(b.try_consume(60, 1_000), (true, 100));
        assert_eq!(b.available_at(1_000), 40);
        assert_eq!(b.try_consume(41, 1_000), (false, 40));
        assert_eq!(b.available_at(1_003), 70);
        assert_eq!(b.available_at(1_100), 100);
        assert_eq!(b.available_at(999), 40, "a clock behind last_updated adds nothing");
    }

    #[test]
    fn reconfigure_keeps_level_clamped() {
        let mut b = configured(100, 0);
        b.try_consume(30, 1_000);
        b.configure(50, 1, 1_000);
        assert_eq!(b.level, 50);
        b.configure(200, 1, 1_000);
        assert_eq!(b.level, 50, "raising capacity does not refill");
        b.configure(0, 0, 1_000);
        b.configure(10, 0, 1_000);
        assert_eq!(b.level, 10, "reopening a closed bucket starts full");
    }

    #[test]
    fn huge_refill_does_not_overflow() {
        let mut b = configured(u64::MAX - 1, u64::MAX);
        b.try_consume(u64::MAX - 1, 1_000);
        assert_eq!(b.available_at(1_001), u64::MAX - 1);
    }
}
