/**
 * Builds the revenue test vectors (docs/protocol.md §11); sdk/scripts/gen-vectors.ts writes them to
 * test/vectors/revenue.json beside protocol.json. Deterministic: every input is fixed or derived from a fixed label.
 */
import { type Address, type Hex, keccak256, stringToHex, zeroAddress } from "viem";
import {
  accountIdOf,
  addressToBytes32,
  attestationDigest,
  attestationStructHash,
  bindingHash,
  EMPTY_PAYOUT_ROOT,
  type EpochReport,
  encodeBinding,
  encodeEpochReport,
  encodePayoutLeaf,
  encodeResolution,
  epochReportToJson,
  type IdentityBinding,
  MaskoiiError,
  PAYOUT_SALT_TAG,
  type PayoutEntry,
  PayoutTree,
  PLATFORM_NAMES,
  Platform,
  payoutEntryToJson,
  payoutLeaf,
  payoutLeafHash,
  type RevenueAttestationKind,
  reportHash,
  resolutionHash,
  solanaDistributionId,
  typeHashOf,
  typeStringOf,
  verifyPayoutProof,
} from "../src/index.ts";

const h = (label: string): Hex => keccak256(stringToHex(`maskoii.revenue-vectors.${label}`));
const U32_MAX = 0xffffffff;
const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const U256_MAX = (1n << 256n) - 1n;
const ZERO32: Hex = `0x${"00".repeat(32)}`;

/** The error code a thunk throws (the Solidity error name where one exists). */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof MaskoiiError) return e.code;
    throw e;
  }
  throw new Error("expected an error");
}

// The attestation context of every digest below: domain 1001, set 1; the verifier is the consuming contract.
const DOMAIN = 1001;
const SET_ID = 1n;
const IDENTITY_REGISTRY = addressToBytes32("0x1d00000000000000000000000000000000000001");
const EPOCH_REPORTS = addressToBytes32("0xe900000000000000000000000000000000000002");

function attested(kind: RevenueAttestationKind, verifier: Hex, value: Hex) {
  const fields = { domain: DOMAIN, verifier, attesterSetId: SET_ID, value };
  return {
    domain: DOMAIN,
    verifier,
    attesterSetId: SET_ID.toString(),
    structHash: attestationStructHash(kind, fields),
    digest: attestationDigest(kind, fields),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// account ids

const accountIdCases: { platform: number; name: string }[] = [
  { platform: Platform.Farcaster, name: "3" },
  { platform: Platform.Farcaster, name: "18446744073709551616" },
  { platform: Platform.Bluesky, name: "did:plc:z72i7hdynmk6r22z27h6tvur" },
  { platform: Platform.Bluesky, name: "did:web:example.com" },
  { platform: Platform.ActivityPub, name: "https://mastodon.social/users/Gargron" },
  { platform: Platform.Lens, name: "1234" },
  { platform: Platform.X, name: "@Jack" },
  { platform: Platform.X, name: "jack" },
];
const accountIds = accountIdCases.map((c) => ({
  platform: c.platform,
  platformName: PLATFORM_NAMES[c.platform as Platform],
  name: c.name,
  accountId: accountIdOf(c.platform, c.name),
}));

const invalidAccountIdCases: { name: string; platform: number; account: string }[] = [
  { name: "platform 0", platform: 0, account: "3" },
  { name: "platform 6", platform: 6, account: "3" },
  { name: "fid 0", platform: Platform.Farcaster, account: "0" },
  { name: "fid not decimal", platform: Platform.Farcaster, account: "0x03" },
  { name: "Bluesky handle instead of DID", platform: Platform.Bluesky, account: "alice.bsky.social" },
  { name: "actor without scheme", platform: Platform.ActivityPub, account: "mastodon.social/users/Gargron" },
  { name: "actor with fragment", platform: Platform.ActivityPub, account: "https://mastodon.social/users/a#main-key" },
  { name: "X handle of 16 chars", platform: Platform.X, account: "abcdefghijklmnop" },
  { name: "X handle with a dash", platform: Platform.X, account: "a-b" },
];
const invalidAccountIds = invalidAccountIdCases.map((c) => ({
  ...c,
  error: errorOf(() => accountIdOf(c.platform, c.account)),
}));

// ---------------------------------------------------------------------------------------------------------------
// bindings

const persona: Address = "0x1111111111111111111111111111111111111111";
const bindingCases: { name: string; binding: IdentityBinding }[] = [
  {
    name: "Farcaster fid 3 to a persona",
    binding: { platform: Platform.Farcaster, accountId: accountIdOf(1, "3"), persona, sequence: 1n },
  },
  {
    name: "Bluesky DID, sequence 2",
    binding: {
      platform: Platform.Bluesky,
      accountId: accountIdOf(2, "did:plc:z72i7hdynmk6r22z27h6tvur"),
      persona: "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF",
      sequence: 2n,
    },
  },
  {
    name: "ActivityPub actor",
    binding: {
      platform: Platform.ActivityPub,
      accountId: accountIdOf(3, "https://mastodon.social/users/Gargron"),
      persona,
      sequence: 7n,
    },
  },
  {
    name: "Lens profile, max sequence",
    binding: { platform: Platform.Lens, accountId: accountIdOf(4, "1234"), persona, sequence: U64_MAX },
  },
  {
    name: "X handle revoked (persona zero)",
    binding: { platform: Platform.X, accountId: accountIdOf(5, "jack"), persona: zeroAddress, sequence: 3n },
  },
];
const bindings = bindingCases.map(({ name, binding: b }) => {
  const hash = bindingHash(b);
  return {
    name,
    platform: b.platform,
    accountId: b.accountId,
    persona: b.persona,
    sequence: b.sequence.toString(),
    encoded: encodeBinding(b),
    hash,
    attestation: attested("identityBinding", IDENTITY_REGISTRY, hash),
  };
});

const malformedBindings = [0, 6, 255].map((platform) => ({
  name: `platform ${platform}`,
  platform,
  accountId: h("account"),
  persona,
  sequence: "1",
  error: errorOf(() => bindingHash({ platform, accountId: h("account"), persona, sequence: 1n })),
}));

// ---------------------------------------------------------------------------------------------------------------
// reports and resolutions

const usdc: Address = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
const dai: Address = "0x6B175474E89094C44Da98b954EedeAC495271d0F";
const reportCases: { name: string; report: EpochReport }[] = [
  {
    name: "genesis: one line, nothing expired",
    report: {
      communityId: 1n,
      epoch: 0n,
      engagedAccounts: 10,
      lines: [{ campaignId: 1n, impressions: 12_000n, engagements: 30n, spend: 1_530_000n, solanaCreators: 0n }],
      prevPayoutRoot: ZERO32,
      payoutRoot: h("root-1"),
      payoutLeafCount: 4,
      expired: [],
    },
  },
  {
    name: "five lines, two expired tokens",
    report: {
      communityId: 7n,
      epoch: 42n,
      engagedAccounts: 1234,
      lines: [1, 2, 5, 9, 10].map((id, i) => ({
        campaignId: BigInt(id),
        impressions: BigInt(1000 * (i + 1)),
        engagements: BigInt(10 * (i + 1)),
        spend: BigInt(5000 + i),
        solanaCreators: BigInt(100 * i),
      })),
      prevPayoutRoot: h("root-41"),
      payoutRoot: h("root-42"),
      payoutLeafCount: 1000,
      expired: [
        { token: usdc, amount: 77n },
        { token: dai, amount: 10n ** 18n },
      ],
      solana: [{ token: usdc, root: h("solana-claims-42"), leafCount: 3 }],
    },
  },
  {
    name: "thirty-two lines at their maximum values",
    report: {
      communityId: U64_MAX,
      epoch: U64_MAX,
      engagedAccounts: U32_MAX,
      lines: Array.from({ length: 32 }, (_, i) => ({
        campaignId: U64_MAX - 31n + BigInt(i),
        impressions: U64_MAX,
        engagements: U64_MAX,
        spend: U128_MAX,
        solanaCreators: U128_MAX,
      })),
      prevPayoutRoot: `0x${"ff".repeat(32)}`,
      payoutRoot: `0x${"ff".repeat(32)}`,
      payoutLeafCount: U32_MAX,
      expired: [{ token: "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF", amount: U128_MAX }],
      solana: [
        { token: "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF", root: `0x${"ff".repeat(32)}`, leafCount: U32_MAX },
      ],
    },
  },
];
const reports = reportCases.map(({ name, report }) => {
  const hash = reportHash(report);
  return {
    name,
    report: epochReportToJson(report),
    encoded: encodeEpochReport(report),
    hash,
    attestation: attested("epochReport", EPOCH_REPORTS, hash),
    solanaDistributionIds: (report.solana ?? []).map((d) => solanaDistributionId(hash, d.token)),
  };
});

// the same decision on the same report bytes under two seqs (a resubmission) signs different values
const resolutionSeqs = [1n, 0xffff_ffff_ffff_fffen] as const;
const resolutions = reports.slice(0, 2).flatMap((r, i) =>
  [true, false].map((upheld) => {
    const seq = resolutionSeqs[i] ?? 1n;
    const hash = resolutionHash({ reportHash: r.hash, seq, upheld });
    return {
      name: `${r.name}: seq ${seq}, ${upheld ? "dispute upheld (report rejected)" : "dispute rejected (report stands)"}`,
      reportHash: r.hash,
      seq: seq.toString(),
      upheld,
      encoded: encodeResolution({ reportHash: r.hash, seq, upheld }),
      hash,
      attestation: attested("reportResolution", EPOCH_REPORTS, hash),
    };
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// payout leaves and trees

const evmToken = addressToBytes32(usdc);
const otherToken = addressToBytes32("0x00000000000000000000000000000000000000a0");
const evmPersona = (i: number) => addressToBytes32(`0x${(0x1000 + i).toString(16).padStart(40, "0")}`);
const evmRecipient = (i: number) => addressToBytes32(`0x${(0x2000 + i).toString(16).padStart(40, "0")}`);

const leafCases: { name: string; entry: PayoutEntry }[] = [
  {
    name: "persona paid at its own address",
    entry: {
      slot: 0,
      account: evmPersona(1),
      token: evmToken,
      recipient: evmPersona(1),
      cumulative: 1_000_000n,
      salt: h("salt-1"),
    },
  },
  {
    name: "persona paid at another recipient",
    entry: {
      slot: 7,
      account: evmPersona(2),
      token: otherToken,
      recipient: evmRecipient(2),
      cumulative: 600n,
      salt: h("salt-2"),
    },
  },
  {
    name: "zero cumulative",
    entry: { slot: 1, account: evmPersona(2), token: evmToken, recipient: evmPersona(2), cumulative: 0n, salt: ZERO32 },
  },
  {
    name: "max fields",
    entry: {
      slot: U32_MAX,
      account: `0x${"ff".repeat(32)}`,
      token: `0x${"ff".repeat(32)}`,
      recipient: `0x${"ff".repeat(32)}`,
      cumulative: U256_MAX,
      salt: h("salt-3"),
    },
  },
];
const payoutLeaves = leafCases.map(({ name, entry }) => ({
  name,
  ...payoutEntryToJson(entry),
  encoded: encodePayoutLeaf(entry),
  hash: payoutLeafHash(entry),
  leaf: payoutLeaf(entry),
}));

function treeEntries(n: number): PayoutEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    slot: i,
    account: evmPersona(i),
    token: i % 3 === 2 ? otherToken : evmToken,
    recipient: i % 2 === 0 ? evmPersona(i) : evmRecipient(i),
    cumulative: BigInt(i + 1) * 1_000_000n + BigInt(i),
    salt: h(`tree-salt-${i}`),
  }));
}
const trees = [1, 2, 3, 5, 7].map((n) => ({ n, tree: PayoutTree.build(treeEntries(n)) }));
const payoutTrees = trees.map(({ n, tree }) => ({
  name: `${n} leaves`,
  leafCount: tree.leafCount,
  leaves: tree.entries.map((e, i) => ({
    ...payoutEntryToJson(e),
    hash: payoutLeafHash(e),
    leaf: tree.leaves[i]!,
  })),
  root: tree.root,
  proofs: tree.entries.map((_, i) => tree.proof(i)),
}));

const five = trees[3]!.tree;
const seven = trees[4]!.tree;
const e0 = five.entries[0]!;
const p0 = five.proof(0);
const invalidProofCases: { name: string; entry: PayoutEntry; proof: Hex[]; root: Hex }[] = [
  { name: "proof of another leaf", entry: five.entries[1]!, proof: p0, root: five.root },
  { name: "cumulative raised by one", entry: { ...e0, cumulative: e0.cumulative + 1n }, proof: p0, root: five.root },
  { name: "another salt", entry: { ...e0, salt: h("guess") }, proof: p0, root: five.root },
  { name: "another token", entry: { ...e0, token: otherToken }, proof: p0, root: five.root },
  { name: "another slot", entry: { ...e0, slot: e0.slot + 1n }, proof: p0, root: five.root },
  { name: "another recipient", entry: { ...e0, recipient: evmRecipient(99) }, proof: p0, root: five.root },
  { name: "proof missing its last sibling", entry: e0, proof: p0.slice(0, -1), root: five.root },
  { name: "proof with an extra sibling", entry: e0, proof: [...p0, h("extra")], root: five.root },
  { name: "root of another tree", entry: e0, proof: p0, root: seven.root },
  { name: "empty root", entry: e0, proof: [], root: EMPTY_PAYOUT_ROOT },
];
const invalidPayoutProofs = invalidProofCases.map((c) => {
  if (verifyPayoutProof(c)) throw new Error(`vector "${c.name}" verifies`);
  return { name: c.name, ...payoutEntryToJson(c.entry), proof: c.proof, root: c.root, error: "InvalidPayoutProof" };
});

const dup = treeEntries(3);
const dupPair = [...dup, { ...dup[1]!, slot: 3, cumulative: 5n }];
const dupSlot = [...dup, { ...treeEntries(4)[3]!, slot: 1 }];
const bigSlot = [...dup, { ...treeEntries(4)[3]!, slot: 2n ** 32n }];
const malformedPayoutTrees = [
  {
    name: "the same (account, token) twice",
    entries: dupPair.map((e) => ({ ...e, slot: e.slot.toString(), cumulative: e.cumulative.toString() })),
    error: errorOf(() => PayoutTree.build(dupPair)),
  },
  {
    name: "two pairs in one slot",
    entries: dupSlot.map((e) => ({ ...e, slot: e.slot.toString(), cumulative: e.cumulative.toString() })),
    error: errorOf(() => PayoutTree.build(dupSlot)),
  },
  {
    name: "slot above uint32",
    entries: bigSlot.map((e) => ({ ...e, slot: e.slot.toString(), cumulative: e.cumulative.toString() })),
    error: errorOf(() => PayoutTree.build(bigSlot)),
  },
];

// ---------------------------------------------------------------------------------------------------------------

const kinds = ["identityBinding", "epochReport", "reportResolution"] as const;

/** The whole vector file, as written to test/vectors/revenue.json. */
export const revenueVectors = {
  description: [
    "maskoii revenue v1 shared test vectors (docs/protocol.md §11). Generated by sdk/scripts/gen-vectors.ts; do not edit by hand.",
    "Conventions as protocol.json: 0x-prefixed lower-case hex (addresses EIP-55); integers that can exceed 2^53 (sequence, seq, communityId, epoch, campaignId, impressions, engagements, spend, solanaCreators, amount, cumulative, attesterSetId) are decimal strings, the others JSON numbers.",
    "constants: the three attestation type strings and hashes (same EIP-712 domain as protocol.json), platform numbers, the payout salt tag and the empty payout root.",
    "accountIds[]: platform + account name -> accountId (§11.2: fid / profile id left-padded; keccak256 of the UTF-8 DID, actor URI, or lower-case X handle without '@'). invalidAccountIds[]: -> error (SDK only: UnknownPlatform, InvalidAccountId).",
    "bindings[]: platform, accountId, persona, sequence -> encoded = abi.encode(uint8, bytes32, address, uint64), hash = keccak256(encoded), and the IdentityBinding attestation's structHash and digest for the given domain, verifier (the IdentityRegistry) and attesterSetId. malformedBindings[]: -> error (RevenueCodec.UnknownPlatform).",
    "reports[]: report (fields in the Solidity struct's order) -> encoded = abi.encode(report) as one dynamic tuple (leading 0x20 offset word), hash = keccak256(encoded), the EpochReport attestation (verifier: EpochReports), and solanaDistributionIds[i] = keccak256(abi.encode(hash, solana[i].token)), the bridge distribution id of the i-th Solana payout.",
    "resolutions[]: reportHash, seq (the report's EpochReports sequence number), upheld -> encoded = abi.encode(bytes32, uint64, bool), hash, and the ReportResolution attestation (verifier: EpochReports).",
    "payoutLeaves[]: slot (uint32 as a uint256 word), account, token, recipient, cumulative (uint256), salt -> encoded = abi.encode(uint256, bytes32, bytes32, bytes32, uint256, bytes32) (192 bytes, the ABI encoding of CreatorPayouts' PayoutLeaf calldata), hash = keccak256(encoded), leaf = keccak256(hash).",
    "payoutTrees[]: leaves in leaf order (ascending leaf value) with hash and leaf; root = the §5 batch tree over the hashes in that order (equivalently: sorted-pair keccak256 over the leaves, odd last node carried up); proofs[i] for leaf i, verified by OpenZeppelin MerkleProof.verify(proof, root, leaf).",
    "invalidPayoutProofs[]: slot, account, token, recipient, cumulative, salt, proof, root that must NOT verify -> error InvalidPayoutProof (the name every verifier uses). malformedPayoutTrees[]: entries -> error (SDK only: DuplicatePayoutLeaf, DuplicatePayoutSlot, FieldOutOfRange).",
  ],
  version: 1,
  constants: {
    ...Object.fromEntries(
      kinds.flatMap((k) => [
        [`${k}TypeString`, typeStringOf(k)],
        [`${k}Typehash`, typeHashOf(k)],
      ]),
    ),
    platforms: Object.fromEntries(Object.entries(Platform).map(([name, n]) => [name, n])),
    payoutSaltTagString: "maskoii.payout-salt.v1",
    payoutSaltTag: PAYOUT_SALT_TAG,
    emptyPayoutRoot: EMPTY_PAYOUT_ROOT,
  },
  accountIds,
  invalidAccountIds,
  bindings,
  malformedBindings,
  reports,
  resolutions,
  payoutLeaves,
  payoutTrees,
  invalidPayoutProofs,
  malformedPayoutTrees,
};
