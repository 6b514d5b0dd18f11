// The attester's loop: follow every origin chain's final messages, and sign each open (undelivered) message for
// its destination's CURRENT attester set. Because signing is keyed by set id, a rotation makes the node re-sign every
// still-undelivered message for the new set (docs/protocol.md §4: nothing is stranded behind an expired set).
// Per destination the loop keeps a cursor (set id, last message handled): steady state touches only new messages,
// and a new set (or a restart) walks the open messages again from the oldest. (The order is the local observation
// time: a wall clock stepping backwards could hide a message from the cursor until the next rotation or restart.)
// A signed message stays open until the node learns it was delivered: a second, slower cursor (the sweep) re-checks
// the open messages for delivery, one slice every `sweepIntervalMs`, and closes the delivered ones, so that POST
// /batches and signing on request refuse them from the store alone instead of signing them again.

import type { Logger } from "@maskoii/node-kit";
import type { Address, Hex } from "viem";
import type { ChainAdapter, Chains } from "../chains/adapter.ts";
import type { MessageWatcher } from "../chains/watcher.ts";
import { describeError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { ObservedKey, Store } from "../store/types.ts";
import type { AttesterSigner } from "./signer.ts";

/** Messages signed per destination per tick (bounds one tick's work); also the slice of one sweep. */
const SIGN_LIMIT = 500;
/** Default interval between two sweeps (delivery re-checks) of one destination's open messages. */
export const SWEEP_INTERVAL_MS = 5_000;

export class AttesterObserver {
  readonly #chains: Chains;
  readonly #watchers: readonly MessageWatcher[];
  readonly #store: Store;
  readonly #signer: AttesterSigner;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #signDelayMs: number;
  #ticks = 0;
  #lastError: string | undefined;
  /** Per destination: the set signed for and the last open message handled for it. */
  readonly #cursors = new Map<number, { setId: bigint; after: ObservedKey }>();
  readonly #sweepIntervalMs: number;
  /** Per destination: when the last sweep ran and where the next one continues (undefined: from the oldest). */
  readonly #sweeps = new Map<number, { at: number; after: ObservedKey | undefined }>();

  constructor(args: {
    chains: Chains;
    watchers: readonly MessageWatcher[];
    store: Store;
    signer: AttesterSigner;
    log: Logger;
    /** Times the scan and sign steps (maskoii_stage_seconds). */
    metrics?: Metrics;
    /** The loop signs a message only once it has been open this long (default 0; signNow signs on request). */
    signDelayMs?: number;
    /** Interval between two delivery re-checks of a destination's open messages (default SWEEP_INTERVAL_MS). */
    sweepIntervalMs?: number;
  }) {
    this.#chains = args.chains;
    this.#watchers = args.watchers;
    this.#store = args.store;
    this.#signer = args.signer;
    this.#log = args.log;
    this.#metrics = args.metrics;
    this.#signDelayMs = args.signDelayMs ?? 0;
    this.#sweepIntervalMs = args.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
  }

  #time<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    return this.#metrics === undefined ? fn() : this.#metrics.time(stage, fn);
  }

  /** True once a full tick (scan + sign) has completed without error. */
  get ready(): boolean {
    return this.#ticks > 0 && this.#lastError === undefined;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * One bounded round: scan every origin, then sign open messages for every destination. A failing chain does not
   * stop the others; the node is ready again once a round has no failure.
   */
  async tick(): Promise<void> {
    const errors: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        errors.push(`${what}: ${describeError(error)}`);
      }
    };
    for (const watcher of this.#watchers) {
      await attempt(`scan ${watcher.domain}`, () => this.#time("attester_scan", () => watcher.poll()));
    }
    for (const adapter of this.#chains.values()) {
      await attempt(`sign for ${adapter.domain}`, () =>
        this.#time("attester_sign", () => this.#signFor(adapter.domain)),
      );
    }
    this.#lastError = errors.length === 0 ? undefined : errors.join("; ");
    if (this.#lastError === undefined) this.#ticks++;
    else this.#log.warn({ error: this.#lastError }, "attester round had failures; retrying next round");
  }

  async #signFor(domain: number): Promise<void> {
    const adapter = this.#chains.get(domain);
    if (adapter === undefined) return;
    const setId = await adapter.currentSetId();
    const cursor = this.#cursors.get(domain);
    const after = cursor?.setId === setId ? cursor.after : undefined;
    const listed = await this.#store.listOpenObservedAfter(domain, after, SIGN_LIMIT);
    // Oldest first: with a delay, only the prefix that has been open long enough (the cursor stops before the rest).
    const cutoff = Date.now() - this.#signDelayMs;
    const young = this.#signDelayMs === 0 ? -1 : listed.findIndex((m) => m.observedAt > cutoff);
    const open = young < 0 ? listed : listed.slice(0, young);
    if (open.length > 0) {
      if (!(await this.#signOpen(adapter, setId, open))) return;
      const last = open[open.length - 1] as (typeof open)[number];
      this.#cursors.set(domain, {
        setId,
        after: { observedAt: last.observedAt, origin: last.origin, nonce: last.nonce },
      });
    }
    await this.#sweep(adapter);
  }

  /**
   * Closes the delivered among the next slice of open messages (at most one slice per `sweepIntervalMs`): messages
   * the signing cursor has passed are otherwise never re-checked, and an open message can be batched and signed
   * again on request.
   */
  async #sweep(adapter: ChainAdapter): Promise<void> {
    const domain = adapter.domain;
    const now = Date.now();
    const state = this.#sweeps.get(domain);
    if (state !== undefined && now - state.at < this.#sweepIntervalMs) return;
    const listed = await this.#store.listOpenObservedAfter(domain, state?.after, SIGN_LIMIT);
    const last = listed.length < SIGN_LIMIT ? undefined : listed[listed.length - 1];
    this.#sweeps.set(domain, {
      at: now,
      after: last === undefined ? undefined : { observedAt: last.observedAt, origin: last.origin, nonce: last.nonce },
    });
    if (listed.length === 0) return;
    const items = listed.map((m) => ({ origin: m.origin, nonce: m.nonce, messageId: m.messageId }));
    const delivered =
      adapter.isDeliveredMany === undefined
        ? await Promise.all(items.map((i) => adapter.isDelivered(i.origin, i.nonce, i.messageId)))
        : await adapter.isDeliveredMany(items);
    await this.#store.markObservedClosed(listed.filter((_, i) => delivered[i] === true).map((m) => m.messageId));
  }

  /**
   * Signs, on request, the open messages among `messageIds` that this node has not signed yet (with a signing
   * delay, a relayer that needs a message signature asks for it). Journal first, the same checks as the loop: the
   * destination's current set, membership, already delivered (closed, never signed). A message already signed for
   * some set is left to the loop (it re-signs after a rotation).
   */
  async signNow(messageIds: readonly Hex[]): Promise<void> {
    const signed = new Set((await this.#store.getMessageSignatures(messageIds)).map((s) => s.value.toLowerCase()));
    // A closed message is known delivered or refused by the journal: neither gets signed, and neither costs the
    // chain reads below (a relayer asking again and again for delivered ids gets answers from the store alone).
    const closed = new Set((await this.#store.closedAmong(messageIds)).map((id) => id.toLowerCase()));
    const unsigned = messageIds.filter((id) => !signed.has(id.toLowerCase()) && !closed.has(id.toLowerCase()));
    if (unsigned.length === 0) return;
    const open = await this.#store.getObservedMany(unsigned);
    const byDestination = new Map<number, typeof open>();
    for (const m of open) byDestination.set(m.destination, [...(byDestination.get(m.destination) ?? []), m]);
    for (const [domain, messages] of byDestination) {
      const adapter = this.#chains.get(domain);
      if (adapter === undefined) continue;
      await this.#time("attester_sign_now", async () =>
        this.#signOpen(adapter, await adapter.currentSetId(), messages),
      );
    }
  }

  /** Closes the delivered ones and signs the rest for `setId`; false when this node is not in that set. */
  async #signOpen(
    adapter: ChainAdapter,
    setId: bigint,
    open: readonly { messageId: Hex; origin: number; nonce: bigint; blockNumber: bigint }[],
  ): Promise<boolean> {
    const domain = adapter.domain;
    const set = await adapter.getAttesterSet(setId);
    if (!isMember(set.attesters, set.weights, this.#signer.address)) {
      this.#log.warn({ domain, setId: setId.toString(), attester: this.#signer.address }, "not in the current set");
      return false;
    }
    // Already delivered (by the signatures of others): close, never sign. One round trip when the chain can.
    const items = open.map((m) => ({ origin: m.origin, nonce: m.nonce, messageId: m.messageId }));
    const delivered =
      adapter.isDeliveredMany === undefined
        ? await Promise.all(items.map((i) => adapter.isDelivered(i.origin, i.nonce, i.messageId)))
        : await adapter.isDeliveredMany(items);
    const toSign = [];
    const closed: Hex[] = [];
    for (const [i, m] of open.entries()) {
      if (delivered[i] === true) closed.push(m.messageId);
      else toSign.push({ messageId: m.messageId, originDomain: m.origin, nonce: m.nonce, originBlock: m.blockNumber });
    }
    await this.#store.markObservedClosed(closed);
    const { conflicts } = await this.#signer.signMessages(toSign, {
      domain,
      verifier: adapter.verifier,
      attesterSetId: setId,
    });
    // Evidence of an equivocating origin (or a reorg past finality): never sign, keep going.
    await this.#store.markObservedClosed(conflicts.map((c) => c.requested as Hex));
    return true;
  }
}

/** A member with a non-zero weight (a member removed for equivocation keeps its index with weight 0). */
export function isMember(attesters: readonly Address[], weights: readonly bigint[], address: Address): boolean {
  return attesters.some((a, i) => a.toLowerCase() === address.toLowerCase() && (weights[i] ?? 0n) > 0n);
}
