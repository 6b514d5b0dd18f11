/**
 * Typed errors of the attester node and the relayer, one file per area in errors/ (signing, chain, delivery, attester,
 * refund). Every error has a stable `code` and says whether waiting helps (`retryable`); logs and the CLI print
 * `code: message`. The errors of the shared node layer (config, keys, store, requests, the Koii
 * round) are node-kit's and re-exported here; all share one root class (RelayerError is node-kit's NodeError).
 */

import type { NodeErrorCode } from "@maskoii/node-kit";

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
  type NodeErrorCode,
  RequestRejectedError,
  SecretUnavailableError,
  StoreError,
} from "@maskoii/node-kit";

/** Every code a relayer or attester error carries: node-kit's, and the relayer's own. */
export type RelayerErrorCode =
  | NodeErrorCode
  | "SigningConflict"
  | "RotationConflict"
  | "NotAnAttester"
  | "UnknownChain"
  | "ChainRpcFailed"
  | "DeliveryReverted"
  | "FeeCapExceeded"
  | "TransactionStuck"
  | "NonceConsumed"
  | "AlreadyDelivered"
  | "BatchUnsupported"
  | "UnknownAttesterSet"
  | "SolanaDeploymentMismatch"
  | "SolanaProgramFailed"
  | "TransactionExpired"
  | "InsufficientFunds"
  | "BlockGasLimitExceeded"
  | "DeliveryRefused"
  | "RpcDisagreement"
  | "RefundRefused"
  | "RefundConflict"
  | "RefundFailed"
  | "AttesterRequestFailed"
  | "AttesterAuthRefused"
  | "MalformedChainAnswer"
  | "AggregatorRequestFailed"
  | "ReportTransactionFailed";

export * from "./errors/attester.ts";
export * from "./errors/chain.ts";
export * from "./errors/delivery.ts";
export * from "./errors/refund.ts";
export * from "./errors/reports.ts";
export { RelayerError } from "./errors/root.ts";
export * from "./errors/signing.ts";
