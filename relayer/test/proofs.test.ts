import { batchProof, batchRoot, processBatchProof } from "@maskoii/sdk";
import { type Hex, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { batchProofs } from "../src/proofs.ts";

const ids = (n: number): Hex[] => Array.from({ length: n }, (_, i) => keccak256(toHex(`message ${n}/${i}`)));

describe("batchProofs (all proofs of a batch in one pass)", () => {
  // The reference (the sdk's batchProof rebuilds the tree for each leaf) costs ~2n² hashes per batch, over a million
  // keccaks for n = 1..130: about 33 s on the 2-core CI machine, just over the suite's 30 s default.
  it("equals the sdk's batchProof for every leaf of batches of 1 to 130 messages", { timeout: 120_000 }, () => {
    for (let n = 1; n <= 130; n++) {
      const batch = ids(n);
      const all = batchProofs(batch);
      expect(all).toHaveLength(n);
      for (const [i, proof] of all.entries()) expect(proof, `n=${n} i=${i}`).toEqual(batchProof(batch, i));
    }
  });

  it("each proof leads to the batch root, and a proof of another leaf does not", () => {
    const batch = ids(37);
    const root = batchRoot(batch);
    const all = batchProofs(batch);
    for (const [i, id] of batch.entries()) expect(processBatchProof(id, all[i] ?? [])).toBe(root);
    expect(processBatchProof(batch[0] as Hex, all[1] ?? [])).not.toBe(root);
  });

  it("rejects a malformed id like the sdk does", () => {
    expect(() => batchProofs(["0x1234" as Hex])).toThrow();
  });
});
