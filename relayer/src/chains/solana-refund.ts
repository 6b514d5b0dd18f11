// Refunds (docs/protocol.md §8.1) on the maskoii Solana program, as the attester node and the relayer read and submit
// them. As a destination: its refund records (RefundRecord accounts, listed and read at the node's commitment) and the
// receipt that names which message consumed (origin, nonce). As an origin: the TransferSent event of a send
// transaction, the RefundedNonce marker, and the refund itself: `post_signatures` (kind 3, refund) in chunks, then
// `token_refund` into the associated token account of the receipt's `refundTo` (created idempotently in the same
// transaction), sent through the chain adapter's sender (fees, bumping and confirmation shared with deliveries).
import { decodeAttestation, decodeRefundReceipt, type IndexedSignature, refundReceiptHash } from "@maskoii/sdk";
import { type MaskoiiSolanaClient, PACKET_DATA_SIZE, pubkeyToBytes32, transactionSize } from "@maskoii/sdk/solana";
import type { Connection, PublicKey, TransactionInstruction } from "@solana/web3.js";
import { type Hex, hexToBytes } from "viem";
import { SolanaProgramFailedError } from "../errors.ts";
import type { RefundChain, RefundOutcome, RefundRecordView, TransferSentView } from "./refund.ts";

/** Signatures per `post_signatures`: 30k + 6 × 25k CU (recoveries) stays within one instruction's default 200k. */
const SIGNATURES_PER_POST = 6;
/** Signatures posted in the same transaction as `token_refund` (and the account creation). */
const SIGNATURES_WITH_REFUND = 4;

type Read = <T>(call: string, fn: () => Promise<T>) => Promise<T>;
type Close = (account: PublicKey) => Promise<void>;
type Send = (ixs: readonly TransactionInstruction[], what: string) => Promise<{ signature: string; fee: bigint }>;

export class SolanaRefunds implements RefundChain {
  readonly domain: number;
  readonly verifier: Hex;
  /** Reads at the node's commitment (records, receipts, send transactions): what an attester may sign on. */
  readonly #final: MaskoiiSolanaClient;
  readonly #finalConnection: Connection;
  /** Reads at `confirmed` (whether a nonce is refunded, the config before a refund). */
  readonly #fresh: MaskoiiSolanaClient;
  readonly #read: Read;
  readonly #send: Send | undefined;
  readonly #closeVerification: Close | undefined;
  readonly #payer: PublicKey | undefined;
  readonly #toHex: (signature: string) => Hex;
  readonly #toSignature: (txHash: Hex) => string;

  constructor(args: {
    domain: number;
    final: MaskoiiSolanaClient;
    fresh: MaskoiiSolanaClient;
    read: Read;
    send: Send | undefined;
    /** Closes one of the payer's verification accounts (rent back to it). */
    closeVerification: Close | undefined;
    payer: PublicKey | undefined;
    signatureToHex: (signature: string) => Hex;
    hexToSignature: (txHash: Hex) => string;
  }) {
    this.domain = args.domain;
    this.#final = args.final;
    this.#finalConnection = args.final.connection;
    this.#fresh = args.fresh;
    this.verifier = args.fresh.verifier.toLowerCase() as Hex;
    this.#read = args.read;
    this.#send = args.send;
    this.#closeVerification = args.closeVerification;
    this.#payer = args.payer;
    this.#toHex = args.signatureToHex;
    this.#toSignature = args.hexToSignature;
  }

  /**
   * Every refund record at the node's commitment (accounts carry no slot, so a scan cannot be cut into slot ranges:
   * one `getProgramAccounts` per scan, O(records); callers keep what they have seen). The scan stands at `head`.
   */
  async scanRefundable(_from: bigint, head: bigint): Promise<{ records: RefundRecordView[]; to: bigint }> {
    const all = await this.#read("getProgramAccounts(refund_record)", () => this.#final.fetchRefundRecords());
    const records = all
      .map((r) => ({
        messageId: r.messageId.toLowerCase() as Hex,
        origin: r.origin,
        nonce: r.nonce,
        token: r.mint.toBase58(),
        wireAmount: r.wireAmount,
        reason: r.reason,
      }))
      .sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
    return { records, to: head };
  }

  /** The record of `messageId` at the node's commitment (`_block` is the final slot the caller read; not used). */
  async recordAt(messageId: Hex, _block: bigint): Promise<RefundRecordView | undefined> {
    const r = await this.#read("getAccountInfo(refund_record)", () => this.#final.fetchRefundRecord(messageId));
    if (r === null) return undefined;
    return {
      messageId: r.messageId.toLowerCase() as Hex,
      origin: r.origin,
      nonce: r.nonce,
      token: r.mint.toBase58(),
      wireAmount: r.wireAmount,
      reason: r.reason,
    };
  }

  /**
   * The program's TransferSent of `messageId` in the send transaction `txHash` (its signature), read at the node's
   * commitment; undefined when the transaction is not found there, failed, or holds no such event.
   */
  async transferSentIn(txHash: Hex, messageId: Hex): Promise<TransferSentView | undefined> {
    const signature = this.#toSignature(txHash);
    const tx = await this.#read("getTransaction", () =>
      this.#finalConnection.getTransaction(signature, {
        commitment: this.#finalConnection.commitment === "finalized" ? "finalized" : "confirmed",
        maxSupportedTransactionVersion: 0,
      }),
    );
    if (tx?.meta === null || tx?.meta === undefined || tx.meta.err !== null) return undefined;
    const id = messageId.toLowerCase();
    const sent = this.#final
      .eventsNamed(tx.meta.logMessages ?? [], "transferSent")
      .find((e) => pubkeyHex(e.messageId) === id);
    if (sent === undefined) return undefined;
    return {
      messageId: id as Hex,
      token: pubkeyToBytes32(sent.mint).toLowerCase() as Hex,
      destination: sent.destination,
      from: pubkeyToBytes32(sent.from).toLowerCase() as Hex,
      recipient: pubkeyHex(sent.recipient),
      amount: BigInt(sent.amount.toString()),
      wireAmount: BigInt(sent.wireAmount.toString()),
    };
  }

  /** The id the receipt of (origin, nonce) names, at the node's commitment (a receipt exists only once delivered). */
  async deliveredIds(origin: number, nonce: bigint): Promise<Hex[]> {
    const receipt = await this.#read("getAccountInfo(receipt)", () => this.#final.fetchReceipt(origin, nonce));
    return receipt === null ? [] : [receipt.messageId.toLowerCase() as Hex];
  }

  isRefunded(nonce: bigint): Promise<boolean> {
    return this.#read("getAccountInfo(refunded)", () => this.#fresh.isRefunded(nonce));
  }

  /**
   * Refunds on this origin: refused before anything is sent when the nonce is refunded (`already-refunded`) or the
   * program is paused (`paused`); else posts the signatures (kind 3) in as few transactions as fit, then
   * `token_refund` with the idempotent creation of the refund account. A verification account left by an earlier
   * attempt of ours is reused for what it holds. Program errors come back by name (AlreadyRefunded, Paused: as above).
   */
  async submit(receipt: Hex, attestation: Hex): Promise<RefundOutcome> {
    const send = this.#send;
    const payer = this.#payer;
    if (send === undefined || payer === undefined) {
      return { kind: "reverted", reason: "read-only adapter: no paying account" };
    }
    const r = decodeRefundReceipt(receipt);
    if (await this.isRefunded(r.nonce)) return { kind: "already-refunded" };
    if ((await this.#read("getAccountInfo(config)", () => this.#fresh.fetchConfig())).paused) return { kind: "paused" };
    const { attesterSetId, signatures } = decodeAttestation(attestation);
    const hash = refundReceiptHash(receipt);
    const existing = await this.#read("getAccountInfo(verification)", () =>
      this.#fresh.fetchVerification(payer, "refund", attesterSetId, hash),
    );
    // A verification of an earlier attempt of ours is reused when it holds every signature below its next index that
    // this attestation has (the rest are posted after it); otherwise it is closed (rent back) and posted afresh.
    let pending = signatures;
    if (existing !== null) {
      const bitmap = hexToBytes(existing.signers);
      const held = (i: number) => ((bitmap[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
      const below = signatures.filter((s) => s.index < existing.nextIndex);
      if (below.every((s) => held(s.index)) && this.#closeVerification !== undefined) {
        pending = signatures.filter((s) => s.index >= existing.nextIndex);
      } else {
        await this.#closeVerification?.(this.#fresh.pda.verification(payer, "refund", attesterSetId, hash));
      }
    }
    const { refundAccount, create } = this.#fresh.refundAccountOf(receipt, payer);
    const refundIx = await this.#read("tokenRefundIx", () =>
      this.#fresh.tokenRefundIx({ payer, verificationPayer: payer, attesterSetId, receipt, refundAccount }),
    );
    const post = (sigs: readonly IndexedSignature[]) =>
      this.#fresh.postSignaturesIx({ payer, kind: "refund", attesterSetId, value: hash, signatures: sigs });
    const fits = (ixs: readonly TransactionInstruction[]) => transactionSize(ixs, payer) <= PACKET_DATA_SIZE;
    try {
      let rest = pending;
      while (rest.length > 0) {
        const withRefund = [await post(rest), create, refundIx];
        if (rest.length <= SIGNATURES_WITH_REFUND && fits(withRefund)) {
          const { signature, fee } = await send(withRefund, "token_refund");
          return { kind: "refunded", txHash: this.#toHex(signature), gasUsed: fee };
        }
        let k = Math.min(rest.length, SIGNATURES_PER_POST);
        while (k > 1 && !fits([await post(rest.slice(0, k))])) k--;
        await send([await post(rest.slice(0, k))], "post_signatures");
        rest = rest.slice(k);
      }
      const { signature, fee } = await send([create, refundIx], "token_refund");
      return { kind: "refunded", txHash: this.#toHex(signature), gasUsed: fee };
    } catch (error) {
      if (error instanceof SolanaProgramFailedError) {
        if (error.errorName === "AlreadyRefunded") return { kind: "already-refunded" };
        if (error.errorName === "Paused") return { kind: "paused" };
        return { kind: "reverted", reason: error.errorName };
      }
      throw error;
    }
  }
}

/** A 32-byte field of an event (number[] or Uint8Array) as lower-case hex. */
function pubkeyHex(value: ArrayLike<number>): Hex {
  return `0x${Buffer.from(Uint8Array.from(value)).toString("hex")}` as Hex;
}
