/**
 * Builds the shared cross-language test vectors (docs/protocol.md §10); sdk/scripts/gen-vectors.ts writes them to
 * test/vectors/protocol.json. Deterministic: every input is fixed or derived from a fixed label, signatures are
 * RFC 6979.
 */
import { type Address, type Hex, keccak256, stringToHex, toHex } from "viem";
import {
  type AttestationKind,
  addressOfPrivateKey,
  addressToBytes32,
  attestationDigest,
  attestationStructHash,
  BATCH_TYPEHASH,
  batchLeaf,
  batchProof,
  batchRoot,
  buildAttestation,
  type ClaimLeaf,
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
  decodeRefundReceipt,
  decodeTokenMessage,
  encodeAttesterSet,
  encodeDistributionMessage,
  encodeMessage,
  encodeRefundReceipt,
  encodeTokenMessage,
  type IndexedSignature,
  MaskoiiError,
  MESSAGE_TYPEHASH,
  type MessageFields,
  messageId,
  NAME_HASH,
  quorumOf,
  REFUND_TYPEHASH,
  ROTATION_TYPEHASH,
  refundReceiptHash,
  SECP256K1_N,
  setHash,
  sortAttesters,
  toLocal,
  toShared,
  typeHashOf,
  VERSION_HASH,
} from "../src/index.ts";

/** A deterministic 32-byte value from a label. */
const h = (label: string): Hex => keccak256(stringToHex(`maskoii.vectors.${label}`));
const bytes = (n: number, f: (i: number) => number): Hex =>
  `0x${Array.from({ length: n }, (_, i) => (f(i) & 0xff).toString(16).padStart(2, "0")).join("")}`;
const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffffffff;

/** The error code a thunk throws (vectors record the code, which is also the Solidity error name where one exists). */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof MaskoiiError) return e.code;
    throw e;
  }
  throw new Error("expected an error");
}

// ---------------------------------------------------------------------------------------------------------------
// messages

const evmA = addressToBytes32("0x1111111111111111111111111111111111111111");
const evmB = addressToBytes32("0x00000000000000000000000000000000000000aa");
const solanaKey = h("solana-sender"); // a 32-byte public key: upper bytes non-zero

const messageCases: { name: string; fields: MessageFields }[] = [
  {
    name: "evm-to-evm, short payload, nonce 0",
    fields: {
      nonce: 0n,
      originDomain: 1001,
      sender: evmA,
      destinationDomain: 1002,
      recipient: evmB,
      payload: "0xdeadbeef",
    },
  },
  {
    name: "empty payload",
    fields: { nonce: 1n, originDomain: 1002, sender: evmB, destinationDomain: 1001, recipient: evmA, payload: "0x" },
  },
  {
    name: "max-length payload (4096 bytes, byte i = i mod 256)",
    fields: {
      nonce: 42n,
      originDomain: 1,
      sender: evmA,
      destinationDomain: 2,
      recipient: solanaKey,
      payload: bytes(4096, (i) => i),
    },
  },
  {
    name: "solana-style 32-byte sender",
    fields: {
      nonce: 7n,
      originDomain: 1003,
      sender: solanaKey,
      destinationDomain: 1001,
      recipient: evmA,
      payload: bytes(33, (i) => 255 - i),
    },
  },
  {
    name: "maximum field values",
    fields: {
      nonce: U64_MAX,
      originDomain: U32_MAX,
      sender: `0x${"ff".repeat(32)}`,
      destinationDomain: U32_MAX,
      recipient: `0x${"ff".repeat(32)}`,
      payload: "0x00",
    },
  },
];

const messages = messageCases.map(({ name, fields }) => {
  const encoded = encodeMessage(fields);
  return {
    name,
    version: 1,
    nonce: fields.nonce.toString(),
    originDomain: fields.originDomain,
    sender: fields.sender,
    destinationDomain: fields.destinationDomain,
    recipient: fields.recipient,
    payload: fields.payload,
    encoded,
    id: messageId(encoded),
  };
});

const firstEncoded = messages[0]!.encoded;
const malformedMessageCases: { name: string; encoded: Hex }[] = [
  { name: "empty", encoded: "0x" },
  { name: "80 bytes (one short of the header)", encoded: firstEncoded.slice(0, 2 + 80 * 2) as Hex },
  { name: "version 0", encoded: `0x00${firstEncoded.slice(4)}` },
  { name: "version 2", encoded: `0x02${firstEncoded.slice(4)}` },
  { name: "payload of 4097 bytes", encoded: `${messages[2]!.encoded}00` },
  { name: "80 bytes with version 2 (length is checked first)", encoded: `0x02${firstEncoded.slice(4, 2 + 80 * 2)}` },
];
const malformedMessages = malformedMessageCases.map((c) => ({
  ...c,
  error: errorOf(() => messageId(c.encoded)),
}));

const addressPadding = [
  "0x0000000000000000000000000000000000000001",
  "0x1111111111111111111111111111111111111111",
  "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF",
].map((address) => ({ address: address as Address, bytes32: addressToBytes32(address as Address) }));

// ---------------------------------------------------------------------------------------------------------------
// digests

const gatewayB = addressToBytes32("0x2222222222222222222222222222222222222222");
const digestCases: { kind: AttestationKind; domain: number; verifier: Hex; attesterSetId: bigint; value: Hex }[] = [
  { kind: "message", domain: 1002, verifier: gatewayB, attesterSetId: 1n, value: messages[0]!.id },
  { kind: "message", domain: U32_MAX, verifier: `0x${"ff".repeat(32)}`, attesterSetId: U64_MAX, value: h("id") },
  { kind: "batch", domain: 1001, verifier: gatewayB, attesterSetId: 2n, value: h("root") },
  { kind: "batch", domain: 1, verifier: solanaKey, attesterSetId: 0n, value: `0x${"00".repeat(32)}` },
  { kind: "rotation", domain: 1001, verifier: evmA, attesterSetId: 1n, value: h("next-set") },
  { kind: "rotation", domain: 3, verifier: solanaKey, attesterSetId: 99n, value: h("next-set-2") },
];
const digests = digestCases.map((c) => ({
  kind: c.kind,
  typeHash: typeHashOf(c.kind),
  domain: c.domain,
  verifier: c.verifier,
  attesterSetId: c.attesterSetId.toString(),
  value: c.value,
  structHash: attestationStructHash(c.kind, c),
  digest: attestationDigest(c.kind, c),
}));

// ---------------------------------------------------------------------------------------------------------------
// attestations

function attestationCase(
  name: string,
  size: number,
  signerIdx: readonly number[],
  thresholdBps: number,
  weightOf: (i: number) => bigint,
) {
  const keys = Array.from({ length: size }, (_, i) => h(`attester-key.${i}`));
  const members = keys.map((k, i) => ({ address: addressOfPrivateKey(k), weight: weightOf(i) }));
  const { attesters, weights } = sortAttesters(members);
  const keyOf = new Map(keys.map((k) => [addressOfPrivateKey(k).toLowerCase(), k]));
  const sortedKeys = attesters.map((a) => keyOf.get(a.toLowerCase())!);
  const attesterSetId = 1n; // the first set of a fresh AttesterSet, so the contract itself can check these
  const fields = { domain: 1002, verifier: gatewayB, attesterSetId, value: messages[0]!.id };
  const digest = attestationDigest("message", fields);
  const encoded = buildAttestation({
    digest,
    attesterSetId,
    attesters,
    signers: signerIdx.map((i) => sortedKeys[i]!),
  });
  const q = quorumOf({ weights, thresholdBps }, signerIdx);
  return {
    name,
    privateKeys: sortedKeys,
    attesters,
    weights: weights.map(String),
    thresholdBps,
    kind: "message",
    domain: fields.domain,
    verifier: fields.verifier,
    attesterSetId: attesterSetId.toString(),
    value: fields.value,
    digest,
    signerIndices: signerIdx,
    signatures: decodeAttestation(encoded).signatures,
    signedWeight: q.signedWeight.toString(),
    totalWeight: q.totalWeight.toString(),
    quorum: q.quorum,
    encoded,
  };
}

const attestations = [
  attestationCase("3 of 5, equal weights, 60%", 5, [0, 2, 4], 6000, () => 1n),
  attestationCase(
    "13 of 19, equal weights, 66.67%",
    19,
    [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 18],
    6667,
    () => 10n ** 18n,
  ),
  attestationCase("3 of 5, unequal weights, 60%", 5, [1, 3, 4], 6000, (i) => BigInt(100 + i * 10)),
  attestationCase("2 of 5, below threshold", 5, [1, 3], 6000, () => 1n),
  attestationCase("1 of 1, 100%", 1, [0], 10000, () => 7n),
];

// Malformed attestations, all derived from attestations[0] (same digest and set).
const base = attestations[0]!;
const baseSigs = base.signatures;
const sigHex = (sig: { index: number; r: Hex; s: Hex; v: number }): string =>
  `${sig.index.toString(16).padStart(2, "0")}${sig.r.slice(2)}${sig.s.slice(2)}${sig.v.toString(16).padStart(2, "0")}`;
const withSigs = (sigs: readonly { index: number; r: Hex; s: Hex; v: number }[]): Hex =>
  `${base.encoded.slice(0, 18)}${sigs.map(sigHex).join("")}` as Hex;
const N = SECP256K1_N;
const [s0, s1, s2] = baseSigs as [IndexedSignature, IndexedSignature, IndexedSignature];
const malformedAttestationCases: { name: string; encoded: Hex }[] = [
  { name: "7 bytes", encoded: base.encoded.slice(0, 16) as Hex },
  { name: "set id only", encoded: base.encoded.slice(0, 18) as Hex },
  { name: "one byte short", encoded: base.encoded.slice(0, -2) as Hex },
  { name: "one byte too many", encoded: `${base.encoded}00` as Hex },
  { name: "duplicate signer", encoded: withSigs([s0, s0, s1, s2]) },
  { name: "signers out of order", encoded: withSigs([s1, s0, s2]) },
  { name: "v = 29", encoded: withSigs([s0, { ...s1, v: 29 }, s2]) },
  { name: "v = 0", encoded: withSigs([{ ...s0, v: 0 }, s1, s2]) },
  {
    name: "high s (the malleable twin of a valid signature)",
    encoded: withSigs([s0, { ...s1, s: toHex(N - BigInt(s1.s), { size: 32 }), v: s1.v === 27 ? 28 : 27 }, s2]),
  },
  { name: "r = 0 (recovers to no key)", encoded: withSigs([s0, { ...s1, r: `0x${"00".repeat(32)}` }, s2]) },
  { name: "index past the end of the set", encoded: withSigs([s0, s1, { ...s2, index: 5 }]) },
  { name: "valid signature at another member's index", encoded: withSigs([s0, { ...s1, index: 3 }, s2]) },
];
const malformedAttestations = malformedAttestationCases.map((c) => ({
  ...c,
  attestation: 0,
  error: errorOf(() =>
    checkAttestation({
      digest: base.digest,
      attestation: c.encoded,
      attesters: base.attesters,
      weights: base.weights.map(BigInt),
      thresholdBps: base.thresholdBps,
    }),
  ),
}));

// ---------------------------------------------------------------------------------------------------------------
// merkle

const merkle = [1, 2, 3, 5, 8].map((size) => {
  const messageIds = Array.from({ length: size }, (_, i) => h(`batch.${size}.${i}`));
  return {
    size,
    messageIds,
    leaves: messageIds.map(batchLeaf),
    root: batchRoot(messageIds),
    proofs: messageIds.map((_, i) => batchProof(messageIds, i)),
  };
});

// ---------------------------------------------------------------------------------------------------------------
// attester sets

const addr = (i: number): Address => addressOfPrivateKey(h(`set-member.${i}`));
function setCase(name: string, setId: bigint, thresholdBps: number, members: { address: Address; weight: bigint }[]) {
  const { attesters, weights } = sortAttesters(members);
  return {
    name,
    setId: setId.toString(),
    thresholdBps,
    attesters,
    weights: weights.map(String),
    encoded: encodeAttesterSet({ setId, thresholdBps, attesters, weights }),
    hash: setHash(setId, thresholdBps, attesters, weights),
  };
}
const maxWeight = (1n << 96n) - 1n;
const attesterSets = [
  setCase("single member", 1n, 10000, [{ address: addr(0), weight: 1n }]),
  setCase("three members, simple majority", 2n, 5001, [
    { address: addr(1), weight: 10n },
    { address: addr(2), weight: 20n },
    { address: addr(3), weight: 30n },
  ]),
  setCase("one member holding the whole uint96 range, max set id", U64_MAX, 6667, [
    { address: addr(4), weight: maxWeight },
  ]),
  setCase(
    "128 members",
    7n,
    6667,
    Array.from({ length: 128 }, (_, i) => ({ address: addr(100 + i), weight: BigInt(i + 1) * 1_000_000_000n })),
  ),
];

const [a1, a2] = sortAttesters([
  { address: addr(1), weight: 1n },
  { address: addr(2), weight: 1n },
]).attesters as [Address, Address];
const zero = "0x0000000000000000000000000000000000000000" as Address;
const invalidSetCases: {
  name: string;
  setId: bigint;
  thresholdBps: number;
  attesters: Address[];
  weights: bigint[];
}[] = [
  { name: "no members", setId: 1n, thresholdBps: 6667, attesters: [], weights: [] },
  {
    name: "129 members",
    setId: 1n,
    thresholdBps: 6667,
    attesters: Array.from({ length: 129 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address),
    weights: Array.from({ length: 129 }, () => 1n),
  },
  { name: "length mismatch", setId: 1n, thresholdBps: 6667, attesters: [a1, a2], weights: [1n] },
  { name: "zero address", setId: 1n, thresholdBps: 6667, attesters: [zero, a1], weights: [1n, 1n] },
  { name: "descending", setId: 1n, thresholdBps: 6667, attesters: [a2, a1], weights: [1n, 1n] },
  { name: "duplicate", setId: 1n, thresholdBps: 6667, attesters: [a1, a1], weights: [1n, 1n] },
  { name: "zero weight", setId: 1n, thresholdBps: 6667, attesters: [a1, a2], weights: [1n, 0n] },
  { name: "total weight over uint96", setId: 1n, thresholdBps: 6667, attesters: [a1, a2], weights: [maxWeight, 1n] },
  { name: "threshold 5000", setId: 1n, thresholdBps: 5000, attesters: [a1, a2], weights: [1n, 1n] },
  { name: "threshold 10001", setId: 1n, thresholdBps: 10001, attesters: [a1, a2], weights: [1n, 1n] },
  { name: "set id 0", setId: 0n, thresholdBps: 6667, attesters: [a1, a2], weights: [1n, 1n] },
];
const invalidAttesterSets = invalidSetCases.map((c) => ({
  name: c.name,
  setId: c.setId.toString(),
  thresholdBps: c.thresholdBps,
  attesters: c.attesters,
  weights: c.weights.map(String),
  error: errorOf(() => setHash(c.setId, c.thresholdBps, c.attesters, c.weights)),
}));

// ---------------------------------------------------------------------------------------------------------------
// token messages and amounts

const tokenCases = [
  {
    name: "evm token to evm recipient",
    token: addressToBytes32("0x3333333333333333333333333333333333333333"),
    recipient: evmB,
    amount: 100_000_000n,
  },
  { name: "spl mint, max amount", token: h("spl-mint"), recipient: evmA, amount: U64_MAX },
  { name: "amount 1", token: evmA, recipient: solanaKey, amount: 1n },
];
const tokenMessages = tokenCases.map((c) => ({
  name: c.name,
  kind: 1,
  token: c.token,
  recipient: c.recipient,
  amount: c.amount.toString(),
  encoded: encodeTokenMessage(c),
}));
const firstToken = tokenMessages[0]!.encoded;
const malformedTokenMessages = [
  { name: "72 bytes", encoded: firstToken.slice(0, -2) as Hex },
  { name: "74 bytes", encoded: `${firstToken}00` as Hex },
  { name: "kind 0", encoded: `0x00${firstToken.slice(4)}` as Hex },
  // Kind 2 is a distribution (docs/protocol.md §8): never a transfer, whatever its length.
  { name: "kind 2 (distribution) at transfer length", encoded: `0x02${firstToken.slice(4)}` as Hex },
  { name: "kind 3 (unassigned)", encoded: `0x03${firstToken.slice(4)}` as Hex },
].map((c) => ({ ...c, error: errorOf(() => decodeTokenMessage(c.encoded)) }));

// ---------------------------------------------------------------------------------------------------------------
// claims: distribution payloads (kind 2) and salted claim leaves

const distributionCases = [
  {
    name: "spl mint, three leaves",
    root: h("claims-root"),
    token: h("spl-mint"),
    total: 600n,
    leafCount: 3,
    distributionId: h("distribution-1"),
  },
  {
    name: "evm token, max total and leaf count",
    root: h("claims-root-2"),
    token: addressToBytes32("0x3333333333333333333333333333333333333333"),
    total: U64_MAX,
    leafCount: 0xffff_ffff,
    distributionId: h("distribution-2"),
  },
];
const distributionMessages = distributionCases.map((c) => ({
  name: c.name,
  kind: 2,
  root: c.root,
  token: c.token,
  total: c.total.toString(),
  leafCount: c.leafCount,
  distributionId: c.distributionId,
  encoded: encodeDistributionMessage(c),
}));
const firstDistribution = distributionMessages[0]!.encoded;
const malformedDistributionMessages = [
  { name: "108 bytes", encoded: firstDistribution.slice(0, -2) as Hex },
  { name: "110 bytes", encoded: `${firstDistribution}00` as Hex },
  { name: "a transfer (73 bytes)", encoded: firstToken },
  { name: "kind 1 at distribution length", encoded: `0x01${firstDistribution.slice(4)}` as Hex },
  { name: "kind 3 (unassigned)", encoded: `0x03${firstDistribution.slice(4)}` as Hex },
].map((c) => ({ ...c, error: errorOf(() => decodeDistributionMessage(c.encoded)) }));

const claimTreeCases: { name: string; leaves: ClaimLeaf[] }[] = [
  {
    name: "one leaf",
    leaves: [{ index: 0, claimant: solanaKey, amount: 600n, salt: h("salt-0") }],
  },
  {
    name: "three leaves (odd node carried up)",
    leaves: [
      { index: 0, claimant: solanaKey, amount: 100n, salt: h("salt-a") },
      { index: 1, claimant: h("claimant-b"), amount: 200n, salt: h("salt-b") },
      { index: 2, claimant: evmA, amount: U64_MAX, salt: h("salt-c") },
    ],
  },
  {
    name: "four leaves",
    leaves: [0, 1, 2, 3].map((i) => ({
      index: i,
      claimant: h(`claimant-${i}`),
      amount: BigInt(i + 1) * 1_000n,
      salt: h(`salt-${i}`),
    })),
  },
];
const claimTrees = claimTreeCases.map((c) => ({
  name: c.name,
  leaves: c.leaves.map((l) => ({
    index: l.index,
    claimant: l.claimant,
    amount: l.amount.toString(),
    salt: l.salt,
    preimage: claimLeafPreimage(l),
    hash: claimLeafHash(l),
    leaf: claimLeaf(l),
  })),
  root: claimRoot(c.leaves),
  proofs: c.leaves.map((_, i) => claimProof(c.leaves, i)),
}));

// ---------------------------------------------------------------------------------------------------------------
// refund receipts (spec §8, "Refunds"): encoding, hash, and the TransferRefund digest on the origin

const refundCases = [
  {
    name: "evm origin, evm sender",
    receipt: {
      messageId: messages[0]!.id,
      originDomain: 1001,
      nonce: 7n,
      destinationDomain: 1002,
      token: addressToBytes32("0x3333333333333333333333333333333333333333"),
      refundTo: evmA,
      wireAmount: 1_000n,
    },
    // On EVM the verifier is the origin TokenBridge (gateway.verify takes it from msg.sender).
    verifier: addressToBytes32("0x4444444444444444444444444444444444444444"),
    attesterSetId: 1n,
  },
  {
    name: "solana origin, owner wallet, max fields",
    receipt: {
      messageId: h("refund-message"),
      originDomain: U32_MAX,
      nonce: U64_MAX,
      destinationDomain: 1001,
      token: h("spl-mint"),
      refundTo: solanaKey,
      wireAmount: U64_MAX,
    },
    // On Solana the verifier is the program id, as for every attestation there.
    verifier: h("program-id"),
    attesterSetId: U64_MAX,
  },
];
const refundReceipts = refundCases.map((c) => {
  const refundHash = refundReceiptHash(c.receipt);
  const fields = {
    domain: c.receipt.originDomain,
    verifier: c.verifier,
    attesterSetId: c.attesterSetId,
    value: refundHash,
  };
  return {
    name: c.name,
    messageId: c.receipt.messageId,
    originDomain: c.receipt.originDomain,
    nonce: c.receipt.nonce.toString(),
    destinationDomain: c.receipt.destinationDomain,
    token: c.receipt.token,
    refundTo: c.receipt.refundTo,
    wireAmount: c.receipt.wireAmount.toString(),
    encoded: encodeRefundReceipt(c.receipt),
    refundHash,
    verifier: c.verifier,
    attesterSetId: c.attesterSetId.toString(),
    structHash: attestationStructHash("refund", fields),
    digest: attestationDigest("refund", fields),
  };
});
const firstRefund = refundReceipts[0]!.encoded;
const malformedRefundReceipts = [
  { name: "120 bytes", encoded: firstRefund.slice(0, -2) as Hex },
  { name: "122 bytes", encoded: `${firstRefund}00` as Hex },
  { name: "empty", encoded: "0x" as Hex },
  { name: "version 0", encoded: `0x00${firstRefund.slice(4)}` as Hex },
  { name: "version 2", encoded: `0x02${firstRefund.slice(4)}` as Hex },
  { name: "version 2 at 120 bytes (length first)", encoded: `0x02${firstRefund.slice(4, -2)}` as Hex },
].map((c) => ({ ...c, error: errorOf(() => decodeRefundReceipt(c.encoded)) }));

const E = (n: number): bigint => 10n ** BigInt(n);
const amountCases: { name: string; amount: bigint; localDecimals: number; sharedDecimals: number }[] = [
  { name: "18->8 one token", amount: E(18), localDecimals: 18, sharedDecimals: 8 },
  { name: "18->8 with dust", amount: 123_456_789_012_345_678_901n, localDecimals: 18, sharedDecimals: 8 },
  { name: "18->8 exactly one shared unit", amount: E(10), localDecimals: 18, sharedDecimals: 8 },
  { name: "18->8 one unit plus maximal dust", amount: 2n * E(10) - 1n, localDecimals: 18, sharedDecimals: 8 },
  { name: "18->8 wire = uint64 max", amount: U64_MAX * E(10), localDecimals: 18, sharedDecimals: 8 },
  {
    name: "18->8 wire = uint64 max, maximal dust",
    amount: U64_MAX * E(10) + E(10) - 1n,
    localDecimals: 18,
    sharedDecimals: 8,
  },
  { name: "9->8 one token", amount: E(9), localDecimals: 9, sharedDecimals: 8 },
  { name: "9->8 dust 1", amount: 1_000_000_001n, localDecimals: 9, sharedDecimals: 8 },
  { name: "9->8 smallest", amount: 10n, localDecimals: 9, sharedDecimals: 8 },
  { name: "6->6 one unit", amount: 1n, localDecimals: 6, sharedDecimals: 6 },
  { name: "6->6 uint64 max", amount: U64_MAX, localDecimals: 6, sharedDecimals: 6 },
  { name: "8->8", amount: 12_345n, localDecimals: 8, sharedDecimals: 8 },
  { name: "0->0", amount: 5n, localDecimals: 0, sharedDecimals: 0 },
  { name: "18->0", amount: 3n * E(18) + 7n, localDecimals: 18, sharedDecimals: 0 },
];
const amounts = amountCases.map((c) => {
  const r = toShared(c.amount, c.localDecimals, c.sharedDecimals);
  return {
    name: c.name,
    amount: c.amount.toString(),
    localDecimals: c.localDecimals,
    sharedDecimals: c.sharedDecimals,
    wire: r.wire.toString(),
    dust: r.dust.toString(),
    sent: r.sent.toString(),
    local: toLocal(r.wire, c.localDecimals, c.sharedDecimals).toString(),
  };
});
const invalidAmountCases: { name: string; amount: bigint; localDecimals: number; sharedDecimals: number }[] = [
  { name: "18->8 below one shared unit", amount: E(10) - 1n, localDecimals: 18, sharedDecimals: 8 },
  { name: "zero", amount: 0n, localDecimals: 6, sharedDecimals: 6 },
  { name: "18->8 wire = uint64 max + 1", amount: (U64_MAX + 1n) * E(10), localDecimals: 18, sharedDecimals: 8 },
  { name: "6->6 uint64 max + 1", amount: U64_MAX + 1n, localDecimals: 6, sharedDecimals: 6 },
  { name: "18->8 uint256 max", amount: (1n << 256n) - 1n, localDecimals: 18, sharedDecimals: 8 },
  { name: "shared decimals above local", amount: E(8), localDecimals: 6, sharedDecimals: 8 },
];
const invalidAmounts = invalidAmountCases.map((c) => ({
  name: c.name,
  amount: c.amount.toString(),
  localDecimals: c.localDecimals,
  sharedDecimals: c.sharedDecimals,
  error: errorOf(() => toShared(c.amount, c.localDecimals, c.sharedDecimals)),
}));

// ---------------------------------------------------------------------------------------------------------------

/** The whole vector file, as written to test/vectors/protocol.json. */
export const vectors = {
  description: [
    "maskoii protocol v1 shared test vectors (docs/protocol.md §10). Generated by sdk/scripts/gen-vectors.ts; do not edit by hand.",
    "Conventions: byte strings, hashes and addresses are 0x-prefixed lower-case hex (attester addresses are EIP-55 checksummed).",
    "Integers that can exceed 2^53 (nonce, attesterSetId, setId, weights, amounts, wire, dust, sent, local, signedWeight, totalWeight) are decimal strings; domains, decimals, thresholdBps, kind, version, indices, v and size are JSON numbers.",
    "constants: EIP-712 type hashes, name/version hashes and domain separator, plus the type strings they hash.",
    "messages[]: message fields -> encoded (spec §2) and id = keccak256(encoded). malformedMessages[]: encoded -> error (Solidity Message error name).",
    "addressPadding[]: EVM address -> left-padded bytes32.",
    "digests[]: kind (message|batch|rotation), typeHash, domain, verifier, attesterSetId, value -> structHash and digest (spec §3).",
    "attestations[]: privateKeys[i] is the key of attesters[i] (sorted ascending), weights[i] its weight; the signers at signerIndices sign digest (a MessageAttestation over the given fields); encoded = uint64 setId || k x (uint8 index || r || s || uint8 v), RFC 6979 low-s signatures; quorum = signedWeight * 10000 >= totalWeight * thresholdBps.",
    "malformedAttestations[]: encoded -> error, checked against the digest and set of attestations[attestation] (error names as in AttesterSet.sol / SignatureLib.sol; checks run in the contract's order).",
    "merkle[]: messageIds (batch order) -> leaves (keccak256(id)), root and proofs[i] for leaf i (spec §5; sorted-pair inner nodes, odd last node carried up; proofs are sibling lists from leaf to root).",
    "attesterSets[]: setId, thresholdBps, sorted attesters, weights -> encoded preimage and hash (spec §4). invalidAttesterSets[]: inputs -> error (spec §4 rules; error names as in AttesterSet.sol, except InvalidSetId, which only the SDK checks since the contract assigns ids).",
    "tokenMessages[]: fields -> encoded 73-byte payload (spec §8). malformedTokenMessages[]: encoded -> error (TokenMessage.sol error name).",
    "distributionMessages[]: fields -> encoded 109-byte kind-2 payload (spec §8 kind table; token is the destination-side token, total in shared decimals). malformedDistributionMessages[]: encoded -> error (length checked before kind; Solana MaskoiiError names).",
    "claimTrees[]: leaves (index, 32-byte claimant, uint64 amount in shared decimals, 32-byte salt) -> preimage (uint32 index || claimant || uint64 amount || salt, 76 bytes), hash = keccak256(preimage), leaf = keccak256(hash); root over the hashes as spec §5 builds it over message ids, proofs[i] for leaf i.",
    "refundReceipts[]: fields -> encoded 121-byte receipt (uint8 version 1 || messageId || uint32 originDomain || uint64 nonce || uint32 destinationDomain || bytes32 token (origin-side) || bytes32 refundTo || uint64 wireAmount), refundHash = keccak256(encoded), and the TransferRefund struct hash and digest for domain = originDomain, the given verifier and attesterSetId (spec §8 Refunds). malformedRefundReceipts[]: encoded -> error (length checked before version).",
    "amounts[]: amount, localDecimals, sharedDecimals -> wire = floor(amount / 10^(L-S)), sent = wire * 10^(L-S), dust = amount - sent, local = toLocal(wire) (== sent). invalidAmounts[]: inputs -> error (error name as in Amounts.sol: AmountTooSmall, AmountExceedsWireLimit, InvalidDecimals).",
  ],
  version: 1,
  constants: {
    domainTypeString: "EIP712Domain(string name,string version)",
    name: "maskoii",
    version: "1",
    domainTypehash: DOMAIN_TYPEHASH,
    nameHash: NAME_HASH,
    versionHash: VERSION_HASH,
    domainSeparator: DOMAIN_SEPARATOR,
    messageTypeString: "MessageAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 messageId)",
    messageTypehash: MESSAGE_TYPEHASH,
    batchTypeString: "BatchAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 root)",
    batchTypehash: BATCH_TYPEHASH,
    rotationTypeString: "AttesterSetRotation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 nextSetHash)",
    rotationTypehash: ROTATION_TYPEHASH,
    refundTypeString: "TransferRefund(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 refundHash)",
    refundTypehash: REFUND_TYPEHASH,
  },
  messages,
  malformedMessages,
  addressPadding,
  digests,
  attestations,
  malformedAttestations,
  merkle,
  attesterSets,
  invalidAttesterSets,
  tokenMessages,
  malformedTokenMessages,
  distributionMessages,
  malformedDistributionMessages,
  claimTrees,
  refundReceipts,
  malformedRefundReceipts,
  amounts,
  invalidAmounts,
};
