import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import {
  type ClaimLeaf,
  claimProof,
  claimRoot,
  DISTRIBUTION_MESSAGE_LENGTH,
  DistributionMessageInvalidLengthError,
  decodeDistributionMessage,
  encodeDistributionMessage,
  FieldOutOfRangeError,
  InvalidBytes32Error,
  LeafIndexOutOfRangeError,
  TokenMessageUnknownKindError,
  verifyClaimProof,
} from "../src/index.ts";

const b32 = (byte: string): Hex => `0x${byte.repeat(32)}`;
const leaves: ClaimLeaf[] = [
  { index: 0, claimant: b32("11"), amount: 100n, salt: b32("a1") },
  { index: 1, claimant: b32("22"), amount: 200n, salt: b32("a2") },
  { index: 2, claimant: b32("33"), amount: 300n, salt: b32("a3") },
];

describe("distribution payload", () => {
  const fields = { root: b32("01"), token: b32("02"), total: 600n, leafCount: 3, distributionId: b32("03") };

  it("is 109 bytes: kind 2, then root, token, total and leaf count big-endian, then the id", () => {
    const encoded = encodeDistributionMessage(fields);
    expect((encoded.length - 2) / 2).toBe(DISTRIBUTION_MESSAGE_LENGTH);
    expect(encoded.slice(0, 4)).toBe("0x02");
    expect(encoded.slice(132, 148)).toBe("0000000000000258");
    expect(encoded.slice(148, 156)).toBe("00000003");
    expect(decodeDistributionMessage(encoded)).toEqual(fields);
  });

  it("rejects out-of-range fields by name", () => {
    expect(() => encodeDistributionMessage({ ...fields, total: 1n << 64n })).toThrow(FieldOutOfRangeError);
    expect(() => encodeDistributionMessage({ ...fields, leafCount: 2 ** 32 })).toThrow(FieldOutOfRangeError);
    expect(() => encodeDistributionMessage({ ...fields, root: "0x01" })).toThrow(InvalidBytes32Error);
  });

  it("checks the length before the kind", () => {
    const encoded = encodeDistributionMessage(fields);
    expect(() => decodeDistributionMessage(`0x01${encoded.slice(4, -2)}`)).toThrow(
      DistributionMessageInvalidLengthError,
    );
    expect(() => decodeDistributionMessage(`0x01${encoded.slice(4)}`)).toThrow(TokenMessageUnknownKindError);
  });
});

describe("claim tree", () => {
  it("every proof verifies against the root, and only for its own leaf", () => {
    const root = claimRoot(leaves);
    for (const leaf of leaves) {
      const proof = claimProof(leaves, leaf.index);
      expect(verifyClaimProof({ leaf, proof, root })).toBe(true);
      expect(verifyClaimProof({ leaf: { ...leaf, amount: leaf.amount + 1n }, proof, root })).toBe(false);
      expect(verifyClaimProof({ leaf: { ...leaf, salt: b32("ff") }, proof, root })).toBe(false);
    }
    expect(verifyClaimProof({ leaf: leaves[0]!, proof: claimProof(leaves, 1), root })).toBe(false);
  });

  it("requires leaf i to carry index i", () => {
    const shuffled = [leaves[1]!, leaves[0]!, leaves[2]!];
    expect(() => claimRoot(shuffled)).toThrow(LeafIndexOutOfRangeError);
  });
});
