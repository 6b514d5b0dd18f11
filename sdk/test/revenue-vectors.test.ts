import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, type Hex, hashTypedData, keccak256, stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { revenueVectors as generated } from "../scripts/build-revenue-vectors.ts";
import {
  accountIdOf,
  attestationDigest,
  attestationStructHash,
  attestationTypedData,
  bindingHash,
  EMPTY_PAYOUT_ROOT,
  encodeBinding,
  encodeEpochReport,
  encodePayoutLeaf,
  encodeResolution,
  MaskoiiError,
  PAYOUT_SALT_TAG,
  PayoutTree,
  Platform,
  parseEpochReport,
  parsePayoutEntries,
  payoutLeaf,
  payoutLeafHash,
  processPayoutProof,
  type RevenueAttestationKind,
  reportHash,
  resolutionHash,
  solanaDistributionId,
  typeHashOf,
  typeStringOf,
  verifyPayoutProof,
} from "../src/index.ts";
import { batchRoot } from "../src/merkle.ts";

type Attested = { domain: number; verifier: Hex; attesterSetId: string; structHash: Hex; digest: Hex };
type EntryJson = { slot: string; account: Hex; token: Hex; recipient: Hex; cumulative: string; salt: Hex };
type Vectors = {
  description: string[];
  version: number;
  constants: Record<string, string> & { platforms: Record<string, number> };
  accountIds: { platform: number; platformName: string; name: string; accountId: Hex }[];
  invalidAccountIds: { name: string; platform: number; account: string; error: string }[];
  bindings: {
    name: string;
    platform: number;
    accountId: Hex;
    persona: Address;
    sequence: string;
    encoded: Hex;
    hash: Hex;
    attestation: Attested;
  }[];
  malformedBindings: {
    name: string;
    platform: number;
    accountId: Hex;
    persona: Address;
    sequence: string;
    error: string;
  }[];
  reports: {
    name: string;
    report: unknown;
    encoded: Hex;
    hash: Hex;
    attestation: Attested;
    solanaDistributionIds: Hex[];
  }[];
  resolutions: {
    name: string;
    reportHash: Hex;
    seq: string;
    upheld: boolean;
    encoded: Hex;
    hash: Hex;
    attestation: Attested;
  }[];
  payoutLeaves: (EntryJson & { name: string; encoded: Hex; hash: Hex; leaf: Hex })[];
  payoutTrees: {
    name: string;
    leafCount: number;
    leaves: (EntryJson & { hash: Hex; leaf: Hex })[];
    root: Hex;
    proofs: Hex[][];
  }[];
  invalidPayoutProofs: (EntryJson & { name: string; proof: Hex[]; root: Hex; error: string })[];
  malformedPayoutTrees: { name: string; entries: EntryJson[]; error: string }[];
};

const raw = readFileSync(join(import.meta.dirname, "../../test/vectors/revenue.json"), "utf8");
const v = JSON.parse(raw) as Vectors;

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof MaskoiiError) return e.code;
    throw e;
  }
  return "(no error)";
}

function checkAttested(kind: RevenueAttestationKind, value: Hex, a: Attested) {
  const fields = { domain: a.domain, verifier: a.verifier, attesterSetId: BigInt(a.attesterSetId), value };
  expect(attestationStructHash(kind, fields)).toBe(a.structHash);
  expect(attestationDigest(kind, fields)).toBe(a.digest);
  expect(hashTypedData(attestationTypedData(kind, fields))).toBe(a.digest);
}

const entry = (e: EntryJson) =>
  parsePayoutEntries([
    {
      slot: e.slot,
      account: e.account,
      token: e.token,
      recipient: e.recipient,
      cumulative: e.cumulative,
      salt: e.salt,
    },
  ])[0]!;

describe("test/vectors/revenue.json", () => {
  it("is exactly what sdk/scripts/gen-vectors.ts writes (regenerate after changing an encoding)", () => {
    expect(raw).toBe(`${JSON.stringify(generated, null, 2)}\n`);
  });

  it("documents itself and has every section non-empty", () => {
    expect(v.version).toBe(1);
    expect(v.description.join(" ")).toMatch(/decimal strings/);
    for (const [section, value] of Object.entries(v)) {
      if (Array.isArray(value)) expect(value.length, section).toBeGreaterThan(0);
    }
  });

  it("constants hash their own strings and match the SDK", () => {
    for (const kind of ["identityBinding", "epochReport", "reportResolution"] as const) {
      expect(v.constants[`${kind}TypeString`]).toBe(typeStringOf(kind));
      expect(v.constants[`${kind}Typehash`]).toBe(keccak256(stringToHex(v.constants[`${kind}TypeString`]!)));
      expect(v.constants[`${kind}Typehash`]).toBe(typeHashOf(kind));
    }
    expect(v.constants.platforms).toEqual({ ...Platform });
    expect(v.constants.payoutSaltTag).toBe(keccak256(stringToHex(v.constants.payoutSaltTagString!)));
    expect(v.constants.payoutSaltTag).toBe(PAYOUT_SALT_TAG);
    expect(v.constants.emptyPayoutRoot).toBe(EMPTY_PAYOUT_ROOT);
  });
});

describe("account ids", () => {
  it("derive from platform names; invalid ones fail with the recorded code", () => {
    for (const c of v.accountIds) expect(accountIdOf(c.platform, c.name), c.name).toBe(c.accountId);
    for (const c of v.invalidAccountIds)
      expect(
        codeOf(() => accountIdOf(c.platform, c.account)),
        c.name,
      ).toBe(c.error);
    expect(v.invalidAccountIds.map((c) => c.error)).toContain("UnknownPlatform");
  });
});

describe("bindings", () => {
  it("encode, hash and digest as recorded", () => {
    for (const c of v.bindings) {
      const b = { platform: c.platform, accountId: c.accountId, persona: c.persona, sequence: BigInt(c.sequence) };
      expect(encodeBinding(b), c.name).toBe(c.encoded);
      expect(bindingHash(b), c.name).toBe(c.hash);
      expect(keccak256(c.encoded)).toBe(c.hash);
      checkAttested("identityBinding", c.hash, c.attestation);
    }
    expect(v.bindings.some((b) => BigInt(b.persona) === 0n)).toBe(true);
  });

  it("malformed bindings fail with the recorded code", () => {
    for (const c of v.malformedBindings) {
      const b = { platform: c.platform, accountId: c.accountId, persona: c.persona, sequence: BigInt(c.sequence) };
      expect(
        codeOf(() => bindingHash(b)),
        c.name,
      ).toBe(c.error);
    }
  });
});

describe("reports and resolutions", () => {
  it("reports encode, hash and digest as recorded", () => {
    for (const c of v.reports) {
      const report = parseEpochReport(c.report);
      expect(encodeEpochReport(report), c.name).toBe(c.encoded);
      expect(reportHash(report), c.name).toBe(c.hash);
      checkAttested("epochReport", c.hash, c.attestation);
      const solana = report.solana ?? [];
      expect(
        solana.map((d) => solanaDistributionId(c.hash, d.token)),
        c.name,
      ).toEqual(c.solanaDistributionIds);
    }
    expect(v.reports.map((r) => parseEpochReport(r.report).lines.length)).toContain(32);
    expect(v.reports.map((r) => (parseEpochReport(r.report).solana ?? []).length)).toContain(1);
  });

  it("resolutions encode, hash and digest as recorded", () => {
    for (const c of v.resolutions) {
      const resolution = { reportHash: c.reportHash, seq: BigInt(c.seq), upheld: c.upheld };
      expect(encodeResolution(resolution), c.name).toBe(c.encoded);
      expect(resolutionHash(resolution), c.name).toBe(c.hash);
      checkAttested("reportResolution", c.hash, c.attestation);
    }
    expect(new Set(v.resolutions.map((r) => r.upheld))).toEqual(new Set([true, false]));
  });
});

describe("payout leaves and trees", () => {
  it("leaves encode and hash as recorded", () => {
    for (const c of v.payoutLeaves) {
      const e = entry(c);
      expect(encodePayoutLeaf(e), c.name).toBe(c.encoded);
      expect(payoutLeafHash(e), c.name).toBe(c.hash);
      expect(payoutLeaf(e), c.name).toBe(c.leaf);
      expect(keccak256(c.hash)).toBe(c.leaf);
    }
  });

  it("trees rebuild to the recorded root and leaf order in any input order; every proof verifies", () => {
    for (const t of v.payoutTrees) {
      const entries = t.leaves.map(entry);
      const tree = PayoutTree.build([...entries].reverse());
      expect(tree.root, t.name).toBe(t.root);
      expect(tree.leafCount).toBe(t.leafCount);
      expect(tree.leaves).toEqual(t.leaves.map((l) => l.leaf));
      expect(batchRoot(t.leaves.map((l) => l.hash))).toBe(t.root);
      t.leaves.forEach((l, i) => {
        expect(payoutLeaf(entry(l))).toBe(l.leaf);
        expect(tree.proof(i)).toEqual(t.proofs[i]);
        expect(processPayoutProof(l.leaf, t.proofs[i]!)).toBe(t.root);
        expect(verifyPayoutProof({ entry: entry(l), proof: t.proofs[i]!, root: t.root })).toBe(true);
      });
    }
  });

  it("invalid proofs do not verify", () => {
    for (const c of v.invalidPayoutProofs) {
      expect(verifyPayoutProof({ entry: entry(c), proof: c.proof, root: c.root }), c.name).toBe(false);
      expect(c.error).toBe("InvalidPayoutProof");
    }
  });

  it("malformed trees fail with the recorded code", () => {
    for (const c of v.malformedPayoutTrees) {
      expect(
        codeOf(() => PayoutTree.build(parsePayoutEntries(c.entries))),
        c.name,
      ).toBe(c.error);
    }
  });
});
