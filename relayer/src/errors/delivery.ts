// Relayer and attester errors: delivery transactions.
import { RelayerError } from "./root.ts";

/** A delivery transaction was mined but reverted. */
export class DeliveryRevertedError extends RelayerError {
  override name = "DeliveryRevertedError";
  constructor(domain: number, txHash: string) {
    super("DeliveryReverted", `delivery on domain ${domain} reverted (tx ${txHash})`, { retryable: true });
  }
}

/** The message already has a delivery record on the destination (a racing relayer, or a replay): skip it. */
export class AlreadyDeliveredError extends RelayerError {
  override name = "AlreadyDeliveredError";
  readonly domain: number;
  readonly messageId: string;
  constructor(domain: number, messageId: string) {
    super("AlreadyDelivered", `message ${messageId} is already delivered on domain ${domain}`);
    this.domain = domain;
    this.messageId = messageId;
  }
}

/** The destination has no batch delivery (Solana: one message per `deliver`); deliver one by one. */
export class BatchUnsupportedError extends RelayerError {
  override name = "BatchUnsupportedError";
  constructor(domain: number) {
    super("BatchUnsupported", `domain ${domain} has no batch delivery; deliver messages one by one`);
  }
}

/** A transaction was not confirmed before its blockhash expired, even after raising its priority fee. */
export class TransactionExpiredError extends RelayerError {
  override name = "TransactionExpiredError";
  readonly domain: number;
  readonly attempts: number;
  /** The compute-unit price of the last attempt (micro-lamports), when known. */
  readonly microLamports: number | undefined;
  constructor(domain: number, what: string, attempts: number, microLamports?: number) {
    super(
      "TransactionExpired",
      `domain ${domain}: ${what} expired unconfirmed after ${attempts} attempts${microLamports === undefined ? "" : `, last price ${microLamports} micro-lamports/CU`}`,
      { retryable: true },
    );
    this.domain = domain;
    this.attempts = attempts;
    this.microLamports = microLamports;
  }
}

/** The chain's base fee is above the configured maxFeePerGas cap: a transaction sent now would sit unmined. */
export class FeeCapExceededError extends RelayerError {
  override name = "FeeCapExceededError";
  readonly domain: number;
  readonly baseFeePerGas: bigint;
  readonly cap: bigint;
  constructor(domain: number, baseFeePerGas: bigint, cap: bigint) {
    super(
      "FeeCapExceeded",
      `domain ${domain}: underpriced: base fee ${baseFeePerGas} wei is above the maxFeePerGas cap ${cap} wei; not sending`,
      { retryable: true },
    );
    this.domain = domain;
    this.baseFeePerGas = baseFeePerGas;
    this.cap = cap;
  }
}

/**
 * A transaction was not mined before the receipt timeout, even after fee bumps (at the cap). Its nonce is reused
 * (replaced) by the account's next transaction, so it cannot block the account.
 */
export class TransactionStuckError extends RelayerError {
  override name = "TransactionStuckError";
  readonly domain: number;
  readonly nonce: number;
  readonly hashes: readonly string[];
  /** The fee cap of the last broadcast, in wei. */
  readonly maxFeePerGas: bigint;
  constructor(domain: number, nonce: number, hashes: readonly string[], maxFeePerGas: bigint) {
    super(
      "TransactionStuck",
      `domain ${domain}: underpriced transaction: nonce ${nonce} not mined after ${hashes.length} broadcast(s), last maxFeePerGas ${maxFeePerGas} wei (last tx ${hashes.at(-1)})`,
      { retryable: true },
    );
    this.domain = domain;
    this.nonce = nonce;
    this.hashes = hashes;
    this.maxFeePerGas = maxFeePerGas;
  }
}

/** Another transaction of the same account (another process holding the key) took our nonce. */
export class NonceConsumedError extends RelayerError {
  override name = "NonceConsumedError";
  constructor(domain: number, nonce: number) {
    super("NonceConsumed", `domain ${domain}: nonce ${nonce} was used by a transaction this relayer did not send`, {
      retryable: true,
    });
  }
}

/**
 * The paying account cannot pay for a transaction (balance below gas × fee + value): an operator alert, not a defect of
 * the message. The relayer backs off on that chain without charging messages an attempt.
 */
export class InsufficientFundsError extends RelayerError {
  override name = "InsufficientFundsError";
  readonly domain: number;
  readonly account: string;
  constructor(domain: number, account: string, cause?: unknown) {
    super(
      "InsufficientFunds",
      `domain ${domain}: the paying account ${account} has insufficient funds for the transaction; fund it`,
      { cause, retryable: true },
    );
    this.domain = domain;
    this.account = account;
  }
}

/** A transaction (a batch) needs more gas than a block (or the chain's per-transaction cap) holds: split it. */
export class BlockGasLimitExceededError extends RelayerError {
  override name = "BlockGasLimitExceededError";
  readonly domain: number;
  readonly gas: bigint | undefined;
  constructor(domain: number, gas: bigint | undefined, cause?: unknown) {
    super(
      "BlockGasLimitExceeded",
      `domain ${domain}: the transaction${gas === undefined ? "" : ` (gas ${gas})`} exceeds the block gas limit`,
      { cause, retryable: true },
    );
    this.domain = domain;
    this.gas = gas;
  }
}

/**
 * The destination refuses the delivery in simulation (nothing was sent): `reason` is the gateway's error with its
 * arguments, e.g. `InvalidRecipient(0x...)`. `permanent` when it depends only on the message (an invalid EVM
 * recipient, a wrong destination, a malformed message): retrying can never help, the message is failed at once.
 */
export class DeliveryRefusedError extends RelayerError {
  override name = "DeliveryRefusedError";
  readonly domain: number;
  readonly reason: string;
  readonly permanent: boolean;
  constructor(domain: number, what: string, reason: string, permanent: boolean, cause?: unknown) {
    super(
      "DeliveryRefused",
      `domain ${domain}: ${what} refused by the destination: ${reason}${permanent ? " (permanent: the message can never be delivered)" : ""}`,
      { cause, retryable: !permanent },
    );
    this.domain = domain;
    this.reason = reason;
    this.permanent = permanent;
  }
}
