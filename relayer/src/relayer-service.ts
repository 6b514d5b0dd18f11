// The relayer: follows every origin chain's final messages addressed to a configured destination, gathers attester
// signatures until the destination set's weighted threshold is met, and delivers (one by one, or in Merkle batches).
// Every step is durable in the store, so a restarted relayer resumes where it stopped and never delivers twice: a
// message already delivered on chain (by anyone) is detected and marked skipped. Several instances can share one
// PostgreSQL store: each tick claims a share of the due deliveries (a lease, FOR UPDATE SKIP LOCKED), renews the
// lease right before sending, and hands back what it did not finish.
//
// One hostile message never stalls the others: a batch that fails as a whole (its simulation or its transaction
// reverts, it exceeds the block gas limit or the gas bound) is split in halves, each delivered as its own batch, down to
// single messages; no message is charged an attempt for a batch failure. A single delivery the destination refuses
// for good (InvalidRecipient, ...) is failed at once with the reason (`maskoii doctor` explains it). An account out
// of funds is an operator alert: logged once, deliveries on that chain back off without being charged attempts.
// What the relayer waits for (attester endpoints, quorum, chain RPCs, pause, funds) is logged once per change
// (StateLog) and exported as metrics.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "@maskoii/node-kit";
import { attestationDigest, batchRoot, encodeAttestation, isBaseError, isQuorum } from "@maskoii/sdk";
import type { Hex } from "viem";
import { type Aggregation, aggregate, type Rejection } from "./aggregator.ts";
import { observedByQuorum, reachableWeight } from "./attester-quorum.ts";
import { backoffMs } from "./backoff.ts";
import type { AttesterSetView, ChainAdapter, Chains, DeliveryResult } from "./chains/adapter.ts";
import type { MessageWatcher } from "./chains/watcher.ts";
import { answersFor, type BulkAnswer, candidatesFor, type EndpointAnswer, type SignatureSource } from "./collector.ts";
import { failureOf, pausedRefusal, splittable } from "./delivery-failure.ts";
import { DeliveryRefusedError, describeError, InsufficientFundsError } from "./errors.ts";
import type { ByzantineSink } from "./koii/reporter.ts";
import type { Metrics } from "./metrics.ts";
import { batchProofs } from "./proofs.ts";
import { StateLog } from "./state-log.ts";
import type { DeliveryRecord, Store } from "./store/types.ts";

/** Pending deliveries claimed per tick by default (bounds one tick's work). */
const DUE_LIMIT = 200;
/** Default lease of a claimed delivery. */
const DEFAULT_LEASE_MS = 600_000;
/** Delivery transactions in flight at once by default (destinations whose adapter sends concurrently). */
const DEFAULT_MAX_IN_FLIGHT = 4;
/** How long a destination's attester set is reused by default (a slashing can change weights: keep it short). */
const DEFAULT_SET_CACHE_MS = 500;

/** What one tick saw; `/ready` is built from it. */
export type TickReport = {
  /** Origin chains whose scan failed. */
  readonly originErrors: number;
  /** Destinations whose round failed as a whole (RPC down). */
  readonly destinationErrors: number;
  readonly claimed: number;
  /** Claims handed back unfinished (shutdown, or the lease was lost). */
  readonly released: number;
};

export type RelayerOptions = {
  chains: Chains;
  watchers: readonly MessageWatcher[];
  store: Store;
  attesters: SignatureSource;
  log: Logger;
  metrics: Metrics;
  pollIntervalMs: number;
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
  maxBatchSize: number;
  /** Name of this instance in delivery claims; default host-pid-random. */
  instanceId?: string;
  /** How long a claim is held (renewed before every send). */
  leaseMs?: number;
  /** Deliveries claimed per tick; default 200, or four full batches when that is more. */
  claimLimit?: number;
  /**
   * Delivery transactions (batches or single messages) in flight at once, to destinations whose adapter sends
   * concurrently (`concurrentDeliveries`: EVM, through its nonce manager); others send one at a time. Default 4.
   */
  maxInFlight?: number;
  /**
   * Let a tick return while its deliveries are still being mined, so the next tick scans, claims and collects
   * meanwhile (the service loop sets it). A delivery in flight keeps its claims until it is finished; the next ticks
   * skip its messages; `settled()` waits for all of them. Off: a tick returns with its deliveries finished.
   */
  pipeline?: boolean;
  /** How long an attester set read from a destination is reused, in ms (default 500). */
  setCacheMs?: number;
  now?: () => number;
  /** Reports byzantine signature claims in the attesters' answers (src/koii/reporter.ts). */
  byzantine?: ByzantineSink;
  /** Where condition changes are logged once (shared with the keeper); default its own on `log` and `metrics`. */
  states?: StateLog;
};

type Ready = { record: DeliveryRecord; attestation: Hex };

export class Relayer {
  readonly #o: RelayerOptions;
  readonly #now: () => number;
  readonly instanceId: string;
  readonly #leaseMs: number;
  readonly #maxInFlight: number;
  #draining = false;
  /** Deliveries being sent, and the (lowercase) ids they carry. */
  readonly #tasks = new Set<Promise<void>>();
  readonly #inFlight = new Set<string>();
  readonly #tasksOf = new Map<number, Set<Promise<void>>>();
  /** The first store failure of a delivery task, thrown by the tick that ends after it. */
  #taskFailure: unknown;
  /** Claims handed back by pipelined delivery tasks since the last tick report. */
  #releasedByTasks = 0;
  /** Per destination: the last set read, and when. */
  readonly #sets = new Map<number, { set: AttesterSetView; at: number }>();
  readonly #states: StateLog;
  /** Per destination: consecutive insufficient-funds failures (the backoff of its deliveries). */
  readonly #fundsShort = new Map<number, number>();

  constructor(options: RelayerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.#states = options.states ?? new StateLog(options.log, options.metrics);
  }

  /** The conditions this relayer reports (what it waits for). */
  get states(): StateLog {
    return this.#states;
  }

  /** Resolves once no delivery is in flight (with `pipeline`, deliveries outlive the tick that started them). */
  async settled(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Messages whose delivery is being sent right now (diagnostics, tests). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Stops taking new work: the tick in flight finishes the delivery it is sending, hands back the rest of its claims
   * and returns; later ticks claim nothing.
   */
  drain(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Registers an observed message for delivery if its destination is served. */
  async track(m: { messageId: Hex; origin: number; destination: number; nonce: bigint; message: Hex }): Promise<void> {
    if (!this.#o.chains.has(m.destination)) return;
    const now = this.#now();
    const added = await this.#o.store.addDelivery({
      ...m,
      state: "pending",
      attempts: 0,
      nextAttemptAt: now,
      firstSeenAt: now,
      quorumAt: null,
      deliveredAt: null,
      txHash: null,
      gasUsed: null,
      lastError: null,
    });
    if (added) this.#count("pending", m.origin, m.destination);
  }

  /** `track` for many observed messages in one store write (the watcher hands over a scanned range at once). */
  async trackMany(
    ms: readonly { messageId: Hex; origin: number; destination: number; nonce: bigint; message: Hex }[],
  ): Promise<void> {
    const now = this.#now();
    const served = ms.filter((m) => this.#o.chains.has(m.destination));
    const added = await this.#o.store.addDeliveries(
      served.map((m) => ({
        messageId: m.messageId,
        origin: m.origin,
        destination: m.destination,
        nonce: m.nonce,
        message: m.message,
        state: "pending" as const,
        attempts: 0,
        nextAttemptAt: now,
        firstSeenAt: now,
        quorumAt: null,
        deliveredAt: null,
        txHash: null,
        gasUsed: null,
        lastError: null,
      })),
    );
    const fresh = new Set<string>(added);
    for (const m of served) if (fresh.has(m.messageId.toLowerCase())) this.#count("pending", m.origin, m.destination);
  }

  #count(status: string, origin: number, destination: number): void {
    this.#o.metrics.messages.inc({ status, origin: String(origin), destination: String(destination) });
  }

  /**
   * One bounded round: scan origins, claim a share of the due deliveries, work through them grouped by destination,
   * hand back whatever is still claimed. Throws only when the store fails.
   */
  async tick(): Promise<TickReport> {
    let originErrors = 0;
    let destinationErrors = 0;
    for (const watcher of this.#o.watchers) {
      if (this.#draining) break;
      const subject = `scan:${watcher.domain}`;
      try {
        await this.#o.metrics.time("scan", () => watcher.poll());
        this.#states.report("chain-rpc-reachable", subject, true, { domain: watcher.domain });
      } catch (error) {
        originErrors++;
        // Once per change at warn (StateLog); every failed tick at debug.
        this.#states.report("chain-rpc-reachable", subject, false, {
          domain: watcher.domain,
          error: describeError(error),
        });
        this.#o.log.debug({ error: describeError(error) }, "origin scan failed; retrying next tick");
      }
    }
    if (this.#draining) {
      await this.settled();
      const released = this.#releasedByTasks;
      this.#releasedByTasks = 0;
      return { originErrors, destinationErrors, claimed: 0, released };
    }
    const now = this.#now();
    // Deliveries still in flight from an earlier tick (pipeline) hold their claims already and come back first in
    // the claim order: claimed on top of the limit, and not worked on twice.
    const claimed = await this.#o.store.claimDeliveries(
      this.instanceId,
      now,
      now + this.#leaseMs,
      (this.#o.claimLimit ?? Math.max(DUE_LIMIT, 4 * this.#o.maxBatchSize)) + this.#inFlight.size,
    );
    const due = claimed.filter((d) => !this.#inFlight.has(d.messageId.toLowerCase()));
    if (due.length > 0) this.#o.metrics.claims.inc({ outcome: "claimed" }, due.length);
    const byDestination = new Map<number, DeliveryRecord[]>();
    for (const d of due) byDestination.set(d.destination, [...(byDestination.get(d.destination) ?? []), d]);
    let released = 0;
    try {
      for (const [destination, records] of byDestination) {
        if (this.#draining) break;
        const adapter = this.#o.chains.get(destination);
        if (adapter === undefined) continue;
        const subject = `deliver:${destination}`;
        try {
          await this.#processDestination(adapter, records);
          this.#states.report("chain-rpc-reachable", subject, true, { domain: destination });
        } catch (error) {
          // Destination-wide failure (RPC down): back off every due record of it.
          destinationErrors++;
          const reason = describeError(error);
          this.#states.report("chain-rpc-reachable", subject, false, { domain: destination, error: reason });
          this.#o.log.debug({ destination, error: reason }, "destination round failed");
          for (const r of records) await this.#retryLater(r, reason, true, error);
        }
      }
    } finally {
      // Without pipelining the tick ends with its deliveries; while draining, the ones in flight finish first.
      if (this.#o.pipeline !== true || this.#draining) await this.settled();
      // Whatever is still claimed was not worked on (draining, a lost lease): hand it back now rather than at expiry.
      // Claims of deliveries still in flight stay (they are released when their delivery ends).
      const idle = due.filter((d) => !this.#inFlight.has(d.messageId.toLowerCase())).map((d) => d.messageId);
      released =
        this.#inFlight.size === 0
          ? await this.#o.store.releaseClaims(this.instanceId)
          : await this.#o.store.releaseClaims(this.instanceId, idle);
      if (released > 0) this.#o.metrics.claims.inc({ outcome: "released" }, released);
      released += this.#releasedByTasks;
      this.#releasedByTasks = 0;
      // Every pipelined round hands back the claims it did not get to: routine (debug), except at shutdown.
      if (released > 0) {
        const line = { released, draining: this.#draining };
        if (this.#draining) this.#o.log.info(line, "handed back unfinished delivery claims");
        else this.#o.log.debug(line, "handed back unfinished delivery claims");
      }
    }
    const failure = this.#taskFailure;
    this.#taskFailure = undefined;
    if (failure !== undefined) throw failure;
    return { originErrors, destinationErrors, claimed: due.length, released };
  }

  /** Renews the lease on `records` right before sending; returns those this instance still holds. */
  async #stillMine<T extends { record: DeliveryRecord }>(items: readonly T[]): Promise<T[]> {
    if (this.#draining) return [];
    const held = new Set(
      await this.#o.store.renewClaims(
        this.instanceId,
        items.map((i) => i.record.messageId),
        this.#now() + this.#leaseMs,
      ),
    );
    const mine = items.filter((i) => held.has(i.record.messageId.toLowerCase() as Hex));
    if (mine.length < items.length) {
      this.#o.metrics.claims.inc({ outcome: "lost" }, items.length - mine.length);
      this.#o.log.warn({ lost: items.length - mine.length }, "claims lost before sending (lease expired); not sending");
    }
    return mine;
  }

  async #processDestination(adapter: ChainAdapter, records: readonly DeliveryRecord[]): Promise<void> {
    const [paused, setId] = await Promise.all([adapter.isPaused(), adapter.currentSetId()]);
    this.#states.report("destination-unpaused", String(adapter.domain), !paused, { domain: adapter.domain });
    if (paused) {
      for (const r of records) await this.#retryLater(r, `destination gateway ${adapter.domain} is paused`, false);
      return;
    }
    const set = await this.#setOf(adapter, setId);
    // A destination without batch delivery (Solana) caps the batch size at 1.
    const batchSize = Math.min(this.#o.maxBatchSize, adapter.maxBatchSize ?? this.#o.maxBatchSize);
    const batching = batchSize > 1;
    let live: DeliveryRecord[] = [...records];
    {
      // Delivered already (by another relayer, or by this one before a crash): record it, never send for it. A single
      // delivery would revert; a batch would skip it on chain (MessageSkipped) but still pay for it. One round trip per
      // ~100 messages where the adapter has isDeliveredMany.
      const items = records.map((r) => ({ origin: r.origin, nonce: r.nonce, messageId: r.messageId }));
      const delivered =
        adapter.isDeliveredMany === undefined
          ? await Promise.all(items.map((i) => adapter.isDelivered(i.origin, i.nonce, i.messageId)))
          : await adapter.isDeliveredMany(items);
      live = [];
      for (const [i, record] of records.entries()) {
        if (delivered[i] === true) await this.#finish(record, "skipped", { lastError: "already delivered on chain" });
        else live.push(record);
      }
    }
    if (live.length === 0) return;
    // One request per attester for every due message (not one per message). Single deliveries need message
    // signatures: the nodes are asked to sign what they have not yet (nodes may delay them for batching relayers).
    const bulk = await this.#o.metrics.time("collect", () =>
      this.#o.attesters.signaturesMany(
        live.map((r) => r.messageId),
        batching ? {} : { sign: true },
      ),
    );
    this.#reportAttesters(adapter.domain, set, bulk);
    // Batch mode: a message observed final by a quorum of the set goes into a batch whose ROOT the attesters sign;
    // its per-message signatures are not needed (nor verified: one recovery per attester per batch, not per message).
    const batchable: DeliveryRecord[] = [];
    const alone: DeliveryRecord[] = [];
    for (const record of live) {
      if (batching && observedByQuorum(bulk, set, record.messageId)) batchable.push(record);
      else alone.push(record);
    }
    // In batch mode the rest needs message signatures: asked for (and signed on request) in one more request.
    const signed =
      batching && alone.length > 0
        ? await this.#o.metrics.time("collect", () =>
            this.#o.attesters.signaturesMany(
              alone.map((r) => r.messageId),
              { sign: true },
            ),
          )
        : bulk;
    const ready: Ready[] = [];
    for (const record of alone) {
      if (this.#draining) break;
      const r = await this.#readyAlone(adapter, set, record, answersFor(signed, record.messageId));
      if (r !== undefined) ready.push(r);
    }
    // Each batch (or single message) is one delivery task; up to maxInFlight of them are sent at once. Every task
    // renews its leases right before sending (#stillMine), so a drain or a lost lease stops it before the send.
    for (let i = 0; i < batchable.length; i += batchSize) {
      const slice = batchable.slice(i, i + batchSize);
      await this.#launch(adapter, slice, async () => {
        const chunk = (await this.#stillMine(slice.map((record) => ({ record })))).map((held) => held.record);
        await this.#deliverPart(adapter, set, chunk, bulk);
      });
    }
    if (batching && ready.length > 1) {
      for (let i = 0; i < ready.length; i += batchSize) {
        const slice = ready.slice(i, i + batchSize);
        await this.#launch(
          adapter,
          slice.map((r) => r.record),
          async () => {
            const chunk = await this.#stillMine(slice);
            if (
              chunk.length > 1 &&
              (await this.#deliverBatch(
                adapter,
                set,
                chunk.map((r) => r.record),
                bulk,
              ))
            )
              return;
            for (const r of chunk) {
              const [mine] = await this.#stillMine([r]);
              if (mine !== undefined) await this.#deliverOne(adapter, mine);
            }
          },
        );
      }
      return;
    }
    for (const r of ready) {
      await this.#launch(adapter, [r.record], async () => {
        const [mine] = await this.#stillMine([r]);
        if (mine !== undefined) await this.#deliverOne(adapter, mine);
      });
    }
  }

  /**
   * Delivers `chunk` (claims held) as one batch, or one by one when it is a single message or its root is below
   * quorum (per-message signatures, signed on request). A batch that fails as a whole comes back here in halves.
   */
  async #deliverPart(
    adapter: ChainAdapter,
    set: AttesterSetView,
    chunk: readonly DeliveryRecord[],
    bulk: readonly BulkAnswer[],
  ): Promise<void> {
    if (chunk.length === 0 || this.#draining) return;
    if (chunk.length > 1 && (await this.#deliverBatch(adapter, set, chunk, bulk))) return;
    const perMessage = await this.#o.metrics.time("collect", () =>
      this.#o.attesters.signaturesMany(
        chunk.map((r) => r.messageId),
        { sign: true },
      ),
    );
    for (const record of chunk) {
      if (this.#draining) return;
      const r = await this.#readyAlone(adapter, set, record, answersFor(perMessage, record.messageId));
      if (r === undefined) continue;
      const [mine] = await this.#stillMine([r]);
      if (mine !== undefined) await this.#deliverOne(adapter, mine);
    }
  }

  /**
   * Attester endpoints reachable or not (each named), and whether the reachable ones hold a quorum of the
   * destination's set: logged once per change, exported as maskoii_condition_ok.
   */
  #reportAttesters(destination: number, set: AttesterSetView, bulk: readonly BulkAnswer[]): void {
    for (const a of bulk) {
      this.#states.report("attester-reachable", a.source, a.ok, a.ok ? {} : { error: a.error });
      if (!a.ok) this.#o.log.debug({ source: a.source, error: a.error }, "attester endpoint failed");
    }
    const { weight, known } = reachableWeight(bulk, set);
    if (!known) return;
    this.#states.report("quorum-reachable", String(destination), isQuorum(weight, set.totalWeight, set.thresholdBps), {
      domain: destination,
      setId: set.setId.toString(),
      reachableWeight: weight.toString(),
      totalWeight: set.totalWeight.toString(),
      thresholdBps: set.thresholdBps,
      unreachable: bulk.filter((a) => !a.ok).map((a) => a.source),
    });
  }

  /** The destination's set `setId`, read at most every setCacheMs (wall clock, not the injectable `now`). */
  async #setOf(adapter: ChainAdapter, setId: bigint): Promise<AttesterSetView> {
    const cached = this.#sets.get(adapter.domain);
    const ttl = this.#o.setCacheMs ?? DEFAULT_SET_CACHE_MS;
    if (cached !== undefined && cached.set.setId === setId && Date.now() - cached.at < ttl) return cached.set;
    const set = await adapter.getAttesterSet(setId);
    this.#sets.set(adapter.domain, { set, at: Date.now() });
    return set;
  }

  /**
   * Starts `send` (the delivery of `records`) as a task once fewer than the destination's limit are in flight:
   * maxInFlight for an adapter that sends concurrently, else 1. Resolves when the task has started.
   */
  async #launch(adapter: ChainAdapter, records: readonly DeliveryRecord[], send: () => Promise<void>): Promise<void> {
    const limit = adapter.concurrentDeliveries === true ? this.#maxInFlight : 1;
    let mine = this.#tasksOf.get(adapter.domain);
    if (mine === undefined) {
      mine = new Set();
      this.#tasksOf.set(adapter.domain, mine);
    }
    while (mine.size >= limit) await Promise.race(mine);
    const ids = records.map((r) => r.messageId.toLowerCase());
    for (const id of ids) this.#inFlight.add(id);
    const perDomain = mine;
    const task: Promise<void> = (async () => {
      try {
        await send();
      } catch (error) {
        // Only the store throws here (delivery errors are rescheduled): the tick reports it.
        this.#taskFailure ??= error;
      } finally {
        for (const id of ids) this.#inFlight.delete(id);
        // A pipelined delivery outlives its tick: it hands back its own unfinished claims.
        if (this.#o.pipeline === true) {
          const released = await this.#o.store
            .releaseClaims(
              this.instanceId,
              records.map((r) => r.messageId),
            )
            .catch(() => 0);
          if (released > 0) this.#o.metrics.claims.inc({ outcome: "released" }, released);
          this.#releasedByTasks += released;
        }
      }
    })().finally(() => {
      this.#tasks.delete(task);
      perDomain.delete(task);
    });
    this.#tasks.add(task);
    perDomain.add(task);
  }

  /** The message's own quorum attestation, or undefined after rescheduling it (below quorum). */
  async #readyAlone(
    adapter: ChainAdapter,
    set: AttesterSetView,
    record: DeliveryRecord,
    answers: readonly EndpointAnswer[],
  ): Promise<Ready | undefined> {
    // Never blocks delivery: a failing report is logged and the quorum is judged as before.
    await this.#o.byzantine?.inspect(record.messageId, answers).catch((error: unknown) => {
      this.#o.log.warn({ error: describeError(error) }, "byzantine report failed");
    });
    const agg = this.#collect(adapter, set, record, answers);
    if (!agg.ready) {
      const missing = agg.missing.join(",");
      await this.#retryLater(
        record,
        `below quorum: ${agg.signedWeight}/${agg.totalWeight} weight signed (threshold ${agg.thresholdBps} bps), missing ${missing}`,
        false,
      );
      return undefined;
    }
    if (record.quorumAt === null) {
      const quorumAt = this.#now();
      await this.#o.store.updateDelivery(record.messageId, { quorumAt });
      this.#o.metrics.quorumWait.observe(
        { destination: String(adapter.domain) },
        (quorumAt - record.firstSeenAt) / 1000,
      );
    }
    return { record, attestation: encodeAttestation(set.setId, agg.signatures) };
  }

  #collect(
    adapter: ChainAdapter,
    set: AttesterSetView,
    record: DeliveryRecord,
    answers: readonly EndpointAnswer[],
  ): Aggregation {
    const target = { domain: adapter.domain, verifier: adapter.verifier, attesterSetId: set.setId };
    const agg = aggregate({
      digest: attestationDigest("message", { ...target, value: record.messageId }),
      set,
      candidates: candidatesFor(answers, { kind: "message", value: record.messageId, ...target }),
    });
    this.#reportRejected("message", { messageId: record.messageId }, agg.rejected);
    return agg;
  }

  /**
   * A batch root skips per-message signature checks (one recovery per attester per batch, not per message). An
   * endpoint whose root signature was rejected loses that trust: its per-message answers for the batch are checked and
   * reported too (and handed to the byzantine reporter), so a byzantine endpoint is reported for everything it served
   * while honest endpoints cost nothing extra.
   */
  async #inspectSuspects(
    adapter: ChainAdapter,
    set: AttesterSetView,
    chunk: readonly DeliveryRecord[],
    bulk: readonly BulkAnswer[],
    rejected: readonly Rejection[],
  ): Promise<void> {
    const suspects = new Set(rejected.map((r) => r.source));
    if (suspects.size === 0) return;
    for (const record of chunk) {
      const answers = answersFor(bulk, record.messageId).filter((a) => suspects.has(a.source));
      if (answers.length === 0) continue;
      await this.#o.byzantine?.inspect(record.messageId, answers).catch((error: unknown) => {
        this.#o.log.warn({ error: describeError(error) }, "byzantine report failed");
      });
      this.#collect(adapter, set, record, answers);
    }
  }

  /** Byzantine or broken answers are never silent: a log line naming the endpoint and a `signatures` outcome each. */
  #reportRejected(kind: "message" | "batch", context: Record<string, unknown>, rejected: readonly Rejection[]): void {
    for (const r of rejected) {
      this.#o.metrics.signatures.inc({ kind, outcome: `rejected-${r.reason}` });
      this.#o.log.warn({ kind, ...context, ...r }, "ignored an attester signature");
    }
  }

  /** Tries one batch; false if the attesters did not sign its root to quorum (then the caller delivers singly). */
  async #deliverBatch(
    adapter: ChainAdapter,
    set: AttesterSetView,
    chunk: readonly DeliveryRecord[],
    bulk: readonly BulkAnswer[],
  ): Promise<boolean> {
    const ids = chunk.map((r) => r.messageId);
    const root = batchRoot(ids);
    const target = { domain: adapter.domain, verifier: adapter.verifier, attesterSetId: set.setId };
    const answers = await this.#o.metrics.time("batch_attest", () => this.#o.attesters.batch(adapter.domain, ids));
    const agg = aggregate({
      digest: attestationDigest("batch", { ...target, value: root }),
      set,
      candidates: candidatesFor(answers, { kind: "batch", value: root, ...target }),
    });
    this.#reportRejected("batch", { root, messageIds: ids }, agg.rejected);
    await this.#inspectSuspects(adapter, set, chunk, bulk, agg.rejected);
    if (!agg.ready) {
      this.#o.log.info({ root, size: ids.length }, "batch root below quorum; delivering one by one");
      return false;
    }
    const quorumAt = this.#now();
    for (const r of chunk) {
      if (r.quorumAt === null) {
        this.#o.metrics.quorumWait.observe({ destination: String(adapter.domain) }, (quorumAt - r.firstSeenAt) / 1000);
      }
    }
    const attestation = encodeAttestation(set.setId, agg.signatures);
    const proofs = batchProofs(ids);
    try {
      const result = await this.#o.metrics.time("deliver_tx", () =>
        adapter.deliverBatch(
          chunk.map((r) => r.message),
          proofs,
          attestation,
        ),
      );
      this.#spent(adapter, "deliverBatch", result);
      const share = result.gasUsed / BigInt(chunk.length);
      const skipped = new Set(result.skipped);
      const failed = new Set(result.failed);
      const groups = new Map<string | null, DeliveryRecord[]>();
      for (const r of chunk) {
        const id = r.messageId.toLowerCase() as Hex;
        const note = skipped.has(id)
          ? "already delivered (batch skipped it)"
          : failed.has(id)
            ? "recipient failed (MessageFailed)"
            : null;
        groups.set(note, [...(groups.get(note) ?? []), r]);
      }
      // One store write per outcome, not one per message.
      await this.#o.metrics.time("store", async () => {
        for (const [note, records] of groups) {
          const state = note === "already delivered (batch skipped it)" ? "skipped" : "delivered";
          await this.#finishMany(records, state, { txHash: result.txHash, gasUsed: share, lastError: note, quorumAt });
        }
      });
      this.#fundsOk(adapter.domain);
      return true;
    } catch (error) {
      if (pausedRefusal(error)) {
        // Paused between the check and the send: a wait, not an attempt.
        for (const r of chunk) await this.#retryLater(r, describeError(error), false);
        return true;
      }
      if (splittable(error)) {
        // The batch failed as a whole: some message in it is the cause. Split it, charge nobody.
        const mid = Math.ceil(chunk.length / 2);
        this.#o.metrics.batchSplits.inc({ destination: String(adapter.domain), reason: error.code });
        this.#o.log.warn(
          {
            destination: adapter.domain,
            size: chunk.length,
            halves: [mid, chunk.length - mid],
            reason: describeError(error),
          },
          "batch failed as a whole; splitting it to isolate the message that fails it (no attempt charged)",
        );
        for (const half of [chunk.slice(0, mid), chunk.slice(mid)]) {
          const held = (await this.#stillMine(half.map((record) => ({ record })))).map((h) => h.record);
          await this.#deliverPart(adapter, set, held, bulk);
        }
        return true;
      }
      if (error instanceof InsufficientFundsError) {
        await this.#outOfFunds(adapter.domain, chunk, error);
        return true;
      }
      for (const r of chunk) await this.#retryLater(r, describeError(error), true, error);
      return true;
    }
  }

  /**
   * The paying account cannot pay on `domain`: an operator alert (logged once, maskoii_condition_ok
   * funds-sufficient 0). The records back off, doubling per consecutive shortage, without being charged an attempt.
   */
  async #outOfFunds(domain: number, records: readonly DeliveryRecord[], error: InsufficientFundsError): Promise<void> {
    const shortages = (this.#fundsShort.get(domain) ?? 0) + 1;
    this.#fundsShort.set(domain, shortages);
    this.#states.report("funds-sufficient", String(domain), false, { domain, account: error.account });
    const delay = backoffMs(shortages, this.#o.retry.baseMs, this.#o.retry.maxMs);
    const lastFailure = failureOf(error);
    const ids = records.map((r) => r.messageId);
    await this.#o.store.updateDeliveries(ids, {
      nextAttemptAt: this.#now() + delay,
      lastError: describeError(error),
      lastFailure,
    });
  }

  /** A transaction on `domain` was paid for: the account is funded (again). */
  #fundsOk(domain: number): void {
    if (this.#fundsShort.delete(domain) || this.#states.state("funds-sufficient", String(domain)) === false) {
      this.#states.report("funds-sufficient", String(domain), true, { domain });
    }
  }

  /** #finish for records sharing one outcome, in one store write (quorumAt is kept where already set). */
  async #finishMany(
    records: readonly DeliveryRecord[],
    state: "delivered" | "skipped",
    extra: { txHash: Hex; gasUsed: bigint; lastError: string | null; quorumAt: number },
  ): Promise<void> {
    const now = this.#now();
    const fresh = records.filter((r) => r.quorumAt === null).map((r) => r.messageId);
    const known = records.filter((r) => r.quorumAt !== null).map((r) => r.messageId);
    const update = {
      state,
      deliveredAt: now,
      txHash: extra.txHash,
      gasUsed: extra.gasUsed,
      lastError: extra.lastError,
    };
    await this.#o.store.updateDeliveries(fresh, { ...update, quorumAt: extra.quorumAt });
    await this.#o.store.updateDeliveries(known, update);
    for (const record of records) {
      this.#count(state, record.origin, record.destination);
      if (state === "delivered") {
        this.#o.metrics.deliveryLatency.observe(
          { destination: String(record.destination) },
          (now - record.firstSeenAt) / 1000,
        );
      }
      this.#o.log.info(
        { messageId: record.messageId, state, txHash: extra.txHash, note: extra.lastError },
        `message ${state}`,
      );
    }
  }

  async #deliverOne(adapter: ChainAdapter, ready: Ready): Promise<void> {
    const { record } = ready;
    try {
      const result = await this.#o.metrics.time("deliver_tx", () => adapter.deliver(record.message, ready.attestation));
      this.#spent(adapter, "deliver", result);
      const failed = result.failed.some((s) => s === record.messageId.toLowerCase());
      this.#fundsOk(adapter.domain);
      await this.#finish(record, "delivered", {
        txHash: result.txHash,
        gasUsed: result.gasUsed,
        lastError: failed ? "recipient failed (MessageFailed); retry(message) on the gateway" : null,
      });
    } catch (error) {
      // A racing relayer may have delivered between our check and our transaction.
      if (await adapter.isDelivered(record.origin, record.nonce, record.messageId).catch(() => false)) {
        await this.#finish(record, "skipped", { lastError: "delivered by someone else" });
        return;
      }
      if (error instanceof InsufficientFundsError) {
        await this.#outOfFunds(adapter.domain, [record], error);
        return;
      }
      if (pausedRefusal(error)) {
        await this.#retryLater(record, describeError(error), false);
        return;
      }
      if (isBaseError(error) && !error.retryable) {
        // Retrying can never help (the message itself is refused, or it cannot even be encoded): failed now, with
        // the reason. Errors say so themselves (`retryable`); an unknown error is retried with backoff.
        const reason =
          error instanceof DeliveryRefusedError ? `refused by the destination: ${error.reason}` : describeError(error);
        await this.#fail(record, reason, record.attempts + 1, error);
        return;
      }
      await this.#retryLater(record, describeError(error), true, error);
    }
  }

  #spent(adapter: ChainAdapter, method: string, result: DeliveryResult): void {
    const labels = { destination: String(adapter.domain), method };
    this.#o.metrics.gasSpent.inc(labels, Number(result.gasUsed));
    this.#o.metrics.feesSpent.inc(labels, Number(result.gasUsed * result.effectiveGasPrice));
  }

  async #finish(
    record: DeliveryRecord,
    state: "delivered" | "skipped",
    extra: { txHash?: Hex; gasUsed?: bigint; lastError: string | null },
  ): Promise<void> {
    const now = this.#now();
    await this.#o.store.updateDelivery(record.messageId, {
      state,
      deliveredAt: now,
      ...(extra.txHash === undefined ? {} : { txHash: extra.txHash }),
      ...(extra.gasUsed === undefined ? {} : { gasUsed: extra.gasUsed }),
      lastError: extra.lastError,
    });
    this.#count(state, record.origin, record.destination);
    if (state === "delivered") {
      this.#o.metrics.deliveryLatency.observe(
        { destination: String(record.destination) },
        (now - record.firstSeenAt) / 1000,
      );
    }
    this.#o.log.info(
      { messageId: record.messageId, state, txHash: extra.txHash, note: extra.lastError },
      `message ${state}`,
    );
  }

  /** Parks the message as failed with `reason` (doctor explains it); it is not tried again. */
  async #fail(record: DeliveryRecord, reason: string, attempts: number, error?: unknown): Promise<void> {
    await this.#o.store.updateDelivery(record.messageId, {
      state: "failed",
      attempts,
      lastError: reason,
      lastFailure: failureOf(error),
    });
    this.#count("failed", record.origin, record.destination);
    this.#o.log.error({ messageId: record.messageId, attempts, reason }, "giving up on message");
  }

  /**
   * Reschedules. A failed attempt (`counts`) backs off exponentially and, after maxAttempts, parks the message as
   * failed; waiting for quorum or for an unpause polls at the normal interval and never gives up.
   */
  async #retryLater(record: DeliveryRecord, reason: string, counts: boolean, error?: unknown): Promise<void> {
    // The failure as data (doctor reads it); a wait without an error clears it.
    const lastFailure = failureOf(error);
    const attempts = counts ? record.attempts + 1 : record.attempts;
    const { baseMs, maxMs, maxAttempts } = this.#o.retry;
    if (counts && attempts >= maxAttempts) {
      await this.#fail(record, reason, attempts, error);
      return;
    }
    const delay = counts ? backoffMs(attempts, baseMs, maxMs) : this.#o.pollIntervalMs;
    await this.#o.store.updateDelivery(record.messageId, {
      attempts,
      nextAttemptAt: this.#now() + delay,
      lastError: reason,
      lastFailure,
    });
    if (counts) this.#o.log.warn({ messageId: record.messageId, attempts, delay, reason }, "delivery attempt failed");
  }
}
