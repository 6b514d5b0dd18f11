// Refunds (docs/protocol.md §8.1) on an EVM TokenBridge, as the attester node and the relayer read and submit them:
// the destination's refund records (TransferRefundable logs, `refundRecord(messageId)` at a given block), the origin's
// TransferSent of a transaction, which message id consumed (origin, nonce) on a gateway (MessageDelivered), whether a
// nonce was refunded, and `refund(receipt, attestation)` itself (simulated first, then sent through the chain's
// EvmSender so fees, bumping and nonces are shared with deliveries).
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  type Hex,
  isAddressEqual,
  type PublicClient,
  parseEventLogs,
  zeroAddress,
} from "viem";
import type { EvmSender } from "./evm-sender.ts";

type Read = <T>(call: string, fn: () => Promise<T>) => Promise<T>;

/** Gas added on top of eth_estimateGas, in percent (as for deliveries). */
const GAS_MARGIN_PERCENT = 25n;

/** Refund reasons (TransferRefundable.reason). */
export const REFUND_REASONS: Readonly<Record<number, string>> = {
  1: "cancelled",
  2: "invalid recipient",
  3: "amount overflow",
};

/** A destination refund record (TokenBridge.refundRecord / TransferRefundable). `token` is the destination's. */
export type RefundRecordView = {
  readonly messageId: Hex;
  readonly origin: number;
  readonly nonce: bigint;
  readonly token: Address;
  readonly wireAmount: bigint;
  readonly reason: number;
};

/** A TransferRefundable log. */
export type RefundableEvent = RefundRecordView & { readonly blockNumber: bigint; readonly txHash: Hex };

/** The origin TokenBridge's TransferSent of one message. */
export type TransferSentView = {
  readonly messageId: Hex;
  readonly token: Address;
  readonly destination: number;
  readonly from: Address;
  readonly recipient: Hex;
  readonly amount: bigint;
  readonly wireAmount: bigint;
};

export type RefundOutcome =
  | { readonly kind: "refunded"; readonly txHash: Hex; readonly gasUsed: bigint }
  /** The simulation said AlreadyRefunded(nonce): someone refunded it first. */
  | { readonly kind: "already-refunded" }
  /** The simulation said EnforcedPause: the origin is paused (try again later). */
  | { readonly kind: "paused" }
  /** The simulation (or the mined transaction) reverted for another reason; `txHash` when one was mined. */
  | { readonly kind: "reverted"; readonly reason: string; readonly txHash?: Hex };

/** The revert of a simulated call, by error name and arguments; undefined when the failure is not a revert. */
export function revertOf(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  const name = revert.data?.errorName ?? revert.reason;
  if (name === undefined) return "reverted without a reason";
  const args = revert.data?.args?.map((a) => String(a)).join(", ");
  return args === undefined || args === "" ? name : `${name}(${args})`;
}

export class EvmRefunds {
  readonly domain: number;
  readonly bridge: Address;
  readonly gateway: Address;
  readonly #client: PublicClient;
  readonly #read: Read;
  readonly #sender: EvmSender | undefined;
  readonly #onRpcError: (call: string) => void;

  constructor(args: {
    domain: number;
    bridge: Address;
    gateway: Address;
    client: PublicClient;
    read: Read;
    sender: EvmSender | undefined;
    onRpcError: (call: string) => void;
  }) {
    this.domain = args.domain;
    this.bridge = args.bridge;
    this.gateway = args.gateway;
    this.#client = args.client;
    this.#read = args.read;
    this.#sender = args.sender;
    this.#onRpcError = args.onRpcError;
  }

  /** TransferRefundable logs of this bridge in [fromBlock, toBlock]. */
  async fetchRefundable(fromBlock: bigint, toBlock: bigint): Promise<RefundableEvent[]> {
    const logs = await this.#read("getLogs(TransferRefundable)", () =>
      this.#client.getContractEvents({
        address: this.bridge,
        abi: tokenBridgeAbi,
        eventName: "TransferRefundable",
        fromBlock,
        toBlock,
        strict: true,
      }),
    );
    return logs.map((l) => ({
      messageId: l.args.messageId.toLowerCase() as Hex,
      origin: l.args.origin,
      nonce: l.args.nonce,
      token: l.args.token,
      wireAmount: l.args.wireAmount,
      reason: l.args.reason,
      blockNumber: l.blockNumber,
      txHash: l.transactionHash,
    }));
  }

  /** `refundRecord(messageId)` as of `blockNumber` (a final block), or undefined when there is none. */
  async recordAt(messageId: Hex, blockNumber: bigint): Promise<RefundRecordView | undefined> {
    const [token, origin, wireAmount, nonce, reason] = await this.#read("refundRecord", () =>
      this.#client.readContract({
        address: this.bridge,
        abi: tokenBridgeAbi,
        functionName: "refundRecord",
        args: [messageId],
        blockNumber,
      }),
    );
    if (isAddressEqual(token, zeroAddress)) return undefined;
    return { messageId: messageId.toLowerCase() as Hex, origin, nonce, token, wireAmount, reason };
  }

  /** The TransferSent of `messageId` emitted by this bridge in transaction `txHash`, if any. */
  async transferSentIn(txHash: Hex, messageId: Hex): Promise<TransferSentView | undefined> {
    const receipt = await this.#read("getTransactionReceipt", () =>
      this.#client.getTransactionReceipt({ hash: txHash }),
    );
    const logs = parseEventLogs({
      abi: tokenBridgeAbi,
      eventName: "TransferSent",
      logs: receipt.logs.filter((l) => isAddressEqual(l.address, this.bridge)),
      strict: true,
    });
    const log = logs.find((l) => l.args.messageId.toLowerCase() === messageId.toLowerCase());
    if (log === undefined) return undefined;
    return {
      messageId: log.args.messageId.toLowerCase() as Hex,
      token: log.args.token,
      destination: log.args.destination,
      from: log.args.from,
      recipient: log.args.recipient,
      amount: log.args.amount,
      wireAmount: log.args.wireAmount,
    };
  }

  /** The message ids this chain's gateway delivered for (origin, nonce) in [fromBlock, toBlock] (MessageDelivered). */
  async deliveredIds(origin: number, nonce: bigint, fromBlock: bigint, toBlock: bigint): Promise<Hex[]> {
    const logs = await this.#read("getLogs(MessageDelivered)", () =>
      this.#client.getContractEvents({
        address: this.gateway,
        abi: gatewayAbi,
        eventName: "MessageDelivered",
        args: { origin, nonce },
        fromBlock,
        toBlock,
        strict: true,
      }),
    );
    return logs.map((l) => l.args.messageId.toLowerCase() as Hex);
  }

  /** Whether this bridge already refunded its outbound `nonce`. */
  isRefunded(nonce: bigint): Promise<boolean> {
    return this.#read("refunded", () =>
      this.#client.readContract({ address: this.bridge, abi: tokenBridgeAbi, functionName: "refunded", args: [nonce] }),
    );
  }

  /** Simulates `refund(receipt, attestation)` from the paying account and, when it passes, sends it. */
  async submit(receipt: Hex, attestation: Hex): Promise<RefundOutcome> {
    const sender = this.#sender;
    if (sender === undefined) return { kind: "reverted", reason: "read-only adapter: no paying account" };
    const call = {
      address: this.bridge,
      abi: tokenBridgeAbi,
      functionName: "refund",
      args: [receipt, attestation],
    } as const;
    let gas: bigint;
    try {
      await this.#client.simulateContract({ ...call, account: sender.address });
      gas = await this.#client.estimateContractGas({ ...call, account: sender.address });
    } catch (error) {
      const reason = revertOf(error);
      if (reason === undefined) {
        this.#onRpcError("simulate(refund)");
        throw error;
      }
      if (reason.startsWith("AlreadyRefunded")) return { kind: "already-refunded" };
      if (reason.startsWith("EnforcedPause")) return { kind: "paused" };
      return { kind: "reverted", reason };
    }
    const data = encodeFunctionData({ abi: tokenBridgeAbi, functionName: "refund", args: [receipt, attestation] });
    const { receipt: mined } = await sender.send({
      to: this.bridge,
      data,
      gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n,
    });
    if (mined.status !== "success") {
      return { kind: "reverted", reason: "the refund transaction reverted", txHash: mined.transactionHash };
    }
    return { kind: "refunded", txHash: mined.transactionHash, gasUsed: mined.gasUsed };
  }
}
