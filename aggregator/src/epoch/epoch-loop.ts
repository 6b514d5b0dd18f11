// The node's epoch loop (docs/protocol.md §12.6): after each community epoch ends plus the close grace, it gets its own
// contribution and every peer's (part B's `fetchContribution`, signed with the node's Koii key; a peer that is down or
// not closed yet is retried on the next ticks, up to `peerAttempts`, then left out), adapts them to the report's
// input, reads the chain's payout tip and the Gateway's current attester set, and builds, signs and stores the report
// with `EpochReporter`. One report of this node is outstanding at a time: the next epoch is built only once the chain's
// tip moved past it (the contract refuses a report whose prevPayoutRoot is not the tip). Settlement: a stored report
// whose submission is final on chain (`EpochReports.reportOf(seq).status == Final`) is marked settled and the
// community's beacons and contributions up to its epoch are pruned (issue 16 point 4).
import { describeError, type Logger } from "@maskoii/node-kit";
import { epochReportsAbi, gatewayAbi } from "@maskoii/sdk";
import { type Address, type Hex, type PublicClient, zeroHash } from "viem";
import type { TaskNodeRef } from "../engagement/beacon-intake.ts";
import { type Contribution, contributionHash } from "../engagement/contribution.ts";
import { type EngagementDeps, fetchContribution, ownContribution } from "../engagement/routes.ts";
import type { ReportContribution } from "./inputs.ts";
import type { PayoutStore } from "./payout-store.ts";
import type { EpochReporter } from "./reporter.ts";

/** IEpochReports.Status.Final. */
const STATUS_FINAL = 4;

/** Part B's signed contribution as the report builder reads it (the hash is the one the Koii item lists). */
export function toReportContribution(c: Contribution, hash: Hex): ReportContribution {
  return {
    node: c.node,
    hash: hash.toLowerCase() as Hex,
    users: c.users.map((u) => ({
      leaf: u.leaf as Hex,
      accounts: u.accounts,
      ads: u.ads.map((a) => ({
        campaignId: BigInt(a.campaignId),
        impressions: a.impressions,
        engagements: a.engagements,
      })),
      creators: u.creators.map((p) => ({ persona: p.persona as Address, points: p.points })),
    })),
  };
}

export type EpochLoopOptions = {
  /** Communities this node reports on. */
  readonly communities: readonly bigint[];
  /** Ticks a peer that is down (or not closed yet) is asked again before the epoch is built without it. */
  readonly peerAttempts: number;
  /** How many ended epochs back from the current one a node (re)starting looks at. */
  readonly lookbackEpochs: number;
};

type Pending = { attempts: number; got: Map<string, ReportContribution> };

export class EpochLoop {
  readonly #engagement: EngagementDeps;
  readonly #payouts: PayoutStore;
  readonly #reporter: EpochReporter;
  readonly #client: PublicClient;
  readonly #epochReports: Address;
  readonly #peers: readonly TaskNodeRef[];
  readonly #options: EpochLoopOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #pending = new Map<string, Pending>();
  readonly #seqOf = new Map<string, bigint>();
  #gateway: Address | undefined;

  constructor(args: {
    engagement: EngagementDeps;
    payouts: PayoutStore;
    reporter: EpochReporter;
    client: PublicClient;
    epochReports: Address;
    /** The task's nodes (this one included: it is skipped by key). */
    nodes: readonly TaskNodeRef[];
    self: string;
    options: EpochLoopOptions;
    log: Logger;
    now?: () => number;
  }) {
    this.#engagement = args.engagement;
    this.#payouts = args.payouts;
    this.#reporter = args.reporter;
    this.#client = args.client;
    this.#epochReports = args.epochReports;
    this.#peers = args.nodes.filter((n) => n.koiiPublicKey !== args.self);
    this.#options = args.options;
    this.#log = args.log.child({ component: "epoch-loop" });
    this.#now = args.now ?? Date.now;
  }

  /** One pass: settle what the chain finalized, then close every due epoch it may build now. */
  async tick(): Promise<void> {
    await this.settle();
    for (const community of this.#options.communities) {
      try {
        await this.#closeDue(community);
      } catch (error) {
        this.#log.warn({ community: community.toString(), err: describeError(error) }, "epoch close failed; retrying");
      }
    }
  }

  /** The full root of the chain's payout tip (EpochReports keeps its first 16 bytes); undefined when unknown here. */
  async chainTip(): Promise<Hex | undefined> {
    const prefix = await this.#client.readContract({
      address: this.#epochReports,
      abi: epochReportsAbi,
      functionName: "pendingRoot",
    });
    if (BigInt(prefix) === 0n) return zeroHash;
    return this.#payouts.rootByPrefix(prefix);
  }

  /** The Gateway's current attester set id (what the relayer verifies the signatures against). */
  async currentSetId(): Promise<bigint> {
    this.#gateway ??= await this.#client.readContract({
      address: this.#epochReports,
      abi: epochReportsAbi,
      functionName: "attesterSet",
    });
    return this.#client.readContract({ address: this.#gateway, abi: gatewayAbi, functionName: "currentSetId" });
  }

  async #closeDue(community: bigint): Promise<void> {
    const { genesis, epochLength } = await this.#engagement.chain.clock();
    const grace = this.#engagement.closeGraceMs;
    const nowMs = this.#now();
    const current = Math.floor((nowMs / 1_000 - genesis) / epochLength);
    const first = Math.max(0, current - this.#options.lookbackEpochs);
    for (let epoch = first; epoch < current; epoch++) {
      if ((genesis + (epoch + 1) * epochLength) * 1_000 + grace > nowMs) return;
      if ((await this.#payouts.outcomeOf(community, BigInt(epoch))) !== undefined) continue;
      const tip = await this.chainTip();
      if (tip === undefined) {
        this.#log.debug(
          { community: community.toString(), epoch },
          "the chain's payout tip is not known here: waiting",
        );
        return;
      }
      if (await this.#outstanding(tip)) return; // this node's previous report is not on chain yet
      const done = await this.#close(community, epoch, tip);
      if (!done) return; // epochs close in order
    }
  }

  /** Whether this node holds a report built on `tip` not yet settled: the next one waits for the tip to move. */
  async #outstanding(tip: Hex): Promise<boolean> {
    const open = await this.#payouts.pendingReports(64);
    return open.some((r) => String(r.report.prevPayoutRoot).toLowerCase() === tip.toLowerCase());
  }

  async #close(community: bigint, epoch: number, tip: Hex): Promise<boolean> {
    const key = `${community}/${epoch}`;
    const state = this.#pending.get(key) ?? { attempts: 0, got: new Map<string, ReportContribution>() };
    this.#pending.set(key, state);
    const own = await ownContribution(this.#engagement, community.toString(), epoch);
    if (own === undefined) return false;
    state.got.set(own.node, toReportContribution(own, contributionHash(own)));
    const missing: string[] = [];
    for (const peer of this.#peers) {
      if (state.got.has(peer.koiiPublicKey)) continue;
      try {
        const c = await fetchContribution(
          peer.url,
          { community: community.toString(), epoch },
          this.#engagement.ed25519PrivateKey,
          {
            node: peer.koiiPublicKey,
            timeoutMs: 5_000,
            now: this.#now,
          },
        );
        if (c === undefined) missing.push(peer.koiiPublicKey);
        else state.got.set(c.node, toReportContribution(c, contributionHash(c)));
      } catch (error) {
        missing.push(peer.koiiPublicKey);
        this.#log.warn(
          { community: community.toString(), epoch, peer: peer.koiiPublicKey, err: describeError(error) },
          "peer contribution not fetched",
        );
      }
    }
    state.attempts += 1;
    if (missing.length > 0 && state.attempts < this.#options.peerAttempts) {
      this.#log.info(
        { community: community.toString(), epoch, missing, attempt: state.attempts },
        "waiting for peers' contributions",
      );
      return false;
    }
    const attesterSetId = await this.currentSetId();
    const out = await this.#reporter.close({
      community,
      epoch: BigInt(epoch),
      prevPayoutRoot: tip,
      contributions: [...state.got.values()],
      attesterSetId,
    });
    this.#pending.delete(key);
    this.#log.info(
      {
        community: community.toString(),
        epoch,
        outcome: out.kind,
        contributions: state.got.size,
        left_out: missing,
        ...("reportHash" in out ? { reportHash: out.reportHash } : {}),
      },
      "epoch closed",
    );
    return true;
  }

  /** Marks this node's reports final on chain settled and prunes the beacons of the epochs they settle. */
  async settle(): Promise<void> {
    let open: Awaited<ReturnType<PayoutStore["pendingReports"]>>;
    try {
      open = await this.#payouts.pendingReports(64);
    } catch (error) {
      this.#log.warn({ err: describeError(error) }, "reading pending reports failed");
      return;
    }
    for (const r of open) {
      try {
        const seq = await this.#seq(r.community, r.epoch, r.reportHash);
        if (seq === undefined) continue;
        const record = await this.#client.readContract({
          address: this.#epochReports,
          abi: epochReportsAbi,
          functionName: "reportOf",
          args: [seq],
        });
        if (Number(record.status) !== STATUS_FINAL) continue;
        await this.#payouts.markSettled(r.community, r.epoch);
        const pruned = await this.#engagement.store.pruneSettled(r.community.toString(), Number(r.epoch));
        this.#log.info(
          { community: r.community.toString(), epoch: r.epoch.toString(), seq: seq.toString(), ...pruned },
          "report final on chain: settled, beacons pruned",
        );
      } catch (error) {
        this.#log.warn(
          { community: r.community.toString(), epoch: r.epoch.toString(), err: describeError(error) },
          "settlement check failed",
        );
      }
    }
  }

  /** The sequence number EpochReports gave this node's report (its ReportSubmitted log), undefined before. */
  async #seq(community: bigint, epoch: bigint, reportHash: Hex): Promise<bigint | undefined> {
    const key = reportHash.toLowerCase();
    const known = this.#seqOf.get(key);
    if (known !== undefined) return known;
    const logs = await this.#client.getContractEvents({
      address: this.#epochReports,
      abi: epochReportsAbi,
      eventName: "ReportSubmitted",
      args: { communityId: community, epoch },
      fromBlock: 0n,
    });
    for (const log of logs) {
      if (String(log.args.reportHash).toLowerCase() === key && log.args.seq !== undefined) {
        this.#seqOf.set(key, BigInt(log.args.seq));
        return BigInt(log.args.seq);
      }
    }
    return undefined;
  }
}
