// The EVM TokenBridge's transfer queue as the relayer's keeper (keeper.ts) works it: TransferQueued logs, the
// entry and the inbound bucket as they are now, who released an entry, and releaseQueued itself (simulated first, then
// sent through the adapter's EvmSender so fees, bumping and nonces are shared with deliveries).
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { type Address, encodeFunctionData, type Hex, isAddressEqual, type PublicClient, zeroAddress } from "viem";
import { revertOf } from "./evm-errors.ts";
import type { EvmSender } from "./evm-sender.ts";
import type { Bucket } from "./rate-limit.ts";

type Read = <T>(call: string, fn: () => Promise<T>) => Promise<T>;

/** Gas added on top of eth_estimateGas, in percent (as for deliveries). */
const GAS_MARGIN_PERCENT = 25n;

/** A TransferQueued event. `amount` is in the local token's units (the entry holds the wire amount). */
export type QueuedEvent = {
  readonly queueId: bigint;
  readonly origin: number;
  readonly token: Address;
  readonly recipient: Address;
  readonly amount: bigint;
  readonly blockNumber: bigint;
  readonly txHash: Hex;
};

/** TokenBridge.queuedTransfer(queueId) while the entry exists. */
export type QueueEntry = {
  readonly token: Address;
  readonly origin: number;
  readonly wireAmount: bigint;
  readonly recipient: Address;
};

export type ReleaseOutcome =
  | { readonly kind: "released"; readonly txHash: Hex; readonly gasUsed: bigint; readonly effectiveGasPrice: bigint }
  /** The simulation said UnknownQueuedTransfer: someone released it (or it never existed on this chain). */
  | { readonly kind: "gone" }
  /** The simulation (or the mined transaction) reverted; `txHash` when a transaction was mined. */
  | { readonly kind: "reverted"; readonly reason: string; readonly txHash?: Hex };

export class TokenBridgeQueue {
  readonly domain: number;
  readonly bridge: Address;
  readonly #client: PublicClient;
  readonly #read: Read;
  readonly #sender: EvmSender;
  readonly #onRpcError: (call: string) => void;
  #gateway: Address | undefined;

  constructor(args: {
    domain: number;
    bridge: Address;
    client: PublicClient;
    read: Read;
    sender: EvmSender;
    onRpcError: (call: string) => void;
  }) {
    this.domain = args.domain;
    this.bridge = args.bridge;
    this.#client = args.client;
    this.#read = args.read;
    this.#sender = args.sender;
    this.#onRpcError = args.onRpcError;
  }

  /** The paying account (releases are sent from it). */
  get account(): Address {
    return this.#sender.address;
  }

  async fetchQueued(fromBlock: bigint, toBlock: bigint): Promise<QueuedEvent[]> {
    const logs = await this.#read("getLogs(TransferQueued)", () =>
      this.#client.getContractEvents({
        address: this.bridge,
        abi: tokenBridgeAbi,
        eventName: "TransferQueued",
        fromBlock,
        toBlock,
        strict: true,
      }),
    );
    return logs.map((l) => ({
      queueId: l.args.queueId,
      origin: l.args.origin,
      token: l.args.token,
      recipient: l.args.recipient,
      amount: l.args.amount,
      blockNumber: l.blockNumber,
      txHash: l.transactionHash,
    }));
  }

  /** The entry, or undefined once it is released (releaseQueued deletes it). */
  async entry(queueId: bigint): Promise<QueueEntry | undefined> {
    const [token, origin, wireAmount, recipient] = await this.#read("queuedTransfer", () =>
      this.#client.readContract({
        address: this.bridge,
        abi: tokenBridgeAbi,
        functionName: "queuedTransfer",
        args: [queueId],
      }),
    );
    if (isAddressEqual(token, zeroAddress)) return undefined;
    return { token, origin, wireAmount, recipient };
  }

  async bucket(token: Address, origin: number): Promise<Bucket> {
    const [level, capacity, refillPerSecond, lastUpdated] = await this.#read("inboundBucket", () =>
      this.#client.readContract({
        address: this.bridge,
        abi: tokenBridgeAbi,
        functionName: "inboundBucket",
        args: [token, origin],
      }),
    );
    return { level, capacity, refillPerSecond, lastUpdated: Number(lastUpdated) };
  }

  /**
   * Whether releases are paused: the TokenBridge has no pause of its own, it reads its Gateway's `paused()`
   * (docs/protocol.md §8.1), so one guardian action stops both. The gateway address is read once.
   */
  async paused(): Promise<boolean> {
    this.#gateway ??= await this.#read("gateway", () =>
      this.#client.readContract({ address: this.bridge, abi: tokenBridgeAbi, functionName: "gateway" }),
    );
    const gateway = this.#gateway;
    return this.#read("paused", () =>
      this.#client.readContract({ address: gateway, abi: gatewayAbi, functionName: "paused" }),
    );
  }

  /** Chain time: the latest block's timestamp (unix seconds). */
  async now(): Promise<number> {
    const block = await this.#read("getBlock(latest)", () => this.#client.getBlock({ blockTag: "latest" }));
    return Number(block.timestamp);
  }

  /** The transaction that released `queueId` (QueuedTransferReleased at or after `fromBlock`), if any. */
  async releasedBy(queueId: bigint, fromBlock: bigint): Promise<Hex | undefined> {
    const logs = await this.#read("getLogs(QueuedTransferReleased)", () =>
      this.#client.getContractEvents({
        address: this.bridge,
        abi: tokenBridgeAbi,
        eventName: "QueuedTransferReleased",
        args: { queueId },
        fromBlock,
        toBlock: "latest",
        strict: true,
      }),
    );
    return logs[0]?.transactionHash;
  }

  /** Simulates releaseQueued(queueId) from the paying account and, when it passes, sends it. */
  async release(queueId: bigint): Promise<ReleaseOutcome> {
    const call = { address: this.bridge, abi: tokenBridgeAbi, functionName: "releaseQueued", args: [queueId] } as const;
    let gas: bigint;
    try {
      await this.#client.simulateContract({ ...call, account: this.#sender.address });
      gas = await this.#client.estimateContractGas({ ...call, account: this.#sender.address });
    } catch (error) {
      const reason = revertOf(error);
      if (reason === undefined) {
        // Not a revert: the RPC failed (the caller backs off like on any error).
        this.#onRpcError("simulate(releaseQueued)");
        throw error;
      }
      return reason.startsWith("UnknownQueuedTransfer") ? { kind: "gone" } : { kind: "reverted", reason };
    }
    const data = encodeFunctionData({ abi: tokenBridgeAbi, functionName: "releaseQueued", args: [queueId] });
    const { receipt } = await this.#sender.send({
      to: this.bridge,
      data,
      gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n,
    });
    if (receipt.status !== "success") {
      return { kind: "reverted", reason: "the release transaction reverted", txHash: receipt.transactionHash };
    }
    return {
      kind: "released",
      txHash: receipt.transactionHash,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
    };
  }
}
