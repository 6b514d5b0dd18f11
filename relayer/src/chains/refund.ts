// Refunds (docs/protocol.md §8.1) as the attester node and the relayer read and submit them, whatever the chain's
// family: the destination's refund records, the origin's TransferSent of a send, which message id consumed
// (origin, nonce) on a destination, whether an origin refunded a nonce, and the origin's refund itself. EVM is
// chains/evm-refund.ts (a TokenBridge), Solana/SVM chains/solana-refund.ts (the maskoii program). A chain adapter hands
// one out with `ChainAdapter.refunds(bridge)`.
import type { Hex } from "viem";

/** Refund reasons (TransferRefundable.reason). */
export const REFUND_REASONS: Readonly<Record<number, string>> = {
  1: "cancelled",
  2: "invalid recipient",
  3: "amount overflow",
};

/** A destination refund record (EVM TokenBridge.refundRecord, Solana RefundRecord account). `token` is the destination's. */
export type RefundRecordView = {
  readonly messageId: Hex;
  readonly origin: number;
  readonly nonce: bigint;
  /** The destination's token (EVM address, Solana mint in base58). */
  readonly token: string;
  readonly wireAmount: bigint;
  readonly reason: number;
};

/** The origin bridge's TransferSent of one message; `token` and `from` as the refund receipt's 32-byte words. */
export type TransferSentView = {
  readonly messageId: Hex;
  /** The origin's token (ERC-20 address left-padded, or SPL mint). */
  readonly token: Hex;
  readonly destination: number;
  /** The sender to refund (EVM `from` left-padded, Solana the owner wallet that signed). */
  readonly from: Hex;
  readonly recipient: Hex;
  readonly amount: bigint;
  readonly wireAmount: bigint;
};

export type RefundOutcome =
  | { readonly kind: "refunded"; readonly txHash: Hex; readonly gasUsed: bigint }
  /** The origin says the nonce is refunded already (AlreadyRefunded): someone refunded it first. */
  | { readonly kind: "already-refunded" }
  /** The origin is paused (EVM EnforcedPause, Solana Paused): try again later. */
  | { readonly kind: "paused" }
  /** The refund failed for another reason (simulation or transaction); `txHash` when one was recorded. */
  | { readonly kind: "reverted"; readonly reason: string; readonly txHash?: Hex };

/** One chain's refund reads and its refund submission (the paying account's, when the adapter has one). */
export interface RefundChain {
  readonly domain: number;
  /**
   * The bridge as a 32-byte word: the `sender` of the transfers it sends and the `verifier` of the TransferRefund
   * attestations it consumes (EVM: the TokenBridge left-padded; Solana: the program id).
   */
  readonly verifier: Hex;
  /**
   * The refund records final at `head` that a scan from block `from` has not seen: EVM reads TransferRefundable logs
   * of one range [from, min(from + maxRange − 1, head)]; Solana lists the record accounts at the node's commitment
   * (all of them: accounts carry no slot). `to` is where the scan stands after this call (≤ head).
   */
  scanRefundable(from: bigint, head: bigint, maxRange: bigint): Promise<{ records: RefundRecordView[]; to: bigint }>;
  /** The refund record of `messageId` final at `block` (EVM: read at that block; Solana: at the node's commitment). */
  recordAt(messageId: Hex, block: bigint): Promise<RefundRecordView | undefined>;
  /** The bridge's TransferSent of `messageId` in the send transaction `txHash`, if any. */
  transferSentIn(txHash: Hex, messageId: Hex): Promise<TransferSentView | undefined>;
  /** The message ids this chain delivered for (origin, nonce), final, in [fromBlock, toBlock]. */
  deliveredIds(origin: number, nonce: bigint, fromBlock: bigint, toBlock: bigint): Promise<Hex[]>;
  /** Whether this origin already refunded its outbound `nonce`. */
  isRefunded(nonce: bigint): Promise<boolean>;
  /** Submits the refund (`receipt`, `attestation` for the current set); checks first what can be checked. */
  submit(receipt: Hex, attestation: Hex): Promise<RefundOutcome>;
}
