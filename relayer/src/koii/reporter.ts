// The relayer's byzantine-signature reporter: for every endpoint answer it gathers, each dishonest claim (evidence.ts)
// is logged, counted (maskoii_byzantine_signatures_total{reason}), stored once in the relayer's store, and, when it is
// attributable to a key, POSTed to the attester nodes' /koii/evidence so that the task's audit judges it.

import type { Logger, RelayerRequestSigner } from "@maskoii/node-kit";
import { evidenceUrl, postJson } from "@maskoii/node-kit";
import type { Hex } from "viem";
import type { EndpointAnswer } from "../collector.ts";
import { describeError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import { type ByzantineReport, classifyClaims, type EvidenceRequest, evidenceIdOf } from "./evidence.ts";
import type { KoiiStore } from "./store.ts";

/** What the relayer calls with the answers of every signature request (relayer-service.ts). */
export interface ByzantineSink {
  inspect(messageId: Hex, answers: readonly EndpointAnswer[]): Promise<ByzantineReport[]>;
}

export class ByzantineReporter implements ByzantineSink {
  readonly #store: KoiiStore;
  readonly #attesters: readonly string[];
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #timeoutMs: number;
  readonly #messageOf: ((id: Hex) => Promise<Hex | undefined>) | undefined;
  readonly #signer: RelayerRequestSigner | undefined;

  constructor(args: {
    store: KoiiStore;
    /** Attester base URLs that receive attributable evidence. */
    attesters: readonly string[];
    log: Logger;
    metrics?: Metrics;
    timeoutMs: number;
    /**
     * The message bytes of an id when this relayer has them (its observed store): forwarded with the evidence so an
     * auditor can tell which origin and nonce the signature claims (evidence.ts `messages`).
     */
    messageOf?: (id: Hex) => Promise<Hex | undefined>;
    /** The relayer's identity: evidence POSTs are signed with it (nodes with attester.auth require it). */
    signer?: RelayerRequestSigner;
  }) {
    this.#store = args.store;
    this.#attesters = args.attesters;
    this.#log = args.log;
    this.#metrics = args.metrics;
    this.#timeoutMs = args.timeoutMs;
    this.#messageOf = args.messageOf;
    this.#signer = args.signer;
  }

  async inspect(messageId: Hex, answers: readonly EndpointAnswer[]): Promise<ByzantineReport[]> {
    const reports: ByzantineReport[] = [];
    for (const a of answers) {
      if (a.ok) reports.push(...classifyClaims(a.source, messageId, a.signatures));
    }
    const fresh: ByzantineReport[] = [];
    for (const r of reports) {
      const stored = await this.#store.saveEvidence({
        evidenceId: evidenceIdOf(r),
        signer: r.signer,
        attributable: r.signer !== null,
        reason: r.reason,
        source: r.source,
        body: r,
        round: -1,
        createdAt: Date.now(),
      });
      if (!stored) continue;
      fresh.push(r);
      this.#metrics?.byzantineSignatures.inc({ reason: r.reason });
      this.#log.warn(
        { messageId, source: r.source, reason: r.reason, detail: r.detail, signer: r.signer },
        "byzantine signature claim from an attester endpoint",
      );
      if (
        r.signer !== null &&
        (r.reason === "signer-mismatch" || r.reason === "off-topic" || r.reason === "bad-batch-root")
      ) {
        const messages = await this.#messagesOf(r);
        await this.#forward({
          source: r.source,
          requested: r.requested,
          reason: r.reason,
          claim: r.claim,
          ...(messages.length === 0 ? {} : { messages }),
        });
      }
    }
    return fresh;
  }

  /** The bytes this relayer knows of the ids the claim covers (at most 16, as the evidence schema allows). */
  async #messagesOf(r: ByzantineReport): Promise<Hex[]> {
    if (this.#messageOf === undefined) return [];
    const ids = r.claim.kind === "message" ? [r.claim.value] : r.claim.messageIds;
    const out: Hex[] = [];
    for (const id of ids.slice(0, 16)) {
      const bytes = /^0x[0-9a-fA-F]{64}$/.test(id)
        ? await this.#messageOf(id as Hex).catch(() => undefined)
        : undefined;
      if (bytes !== undefined) out.push(bytes);
    }
    return out;
  }

  async #forward(request: EvidenceRequest): Promise<void> {
    await Promise.all(
      this.#attesters.map(async (base) => {
        try {
          await postJson(evidenceUrl(base), request, this.#timeoutMs, this.#signer);
        } catch (error) {
          this.#log.debug({ attester: base, error: describeError(error) }, "evidence not accepted by attester");
        }
      }),
    );
  }
}
