// Refunds on origins (docs/protocol.md §8.1): for each EVM chain with a TokenBridge, the refunder scans its final
// TransferRefundable records from a durable cursor (the transfers that chain, as destination, will never credit),
// asks every attester for its signed refund receipt (POST /refunds: a node judges the chains itself and signs at most
// one receipt per nonce), aggregates a quorum of TransferRefund signatures of the ORIGIN's current set, and submits
// `refund(receipt, attestation)` on the origin: simulated first (AlreadyRefunded: skipped, nothing sent; EnforcedPause:
// waits), then sent through the origin's EvmSender. Waiting refunds back off. `refundOnce` is the same for one id
// (the CLI's `maskoii refund`, and the way out for a transfer stranded by a reorg, which no refund record names).

import type { Logger, RelayerRequestSigner } from "@maskoii/node-kit";
import {
  attestationDigest,
  decodeRefundReceipt,
  encodeAttestation,
  type RefundReceipt,
  refundReceiptHash,
} from "@maskoii/sdk";
import type { Hex } from "viem";
import { z } from "zod";
import { aggregate } from "./aggregator.ts";
import { type BridgeChain, refundCursorName } from "./attester/refunds.ts";
import { backoffMs } from "./backoff.ts";
import { describeError, RefundFailedError } from "./errors.ts";
import type { Metrics } from "./metrics.ts";
import type { RefundDelivery, RefundStore } from "./store/refunds.ts";

const refundAnswer = z.object({
  messageId: z.string(),
  receipt: z.string().regex(/^0x[0-9a-fA-F]{242}$/),
  signatures: z.array(
    z.object({ domain: z.number(), verifier: z.string(), attesterSetId: z.string(), signature: z.string() }),
  ),
});
type RefundAnswer = z.infer<typeof refundAnswer> & { readonly source: string };

/** Scanned ranges per destination per tick. */
const MAX_RANGES = 10;

export type RefundSettings = {
  readonly maxPerTick: number;
  readonly maxBackoffMs: number;
  readonly requestTimeoutMs: number;
  /** How long a claimed refund stays this instance's (longer than a refund transaction may take). */
  readonly leaseMs: number;
};

/** What one refund attempt came to. */
export type RefundAttempt =
  | { readonly kind: "refunded"; readonly txHash: Hex; readonly receipt: RefundReceipt }
  | { readonly kind: "already-refunded"; readonly receipt?: RefundReceipt }
  /** Not enough attesters signed (yet); `detail` says who refused and why. */
  | { readonly kind: "no-quorum"; readonly detail: string }
  | { readonly kind: "paused"; readonly receipt: RefundReceipt }
  | { readonly kind: "reverted"; readonly reason: string; readonly txHash?: Hex };

export class Refunder {
  readonly #bridges: ReadonlyMap<number, BridgeChain>;
  readonly #store: RefundStore;
  readonly #attesters: readonly string[];
  readonly #settings: RefundSettings;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #signer: RelayerRequestSigner | undefined;

  constructor(args: {
    bridges: ReadonlyMap<number, BridgeChain>;
    store: RefundStore;
    attesters: readonly string[];
    settings: RefundSettings;
    log: Logger;
    metrics?: Metrics;
    /** The relayer's identity: POST /refunds is signed with it (nodes with attester.auth require it). */
    signer?: RelayerRequestSigner;
  }) {
    this.#bridges = args.bridges;
    this.#store = args.store;
    this.#attesters = args.attesters.map((u) => u.replace(/\/+$/, ""));
    this.#settings = args.settings;
    this.#log = args.log;
    this.#metrics = args.metrics;
    this.#signer = args.signer;
  }

  /** The chains refunds are scanned on and paid on. */
  get domains(): number[] {
    return [...this.#bridges.keys()];
  }

  /** One bounded round: scan each destination's final refund records, then work the due refunds. */
  async tick(): Promise<void> {
    for (const [domain, chain] of this.#bridges) {
      try {
        await this.#scan(domain, chain);
      } catch (error) {
        this.#log.warn({ domain, error: describeError(error) }, "refund record scan failed; retrying next round");
      }
    }
    const now = Date.now();
    for (const d of await this.#store.claimDue(now, now + this.#settings.leaseMs, this.#settings.maxPerTick)) {
      await this.#work(d);
    }
  }

  async #scan(domain: number, chain: BridgeChain): Promise<void> {
    const cursor = refundCursorName("relayer", domain);
    const head = await chain.adapter.finalizedBlock();
    let from = ((await this.#store.getCursor(cursor)) ?? chain.startBlock - 1n) + 1n;
    for (let i = 0; i < MAX_RANGES && from <= head; i++) {
      const { records, to } = await chain.refunds.scanRefundable(from, head, chain.maxBlockRange);
      const added = await this.#store.addDeliveries(
        records.map((r) => ({ messageId: r.messageId, destination: domain, origin: r.origin, nonce: r.nonce })),
        Date.now(),
        { name: cursor, block: to },
      );
      if (added.length > 0) {
        const fresh = new Set(added);
        for (const r of records.filter((r) => fresh.has(r.messageId))) {
          this.#metrics?.refunds.inc({ origin: String(r.origin), outcome: "seen" });
        }
        this.#log.info({ destination: domain, count: added.length }, "refundable transfers recorded");
      }
      from = to + 1n;
    }
  }

  async #work(d: RefundDelivery): Promise<void> {
    const now = Date.now();
    const origin = String(d.origin);
    let attempt: RefundAttempt;
    try {
      attempt = await this.refundOnce(d.messageId);
    } catch (error) {
      attempt = { kind: "reverted", reason: describeError(error) };
    }
    const later = (lastError: string) =>
      this.#store.updateDelivery(
        d.messageId,
        {
          attempts: d.attempts + 1,
          nextAttemptAt: now + backoffMs(d.attempts + 1, 1_000, this.#settings.maxBackoffMs),
          lastError,
        },
        now,
      );
    switch (attempt.kind) {
      case "refunded":
        await this.#store.updateDelivery(
          d.messageId,
          { state: "refunded", txHash: attempt.txHash, lastError: null },
          now,
        );
        this.#metrics?.refunds.inc({ origin, outcome: "refunded" });
        this.#log.info(
          { messageId: d.messageId, origin: d.origin, txHash: attempt.txHash, refundTo: attempt.receipt.refundTo },
          "refunded on origin",
        );
        return;
      case "already-refunded":
        await this.#store.updateDelivery(d.messageId, { state: "skipped", lastError: null }, now);
        this.#metrics?.refunds.inc({ origin, outcome: "skipped" });
        this.#log.info({ messageId: d.messageId, origin: d.origin }, "already refunded on origin");
        return;
      case "no-quorum":
        await later(`waiting for a quorum of refund signatures: ${attempt.detail}`);
        this.#metrics?.refunds.inc({ origin, outcome: "no-quorum" });
        return;
      case "paused":
        await later(`origin ${d.origin} is paused (EVM EnforcedPause, Solana Paused)`);
        this.#metrics?.refunds.inc({ origin, outcome: "paused" });
        this.#log.warn({ messageId: d.messageId, origin: d.origin }, "refund waits: the origin is paused");
        return;
      case "reverted":
        await later(attempt.reason);
        this.#metrics?.refunds.inc({ origin, outcome: "failed" });
        this.#log.warn({ messageId: d.messageId, origin: d.origin, reason: attempt.reason }, "refund attempt failed");
        return;
    }
  }

  /** Collects a quorum for `messageId`'s refund receipt and submits it on the origin (see `refundOnce`). */
  refundOnce(messageId: Hex): Promise<RefundAttempt> {
    return refundOnce({
      bridges: this.#bridges,
      attesters: this.#attesters,
      requestTimeoutMs: this.#settings.requestTimeoutMs,
      messageId,
      ...(this.#signer === undefined ? {} : { signer: this.#signer }),
    });
  }
}

/** POST /refunds to every attester in parallel; refusals and failures come back as text. */
async function ask(
  attesters: readonly string[],
  timeoutMs: number,
  messageId: Hex,
  signer: RelayerRequestSigner | undefined,
): Promise<{ answers: RefundAnswer[]; refusals: string[] }> {
  const answers: RefundAnswer[] = [];
  const refusals: string[] = [];
  await Promise.all(
    attesters.map(async (source) => {
      try {
        const url = `${source}/refunds`;
        const body = JSON.stringify({ messageId });
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(signer?.headers("POST", url, body) ?? {}) },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const answer: unknown = await response.json();
        if (!response.ok) {
          const error = (answer as { error?: unknown }).error;
          refusals.push(`${source}: HTTP ${response.status}${typeof error === "string" ? ` ${error}` : ""}`);
          return;
        }
        answers.push({ ...refundAnswer.parse(answer), source });
      } catch (error) {
        refusals.push(`${source}: ${describeError(error)}`);
      }
    }),
  );
  return { answers, refusals };
}

/**
 * Asks every attester for `messageId`'s refund receipt, aggregates a quorum of the origin's current set over the
 * receipt most of them signed and submits it on the origin. Throws RefundFailedError when the receipt names an origin
 * not among `bridges`.
 */
export async function refundOnce(args: {
  bridges: ReadonlyMap<number, BridgeChain>;
  attesters: readonly string[];
  requestTimeoutMs: number;
  messageId: Hex;
  /** The relayer's identity: the requests are signed with it (nodes with attester.auth require it). */
  signer?: RelayerRequestSigner;
}): Promise<RefundAttempt> {
  const id = args.messageId.toLowerCase() as Hex;
  const { answers, refusals } = await ask(
    args.attesters.map((u) => u.replace(/\/+$/, "")),
    args.requestTimeoutMs,
    id,
    args.signer,
  );
  // The receipt most nodes signed (an honest quorum signs one receipt; a node that signed another is outvoted).
  const byReceipt = new Map<string, RefundAnswer[]>();
  for (const a of answers) {
    if (a.messageId.toLowerCase() !== id) continue;
    const key = a.receipt.toLowerCase();
    byReceipt.set(key, [...(byReceipt.get(key) ?? []), a]);
  }
  const [best] = [...byReceipt.entries()].sort((x, y) => y[1].length - x[1].length);
  if (best === undefined) {
    return { kind: "no-quorum", detail: `no attester signed (${refusals.join("; ") || "no answers"})` };
  }
  const receiptHex = best[0] as Hex;
  const receipt = decodeRefundReceipt(receiptHex);
  if (receipt.messageId.toLowerCase() !== id) {
    return { kind: "no-quorum", detail: "attesters answered a receipt of another message id" };
  }
  const origin = args.bridges.get(receipt.originDomain);
  if (origin === undefined) {
    throw new RefundFailedError(id, `origin ${receipt.originDomain} is not served by this relayer`);
  }
  if (await origin.refunds.isRefunded(receipt.nonce)) return { kind: "already-refunded", receipt };
  const setId = await origin.adapter.currentSetId();
  const set = await origin.adapter.getAttesterSet(setId);
  const verifier = origin.refunds.verifier.toLowerCase();
  const digest = attestationDigest("refund", {
    domain: receipt.originDomain,
    verifier: verifier as Hex,
    attesterSetId: setId,
    value: refundReceiptHash(receiptHex),
  });
  const candidates = best[1].flatMap((a) =>
    a.signatures
      .filter(
        (s) =>
          s.domain === receipt.originDomain &&
          s.verifier.toLowerCase() === verifier &&
          s.attesterSetId === setId.toString(),
      )
      .map((s) => ({ source: a.source, signature: s.signature })),
  );
  const quorum = aggregate({ digest, set, candidates });
  if (!quorum.ready) {
    return {
      kind: "no-quorum",
      detail: `${quorum.signers.length} valid signer(s), weight ${quorum.signedWeight} of ${quorum.totalWeight} at ${quorum.thresholdBps} bps${refusals.length > 0 ? `; ${refusals.join("; ")}` : ""}`,
    };
  }
  const outcome = await origin.refunds.submit(receiptHex, encodeAttestation(setId, quorum.signatures));
  switch (outcome.kind) {
    case "refunded":
      return { kind: "refunded", txHash: outcome.txHash, receipt };
    case "already-refunded":
      return { kind: "already-refunded", receipt };
    case "paused":
      return { kind: "paused", receipt };
    case "reverted":
      return outcome.txHash === undefined
        ? { kind: "reverted", reason: outcome.reason }
        : { kind: "reverted", reason: outcome.reason, txHash: outcome.txHash };
  }
}
