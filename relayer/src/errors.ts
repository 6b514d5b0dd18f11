/**
 * Typed errors of the attester node and the relayer. Every error has a stable `code`; callers branch on the class,
 * logs and the CLI print `code: message`. The errors of the shared node layer (config, keys, store, requests, the Koii
 * round) are node-kit's and re-exported here; all share one root class (RelayerError is node-kit's NodeError).
 */
import { NodeError } from "@maskoii/node-kit";

export {
  ConfigReadFailedError,
  describeError,
  InvalidBindingRecordError,
  InvalidConfigError,
  InvalidKoiiArtefactError,
  KeystoreKindMismatchError,
  KeystoreMalformedError,
  KeystoreWrongPasswordError,
  NodeError,
  RequestRejectedError,
  SecretUnavailableError,
  StoreError,
} from "@maskoii/node-kit";

export type RelayerErrorCode =
  | "InvalidConfig"
  | "ConfigReadFailed"
  | "KeystoreMalformed"
  | "KeystoreWrongPassword"
  | "KeystoreKindMismatch"
  | "SecretUnavailable"
  | "InvalidBindingRecord"
  | "SigningConflict"
  | "RotationConflict"
  | "NotAnAttester"
  | "UnknownChain"
  | "ChainRpcFailed"
  | "DeliveryReverted"
  | "StoreFailed"
  | "FeeCapExceeded"
  | "TransactionStuck"
  | "NonceConsumed"
  | "AlreadyDelivered"
  | "BatchUnsupported"
  | "UnknownAttesterSet"
  | "SolanaDeploymentMismatch"
  | "SolanaProgramFailed"
  | "TransactionExpired"
  | "InvalidKoiiArtefact"
  | "InsufficientFunds"
  | "BlockGasLimitExceeded"
  | "DeliveryRefused"
  | "RequestRejected"
  | "RpcDisagreement"
  | "RefundRefused"
  | "RefundConflict"
  | "RefundFailed"
  | "AttesterRequestFailed"
  | "AttesterAuthRefused"
  | "MalformedChainAnswer";

/** The root of every node error (node-kit's `NodeError`): the relayer's errors and node-kit's share one class. */
export const RelayerError = NodeError;
export type RelayerError = NodeError;

/**
 * The signing journal already holds another message id for this (origin, nonce): signing would equivocate
 * (docs/protocol.md §6), so the attester refuses.
 */
export class SigningConflictError extends RelayerError {
  override name = "SigningConflictError";
  readonly origin: number;
  readonly nonce: bigint;
  readonly journaled: string;
  readonly requested: string;
  constructor(origin: number, nonce: bigint, journaled: string, requested: string) {
    super(
      "SigningConflict",
      `refusing to sign ${requested}: (origin ${origin}, nonce ${nonce}) is journaled as ${journaled}`,
    );
    this.origin = origin;
    this.nonce = nonce;
    this.journaled = journaled;
    this.requested = requested;
  }
}

/** The rotation journal already holds another next-set hash for this (domain, verifier, set id). */
export class RotationConflictError extends RelayerError {
  override name = "RotationConflictError";
  constructor(domain: number, setId: bigint, journaled: string, requested: string) {
    super(
      "RotationConflict",
      `refusing to sign rotation ${requested} of set ${setId} on domain ${domain}: already signed ${journaled}`,
    );
  }
}

/** The node's attesting key is not a member of the destination's current set. */
export class NotAnAttesterError extends RelayerError {
  override name = "NotAnAttesterError";
  constructor(address: string, domain: number, setId: bigint) {
    super("NotAnAttester", `${address} is not a member of set ${setId} on domain ${domain}`);
  }
}

/** No chain of the config serves this domain. */
export class UnknownChainError extends RelayerError {
  override name = "UnknownChainError";
  readonly domain: number;
  constructor(domain: number) {
    super("UnknownChain", `no configured chain for domain ${domain}`);
    this.domain = domain;
  }
}

/** An RPC call failed. */
export class ChainRpcError extends RelayerError {
  override name = "ChainRpcError";
  constructor(domain: number, what: string, cause: unknown) {
    super("ChainRpcFailed", `domain ${domain}: ${what} failed: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
      retryable: true,
    });
  }
}

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

/** The destination holds no attester set with this id. */
export class UnknownAttesterSetError extends RelayerError {
  override name = "UnknownAttesterSetError";
  constructor(domain: number, setId: bigint) {
    super("UnknownAttesterSet", `domain ${domain} has no attester set ${setId}`, { retryable: true });
  }
}

/** The Solana endpoint does not serve the configured maskoii program as this domain (missing, not initialized, other domain). */
export class SolanaDeploymentMismatchError extends RelayerError {
  override name = "SolanaDeploymentMismatchError";
  constructor(domain: number, problem: string) {
    super("SolanaDeploymentMismatch", `domain ${domain}: ${problem}`);
  }
}

/**
 * A Solana transaction failed with an error of the maskoii program (or of Anchor inside it, or of the recipient):
 * `errorName` is the program's name for it (`AttesterSetExpired`, `InsufficientWeight`, ...).
 */
export class SolanaProgramFailedError extends RelayerError {
  override name = "SolanaProgramFailedError";
  readonly errorName: string;
  constructor(domain: number, what: string, errorName: string, cause?: unknown) {
    super("SolanaProgramFailed", `domain ${domain}: ${what} failed: ${errorName}`, { cause, retryable: true });
    this.errorName = errorName;
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

/**
 * The RPC providers of one origin chain do not agree on what it shows (chains/quorum.ts): nothing of the range is
 * recorded or signed until `quorum` of them agree.
 */
export class RpcDisagreementError extends RelayerError {
  override name = "RpcDisagreementError";
  readonly domain: number;
  constructor(domain: number, what: string, detail: string) {
    super("RpcDisagreement", `domain ${domain}: RPC providers disagree on ${what}: ${detail}`, { retryable: true });
    this.domain = domain;
  }
}

/** An attester endpoint answered a relayer's request with an HTTP error (not an authentication refusal). */
export class AttesterRequestFailedError extends RelayerError {
  override name = "AttesterRequestFailedError";
  readonly endpoint: string;
  readonly status: number;
  constructor(endpoint: string, status: number, detail: string | undefined) {
    super("AttesterRequestFailed", `HTTP ${status}${detail === undefined ? "" : `: ${detail}`}`, {
      retryable: status === 429 || status >= 500,
    });
    this.endpoint = endpoint;
    this.status = status;
  }
}

/**
 * An attester with relayer authentication (attester.auth) refused this relayer: 401 (no identity configured, or a
 * signature it does not accept: clock skew, replay) or 403 (this relayer's key is not on its allow-list). Nothing the
 * relayer retries fixes it; the operator of either side must act.
 */
export class AttesterAuthRefusedError extends RelayerError {
  override name = "AttesterAuthRefusedError";
  readonly endpoint: string;
  readonly status: number;
  /** The relayer's base58 key, undefined when it has none (keys.identityKeystore not set). */
  readonly relayer: string | undefined;
  constructor(endpoint: string, status: number, relayer: string | undefined, detail: string) {
    const hint =
      relayer === undefined
        ? "this relayer signs no requests: set keys.identityKeystore (an ed25519 keystore) and have the node list its key"
        : status === 403
          ? `add ${relayer} to the node's attester.auth.relayers`
          : "check this host's clock and the relayer identity";
    super("AttesterAuthRefused", `attester ${endpoint} refused this relayer (HTTP ${status}): ${detail}; ${hint}`);
    this.endpoint = endpoint;
    this.status = status;
    this.relayer = relayer;
  }
}

/**
 * An attester will not sign a refund receipt for `messageId` (docs/protocol.md §8.1): the chains do not show what the
 * rules need (no final refund record, the origin does not show the transfer, the receipt would not match). `retry`:
 * the answer may change once more blocks are final (e.g. the origin's watcher is behind); false for a refusal that
 * stands (a delivery signature for this id, a forged or mismatched record).
 */
export class RefundRefusedError extends RelayerError {
  override name = "RefundRefusedError";
  readonly messageId: string;
  readonly reason: string;
  readonly retry: boolean;
  constructor(messageId: string, reason: string, retry: boolean) {
    super("RefundRefused", `refusing to sign a refund of ${messageId}: ${reason}`);
    this.messageId = messageId;
    this.reason = reason;
    this.retry = retry;
  }
}

/** The refund journal already holds another receipt for this (origin, nonce): at most one refund per nonce. */
export class RefundConflictError extends RelayerError {
  override name = "RefundConflictError";
  constructor(origin: number, nonce: bigint, journaled: string, requested: string) {
    super(
      "RefundConflict",
      `refusing to sign refund ${requested}: (origin ${origin}, nonce ${nonce}) already has refund ${journaled}`,
    );
  }
}

/** Submitting a refund on its origin failed (no quorum, a revert other than AlreadyRefunded, a paused origin). */
export class RefundFailedError extends RelayerError {
  override name = "RefundFailedError";
  readonly messageId: string;
  constructor(messageId: string, reason: string) {
    super("RefundFailed", `refund of ${messageId}: ${reason}`);
    this.messageId = messageId;
  }
}

/** A chain's RPC answered something that is not what the call returns (e.g. a transaction signature of the wrong size). */
export class MalformedChainAnswerError extends RelayerError {
  override name = "MalformedChainAnswerError";
  constructor(what: string, value: string) {
    // Another provider, or the same one later, may answer properly.
    super("MalformedChainAnswer", `malformed ${what} from the chain: ${value}`, { retryable: true });
  }
}
