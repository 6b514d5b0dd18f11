// What the attester node and the relayer need from a chain, whatever its family. EVM is chains/evm.ts, Solana/Koii
// (SVM) is chains/solana.ts. "Blocks" are the family's own height: EVM block numbers, Solana slots.
import type { Address, Hex } from "viem";

/** IGateway.MessageStatus. */
export type MessageStatus = "none" | "delivered" | "failed";

/** A MessageSent event of the origin gateway. */
export type SentMessage = {
  readonly messageId: Hex;
  readonly origin: number;
  readonly destination: number;
  readonly nonce: bigint;
  readonly message: Hex;
  readonly blockNumber: bigint;
  readonly txHash: Hex;
};

/** An attester set as the destination gateway holds it. */
export type AttesterSetView = {
  readonly setId: bigint;
  readonly attesters: readonly Address[];
  readonly weights: readonly bigint[];
  readonly thresholdBps: number;
  readonly totalWeight: bigint;
  /** Unix seconds; 0 while the set is current. */
  readonly expiresAt: number;
};

/** A delivery transaction's outcome, per message. */
export type DeliveryResult = {
  readonly txHash: Hex;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  readonly delivered: readonly Hex[];
  readonly failed: readonly Hex[];
  readonly skipped: readonly Hex[];
  /** Times the transaction was replaced with higher fees before it was mined (0 when not applicable). */
  readonly feeBumps?: number;
};

/**
 * A token transfer the destination's token bridge queued on delivery because its inbound rate-limit bucket held less
 * than the amount (EVM TokenBridge `TransferQueued`, Solana `QueuedTransfer` account). Amounts in the bridge's
 * shared (wire) units unless named local.
 */
export type QueuedTransferView = {
  /** EVM: the queue id (decimal); Solana: the queue entry account (base58). */
  readonly queueId: string;
  /** The contract / program holding the queue (where the release is called). */
  readonly bridge: string;
  readonly token: string;
  readonly recipient: string;
  readonly origin: number;
  readonly wireAmount: bigint;
  /** The amount in the local token's units, when the chain reports it. */
  readonly amount?: bigint;
  /** The delivery transaction that queued it. */
  readonly deliveryTx: string;
  /** False while queued; true once released (the entry is gone). */
  readonly released: boolean;
  /** The inbound bucket now: what it holds, its capacity and refill rate (wire units, per second). */
  readonly bucket: RateBucketView;
  /** Chain time (unix seconds) the bucket was read at. */
  readonly now: number;
  /** Unix seconds from which the bucket holds the amount (now or earlier: releasable now); null = never at this capacity. */
  readonly releasableAt: number | null;
  /** Who may release it and how. */
  readonly release: string;
};

/** A token bucket as stored (RateLimit.sol / the program's Bucket) and what it holds now. */
export type RateBucketView = {
  readonly level: bigint;
  readonly capacity: bigint;
  readonly refillPerSecond: bigint;
  readonly lastUpdated: number;
  readonly available: bigint;
};

export type FeeEstimate = { readonly gas: bigint; readonly pricePerGas: bigint; readonly cost: bigint };

export interface ChainAdapter {
  readonly domain: number;
  /** The gateway as the 32-byte `verifier` of attestations consumed here. */
  readonly verifier: Hex;
  /** Most messages one `deliverBatch` may carry; 1 = no batch delivery (Solana). Absent = no limit of its own. */
  readonly maxBatchSize?: number;
  /**
   * True when several deliveries may be sent at once (distinct transactions that do not wait for each other: the
   * EVM sender's nonce manager). Absent = one at a time.
   */
  readonly concurrentDeliveries?: boolean;

  /** The newest block that is final under this chain's finality rule (confirmation depth or `finalized` tag). */
  finalizedBlock(): Promise<bigint>;
  /** MessageSent events of this chain's gateway in [fromBlock, toBlock]. */
  fetchSent(fromBlock: bigint, toBlock: bigint): Promise<SentMessage[]>;
  /** The MessageSent with this id at or after `fromBlock`, final or not (for diagnostics). */
  findSent(messageId: Hex, fromBlock: bigint): Promise<SentMessage | undefined>;
  /** The newest block, final or not. */
  latestBlock(): Promise<bigint>;
  /**
   * What this origin's outbound nonce `nonce` is, seen from `fromBlock` on: "unassigned" (no send has used it yet),
   * the MessageSent that used it, or "before" (used by a send before `fromBlock`: not visible from there). Lets an
   * auditor tell a message no origin ever showed from one it cannot see. Optional: absent = cannot tell.
   */
  sentAtNonce?(nonce: bigint, fromBlock: bigint): Promise<SentMessage | "unassigned" | "before">;

  getMessageStatus(message: Hex): Promise<MessageStatus>;
  /**
   * Whether (origin, nonce) is delivered here. `messageId` lets a destination whose replay guard is keyed by id
   * (Solana's receipt PDA) answer with one account read; callers that know it pass it.
   */
  isDelivered(origin: number, nonce: bigint, messageId?: Hex): Promise<boolean>;
  /**
   * isDelivered of many (origin, nonce[, messageId]) in one round trip, in order; optional (callers fall back to
   * isDelivered).
   */
  isDeliveredMany?(items: readonly { origin: number; nonce: bigint; messageId?: Hex }[]): Promise<boolean[]>;
  isPaused(): Promise<boolean>;
  /**
   * The token transfer a delivery of `message` queued on this chain's token bridge (rate limit), or undefined when
   * it queued none (not delivered, not a token transfer, credited at once). `fromBlock` bounds the search for the
   * delivery. Optional: doctor skips the check on chains without it.
   */
  queuedTransfer?(message: Hex, fromBlock: bigint): Promise<QueuedTransferView | undefined>;
  currentSetId(): Promise<bigint>;
  getAttesterSet(setId: bigint): Promise<AttesterSetView>;

  estimateDeliver(message: Hex, attestation: Hex): Promise<FeeEstimate>;
  deliver(message: Hex, attestation: Hex): Promise<DeliveryResult>;
  estimateDeliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<FeeEstimate>;
  deliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<DeliveryResult>;
}

/** The adapters of every configured chain, by domain. */
export type Chains = ReadonlyMap<number, ChainAdapter>;
