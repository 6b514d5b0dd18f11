// The chain's part of a report's input (docs/protocol.md §12.3), read at one pinned block per (community, epoch): the
// last block whose timestamp is before the epoch's end plus `pinDelaySeconds`. Every node (builder or auditor) that
// reads later still reads that block, so a report's own reservation, or another community's, never changes what its
// auditors recompute. Campaigns: CampaignLedger.campaign / targets (live as `_reserveLine` decides it); policy and
// k: CommunityRegistry.policyAt / kAnonymityOf; payouts: IdentityRegistry.payoutOf.
import {
  bytes32ToAddress,
  campaignLedgerAbi,
  communityRegistryAbi,
  decodeSplitPolicy,
  identityRegistryAbi,
  PayoutFamily,
} from "@maskoii/sdk";
import { type Address, getAddress, type Hex, type PublicClient } from "viem";
import type { CreatorPayout, EpochReportInput, ReportCampaign, ReportInputsSource } from "./inputs.ts";

/** The largest block number whose timestamp is ≤ `t` (binary search; undefined before the first block). */
export async function blockAtTime(client: PublicClient, t: bigint): Promise<bigint | undefined> {
  const latest = await client.getBlock();
  if (latest.timestamp <= t) return latest.number;
  let lo = 0n;
  let hi = latest.number;
  if ((await client.getBlock({ blockNumber: lo })).timestamp > t) return undefined;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if ((await client.getBlock({ blockNumber: mid })).timestamp <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

export class ChainReportInputs implements ReportInputsSource {
  readonly #client: PublicClient;
  readonly #a: { communityRegistry: Address; identityRegistry: Address; campaignLedger: Address };
  readonly #secret: Hex;
  readonly #units: ReadonlyMap<Address, bigint>;
  readonly #pin: bigint;

  constructor(args: {
    client: PublicClient;
    communityRegistry: Address;
    identityRegistry: Address;
    campaignLedger: Address;
    payoutSaltSecret: Hex;
    /** 10^(L − S) per token with a Solana route. */
    solanaUnits?: ReadonlyMap<Address, bigint>;
    /** Seconds after the epoch's end the chain state is read at (the contributions' grace). */
    pinDelaySeconds?: number;
  }) {
    this.#client = args.client;
    this.#a = {
      communityRegistry: args.communityRegistry,
      identityRegistry: args.identityRegistry,
      campaignLedger: args.campaignLedger,
    };
    this.#secret = args.payoutSaltSecret;
    this.#units = args.solanaUnits ?? new Map();
    this.#pin = BigInt(args.pinDelaySeconds ?? 0);
  }

  async inputsFor(args: {
    community: bigint;
    epoch: bigint;
    campaignIds: readonly bigint[];
    personas: readonly Address[];
  }): Promise<Omit<EpochReportInput, "contributions" | "carry" | "prev">> {
    const registry = { address: this.#a.communityRegistry, abi: communityRegistryAbi } as const;
    const genesis = await this.#client.readContract({ ...registry, functionName: "genesis" });
    const length = await this.#client.readContract({ ...registry, functionName: "epochLength" });
    const epochStart = BigInt(genesis) + args.epoch * BigInt(length);
    const blockNumber = await blockAtTime(this.#client, epochStart + BigInt(length) + this.#pin - 1n);
    if (blockNumber === undefined) throw new RangeError(`no block before the end of epoch ${args.epoch}`);
    const at = { blockNumber } as const;
    const policy = await this.#client.readContract({
      ...registry,
      functionName: "policyAt",
      args: [args.community, args.epoch],
      ...at,
    });
    const k = await this.#client.readContract({
      ...registry,
      functionName: "kAnonymityOf",
      args: [args.community],
      ...at,
    });
    const campaigns: ReportCampaign[] = [];
    for (const id of args.campaignIds) {
      const ledger = { address: this.#a.campaignLedger, abi: campaignLedgerAbi } as const;
      const c = await this.#client.readContract({ ...ledger, functionName: "campaign", args: [id], ...at });
      if (c.end === 0) continue; // no such campaign
      const targets = await this.#client.readContract({
        ...ledger,
        functionName: "targets",
        args: [id, args.community],
        ...at,
      });
      const start = BigInt(c.start);
      const live =
        start < epochStart + BigInt(length) &&
        epochStart < BigInt(c.end) &&
        (c.pausedAt === 0 || epochStart < BigInt(c.pausedAt)) &&
        (c.cancelledAt === 0 || epochStart < BigInt(c.cancelledAt));
      campaigns.push({
        id,
        token: getAddress(c.token),
        cpm: c.cpm,
        cpe: c.cpe,
        epochCap: c.epochCap,
        available: c.available,
        epochSpent: BigInt(c.capEpoch) === args.epoch ? c.epochSpend : 0n,
        live,
        targets,
      });
    }
    const payouts = new Map<Address, CreatorPayout>();
    for (const persona of args.personas) {
      const [family, recipient] = await this.#client.readContract({
        address: this.#a.identityRegistry,
        abi: identityRegistryAbi,
        functionName: "payoutOf",
        args: [persona],
        ...at,
      });
      payouts.set(
        persona,
        family === PayoutFamily.SVM
          ? { family: "svm", recipient }
          : { family: "evm", recipient: getAddress(bytes32ToAddress(recipient)) },
      );
    }
    return {
      community: args.community,
      epoch: args.epoch,
      campaigns,
      policy: decodeSplitPolicy(BigInt(policy)),
      k: Number(k),
      payouts,
      saltSecret: this.#secret,
      solanaUnits: this.#units,
    };
  }
}
