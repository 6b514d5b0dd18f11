// A failed delivery attempt as data for the store (DeliveryFailure): the typed error's code and the numbers it
// carries, so that `maskoii doctor` can name an underpriced transaction's fee cap and base fee without parsing text.
import {
  BlockGasLimitExceededError,
  DeliveryRefusedError,
  DeliveryRevertedError,
  FeeCapExceededError,
  InsufficientFundsError,
  RelayerError,
  TransactionExpiredError,
  TransactionStuckError,
} from "./errors.ts";
import type { DeliveryFailure } from "./store/types.ts";

/** The failure of `error` (null when there is none, e.g. a wait for quorum or an unpause). */
export function failureOf(error: unknown): DeliveryFailure | null {
  if (error === undefined || error === null) return null;
  if (error instanceof FeeCapExceededError) {
    return {
      code: error.code,
      facts: { domain: String(error.domain), baseFeePerGas: String(error.baseFeePerGas), cap: String(error.cap) },
    };
  }
  if (error instanceof TransactionStuckError) {
    return {
      code: error.code,
      facts: {
        domain: String(error.domain),
        nonce: String(error.nonce),
        maxFeePerGas: String(error.maxFeePerGas),
        broadcasts: String(error.hashes.length),
        ...(error.hashes.at(-1) === undefined ? {} : { lastTx: String(error.hashes.at(-1)) }),
      },
    };
  }
  if (error instanceof TransactionExpiredError) {
    return {
      code: error.code,
      facts: {
        domain: String(error.domain),
        attempts: String(error.attempts),
        ...(error.microLamports === undefined ? {} : { microLamports: String(error.microLamports) }),
      },
    };
  }
  if (error instanceof DeliveryRefusedError) {
    return {
      code: error.code,
      facts: { domain: String(error.domain), reason: error.reason, permanent: String(error.permanent) },
    };
  }
  if (error instanceof InsufficientFundsError) {
    return { code: error.code, facts: { domain: String(error.domain), account: error.account } };
  }
  if (error instanceof RelayerError) return { code: error.code, facts: {} };
  return { code: "Unexpected", facts: {} };
}

/** The destination refused because it is paused (EnforcedPause): every message waits, none is at fault. */
export function pausedRefusal(error: unknown): boolean {
  return error instanceof DeliveryRefusedError && error.reason.startsWith("EnforcedPause");
}

/** Failures of a batch as a whole that splitting it can isolate (a message in it causes them). */
export function splittable(
  error: unknown,
): error is DeliveryRefusedError | DeliveryRevertedError | BlockGasLimitExceededError {
  return (
    error instanceof DeliveryRefusedError ||
    error instanceof DeliveryRevertedError ||
    error instanceof BlockGasLimitExceededError
  );
}
