// Follows one origin chain's final MessageSent events into the store, in bounded block ranges, resuming from a
// durable cursor. Both the attester node and the relayer run one per origin chain.
import type { Logger } from "@maskoii/node-kit";
import { decodeMessage, messageId } from "@maskoii/sdk";
import type { Metrics } from "../metrics.ts";
import type { ObservedMessage, Store } from "../store/types.ts";
import type { SentMessage } from "./adapter.ts";
import type { OriginReader } from "./quorum.ts";

/**
 * Why a MessageSent must not be trusted, or undefined: the event's fields must be those of its own message bytes
 * (id = keccak256(message), origin = this chain, same nonce and destination). An attester signs only what it checked.
 */
export function checkSent(s: SentMessage, domain: number): string | undefined {
  let decoded: ReturnType<typeof decodeMessage>;
  try {
    decoded = decodeMessage(s.message);
  } catch (error) {
    return `malformed message: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (messageId(s.message).toLowerCase() !== s.messageId.toLowerCase()) return "message id is not keccak256(message)";
  if (decoded.originDomain !== domain) return `origin ${decoded.originDomain} is not this chain's domain ${domain}`;
  if (decoded.nonce !== s.nonce) return `nonce ${decoded.nonce} differs from the event's ${s.nonce}`;
  if (decoded.destinationDomain !== s.destination) return "destination differs from the event's";
  return undefined;
}

export class MessageWatcher {
  readonly #adapter: OriginReader;
  readonly #store: Store;
  readonly #startBlock: bigint;
  readonly #maxRange: bigint;
  readonly #cursor: string;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #onMessage: ((message: ObservedMessage) => Promise<void>) | undefined;
  readonly #onMessages: ((messages: readonly ObservedMessage[]) => Promise<void>) | undefined;

  constructor(args: {
    /** The chain's adapter, or a quorum of its RPC providers (chains/quorum.ts). */
    adapter: OriginReader;
    store: Store;
    startBlock: number;
    maxBlockRange: number;
    /** Cursor namespace, so an attester and a relayer sharing a database keep separate cursors. */
    role: string;
    log: Logger;
    metrics?: Metrics;
    /** Called once per observed message of a scanned range (after it is stored; again after a restart). */
    onMessage?: (message: ObservedMessage) => Promise<void>;
    /** Called once per scanned range with all its observed messages, in order (after they are stored). */
    onMessages?: (messages: readonly ObservedMessage[]) => Promise<void>;
  }) {
    this.#adapter = args.adapter;
    this.#store = args.store;
    this.#startBlock = BigInt(args.startBlock);
    this.#maxRange = BigInt(args.maxBlockRange);
    this.#cursor = `${args.role}:watch:${args.adapter.domain}`;
    this.#log = args.log;
    this.#metrics = args.metrics;
    this.#onMessage = args.onMessage;
    this.#onMessages = args.onMessages;
  }

  /** The origin domain this watcher follows. */
  get domain(): number {
    return this.#adapter.domain;
  }

  /**
   * Scans from the cursor up to the final head, at most `maxRanges` ranges per call (so one call is bounded).
   * Returns how many new messages it stored. The cursor advances only after a range is fully stored.
   */
  async poll(maxRanges = 10): Promise<number> {
    const head = await this.#adapter.finalizedBlock();
    let from = ((await this.#store.getCursor(this.#cursor)) ?? this.#startBlock - 1n) + 1n;
    let stored = 0;
    for (let i = 0; i < maxRanges && from <= head; i++) {
      const to = from + this.#maxRange - 1n < head ? from + this.#maxRange - 1n : head;
      const sent = await this.#adapter.fetchSent(from, to);
      const observedAt = Date.now();
      const observed: ObservedMessage[] = [];
      for (const s of sent) {
        const problem = checkSent(s, this.#adapter.domain);
        if (problem !== undefined) {
          this.#log.error({ messageId: s.messageId, txHash: s.txHash, problem }, "ignoring inconsistent MessageSent");
          continue;
        }
        observed.push({ ...s, observedAt });
      }
      // One statement for the whole range (a busy range holds hundreds of messages).
      const fresh = new Set<string>(await this.#store.recordObservedMany(observed));
      for (const m of observed) {
        if (!fresh.has(m.messageId.toLowerCase())) continue;
        stored++;
        this.#log.info(
          { messageId: m.messageId, origin: m.origin, destination: m.destination, nonce: m.nonce.toString() },
          "message final on origin",
        );
        this.#metrics?.messages.inc({
          status: "observed",
          origin: String(m.origin),
          destination: String(m.destination),
        });
      }
      if (this.#onMessages !== undefined && observed.length > 0) await this.#onMessages(observed);
      if (this.#onMessage !== undefined) for (const m of observed) await this.#onMessage(m);
      await this.#store.setCursor(this.#cursor, to);
      this.#metrics?.finalizedBlock.set({ domain: String(this.#adapter.domain) }, Number(to));
      from = to + 1n;
    }
    return stored;
  }
}
