// What `buildEpochReport` reads (docs/protocol.md §12.3): the nodes' contributions to one (community, epoch), the
// campaigns' chain state, the split policy, k, the counts rolled over from earlier epochs below k, the payout state the
// report builds on, each creator persona's payout and the shared salt secret. Plain data: every node that reads the
// same chain and the same contributions holds the same input, so the report bytes agree.
import type { CheckedPayoutEntry, SplitBps } from "@maskoii/sdk";
import type { Address, Hex } from "viem";

/** One campaign's counts from one user (a node's contribution already applied the per-user caps). */
export type AdCounts = { readonly campaignId: bigint; readonly impressions: number; readonly engagements: number };
/** Organic points a user gave a creator persona's posts. */
export type CreatorPoints = { readonly persona: Address; readonly points: number };

/**
 * The part of a node's signed contribution the report reads (part B's `Contribution` is adapted to it): the node's
 * Koii key, the contribution's hash (listed in the Koii item) and its salted user leaves.
 */
export type ReportContribution = {
  readonly node: string;
  readonly hash: Hex;
  readonly users: readonly {
    readonly leaf: Hex;
    readonly accounts: number;
    readonly ads: readonly AdCounts[];
    readonly creators: readonly CreatorPoints[];
  }[];
};

/** A campaign as the chain shows it for this (community, epoch). */
export type ReportCampaign = {
  readonly id: bigint;
  /** The campaign's ERC-20. */
  readonly token: Address;
  readonly cpm: bigint;
  readonly cpe: bigint;
  readonly epochCap: bigint;
  /** Budget neither spent nor reserved (`available`). */
  readonly available: bigint;
  /** Spend already charged to the campaign in this epoch (the ledger's epoch accumulator, other communities). */
  readonly epochSpent: bigint;
  /** Live in the epoch (started, not ended, not paused, not cancelled). */
  readonly live: boolean;
  /** Targets the community. */
  readonly targets: boolean;
};

/** Where a creator persona is paid (IdentityRegistry.payoutOf). */
export type CreatorPayout =
  | { readonly family: "evm"; readonly recipient: Address }
  /** `recipient`: the Solana wallet key, 32 bytes. */
  | { readonly family: "svm"; readonly recipient: Hex };

/**
 * Counts carried over from epochs that stayed below k (docs/ads.md §4): accounts, per-campaign counts and creator
 * points, added to the next epoch's.
 */
export type RolloverCarry = {
  readonly accounts: number;
  readonly ads: readonly AdCounts[];
  readonly creators: readonly CreatorPoints[];
};

export const EMPTY_CARRY: RolloverCarry = { accounts: 0, ads: [], creators: [] };

/** The EVM payout state a report builds on: the root and every leaf under it. */
export type PayoutState = { readonly root: Hex; readonly entries: readonly CheckedPayoutEntry[] };

export type EpochReportInput = {
  readonly community: bigint;
  readonly epoch: bigint;
  /** Any order; the builder sorts by node. One per node. */
  readonly contributions: readonly ReportContribution[];
  /** Campaigns by id; a contribution's campaign missing here is not billed. */
  readonly campaigns: readonly ReportCampaign[];
  /** `policyAt(community, epoch)`. */
  readonly policy: SplitBps;
  /** The community's k (`kAnonymityOf`). */
  readonly k: number;
  readonly carry: RolloverCarry;
  readonly prev: PayoutState;
  /** Payout of each creator persona named by the contributions or the carry (lower-case or checksummed keys). */
  readonly payouts: ReadonlyMap<Address, CreatorPayout>;
  /** The task operators' shared 32-byte secret (config `payoutSaltSecret`); salts are sdk `deriveSalt`. */
  readonly saltSecret: Hex;
  /**
   * Per token with a Solana route: 10^(L − S), the route's local-to-shared scale (§8). A token missing here pays its
   * Solana personas nothing in this report (their part goes to the EVM creators of the line).
   */
  readonly solanaUnits: ReadonlyMap<Address, bigint>;
};

/**
 * The chain's part of a report's input (campaigns, policy, k, payouts, Solana units, the salt secret), as every node
 * reads it: pinned to one block per (community, epoch) (§12.3), so an auditor reading later sees what the builder saw.
 */
export interface ReportInputsSource {
  /** `campaignIds` and `personas`: every campaign and creator persona the contributions and the carry name. */
  inputsFor(args: {
    community: bigint;
    epoch: bigint;
    campaignIds: readonly bigint[];
    personas: readonly Address[];
  }): Promise<Omit<EpochReportInput, "contributions" | "carry" | "prev">>;
}
