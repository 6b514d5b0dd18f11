// ChainAdapter for EVM chains, over viem. Reads go through a public client; deliveries (relayer only) through a
// wallet client whose key comes from the keystore.
import { addressToBytes32, gatewayAbi, getEvmDomain } from "@maskoii/sdk";
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  parseEventLogs,
  type WalletClient,
} from "viem";
import type { Finality } from "../config.ts";
import { ChainRpcError, DeliveryRevertedError, RelayerError } from "../errors.ts";
import type {
  AttesterSetView,
  ChainAdapter,
  DeliveryResult,
  FeeEstimate,
  MessageStatus,
  SentMessage,
} from "./adapter.ts";

const STATUS: readonly MessageStatus[] = ["none", "delivered", "failed"];
/** Gas added on top of eth_estimateGas, in percent (the recipient's gas use can vary with state). */
const GAS_MARGIN_PERCENT = 25n;

export type EvmAdapterOptions = {
  domain: number;
  rpcUrl: string;
  gateway: Address;
  finality: Finality;
  /** Signs deliveries; without it the adapter is read-only. */
  account?: Account;
  /** Called on every failed RPC call (metrics). */
  onRpcError?: (call: string) => void;
};

export class EvmChainAdapter implements ChainAdapter {
  readonly domain: number;
  readonly verifier: Hex;
  readonly gateway: Address;
  readonly #public: PublicClient;
  readonly #wallet: WalletClient | undefined;
  readonly #chain: Chain;
  readonly #finality: Finality;
  readonly #onRpcError: (call: string) => void;

  private constructor(options: EvmAdapterOptions, chain: Chain, publicClient: PublicClient) {
    this.domain = options.domain;
    this.gateway = options.gateway;
    this.verifier = addressToBytes32(options.gateway);
    this.#chain = chain;
    this.#public = publicClient;
    this.#finality = options.finality;
    this.#onRpcError = options.onRpcError ?? (() => {});
    this.#wallet =
      options.account === undefined
        ? undefined
        : createWalletClient({ account: options.account, chain, transport: http(options.rpcUrl) });
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
    return new EvmChainAdapter(options, chain, publicClient as PublicClient);
  }

  async #rpc<T>(call: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof RelayerError) throw cause;
      this.#onRpcError(call);
      throw new ChainRpcError(this.domain, call, cause);
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

  fetchSent(fromBlock: bigint, toBlock: bigint): Promise<SentMessage[]> {
    return this.#sent(fromBlock, toBlock);
  }

  async #sent(fromBlock: bigint, toBlock: bigint | "latest", messageId?: Hex): Promise<SentMessage[]> {
    const logs = await this.#read("getLogs(MessageSent)", () =>
      this.#public.getContractEvents({
        address: this.gateway,
        abi: gatewayAbi,
        eventName: "MessageSent",
        ...(messageId === undefined ? {} : { args: { messageId } }),
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

  async #price(): Promise<bigint> {
    return this.#read("gasPrice", () => this.#public.getGasPrice());
  }

  #requireWallet(): WalletClient & { account: Account } {
    if (this.#wallet?.account === undefined) {
      throw new ChainRpcError(this.domain, "deliver", "this adapter has no signing account (read-only)");
    }
    return this.#wallet as WalletClient & { account: Account };
  }

  async estimateDeliver(message: Hex, attestation: Hex): Promise<FeeEstimate> {
    const wallet = this.#requireWallet();
    const gas = await this.#read("estimateGas(deliver)", () =>
      this.#public.estimateContractGas({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "deliver",
        args: [message, attestation],
        account: wallet.account,
      }),
    );
    const pricePerGas = await this.#price();
    return { gas, pricePerGas, cost: gas * pricePerGas };
  }

  async estimateDeliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<FeeEstimate> {
    const wallet = this.#requireWallet();
    const gas = await this.#read("estimateGas(deliverBatch)", () =>
      this.#public.estimateContractGas({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "deliverBatch",
        args: [messages, proofs, attestation],
        account: wallet.account,
      }),
    );
    const pricePerGas = await this.#price();
    return { gas, pricePerGas, cost: gas * pricePerGas };
  }

  async deliver(message: Hex, attestation: Hex): Promise<DeliveryResult> {
    const wallet = this.#requireWallet();
    const { gas } = await this.estimateDeliver(message, attestation);
    const hash = await this.#rpc("sendTransaction(deliver)", () =>
      wallet.writeContract({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "deliver",
        args: [message, attestation],
        chain: this.#chain,
        account: wallet.account,
        gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n,
      }),
    );
    return this.#outcome(hash);
  }

  async deliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<DeliveryResult> {
    const wallet = this.#requireWallet();
    const { gas } = await this.estimateDeliverBatch(messages, proofs, attestation);
    const hash = await this.#rpc("sendTransaction(deliverBatch)", () =>
      wallet.writeContract({
        address: this.gateway,
        abi: gatewayAbi,
        functionName: "deliverBatch",
        args: [messages, proofs, attestation],
        chain: this.#chain,
        account: wallet.account,
        gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n,
      }),
    );
    return this.#outcome(hash);
  }

  async #outcome(hash: Hex): Promise<DeliveryResult> {
    const receipt = await this.#rpc("waitForTransactionReceipt", () =>
      this.#public.waitForTransactionReceipt({ hash, timeout: 120_000 }),
    );
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
    };
  }
}
