/**
 * Typed errors of the protocol encodings. Every error the sdk root throws is a `MaskoiiError` (a `BaseError`) with a
 * stable `code`. Where the contracts reject the same input, the code is the Solidity custom error's name
 * (`MessageTooShort`, `SignatureMalleable`, `AmountTooSmall`, ...), so that negative vectors and logs line up across
 * languages. The classes live by area beside this file; `index.ts` exports them all.
 */
import { BaseError } from "./base.ts";

export type MaskoiiErrorCode =
  // generic input
  | "InvalidHex"
  | "InvalidBytes32"
  | "InvalidAddress"
  | "FieldOutOfRange"
  | "AddressUpperBytesNonZero"
  // domains
  | "UnknownDomain"
  | "UnknownChainId"
  | "AmbiguousChainId"
  | "NotEvmDomain"
  // messages (Message.sol)
  | "MessageTooShort"
  | "UnsupportedVersion"
  | "PayloadTooLong"
  // attestations (AttesterSet.sol, SignatureLib.sol)
  | "MalformedAttestation"
  | "NoSignatures"
  | "DuplicateSigner"
  | "SignersOutOfOrder"
  | "InvalidSignatureV"
  | "SignatureMalleable"
  | "ZeroAddressSigner"
  | "UnknownSigner"
  // signing (SDK only)
  | "InvalidPrivateKey"
  | "SignerNotInSet"
  | "SignerKeyMismatch"
  // merkle (SDK only)
  | "EmptyBatch"
  | "LeafIndexOutOfRange"
  // attester sets (AttesterSet.sol)
  | "EmptyAttesterSet"
  | "TooManyAttesters"
  | "AttesterWeightsLengthMismatch"
  | "InvalidThreshold"
  | "ZeroAddressAttester"
  | "AttestersNotSorted"
  | "ZeroAttesterWeight"
  | "TotalWeightOverflow"
  | "InvalidSetId"
  // tokens (TokenMessage.sol, Amounts.sol)
  | "TokenMessageInvalidLength"
  | "TokenMessageUnknownKind"
  | "DistributionMessageInvalidLength"
  // refund receipts (RefundReceipt.sol)
  | "RefundReceiptInvalidLength"
  | "RefundReceiptUnknownVersion"
  | "InvalidDecimals"
  | "AmountTooSmall"
  | "AmountExceedsWireLimit"
  // revenue (RevenueCodec.sol; the rest SDK only)
  | "UnknownPlatform"
  | "InvalidAccountId"
  | "DuplicatePayoutLeaf"
  | "DuplicatePayoutSlot"
  | "InvalidPayoutProof"
  | "PayoutLeafNotFound"
  | "InvalidRevenueJson"
  | "RevenueCallReverted"
  | "RevenueWalletMissing"
  // config
  | "DeploymentReadFailed"
  | "InvalidDeployment"
  // sealed payloads (SDK only)
  | "InvalidSealKey"
  | "SealedPayloadMalformed"
  | "SealedPayloadUnopenable";

/** Base class of every error thrown by `@maskoii/sdk` (not retryable: the same input fails the same way). */
export class MaskoiiError extends BaseError<MaskoiiErrorCode> {
  override name = "MaskoiiError";

  constructor(code: MaskoiiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { cause: options?.cause, retryable: false });
  }
}

/** A short rendering of a bad input value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return value.length > 80 ? `"${value.slice(0, 77)}..."` : `"${value}"`;
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}
