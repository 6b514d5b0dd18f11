import { type Address, type Hex, keccak256 } from "viem";
import {
  AttestersNotSortedError,
  AttesterWeightsLengthMismatchError,
  EmptyAttesterSetError,
  InvalidSetIdError,
  InvalidThresholdError,
  TooManyAttestersError,
  TotalWeightOverflowError,
  ZeroAddressAttesterError,
  ZeroAttesterWeightError,
} from "./errors/index.ts";
import { assertAddress, assertUint, uintHex } from "./internal/assert.ts";

/** Largest attester set (spec §4). */
export const MAX_ATTESTERS = 128;
/** Smallest threshold: a quorum is always a strict majority of stake. */
export const MIN_THRESHOLD_BPS = 5001;
/** Largest threshold: all of the stake. */
export const MAX_THRESHOLD_BPS = 10_000;
/** Largest weight and total weight (uint96). */
export const MAX_WEIGHT = (1n << 96n) - 1n;

/** One member of an attester set. */
export type Attester = { readonly address: Address; readonly weight: bigint | number };

/** An attester set as the chain stores it: members sorted strictly ascending by address. */
export type AttesterSetData = {
  readonly setId: bigint | number;
  readonly thresholdBps: number;
  readonly attesters: readonly Address[];
  readonly weights: readonly (bigint | number)[];
};

/** Returns the members sorted ascending by address (numeric order), as `attesters` and `weights` arrays. */
export function sortAttesters(members: readonly Attester[]): { attesters: Address[]; weights: bigint[] } {
  const sorted = members
    .map((m, i) => ({ address: assertAddress(`members[${i}].address`, m.address), weight: BigInt(m.weight) }))
    .sort((a, b) => {
      const x = BigInt(a.address);
      const y = BigInt(b.address);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  return { attesters: sorted.map((m) => m.address), weights: sorted.map((m) => m.weight) };
}

/**
 * Throws the typed error of the first rule of spec §4 that the set breaks, checked in the AttesterSet contract's
 * order: set id in 1..2^64-1 (SDK only; the contract assigns ids), 1..128 members, equal lengths, threshold in
 * 5001..10000, non-zero strictly ascending addresses, positive uint96 weights, total weight within uint96.
 * Returns the total weight.
 */
export function validateAttesterSet(set: AttesterSetData): bigint {
  const setId = typeof set.setId === "number" && Number.isSafeInteger(set.setId) ? BigInt(set.setId) : set.setId;
  if (typeof setId !== "bigint" || setId < 1n || setId >= 1n << 64n) throw new InvalidSetIdError(set.setId);
  const count = set.attesters.length;
  if (count === 0) throw new EmptyAttesterSetError();
  if (count > MAX_ATTESTERS) throw new TooManyAttestersError(count);
  if (set.weights.length !== count) throw new AttesterWeightsLengthMismatchError(count, set.weights.length);
  const bps = set.thresholdBps;
  if (!Number.isInteger(bps) || bps < MIN_THRESHOLD_BPS || bps > MAX_THRESHOLD_BPS) {
    throw new InvalidThresholdError(bps);
  }
  let previous = 0n;
  let total = 0n;
  for (let i = 0; i < count; i++) {
    const value = BigInt(assertAddress(`attesters[${i}]`, set.attesters[i]));
    if (value === 0n) throw new ZeroAddressAttesterError();
    if (i > 0 && value <= previous) throw new AttestersNotSortedError(i);
    previous = value;
    const weight = assertUint(`weights[${i}]`, set.weights[i], 96);
    if (weight === 0n) throw new ZeroAttesterWeightError(i);
    total += weight;
  }
  if (total > MAX_WEIGHT) throw new TotalWeightOverflowError(total);
  return total;
}

/** The packed preimage of the set hash: uint64 setId ‖ uint16 thresholdBps ‖ uint8 count ‖ count × (address ‖ uint96). */
export function encodeAttesterSet(set: AttesterSetData): Hex {
  validateAttesterSet(set);
  let out = `0x${uintHex(BigInt(set.setId), 8)}${uintHex(set.thresholdBps, 2)}${uintHex(set.attesters.length, 1)}`;
  set.attesters.forEach((a, i) => {
    out += `${a.slice(2).toLowerCase()}${uintHex(BigInt(set.weights[i] ?? 0), 12)}`;
  });
  return out as Hex;
}

/** The set hash a rotation signs (spec §4), after validating the set. */
export function setHash(
  setId: bigint | number,
  thresholdBps: number,
  attesters: readonly Address[],
  weights: readonly (bigint | number)[],
): Hex {
  return keccak256(encodeAttesterSet({ setId, thresholdBps, attesters, weights }));
}

/** Whether `signedWeight` out of `totalWeight` reaches `thresholdBps`: signed × 10000 ≥ total × bps. */
export function isQuorum(signedWeight: bigint, totalWeight: bigint, thresholdBps: number): boolean {
  return signedWeight * 10_000n >= totalWeight * BigInt(thresholdBps);
}

/** The sum of the weights of the members at `indices` (each counted once), and whether it is a quorum. */
export function quorumOf(
  set: Pick<AttesterSetData, "weights" | "thresholdBps">,
  indices: Iterable<number>,
): { signedWeight: bigint; totalWeight: bigint; quorum: boolean } {
  const totalWeight = set.weights.reduce<bigint>((sum, w) => sum + BigInt(w), 0n);
  let signedWeight = 0n;
  for (const i of new Set(indices)) signedWeight += BigInt(set.weights[i] ?? 0);
  return { signedWeight, totalWeight, quorum: isQuorum(signedWeight, totalWeight, set.thresholdBps) };
}

/** The smallest weight that makes a quorum of `totalWeight` at `thresholdBps`: ceil(total × bps / 10000). */
export function quorumWeight(totalWeight: bigint, thresholdBps: number): bigint {
  const n = totalWeight * BigInt(thresholdBps);
  return (n + 9_999n) / 10_000n;
}
