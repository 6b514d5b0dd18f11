/**
 * Claims (docs/solana.md, "Claims"; kind table in docs/protocol.md §8): the distribution payload that carries a
 * payout root to a claims program, and the salted claim leaves of its Merkle tree. Byte for byte what the Solana
 * program decodes and verifies (`protocol/token_payload.rs`, `state/claims.rs`); shared vectors in
 * test/vectors/protocol.json (`distributionMessages`, `claimTrees`).
 */
import { type Hex, keccak256 } from "viem";
import {
  DistributionMessageInvalidLengthError,
  LeafIndexOutOfRangeError,
  TokenMessageUnknownKindError,
} from "./errors/index.ts";
import { assertBytes32, assertHex, assertUint, byteLength, uintHex } from "./internal/assert.ts";
import { batchProof, batchRoot, processBatchProof } from "./merkle.ts";

/** The kind byte of a distribution payload. */
export const TOKEN_MESSAGE_KIND_DISTRIBUTION = 2;
/** kind 1 ‖ root 32 ‖ token 32 ‖ total 8 ‖ leafCount 4 ‖ distributionId 32. */
export const DISTRIBUTION_MESSAGE_LENGTH = 109;

/** A distribution payload: a payout root funding `total` of `token` on the destination. */
export type DistributionMessage = {
  /** Root of the sorted-pair tree over the claim leaves (`claimTree`). */
  readonly root: Hex;
  /** The token on the DESTINATION chain (on Solana: the SPL mint). */
  readonly token: Hex;
  /** uint64, in the token's shared decimals (the sum of the leaves' amounts). */
  readonly total: bigint;
  /** uint32 number of leaves (the Solana program accepts 1..65,536). */
  readonly leafCount: number;
  /** Chosen by the sender; single-use per origin domain on the destination. */
  readonly distributionId: Hex;
};

/** Encodes a distribution payload (big-endian, packed). */
export function encodeDistributionMessage(
  message: Omit<DistributionMessage, "total"> & { readonly total: bigint | number },
): Hex {
  const root = assertBytes32("root", message.root);
  const token = assertBytes32("token", message.token);
  const total = assertUint("total", message.total, 64);
  const leafCount = assertUint("leafCount", message.leafCount, 32);
  const id = assertBytes32("distributionId", message.distributionId);
  return `0x${uintHex(TOKEN_MESSAGE_KIND_DISTRIBUTION, 1)}${root.slice(2)}${token.slice(2)}${uintHex(total, 8)}${uintHex(leafCount, 4)}${id.slice(2)}`;
}

/** Decodes a distribution payload; throws unless it is exactly 109 bytes with kind 2 (length checked first). */
export function decodeDistributionMessage(payload: Hex): DistributionMessage {
  const length = byteLength(assertHex("payload", payload));
  if (length !== DISTRIBUTION_MESSAGE_LENGTH) throw new DistributionMessageInvalidLengthError(length);
  const hex = payload.slice(2).toLowerCase();
  const kind = Number.parseInt(hex.slice(0, 2), 16);
  if (kind !== TOKEN_MESSAGE_KIND_DISTRIBUTION) throw new TokenMessageUnknownKindError(kind);
  return {
    root: `0x${hex.slice(2, 66)}`,
    token: `0x${hex.slice(66, 130)}`,
    total: BigInt(`0x${hex.slice(130, 146)}`),
    leafCount: Number.parseInt(hex.slice(146, 154), 16),
    distributionId: `0x${hex.slice(154, 218)}`,
  };
}

/** One payout: leaf `index` pays `amount` (shared decimals) to `claimant` (32 bytes; on Solana a wallet key). */
export type ClaimLeaf = {
  readonly index: number;
  readonly claimant: Hex;
  readonly amount: bigint;
  /** Random per leaf, so a proof does not reveal the other leaves' amounts. */
  readonly salt: Hex;
};

/** `uint32 index ‖ bytes32 claimant ‖ uint64 amount ‖ bytes32 salt`, 76 bytes. */
export function claimLeafPreimage(leaf: ClaimLeaf): Hex {
  const index = assertUint("index", leaf.index, 32);
  const claimant = assertBytes32("claimant", leaf.claimant);
  const amount = assertUint("amount", leaf.amount, 64);
  const salt = assertBytes32("salt", leaf.salt);
  return `0x${uintHex(index, 4)}${claimant.slice(2)}${uintHex(amount, 8)}${salt.slice(2)}`;
}

/** keccak256 of the preimage: the value the tree treats like a batch's message id. */
export function claimLeafHash(leaf: ClaimLeaf): Hex {
  return keccak256(claimLeafPreimage(leaf));
}

/** The tree leaf, keccak256(claimLeafHash): a 32-byte preimage, so no leaf can pass for a 64-byte inner node. */
export function claimLeaf(leaf: ClaimLeaf): Hex {
  return keccak256(claimLeafHash(leaf));
}

function hashesInOrder(leaves: readonly ClaimLeaf[]): Hex[] {
  return leaves.map((leaf, i) => {
    if (leaf.index !== i) throw new LeafIndexOutOfRangeError(leaf.index, leaves.length);
    return claimLeafHash(leaf);
  });
}

/** The root over `leaves` (leaf i must have index i): spec §5's tree over the leaf hashes. */
export function claimRoot(leaves: readonly ClaimLeaf[]): Hex {
  return batchRoot(hashesInOrder(leaves));
}

/** The proof of leaf `index`, as `claims_claim` takes it. */
export function claimProof(leaves: readonly ClaimLeaf[], index: number): Hex[] {
  return batchProof(hashesInOrder(leaves), index);
}

/** Whether `proof` proves `leaf` under `root` (what the claims program checks). */
export function verifyClaimProof(args: { leaf: ClaimLeaf; proof: readonly Hex[]; root: Hex }): boolean {
  return processBatchProof(claimLeafHash(args.leaf), args.proof) === assertBytes32("root", args.root);
}
