// The inbound/outbound token bucket of docs/protocol.md §8, as contracts/src/libraries/RateLimit.sol and the Solana
// program's `Bucket` compute it: capacity 0 is closed, 2^64 - 1 unlimited, otherwise a bucket refilled
// `refillPerSecond` per second up to `capacity`. Read-side only: doctor says when a queued transfer fits.

export const UNLIMITED = (1n << 64n) - 1n;

const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export type Bucket = {
  readonly level: bigint;
  readonly capacity: bigint;
  readonly refillPerSecond: bigint;
  /** Unix seconds. */
  readonly lastUpdated: number;
};

/** What the bucket holds at `now` (unix seconds): RateLimit.availableAt. */
export function availableAt(b: Bucket, now: number): bigint {
  if (b.capacity === UNLIMITED) return UNLIMITED;
  let level = b.level;
  if (now > b.lastUpdated && b.refillPerSecond !== 0n) {
    const elapsed = BigInt(now - b.lastUpdated);
    if (elapsed >= b.capacity) return b.capacity;
    level += elapsed * b.refillPerSecond;
  }
  return minOf(level, b.capacity);
}

/**
 * The first unix second at which the bucket, left alone, holds `amount`; `now` if it already does. null
 * when it never will at this capacity and rate (amount above capacity, closed route, no refill): only the owner
 * raising the limits frees it. Other transfers on the route may take the capacity first: an estimate, not a promise.
 */
export function releasableAt(b: Bucket, amount: bigint, now: number): number | null {
  if (availableAt(b, now) >= amount) return now;
  if (amount > b.capacity || b.refillPerSecond === 0n) return null;
  const missing = amount - b.level;
  const seconds = (missing + b.refillPerSecond - 1n) / b.refillPerSecond;
  // `capacity` seconds always fill the bucket (RateLimit.availableAt's shortcut).
  return b.lastUpdated + Number(minOf(seconds, b.capacity));
}
