// The home node of a persona (docs/protocol.md §12.1): among the task's nodes (Koii public keys, base58), the one whose
// key maximizes keccak256(persona ‖ base58Decode(key)) — rendezvous hashing, so every node and client picks the same
// home without coordination, and a node joining or leaving moves only the personas it wins or held.
import { base58Decode } from "@maskoii/sdk";
import { type Address, concat, hexToBytes, keccak256 } from "viem";

/** The score of `node` (base58 Koii key) for `persona`; undefined when the key is not 32 bytes of base58. */
export function homeScore(persona: Address, node: string): bigint | undefined {
  const key = base58Decode(node);
  if (key === undefined || key.length !== 32) return undefined;
  return BigInt(keccak256(concat([hexToBytes(persona), key])));
}

/** The persona's home node among `nodes` (ties, which keccak makes vanishingly rare, go to the smaller key). */
export function homeNodeOf(persona: Address, nodes: readonly string[]): string {
  let best: { node: string; score: bigint } | undefined;
  for (const node of nodes) {
    const score = homeScore(persona, node);
    if (score === undefined) throw new RangeError(`${node} is not a 32-byte base58 Koii key`);
    if (best === undefined || score > best.score || (score === best.score && node < best.node)) best = { node, score };
  }
  if (best === undefined) throw new RangeError("no nodes to choose a home from");
  return best.node;
}

/** A task node as configs list it: its Koii key and, for redirects, its URL. */
export type TaskNode = { readonly koiiPublicKey: string; readonly url?: string | undefined };

/** `homeNodeOf` over node records: the record of the persona's home (throws as `homeNodeOf` does). */
export function homeNodeRecord<N extends TaskNode>(persona: Address, nodes: readonly N[]): N {
  const key = homeNodeOf(
    persona,
    nodes.map((n) => n.koiiPublicKey),
  );
  const node = nodes.find((n) => n.koiiPublicKey === key);
  if (node === undefined) throw new RangeError("no nodes to choose a home from");
  return node;
}
