// Gas limits for `deliverBatch` without eth_estimateGas. On a node, estimateGas re-executes the whole batch several
// times (a binary search): for a 128-message batch on hardhat it took ~60% of the delivery's time. The gas a batch
// needs is nearly linear in its size, so the limit is modelled from what earlier batches of this destination really
// used: intrinsic gas + the exact calldata cost + a fixed part (attestation check, and the floor + reserve the
// gateway demands before every recipient call) + the learned execution gas per message, with a margin.
//
// Safety: a modelled limit that is too low makes the transaction revert (the gateway refuses to call a recipient
// with less than RECIPIENT_GAS_FLOOR + RECIPIENT_GAS_RESERVE left, so a short limit never marks a message failed
// that estimateGas would have delivered). The adapter checks every receipt: a modelled transaction that reverted is
// retried at once with estimateGas; when the estimate works the model was too low and forgets what it learned (the
// next batch is estimated again); when the estimate reverts too, the batch is defective (a hostile message) and the
// model is kept (the relayer splits the batch). Poisoning is bounded: see BatchGasModel.
import type { Hex } from "viem";

/** Intrinsic gas of a transaction. */
const TX_BASE_GAS = 21_000n;
/**
 * Fixed execution gas of a batch beyond its messages: the attestation check (set reads, one ecrecover per signer)
 * and the RECIPIENT_GAS_FLOOR + RECIPIENT_GAS_RESERVE (140,000) the gateway wants left before the last recipient
 * call, with room to spare.
 */
export const BATCH_FIXED_GAS = 300_000n;
/**
 * Margin on the learned per-message gas, in percent: receipts show gas used after refunds (at most a fifth of it),
 * and recipients' costs vary with their state (a cold bitmap word, a fresh token account).
 */
const PER_MESSAGE_MARGIN_PERCENT = 50n;
/** How many recent batches the per-message figure is the maximum of (a heavier recipient raises it at once). */
const WINDOW = 16;

/** EIP-2028 calldata cost of `data`: 4 gas per zero byte, 16 per other byte. */
export function calldataGas(data: Hex): bigint {
  const bytes = Buffer.from(data.slice(2), "hex");
  let zero = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) zero++;
  return BigInt(zero * 4 + (bytes.length - zero) * 16);
}

export type BatchGasModelOptions = {
  /** Most execution gas per message a sample may claim (a heavier batch is learned as this). */
  readonly maxPerMessage?: bigint;
  /** A sample older than this (ms) no longer counts: the model decays back to what recent batches used. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
};

/**
 * Default bound on the learned execution gas per message. An honest recipient (a token credit, a counter) uses a
 * few ten thousand; a recipient that burns whatever it is given must not teach the model more than this.
 */
export const DEFAULT_MAX_GAS_PER_MESSAGE = 500_000n;
/** Default age after which a sample is dropped (10 minutes). */
export const DEFAULT_SAMPLE_MAX_AGE_MS = 600_000;

/**
 * Learns the execution gas per message of one destination's batches from their receipts. It cannot be poisoned by
 * one recipient: a batch in which a recipient failed (a gas burner fails out of gas) is not learned from at all, a
 * sample is bounded by `maxPerMessage`, and samples expire after `maxAgeMs` (and after WINDOW newer batches).
 */
export class BatchGasModel {
  readonly #samples: { gas: bigint; at: number }[] = [];
  readonly maxPerMessage: bigint;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: BatchGasModelOptions = {}) {
    this.maxPerMessage = options.maxPerMessage ?? DEFAULT_MAX_GAS_PER_MESSAGE;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_SAMPLE_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Execution gas per message (the maximum of the recent batches), or undefined before any batch was measured. */
  get perMessage(): bigint | undefined {
    const oldest = this.#now() - this.#maxAgeMs;
    while (this.#samples.length > 0 && (this.#samples[0]?.at ?? 0) < oldest) this.#samples.shift();
    if (this.#samples.length === 0) return undefined;
    let max = 0n;
    for (const sample of this.#samples) if (sample.gas > max) max = sample.gas;
    return max;
  }

  /** A gas limit for a batch of `count` messages whose calldata costs `calldata` gas, or undefined: estimate it. */
  limit(count: number, calldata: bigint): bigint | undefined {
    const per = this.perMessage;
    if (per === undefined || count <= 0) return undefined;
    const perWithMargin = (per * (100n + PER_MESSAGE_MARGIN_PERCENT) + 99n) / 100n;
    return TX_BASE_GAS + calldata + BATCH_FIXED_GAS + BigInt(count) * perWithMargin;
  }

  /**
   * The most gas a batch of `count` messages may take before it is split instead of sent (`maxPerMessage` each): an
   * estimate above it means some recipient takes far more than an honest one (e.g. a gas burner early in the batch,
   * which makes every later recipient call need 64 times its floor).
   */
  bound(count: number, calldata: bigint): bigint {
    return TX_BASE_GAS + calldata + BATCH_FIXED_GAS + BigInt(Math.max(1, count)) * this.maxPerMessage;
  }

  /**
   * Records a mined, successful batch: its execution gas beyond intrinsic and calldata cost, per message, bounded by
   * `maxPerMessage`. A batch with `failed` recipients is not learned from (returns false).
   */
  learn(count: number, calldata: bigint, gasUsed: bigint, failed = 0): boolean {
    if (count <= 0 || failed > 0) return false;
    const execution = gasUsed - TX_BASE_GAS - calldata;
    if (execution <= 0n) return false;
    const per = (execution + BigInt(count) - 1n) / BigInt(count);
    this.#samples.push({ gas: per < this.maxPerMessage ? per : this.maxPerMessage, at: this.#now() });
    if (this.#samples.length > WINDOW) this.#samples.shift();
    return true;
  }

  /** A modelled limit was too low (the estimate says the batch needs more): estimate again until re-learned. */
  forget(): void {
    this.#samples.length = 0;
  }
}
