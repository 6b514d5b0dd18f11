import { type Hex, keccak256, stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { EmptyBatchError, LeafIndexOutOfRangeError } from "../src/errors/index.ts";
import { batchLeaf, batchProof, batchRoot, hashPair, processBatchProof, verifyBatchProof } from "../src/merkle.ts";
import { b32, expectCode } from "./helpers.ts";

const ids = (n: number): Hex[] => Array.from({ length: n }, (_, i) => keccak256(stringToHex(`id-${n}-${i}`)));
const cat = (a: Hex, b: Hex): Hex => `0x${a.slice(2)}${b.slice(2)}`;

describe("batch tree", () => {
  it("leaf is keccak256(messageId)", () => {
    expect(batchLeaf(b32("01"))).toBe(keccak256(b32("01")));
  });

  it("inner nodes hash the sorted pair", () => {
    const [a, b] = [b32("01"), b32("02")];
    expect(hashPair(a, b)).toBe(keccak256(cat(a, b)));
    expect(hashPair(b, a)).toBe(keccak256(cat(a, b)));
  });

  it("a batch of one has root = leaf", () => {
    const [id] = ids(1) as [Hex];
    expect(batchRoot([id])).toBe(batchLeaf(id));
    expect(batchProof([id], 0)).toEqual([]);
  });

  it("carries an odd last node up unchanged (three leaves)", () => {
    const [a, b, c] = ids(3).map(batchLeaf) as [Hex, Hex, Hex];
    expect(batchRoot(ids(3))).toBe(hashPair(hashPair(a, b), c));
  });

  it("five leaves: ((ab)(cd))e", () => {
    const [a, b, c, d, e] = ids(5).map(batchLeaf) as [Hex, Hex, Hex, Hex, Hex];
    expect(batchRoot(ids(5))).toBe(hashPair(hashPair(hashPair(a, b), hashPair(c, d)), e));
    expect(batchProof(ids(5), 4)).toEqual([hashPair(hashPair(a, b), hashPair(c, d))]);
  });

  it("every proof of every batch size up to 33 verifies, and fails for other leaves or roots", () => {
    for (let n = 1; n <= 33; n++) {
      const batch = ids(n);
      const root = batchRoot(batch);
      for (let i = 0; i < n; i++) {
        const proof = batchProof(batch, i);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(processBatchProof(batch[i]!, proof)).toBe(root);
        expect(verifyBatchProof({ messageId: batch[i]!, proof, root })).toBe(true);
        if (n > 1) expect(verifyBatchProof({ messageId: batch[(i + 1) % n]!, proof, root })).toBe(false);
        expect(verifyBatchProof({ messageId: batch[i]!, proof, root: b32("00") })).toBe(false);
      }
    }
  });

  it("an inner node cannot pose as a message id", () => {
    const batch = ids(4);
    const [a, b] = batch.map(batchLeaf) as [Hex, Hex];
    const inner = hashPair(a, b);
    const root = batchRoot(batch);
    // The inner node (ab) with proof [(cd)] would give the root if leaves were not hashed again.
    const cd = batchProof(batch, 0)[1]!;
    expect(verifyBatchProof({ messageId: inner, proof: [cd], root })).toBe(false);
  });

  it("throws on an empty batch or a leaf index outside the batch", () => {
    expectCode(() => batchRoot([]), "EmptyBatch", EmptyBatchError);
    const err = expectCode(() => batchProof(ids(3), 3), "LeafIndexOutOfRange", LeafIndexOutOfRangeError);
    expect((err as LeafIndexOutOfRangeError).index).toBe(3);
    expectCode(() => batchProof(ids(3), -1), "LeafIndexOutOfRange");
    expectCode(() => batchProof([], 0), "LeafIndexOutOfRange");
  });

  it("rejects ids that are not 32 bytes", () => {
    expectCode(() => batchRoot(["0x12"]), "InvalidBytes32");
    expectCode(() => hashPair("0x12", b32("00")), "InvalidBytes32");
    expectCode(() => verifyBatchProof({ messageId: b32("00"), proof: [], root: "0x" }), "InvalidBytes32");
  });
});
