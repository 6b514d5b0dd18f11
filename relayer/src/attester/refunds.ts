// The attester's refund receipts (docs/protocol.md §8.1). A node signs a receipt for a transfer `id` only when the
// chains show, final, that the destination can never credit it and what the origin took:
//   origin: the MessageSent of `id` (final, consistent with its bytes, sent by the origin TokenBridge) and, in the same
//           transaction, that bridge's TransferSent of `id`, from which the receipt's token, refundTo and wire amount
//           are read (the wire amount must equal the payload's);
//   destination, one of two bases:
//     record  the destination TokenBridge's refund record of `id` (read at its final block) names the same origin,
//             nonce and wire amount. The record proves the message was consumed there and credited nothing, so a
//             delivery signature this node made for `id` did not pay anything: signing the refund is safe.
//     reorg   no record, but (origin, nonce) was consumed on the destination (final MessageDelivered) by ANOTHER id
//             that the origin's final chain does not show (a reorg removed it after it was signed and delivered),
//             while `id` holds that nonce on the origin now. `id` can never be delivered, and this node never signed
//             it (its signing journal holds the consumed id for the pair; the node journals it now if the pair was
//             empty, so it never will).
// Every receipt is journaled before its signature leaves the process, at most one per (origin, nonce), so per id. The
// node finds refund records itself (a scan of TransferRefundable per destination, evaluated again with backoff while
// the origin does not show the transfer: a forged record never gets signed); a relayer or the CLI may also ask for an
// id (POST /refunds: the reorg basis is found that way, the scan cannot see it).

import type { Logger } from "@maskoii/node-kit";
import { decodeMessage, decodeTokenMessage, encodeRefundReceipt } from "@maskoii/sdk";
import type { Hex } from "viem";
import type { ChainAdapter, Chains, SentMessage } from "../chains/adapter.ts";
import type { RefundChain } from "../chains/refund.ts";
import { checkSent } from "../chains/watcher.ts";
import type { ResolvedConfig } from "../config.ts";
import { describeError, RefundRefusedError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { RefundBasis, RefundJournalRow, RefundSignature, RefundStore } from "../store/refunds.ts";
import type { Store } from "../store/types.ts";
import { isMember } from "./observer.ts";
import type { AttesterSigner } from "./signer.ts";

/** Refund records evaluated per tick. */
const EVALUATE_LIMIT = 20;
/** Scanned ranges per destination per tick. */
const MAX_RANGES = 10;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 600_000;

/** One chain with a token bridge (an EVM TokenBridge, the Solana program), as refunds need it. */
export type BridgeChain = {
  readonly adapter: ChainAdapter;
  readonly refunds: RefundChain;
  readonly startBlock: bigint;
  readonly maxBlockRange: bigint;
};

/** What a node answers for a refund: the journaled receipt and its signature for the origin's current set. */
export type SignedRefund = { readonly journal: RefundJournalRow; readonly signature: RefundSignature };

export const refundCursorName = (role: string, domain: number) => `${role}:refunds:${domain}`;

/**
 * The chains of `config` with a token bridge, by domain (the chains refunds are read from and paid on): EVM chains
 * with a TokenBridge, Solana chains (the program is its own token bridge), through `ChainAdapter.refunds`.
 */
export function bridgeChains(config: ResolvedConfig, chains: Chains): Map<number, BridgeChain> {
  const out = new Map<number, BridgeChain>();
  for (const c of config.chains) {
    const adapter = chains.get(c.domain);
    const refunds = adapter?.refunds?.(c.family === "evm" ? c.tokenBridge : undefined);
    if (adapter === undefined || refunds === undefined) continue;
    out.set(c.domain, {
      adapter,
      refunds,
      startBlock: BigInt(c.startBlock),
      maxBlockRange: BigInt(c.maxBlockRange),
    });
  }
  return out;
}

const refuse = (id: Hex, reason: string, retry: boolean) => new RefundRefusedError(id, reason, retry);

export class RefundAttester {
  readonly #bridges: ReadonlyMap<number, BridgeChain>;
  readonly #store: Store;
  readonly #refunds: RefundStore;
  readonly #signer: AttesterSigner;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;

  constructor(args: {
    bridges: ReadonlyMap<number, BridgeChain>;
    store: Store;
    refunds: RefundStore;
    signer: AttesterSigner;
    log: Logger;
    metrics?: Metrics;
  }) {
    this.#bridges = args.bridges;
    this.#store = args.store;
    this.#refunds = args.refunds;
    this.#signer = args.signer;
    this.#log = args.log;
    this.#metrics = args.metrics;
  }

  /** One bounded round: scan every destination's final refund records, then evaluate the due ones. */
  async tick(): Promise<void> {
    for (const [domain, chain] of this.#bridges) {
      try {
        await this.#scan(domain, chain);
      } catch (error) {
        this.#log.warn({ domain, error: describeError(error) }, "refund record scan failed; retrying next round");
      }
    }
    const now = Date.now();
    for (const c of await this.#refunds.dueCandidates(now, EVALUATE_LIMIT)) {
      try {
        await this.sign(c.messageId);
        await this.#refunds.updateCandidate(c.messageId, {
          state: "signed",
          attempts: c.attempts + 1,
          nextAttemptAt: now,
          lastProblem: null,
        });
      } catch (error) {
        const attempts = c.attempts + 1;
        const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts, 20));
        await this.#refunds.updateCandidate(c.messageId, {
          state: "pending",
          attempts,
          nextAttemptAt: now + wait,
          lastProblem: describeError(error),
        });
        this.#log.warn({ messageId: c.messageId, error: describeError(error) }, "refund record not signed (yet)");
      }
    }
  }

  async #scan(domain: number, chain: BridgeChain): Promise<void> {
    const cursor = refundCursorName("attester", domain);
    const head = await chain.adapter.finalizedBlock();
    let from = ((await this.#refunds.getCursor(cursor)) ?? chain.startBlock - 1n) + 1n;
    for (let i = 0; i < MAX_RANGES && from <= head; i++) {
      const { records, to } = await chain.refunds.scanRefundable(from, head, chain.maxBlockRange);
      const added = new Set(
        await this.#refunds.recordCandidates(
          cursor,
          domain,
          records.map((r) => r.messageId),
          to,
          Date.now(),
        ),
      );
      for (const r of records.filter((r) => added.has(r.messageId))) {
        this.#log.info(
          { messageId: r.messageId, destination: domain, origin: r.origin, reason: r.reason },
          "refund record final on destination",
        );
      }
      from = to + 1n;
    }
  }

  /** The receipt and signatures this node holds for `messageId` (no chain reads). */
  async signed(messageId: Hex): Promise<{ journal: RefundJournalRow; signatures: RefundSignature[] } | undefined> {
    const journal = await this.#refunds.journalOf(messageId);
    if (journal === undefined) return undefined;
    return { journal, signatures: await this.#refunds.signaturesOf(messageId) };
  }

  /** Why the node has not signed `messageId`'s refund yet, as its scan last saw it. */
  async problemOf(messageId: Hex): Promise<string | undefined> {
    return (await this.#refunds.candidate(messageId))?.lastProblem ?? undefined;
  }

  /**
   * Signs the refund receipt of `messageId` for its origin's current set, if the chains justify it (see the top of
   * this file), or re-serves the journaled one (re-signed after a rotation). Throws RefundRefusedError otherwise.
   */
  async sign(messageId: Hex): Promise<SignedRefund> {
    const id = messageId.toLowerCase() as Hex;
    const journaled = await this.#refunds.journalOf(id);
    if (journaled !== undefined) {
      const origin = this.#bridges.get(journaled.origin);
      if (origin === undefined) throw refuse(id, `origin ${journaled.origin} is not served here`, false);
      return this.#signFor(origin, journaled);
    }
    const entry = await this.#judge(id);
    const origin = this.#bridges.get(entry.origin) as BridgeChain;
    return this.#signFor(origin, entry);
  }

  async #signFor(origin: BridgeChain, entry: Omit<RefundJournalRow, "createdAt">): Promise<SignedRefund> {
    const setId = await origin.adapter.currentSetId();
    const set = await origin.adapter.getAttesterSet(setId);
    if (!isMember(set.attesters, set.weights, this.#signer.address)) {
      throw refuse(entry.messageId, `not a member of set ${setId} on origin ${entry.origin}`, true);
    }
    return this.#signer.signRefund(
      entry,
      { domain: entry.origin, verifier: origin.refunds.verifier, attesterSetId: setId },
      this.#refunds,
    );
  }

  /** The final MessageSent of `id` on some served origin: the watcher's record, else a log search up to final. */
  async #findSent(id: Hex): Promise<{ sent: SentMessage; origin: BridgeChain } | undefined> {
    const observed = await this.#store.getObserved(id);
    if (observed !== undefined) {
      const origin = this.#bridges.get(observed.origin);
      return origin === undefined ? undefined : { sent: observed, origin };
    }
    for (const origin of this.#bridges.values()) {
      const sent = await origin.adapter.findSent(id, origin.startBlock);
      if (sent === undefined) continue;
      if (sent.blockNumber > (await origin.adapter.finalizedBlock())) return undefined;
      return { sent, origin };
    }
    return undefined;
  }

  async #judge(id: Hex): Promise<Omit<RefundJournalRow, "createdAt">> {
    const found = await this.#findSent(id);
    if (found === undefined) throw refuse(id, "no origin served here shows this message final", true);
    const { sent, origin } = found;
    const problem = checkSent(sent, origin.adapter.domain);
    if (problem !== undefined) throw refuse(id, `inconsistent MessageSent: ${problem}`, false);
    const message = decodeMessage(sent.message);
    if (message.sender.toLowerCase() !== origin.refunds.verifier.toLowerCase()) {
      throw refuse(id, "not sent by the origin's token bridge", false);
    }
    let amount: bigint;
    try {
      amount = decodeTokenMessage(message.payload).amount;
    } catch (error) {
      throw refuse(id, `not a token transfer: ${describeError(error)}`, false);
    }
    const transfer = await origin.refunds.transferSentIn(sent.txHash, id);
    if (transfer === undefined) throw refuse(id, "no TransferSent of this id in its MessageSent's transaction", false);
    if (transfer.wireAmount !== amount || transfer.destination !== message.destinationDomain) {
      throw refuse(id, "TransferSent disagrees with the message (wire amount or destination)", false);
    }
    const destination = this.#bridges.get(message.destinationDomain);
    if (destination === undefined) throw refuse(id, `destination ${message.destinationDomain} is not served`, false);
    const basis = await this.#destinationBasis(id, message.originDomain, message.nonce, amount, destination);
    return {
      origin: message.originDomain,
      nonce: message.nonce,
      messageId: id,
      destination: message.destinationDomain,
      basis,
      receipt: encodeRefundReceipt({
        messageId: id,
        originDomain: message.originDomain,
        nonce: message.nonce,
        destinationDomain: message.destinationDomain,
        token: transfer.token,
        refundTo: transfer.from,
        wireAmount: transfer.wireAmount,
      }).toLowerCase() as Hex,
    };
  }

  async #destinationBasis(
    id: Hex,
    originDomain: number,
    nonce: bigint,
    wireAmount: bigint,
    destination: BridgeChain,
  ): Promise<RefundBasis> {
    const final = await destination.adapter.finalizedBlock();
    if (final < 0n) throw refuse(id, "the destination has no final block yet", true);
    const record = await destination.refunds.recordAt(id, final);
    if (record !== undefined) {
      if (record.origin !== originDomain || record.nonce !== nonce || record.wireAmount !== wireAmount) {
        throw refuse(id, "the destination's refund record disagrees with the origin's transfer", false);
      }
      return "record";
    }
    // No record: only the reorg basis remains. Which id consumed (origin, nonce) there, final?
    const consumed = await destination.refunds.deliveredIds(originDomain, nonce, destination.startBlock, final);
    if (consumed.length === 0) {
      throw refuse(id, "no final refund record, and the destination has not consumed its nonce (deliverable)", true);
    }
    if (consumed.includes(id)) throw refuse(id, "delivered without a refund record (credited)", false);
    const other = consumed[0] as Hex;
    const origin = this.#bridges.get(originDomain) as BridgeChain;
    // The consumed id must be on no branch the origin shows now, final or not (a reorg removed it).
    if ((await origin.adapter.findSent(other, origin.startBlock)) !== undefined) {
      throw refuse(id, `the origin still shows ${other}, which consumed the nonce (equivocating origin?)`, false);
    }
    // Never both signatures for one id: this node's journal must not hold `id` for the pair; an empty pair is
    // journaled to the consumed id now, so this node never signs `id`'s delivery afterwards.
    const journaled = await this.#store.journalReserve(originDomain, nonce, other);
    if (journaled.toLowerCase() === id) throw refuse(id, "this node signed this id's delivery", false);
    this.#metrics?.signatures.inc({ kind: "refund", outcome: "reorg-basis" });
    this.#log.warn(
      { messageId: id, origin: originDomain, nonce: nonce.toString(), consumedBy: other, journaled },
      "nonce consumed on the destination by a reorged-out message: refunding the replacement on its origin",
    );
    return "reorg";
  }
}
