import { type Hex, keccak256 } from "viem";
import { EmptyBatchError, LeafIndexOutOfRangeError } from "./errors/index.ts";
import { assertBytes32 } from "./internal/assert.ts";

/** The leaf of a message id: keccak256(messageId), a 32-byte preimage, unlike 64-byte inner nodes. */
export function batchLeaf(messageId: Hex): Hex {
  return keccak256(assertBytes32("messageId", messageId));
}

/** An inner node: keccak256(min(a, b) ‖ max(a, b)). */
export function hashPair(a: Hex, b: Hex): Hex {
  const x = assertBytes32("a", a);
  const y = assertBytes32("b", b);
  return x <= y ? keccak256(`0x${x.slice(2)}${y.slice(2)}`) : keccak256(`0x${y.slice(2)}${x.slice(2)}`);
}

function nextLevel(level: readonly Hex[]): Hex[] {
  const next: Hex[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1]!));
  if (level.length % 2 === 1) next.push(level[level.length - 1]!);
  return next;
}

function leaves(messageIds: readonly Hex[]): Hex[] {
  if (messageIds.length === 0) throw new EmptyBatchError();
  return messageIds.map((id, i) => keccak256(assertBytes32(`messageIds[${i}]`, id)));
}

/** The batch root over message ids in batch order (spec §5); a batch of one has root = its leaf. */
export function batchRoot(messageIds: readonly Hex[]): Hex {
  let level = leaves(messageIds);
  while (level.length > 1) level = nextLevel(level);
  return level[0]!;
}

/** The proof of leaf `index`: one sibling per level where the node has one (an odd last node has none). */
export function batchProof(messageIds: readonly Hex[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= messageIds.length) {
    throw new LeafIndexOutOfRangeError(index, messageIds.length);
  }
  let level = leaves(messageIds);
  let i = index;
  const proof: Hex[] = [];
  while (level.length > 1) {
    const sibling = level[i ^ 1];
    if (sibling !== undefined) proof.push(sibling);
    level = nextLevel(level);
    i >>= 1;
  }
  return proof;
}

/** The root implied by `messageId` and `proof` (OpenZeppelin's sorted-pair `processProof` over the leaf). */
export function processBatchProof(messageId: Hex, proof: readonly Hex[]): Hex {
  return proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), batchLeaf(messageId));
}

/** Whether `proof` proves `messageId` is in the batch with `root`. */
export function verifyBatchProof(args: { messageId: Hex; proof: readonly Hex[]; root: Hex }): boolean {
  return processBatchProof(args.messageId, args.proof) === assertBytes32("root", args.root);
}
