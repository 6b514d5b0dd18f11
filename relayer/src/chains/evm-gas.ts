// Gas limits for `deliverBatch` without eth_estimateGas. On a node, estimateGas re-executes the whole batch several
// times (a binary search): for a 128-message batch on hardhat it took ~60% of the delivery's time. The gas a batch
// needs is nearly linear in its size, so the limit is modelled from what earlier batches of this destination really
// used: intrinsic gas + the exact calldata cost + a fixed part (attestation check, and the floor + reserve the
// gateway demands before every recipient call) + the learned execution gas per message, with a margin.
//
// Safety: a modelled limit that is too low makes the transaction revert (the gateway refuses to call a recipient
// with less than RECIPIENT_GAS_FLOOR + RECIPIENT_GAS_RESERVE left, so a short limit never marks a message failed
// that estimateGas would have delivered). The adapter checks every receipt: a modelled transaction that reverted is
// retried at once with estimateGas, and the model forgets what it learned (the next batch is estimated again).
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

/** Learns the execution gas per message of one destination's batches from their receipts. */
export class BatchGasModel {
  readonly #samples: bigint[] = [];

  /** Execution gas per message (the maximum of the recent batches), or undefined before any batch was measured. */
  get perMessage(): bigint | undefined {
    if (this.#samples.length === 0) return undefined;
    let max = 0n;
    for (const sample of this.#samples) if (sample > max) max = sample;
    return max;
  }

  /** A gas limit for a batch of `count` messages whose calldata costs `calldata` gas, or undefined: estimate it. */
  limit(count: number, calldata: bigint): bigint | undefined {
    const per = this.perMessage;
    if (per === undefined || count <= 0) return undefined;
    const perWithMargin = (per * (100n + PER_MESSAGE_MARGIN_PERCENT) + 99n) / 100n;
    return TX_BASE_GAS + calldata + BATCH_FIXED_GAS + BigInt(count) * perWithMargin;
  }

  /** Records a mined, successful batch: its execution gas beyond intrinsic and calldata cost, per message. */
  learn(count: number, calldata: bigint, gasUsed: bigint): void {
    if (count <= 0) return;
    const execution = gasUsed - TX_BASE_GAS - calldata;
    if (execution <= 0n) return;
    this.#samples.push((execution + BigInt(count) - 1n) / BigInt(count));
    if (this.#samples.length > WINDOW) this.#samples.shift();
  }

  /** A modelled limit was too low (or the batch reverted for another reason): estimate again until re-learned. */
  forget(): void {
    this.#samples.length = 0;
  }
}
