// Sends the relayer's EVM transactions so that none is left stuck: EIP-1559 fees from the node under a hard cap, a
// per-account nonce manager that is safe under concurrent sends and resyncs from the chain when it is wrong, and fee
// bumping (same nonce, fees raised by at least the nodes' replacement minimum) until the transaction is mined.
// Whichever broadcast of a nonce gets mined (a replaced one may still win) is the outcome.

import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@maskoii/node-kit";
import {
  type Address,
  type BaseError,
  type Hex,
  keccak256,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import {
  ChainRpcError,
  FeeCapExceededError,
  NonceConsumedError,
  RelayerError,
  TransactionStuckError,
} from "../errors.ts";
import { classifyRpcError } from "./evm-errors.ts";

/** Nodes (geth, reth, Hardhat) reject a replacement that does not raise both fee fields by at least this. */
export const MIN_BUMP_PERCENT = 10;

export type FeePolicy = {
  /** Hard cap on maxFeePerGas (and so on maxPriorityFeePerGas), in wei. */
  readonly maxFeePerGas: bigint;
  /** A broadcast not mined after this long is replaced with higher fees. */
  readonly bumpAfterMs: number;
  /** Raise of both fee fields per replacement, in percent (at least MIN_BUMP_PERCENT). */
  readonly bumpPercent: number;
  /** Give up waiting (TransactionStuckError) after this long; the nonce is then reused by the next send. */
  readonly receiptTimeoutMs: number;
  /** How often a pending transaction's receipt is polled. */
  readonly pollIntervalMs: number;
};

export type Fees = { readonly maxFeePerGas: bigint; readonly maxPriorityFeePerGas: bigint };

export type TxRequest = { readonly to: Address; readonly data: Hex; readonly gas: bigint; readonly value?: bigint };

export type SentTransaction = {
  readonly receipt: TransactionReceipt;
  readonly nonce: number;
  /** Every broadcast of this nonce, first to last; `receipt.transactionHash` is one of them. */
  readonly hashes: readonly Hex[];
  /** Replacements sent (hashes.length - 1 unless a re-broadcast was identical). */
  readonly bumps: number;
};

export type BumpEvent = { readonly nonce: number; readonly from: Fees; readonly to: Fees; readonly hash: Hex };

export type EvmSenderOptions = {
  domain: number;
  chainId: number;
  client: PublicClient;
  account: LocalAccount;
  policy: FeePolicy;
  log?: Logger;
  onBump?: (event: BumpEvent) => void;
  onRpcError?: (call: string) => void;
};

const maxOf = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** `old` raised by `percent`, rounded up (nodes compare with integer math). */
export function bump(old: bigint, percent: number): bigint {
  return old + (old * BigInt(percent) + 99n) / 100n;
}

function text(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let i = 0; i < 8 && e !== undefined && e !== null; i++) {
    const b = e as Partial<BaseError> & { message?: string; details?: string; cause?: unknown };
    parts.push(String(b.details ?? ""), String(b.message ?? e));
    e = b.cause;
  }
  return parts.join(" | ").toLowerCase();
}

const isNonceTooLow = (error: unknown) =>
  /nonce too low|nonce has already been used|nonce is too low/.test(text(error));
const isNonceTooHigh = (error: unknown) => /nonce too high|nonce gap|nonce is too high/.test(text(error));
const isAlreadyKnown = (error: unknown) => /already known|known transaction|already imported/.test(text(error));
const isUnderpricedReplacement = (error: unknown) =>
  /replacement transaction underpriced|replacement fee too low/.test(text(error));

/**
 * The account's next nonce, kept locally so concurrent sends get distinct, gapless nonces. `use` runs one
 * reservation at a time: the nonce is consumed only when the broadcast succeeded; any failure forgets the local
 * value so that the next reservation reads the chain's pending count again.
 */
export class NonceManager {
  readonly #fetch: () => Promise<number>;
  #next: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(fetchPendingCount: () => Promise<number>) {
    this.#fetch = fetchPendingCount;
  }

  /** Runs `broadcast` with the next nonce (or with `reuse` when given: an earlier, unmined nonce). */
  use<T>(broadcast: (nonce: number) => Promise<T>, reuse?: () => Promise<number | undefined>): Promise<T> {
    const run = this.#queue.then(async () => {
      const reused = await reuse?.();
      if (reused !== undefined) return broadcast(reused);
      this.#next ??= await this.#fetch();
      const nonce = this.#next;
      try {
        const result = await broadcast(nonce);
        this.#next = nonce + 1;
        return result;
      } catch (error) {
        this.#next = undefined;
        throw error;
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Forgets the local nonce; the next reservation reads the chain. */
  resync(): void {
    this.#next = undefined;
  }

  /** The local next nonce, if known (diagnostics). */
  get next(): number | undefined {
    return this.#next;
  }
}

type Stuck = { nonce: number; fees: Fees };

export class EvmSender {
  readonly #o: EvmSenderOptions;
  readonly nonces: NonceManager;
  /** Nonces whose transaction timed out unmined: the next send replaces the lowest one instead of queueing behind. */
  readonly #stuck: Stuck[] = [];
  #legacy = false;

  constructor(options: EvmSenderOptions) {
    this.#o = options;
    this.nonces = new NonceManager(() =>
      this.#rpc("getTransactionCount(pending)", () =>
        options.client.getTransactionCount({ address: options.account.address, blockTag: "pending" }),
      ),
    );
  }

  get address(): Address {
    return this.#o.account.address;
  }

  async #rpc<T>(call: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof RelayerError) throw cause;
      // Insufficient funds (an operator alert) and a transaction above the block gas limit (split it) are not RPC
      // failures: typed, so the relayer backs off or splits instead of retrying the same transaction.
      const typed = classifyRpcError(this.#o.domain, this.address, cause);
      if (typed !== undefined) throw typed;
      this.#o.onRpcError?.(call);
      throw new ChainRpcError(this.#o.domain, call, cause);
    }
  }

  /**
   * Fees for a new transaction: the latest base fee doubled (room for six full blocks of +12.5%) plus the node's
   * suggested tip, both under the cap. Throws FeeCapExceededError when even the cap is below the base fee.
   */
  async estimateFees(): Promise<Fees & { baseFeePerGas: bigint }> {
    const { client, policy } = this.#o;
    const block = await this.#rpc("getBlock(latest)", () => client.getBlock({ blockTag: "latest" }));
    if (block.baseFeePerGas === null) {
      const price = await this.#rpc("gasPrice", () => client.getGasPrice());
      // A chain without EIP-1559: legacy transactions at gasPrice (maxFeePerGas carries it).
      this.#legacy = true;
      const capped = minOf(price, policy.maxFeePerGas);
      return { maxFeePerGas: capped, maxPriorityFeePerGas: capped, baseFeePerGas: 0n };
    }
    const base = block.baseFeePerGas;
    const tip = await this.#rpc("maxPriorityFeePerGas", () => client.estimateMaxPriorityFeePerGas());
    if (base > policy.maxFeePerGas) throw new FeeCapExceededError(this.#o.domain, base, policy.maxFeePerGas);
    const maxFeePerGas = minOf(base * 2n + tip, policy.maxFeePerGas);
    const maxPriorityFeePerGas = minOf(tip, maxFeePerGas);
    return { maxFeePerGas, maxPriorityFeePerGas, baseFeePerGas: base };
  }

  /** `old` raised by bumpPercent or to the fresh estimate, whichever is higher, under the cap; undefined if capped. */
  #bumped(old: Fees, fresh: Fees): Fees | undefined {
    const { bumpPercent, maxFeePerGas: cap } = this.#o.policy;
    const maxFeePerGas = minOf(maxOf(bump(old.maxFeePerGas, bumpPercent), fresh.maxFeePerGas), cap);
    const maxPriorityFeePerGas = minOf(
      maxOf(bump(old.maxPriorityFeePerGas, bumpPercent), fresh.maxPriorityFeePerGas),
      maxFeePerGas,
    );
    // Below the replacement minimum the node would refuse it: we are at the cap.
    if (maxFeePerGas < bump(old.maxFeePerGas, MIN_BUMP_PERCENT)) return undefined;
    if (maxPriorityFeePerGas < bump(old.maxPriorityFeePerGas, MIN_BUMP_PERCENT)) return undefined;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  async #broadcast(request: TxRequest, nonce: number, fees: Fees): Promise<Hex> {
    const { account, chainId, client } = this.#o;
    const common = { chainId, nonce, to: request.to, data: request.data, gas: request.gas, value: request.value ?? 0n };
    const signed = this.#legacy
      ? await account.signTransaction({ ...common, type: "legacy", gasPrice: fees.maxFeePerGas })
      : await account.signTransaction({
          ...common,
          type: "eip1559",
          maxFeePerGas: fees.maxFeePerGas,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        });
    const hash = keccak256(signed);
    try {
      await client.sendRawTransaction({ serializedTransaction: signed });
    } catch (error) {
      if (isAlreadyKnown(error)) return hash;
      throw error;
    }
    return hash;
  }

  /** The nonce of the lowest stuck transaction that is still unmined (to be replaced), dropping mined ones. */
  async #reusableNonce(): Promise<Stuck | undefined> {
    if (this.#stuck.length === 0) return undefined;
    const mined = await this.#rpc("getTransactionCount(latest)", () =>
      this.#o.client.getTransactionCount({ address: this.address, blockTag: "latest" }),
    );
    while (this.#stuck.length > 0 && (this.#stuck[0]?.nonce ?? 0) < mined) this.#stuck.shift();
    return this.#stuck[0];
  }

  /**
   * Sends `request` and waits for it to be mined, replacing it at the same nonce with higher fees every bumpAfterMs.
   * Resolves with the receipt of whichever broadcast was mined (reverted or not).
   */
  async send(request: TxRequest): Promise<SentTransaction> {
    let replacing: Stuck | undefined;
    const first = await this.#firstBroadcast(request, (s) => {
      replacing = s;
    });
    if (replacing !== undefined) this.#stuck.splice(this.#stuck.indexOf(replacing), 1);
    return this.#await(request, first.nonce, first.fees, [first.hash]);
  }

  async #firstBroadcast(
    request: TxRequest,
    onReplace: (stuck: Stuck) => void,
  ): Promise<{ nonce: number; fees: Fees; hash: Hex }> {
    for (let attempt = 0; ; attempt++) {
      const estimate = await this.estimateFees();
      let fees: Fees = estimate;
      try {
        return await this.nonces.use(
          async (nonce) => {
            const hash = await this.#rpc("sendRawTransaction", () => this.#broadcast(request, nonce, fees));
            return { nonce, fees, hash };
          },
          async () => {
            const stuck = await this.#reusableNonce();
            if (stuck === undefined) return undefined;
            const raised = this.#bumped(stuck.fees, estimate);
            if (raised === undefined) {
              throw new FeeCapExceededError(this.#o.domain, stuck.fees.maxFeePerGas, this.#o.policy.maxFeePerGas);
            }
            fees = raised;
            onReplace(stuck);
            this.#o.log?.warn({ nonce: stuck.nonce }, "replacing a stuck transaction with a new one at its nonce");
            return stuck.nonce;
          },
        );
      } catch (error) {
        // A nonce error means our local view is wrong (another sender, a restart, a dropped transaction): the
        // manager already forgot it, so the retry reads the chain's pending count.
        if (attempt < 3 && (isNonceTooLow(error) || isNonceTooHigh(error))) {
          this.#o.log?.warn({ attempt, error: text(error).slice(0, 200) }, "nonce out of sync; resynced from chain");
          continue;
        }
        throw error;
      }
    }
  }

  async #receipt(hashes: readonly Hex[]): Promise<TransactionReceipt | undefined> {
    for (const hash of hashes) {
      try {
        return await this.#o.client.getTransactionReceipt({ hash });
      } catch (error) {
        if (error instanceof TransactionReceiptNotFoundError) continue;
        this.#o.onRpcError?.("getTransactionReceipt");
        throw new ChainRpcError(this.#o.domain, "getTransactionReceipt", error);
      }
    }
    return undefined;
  }

  async #await(request: TxRequest, nonce: number, initial: Fees, hashes: Hex[]): Promise<SentTransaction> {
    const { policy, client } = this.#o;
    const deadline = Date.now() + policy.receiptTimeoutMs;
    let fees = initial;
    let nextBump = Date.now() + policy.bumpAfterMs;
    let bumps = 0;
    let atCap = false;
    while (Date.now() < deadline) {
      const receipt = await this.#receipt(hashes).catch(() => undefined);
      if (receipt !== undefined) return { receipt, nonce, hashes, bumps };
      const mined = await client
        .getTransactionCount({ address: this.address, blockTag: "latest" })
        .catch(() => undefined);
      if (mined !== undefined && mined > nonce) {
        // The nonce is used: by one of ours (mined between the two reads) or by someone else.
        const late = await this.#receipt(hashes);
        if (late !== undefined) return { receipt: late, nonce, hashes, bumps };
        this.nonces.resync();
        throw new NonceConsumedError(this.#o.domain, nonce);
      }
      if (Date.now() >= nextBump && !atCap) {
        nextBump = Date.now() + policy.bumpAfterMs;
        const fresh = await this.estimateFees().catch((error: unknown) =>
          error instanceof FeeCapExceededError ? { maxFeePerGas: policy.maxFeePerGas, maxPriorityFeePerGas: 0n } : fees,
        );
        const raised = this.#bumped(fees, fresh);
        if (raised === undefined) {
          atCap = true;
          this.#o.log?.warn({ nonce, maxFeePerGas: fees.maxFeePerGas }, "transaction unmined at the fee cap; waiting");
        } else {
          try {
            const hash = await this.#broadcast(request, nonce, raised);
            if (!hashes.includes(hash)) hashes.push(hash);
            this.#o.onBump?.({ nonce, from: fees, to: raised, hash });
            this.#o.log?.info(
              { nonce, hash, maxFeePerGas: raised.maxFeePerGas, maxPriorityFeePerGas: raised.maxPriorityFeePerGas },
              "replaced an unmined transaction with higher fees",
            );
            fees = raised;
            bumps++;
          } catch (error) {
            // "nonce too low": one of our broadcasts was mined meanwhile (the loop finds its receipt next round).
            // An underpriced replacement (a node with stricter rules) is retried at the next bump.
            if (!isNonceTooLow(error) && !isUnderpricedReplacement(error)) {
              this.#o.onRpcError?.("sendRawTransaction(replacement)");
            }
            this.#o.log?.warn({ nonce, error: text(error).slice(0, 200) }, "replacement not accepted");
          }
        }
      }
      await sleep(policy.pollIntervalMs);
    }
    const receipt = await this.#receipt(hashes).catch(() => undefined);
    if (receipt !== undefined) return { receipt, nonce, hashes, bumps };
    this.#stuck.push({ nonce, fees });
    this.#stuck.sort((a, b) => a.nonce - b.nonce);
    throw new TransactionStuckError(this.#o.domain, nonce, hashes, fees.maxFeePerGas);
  }
}
