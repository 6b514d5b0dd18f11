// The home node of a persona (issue 16): among the task's nodes, the one whose Koii public key (base58) maximizes
// keccak256(persona ‖ base58Decode(key)) (rendezvous hashing). A node accepts a persona's beacons, feed settings and
// feedback only when it is the persona's home, so a user's signals stay on one node and counts never double.
import { base58Decode } from "@maskoii/sdk";
import { type Address, concat, getAddress, hexToBigInt, keccak256, toBytes } from "viem";

export type TaskNode = { readonly koiiPublicKey: string; readonly url?: string | undefined };

/** The persona's home among `nodes` (undefined when the list is empty); keys that are not base58 never win. */
export function homeNodeOf<N extends TaskNode>(persona: Address, nodes: readonly N[]): N | undefined {
  let best: { node: N; score: bigint } | undefined;
  const who = toBytes(getAddress(persona));
  for (const node of nodes) {
    const key = base58Decode(node.koiiPublicKey);
    if (key === undefined) continue;
    const score = hexToBigInt(keccak256(concat([who, key])));
    if (
      best === undefined ||
      score > best.score ||
      (score === best.score && node.koiiPublicKey < best.node.koiiPublicKey)
    )
      best = { node, score };
  }
  return best?.node;
}
