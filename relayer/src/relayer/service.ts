// The relayer: follows every origin chain's final messages addressed to a configured destination, gathers attester
// signatures until the destination set's weighted threshold is met, and delivers (one by one, or in Merkle batches).
// Every step is durable in the store, so a restarted relayer resumes where it stopped and never delivers twice: a
// message already delivered on chain (by anyone) is detected and marked skipped.
import { attestationDigest, batchRoot, encodeAttestation, isQuorum } from "@maskoii/sdk";
import type { Hex } from "viem";
import type { AttesterSetView, ChainAdapter, Chains } from "../chains/adapter.ts";
import type { MessageWatcher } from "../chains/watcher.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { DeliveryRecord, Store } from "../store/types.ts";
import { type Aggregation, aggregate } from "./aggregator.ts";
import { backoffMs } from "./backoff.ts";
import { answersFor, type BulkAnswer, candidatesFor, type EndpointAnswer, type SignatureSource } from "./collector.ts";
import { batchProofs } from "./proofs.ts";

/** Pending deliveries handled per tick (bounds one tick's work). */
const DUE_LIMIT = 200;

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
  now?: () => number;
};

type Ready = { record: DeliveryRecord; attestation: Hex };

export class Relayer {
  readonly #o: RelayerOptions;
  readonly #now: () => number;

  constructor(options: RelayerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
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

  #count(status: string, origin: number, destination: number): void {
    this.#o.metrics.messages.inc({ status, origin: String(origin), destination: String(destination) });
  }

  /** One bounded round: scan origins, then work through due deliveries grouped by destination. */
  async tick(): Promise<void> {
    for (const watcher of this.#o.watchers) {
      try {
        await this.#o.metrics.time("scan", () => watcher.poll());
      } catch (error) {
        this.#o.log.warn({ error: describeError(error) }, "origin scan failed; retrying next tick");
      }
    }
    const due = await this.#o.store.dueDeliveries(this.#now(), DUE_LIMIT);
    const byDestination = new Map<number, DeliveryRecord[]>();
    for (const d of due) byDestination.set(d.destination, [...(byDestination.get(d.destination) ?? []), d]);
    for (const [destination, records] of byDestination) {
      const adapter = this.#o.chains.get(destination);
      if (adapter === undefined) continue;
      try {
        await this.#processDestination(adapter, records);
      } catch (error) {
        // Destination-wide failure (RPC down): back off every due record of it.
        const reason = describeError(error);
        this.#o.log.warn({ destination, error: reason }, "destination round failed");
        for (const r of records) await this.#retryLater(r, reason, true);
      }
    }
  }

  async #processDestination(adapter: ChainAdapter, records: readonly DeliveryRecord[]): Promise<void> {
    if (await adapter.isPaused()) {
      for (const r of records) await this.#retryLater(r, `destination gateway ${adapter.domain} is paused`, false);
      return;
    }
    const setId = await adapter.currentSetId();
    const set = await adapter.getAttesterSet(setId);
    const batching = this.#o.maxBatchSize > 1;
    let live: DeliveryRecord[] = [...records];
    if (!batching) {
      // A single delivery of an already delivered message would revert; a batch skips it on chain (MessageSkipped).
      const items = records.map((r) => ({ origin: r.origin, nonce: r.nonce }));
      const delivered =
        adapter.isDeliveredMany === undefined
          ? await Promise.all(items.map((i) => adapter.isDelivered(i.origin, i.nonce)))
          : await adapter.isDeliveredMany(items);
      live = [];
      for (const [i, record] of records.entries()) {
        if (delivered[i] === true) await this.#finish(record, "skipped", { lastError: "already delivered on chain" });
        else live.push(record);
      }
    }
    if (live.length === 0) return;
    // One request per attester for every due message (not one per message).
    const bulk = await this.#o.metrics.time("collect", () =>
      this.#o.attesters.signaturesMany(live.map((r) => r.messageId)),
    );
    for (const a of bulk) {
      if (!a.ok) this.#o.log.debug({ source: a.source, error: a.error }, "attester endpoint failed");
    }
    // Batch mode: a message observed final by a quorum of the set goes into a batch whose ROOT the attesters sign;
    // its per-message signatures are not needed (nor verified: one recovery per attester per batch, not per message).
    const batchable: DeliveryRecord[] = [];
    const ready: Ready[] = [];
    for (const record of live) {
      if (batching && observedByQuorum(bulk, set, record.messageId)) {
        batchable.push(record);
        continue;
      }
      const r = await this.#readyAlone(adapter, set, record, answersFor(bulk, record.messageId));
      if (r !== undefined) ready.push(r);
    }
    for (let i = 0; i < batchable.length; i += this.#o.maxBatchSize) {
      const chunk = batchable.slice(i, i + this.#o.maxBatchSize);
      if (chunk.length > 1 && (await this.#deliverBatch(adapter, set, chunk))) continue;
      // A lone message, or a root below quorum: per-message signatures, delivered one by one.
      for (const record of chunk) {
        const r = await this.#readyAlone(adapter, set, record, answersFor(bulk, record.messageId));
        if (r !== undefined) ready.push(r);
      }
    }
    if (ready.length === 0) return;
    if (batching && ready.length > 1) {
      for (let i = 0; i < ready.length; i += this.#o.maxBatchSize) {
        const chunk = ready.slice(i, i + this.#o.maxBatchSize);
        if (
          chunk.length > 1 &&
          (await this.#deliverBatch(
            adapter,
            set,
            chunk.map((r) => r.record),
          ))
        )
          continue;
        for (const r of chunk) await this.#deliverOne(adapter, r);
      }
      return;
    }
    for (const r of ready) await this.#deliverOne(adapter, r);
  }

  /** The message's own quorum attestation, or undefined after rescheduling it (below quorum). */
  async #readyAlone(
    adapter: ChainAdapter,
    set: AttesterSetView,
    record: DeliveryRecord,
    answers: readonly EndpointAnswer[],
  ): Promise<Ready | undefined> {
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
    for (const r of agg.rejected) {
      this.#o.metrics.signatures.inc({ kind: "message", outcome: `rejected-${r.reason}` });
      this.#o.log.warn({ messageId: record.messageId, ...r }, "ignored an attester signature");
    }
    return agg;
  }

  /** Tries one batch; false if the attesters did not sign its root to quorum (then the caller delivers singly). */
  async #deliverBatch(adapter: ChainAdapter, set: AttesterSetView, chunk: readonly DeliveryRecord[]): Promise<boolean> {
    const ids = chunk.map((r) => r.messageId);
    const root = batchRoot(ids);
    const target = { domain: adapter.domain, verifier: adapter.verifier, attesterSetId: set.setId };
    const answers = await this.#o.metrics.time("batch_attest", () => this.#o.attesters.batch(adapter.domain, ids));
    const agg = aggregate({
      digest: attestationDigest("batch", { ...target, value: root }),
      set,
      candidates: candidatesFor(answers, { kind: "batch", value: root, ...target }),
    });
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
      this.#o.metrics.gasSpent.inc(
        { destination: String(adapter.domain), method: "deliverBatch" },
        Number(result.gasUsed),
      );
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
      return true;
    } catch (error) {
      for (const r of chunk) await this.#retryLater(r, describeError(error), true);
      return true;
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
      this.#o.metrics.gasSpent.inc({ destination: String(adapter.domain), method: "deliver" }, Number(result.gasUsed));
      const failed = result.failed.some((s) => s === record.messageId.toLowerCase());
      await this.#finish(record, "delivered", {
        txHash: result.txHash,
        gasUsed: result.gasUsed,
        lastError: failed ? "recipient failed (MessageFailed); retry(message) on the gateway" : null,
      });
    } catch (error) {
      // A racing relayer may have delivered between our check and our transaction.
      if (await adapter.isDelivered(record.origin, record.nonce).catch(() => false)) {
        await this.#finish(record, "skipped", { lastError: "delivered by someone else" });
        return;
      }
      await this.#retryLater(record, describeError(error), true);
    }
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

  /**
   * Reschedules. A failed attempt (`counts`) backs off exponentially and, after maxAttempts, parks the message as
   * failed; waiting for quorum or for an unpause polls at the normal interval and never gives up.
   */
  async #retryLater(record: DeliveryRecord, reason: string, counts: boolean): Promise<void> {
    const attempts = counts ? record.attempts + 1 : record.attempts;
    const { baseMs, maxMs, maxAttempts } = this.#o.retry;
    if (counts && attempts >= maxAttempts) {
      await this.#o.store.updateDelivery(record.messageId, { state: "failed", attempts, lastError: reason });
      this.#count("failed", record.origin, record.destination);
      this.#o.log.error({ messageId: record.messageId, attempts, reason }, "giving up on message");
      return;
    }
    const delay = counts ? backoffMs(attempts, baseMs, maxMs) : this.#o.pollIntervalMs;
    await this.#o.store.updateDelivery(record.messageId, {
      attempts,
      nextAttemptAt: this.#now() + delay,
      lastError: reason,
    });
    if (counts) this.#o.log.warn({ messageId: record.messageId, attempts, delay, reason }, "delivery attempt failed");
  }
}

/** Whether attesters of `set` holding the threshold weight say they observed `messageId` final (distinct members). */
function observedByQuorum(bulk: readonly BulkAnswer[], set: AttesterSetView, messageId: Hex): boolean {
  const id = messageId.toLowerCase();
  const counted = new Set<number>();
  let weight = 0n;
  for (const b of bulk) {
    if (!b.ok || b.attester === undefined || b.results.get(id)?.observed !== true) continue;
    const i = set.attesters.findIndex((a) => a.toLowerCase() === b.attester?.toLowerCase());
    if (i < 0 || counted.has(i)) continue;
    counted.add(i);
    weight += set.weights[i] ?? 0n;
  }
  return isQuorum(weight, set.totalWeight, set.thresholdBps);
}
