// Defence in depth for an attester's origin reads: the same chain read through several RPC providers (config
// chains[].rpcs, rpcQuorum), and only what a quorum of them report identically is recorded, so signed. One lying or
// compromised provider can neither make the node sign a message the chain does not show, nor hide one for good:
//   - the final head is the highest block at least `quorum` providers call final;
//   - a MessageSent (all its fields) reported by >= quorum providers is recorded;
//   - one reported by fewer, but absent from >= quorum providers, is a lie outvoted: dropped, logged, metered;
//   - anything else (no quorum either way, or fewer than `quorum` providers answering) is undecided: the range is
//     refused with RpcDisagreementError, nothing of it is recorded, and the watcher retries it next round.

import type { Logger } from "@maskoii/node-kit";
import type { Hex } from "viem";
import { ChainRpcError, describeError, RpcDisagreementError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { ChainAdapter, SentMessage } from "./adapter.ts";

/**
 * What the origin watcher reads from a chain (watcher.ts), and optionally what an auditor reads (koii audits:
 * findSent, latestBlock, sentAtNonce); a provider lacking an audit read counts as not answering it.
 */
export type OriginReader = Pick<ChainAdapter, "domain" | "finalizedBlock" | "fetchSent"> &
  Partial<Pick<ChainAdapter, "latestBlock" | "findSent" | "sentAtNonce">>;

/** What an auditor reads from an origin to judge another attester's signatures (koii/kinds/attestations.ts). */
export type AuditReader = Pick<ChainAdapter, "domain" | "latestBlock" | "finalizedBlock" | "findSent" | "sentAtNonce">;

const keyOf = (s: SentMessage): string =>
  [s.messageId, s.destination, s.nonce, s.message, s.blockNumber, s.txHash]
    .map((v) => String(v).toLowerCase())
    .join("|");

export class QuorumOriginReader implements OriginReader, AuditReader {
  readonly domain: number;
  readonly #providers: readonly { name: string; reader: OriginReader }[];
  readonly #quorum: number;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;

  constructor(args: {
    domain: number;
    /** One reader per provider, with a name for logs (its URL without credentials). */
    providers: readonly { name: string; reader: OriginReader }[];
    quorum: number;
    log: Logger;
    metrics?: Metrics;
  }) {
    this.domain = args.domain;
    this.#providers = args.providers;
    this.#quorum = args.quorum;
    this.#log = args.log;
    this.#metrics = args.metrics;
  }

  /** Every provider's answer, or its failure (a provider down is no vote, not a veto). */
  async #ask<T>(call: string, fn: (r: OriginReader) => Promise<T>): Promise<{ name: string; value: T }[]> {
    const settled = await Promise.allSettled(this.#providers.map((p) => fn(p.reader)));
    const answers: { name: string; value: T }[] = [];
    for (const [i, s] of settled.entries()) {
      const name = this.#providers[i]?.name ?? String(i);
      if (s.status === "fulfilled") answers.push({ name, value: s.value });
      else this.#log.warn({ provider: name, call, error: describeError(s.reason) }, "RPC provider failed");
    }
    if (answers.length < this.#quorum) {
      throw new ChainRpcError(
        this.domain,
        call,
        `${answers.length} of ${this.#providers.length} providers answered, quorum ${this.#quorum}`,
      );
    }
    return answers;
  }

  #disagree(outcome: "outvoted" | "undecided", what: string, detail: Record<string, unknown>): void {
    this.#metrics?.rpcDisagreements.inc({ domain: String(this.domain), outcome });
    this.#log.warn({ domain: this.domain, outcome, ...detail }, `RPC providers disagree on ${what}`);
  }

  async finalizedBlock(): Promise<bigint> {
    const answers = await this.#ask("finalizedBlock", (r) => r.finalizedBlock());
    const heads = answers.map((a) => a.value).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    return heads[this.#quorum - 1] as bigint;
  }

  async fetchSent(fromBlock: bigint, toBlock: bigint): Promise<SentMessage[]> {
    const answers = await this.#ask("fetchSent", (r) => r.fetchSent(fromBlock, toBlock));
    const votes = new Map<string, { sent: SentMessage; by: string[] }>();
    for (const a of answers) {
      for (const key of new Set(a.value.map(keyOf))) {
        const sent = a.value.find((s) => keyOf(s) === key) as SentMessage;
        const entry = votes.get(key) ?? { sent, by: [] };
        entry.by.push(a.name);
        votes.set(key, entry);
      }
    }
    const agreed: SentMessage[] = [];
    const undecided: string[] = [];
    for (const { sent, by } of votes.values()) {
      if (by.length >= this.#quorum) {
        agreed.push(sent);
        if (by.length < answers.length) {
          const missing = answers.map((a) => a.name).filter((n) => !by.includes(n));
          this.#disagree("outvoted", "a message", { messageId: sent.messageId, missingFrom: missing });
        }
      } else if (answers.length - by.length >= this.#quorum) {
        this.#disagree("outvoted", "a message", { messageId: sent.messageId, reportedOnlyBy: by, dropped: true });
      } else {
        undecided.push(sent.messageId);
        this.#disagree("undecided", "a message", { messageId: sent.messageId, reportedBy: by });
      }
    }
    if (undecided.length > 0) {
      throw new RpcDisagreementError(
        this.domain,
        `blocks ${fromBlock}..${toBlock}`,
        `no ${this.#quorum} of ${answers.length} providers agree on ${undecided.join(", ")}; nothing recorded`,
      );
    }
    return agreed.sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
  }

  /*
   * Audit reads. An auditor must never judge another attester on one provider's word (a lying provider could
   * hide a message and so frame an honest signer): each read is answered only when `quorum` providers give the
   * same answer; otherwise RpcDisagreementError, and the audit of that item fails instead of voting.
   */

  async latestBlock(): Promise<bigint> {
    const answers = await this.#ask("latestBlock", (r) => required(r.latestBlock, "latestBlock", r)());
    const heads = answers.map((a) => a.value).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    return heads[this.#quorum - 1] as bigint;
  }

  async findSent(messageId: Hex, fromBlock: bigint): Promise<SentMessage | undefined> {
    const answers = await this.#ask("findSent", (r) => required(r.findSent, "findSent", r)(messageId, fromBlock));
    return this.#agreed(answers, `message ${messageId}`, (v) => (v === undefined ? "none" : keyOf(v)));
  }

  async sentAtNonce(nonce: bigint, fromBlock: bigint): Promise<SentMessage | "unassigned" | "before"> {
    const answers = await this.#ask("sentAtNonce", (r) => required(r.sentAtNonce, "sentAtNonce", r)(nonce, fromBlock));
    return this.#agreed(answers, `nonce ${nonce}`, (v) => (typeof v === "string" ? v : keyOf(v)));
  }

  /** The answer at least `quorum` providers gave identically (by `key`); RpcDisagreementError otherwise. */
  #agreed<T>(answers: readonly { name: string; value: T }[], what: string, key: (v: T) => string): T {
    const votes = new Map<string, { value: T; by: string[] }>();
    for (const a of answers) {
      const k = key(a.value);
      const entry = votes.get(k) ?? { value: a.value, by: [] };
      entry.by.push(a.name);
      votes.set(k, entry);
    }
    const best = [...votes.values()].sort((a, b) => b.by.length - a.by.length)[0];
    if (votes.size > 1) {
      const outcome = best !== undefined && best.by.length >= this.#quorum ? "outvoted" : "undecided";
      this.#disagree(outcome, what, { answers: [...votes.values()].map((v) => v.by) });
    }
    if (best === undefined || best.by.length < this.#quorum) {
      throw new RpcDisagreementError(this.domain, what, `no ${this.#quorum} of ${answers.length} providers agree`);
    }
    return best.value;
  }
}

/** `fn` bound to `reader`, or a rejection naming the read the provider's reader lacks. */
function required<A extends unknown[], R>(
  fn: ((...args: A) => Promise<R>) | undefined,
  call: string,
  reader: OriginReader,
): (...args: A) => Promise<R> {
  if (fn === undefined)
    return () => Promise.reject(new ChainRpcError(reader.domain, call, "not offered by this reader"));
  return fn.bind(reader);
}

/** A provider URL as logs may show it: origin and path, no credentials or query (API keys live there). */
export function providerName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(unparsable url)";
  }
}
