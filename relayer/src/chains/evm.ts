// ChainAdapter for EVM chains, over viem. Reads go through a public client; deliveries (relayer only) through a
// wallet client whose key comes from the keystore.

import type { Logger } from "@maskoii/node-kit";
import { addressToBytes32, gatewayAbi, getEvmDomain } from "@maskoii/sdk";
import {
  type Address,
  createPublicClient,
  defineChain,
  encodeFunctionData,
  type Hex,
  http,
  type LocalAccount,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";
import type { Finality } from "../config.ts";
import { ChainRpcError, DeliveryRefusedError, DeliveryRevertedError, RelayerError } from "../errors.ts";
import { EpochReportsChain } from "../reports/chain.ts";
import type {
  AttesterSetView,
  ChainAdapter,
  DeliveryResult,
  FeeEstimate,
  MessageStatus,
  QueuedTransferView,
  SentMessage,
} from "./adapter.ts";
import { classifyRpcError, isOutOfGas, PERMANENT_DELIVERY_ERRORS, revertName, revertOf } from "./evm-errors.ts";
import { BatchGasModel, type BatchGasModelOptions, calldataGas } from "./evm-gas.ts";
import { findQueuedTransfer } from "./evm-queue.ts";
import { EvmRefunds } from "./evm-refund.ts";
import { TokenBridgeQueue } from "./evm-release.ts";
import { type BumpEvent, EvmSender, type FeePolicy } from "./evm-sender.ts";

const STATUS: readonly MessageStatus[] = ["none", "delivered", "failed"];
/** Gas added on top of eth_estimateGas, in percent (the recipient's gas use can vary with state). */
const GAS_MARGIN_PERCENT = 25n;

/** The estimate of a single delivery may try the gas of this many messages (a heavy recipient gets room). */
const SINGLE_CAP_MESSAGES = 4;
/** No estimate tries more than this (below the 2^24 per-transaction cap of EIP-7825 chains). */
const ESTIMATE_CAP = 16_000_000n;

/** Fee handling when the config gives none: 500 gwei cap, +20% every 30 s, give up after 3 minutes. */
export const DEFAULT_FEE_POLICY: FeePolicy = {
  maxFeePerGas: 500n * 10n ** 9n,
  bumpAfterMs: 30_000,
  bumpPercent: 20,
  receiptTimeoutMs: 180_000,
  pollIntervalMs: 500,
};

/** One half of AttesterSet.reportEquivocation's evidence (contracts/src/core/AttesterSet.sol, `Evidence`). */
export type EquivocationEvidenceArg = {
  readonly message: Hex;
  readonly verifier: Hex;
  readonly attesterSetId: bigint;
  readonly root: Hex;
  readonly proof: readonly Hex[];
  readonly signature: Hex;
};

export type EquivocationReportResult = {
  readonly txHash: Hex;
  /** The attester AttesterSlashed names (undefined if the event is missing). */
  readonly attester: Address | undefined;
  readonly gasUsed: bigint;
};

export type EvmAdapterOptions = {
  domain: number;
  rpcUrl: string;
  gateway: Address;
  finality: Finality;
  /** Signs deliveries; without it the adapter is read-only. */
  account?: LocalAccount;
  /** Fee estimation cap and bumping of delivery transactions. */
  fees?: FeePolicy;
  log?: Logger;
  /** Called on every failed RPC call (metrics). */
  onRpcError?: (call: string) => void;
  /** Called when an unmined delivery is replaced with higher fees (metrics). */
  onFeeBump?: (event: BumpEvent) => void;
  /**
   * deliverBatch gas: "model" (default) sizes the limit from the gas earlier batches used (evm-gas.ts) and calls
   * eth_estimateGas only until one batch was measured or after a modelled batch reverted; "estimate" always estimates.
   */
  batchGas?: "model" | "estimate";
  /** Bounds of the batch gas model (per-message gas, sample age); defaults in evm-gas.ts. */
  batchGasModel?: BatchGasModelOptions;
};

export class EvmChainAdapter implements ChainAdapter {
  readonly domain: number;
  readonly verifier: Hex;
  readonly gateway: Address;
  /** The sender's nonce manager keeps concurrent deliveries on distinct, gapless nonces. */
  readonly concurrentDeliveries = true;
  readonly #public: PublicClient;
  /** Sends and bumps delivery transactions; undefined for a read-only adapter. */
  readonly sender: EvmSender | undefined;
  readonly #finality: Finality;
  readonly #onRpcError: (call: string) => void;
  /** Learned deliverBatch gas (undefined: always eth_estimateGas). */
  readonly batchGas: BatchGasModel | undefined;
  readonly #log: Logger | undefined;

  private constructor(options: EvmAdapterOptions, chainId: number, publicClient: PublicClient) {
    this.domain = options.domain;
    this.gateway = options.gateway;
    this.verifier = addressToBytes32(options.gateway);
    this.#public = publicClient;
    this.#finality = options.finality;
    this.#onRpcError = options.onRpcError ?? (() => {});
    this.batchGas = options.batchGas === "estimate" ? undefined : new BatchGasModel(options.batchGasModel);
    this.#log = options.log;
    this.sender =
      options.account === undefined
        ? undefined
        : new EvmSender({
            domain: options.domain,
            chainId,
            client: publicClient,
            account: options.account,
            policy: options.fees ?? DEFAULT_FEE_POLICY,
            ...(options.log === undefined ? {} : { log: options.log }),
            onRpcError: this.#onRpcError,
            ...(options.onFeeBump === undefined ? {} : { onBump: options.onFeeBump }),
          });
  }

  /** Connects and checks that the RPC serves the chain id the domain registry names. */
  static async connect(options: EvmAdapterOptions): Promise<EvmChainAdapter> {
    const domain = getEvmDomain(options.domain);
    const chain = defineChain({
      id: domain.chainId,
      name: domain.name,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [options.rpcUrl] } },
    });
    const publicClient = createPublicClient({ chain, transport: http(options.rpcUrl, { retryCount: 1 }) });
    let chainId: number;
    try {
      chainId = await publicClient.getChainId();
    } catch (cause) {
      throw new ChainRpcError(options.domain, "eth_chainId", cause);
    }
    if (chainId !== domain.chainId) {
      throw new ChainRpcError(
        options.domain,
        "eth_chainId",
        `RPC serves chain id ${chainId}, expected ${domain.chainId}`,
      );
    }
    return new EvmChainAdapter(options, chainId, publicClient as PublicClient);
  }

  async #rpc<T>(call: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof RelayerError) throw cause;
      const typed = classifyRpcError(this.domain, this.sender?.address, cause);
      if (typed !== undefined) throw typed;
      this.#onRpcError(call);
      throw new ChainRpcError(this.domain, call, cause);
    }
  }

  /**
   * An estimate (a simulation): a revert becomes DeliveryRefusedError with the gateway's error (nothing was sent);
   * `single`: a refusal that depends only on the message is permanent.
   */
  async #simulate<T>(call: string, single: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      let reason = revertOf(cause);
      // Out of gas even at the node's limit (a recipient that burns what it gets, early in a batch): refused too.
      if (reason === undefined && isOutOfGas(cause)) reason = "out of gas at the node's gas limit";
      if (reason === undefined) return this.#rpc(call, () => Promise.reject(cause));
      const permanent = single && PERMANENT_DELIVERY_ERRORS.has(revertName(reason));
      throw new DeliveryRefusedError(this.domain, single ? "deliver" : "deliverBatch", reason, permanent, cause);
    }
  }

  #read<T>(call: string, fn: () => Promise<T>): Promise<T> {
    return this.#rpc(call, fn);
  }

  async finalizedBlock(): Promise<bigint> {
    if (this.#finality.kind === "finalized") {
      const block = await this.#read("getBlock(finalized)", () => this.#public.getBlock({ blockTag: "finalized" }));
      return block.number;
    }
    const latest = await this.#read("getBlockNumber", () => this.#public.getBlockNumber({ cacheTime: 0 }));
    const depth = BigInt(this.#finality.depth);
    return latest >= depth ? latest - depth : -1n;
  }

  latestBlock(): Promise<bigint> {
    return this.#read("getBlockNumber", () => this.#public.getBlockNumber({ cacheTime: 0 }));
  }

  async findSent(messageId: Hex, fromBlock: bigint): Promise<SentMessage | undefined> {
    const [found] = await this.#sent(fromBlock, "latest", messageId);
    return found;
  }

  async sentAtNonce(nonce: bigint, fromBlock: bigint): Promise<SentMessage | "unassigned" | "before"> {
    const next = await this.#read("nextNonce", () =>
      this.#public.readContract({ address: this.gateway, abi: gatewayAbi, functionName: "nextNonce" }),
    );
    if (nonce >= next) return "unassigned";
    const [found] = await this.#sent(fromBlock, "latest", undefined, nonce);
    return found ?? "before";
  }

  fetchSent(fromBlock: bigint, toBlock: bigint): Promise<SentMessage[]> {
    return this.#sent(fromBlock, toBlock);
  }

  async #sent(fromBlock: bigint, toBlock: bigint | "latest", messageId?: Hex, nonce?: bigint): Promise<SentMessage[]> {
    const logs = await this.#read("getLogs(MessageSent)", () =>
      this.#public.getContractEvents({
        address: this.gateway,
        abi: gatewayAbi,
        eventName: "MessageSent",
        ...(messageId === undefined ? {} : { args: { messageId } }),
        ...(nonce === undefined ? {} : { args: { nonce } }),
        fromBlock,
        toBlock,
        strict: true,
      }),
    );
    return logs.map((log) => ({
      messageId: log.args.messageId.toLowerCase() as Hex,
      origin: this.domain,
      destination: log.args.destination,
      nonce: log.args.nonce,
      message: log.args.message.toLowerCase() as Hex,
      blockNumber: log.blockNumber,
      txHash: log.transactionHash,
    }));
  }

  async getMessageStatus(message: Hex): Promise<MessageStatus> {
    const status = await this.#read("messageStatus", () =>
      this.#public.readContract({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "messageStatus",
        args: [message],
      }),
    );
    return STATUS[status] ?? "none";
  }

  isDelivered(origin: number, nonce: bigint): Promise<boolean> {
    return this.#read("isDelivered", () =>
      this.#public.readContract({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "isDelivered",
        args: [origin, nonce],
      }),
    );
  }

  /**
   * A deployless Multicall3 (nothing needs to be deployed on the chain). Its calls travel in the init code, which
   * EIP-3860 caps at 49,152 bytes (viem does not chunk deployless calls): 100 calls per eth_call, sent in parallel.
   */
  async isDeliveredMany(items: readonly { origin: number; nonce: bigint }[]): Promise<boolean[]> {
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += 100) chunks.push(items.slice(i, i + 100));
    const results = await Promise.all(
      chunks.map((chunk) =>
        this.#read("isDelivered(multicall)", () =>
          this.#public.multicall({
            contracts: chunk.map((i) => ({
              address: this.gateway,
              abi: gatewayAbi,
              functionName: "isDelivered" as const,
              args: [i.origin, i.nonce] as const,
            })),
            allowFailure: false,
            deployless: true,
            batchSize: 0,
          }),
        ),
      ),
    );
    return results.flat();
  }

  isPaused(): Promise<boolean> {
    return this.#read("paused", () =>
      this.#public.readContract({ address: this.gateway, abi: gatewayAbi, functionName: "paused" }),
    );
  }

  /** The transfer a delivery of `message` queued on the recipient TokenBridge (inbound rate limit); see evm-queue.ts. */
  queuedTransfer(message: Hex, fromBlock: bigint): Promise<QueuedTransferView | undefined> {
    return findQueuedTransfer({
      client: this.#public,
      gateway: this.gateway,
      message,
      fromBlock,
      read: (call, fn) => this.#read(call, fn),
    });
  }

  /** The transfer queue of the TokenBridge at `bridge` on this chain, for the relayer's keeper (needs the account). */
  tokenBridgeQueue(bridge: Address): TokenBridgeQueue {
    return new TokenBridgeQueue({
      domain: this.domain,
      bridge,
      client: this.#public,
      read: (call, fn) => this.#read(call, fn),
      sender: this.#requireSender(),
      onRpcError: this.#onRpcError,
    });
  }

  /** The EpochReports at `address` for the relayer's report submitter (reports/chain.ts; needs the account). */
  epochReports(address: Address, fromBlock: bigint): EpochReportsChain {
    return new EpochReportsChain({
      domain: this.domain,
      address,
      client: this.#public,
      read: (call, fn) => this.#read(call, fn),
      sender: this.#requireSender(),
      onRpcError: this.#onRpcError,
      fromBlock,
    });
  }

  /** Refund reads (and, with the paying account, `refund` itself) of the TokenBridge at `bridge` (evm-refund.ts). */
  refunds(bridge: Address | undefined): EvmRefunds | undefined {
    if (bridge === undefined) return undefined;
    return new EvmRefunds({
      domain: this.domain,
      bridge,
      gateway: this.gateway,
      client: this.#public,
      read: (call, fn) => this.#read(call, fn),
      sender: this.sender,
      onRpcError: this.#onRpcError,
    });
  }

  currentSetId(): Promise<bigint> {
    return this.#read("currentSetId", () =>
      this.#public.readContract({ address: this.gateway, abi: gatewayAbi, functionName: "currentSetId" }),
    );
  }

  async getAttesterSet(setId: bigint): Promise<AttesterSetView> {
    const [attesters, weights, thresholdBps, totalWeight, expiresAt] = await this.#read("getSet", () =>
      this.#public.readContract({ address: this.gateway, abi: gatewayAbi, functionName: "getSet", args: [setId] }),
    );
    return { setId, attesters, weights, thresholdBps, totalWeight, expiresAt: Number(expiresAt) };
  }

  /** The maxFeePerGas a delivery sent now would offer (under the cap). */
  async #price(sender: EvmSender): Promise<bigint> {
    return (await sender.estimateFees()).maxFeePerGas;
  }

  #requireSender(): EvmSender {
    if (this.sender === undefined) {
      throw new ChainRpcError(this.domain, "deliver", "this adapter has no signing account (read-only)");
    }
    return this.sender;
  }

  /**
   * The most gas an estimate may try (eth_estimateGas's upper bound): the model's bound for `count` messages, at most
   * ESTIMATE_CAP. A recipient that burns whatever it gets then fails the estimate fast at the cap (refused: the batch
   * is split) instead of making the node run it at the block gas limit many times over (which can outlast the RPC
   * timeout). Undefined without a model (`batchGas: "estimate"`).
   */
  #estimateCap(count: number, data: Hex): bigint | undefined {
    const bound = this.batchGas?.bound(count, calldataGas(data));
    return bound === undefined ? undefined : bound < ESTIMATE_CAP ? bound : ESTIMATE_CAP;
  }

  async estimateDeliver(message: Hex, attestation: Hex): Promise<FeeEstimate> {
    const sender = this.#requireSender();
    const cap = this.#estimateCap(
      SINGLE_CAP_MESSAGES,
      encodeFunctionData({ abi: gatewayAbi, functionName: "deliver", args: [message, attestation] }),
    );
    const gas = await this.#simulate("estimateGas(deliver)", true, () =>
      this.#public.estimateContractGas({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "deliver",
        args: [message, attestation],
        account: sender.address,
        ...(cap === undefined ? {} : { gas: cap }),
      }),
    );
    const pricePerGas = await this.#price(sender);
    return { gas, pricePerGas, cost: gas * pricePerGas };
  }

  async estimateDeliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<FeeEstimate> {
    const sender = this.#requireSender();
    const cap = this.#estimateCap(
      messages.length,
      encodeFunctionData({ abi: gatewayAbi, functionName: "deliverBatch", args: [messages, proofs, attestation] }),
    );
    const gas = await this.#simulate("estimateGas(deliverBatch)", false, () =>
      this.#public.estimateContractGas({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "deliverBatch",
        args: [messages, proofs, attestation],
        account: sender.address,
        ...(cap === undefined ? {} : { gas: cap }),
      }),
    );
    const pricePerGas = await this.#price(sender);
    return { gas, pricePerGas, cost: gas * pricePerGas };
  }

  async deliver(message: Hex, attestation: Hex): Promise<DeliveryResult> {
    const sender = this.#requireSender();
    const { gas } = await this.estimateDeliver(message, attestation);
    const data = encodeFunctionData({ abi: gatewayAbi, functionName: "deliver", args: [message, attestation] });
    return this.#send(sender, data, gas);
  }

  async deliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<DeliveryResult> {
    const sender = this.#requireSender();
    const data = encodeFunctionData({
      abi: gatewayAbi,
      functionName: "deliverBatch",
      args: [messages, proofs, attestation],
    });
    const n = messages.length;
    const calldata = this.batchGas === undefined ? 0n : calldataGas(data);
    let wasted = 0n;
    const modelled = this.batchGas?.limit(n, calldata);
    if (modelled !== undefined) {
      // A node may refuse a reverting transaction outright (hardhat's automine does) instead of mining it.
      let receipt: TransactionReceipt | undefined;
      try {
        const sent = await sender.send({ to: this.gateway, data, gas: modelled });
        if (sent.receipt.status === "success") {
          const result = this.#outcome(sent.receipt, sent.bumps);
          this.batchGas?.learn(n, calldata, sent.receipt.gasUsed, result.failed.length);
          return result;
        }
        receipt = sent.receipt;
      } catch (error) {
        if (!isRevert(error)) throw error;
      }
      // Too little gas, or a real defect: estimateGas tells them apart (it throws on a real revert).
      wasted = receipt?.gasUsed ?? 0n;
      this.#log?.warn(
        { domain: this.domain, txHash: receipt?.transactionHash, gas: modelled.toString(), size: n },
        "a batch sent with a modelled gas limit reverted; estimating its gas",
      );
    }
    // A refused estimate (DeliveryRefusedError) means a defective batch, not a short model: the model is kept and the
    // caller splits the batch.
    const { gas } = await this.estimateDeliverBatch(messages, proofs, attestation);
    // The estimate works: the modelled limit was too low (if one was tried).
    if (modelled !== undefined) this.batchGas?.forget();
    const bound = this.batchGas?.bound(n, calldata);
    if (bound !== undefined && n > 1 && gas > bound) {
      // One recipient takes far more than an honest one (a gas burner early in the batch): split, never pay it.
      throw new DeliveryRefusedError(
        this.domain,
        "deliverBatch",
        `needs ${gas} gas, above the bound of ${bound} for ${n} messages (maxPerMessage ${this.batchGas?.maxPerMessage})`,
        false,
      );
    }
    const sent = await sender.send({ to: this.gateway, data, gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n });
    const result = this.#outcome(sent.receipt, sent.bumps);
    this.batchGas?.learn(n, calldata, sent.receipt.gasUsed, result.failed.length);
    // The reverted attempt was paid for too: count it in the fees spent.
    return wasted === 0n ? result : { ...result, gasUsed: result.gasUsed + wasted };
  }

  /**
   * Submits equivocation evidence, AttesterSet.reportEquivocation(a, b) (protocol §6), after simulating it (a revert
   * such as NotAnAttester costs nothing). Resolves with the attester the AttesterSlashed event names. Sent through
   * the same sender as deliveries (fees, bumping, nonces).
   */
  async reportEquivocation(a: EquivocationEvidenceArg, b: EquivocationEvidenceArg): Promise<EquivocationReportResult> {
    const sender = this.#requireSender();
    const args = [a, b].map((e) => ({ ...e, proof: [...e.proof] })) as [
      EquivocationEvidenceArg & { proof: Hex[] },
      EquivocationEvidenceArg & { proof: Hex[] },
    ];
    await this.#read("simulate(reportEquivocation)", () =>
      this.#public.simulateContract({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "reportEquivocation",
        args,
        account: sender.address,
      }),
    );
    const gas = await this.#read("estimateGas(reportEquivocation)", () =>
      this.#public.estimateContractGas({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "reportEquivocation",
        args,
        account: sender.address,
      }),
    );
    const data = encodeFunctionData({ abi: gatewayAbi, functionName: "reportEquivocation", args });
    const { receipt } = await sender.send({ to: this.gateway, data, gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n });
    if (receipt.status !== "success") throw new DeliveryRevertedError(this.domain, receipt.transactionHash);
    const slashed = parseEventLogs({ abi: gatewayAbi, logs: receipt.logs, eventName: "AttesterSlashed" })[0];
    return { txHash: receipt.transactionHash, attester: slashed?.args.attester, gasUsed: receipt.gasUsed };
  }

  async #send(sender: EvmSender, data: Hex, gas: bigint): Promise<DeliveryResult> {
    const sent = await sender.send({ to: this.gateway, data, gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n });
    return this.#outcome(sent.receipt, sent.bumps);
  }

  #outcome(receipt: TransactionReceipt, bumps: number): DeliveryResult {
    const hash = receipt.transactionHash;
    if (receipt.status !== "success") throw new DeliveryRevertedError(this.domain, hash);
    const logs = parseEventLogs({ abi: gatewayAbi, logs: receipt.logs });
    const ids = (name: string) =>
      logs
        .filter((l) => l.eventName === name)
        .map((l) => (l.args as { messageId: Hex }).messageId.toLowerCase() as Hex);
    return {
      txHash: hash,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
      delivered: ids("MessageDelivered"),
      failed: ids("MessageFailed"),
      skipped: ids("MessageSkipped"),
      feeBumps: bumps,
    };
  }
}

/** Whether a send failed because the transaction reverts (not because the RPC or the fees failed). */
function isRevert(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 8 && e instanceof Error; i++) {
    if (/revert|out of gas|VM Exception/i.test(`${e.message} ${(e as { details?: unknown }).details ?? ""}`))
      return true;
    e = e.cause;
  }
  return false;
}
