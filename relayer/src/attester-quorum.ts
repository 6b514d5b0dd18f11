// Quorum arithmetic over the attesters' bulk answers (relayer-service.ts): who says it observed a message final, and
// how much of the destination set's weight the reachable endpoints hold (the quorum-reachable condition).
import { isQuorum } from "@maskoii/sdk";
import type { Hex } from "viem";
import type { AttesterSetView } from "./chains/adapter.ts";
import type { BulkAnswer } from "./collector.ts";

/** The set weight of the distinct members `pick` selects among the answering endpoints (by the address each names). */
function weightOf(bulk: readonly BulkAnswer[], set: AttesterSetView, pick: (b: BulkAnswer & { ok: true }) => boolean) {
  const counted = new Set<number>();
  let weight = 0n;
  let known = true;
  for (const b of bulk) {
    if (!b.ok) continue;
    if (b.attester === undefined) {
      known = false;
      continue;
    }
    if (!pick(b)) continue;
    const i = set.attesters.findIndex((a) => a.toLowerCase() === b.attester?.toLowerCase());
    if (i < 0 || counted.has(i)) continue;
    counted.add(i);
    weight += set.weights[i] ?? 0n;
  }
  return { weight, known };
}

/** Whether attesters of `set` holding the threshold weight say they observed `messageId` final (distinct members). */
export function observedByQuorum(bulk: readonly BulkAnswer[], set: AttesterSetView, messageId: Hex): boolean {
  const id = messageId.toLowerCase();
  const { weight } = weightOf(bulk, set, (b) => b.results.get(id)?.observed === true);
  return isQuorum(weight, set.totalWeight, set.thresholdBps);
}

/**
 * The weight of the set's members whose endpoints answered; `known` is false when an answering endpoint does not name
 * its attester (an older node), so the quorum cannot be judged from the answers.
 */
export function reachableWeight(bulk: readonly BulkAnswer[], set: AttesterSetView): { weight: bigint; known: boolean } {
  return weightOf(bulk, set, () => true);
}
