import { attestationDigest, signDigest } from "@maskoii/sdk";
import { type Address, type Hex, keccak256, stringToHex, toHex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { aggregate } from "../src/aggregator.ts";
import { packSignature } from "../src/attester/signer.ts";
import type { AttesterSetView } from "../src/chains/adapter.ts";

const keys = [0, 1, 2, 3].map((i) => keccak256(stringToHex(`aggregator attester ${i}`)));
const members = keys
  .map((key) => ({ key, address: privateKeyToAddress(key) }))
  .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
const outsider = keccak256(stringToHex("not a member"));

/** 4 members, weights 1,1,1,3; threshold 6667 bps of 6 = 4.0002 -> needs weight 5 (e.g. heavy + one). */
const set: AttesterSetView = {
  setId: 3n,
  attesters: members.map((m) => m.address),
  weights: [1n, 1n, 1n, 3n],
  thresholdBps: 6667,
  totalWeight: 6n,
  expiresAt: 0,
};
const target = { domain: 1002, verifier: toHex(0xabcn, { size: 32 }), attesterSetId: 3n };
const id = keccak256(stringToHex("the message"));
const digest = attestationDigest("message", { ...target, value: id });
const sign = (key: Hex, d: Hex = digest) => packSignature(signDigest(d, key));
const from = (i: number) => ({ source: `node${i}`, signature: sign(members[i]!.key) });

describe("quorum aggregation", () => {
  it("waits below the threshold and says who is missing", () => {
    const agg = aggregate({ digest, set, candidates: [from(0), from(1), from(2)] });
    expect(agg.ready).toBe(false);
    expect(agg.signedWeight).toBe(3n);
    expect(agg.signatures).toEqual([]);
    expect(agg.missing).toEqual([members[3]!.address]);
  });

  it("reaches quorum with the fewest signatures, ordered by index", () => {
    const agg = aggregate({ digest, set, candidates: [from(2), from(0), from(3), from(1)] });
    expect(agg.ready).toBe(true);
    // heaviest (index 3, weight 3) first, then index 0 (weight 1): 4 < 4.0002, then index 1: 5.
    expect(agg.signatures.map((s) => s.index)).toEqual([0, 1, 3]);
    expect(agg.signedWeight).toBe(6n);
    expect(agg.rejected).toEqual([]);
  });

  it("ignores and reports unknown, duplicate, wrong-digest and garbage signatures", () => {
    const otherDigest = attestationDigest("message", { ...target, attesterSetId: 2n, value: id });
    const candidates = [
      from(0),
      { source: "dup", signature: sign(members[0]!.key) },
      { source: "outsider", signature: sign(outsider) },
      { source: "stale-set", signature: sign(members[1]!.key, otherDigest) },
      { source: "garbage", signature: "0x1234" },
      { source: "not-hex", signature: `0x${"zz".repeat(65)}` },
      { source: "bad-v", signature: `${sign(members[2]!.key).slice(0, 130)}1f` },
    ];
    const agg = aggregate({ digest, set, candidates });
    expect(agg.ready).toBe(false);
    expect(agg.signers).toEqual([members[0]!.address]);
    const reasons = Object.fromEntries(agg.rejected.map((r) => [r.source, r.reason]));
    expect(reasons).toEqual({
      dup: "duplicate",
      outsider: "not-a-member",
      "stale-set": "not-a-member",
      garbage: "malformed",
      "not-hex": "malformed",
      "bad-v": "unrecoverable",
    });
  });

  it("never uses a member removed for equivocation (weight 0; the gateway would revert SignerRemoved)", () => {
    const slashed: AttesterSetView = { ...set, weights: [1n, 1n, 1n, 0n], totalWeight: 3n };
    const agg = aggregate({ digest, set: slashed, candidates: [from(3), from(0)] });
    expect(agg.ready).toBe(false);
    expect(agg.rejected).toEqual([expect.objectContaining({ source: "node3", reason: "removed" })]);
    expect(agg.missing).toEqual([members[1]!.address, members[2]!.address]);
    const ok = aggregate({ digest, set: slashed, candidates: [from(3), from(0), from(1), from(2)] });
    expect(ok.ready).toBe(true);
    expect(ok.signatures.map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it("rejects a high-s (malleable) signature", () => {
    const n = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    const sig = signDigest(digest, members[3]!.key);
    const high = `${sig.r}${toHex(n - BigInt(sig.s), { size: 32 }).slice(2)}${(sig.v === 27 ? 28 : 27).toString(16)}`;
    const agg = aggregate({ digest, set, candidates: [{ source: "high-s", signature: high }] });
    expect(agg.rejected[0]?.reason).toBe("unrecoverable");
    expect(agg.signers).toEqual([] as Address[]);
  });
});
