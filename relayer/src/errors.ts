/**
 * Typed errors of the attester node and the relayer, one file per area in errors/ (signing, chain, delivery, attester,
 * refund). Every error has a stable `code`; callers branch on the class,
 * logs and the CLI print `code: message`. The errors of the shared node layer (config, keys, store, requests, the Koii
 * round) are node-kit's and re-exported here; all share one root class (RelayerError is node-kit's NodeError).
 */

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

export * from "./errors/attester.ts";
export * from "./errors/chain.ts";
export * from "./errors/delivery.ts";
export * from "./errors/refund.ts";
export { RelayerError } from "./errors/root.ts";
export * from "./errors/signing.ts";
