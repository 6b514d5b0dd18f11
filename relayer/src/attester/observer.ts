// The attester's loop: follow every origin chain's final messages, and sign each open (undelivered) message for
// its destination's CURRENT attester set. Because signing is keyed by set id, a rotation makes the node re-sign every
// still-undelivered message for the new set (docs/protocol.md §4: nothing is stranded behind an expired set).
import type { Address } from "viem";
import type { Chains } from "../chains/adapter.ts";
import type { MessageWatcher } from "../chains/watcher.ts";
import { describeError, SigningConflictError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";
import type { AttesterSigner } from "./signer.ts";

/** Messages signed per destination per tick (bounds one tick's work). */
const SIGN_LIMIT = 100;

export class AttesterObserver {
  readonly #chains: Chains;
  readonly #watchers: readonly MessageWatcher[];
  readonly #store: Store;
  readonly #signer: AttesterSigner;
  readonly #log: Logger;
  #ticks = 0;
  #lastError: string | undefined;

  constructor(args: {
    chains: Chains;
    watchers: readonly MessageWatcher[];
    store: Store;
    signer: AttesterSigner;
    log: Logger;
  }) {
    this.#chains = args.chains;
    this.#watchers = args.watchers;
    this.#store = args.store;
    this.#signer = args.signer;
    this.#log = args.log;
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
    for (const watcher of this.#watchers) await attempt(`scan ${watcher.domain}`, () => watcher.poll());
    for (const adapter of this.#chains.values())
      await attempt(`sign for ${adapter.domain}`, () => this.#signFor(adapter.domain));
    this.#lastError = errors.length === 0 ? undefined : errors.join("; ");
    if (this.#lastError === undefined) this.#ticks++;
    else this.#log.warn({ error: this.#lastError }, "attester round had failures; retrying next round");
  }

  async #signFor(domain: number): Promise<void> {
    const adapter = this.#chains.get(domain);
    if (adapter === undefined) return;
    const open = await this.#store.listOpenObserved(domain, SIGN_LIMIT);
    if (open.length === 0) return;
    const setId = await adapter.currentSetId();
    const set = await adapter.getAttesterSet(setId);
    if (!isMember(set.attesters, set.weights, this.#signer.address)) {
      this.#log.warn({ domain, setId: setId.toString(), attester: this.#signer.address }, "not in the current set");
      return;
    }
    for (const m of open) {
      if (await adapter.isDelivered(m.origin, m.nonce, m.messageId)) {
        await this.#store.markObservedClosed(m.messageId);
        continue;
      }
      try {
        await this.#signer.signMessage(
          { messageId: m.messageId, originDomain: m.origin, nonce: m.nonce },
          { domain, verifier: adapter.verifier, attesterSetId: setId },
        );
      } catch (error) {
        if (!(error instanceof SigningConflictError)) throw error;
        // Evidence of an equivocating origin (or a reorg past finality): never sign, keep going.
        await this.#store.markObservedClosed(m.messageId);
      }
    }
  }
}

/** A member with a non-zero weight (a member removed for equivocation keeps its index with weight 0). */
export function isMember(attesters: readonly Address[], weights: readonly bigint[], address: Address): boolean {
  return attesters.some((a, i) => a.toLowerCase() === address.toLowerCase() && (weights[i] ?? 0n) > 0n);
}
