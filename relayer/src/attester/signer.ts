// Produces attestation signatures. The rule that makes equivocation impossible for an honest node: before any
// signature over a message exists, its (origin, nonce) -> messageId pair is durably journaled, and a request to
// sign a different id for a journaled pair is refused (SigningConflictError), across restarts and crashes.

import { setImmediate } from "node:timers/promises";
import type { Logger } from "@maskoii/node-kit";
import {
  attestationDigest,
  batchRoot,
  type Message,
  refundReceiptHash,
  type Signature,
  signDigest,
} from "@maskoii/sdk";
import type { Address, Hex } from "viem";
import { RefundConflictError, RotationConflictError, SigningConflictError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { RefundJournalRow, RefundSignature, RefundStore } from "../store/refunds.ts";
import type { Store, StoredSignature } from "../store/types.ts";

/** Message signatures made between two yields to the event loop in a bulk round. */
const YIELD_EVERY = 16;

/** Where a signature will be consumed. */
export type Target = { readonly domain: number; readonly verifier: Hex; readonly attesterSetId: bigint };

/**
 * What the signer needs to know about a message: its id and (origin, nonce), and the origin block it was read at
 * (journaled with it, so a later re-attestation can tell a message a reorg removed; absent when unknown).
 */
export type Signable = Pick<Message, "originDomain" | "nonce"> & {
  readonly messageId: Hex;
  readonly originBlock?: bigint;
};

const journalEntry = (m: Signable) => ({
  origin: m.originDomain,
  nonce: m.nonce,
  messageId: m.messageId,
  ...(m.originBlock === undefined ? {} : { originBlock: m.originBlock }),
});

/** r ‖ s ‖ v as one 65-byte hex string. */
export function packSignature(sig: { r: Hex; s: Hex; v: number }): Hex {
  return `${sig.r}${sig.s.slice(2)}${sig.v.toString(16).padStart(2, "0")}` as Hex;
}

export class AttesterSigner {
  readonly address: Address;
  readonly #privateKey: Hex;
  readonly #store: Store;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;

  constructor(args: { address: Address; privateKey: Hex; store: Store; log: Logger; metrics?: Metrics }) {
    this.address = args.address;
    this.#privateKey = args.privateKey;
    this.#store = args.store;
    this.#log = args.log;
    this.#metrics = args.metrics;
  }

  /** Journals (origin, nonce) -> id; throws SigningConflictError if another id holds the pair. */
  async #journal(m: Signable): Promise<void> {
    const id = m.messageId.toLowerCase() as Hex;
    const journaled = await this.#store.journalReserve(m.originDomain, m.nonce, id, m.originBlock);
    if (journaled.toLowerCase() !== id) {
      this.#metrics?.signatures.inc({ kind: "message", outcome: "refused-conflict" });
      this.#log.error(
        { origin: m.originDomain, nonce: m.nonce.toString(), journaled, requested: id },
        "refusing to equivocate",
      );
      throw new SigningConflictError(m.originDomain, m.nonce, journaled, id);
    }
  }

  /** Signs MessageAttestation(target.domain, target.verifier, setId, messageId); idempotent per target. */
  async signMessage(m: Signable, target: Target): Promise<StoredSignature> {
    // Journal first, always: even a re-served signature must match the journaled (origin, nonce).
    await this.#journal(m);
    const existing = await this.#store.findSignature(
      "message",
      m.messageId,
      target.domain,
      target.verifier,
      target.attesterSetId,
    );
    if (existing !== undefined) return existing;
    const digest = attestationDigest("message", { ...target, value: m.messageId });
    const signature: StoredSignature = {
      kind: "message",
      value: m.messageId.toLowerCase() as Hex,
      domain: target.domain,
      verifier: target.verifier.toLowerCase() as Hex,
      attesterSetId: target.attesterSetId,
      signer: this.address,
      signature: packSignature(signDigest(digest, this.#privateKey)),
      messageIds: [m.messageId.toLowerCase() as Hex],
      createdAt: Date.now(),
    };
    await this.#store.saveSignature(signature);
    this.#metrics?.signatures.inc({ kind: "message", outcome: "signed" });
    this.#log.info(
      { messageId: m.messageId, domain: target.domain, setId: target.attesterSetId.toString() },
      "signed message",
    );
    return signature;
  }

  /**
   * signMessage for many messages with one journal transaction, one lookup of existing signatures and one save
   * transaction. Journal first, as always: a message whose (origin, nonce) is journaled with another id is not
   * signed and is returned in `conflicts` (the others are still signed). Idempotent per target.
   */
  async signMessages(
    messages: readonly Signable[],
    target: Target,
  ): Promise<{ signed: StoredSignature[]; conflicts: SigningConflictError[] }> {
    if (messages.length === 0) return { signed: [], conflicts: [] };
    const journaled = await this.#store.journalReserveMany(messages.map(journalEntry));
    const conflicts: SigningConflictError[] = [];
    const clean: Signable[] = [];
    for (const [i, m] of messages.entries()) {
      const id = m.messageId.toLowerCase() as Hex;
      const held = (journaled[i] ?? "").toLowerCase() as Hex;
      if (held === id) {
        clean.push(m);
        continue;
      }
      this.#metrics?.signatures.inc({ kind: "message", outcome: "refused-conflict" });
      this.#log.error(
        { origin: m.originDomain, nonce: m.nonce.toString(), journaled: held, requested: id },
        "refusing to equivocate",
      );
      conflicts.push(new SigningConflictError(m.originDomain, m.nonce, held, id));
    }
    const verifier = target.verifier.toLowerCase();
    const existing = new Map(
      (await this.#store.getMessageSignatures(clean.map((m) => m.messageId)))
        .filter(
          (s) =>
            s.domain === target.domain &&
            s.verifier.toLowerCase() === verifier &&
            s.attesterSetId === target.attesterSetId,
        )
        .map((s) => [s.value.toLowerCase(), s]),
    );
    const signed: StoredSignature[] = [];
    const fresh: StoredSignature[] = [];
    for (const m of clean) {
      const id = m.messageId.toLowerCase() as Hex;
      const known = existing.get(id);
      if (known !== undefined) {
        signed.push(known);
        continue;
      }
      const digest = attestationDigest("message", { ...target, value: id });
      const signature: StoredSignature = {
        kind: "message",
        value: id,
        domain: target.domain,
        verifier: verifier as Hex,
        attesterSetId: target.attesterSetId,
        signer: this.address,
        signature: packSignature(signDigest(digest, this.#privateKey)),
        messageIds: [id],
        createdAt: Date.now(),
      };
      fresh.push(signature);
      signed.push(signature);
      // A signature costs ~1 ms of CPU: let the HTTP server answer (batch roots, bulk reads) between slices of a big
      // round instead of after all of it (the relayer waits on those answers).
      if (fresh.length % YIELD_EVERY === 0) await setImmediate();
    }
    await this.#store.saveSignatures(fresh);
    if (fresh.length > 0) {
      this.#metrics?.signatures.inc({ kind: "message", outcome: "signed" }, fresh.length);
      this.#log.info(
        { count: fresh.length, domain: target.domain, setId: target.attesterSetId.toString() },
        "signed messages",
      );
    }
    return { signed, conflicts };
  }

  /**
   * Signs BatchAttestation over the root of `messages` (batch order as given). Every message is journaled first;
   * one conflict refuses the whole batch.
   */
  async signBatch(messages: readonly Signable[], target: Target): Promise<StoredSignature> {
    const ids = messages.map((m) => m.messageId.toLowerCase() as Hex);
    const root = batchRoot(ids);
    const existing = await this.#store.findSignature(
      "batch",
      root,
      target.domain,
      target.verifier,
      target.attesterSetId,
    );
    if (existing !== undefined) return existing;
    const journaled = await this.#store.journalReserveMany(messages.map(journalEntry));
    for (const [i, m] of messages.entries()) {
      const held = (journaled[i] ?? "").toLowerCase() as Hex;
      if (held === ids[i]) continue;
      this.#metrics?.signatures.inc({ kind: "message", outcome: "refused-conflict" });
      this.#log.error(
        { origin: m.originDomain, nonce: m.nonce.toString(), journaled: held, requested: ids[i] },
        "refusing to equivocate",
      );
      throw new SigningConflictError(m.originDomain, m.nonce, held, ids[i] as Hex);
    }
    const digest = attestationDigest("batch", { ...target, value: root });
    const signature: StoredSignature = {
      kind: "batch",
      value: root,
      domain: target.domain,
      verifier: target.verifier.toLowerCase() as Hex,
      attesterSetId: target.attesterSetId,
      signer: this.address,
      signature: packSignature(signDigest(digest, this.#privateKey)),
      messageIds: ids,
      createdAt: Date.now(),
    };
    await this.#store.saveSignature(signature);
    this.#metrics?.signatures.inc({ kind: "batch", outcome: "signed" });
    this.#log.info({ root, size: ids.length, domain: target.domain }, "signed batch");
    return signature;
  }

  /**
   * Signs AttesterSetRotation(domain, verifier = the gateway, setId, nextSetHash) (protocol §4). The rotation journal
   * makes the node sign at most one next set per (domain, gateway, set id), across restarts; a second, different
   * hash is refused (RotationConflictError). What the next set should be is the Koii task's decision.
   */
  async signRotation(target: Target, nextSetHash: Hex): Promise<Signature> {
    const hash = nextSetHash.toLowerCase() as Hex;
    const journaled = await this.#store.rotationReserve(target.domain, target.verifier, target.attesterSetId, hash);
    if (journaled.toLowerCase() !== hash) {
      this.#metrics?.signatures.inc({ kind: "rotation", outcome: "refused-conflict" });
      throw new RotationConflictError(target.domain, target.attesterSetId, journaled, hash);
    }
    this.#metrics?.signatures.inc({ kind: "rotation", outcome: "signed" });
    return signDigest(attestationDigest("rotation", { ...target, value: hash }), this.#privateKey);
  }

  /**
   * Signs TransferRefund(origin, origin bridge, setId, keccak256(receipt)) (docs/protocol.md §8.1). The refund journal
   * makes the node sign at most one receipt per (origin, nonce), so per message id, across restarts: the receipt is
   * journaled first, and a different receipt for a journaled pair is refused (RefundConflictError). Idempotent per
   * target (a rotation re-signs the same receipt for the new set). Whether the chains justify the receipt is the
   * caller's judgement (attester/refunds.ts).
   */
  async signRefund(
    entry: Omit<RefundJournalRow, "createdAt">,
    target: Target,
    refunds: RefundStore,
  ): Promise<{ journal: RefundJournalRow; signature: RefundSignature }> {
    const journal = await refunds.reserve(entry, Date.now());
    if (
      journal.messageId.toLowerCase() !== entry.messageId.toLowerCase() ||
      journal.receipt.toLowerCase() !== entry.receipt.toLowerCase()
    ) {
      this.#metrics?.signatures.inc({ kind: "refund", outcome: "refused-conflict" });
      this.#log.error(
        {
          origin: entry.origin,
          nonce: entry.nonce.toString(),
          journaled: journal.messageId,
          requested: entry.messageId,
        },
        "refusing a second refund for one nonce",
      );
      throw new RefundConflictError(entry.origin, entry.nonce, journal.messageId, entry.messageId);
    }
    const verifier = target.verifier.toLowerCase() as Hex;
    const existing = (await refunds.signaturesOf(journal.messageId)).find(
      (s) => s.domain === target.domain && s.verifier === verifier && s.attesterSetId === target.attesterSetId,
    );
    if (existing !== undefined) return { journal, signature: existing };
    const digest = attestationDigest("refund", { ...target, value: refundReceiptHash(journal.receipt) });
    const signature: RefundSignature = {
      messageId: journal.messageId,
      domain: target.domain,
      verifier,
      attesterSetId: target.attesterSetId,
      signer: this.address.toLowerCase() as Hex,
      signature: packSignature(signDigest(digest, this.#privateKey)),
      createdAt: Date.now(),
    };
    await refunds.saveSignature(signature, signature.createdAt);
    this.#metrics?.signatures.inc({ kind: "refund", outcome: "signed" });
    this.#log.info(
      {
        messageId: journal.messageId,
        origin: target.domain,
        setId: target.attesterSetId.toString(),
        basis: journal.basis,
      },
      "signed refund receipt",
    );
    return { journal, signature };
  }
}
