/**
 * Epoch reports and their resolutions (docs/protocol.md §11.3–§11.4): what the attester quorum signs per (community,
 * epoch) under the `EpochReport` attestation kind, and its decision on a disputed report under `ReportResolution`
 * (verifier: EpochReports for both). Byte for byte RevenueCodec.reportHash / resolutionHash (vectors: `reports` and
 * `resolutions` in test/vectors/revenue.json).
 */
import { type Address, encodeAbiParameters, type Hex, keccak256 } from "viem";
import { FieldOutOfRangeError } from "../errors/index.ts";
import { assertAddress, assertBytes32, assertSmallUint, assertUint } from "../internal/assert.ts";

/** One campaign's aggregate in a report (Solidity `CampaignLine`). */
export type CampaignLine = {
  /** uint64 CampaignLedger id; strictly ascending within a report. */
  readonly campaignId: bigint | number;
  /** uint64. */
  readonly impressions: bigint | number;
  /** uint64. */
  readonly engagements: bigint | number;
  /** uint128: impressions × cpm / 1000 + engagements × cpe (floor), in the campaign token's units. */
  readonly spend: bigint | number;
  /** uint128: the part of the line's creators' share owed to personas paid on Solana. */
  readonly solanaCreators: bigint | number;
};

/** An amount of one ERC-20 token (Solidity `TokenAmount`). */
export type TokenAmount = {
  readonly token: Address;
  /** uint128. */
  readonly amount: bigint | number;
};

/**
 * The Solana payout of one token committed by a report (Solidity `SolanaDistribution`): once the report is final,
 * `EpochReports.sendSolanaPayout` sends the sum of the report's lines' `solanaCreators` in `token` to the Solana program
 * as one bridge distribution (docs/protocol.md §8) under `root` (`claimRoot` of `claims.ts`; amounts in the route's
 * shared decimals).
 */
export type SolanaDistribution = {
  /** The ERC-20 of the campaigns; one entry per token with a non-zero Solana part. */
  readonly token: Address;
  /** Root of the §8 claims tree over (index, claimant, amount, salt) leaves. */
  readonly root: Hex;
  /** uint32 leaves under root, 1..65,536. */
  readonly leafCount: number;
};

/** What the quorum signs for one (community, epoch) (Solidity `EpochReport`, same field order). */
export type EpochReport = {
  /** uint64. */
  readonly communityId: bigint | number;
  /** uint64. */
  readonly epoch: bigint | number;
  /** uint32 distinct engaged accounts; the contract requires ≥ the community's k. */
  readonly engagedAccounts: number;
  /** 1..32 lines, campaignId strictly ascending (checked by EpochReports, not by the encoding). */
  readonly lines: readonly CampaignLine[];
  /** The EVM cumulative payout root this report builds on (zero at genesis). */
  readonly prevPayoutRoot: Hex;
  /** The EVM cumulative payout root after this report (`PayoutTree.root`). */
  readonly payoutRoot: Hex;
  /** uint32 leaves in payoutRoot. */
  readonly payoutLeafCount: number;
  /** Unclaimed creator amounts of this community past its expiry, back to its treasury. */
  readonly expired: readonly TokenAmount[];
  /** The Solana payouts, one per token whose lines owe Solana creators anything; absent = none. */
  readonly solana?: readonly SolanaDistribution[];
};

/** The ABI type of an EpochReport: one tuple, in the Solidity struct's field order. */
export const EPOCH_REPORT_ABI_TYPE = {
  name: "report",
  type: "tuple",
  components: [
    { name: "communityId", type: "uint64" },
    { name: "epoch", type: "uint64" },
    { name: "engagedAccounts", type: "uint32" },
    {
      name: "lines",
      type: "tuple[]",
      components: [
        { name: "campaignId", type: "uint64" },
        { name: "impressions", type: "uint64" },
        { name: "engagements", type: "uint64" },
        { name: "spend", type: "uint128" },
        { name: "solanaCreators", type: "uint128" },
      ],
    },
    { name: "prevPayoutRoot", type: "bytes32" },
    { name: "payoutRoot", type: "bytes32" },
    { name: "payoutLeafCount", type: "uint32" },
    {
      name: "expired",
      type: "tuple[]",
      components: [
        { name: "token", type: "address" },
        { name: "amount", type: "uint128" },
      ],
    },
    {
      name: "solana",
      type: "tuple[]",
      components: [
        { name: "token", type: "address" },
        { name: "root", type: "bytes32" },
        { name: "leafCount", type: "uint32" },
      ],
    },
  ],
} as const;

/** The report with every field range-checked and in canonical form (bigints, checksummed addresses, lower-case hex). */
export type CheckedEpochReport = {
  readonly communityId: bigint;
  readonly epoch: bigint;
  readonly engagedAccounts: number;
  readonly lines: readonly {
    readonly campaignId: bigint;
    readonly impressions: bigint;
    readonly engagements: bigint;
    readonly spend: bigint;
    readonly solanaCreators: bigint;
  }[];
  readonly prevPayoutRoot: Hex;
  readonly payoutRoot: Hex;
  readonly payoutLeafCount: number;
  readonly expired: readonly { readonly token: Address; readonly amount: bigint }[];
  readonly solana: readonly { readonly token: Address; readonly root: Hex; readonly leafCount: number }[];
};

/** Range-checks every field (FieldOutOfRange, InvalidBytes32, InvalidAddress) and returns the canonical form. */
export function checkEpochReport(report: EpochReport): CheckedEpochReport {
  return {
    communityId: assertUint("communityId", report.communityId, 64),
    epoch: assertUint("epoch", report.epoch, 64),
    engagedAccounts: assertSmallUint("engagedAccounts", report.engagedAccounts, 32),
    lines: report.lines.map((l, i) => ({
      campaignId: assertUint(`lines[${i}].campaignId`, l.campaignId, 64),
      impressions: assertUint(`lines[${i}].impressions`, l.impressions, 64),
      engagements: assertUint(`lines[${i}].engagements`, l.engagements, 64),
      spend: assertUint(`lines[${i}].spend`, l.spend, 128),
      solanaCreators: assertUint(`lines[${i}].solanaCreators`, l.solanaCreators, 128),
    })),
    prevPayoutRoot: assertBytes32("prevPayoutRoot", report.prevPayoutRoot),
    payoutRoot: assertBytes32("payoutRoot", report.payoutRoot),
    payoutLeafCount: assertSmallUint("payoutLeafCount", report.payoutLeafCount, 32),
    expired: report.expired.map((e, i) => ({
      token: assertAddress(`expired[${i}].token`, e.token),
      amount: assertUint(`expired[${i}].amount`, e.amount, 128),
    })),
    solana: (report.solana ?? []).map((d, i) => ({
      token: assertAddress(`solana[${i}].token`, d.token),
      root: assertBytes32(`solana[${i}].root`, d.root),
      leafCount: assertSmallUint(`solana[${i}].leafCount`, d.leafCount, 32),
    })),
  };
}

/**
 * abi.encode(report) with the report as one dynamic tuple argument: a leading 0x20 offset word, then the tuple's 9 head
 * words and the three arrays' tails (docs/protocol.md §11.3).
 */
export function encodeEpochReport(report: EpochReport): Hex {
  return encodeAbiParameters([EPOCH_REPORT_ABI_TYPE], [checkEpochReport(report)]);
}

/** The value of an EpochReport attestation: keccak256(encodeEpochReport(report)). */
export function reportHash(report: EpochReport): Hex {
  return keccak256(encodeEpochReport(report));
}

/**
 * The bridge distribution id of a report's Solana payout of `token`: keccak256(abi.encode(bytes32 reportHash, address
 * token)) (RevenueCodec.solanaDistributionId; the Solana program's claims vault of that payout is keyed by it).
 */
export function solanaDistributionId(reportHashValue: Hex, token: Address): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }],
      [assertBytes32("reportHash", reportHashValue), assertAddress("token", token)],
    ),
  );
}

/** The quorum's decision on a disputed report: one submission of it (its `seq`), so a decision is single-use. */
export type ReportResolution = {
  /** reportHash of the disputed report. */
  readonly reportHash: Hex;
  /**
   * EpochReports' sequence number the disputed report was submitted under (uint64, never reused): the same report
   * bytes submitted again later get another `seq`, which an old decision does not settle.
   */
  readonly seq: bigint | number;
  /** True when the dispute was right (the report is rejected); false when the report stands. */
  readonly upheld: boolean;
};

/** abi.encode(bytes32 reportHash, uint64 seq, bool upheld): 96 bytes. */
export function encodeResolution(resolution: ReportResolution): Hex {
  const upheld: unknown = resolution.upheld;
  if (typeof upheld !== "boolean") throw new FieldOutOfRangeError("upheld", upheld, 0n, 1n);
  return encodeAbiParameters(
    [{ type: "bytes32" }, { type: "uint64" }, { type: "bool" }],
    [assertBytes32("reportHash", resolution.reportHash), assertUint("seq", resolution.seq, 64), upheld],
  );
}

/** The value of a ReportResolution attestation: keccak256(encodeResolution(resolution)). */
export function resolutionHash(resolution: ReportResolution): Hex {
  return keccak256(encodeResolution(resolution));
}
