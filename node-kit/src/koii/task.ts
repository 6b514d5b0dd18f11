// One node's part in the Koii task round for one kind of work (docs/protocol.md §9). Each tick looks at the clock:
//   round r in its submission window -> build, sign and persist this node's submission for r (served over HTTP);
//   round r in its audit window      -> fetch each peer's submission for r, verify it, re-check it (the kind's
//                                       audit), persist a signed vote, hand proven equivocation to the sink; gather
//                                       votes;
//   round r past its audit window    -> gather the last votes, tally, distribute once (persisted with the stake
//                                       changes, so a restart neither pays nor slashes twice).
// Everything is persisted before it is served or acted on; a restarted node resumes from its store.
import type { Hex } from "viem";
import { describeError, InvalidBindingRecordError, InvalidKoiiArtefactError } from "../errors.ts";
import type { BindingRecord } from "../identity.ts";
import { koiiPublicKeyOf } from "../identity.ts";
import type { Logger } from "../log.ts";
import type { RoundMetrics } from "../metrics.ts";
import { type Distribution, distribute, distributionToJson, tallyVotes } from "./distribution.ts";
import type { EquivocationSink, Fault, WorkKind } from "./kind.ts";
import { getJson, submissionUrl, votesUrl } from "./peers.ts";
import { type RoundSchedule, roundAt, roundInPhase, windowsOf } from "./rounds.ts";
import type { RoundStore } from "./store.ts";
import { buildSubmission, type Submission, submissionHash, verifySubmission } from "./submission.ts";
import { signVote, type Vote, verifyVote } from "./votes.ts";

export type TaskNode = { readonly koiiPublicKey: string; readonly stake: bigint; readonly url?: string | undefined };

export type TaskSettings = {
  readonly taskId: string;
  readonly schedule: RoundSchedule;
  readonly rewardPerRound: bigint;
  readonly quorumBps: number;
  readonly slashBps: number;
  readonly equivocationSlashBps: number;
  readonly requestTimeoutMs: number;
};

/** What auditing one peer for one round came to; `R` is what the equivocation sink returns per report. */
export type PeerAudit<R = unknown> =
  | { readonly peer: string; readonly status: "voted"; readonly vote: Vote; readonly reports: readonly R[] }
  | { readonly peer: string; readonly status: "already-voted" }
  | { readonly peer: string; readonly status: "no-submission" }
  | { readonly peer: string; readonly status: "rejected"; readonly reason: string; readonly detail: string }
  | { readonly peer: string; readonly status: "unreachable"; readonly detail: string }
  /** The audit itself failed (an origin RPC down, ...): no vote yet, retried on the next tick of the window. */
  | { readonly peer: string; readonly status: "failed"; readonly detail: string };

/** Rounds distributed per tick at most (a node back from a long outage catches up over several ticks). */
const MAX_DISTRIBUTIONS_PER_TICK = 8;

export class KoiiTask<Item, R = unknown> {
  readonly kind: WorkKind<Item>;
  readonly settings: TaskSettings;
  readonly node: string;
  readonly #key: Hex;
  readonly #binding: BindingRecord;
  readonly #nodes: readonly TaskNode[];
  readonly #store: RoundStore;
  readonly #reporter: EquivocationSink<R> | undefined;
  readonly #log: Logger;
  readonly #metrics: RoundMetrics | undefined;
  readonly #now: () => number;
  /** Wait after a round's end before collecting it, so signatures made at its last instant are stored. */
  readonly #settleMs: number;
  #seeded = false;

  constructor(args: {
    kind: WorkKind<Item>;
    settings: TaskSettings;
    ed25519PrivateKey: Hex;
    binding: BindingRecord;
    nodes: readonly TaskNode[];
    store: RoundStore;
    /** Acts on the equivocation the kind's audit proves (opt-in: a disabled sink is never called). */
    reporter?: EquivocationSink<R>;
    log: Logger;
    metrics?: RoundMetrics;
    now?: () => number;
  }) {
    this.kind = args.kind;
    this.settings = args.settings;
    this.#key = args.ed25519PrivateKey;
    this.node = koiiPublicKeyOf(args.ed25519PrivateKey);
    if (args.binding.koiiPublicKey !== this.node)
      throw new InvalidBindingRecordError("the binding record is not this node's");
    this.#binding = args.binding;
    this.#nodes = args.nodes;
    this.#store = args.store;
    this.#reporter = args.reporter;
    this.#log = args.log.child({ task: args.settings.taskId, kind: args.kind.name });
    this.#metrics = args.metrics;
    this.#now = args.now ?? Date.now;
    this.#settleMs = Math.min(250, Math.floor(args.settings.schedule.submissionMs / 4));
  }

  get #peers(): TaskNode[] {
    return this.#nodes.filter((n) => n.koiiPublicKey !== this.node && n.url !== undefined);
  }

  #event(event: string): void {
    this.#metrics?.koii.inc({ event });
  }

  /** One pass over the clock; failures are logged and retried next tick. */
  async tick(): Promise<void> {
    if (!this.#seeded) {
      await this.#store.seedStakes(new Map(this.#nodes.map((n) => [n.koiiPublicKey, n.stake])));
      this.#seeded = true;
    }
    const now = this.#now();
    const s = this.settings.schedule;
    const submitting = roundInPhase(s, "submission", now);
    if (submitting !== undefined && now >= windowsOf(s, submitting).workEnd + this.#settleMs) {
      await this.submit(submitting);
    }
    const auditing = roundInPhase(s, "audit", now);
    if (auditing !== undefined) {
      await this.audit(auditing);
      await this.gatherVotes(auditing);
    }
    await this.#distributeDue(now);
  }

  // -- submission ------------------------------------------------------------------------------------------------

  /** This node's submission for `round`: built once from its work of the round, then served as stored. */
  async submit(round: number): Promise<Submission<Item>> {
    const stored = await this.#store.getSubmission(round, this.kind.name, this.node);
    if (stored !== undefined) return stored as Submission<Item>;
    const items = await this.kind.collect(windowsOf(this.settings.schedule, round));
    const submission = buildSubmission({
      kind: this.kind,
      taskId: this.settings.taskId,
      round,
      ed25519PrivateKey: this.#key,
      binding: this.#binding,
      items,
    });
    await this.#store.saveSubmission({
      round,
      kind: this.kind.name,
      node: this.node,
      hash: submissionHash(submission),
      body: submission,
      own: true,
    });
    this.#event("submitted");
    this.#log.info({ round, items: items.length, root: submission.root }, "round submission stored");
    return submission;
  }

  // -- audit -----------------------------------------------------------------------------------------------------

  /** Audits every peer for `round` that has not been voted on yet. */
  async audit(round: number): Promise<PeerAudit<R>[]> {
    const results: PeerAudit<R>[] = [];
    for (const peer of this.#peers) {
      // One peer's audit failing (an RPC error judging its items or evidence) never stops the votes on the others.
      try {
        results.push(await this.auditPeer(peer, round));
      } catch (error) {
        this.#event("audit-failed");
        this.#log.warn({ peer: peer.koiiPublicKey, round, error: describeError(error) }, "audit of a peer failed");
        results.push({ peer: peer.koiiPublicKey, status: "failed", detail: describeError(error) });
      }
    }
    return results;
  }

  /** Fetches, verifies and re-checks one peer's submission for `round`, then casts and persists a signed vote. */
  async auditPeer(peer: TaskNode, round: number): Promise<PeerAudit<R>> {
    const who = peer.koiiPublicKey;
    const voted = await this.#store.listVotes(round, this.kind.name, this.node);
    if (voted.some((v) => (v as Vote).subject === who)) return { peer: who, status: "already-voted" };
    let raw: unknown;
    try {
      raw = await getJson(submissionUrl(peer.url ?? "", round, this.kind.name), this.settings.requestTimeoutMs);
    } catch (error) {
      return { peer: who, status: "unreachable", detail: describeError(error) };
    }
    if (raw === undefined) return { peer: who, status: "no-submission" };
    let submission: Submission<Item>;
    try {
      submission = verifySubmission(raw, { kind: this.kind, taskId: this.settings.taskId, round, node: who });
    } catch (error) {
      if (!(error instanceof InvalidKoiiArtefactError)) throw error;
      this.#event(`rejected-submission-${error.reason}`);
      this.#log.warn({ peer: who, round, reason: error.reason, error: error.message }, "peer submission rejected");
      return { peer: who, status: "rejected", reason: error.reason, detail: error.message };
    }
    const hash = submissionHash(submission);
    await this.#store.saveSubmission({ round, kind: this.kind.name, node: who, hash, body: submission, own: false });
    const outcome = await this.kind.audit(submission.items, { koiiPublicKey: who, binding: submission.binding }, round);
    const vote = signVote({
      taskId: this.settings.taskId,
      round,
      kind: this.kind.name,
      subject: who,
      submissionHash: hash,
      faults: dedupeFaults(outcome.faults),
      ed25519PrivateKey: this.#key,
    });
    await this.#store.saveVote({
      round,
      kind: this.kind.name,
      auditor: this.node,
      subject: who,
      verdict: vote.verdict,
      body: vote,
    });
    this.#event(`vote-${vote.verdict}`);
    if (vote.verdict === "fail") this.#log.warn({ peer: who, round, faults: vote.faults }, "peer failed the audit");
    const reports: R[] = [];
    if (this.#reporter?.enabled === true) {
      for (const e of outcome.equivocations) reports.push(...(await this.#reporter.report(e.proof)));
    }
    return { peer: who, status: "voted", vote, reports };
  }

  /** Fetches peers' votes for `round` and keeps the valid ones by staked auditors. */
  async gatherVotes(round: number): Promise<number> {
    const staked = new Set(this.#nodes.map((n) => n.koiiPublicKey));
    let added = 0;
    for (const peer of this.#peers) {
      let raw: unknown;
      try {
        raw = await getJson(votesUrl(peer.url ?? "", round, this.kind.name), this.settings.requestTimeoutMs);
      } catch (error) {
        this.#log.debug({ peer: peer.koiiPublicKey, error: describeError(error) }, "votes unavailable");
        continue;
      }
      if (!Array.isArray(raw)) continue;
      for (const value of raw.slice(0, 4 * this.#nodes.length)) {
        let vote: Vote;
        try {
          vote = verifyVote(value, { taskId: this.settings.taskId, round, kind: this.kind.name });
        } catch (error) {
          this.#event("rejected-vote");
          this.#log.warn({ peer: peer.koiiPublicKey, error: describeError(error) }, "peer vote rejected");
          continue;
        }
        if (!staked.has(vote.auditor) || !staked.has(vote.subject) || vote.auditor === this.node) continue;
        const saved = await this.#store.saveVote({
          round,
          kind: this.kind.name,
          auditor: vote.auditor,
          subject: vote.subject,
          verdict: vote.verdict,
          body: vote,
        });
        if (saved) added++;
      }
    }
    return added;
  }

  // -- distribution ----------------------------------------------------------------------------------------------

  async #distributeDue(now: number): Promise<void> {
    const s = this.settings.schedule;
    // The newest round whose audit window has closed.
    let latest = roundAt(s, now) - 1;
    while (latest >= 0 && now < windowsOf(s, latest).auditEnd) latest--;
    if (latest < 0) return;
    const last = await this.#store.lastDistributedRound(this.kind.name);
    const first = last < 0 ? latest : last + 1;
    for (let r = first; r <= latest && r < first + MAX_DISTRIBUTIONS_PER_TICK; r++) await this.distribute(r);
  }

  /** Tallies the votes of `round` and distributes it once; later calls return the stored result. */
  async distribute(round: number): Promise<unknown> {
    const stored = await this.#store.getDistribution(round, this.kind.name);
    if (stored !== undefined) return stored;
    await this.gatherVotes(round);
    const stakes = await this.#store.stakes();
    const votes = (await this.#store.listVotes(round, this.kind.name)) as Vote[];
    const submitted = new Set<string>();
    for (const body of await this.#store.listSubmissions(round, this.kind.name)) {
      submitted.add((body as Submission<Item>).node);
    }
    const tallies = tallyVotes({ stakes, votes, quorumBps: this.settings.quorumBps });
    const d: Distribution = distribute({
      round,
      pool: this.settings.rewardPerRound,
      stakes,
      submitted,
      tallies,
      slashBps: this.settings.slashBps,
      equivocationSlashBps: this.settings.equivocationSlashBps,
    });
    const newStakes = new Map(d.slashes.map((x) => [x.node, x.stakeAfter]));
    const body = distributionToJson(d);
    if (await this.#store.saveDistribution({ round, kind: this.kind.name, body, newStakes })) {
      this.#event("distributed");
      for (const x of d.slashes) {
        this.#event(`slashed-${x.reason}`);
        this.#log.warn({ round, node: x.node, reason: x.reason, penalty: x.penalty.toString() }, "node slashed");
      }
      this.#log.info({ round, rewards: d.rewards.length, slashes: d.slashes.length }, "round distributed");
    }
    return (await this.#store.getDistribution(round, this.kind.name)) ?? body;
  }

  /** Where the task stands (GET /koii/status). */
  async status(): Promise<unknown> {
    const now = this.#now();
    return {
      taskId: this.settings.taskId,
      kind: this.kind.name,
      node: this.node,
      attester: this.#binding.attester,
      round: roundAt(this.settings.schedule, now),
      submitting: roundInPhase(this.settings.schedule, "submission", now) ?? null,
      auditing: roundInPhase(this.settings.schedule, "audit", now) ?? null,
      lastDistributed: await this.#store.lastDistributedRound(this.kind.name),
      stakes: Object.fromEntries([...(await this.#store.stakes())].map(([k, v]) => [k, v.toString()])),
    };
  }
}

/** One fault per (code, detail), in first-seen order. */
function dedupeFaults(faults: readonly Fault[]): Fault[] {
  const seen = new Set<string>();
  return faults.filter((f) => {
    const key = `${f.code}\n${f.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
