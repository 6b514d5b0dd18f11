import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, type Hex, hashTypedData, keccak256, stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { vectors as generated } from "../scripts/build-vectors.ts";
import {
  ATTESTATION_DOMAIN,
  type AttestationKind,
  addressOfPrivateKey,
  addressToBytes32,
  attestationDigest,
  attestationStructHash,
  attestationTypedData,
  BATCH_TYPEHASH,
  batchLeaf,
  batchProof,
  batchRoot,
  buildAttestation,
  checkAttestation,
  claimLeaf,
  claimLeafHash,
  claimLeafPreimage,
  claimProof,
  claimRoot,
  DOMAIN_SEPARATOR,
  DOMAIN_TYPEHASH,
  decodeAttestation,
  decodeDistributionMessage,
  decodeMessage,
  decodeRefundReceipt,
  decodeTokenMessage,
  encodeAttestation,
  encodeAttesterSet,
  encodeDistributionMessage,
  encodeMessage,
  encodeRefundReceipt,
  encodeTokenMessage,
  MaskoiiError,
  MESSAGE_TYPEHASH,
  messageId,
  NAME_HASH,
  quorumOf,
  REFUND_TYPEHASH,
  ROTATION_TYPEHASH,
  refundReceiptHash,
  setHash,
  signDigest,
  toLocal,
  toShared,
  typeHashOf,
  VERSION_HASH,
  verifyBatchProof,
} from "../src/index.ts";

type Sig = { index: number; r: Hex; s: Hex; v: number };
type Vectors = {
  description: string[];
  version: number;
  constants: Record<string, string>;
  messages: {
    name: string;
    version: number;
    nonce: string;
    originDomain: number;
    sender: Hex;
    destinationDomain: number;
    recipient: Hex;
    payload: Hex;
    encoded: Hex;
    id: Hex;
  }[];
  malformedMessages: { name: string; encoded: Hex; error: string }[];
  addressPadding: { address: Address; bytes32: Hex }[];
  digests: {
    kind: AttestationKind;
    typeHash: Hex;
    domain: number;
    verifier: Hex;
    attesterSetId: string;
    value: Hex;
    structHash: Hex;
    digest: Hex;
  }[];
  attestations: {
    name: string;
    privateKeys: Hex[];
    attesters: Address[];
    weights: string[];
    thresholdBps: number;
    kind: AttestationKind;
    domain: number;
    verifier: Hex;
    attesterSetId: string;
    value: Hex;
    digest: Hex;
    signerIndices: number[];
    signatures: Sig[];
    signedWeight: string;
    totalWeight: string;
    quorum: boolean;
    encoded: Hex;
  }[];
  malformedAttestations: { name: string; encoded: Hex; attestation: number; error: string }[];
  merkle: { size: number; messageIds: Hex[]; leaves: Hex[]; root: Hex; proofs: Hex[][] }[];
  attesterSets: {
    name: string;
    setId: string;
    thresholdBps: number;
    attesters: Address[];
    weights: string[];
    encoded: Hex;
    hash: Hex;
  }[];
  invalidAttesterSets: {
    name: string;
    setId: string;
    thresholdBps: number;
    attesters: Address[];
    weights: string[];
    error: string;
  }[];
  tokenMessages: { name: string; kind: number; token: Hex; recipient: Hex; amount: string; encoded: Hex }[];
  malformedTokenMessages: { name: string; encoded: Hex; error: string }[];
  distributionMessages: {
    name: string;
    kind: number;
    root: Hex;
    token: Hex;
    total: string;
    leafCount: number;
    distributionId: Hex;
    encoded: Hex;
  }[];
  malformedDistributionMessages: { name: string; encoded: Hex; error: string }[];
  claimTrees: {
    name: string;
    leaves: { index: number; claimant: Hex; amount: string; salt: Hex; preimage: Hex; hash: Hex; leaf: Hex }[];
    root: Hex;
    proofs: Hex[][];
  }[];
  amounts: {
    name: string;
    amount: string;
    localDecimals: number;
    sharedDecimals: number;
    wire: string;
    dust: string;
    sent: string;
    local: string;
  }[];
  invalidAmounts: { name: string; amount: string; localDecimals: number; sharedDecimals: number; error: string }[];
  refundReceipts: {
    name: string;
    messageId: Hex;
    originDomain: number;
    nonce: string;
    destinationDomain: number;
    token: Hex;
    refundTo: Hex;
    wireAmount: string;
    encoded: Hex;
    refundHash: Hex;
    verifier: Hex;
    attesterSetId: string;
    structHash: Hex;
    digest: Hex;
  }[];
  malformedRefundReceipts: { name: string; encoded: Hex; error: string }[];
};

const path = join(import.meta.dirname, "../../test/vectors/protocol.json");
const raw = readFileSync(path, "utf8");
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

describe("test/vectors/protocol.json", () => {
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
});

describe("constants", () => {
  it("match the SDK and hash their own type strings", () => {
    const c = v.constants;
    expect(c.domainTypehash).toBe(DOMAIN_TYPEHASH);
    expect(c.nameHash).toBe(NAME_HASH);
    expect(c.versionHash).toBe(VERSION_HASH);
    expect(c.domainSeparator).toBe(DOMAIN_SEPARATOR);
    expect(c.messageTypehash).toBe(MESSAGE_TYPEHASH);
    expect(c.batchTypehash).toBe(BATCH_TYPEHASH);
    expect(c.rotationTypehash).toBe(ROTATION_TYPEHASH);
    expect(c.refundTypehash).toBe(REFUND_TYPEHASH);
    expect(keccak256(stringToHex(c.refundTypeString!))).toBe(c.refundTypehash);
    expect(keccak256(stringToHex(c.domainTypeString!))).toBe(c.domainTypehash);
    expect(keccak256(stringToHex(c.messageTypeString!))).toBe(c.messageTypehash);
    expect(keccak256(stringToHex(c.batchTypeString!))).toBe(c.batchTypehash);
    expect(keccak256(stringToHex(c.rotationTypeString!))).toBe(c.rotationTypehash);
    expect({ name: c.name, version: c.version }).toEqual(ATTESTATION_DOMAIN);
  });
});

describe("messages", () => {
  it.each(v.messages.map((m) => [m.name, m] as const))("%s", (_, m) => {
    const encoded = encodeMessage({ ...m, nonce: BigInt(m.nonce) });
    expect(encoded).toBe(m.encoded);
    expect(messageId(encoded)).toBe(m.id);
    expect(keccak256(m.encoded)).toBe(m.id);
    expect(decodeMessage(m.encoded)).toEqual({
      version: m.version,
      nonce: BigInt(m.nonce),
      originDomain: m.originDomain,
      sender: m.sender,
      destinationDomain: m.destinationDomain,
      recipient: m.recipient,
      payload: m.payload,
    });
  });

  it("include empty, 4096-byte and non-EVM-sender payloads", () => {
    const lengths = v.messages.map((m) => (m.payload.length - 2) / 2);
    expect(lengths).toContain(0);
    expect(lengths).toContain(4096);
    expect(v.messages.some((m) => !m.sender.startsWith(`0x${"00".repeat(12)}`))).toBe(true);
  });

  it.each(v.malformedMessages.map((m) => [m.name, m] as const))("malformed: %s", (_, m) => {
    expect(codeOf(() => messageId(m.encoded))).toBe(m.error);
    expect(codeOf(() => decodeMessage(m.encoded))).toBe(m.error);
  });

  it("address padding", () => {
    for (const a of v.addressPadding) expect(addressToBytes32(a.address)).toBe(a.bytes32);
  });
});

describe("digests", () => {
  it.each(v.digests.map((d, i) => [`${i} ${d.kind}`, d] as const))("%s", (_, d) => {
    const fields = { domain: d.domain, verifier: d.verifier, attesterSetId: BigInt(d.attesterSetId), value: d.value };
    expect(typeHashOf(d.kind)).toBe(d.typeHash);
    expect(attestationStructHash(d.kind, fields)).toBe(d.structHash);
    expect(attestationDigest(d.kind, fields)).toBe(d.digest);
    expect(hashTypedData(attestationTypedData(d.kind, fields))).toBe(d.digest);
  });
});

describe("attestations", () => {
  it.each(v.attestations.map((a) => [a.name, a] as const))("%s", (_, a) => {
    const fields = { domain: a.domain, verifier: a.verifier, attesterSetId: BigInt(a.attesterSetId), value: a.value };
    expect(attestationDigest(a.kind, fields)).toBe(a.digest);
    expect(a.privateKeys.map(addressOfPrivateKey)).toEqual(a.attesters);
    // Signatures recomputed one by one, then the whole attestation through the builder.
    const sigs = a.signerIndices.map((index) => ({ index, ...signDigest(a.digest, a.privateKeys[index]!) }));
    expect(sigs).toEqual(a.signatures);
    expect(encodeAttestation(BigInt(a.attesterSetId), sigs)).toBe(a.encoded);
    expect(
      buildAttestation({
        digest: a.digest,
        attesterSetId: BigInt(a.attesterSetId),
        attesters: a.attesters,
        signers: [...a.signerIndices].reverse().map((i) => a.privateKeys[i]!),
      }),
    ).toBe(a.encoded);
    expect(decodeAttestation(a.encoded)).toEqual({ attesterSetId: BigInt(a.attesterSetId), signatures: a.signatures });
    const weights = a.weights.map(BigInt);
    const check = checkAttestation({
      digest: a.digest,
      attestation: a.encoded,
      attesters: a.attesters,
      weights,
      thresholdBps: a.thresholdBps,
    });
    expect(check.signers).toEqual(a.signerIndices.map((i) => a.attesters[i]));
    expect(check.signedWeight).toBe(BigInt(a.signedWeight));
    expect(check.totalWeight).toBe(BigInt(a.totalWeight));
    expect(check.quorum).toBe(a.quorum);
    expect(quorumOf({ weights, thresholdBps: a.thresholdBps }, a.signerIndices).quorum).toBe(a.quorum);
  });

  it.each(v.malformedAttestations.map((m) => [m.name, m] as const))("malformed: %s", (_, m) => {
    const a = v.attestations[m.attestation]!;
    const run = () =>
      checkAttestation({
        digest: a.digest,
        attestation: m.encoded,
        attesters: a.attesters,
        weights: a.weights.map(BigInt),
        thresholdBps: a.thresholdBps,
      });
    expect(codeOf(run)).toBe(m.error);
  });
});

describe("merkle", () => {
  it.each(v.merkle.map((b) => [b.size, b] as const))("batch of %i", (size, b) => {
    expect(b.messageIds).toHaveLength(size);
    expect(b.messageIds.map(batchLeaf)).toEqual(b.leaves);
    expect(batchRoot(b.messageIds)).toBe(b.root);
    b.messageIds.forEach((id, i) => {
      expect(batchProof(b.messageIds, i)).toEqual(b.proofs[i]);
      expect(verifyBatchProof({ messageId: id, proof: b.proofs[i]!, root: b.root })).toBe(true);
    });
  });

  it("covers batch sizes 1, 2, 3, 5 and 8", () => {
    expect(v.merkle.map((b) => b.size)).toEqual([1, 2, 3, 5, 8]);
  });
});

describe("attester sets", () => {
  it.each(v.attesterSets.map((s) => [s.name, s] as const))("%s", (_, s) => {
    const set = {
      setId: BigInt(s.setId),
      thresholdBps: s.thresholdBps,
      attesters: s.attesters,
      weights: s.weights.map(BigInt),
    };
    expect(encodeAttesterSet(set)).toBe(s.encoded);
    expect(setHash(set.setId, set.thresholdBps, set.attesters, set.weights)).toBe(s.hash);
    expect(keccak256(s.encoded)).toBe(s.hash);
  });

  it.each(v.invalidAttesterSets.map((s) => [s.name, s] as const))("invalid: %s", (_, s) => {
    expect(codeOf(() => setHash(BigInt(s.setId), s.thresholdBps, s.attesters, s.weights.map(BigInt)))).toBe(s.error);
  });
});

const byteLengthOf = (hex: Hex): number => (hex.length - 2) / 2;

describe("token messages and amounts", () => {
  it.each(v.tokenMessages.map((t) => [t.name, t] as const))("%s", (_, t) => {
    const fields = { token: t.token, recipient: t.recipient, amount: BigInt(t.amount) };
    expect(t.kind).toBe(1);
    expect(encodeTokenMessage(fields)).toBe(t.encoded);
    expect(decodeTokenMessage(t.encoded)).toEqual(fields);
  });

  it.each(v.malformedTokenMessages.map((t) => [t.name, t] as const))("malformed: %s", (_, t) => {
    expect(codeOf(() => decodeTokenMessage(t.encoded))).toBe(t.error);
  });

  it("every payload kind of the spec's table has vectors, and kind 2 is never a transfer", () => {
    expect(new Set(v.tokenMessages.map((t) => t.kind))).toEqual(new Set([1]));
    expect(new Set(v.distributionMessages.map((t) => t.kind))).toEqual(new Set([2]));
    const kind2 = v.malformedTokenMessages.find((t) => t.encoded.startsWith("0x02"));
    expect(kind2?.error).toBe("TokenMessageUnknownKind");
  });

  it.each(v.distributionMessages.map((t) => [t.name, t] as const))("distribution: %s", (_, t) => {
    const fields = {
      root: t.root,
      token: t.token,
      total: BigInt(t.total),
      leafCount: t.leafCount,
      distributionId: t.distributionId,
    };
    expect(t.kind).toBe(2);
    expect(encodeDistributionMessage(fields)).toBe(t.encoded);
    expect(decodeDistributionMessage(t.encoded)).toEqual(fields);
  });

  it.each(v.malformedDistributionMessages.map((t) => [t.name, t] as const))("malformed distribution: %s", (_, t) => {
    expect(codeOf(() => decodeDistributionMessage(t.encoded))).toBe(t.error);
  });

  it.each(v.claimTrees.map((t) => [t.name, t] as const))("claim tree: %s", (_, t) => {
    const leaves = t.leaves.map((l) => ({
      index: l.index,
      claimant: l.claimant,
      amount: BigInt(l.amount),
      salt: l.salt,
    }));
    for (const [i, l] of t.leaves.entries()) {
      expect(claimLeafPreimage(leaves[i]!)).toBe(l.preimage);
      expect(byteLengthOf(l.preimage)).toBe(76);
      expect(claimLeafHash(leaves[i]!)).toBe(l.hash);
      expect(claimLeaf(leaves[i]!)).toBe(l.leaf);
      expect(keccak256(l.hash)).toBe(l.leaf);
      expect(claimProof(leaves, i)).toEqual(t.proofs[i]);
    }
    expect(claimRoot(leaves)).toBe(t.root);
  });

  it.each(v.amounts.map((a) => [a.name, a] as const))("%s", (_, a) => {
    const r = toShared(BigInt(a.amount), a.localDecimals, a.sharedDecimals);
    expect(r).toEqual({ wire: BigInt(a.wire), dust: BigInt(a.dust), sent: BigInt(a.sent) });
    expect(toLocal(r.wire, a.localDecimals, a.sharedDecimals)).toBe(BigInt(a.local));
    expect(BigInt(a.local) + BigInt(a.dust)).toBe(BigInt(a.amount));
  });

  it("amount vectors cover 18->8, 9->8, 6->6", () => {
    const pairs = new Set(v.amounts.map((a) => `${a.localDecimals}->${a.sharedDecimals}`));
    for (const p of ["18->8", "9->8", "6->6"]) expect(pairs.has(p)).toBe(true);
  });

  it.each(v.invalidAmounts.map((a) => [a.name, a] as const))("invalid: %s", (_, a) => {
    expect(codeOf(() => toShared(BigInt(a.amount), a.localDecimals, a.sharedDecimals))).toBe(a.error);
  });
});

describe("refund receipts", () => {
  it.each(v.refundReceipts.map((r) => [r.name, r] as const))("%s", (_, r) => {
    const receipt = {
      messageId: r.messageId,
      originDomain: r.originDomain,
      nonce: BigInt(r.nonce),
      destinationDomain: r.destinationDomain,
      token: r.token,
      refundTo: r.refundTo,
      wireAmount: BigInt(r.wireAmount),
    };
    expect(encodeRefundReceipt(receipt)).toBe(r.encoded);
    expect(byteLengthOf(r.encoded)).toBe(121);
    expect(decodeRefundReceipt(r.encoded)).toEqual(receipt);
    expect(refundReceiptHash(receipt)).toBe(r.refundHash);
    expect(keccak256(r.encoded)).toBe(r.refundHash);
    // The digest is verified on the ORIGIN: domain = originDomain.
    const fields = {
      domain: r.originDomain,
      verifier: r.verifier,
      attesterSetId: BigInt(r.attesterSetId),
      value: r.refundHash,
    };
    expect(attestationStructHash("refund", fields)).toBe(r.structHash);
    expect(attestationDigest("refund", fields)).toBe(r.digest);
    expect(hashTypedData(attestationTypedData("refund", fields))).toBe(r.digest);
    // Domain separation: the same value as a message attestation is another digest.
    expect(attestationDigest("message", fields)).not.toBe(r.digest);
  });

  it.each(v.malformedRefundReceipts.map((r) => [r.name, r] as const))("malformed: %s", (_, r) => {
    expect(codeOf(() => decodeRefundReceipt(r.encoded))).toBe(r.error);
    expect(codeOf(() => refundReceiptHash(r.encoded))).toBe(r.error);
  });
});
