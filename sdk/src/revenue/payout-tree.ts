/**
 * Creators' payout leaves and the cumulative payout tree (docs/protocol.md §11.5). One leaf per (account, token) commits
 * to its stable claim slot, the payout recipient, everything ever owed to that account in that token, and a
 * per-(account, token) salt; a claim pays the leaf's cumulative amount minus what its slot already claimed, to the
 * leaf's recipient. CreatorPayouts (OpenZeppelin MerkleProof) checks these leaves; the Rust codec
 * (programs/maskoii/src/protocol/payout.rs) computes the same. Vectors: `payoutLeaves`, `payoutTrees` and
 * `invalidPayoutProofs` in test/vectors/revenue.json.
 */
import { bytesToHex, randomBytes } from "@noble/hashes/utils.js";
import { encodeAbiParameters, type Hex, keccak256 } from "viem";
import {
  DuplicatePayoutLeafError,
  DuplicatePayoutSlotError,
  InvalidPayoutProofError,
  LeafIndexOutOfRangeError,
  PayoutLeafNotFoundError,
} from "../errors/index.ts";
import { assertBytes32, assertUint } from "../internal/assert.ts";
import { keccakSmallInto } from "../internal/keccak.ts";
import { hashPair } from "../merkle.ts";

/** One account's cumulative amount of one token. */
export type PayoutEntry = {
  /**
   * uint32: the (account, token) pair's stable claim slot, given the first time the pair appears and kept in every
   * later tree (`PayoutSlots`); CreatorPayouts records claims per slot, two slots per storage word.
   */
  readonly slot: bigint | number;
  /** bytes32: an EVM persona left-padded (`addressToBytes32`). */
  readonly account: Hex;
  /** bytes32: an ERC-20 address left-padded. */
  readonly token: Hex;
  /** bytes32: where the payout goes, an EVM address left-padded (the persona's `payoutOf` recipient). */
  readonly recipient: Hex;
  /** uint256: everything ever owed to (account, token), across epochs and campaigns. */
  readonly cumulative: bigint | number;
  /** bytes32, random per (account, token) (`randomSalt`, `deriveSalt`); handed to the account with its proof. */
  readonly salt: Hex;
};

/** A payout entry in canonical form (lower-case hex, bigint). */
export type CheckedPayoutEntry = {
  readonly slot: bigint;
  readonly account: Hex;
  readonly token: Hex;
  readonly recipient: Hex;
  readonly cumulative: bigint;
  readonly salt: Hex;
};

/** The root of a tree without leaves: no proof leads to it (an empty proof yields the leaf, never zero). */
export const EMPTY_PAYOUT_ROOT: Hex = `0x${"00".repeat(32)}`;

const LEAF_PARAMS = [
  { name: "slot", type: "uint256" },
  { name: "account", type: "bytes32" },
  { name: "token", type: "bytes32" },
  { name: "recipient", type: "bytes32" },
  { name: "cumulative", type: "uint256" },
  { name: "salt", type: "bytes32" },
] as const;

/** Range-checks an entry (InvalidBytes32, FieldOutOfRange) and returns its canonical form. */
export function checkPayoutEntry(entry: PayoutEntry): CheckedPayoutEntry {
  return {
    slot: assertUint("slot", entry.slot, 32),
    account: assertBytes32("account", entry.account),
    token: assertBytes32("token", entry.token),
    recipient: assertBytes32("recipient", entry.recipient),
    cumulative: assertUint("cumulative", entry.cumulative, 256),
    salt: assertBytes32("salt", entry.salt),
  };
}

/**
 * abi.encode(uint256 slot, bytes32 account, bytes32 token, bytes32 recipient, uint256 cumulative, bytes32 salt): 192
 * bytes, the ABI encoding of CreatorPayouts' `PayoutLeaf` calldata.
 */
export function encodePayoutLeaf(entry: PayoutEntry): Hex {
  const e = checkPayoutEntry(entry);
  return encodeAbiParameters(LEAF_PARAMS, [e.slot, e.account, e.token, e.recipient, e.cumulative, e.salt]);
}

/** keccak256(encodePayoutLeaf(entry)), the inner hash. */
export function payoutLeafHash(entry: PayoutEntry): Hex {
  return keccak256(encodePayoutLeaf(entry));
}

/**
 * The tree leaf, keccak256(keccak256(abi.encode(slot, account, token, recipient, cumulative, salt))): the outer hash has a 32-byte
 * preimage, so no leaf passes for a 64-byte inner node (OpenZeppelin StandardMerkleTree's rule).
 */
export function payoutLeaf(entry: PayoutEntry): Hex {
  return keccak256(payoutLeafHash(entry));
}

/** The root implied by `leaf` and `proof`: OpenZeppelin's sorted-pair `processProof`. */
export function processPayoutProof(leaf: Hex, proof: readonly Hex[]): Hex {
  return proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), assertBytes32("leaf", leaf));
}

/** Whether `proof` proves `entry` under `root` (what CreatorPayouts and the Solana program check). */
export function verifyPayoutProof(args: { entry: PayoutEntry; proof: readonly Hex[]; root: Hex }): boolean {
  return processPayoutProof(payoutLeaf(args.entry), args.proof) === assertBytes32("root", args.root);
}

/** Throws `InvalidPayoutProofError` unless `proof` proves `entry` under `root`. */
export function assertPayoutProof(args: { entry: PayoutEntry; proof: readonly Hex[]; root: Hex }): void {
  if (!verifyPayoutProof(args)) throw new InvalidPayoutProofError(args.root);
}

// ---------------------------------------------------------------------------------------------------------------
// salts

/** A fresh random 32-byte salt (the platform's CSPRNG: crypto.getRandomValues). */
export function randomSalt(): Hex {
  return `0x${bytesToHex(randomBytes(32))}`;
}

/** keccak256("maskoii.payout-salt.v1"): the tag of `deriveSalt`. */
export const PAYOUT_SALT_TAG: Hex = keccak256(new TextEncoder().encode("maskoii.payout-salt.v1"));

/**
 * A salt derived from an aggregator's 32-byte `secret`, stable per (account, token) so it need not be stored:
 * keccak256(abi.encode(PAYOUT_SALT_TAG, secret, account, token)). Keep `secret` private: whoever holds it can test
 * guesses of any account's amount against sibling hashes.
 */
export function deriveSalt(args: { secret: Hex; account: Hex; token: Hex }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
      [
        PAYOUT_SALT_TAG,
        assertBytes32("secret", args.secret),
        assertBytes32("account", args.account),
        assertBytes32("token", args.token),
      ],
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// the tree

const NODE = 32;

/** Writes 32 bytes of lower-case hex, starting at character `from` of `hex`, to out[offset ..]. */
function putHex32(hex: string, from: number, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 32; i++) {
    const hi = hex.charCodeAt(from + 2 * i);
    const lo = hex.charCodeAt(from + 1 + 2 * i);
    out[offset + i] = (((hi & 0x0f) + (hi > 0x39 ? 9 : 0)) << 4) | ((lo & 0x0f) + (lo > 0x39 ? 9 : 0));
  }
}

/** Writes keccak256(keccak256(abi.encode(entry))) to out[offset ..], straight on bytes (the hot path of `build`). */
function leafInto(e: CheckedPayoutEntry, scratch: Uint8Array, inner: Uint8Array, out: Uint8Array, offset: number) {
  putHex32(e.slot.toString(16).padStart(64, "0"), 0, scratch, 0);
  putHex32(e.account, 2, scratch, 32);
  putHex32(e.token, 2, scratch, 64);
  putHex32(e.recipient, 2, scratch, 96);
  putHex32(e.cumulative.toString(16).padStart(64, "0"), 0, scratch, 128);
  putHex32(e.salt, 2, scratch, 160);
  keccakSmallInto(scratch, inner, 0);
  keccakSmallInto(inner, out, offset);
}

/** The next level: sorted pairs hashed, an odd last node carried up unchanged. */
function nextLevel(level: Uint8Array, n: number): Uint8Array {
  const next = new Uint8Array(Math.ceil(n / 2) * NODE);
  const pair = new Uint8Array(2 * NODE);
  for (let i = 0; i + 1 < n; i += 2) {
    const a = i * NODE;
    const b = a + NODE;
    let k = 0;
    while (k < NODE && level[a + k] === level[b + k]) k++;
    const swap = k < NODE && level[a + k]! > level[b + k]!;
    const lo = swap ? b : a;
    const hi = swap ? a : b;
    for (let j = 0; j < NODE; j++) {
      pair[j] = level[lo + j]!;
      pair[NODE + j] = level[hi + j]!;
    }
    keccakSmallInto(pair, next, (i / 2) * NODE);
  }
  if (n % 2 === 1) next.set(level.subarray((n - 1) * NODE, n * NODE), ((n - 1) / 2) * NODE);
  return next;
}

/**
 * The cumulative payout tree over (account, token) entries: leaves sorted ascending by value, paired level by level
 * with sorted-pair keccak256, an odd last node carried up unchanged (the shape of §5's batch tree). Deterministic for a
 * set of entries whatever their input order. Builds and proves 100,000 leaves in seconds (3-4 s on a busy 2-core
 * machine).
 */
export class PayoutTree {
  /** The entries, in leaf order (ascending leaf value). */
  readonly entries: readonly CheckedPayoutEntry[];
  /** The leaves, ascending. */
  readonly leaves: readonly Hex[];
  /** The root; EMPTY_PAYOUT_ROOT for no entries. */
  readonly root: Hex;
  readonly #levels: readonly Uint8Array[];
  readonly #hex: (Hex | undefined)[][];
  readonly #index: ReadonlyMap<string, number>;

  private constructor(entries: CheckedPayoutEntry[], leaves: Hex[], levels: Uint8Array[]) {
    this.entries = entries;
    this.leaves = leaves;
    this.#levels = levels;
    this.#hex = levels.map((l) => new Array<Hex | undefined>(l.length / NODE));
    this.#hex[0] = leaves.slice();
    const top = levels[levels.length - 1]!;
    this.root = leaves.length === 0 ? EMPTY_PAYOUT_ROOT : (`0x${bytesToHex(top.subarray(0, NODE))}` as Hex);
    const index = new Map<string, number>();
    entries.forEach((e, i) => {
      index.set(`${e.account}${e.token}`, i);
    });
    this.#index = index;
  }

  /**
   * Builds the tree. Throws on a malformed entry (InvalidBytes32, FieldOutOfRange), `DuplicatePayoutLeafError` when
   * two entries name the same (account, token) and `DuplicatePayoutSlotError` when two entries share a slot.
   */
  static build(entries: readonly PayoutEntry[]): PayoutTree {
    const seen = new Set<string>();
    const slots = new Set<bigint>();
    const n = entries.length;
    const scratch = new Uint8Array(6 * NODE);
    const inner = new Uint8Array(NODE);
    const hashed = new Uint8Array(n * NODE);
    const rows = entries.map((raw, i) => {
      const entry = checkPayoutEntry(raw);
      const key = `${entry.account}${entry.token}`;
      if (seen.has(key)) throw new DuplicatePayoutLeafError(entry.account, entry.token);
      seen.add(key);
      if (slots.has(entry.slot)) throw new DuplicatePayoutSlotError(entry.slot);
      slots.add(entry.slot);
      leafInto(entry, scratch, inner, hashed, i * NODE);
      return { entry, at: i, hex: `0x${bytesToHex(hashed.subarray(i * NODE, (i + 1) * NODE))}` as Hex };
    });
    rows.sort((x, y) => (x.hex < y.hex ? -1 : x.hex > y.hex ? 1 : 0));
    let level: Uint8Array = new Uint8Array(n * NODE);
    rows.forEach((r, i) => {
      level.set(hashed.subarray(r.at * NODE, (r.at + 1) * NODE), i * NODE);
    });
    const levels: Uint8Array[] = [level];
    for (let size = n; size > 1; size = Math.ceil(size / 2)) {
      level = nextLevel(level, size);
      levels.push(level);
    }
    return new PayoutTree(
      rows.map((r) => r.entry),
      rows.map((r) => r.hex),
      levels,
    );
  }

  /** The number of leaves (the report's `payoutLeafCount`). */
  get leafCount(): number {
    return this.leaves.length;
  }

  #node(depth: number, i: number): Hex {
    const row = this.#hex[depth]!;
    let h = row[i];
    if (h === undefined) {
      h = `0x${bytesToHex(this.#levels[depth]!.subarray(i * NODE, (i + 1) * NODE))}` as Hex;
      row[i] = h;
    }
    return h;
  }

  /** The proof of leaf `index` (leaf order): one sibling per level where the node has one. */
  proof(index: number): Hex[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.leafCount) {
      throw new LeafIndexOutOfRangeError(index, this.leafCount);
    }
    const proof: Hex[] = [];
    let i = index;
    for (let depth = 0, size = this.leafCount; size > 1; depth++, size = Math.ceil(size / 2)) {
      const sibling = i ^ 1;
      if (sibling < size) proof.push(this.#node(depth, sibling));
      i >>= 1;
    }
    return proof;
  }

  /** The leaf index of (account, token), or -1. */
  indexOf(account: Hex, token: Hex): number {
    return this.#index.get(`${assertBytes32("account", account)}${assertBytes32("token", token)}`) ?? -1;
  }

  /** What an account needs to claim: its entry (with salt), leaf and proof. Throws `PayoutLeafNotFoundError`. */
  claimOf(account: Hex, token: Hex): { entry: CheckedPayoutEntry; leaf: Hex; index: number; proof: Hex[] } {
    const index = this.indexOf(account, token);
    if (index < 0) throw new PayoutLeafNotFoundError(account, token);
    return { entry: this.entries[index]!, leaf: this.leaves[index]!, index, proof: this.proof(index) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// stable slots

/**
 * Stable claim slots: each (account, token) pair gets the next free slot the first time it appears and keeps it in
 * every later tree (CreatorPayouts records claims per slot, so a pair's slot must never change, and two pairs must
 * never share one). Seed it with the entries of the previous tree to continue a root chain.
 */
export class PayoutSlots {
  readonly #slots = new Map<string, bigint>();
  #next = 0n;

  constructor(known: Iterable<{ readonly account: Hex; readonly token: Hex; readonly slot: bigint | number }> = []) {
    const taken = new Set<bigint>();
    for (const k of known) {
      const slot = assertUint("slot", k.slot, 32);
      const key = `${assertBytes32("account", k.account)}${assertBytes32("token", k.token)}`;
      if (this.#slots.has(key)) throw new DuplicatePayoutLeafError(k.account, k.token);
      if (taken.has(slot)) throw new DuplicatePayoutSlotError(slot);
      taken.add(slot);
      this.#slots.set(key, slot);
      if (slot >= this.#next) this.#next = slot + 1n;
    }
  }

  /** The slot of (account, token), given now (the next free one) if the pair is new. */
  slotOf(account: Hex, token: Hex): bigint {
    const key = `${assertBytes32("account", account)}${assertBytes32("token", token)}`;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#next;
      assertUint("slot", slot, 32);
      this.#next = slot + 1n;
      this.#slots.set(key, slot);
    }
    return slot;
  }

  /** The number of pairs that have a slot. */
  get size(): number {
    return this.#slots.size;
  }
}
