// The report submitter (docs/relayer.md "Reports", docs/protocol.md §11.3): each tick it polls the aggregator nodes'
// `GET /reports/pending`, checks every signature against the chain's current attester set, and for each report hash
// whose signatures reach the set's threshold weight builds the attestation and records the report (state ready).
// Then it moves every recorded report along, from the store and the chain alone:
//   ready     -> EpochReports.submit (simulated first). ReportExists: the report found on chain under the same hash
//                is adopted (its seq and the attestation it was submitted with), another hash supersedes it;
//                PayoutRootMismatch: stale (built on another tip), looked at again when the tip matches.
//   submitted -> after the challenge window, in chain order (its parent must be the last final report), finalize.
//   final     -> each Solana distribution sent once: sendSolanaPayout(seq, report, attestation, i) with the fee of
//                TokenBridge.quoteDistribution(solanaDomain); one already sent on chain is recorded, not resent.
// A restart resumes from the rows and the chain (isReported, ReportSubmitted logs, reportOf, solanaPayoutSent), so
// nothing is submitted, finalized or sent twice. Failures back off per report; an unreachable node is logged once.
import type { Logger } from "@maskoii/node-kit";
import type { Hex } from "viem";
import { backoffMs } from "../backoff.ts";
import type { ChainAdapter } from "../chains/adapter.ts";
import { revertName } from "../chains/evm-errors.ts";
import { describeError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import { StateLog } from "../state-log.ts";
import { EpochReportsChain, REPORT_STATUS_NAMES, ReportStatus, reportCommitment } from "./chain.ts";
import { collectReports } from "./collect.ts";
import type { ReportsConfig } from "./config.ts";
import type { PendingReportsClient } from "./pending.ts";
import type { ReportRecord, ReportState, ReportStore, ReportUpdate } from "./store.ts";

/** Refusals of `submit` that no waiting changes: the report is rejected for good. */
const PERMANENT_SUBMIT_ERRORS: ReadonlySet<string> = new Set([
  "UnknownCommunity",
  "BelowKAnonymity",
  "InvalidLineCount",
  "LinesNotAscending",
  "NotTargeted",
  "CampaignNotLive",
  "UnknownCampaign",
  "SpendMismatch",
  "EpochCapExceeded",
  "EpochCapClosed",
  "BudgetExceeded",
  "SolanaShareTooLarge",
  "SolanaDistributionMissing",
  "SolanaDistributionUnused",
  "InvalidSolanaRoot",
  "InvalidSolanaLeafCount",
  "InvalidSolanaCount",
  "SolanaAmountNotExact",
  "SolanaAmountTooLarge",
]);

/** Distinct refusals remembered so that each is logged and counted once. */
const MAX_REMEMBERED_REJECTIONS = 10_000;

/** What one tick did (also what the tests read). */
export type ReportsTick = {
  /** Nodes that answered / did not. */
  nodesOk: number;
  nodesFailed: number;
  /** Entries and signatures refused (malformed, hash mismatch, not a member, forged, ...). */
  rejected: number;
  /** Report hashes seen with a quorum / below it. */
  quorum: number;
  belowQuorum: number;
  submitted: number;
  adopted: number;
  finalized: number;
  solanaSent: number;
  stale: number;
  failed: number;
};

export class ReportSubmitter {
  readonly #chain: EpochReportsChain;
  readonly #set: Pick<ChainAdapter, "currentSetId" | "getAttesterSet">;
  readonly #client: PendingReportsClient;
  readonly #store: ReportStore;
  readonly #settings: ReportsConfig;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #states: StateLog;
  readonly #now: () => number;
  /** Refusals already counted and logged (bounded). */
  readonly #rejectedSeen = new Set<string>();

  constructor(args: {
    chain: EpochReportsChain;
    /** The chain's attester set (the Gateway): the adapter of `chain`'s domain. */
    attesterSet: Pick<ChainAdapter, "currentSetId" | "getAttesterSet">;
    client: PendingReportsClient;
    store: ReportStore;
    settings: ReportsConfig;
    log: Logger;
    metrics?: Metrics;
    states?: StateLog;
    now?: () => number;
  }) {
    this.#chain = args.chain;
    this.#set = args.attesterSet;
    this.#client = args.client;
    this.#store = args.store;
    this.#settings = args.settings;
    this.#log = args.log;
    this.#metrics = args.metrics;
    this.#states = args.states ?? new StateLog(args.log, args.metrics);
    this.#now = args.now ?? Date.now;
  }

  get domain(): number {
    return this.#chain.domain;
  }

  get contract(): Hex {
    return this.#chain.address;
  }

  /** One round: collect, then move every open report along. Chain or store failures of one report never stop others. */
  async tick(): Promise<ReportsTick> {
    const t: ReportsTick = {
      nodesOk: 0,
      nodesFailed: 0,
      rejected: 0,
      quorum: 0,
      belowQuorum: 0,
      submitted: 0,
      adopted: 0,
      finalized: 0,
      solanaSent: 0,
      stale: 0,
      failed: 0,
    };
    await this.#collect(t);
    await this.#submitReady(t);
    if (this.#settings.finalize) {
      await this.#finalizeDue(t);
      await this.#sendPayouts(t);
    }
    return t;
  }

  #count(outcome: string, n = 1): void {
    if (n > 0) this.#metrics?.epochReports.inc({ outcome }, n);
  }

  /** Counts and logs a refused entry or signature once (a node serves the same entries on every poll). */
  #reject(reason: string, detail: { node: string; reportHash?: Hex; detail: string }): void {
    const key = `${detail.node}|${reason}|${detail.reportHash ?? ""}|${detail.detail}`;
    if (this.#rejectedSeen.has(key)) return;
    if (this.#rejectedSeen.size >= MAX_REMEMBERED_REJECTIONS) this.#rejectedSeen.clear();
    this.#rejectedSeen.add(key);
    this.#metrics?.reportSignatures.inc({ outcome: `rejected-${reason}` });
    this.#log.warn({ reason, ...detail }, "ignored a report signature from an aggregator node");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // collecting

  async #collect(t: ReportsTick): Promise<void> {
    const answers = await this.#client.fetchAll();
    const entries = [];
    for (const a of answers) {
      this.#states.report(
        "aggregator-reachable",
        a.source,
        a.ok,
        a.ok ? { node: a.source } : { node: a.source, error: a.error },
      );
      if (!a.ok) {
        t.nodesFailed++;
        continue;
      }
      t.nodesOk++;
      entries.push(...a.entries);
      for (const r of a.rejected) {
        t.rejected++;
        this.#reject(r.reason, { node: r.source, detail: r.detail });
      }
    }
    if (entries.length === 0) return;
    const setId = await this.#set.currentSetId();
    const set = await this.#set.getAttesterSet(setId);
    const { reports, rejected } = collectReports({
      entries,
      set,
      domain: this.#chain.domain,
      epochReports: this.#chain.address,
    });
    for (const r of rejected) {
      t.rejected++;
      this.#reject(r.reason, { node: r.source, reportHash: r.reportHash, detail: r.detail });
    }
    for (const q of reports) {
      const a = q.aggregation;
      const log = {
        reportHash: q.reportHash,
        community: String(q.report.communityId),
        epoch: String(q.report.epoch),
        signedWeight: String(a.signedWeight),
        totalWeight: String(a.totalWeight),
        thresholdBps: a.thresholdBps,
      };
      if (q.attestation === undefined) {
        t.belowQuorum++;
        this.#log.debug({ ...log, missing: a.missing }, "report below the attester set's threshold: waiting");
        continue;
      }
      t.quorum++;
      const now = this.#now();
      const added = await this.#store.add({
        domain: this.domain,
        contract: this.contract,
        reportHash: q.reportHash,
        report: q.report,
        attestation: q.attestation,
        now,
      });
      if (added) {
        this.#count("quorum");
        this.#log.info({ ...log, signers: a.signers }, "report reached the attester set's threshold");
        continue;
      }
      // Known: a report not on chain yet takes the freshest attestation (the set may have rotated since).
      const row = await this.#store.get(this.domain, this.contract, q.reportHash);
      if (row !== undefined && (row.state === "ready" || row.state === "stale") && row.attestation !== q.attestation) {
        await this.#store.update(this.domain, this.contract, q.reportHash, { attestation: q.attestation }, now);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // submitting

  async #submitReady(t: ReportsTick): Promise<void> {
    const now = this.#now();
    let rows = (await this.#store.list(this.domain, this.contract, ["ready", "stale"])).filter(
      (r) => r.nextAttemptAt <= now,
    );
    if (rows.length === 0) return;
    // Reports chain on each other's payout roots: submit what builds on the tip, then look again (bounded).
    for (let round = 0; round < 32 && rows.length > 0; round++) {
      const tip = await this.#chain.pendingRoot();
      const onTip = rows.filter((r) => r.report.prevPayoutRoot.slice(0, 34).toLowerCase() === tip);
      const ready = rows.filter((r) => r.state === "ready");
      // Reports built on another root: stale now (a `ready` one is tried once, so the chain says so itself).
      const next = onTip.length > 0 ? onTip : ready;
      if (next.length === 0) return;
      let progressed = false;
      for (const row of next) {
        if (await this.#submit(row, t)) progressed = true;
      }
      if (!progressed) return;
      rows = (await this.#store.list(this.domain, this.contract, ["ready", "stale"])).filter(
        (r) => r.nextAttemptAt <= this.#now(),
      );
    }
  }

  /** Tries to get `row` on chain; true when the chain's tip moved (submitted or adopted). */
  async #submit(row: ReportRecord, t: ReportsTick): Promise<boolean> {
    const log = { reportHash: row.reportHash, community: String(row.communityId), epoch: String(row.epoch) };
    try {
      if (await this.#chain.isReported(row.communityId, row.epoch)) return await this.#adopt(row, t);
      const outcome = await this.#chain.submit(row.report, row.attestation);
      if (outcome.kind === "sent") {
        const seq = EpochReportsChain.submittedSeq(outcome.receipt);
        await this.#set_(row, {
          state: "submitted",
          seq: seq ?? null,
          submitTx: outcome.receipt.transactionHash,
          attempts: 0,
          nextAttemptAt: 0,
          lastError: null,
        });
        t.submitted++;
        this.#count("submitted");
        this.#log.info(
          {
            ...log,
            seq: String(seq),
            txHash: outcome.receipt.transactionHash,
            gasUsed: String(outcome.receipt.gasUsed),
          },
          "epoch report submitted",
        );
        return true;
      }
      if (outcome.kind === "reverted") {
        // A race lost in the block: the next round finds the report on chain (ReportExists) or retries.
        await this.#failed(row, `submit transaction reverted (tx ${outcome.txHash})`, t);
        return false;
      }
      const name = revertName(outcome.reason);
      if (name === "ReportExists") return await this.#adopt(row, t);
      if (name === "PayoutRootMismatch") {
        if (row.state !== "stale") {
          await this.#set_(row, { state: "stale", lastError: outcome.reason });
          t.stale++;
          this.#count("stale");
          this.#log.warn(
            { ...log, prevPayoutRoot: row.report.prevPayoutRoot, reason: outcome.reason },
            "epoch report is stale: built on another payout root than the chain's tip; skipped",
          );
        }
        return false;
      }
      if (PERMANENT_SUBMIT_ERRORS.has(name)) {
        await this.#set_(row, { state: "rejected", lastError: outcome.reason });
        this.#count("rejected");
        this.#log.error({ ...log, reason: outcome.reason }, "EpochReports refuses this report: given up");
        return false;
      }
      // EpochNotOver, paused, an attestation of a rotated set, ...: later.
      await this.#failed(row, `submit refused: ${outcome.reason}`, t);
      return false;
    } catch (error) {
      await this.#failed(row, describeError(error), t);
      return false;
    }
  }

  /**
   * The (community, epoch) is taken on chain: by this report (submitted by anyone, or by this relayer before a
   * crash), whose seq and attestation are read from its ReportSubmitted log and transaction, or by another report.
   */
  async #adopt(row: ReportRecord, t: ReportsTick): Promise<boolean> {
    const log = { reportHash: row.reportHash, community: String(row.communityId), epoch: String(row.epoch) };
    const logs = await this.#chain.submittedLogs(row.communityId, row.epoch);
    for (const l of [...logs].reverse()) {
      if (l.reportHash !== row.reportHash.toLowerCase()) continue;
      const record = await this.#chain.record(l.seq);
      if (record.status === ReportStatus.Rejected || record.status === ReportStatus.Dropped) continue;
      let attestation: Hex | undefined = row.attestation;
      if (reportCommitment(row.reportHash, attestation) !== record.commitment) {
        attestation = await this.#chain.submittedAttestation(l.txHash);
        if (attestation !== undefined && reportCommitment(row.reportHash, attestation) !== record.commitment) {
          attestation = undefined;
        }
      }
      if (attestation === undefined) {
        await this.#set_(row, {
          state: "superseded",
          seq: l.seq,
          submitTx: l.txHash,
          lastError: "on chain with an attestation this relayer cannot read (submitted through a contract)",
        });
        this.#count("superseded");
        this.#log.warn(
          { ...log, seq: String(l.seq) },
          "epoch report on chain with an unknown attestation: not followed",
        );
        return true;
      }
      await this.#set_(row, {
        state: "submitted",
        seq: l.seq,
        submitTx: l.txHash,
        attestation,
        attempts: 0,
        nextAttemptAt: 0,
        lastError: null,
      });
      t.adopted++;
      this.#count("adopted");
      this.#log.info({ ...log, seq: String(l.seq), txHash: l.txHash }, "epoch report already on chain: following it");
      return true;
    }
    await this.#set_(row, { state: "superseded", lastError: "another report holds this (community, epoch)" });
    this.#count("superseded");
    this.#log.warn(
      { ...log, onChain: logs.map((l) => ({ seq: String(l.seq), reportHash: l.reportHash })) },
      "another report holds this (community, epoch) on chain: this one is superseded",
    );
    return false;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // finalizing

  async #finalizeDue(t: ReportsTick): Promise<void> {
    const now = this.#now();
    const rows = (await this.#store.list(this.domain, this.contract, ["submitted"])).filter(
      (r) => r.nextAttemptAt <= now && r.seq !== null,
    );
    if (rows.length === 0) return;
    const [chainNow, window] = await Promise.all([this.#chain.now(), this.#chain.challengeWindow()]);
    let lastFinal = await this.#chain.lastFinal();
    for (const row of rows) {
      const seq = row.seq as bigint;
      const log = { reportHash: row.reportHash, seq: String(seq), epoch: String(row.epoch) };
      try {
        const record = await this.#chain.record(seq);
        if (record.status === ReportStatus.Final) {
          await this.#set_(row, { state: "final", lastError: null, nextAttemptAt: 0, attempts: 0 });
          this.#log.info(log, "epoch report finalized by someone else");
          continue;
        }
        if (record.status === ReportStatus.Rejected || record.status === ReportStatus.Dropped) {
          const status = REPORT_STATUS_NAMES[record.status];
          await this.#set_(row, { state: "rejected", lastError: `${status} on chain` });
          this.#count("rejected");
          this.#log.warn({ ...log, status }, "epoch report was rejected or dropped on chain");
          continue;
        }
        if (record.status === ReportStatus.Frozen) {
          if (row.lastError !== "frozen") {
            await this.#set_(row, { lastError: "frozen" });
            this.#log.warn(log, "epoch report frozen (challenged or disputed): waiting for the quorum's resolution");
          }
          continue;
        }
        if (record.status === ReportStatus.Pending && chainNow < record.submittedAt + window) continue;
        if (record.parent !== lastFinal) {
          // ParentNotFinal: chain order, its parent first (said once per parent).
          const waiting = `waiting for its parent, report ${record.parent}, to be final (last final ${lastFinal})`;
          if (row.lastError !== waiting) await this.#set_(row, { lastError: waiting });
          continue;
        }
        const outcome = await this.#chain.finalize(seq, row.report, row.attestation);
        if (outcome.kind === "sent") {
          lastFinal = seq;
          await this.#set_(row, {
            state: "final",
            finalizeTx: outcome.receipt.transactionHash,
            attempts: 0,
            nextAttemptAt: 0,
            lastError: null,
          });
          t.finalized++;
          this.#count("finalized");
          this.#log.info({ ...log, txHash: outcome.receipt.transactionHash }, "epoch report finalized");
          continue;
        }
        const reason = outcome.kind === "refused" ? outcome.reason : `finalize reverted (tx ${outcome.txHash})`;
        const name = revertName(reason);
        if (name === "ChallengeWindowOpen" || name === "ParentNotFinal") continue;
        await this.#failed(row, `finalize: ${reason}`, t);
      } catch (error) {
        await this.#failed(row, `finalize: ${describeError(error)}`, t);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Solana payouts

  async #sendPayouts(t: ReportsTick): Promise<void> {
    const now = this.#now();
    const rows = (await this.#store.list(this.domain, this.contract, ["final"])).filter((r) => r.nextAttemptAt <= now);
    let route: { bridge: Hex; domain: number } | undefined | null = null;
    for (const row of rows) {
      const solana = row.report.solana ?? [];
      if (!this.#settings.solanaPayouts || solana.length === 0) {
        await this.#set_(row, { state: "done" });
        continue;
      }
      const seq = row.seq as bigint;
      const log = { reportHash: row.reportHash, seq: String(seq), epoch: String(row.epoch) };
      try {
        if (route === null) route = await this.#chain.solanaRoute();
        if (route === undefined) {
          await this.#failed(row, "the ledger has no Solana route (CampaignLedger.setSolanaRoute)", t);
          continue;
        }
        const sent = new Set(
          (await this.#store.payouts(this.domain, this.contract, row.reportHash)).map((p) => p.index),
        );
        let pending = false;
        for (const [index, payout] of solana.entries()) {
          if (sent.has(index)) continue;
          if (await this.#chain.solanaPayoutSent(seq, index)) {
            await this.#payout(row, { index, token: payout.token, fee: null, txHash: null, messageId: null });
            this.#log.info({ ...log, index }, "Solana payout already sent on chain: recorded");
            continue;
          }
          const fee = await this.#chain.quoteDistribution(route.bridge, route.domain);
          const outcome = await this.#chain.sendSolanaPayout(seq, row.report, row.attestation, index, fee);
          if (outcome.kind === "sent") {
            const messageId = EpochReportsChain.payoutMessageId(outcome.receipt) ?? null;
            const txHash = outcome.receipt.transactionHash;
            await this.#payout(row, { index, token: payout.token, fee, txHash, messageId });
            t.solanaSent++;
            this.#count("solana-sent");
            this.#log.info(
              { ...log, index, token: payout.token, fee: String(fee), txHash, messageId },
              "Solana payout sent through the bridge",
            );
            continue;
          }
          const reason = outcome.kind === "refused" ? outcome.reason : `reverted (tx ${outcome.txHash})`;
          if (revertName(reason) === "SolanaPayoutAlreadySent") {
            await this.#payout(row, { index, token: payout.token, fee: null, txHash: null, messageId: null });
            continue;
          }
          pending = true;
          await this.#failed(row, `sendSolanaPayout(${index}): ${reason}`, t);
          break;
        }
        if (!pending) {
          await this.#set_(row, { state: "done", lastError: null, attempts: 0 });
          this.#log.info(log, "every Solana payout of the report sent");
        }
      } catch (error) {
        await this.#failed(row, `Solana payout: ${describeError(error)}`, t);
      }
    }
  }

  #payout(row: ReportRecord, p: Parameters<ReportStore["addPayout"]>[3]): Promise<void> {
    return this.#store.addPayout(this.domain, this.contract, row.reportHash, p, this.#now());
  }

  // ---------------------------------------------------------------------------------------------------------------

  #set_(row: ReportRecord, update: ReportUpdate): Promise<void> {
    return this.#store.update(this.domain, this.contract, row.reportHash, update, this.#now());
  }

  async #failed(row: ReportRecord, reason: string, t: ReportsTick): Promise<void> {
    t.failed++;
    this.#count("failed");
    const attempts = row.attempts + 1;
    const wait = backoffMs(attempts, this.#settings.pollIntervalMs, this.#settings.maxBackoffMs);
    await this.#set_(row, { attempts, nextAttemptAt: this.#now() + wait, lastError: reason }).catch((error: unknown) =>
      this.#log.error({ error: describeError(error) }, "could not record a failed report attempt"),
    );
    this.#log.warn(
      { reportHash: row.reportHash, state: row.state satisfies ReportState, attempts, retryInMs: wait, reason },
      "epoch report attempt failed: backing off",
    );
  }
}
