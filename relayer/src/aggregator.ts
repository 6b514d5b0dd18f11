// Quorum aggregation: from signatures gathered from attester endpoints, keep only those that recover to a member of
// the destination's set over the expected digest, one per member, choose the heaviest until the weighted threshold
// is met, and order them by index (the attestation encoding requires strictly increasing indices).
import { type IndexedSignature, isQuorum, recoverSigner } from "@maskoii/sdk";
import type { Address, Hex } from "viem";
import type { AttesterSetView } from "./chains/adapter.ts";

/** A signature as an attester endpoint returned it. */
export type Candidate = { readonly source: string; readonly signature: string };

export type RejectionReason = "malformed" | "unrecoverable" | "not-a-member" | "removed" | "duplicate";
export type Rejection = { readonly source: string; readonly reason: RejectionReason; readonly detail: string };

export type Aggregation = {
  readonly ready: boolean;
  /** Chosen signatures, ascending by index (what goes into the attestation). */
  readonly signatures: readonly IndexedSignature[];
  /** Every distinct valid signer seen. */
  readonly signers: readonly Address[];
  readonly signedWeight: bigint;
  readonly totalWeight: bigint;
  readonly thresholdBps: number;
  /** Members with no valid signature yet. */
  readonly missing: readonly Address[];
  readonly rejected: readonly Rejection[];
};

const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

/** Aggregates `candidates` over `digest` against `set`. Pure: no I/O. */
export function aggregate(args: { digest: Hex; set: AttesterSetView; candidates: readonly Candidate[] }): Aggregation {
  const { set } = args;
  const index = new Map(set.attesters.map((a, i) => [a.toLowerCase(), i]));
  const byIndex = new Map<number, IndexedSignature>();
  const rejected: Rejection[] = [];
  for (const c of args.candidates) {
    if (typeof c.signature !== "string" || !SIGNATURE.test(c.signature)) {
      rejected.push({ source: c.source, reason: "malformed", detail: "not a 65-byte r ‖ s ‖ v hex string" });
      continue;
    }
    const sig = {
      r: `0x${c.signature.slice(2, 66)}` as Hex,
      s: `0x${c.signature.slice(66, 130)}` as Hex,
      v: Number.parseInt(c.signature.slice(130, 132), 16),
    };
    let signer: Address;
    try {
      signer = recoverSigner(args.digest, sig);
    } catch (error) {
      rejected.push({ source: c.source, reason: "unrecoverable", detail: (error as Error).message });
      continue;
    }
    const i = index.get(signer.toLowerCase());
    if (i === undefined) {
      // Also what a signature over another digest (wrong set, verifier or id) looks like: a random address.
      rejected.push({ source: c.source, reason: "not-a-member", detail: `recovers to ${signer}` });
      continue;
    }
    if ((set.weights[i] ?? 0n) === 0n) {
      // Removed for equivocation: it keeps its index with weight 0, and the gateway reverts SignerRemoved on it.
      rejected.push({ source: c.source, reason: "removed", detail: `${signer} was removed (equivocation)` });
      continue;
    }
    if (byIndex.has(i)) {
      rejected.push({ source: c.source, reason: "duplicate", detail: `second signature of ${signer}` });
      continue;
    }
    byIndex.set(i, { index: i, ...sig });
  }
  const weight = (i: number) => set.weights[i] ?? 0n;
  const totalWeight = set.totalWeight;
  // Heaviest first (ties by index) until the threshold is met: fewest signatures, least calldata and ecrecover gas.
  const chosen: IndexedSignature[] = [];
  let chosenWeight = 0n;
  for (const s of [...byIndex.values()].sort(
    (a, b) => Number(weight(b.index) - weight(a.index)) || a.index - b.index,
  )) {
    if (isQuorum(chosenWeight, totalWeight, set.thresholdBps)) break;
    chosen.push(s);
    chosenWeight += weight(s.index);
  }
  const signedWeight = [...byIndex.keys()].reduce((sum, i) => sum + weight(i), 0n);
  const ready = isQuorum(chosenWeight, totalWeight, set.thresholdBps);
  return {
    ready,
    signatures: ready ? chosen.sort((a, b) => a.index - b.index) : [],
    signers: [...byIndex.keys()].sort((a, b) => a - b).map((i) => set.attesters[i] as Address),
    signedWeight,
    totalWeight,
    thresholdBps: set.thresholdBps,
    missing: set.attesters.filter((_, i) => !byIndex.has(i) && (set.weights[i] ?? 0n) > 0n),
    rejected,
  };
}
