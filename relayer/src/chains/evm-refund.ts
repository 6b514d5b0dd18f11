// Refunds (docs/protocol.md §8.1) on an EVM TokenBridge, as the attester node and the relayer read and submit them:
// the destination's refund records (TransferRefundable logs, `refundRecord(messageId)` at a given block), the origin's
// TransferSent of a transaction, which message id consumed (origin, nonce) on a gateway (MessageDelivered), whether a
// nonce was refunded, and `refund(receipt, attestation)` itself (simulated first, then sent through the chain's
// EvmSender so fees, bumping and nonces are shared with deliveries).
import { addressToBytes32, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import {
  type Address,
  encodeFunctionData,
  type Hex,
  isAddressEqual,
  type PublicClient,
  parseEventLogs,
  zeroAddress,
} from "viem";
import { revertOf } from "./evm-errors.ts";
import type { EvmSender } from "./evm-sender.ts";
import type { RefundChain, RefundOutcome, RefundRecordView, TransferSentView } from "./refund.ts";

type Read = <T>(call: string, fn: () => Promise<T>) => Promise<T>;

/** Gas added on top of eth_estimateGas, in percent (as for deliveries). */
const GAS_MARGIN_PERCENT = 25n;

export class EvmRefunds implements RefundChain {
  readonly domain: number;
  readonly bridge: Address;
  readonly verifier: Hex;
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
    this.verifier = addressToBytes32(args.bridge).toLowerCase() as Hex;
    this.gateway = args.gateway;
    this.#client = args.client;
    this.#read = args.read;
    this.#sender = args.sender;
    this.#onRpcError = args.onRpcError;
  }

  /** TransferRefundable logs of this bridge in one range [from, min(from + maxRange − 1, head)]. */
  async scanRefundable(
    from: bigint,
    head: bigint,
    maxRange: bigint,
  ): Promise<{ records: RefundRecordView[]; to: bigint }> {
    const to = from + maxRange - 1n < head ? from + maxRange - 1n : head;
    const logs = await this.#read("getLogs(TransferRefundable)", () =>
      this.#client.getContractEvents({
        address: this.bridge,
        abi: tokenBridgeAbi,
        eventName: "TransferRefundable",
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    );
    const records = logs.map((l) => ({
      messageId: l.args.messageId.toLowerCase() as Hex,
      origin: l.args.origin,
      nonce: l.args.nonce,
      token: l.args.token,
      wireAmount: l.args.wireAmount,
      reason: l.args.reason,
    }));
    return { records, to };
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
      token: addressToBytes32(log.args.token).toLowerCase() as Hex,
      destination: log.args.destination,
      from: addressToBytes32(log.args.from).toLowerCase() as Hex,
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
