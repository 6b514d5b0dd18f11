// The bridge's kind of work: the attestations a node signed in the round. Each item is one signature (over a message
// id or a batch root) with, for every message it covers, the (origin, nonce), the origin transaction and block it was
// read from, and the message bytes (so an auditor can rebuild on-chain equivocation evidence). The audit re-checks
// every item against the origin chains through the ChainAdapter interface.

import type {
  AuditOutcome,
  AuditSubject,
  EquivocationProof,
  EvidenceIntake,
  Fault,
  Logger,
  RoundWindows,
  WorkKind,
} from "@maskoii/node-kit";
import { CanonicalWriter } from "@maskoii/node-kit";
import {
  attestationDigest,
  batchProof,
  batchRoot,
  decodeMessage,
  messageId as idOf,
  recoverSigner,
} from "@maskoii/sdk";
import { type Address, getAddress, type Hex, isAddress } from "viem";
import { z } from "zod";
import type { Chains } from "../../chains/adapter.ts";
import type { AuditReader } from "../../chains/quorum.ts";
import { describeError } from "../../errors.ts";
import { attestationEvidence, evidenceRequestSchema, recoverClaim } from "../evidence.ts";
import type { KoiiStore } from "../store.ts";

export const ATTESTATIONS_KIND = "bridge-attestations";

const lowerHex = (bytes: number) =>
  z.string().regex(new RegExp(`^0x[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes of lower-case hex`);
const decimal = z.string().regex(/^(0|[1-9]\d{0,19})$/, "expected a decimal uint64");
const uint32 = z.number().int().min(1).max(0xffffffff);

export const messageRefSchema = z
  .object({
    messageId: lowerHex(32),
    origin: uint32,
    nonce: decimal,
    /** The origin transaction (EVM tx hash; a Solana signature is 64 bytes). */
    originTx: z.string().regex(/^0x([0-9a-f]{2}){1,255}$/, "expected 1 to 255 bytes of lower-case hex"),
    /** The origin block (EVM) or slot (Solana). */
    originBlock: decimal,
    message: z.string().regex(/^0x([0-9a-f]{2})+$/, "expected lower-case hex bytes"),
  })
  .strict();

export const attestationItemSchema = z
  .object({
    kind: z.enum(["message", "batch"]),
    value: lowerHex(32),
    domain: uint32,
    verifier: lowerHex(32),
    attesterSetId: decimal,
    signer: z.string().refine((a) => isAddress(a, { strict: true }), "expected a checksummed address"),
    signature: lowerHex(65),
    messages: z.array(messageRefSchema).min(1).max(256),
  })
  .strict();

export type MessageRef = z.infer<typeof messageRefSchema>;
export type AttestationItem = z.infer<typeof attestationItemSchema>;

/** The canonical bytes of an item (docs/protocol.md §9.2). */
export function encodeAttestationItem(item: AttestationItem): Uint8Array {
  const w = new CanonicalWriter()
    .uint(item.kind === "message" ? 0 : 1, 1)
    .fixed(item.value as Hex, 32)
    .uint(item.domain, 4)
    .fixed(item.verifier as Hex, 32)
    .uint(BigInt(item.attesterSetId), 8)
    .fixed(item.signer as Hex, 20)
    .fixed(item.signature as Hex, 65)
    .uint(item.messages.length, 2);
  for (const m of item.messages) {
    w.fixed(m.messageId as Hex, 32)
      .uint(m.origin, 4)
      .uint(BigInt(m.nonce), 8)
      .bytes(m.originTx as Hex, 1)
      .uint(BigInt(m.originBlock), 8)
      .bytes(m.message as Hex, 4);
  }
  return w.toBytes();
}

/** The on-chain Evidence struct of AttesterSet.reportEquivocation (protocol §6). */
export type EquivocationEvidence = {
  readonly message: Hex;
  readonly verifier: Hex;
  readonly attesterSetId: bigint;
  readonly root: Hex;
  readonly proof: readonly Hex[];
  readonly signature: Hex;
};

export type EvidencePair = {
  readonly attester: Address;
  readonly a: EquivocationEvidence;
  readonly b: EquivocationEvidence;
};

/** The Evidence for message `index` of `item`: no root/proof for a message signature, else root and proof. */
export function evidenceOf(item: AttestationItem, index: number): EquivocationEvidence {
  const ref = item.messages[index];
  if (ref === undefined) throw new RangeError(`item has no message ${index}`);
  const batch = item.kind === "batch";
  return {
    message: ref.message as Hex,
    verifier: item.verifier as Hex,
    attesterSetId: BigInt(item.attesterSetId),
    root: batch ? (item.value as Hex) : `0x${"00".repeat(32)}`,
    proof: batch
      ? batchProof(
          item.messages.map((m) => m.messageId as Hex),
          index,
        )
      : [],
    signature: item.signature as Hex,
  };
}

function split(signature: Hex): { r: Hex; s: Hex; v: number } {
  return {
    r: `0x${signature.slice(2, 66)}`,
    s: `0x${signature.slice(66, 130)}`,
    v: Number.parseInt(signature.slice(130, 132), 16),
  };
}

/** Who signed the item's attestation, or a reason it recovers to no one. */
export function itemSigner(item: AttestationItem): Address | string {
  try {
    return recoverSigner(
      attestationDigest(item.kind, {
        domain: item.domain,
        verifier: item.verifier as Hex,
        attesterSetId: BigInt(item.attesterSetId),
        value: item.value as Hex,
      }),
      split(item.signature as Hex),
    );
  } catch (error) {
    return describeError(error);
  }
}

/** Checks without I/O: the signature is the bound attester's, batch roots and message bytes are consistent. */
export function checkAttestationItem(item: AttestationItem, subject: AuditSubject): Fault | undefined {
  const bound = getAddress(subject.binding.attester);
  if (getAddress(item.signer) !== bound) {
    return { code: "signer-mismatch", detail: `item names signer ${item.signer}, the node is bound to ${bound}` };
  }
  const signer = itemSigner(item);
  if (signer !== bound) {
    return {
      code: "bad-attestation-signature",
      detail: `${item.kind} ${item.value}: signature ${isAddress(signer) ? `recovers to ${signer}` : `invalid (${signer})`}`,
    };
  }
  const ids = item.messages.map((m) => m.messageId as Hex);
  if (item.kind === "message" && (ids.length !== 1 || ids[0] !== item.value)) {
    return { code: "message-mismatch", detail: `message signature ${item.value} must cover exactly that id` };
  }
  if (item.kind === "batch" && batchRoot(ids) !== item.value) {
    return { code: "batch-root-mismatch", detail: `the ids hash to ${batchRoot(ids)}, not ${item.value}` };
  }
  for (const m of item.messages) {
    let decoded: ReturnType<typeof decodeMessage>;
    try {
      decoded = decodeMessage(m.message as Hex);
    } catch (error) {
      return { code: "message-mismatch", detail: `${m.messageId}: ${describeError(error)}` };
    }
    if (idOf(m.message as Hex) !== m.messageId) {
      return { code: "message-mismatch", detail: `${m.messageId} is not keccak256 of its message bytes` };
    }
    if (decoded.originDomain !== m.origin || decoded.nonce !== BigInt(m.nonce)) {
      return { code: "message-mismatch", detail: `${m.messageId}: (origin, nonce) differ from the message bytes` };
    }
    if (decoded.destinationDomain !== item.domain) {
      return { code: "message-mismatch", detail: `${m.messageId} is for domain ${decoded.destinationDomain}` };
    }
  }
  return undefined;
}

type ChainVerdict = Fault | undefined;

export class AttestationsKind implements WorkKind<AttestationItem> {
  readonly name = ATTESTATIONS_KIND;
  readonly itemSchema = attestationItemSchema;
  /** Relayers' reports of byzantine signature claims (POST /koii/evidence), judged in `audit`. */
  readonly evidence: EvidenceIntake;
  readonly #store: KoiiStore;
  /** Per origin domain, what audits read: the chain's adapter, or its provider quorum when it has `rpcs`. */
  readonly #chains: ReadonlyMap<number, AuditReader>;
  /** First block to search per origin domain (messages are never before the gateway's deployment). */
  readonly #startBlocks: ReadonlyMap<number, bigint>;
  readonly #log: Logger;

  constructor(args: {
    store: KoiiStore;
    chains: Chains;
    /** Origins read through several providers (runtime.ts connectOriginQuorums): audits read them the same way. */
    origins?: ReadonlyMap<number, AuditReader>;
    startBlocks: ReadonlyMap<number, bigint>;
    log: Logger;
  }) {
    this.#store = args.store;
    this.evidence = attestationEvidence(args.store);
    this.#chains = new Map<number, AuditReader>([...args.chains, ...(args.origins ?? new Map())]);
    this.#startBlocks = args.startBlocks;
    this.#log = args.log;
  }

  encodeItem(item: AttestationItem): Uint8Array {
    return encodeAttestationItem(item);
  }

  checkItem(item: AttestationItem, subject: AuditSubject): Fault | undefined {
    return checkAttestationItem(item, subject);
  }

  async collect(w: RoundWindows): Promise<AttestationItem[]> {
    const own = await this.#store.ownAttestations(w.workStart, w.workEnd);
    return own.map((a) => ({
      kind: a.kind,
      value: a.value.toLowerCase(),
      domain: a.domain,
      verifier: a.verifier.toLowerCase(),
      attesterSetId: a.attesterSetId.toString(),
      signer: getAddress(a.signer),
      signature: a.signature.toLowerCase(),
      messages: a.messages.map((m) => ({
        messageId: m.messageId.toLowerCase(),
        origin: m.origin,
        nonce: m.nonce.toString(),
        originTx: m.txHash.toLowerCase(),
        originBlock: m.blockNumber.toString(),
        message: m.message.toLowerCase(),
      })),
    }));
  }

  /** Is `ref` a final MessageSent on its origin, at the transaction and block the submission names? */
  async #checkOnChain(ref: MessageRef): Promise<ChainVerdict | "unauditable"> {
    const adapter = this.#chains.get(ref.origin);
    if (adapter === undefined) return "unauditable";
    const block = BigInt(ref.originBlock);
    if (block > (await adapter.latestBlock())) {
      return { code: "not-on-chain", detail: `${ref.messageId}: origin block ${block} is past the origin's head` };
    }
    const sent = await adapter.findSent(ref.messageId as Hex, block);
    if (sent === undefined || sent.blockNumber !== block) {
      return { code: "not-on-chain", detail: `${ref.messageId}: no MessageSent at block ${block} of ${ref.origin}` };
    }
    if (sent.txHash.toLowerCase() !== ref.originTx) {
      return { code: "wrong-origin-tx", detail: `${ref.messageId} was sent in ${sent.txHash}, not ${ref.originTx}` };
    }
    if (sent.nonce !== BigInt(ref.nonce) || sent.message.toLowerCase() !== ref.message) {
      return { code: "not-on-chain", detail: `${ref.messageId}: the chain's message differs` };
    }
    const final = await adapter.finalizedBlock();
    if (sent.blockNumber > final) {
      return { code: "not-final", detail: `${ref.messageId} at block ${sent.blockNumber}, final head ${final}` };
    }
    return undefined;
  }

  /** Finds `id` on any served origin from its start block; undefined when none shows it there. */
  async findAnywhere(id: Hex): Promise<{ origin: number; final: boolean } | undefined> {
    for (const adapter of this.#chains.values()) {
      const sent = await adapter.findSent(id, this.#startBlocks.get(adapter.domain) ?? 0n);
      if (sent !== undefined)
        return { origin: adapter.domain, final: sent.blockNumber <= (await adapter.finalizedBlock()) };
    }
    return undefined;
  }

  /**
   * Judges one id a reported signature covers, only as far as this node can check it (the submission path's rule):
   * a fault, nothing wrong, or "unauditable". "No origin shows it" needs the message's origin and nonce (from its
   * bytes, when the evidence carries them): on an origin this node does not serve, or whose nonce was used before
   * this node's start block, it cannot tell a forgery from an honest signature, so it says "unauditable", never
   * "unbacked-attestation" (anyone can post an honest node's real signature as evidence).
   */
  async #judgeCovered(id: Hex, bytes: Hex | undefined): Promise<ChainVerdict | "unauditable"> {
    const found = await this.findAnywhere(id);
    if (found !== undefined) {
      return found.final ? undefined : { code: "not-final", detail: `covering ${id} before it was final` };
    }
    if (bytes === undefined) return "unauditable";
    let decoded: ReturnType<typeof decodeMessage>;
    try {
      decoded = decodeMessage(bytes);
    } catch {
      return "unauditable";
    }
    const adapter = this.#chains.get(decoded.originDomain);
    if (adapter?.sentAtNonce === undefined) return "unauditable";
    const at = await adapter.sentAtNonce(decoded.nonce, this.#startBlocks.get(adapter.domain) ?? 0n);
    if (at === "before") return "unauditable";
    if (at === "unassigned") {
      return {
        code: "unbacked-attestation",
        detail: `covering ${id}: nonce ${decoded.nonce} of ${decoded.originDomain} was never used`,
      };
    }
    // The nonce holds another message (findAnywhere would have found this one from the same start block).
    return {
      code: "unbacked-attestation",
      detail: `covering ${id}: nonce ${decoded.nonce} of ${decoded.originDomain} holds ${at.messageId}`,
    };
  }

  async audit(items: readonly AttestationItem[], subject: AuditSubject, round: number): Promise<AuditOutcome> {
    const faults: Fault[] = [];
    const equivocations: EquivocationProof[] = [];
    const attester = getAddress(subject.binding.attester);
    const checked = new Map<string, ChainVerdict | "unauditable">();
    /** (origin, nonce) -> first (item, index) seen for it in this submission. */
    const pairs = new Map<string, { item: AttestationItem; index: number }>();
    for (const item of items) {
      const fault = checkAttestationItem(item, subject);
      if (fault !== undefined) {
        faults.push(fault);
        continue;
      }
      for (const [index, ref] of item.messages.entries()) {
        let verdict = checked.get(ref.messageId);
        if (!checked.has(ref.messageId)) {
          verdict = await this.#checkOnChain(ref);
          checked.set(ref.messageId, verdict);
          if (verdict === "unauditable") this.#log.debug({ origin: ref.origin }, "origin not served; not audited");
          else if (verdict !== undefined) faults.push(verdict);
        }
        const key = `${ref.origin}:${ref.nonce}`;
        const first = pairs.get(key);
        if (first === undefined) pairs.set(key, { item, index });
        else if (first.item.messages[first.index]?.messageId !== ref.messageId) {
          equivocations.push(this.#proof(attester, first, { item, index }));
        }
        // Across rounds: a pair this attester signed for another id in an earlier audited submission.
        const others = await this.#store.recordAttested({
          attester,
          origin: ref.origin,
          nonce: BigInt(ref.nonce),
          messageId: ref.messageId as Hex,
          round,
          item,
        });
        const other = others[0];
        // (Skipped when this submission already conflicts with itself on the pair: reported above.)
        const selfConsistent = first === undefined || first.item.messages[first.index]?.messageId === ref.messageId;
        if (other !== undefined && selfConsistent) {
          const parsed = attestationItemSchema.safeParse(other.item);
          const otherIndex = parsed.success
            ? parsed.data.messages.findIndex((m) => m.messageId === other.messageId)
            : -1;
          if (parsed.success && otherIndex >= 0) {
            equivocations.push(this.#proof(attester, { item: parsed.data, index: otherIndex }, { item, index }));
          }
        }
      }
    }
    faults.push(...(await this.#auditEvidence(attester, checked, round)));
    for (const e of equivocations) {
      const pair = e.proof as EvidencePair;
      faults.push({
        code: "equivocation",
        detail: `${attester} signed ${idOf(pair.a.message)} and ${idOf(pair.b.message)} for one (origin, nonce)`,
      });
    }
    return { faults, equivocations };
  }

  /**
   * Signatures by `attester` that relayers caught being served and reported (POST /koii/evidence): each covered id
   * must be a final message on some origin. Batch claims whose ids do not hash to their root are not judged (what
   * the root covers is unknown).
   */
  async #auditEvidence(
    attester: Address,
    checked: ReadonlyMap<string, ChainVerdict | "unauditable">,
    round: number,
  ): Promise<Fault[]> {
    const faults: Fault[] = [];
    for (const e of await this.#store.evidenceAgainst(attester, round)) {
      // One item failing (an RPC error, a body that trips a decoder) is logged and skipped: never the whole vote.
      try {
        faults.push(...(await this.#judgeEvidence(attester, checked, e.body, e.source)));
      } catch (error) {
        this.#log.warn(
          { evidenceId: e.evidenceId, attester, error: describeError(error) },
          "evidence item could not be judged; skipped",
        );
      }
    }
    return faults;
  }

  async #judgeEvidence(
    attester: Address,
    checked: ReadonlyMap<string, ChainVerdict | "unauditable">,
    raw: unknown,
    source: string,
  ): Promise<Fault[]> {
    const body = evidenceRequestSchema.safeParse(raw);
    if (!body.success) return [];
    const { claim } = body.data;
    const recovered = recoverClaim(claim);
    if ("error" in recovered || recovered.signer !== attester) return [];
    const ids = (claim.kind === "message" ? [claim.value] : claim.messageIds).map((id) => id.toLowerCase() as Hex);
    if (claim.kind === "batch" && batchRoot(ids) !== claim.value.toLowerCase()) return [];
    const bytesOf = new Map<string, Hex>();
    for (const m of body.data.messages ?? []) bytesOf.set(idOf(m as Hex).toLowerCase(), m.toLowerCase() as Hex);
    const faults: Fault[] = [];
    for (const id of ids) {
      if (checked.has(id) && checked.get(id) === undefined) continue;
      const verdict = await this.#judgeCovered(id, bytesOf.get(id));
      if (verdict === "unauditable") {
        this.#log.debug({ attester, id, source }, "reported signature covers a message this node cannot check");
      } else if (verdict !== undefined) {
        faults.push({
          code: verdict.code,
          detail: `${attester} signed ${claim.kind} ${claim.value} ${verdict.detail} (${source})`,
        });
      }
    }
    return faults;
  }

  #proof(
    attester: Address,
    a: { item: AttestationItem; index: number },
    b: { item: AttestationItem; index: number },
  ): EquivocationProof {
    const pair: EvidencePair = { attester, a: evidenceOf(a.item, a.index), b: evidenceOf(b.item, b.index) };
    return { attester, proof: pair };
  }
}
