import { type Address, getAddress, keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import {
  encodeAttesterSet,
  isQuorum,
  MAX_WEIGHT,
  quorumOf,
  quorumWeight,
  setHash,
  sortAttesters,
  validateAttesterSet,
} from "../src/attester-set.ts";
import {
  AttestersNotSortedError,
  AttesterWeightsLengthMismatchError,
  EmptyAttesterSetError,
  InvalidSetIdError,
  InvalidThresholdError,
  TooManyAttestersError,
  TotalWeightOverflowError,
  ZeroAddressAttesterError,
  ZeroAttesterWeightError,
} from "../src/errors/index.ts";
import { expectCode } from "./helpers.ts";

const A = "0x0000000000000000000000000000000000000001" as Address;
const B = "0x00000000000000000000000000000000000000ff" as Address;
const C = "0xff00000000000000000000000000000000000000" as Address;
const n = (i: number): Address => `0x${i.toString(16).padStart(40, "0")}`;

describe("sortAttesters", () => {
  it("sorts by numeric address value regardless of case and keeps weights aligned", () => {
    const sorted = sortAttesters([
      { address: C, weight: 3 },
      { address: A, weight: 1n },
      { address: getAddress(B), weight: 2 },
    ]);
    expect(sorted.attesters).toEqual([A, getAddress(B), getAddress(C)]);
    expect(sorted.weights).toEqual([1n, 2n, 3n]);
  });

  it("rejects invalid addresses", () => {
    expectCode(() => sortAttesters([{ address: "0x12" as Address, weight: 1 }]), "InvalidAddress");
  });
});

describe("setHash", () => {
  it("hashes uint64 setId ‖ uint16 bps ‖ uint8 count ‖ (address ‖ uint96)*", () => {
    const encoded = encodeAttesterSet({ setId: 2, thresholdBps: 6667, attesters: [A, B], weights: [5, 1n << 95n] });
    expect(encoded).toBe(
      `0x00000000000000021a0b02${"00".repeat(19)}01${"00".repeat(11)}05${"00".repeat(19)}ff80${"00".repeat(11)}`,
    );
    expect(setHash(2, 6667, [A, B], [5, 1n << 95n])).toBe(keccak256(encoded));
  });

  it("changes with every input", () => {
    const h = setHash(1, 6667, [A, B], [1, 2]);
    expect(setHash(2, 6667, [A, B], [1, 2])).not.toBe(h);
    expect(setHash(1, 6668, [A, B], [1, 2])).not.toBe(h);
    expect(setHash(1, 6667, [A, C], [1, 2])).not.toBe(h);
    expect(setHash(1, 6667, [A, B], [1, 3])).not.toBe(h);
  });
});

describe("validateAttesterSet", () => {
  const ok = { setId: 1n, thresholdBps: 6667, attesters: [A, B, C], weights: [1n, 2n, 3n] };

  it("returns the total weight of a valid set, at the edges too", () => {
    expect(validateAttesterSet(ok)).toBe(6n);
    expect(validateAttesterSet({ ...ok, thresholdBps: 5001 })).toBe(6n);
    expect(validateAttesterSet({ ...ok, thresholdBps: 10000 })).toBe(6n);
    expect(validateAttesterSet({ ...ok, attesters: [A], weights: [MAX_WEIGHT] })).toBe(MAX_WEIGHT);
    const big = Array.from({ length: 128 }, (_, i) => n(i + 1));
    expect(validateAttesterSet({ ...ok, attesters: big, weights: big.map(() => 1n) })).toBe(128n);
    expect(validateAttesterSet({ ...ok, setId: (1n << 64n) - 1n })).toBe(6n);
  });

  it("rejects set id 0 and ids beyond uint64", () => {
    expectCode(() => validateAttesterSet({ ...ok, setId: 0 }), "InvalidSetId", InvalidSetIdError);
    expectCode(() => validateAttesterSet({ ...ok, setId: 1n << 64n }), "InvalidSetId");
    expectCode(() => validateAttesterSet({ ...ok, setId: 0.5 }), "InvalidSetId");
  });

  it("rejects empty and oversized sets", () => {
    expectCode(
      () => validateAttesterSet({ ...ok, attesters: [], weights: [] }),
      "EmptyAttesterSet",
      EmptyAttesterSetError,
    );
    const big = Array.from({ length: 129 }, (_, i) => n(i + 1));
    const err = expectCode(
      () => validateAttesterSet({ ...ok, attesters: big, weights: big.map(() => 1n) }),
      "TooManyAttesters",
      TooManyAttestersError,
    );
    expect((err as TooManyAttestersError).count).toBe(129);
  });

  it("rejects length mismatches", () => {
    expectCode(
      () => validateAttesterSet({ ...ok, weights: [1n, 2n] }),
      "AttesterWeightsLengthMismatch",
      AttesterWeightsLengthMismatchError,
    );
  });

  it("rejects thresholds outside 5001..10000", () => {
    for (const bps of [0, 5000, 10001, 6666.5]) {
      expectCode(() => validateAttesterSet({ ...ok, thresholdBps: bps }), "InvalidThreshold", InvalidThresholdError);
    }
  });

  it("rejects the zero address, unsorted and duplicate members", () => {
    expectCode(
      () => validateAttesterSet({ ...ok, attesters: [n(0), A, B] }),
      "ZeroAddressAttester",
      ZeroAddressAttesterError,
    );
    const err = expectCode(
      () => validateAttesterSet({ ...ok, attesters: [A, C, B] }),
      "AttestersNotSorted",
      AttestersNotSortedError,
    );
    expect((err as AttestersNotSortedError).index).toBe(2);
    expectCode(() => validateAttesterSet({ ...ok, attesters: [A, A, B] }), "AttestersNotSorted");
    expectCode(() => validateAttesterSet({ ...ok, attesters: [A, getAddress(B), B] }), "AttestersNotSorted");
    expectCode(
      () => validateAttesterSet({ ...ok, attesters: [A, "0xFF00000000000000000000000000000000000000", B] }),
      "InvalidAddress",
    );
  });

  it("rejects zero weights, weights beyond uint96 and a total beyond uint96", () => {
    const err = expectCode(
      () => validateAttesterSet({ ...ok, weights: [1n, 0n, 1n] }),
      "ZeroAttesterWeight",
      ZeroAttesterWeightError,
    );
    expect((err as ZeroAttesterWeightError).index).toBe(1);
    expectCode(() => validateAttesterSet({ ...ok, weights: [1n, MAX_WEIGHT + 1n, 1n] }), "FieldOutOfRange");
    expectCode(() => validateAttesterSet({ ...ok, weights: [1n, -1n, 1n] }), "FieldOutOfRange");
    expectCode(() => validateAttesterSet({ ...ok, weights: [MAX_WEIGHT, 1n, 0n] }), "ZeroAttesterWeight");
    expectCode(
      () => validateAttesterSet({ ...ok, weights: [MAX_WEIGHT - 1n, 1n, 1n] }),
      "TotalWeightOverflow",
      TotalWeightOverflowError,
    );
  });

  it("setHash validates first", () => {
    expectCode(() => setHash(1, 5000, [A], [1]), "InvalidThreshold");
  });
});

describe("quorum", () => {
  it("is signed × 10000 ≥ total × bps", () => {
    expect(isQuorum(2n, 3n, 6667)).toBe(false); // 20000 < 20001
    expect(isQuorum(2n, 3n, 6666)).toBe(true);
    expect(isQuorum(13n, 19n, 6667)).toBe(true);
    expect(isQuorum(12n, 19n, 6667)).toBe(false);
    expect(isQuorum(5n, 10n, 5001)).toBe(false);
    expect(isQuorum(10n, 10n, 10000)).toBe(true);
  });

  it("quorumOf counts each index once", () => {
    const set = { weights: [1n, 2n, 3n, 4n], thresholdBps: 6000 };
    expect(quorumOf(set, [3, 2])).toEqual({ signedWeight: 7n, totalWeight: 10n, quorum: true });
    expect(quorumOf(set, [3, 3, 0])).toEqual({ signedWeight: 5n, totalWeight: 10n, quorum: false });
  });

  it("quorumWeight is the smallest quorum weight", () => {
    for (const [total, bps] of [
      [3n, 6667],
      [19n, 6667],
      [10n, 5001],
      [7n, 10000],
      [1000n, 6000],
    ] as const) {
      const q = quorumWeight(total, bps);
      expect(isQuorum(q, total, bps)).toBe(true);
      expect(isQuorum(q - 1n, total, bps)).toBe(false);
    }
  });
});
