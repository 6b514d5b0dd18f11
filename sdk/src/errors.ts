/**
 * Typed errors. Every error the SDK throws is a `MaskoiiError` subclass with a stable `code`. Where the contracts
 * reject the same input, the code is the Solidity custom error's name (`MessageTooShort`, `SignatureMalleable`,
 * `AmountTooSmall`, ...), so that negative vectors and logs line up across languages.
 */

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
  // config
  | "DeploymentReadFailed"
  | "InvalidDeployment"
  // sealed payloads (SDK only)
  | "InvalidSealKey"
  | "SealedPayloadMalformed"
  | "SealedPayloadUnopenable";

/** Base class of every error thrown by `@maskoii/sdk`. */
export class MaskoiiError extends Error {
  override name = "MaskoiiError";
  readonly code: MaskoiiErrorCode;

  constructor(code: MaskoiiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// generic input

/** A value that should be a 0x-prefixed, even-length hex string is not. */
export class InvalidHexError extends MaskoiiError {
  override name = "InvalidHexError";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidHex", `${field}: expected 0x-prefixed even-length hex, got ${describe(value)}`);
    this.field = field;
  }
}

/** A value that should be exactly 32 bytes of hex is not. */
export class InvalidBytes32Error extends MaskoiiError {
  override name = "InvalidBytes32Error";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidBytes32", `${field}: expected 32 bytes of 0x-prefixed hex, got ${describe(value)}`);
    this.field = field;
  }
}

/** A value that should be a 20-byte EVM address (with a valid checksum if mixed-case) is not. */
export class InvalidAddressError extends MaskoiiError {
  override name = "InvalidAddressError";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidAddress", `${field}: expected a 20-byte address, got ${describe(value)}`);
    this.field = field;
  }
}

/** A numeric field is not an integer in its type's range. */
export class FieldOutOfRangeError extends MaskoiiError {
  override name = "FieldOutOfRangeError";
  readonly field: string;
  readonly min: bigint;
  readonly max: bigint;
  constructor(field: string, value: unknown, min: bigint, max: bigint) {
    super("FieldOutOfRange", `${field}: expected an integer in [${min}, ${max}], got ${describe(value)}`);
    this.field = field;
    this.min = min;
    this.max = max;
  }
}

/** A 32-byte value has non-zero upper 12 bytes, so it is not a left-padded EVM address. */
export class AddressUpperBytesNonZeroError extends MaskoiiError {
  override name = "AddressUpperBytesNonZeroError";
  constructor(value: string) {
    super("AddressUpperBytesNonZero", `bytes32 ${value} is not a left-padded EVM address (upper 12 bytes non-zero)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// domains

/** The domain id is not in the registry (domain 0 never is). */
export class UnknownDomainError extends MaskoiiError {
  override name = "UnknownDomainError";
  readonly domain: number;
  constructor(domain: number) {
    super("UnknownDomain", `unknown maskoii domain ${domain}`);
    this.domain = domain;
  }
}

/** No EVM domain of the registry runs on this chain id. */
export class UnknownChainIdError extends MaskoiiError {
  override name = "UnknownChainIdError";
  readonly chainId: number;
  constructor(chainId: number) {
    super("UnknownChainId", `no maskoii domain for EVM chain id ${chainId}`);
    this.chainId = chainId;
  }
}

/** More than one EVM domain runs on this chain id, so the chain id alone does not name a domain. */
export class AmbiguousChainIdError extends MaskoiiError {
  override name = "AmbiguousChainIdError";
  readonly chainId: number;
  readonly domains: readonly number[];
  constructor(chainId: number, domains: readonly number[]) {
    super("AmbiguousChainId", `EVM chain id ${chainId} hosts several maskoii domains: ${domains.join(", ")}`);
    this.chainId = chainId;
    this.domains = domains;
  }
}

/** An EVM-only operation was asked of a non-EVM domain. */
export class NotEvmDomainError extends MaskoiiError {
  override name = "NotEvmDomainError";
  readonly domain: number;
  constructor(domain: number, family: string) {
    super("NotEvmDomain", `maskoii domain ${domain} is a ${family} domain, not evm`);
    this.domain = domain;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// messages (spec §2)

/** The message is shorter than its 81-byte header. */
export class MessageTooShortError extends MaskoiiError {
  override name = "MessageTooShortError";
  readonly length: number;
  constructor(length: number) {
    super("MessageTooShort", `message of ${length} bytes is shorter than the 81-byte header`);
    this.length = length;
  }
}

/** The message's version byte is not 1. */
export class UnsupportedVersionError extends MaskoiiError {
  override name = "UnsupportedVersionError";
  readonly version: number;
  constructor(version: number) {
    super("UnsupportedVersion", `unsupported message version ${version}`);
    this.version = version;
  }
}

/** The payload is longer than 4096 bytes. */
export class PayloadTooLongError extends MaskoiiError {
  override name = "PayloadTooLongError";
  readonly length: number;
  constructor(length: number) {
    super("PayloadTooLong", `payload of ${length} bytes exceeds 4096 bytes`);
    this.length = length;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// attestations (spec §3, §4); codes are the AttesterSet / SignatureLib error names

/** An encoded attestation's length is not 8 + 66k. */
export class MalformedAttestationError extends MaskoiiError {
  override name = "MalformedAttestationError";
  readonly length: number;
  constructor(length: number) {
    super("MalformedAttestation", `attestation of ${length} bytes is not 8 + 66k bytes`);
    this.length = length;
  }
}

/** An attestation carries no signature (k = 0). */
export class NoSignaturesError extends MaskoiiError {
  override name = "NoSignaturesError";
  constructor() {
    super("NoSignatures", "an attestation needs at least one signature");
  }
}

/** A signer index equals the previous one. */
export class DuplicateSignerError extends MaskoiiError {
  override name = "DuplicateSignerError";
  readonly index: number;
  constructor(index: number) {
    super("DuplicateSigner", `signer index ${index} appears twice`);
    this.index = index;
  }
}

/** A signer index is below the previous one (indices must be strictly increasing). */
export class SignersOutOfOrderError extends MaskoiiError {
  override name = "SignersOutOfOrderError";
  readonly index: number;
  readonly previous: number;
  constructor(index: number, previous: number) {
    super("SignersOutOfOrder", `signer index ${index} follows ${previous}; indices must be strictly increasing`);
    this.index = index;
    this.previous = previous;
  }
}

/** A signature's v is not 27 or 28. */
export class InvalidSignatureVError extends MaskoiiError {
  override name = "InvalidSignatureVError";
  readonly v: number;
  constructor(v: number) {
    super("InvalidSignatureV", `signature v ${v} is not 27 or 28`);
    this.v = v;
  }
}

/** A signature's s is above n/2 (high-s signatures are rejected, never normalised). */
export class SignatureMalleableError extends MaskoiiError {
  override name = "SignatureMalleableError";
  readonly s: string;
  constructor(s: string) {
    super("SignatureMalleable", `signature s ${s} is above secp256k1 n/2`);
    this.s = s;
  }
}

/** A signature recovers to no key (the zero address). */
export class ZeroAddressSignerError extends MaskoiiError {
  override name = "ZeroAddressSignerError";
  constructor() {
    super("ZeroAddressSigner", "signature recovers to the zero address");
  }
}

/** The index is past the end of the set, or the recovered address is not the member at that index. */
export class UnknownSignerError extends MaskoiiError {
  override name = "UnknownSignerError";
  readonly index: number;
  readonly recovered: string;
  constructor(index: number, recovered: string) {
    super("UnknownSigner", `signature at index ${index} recovers to ${recovered}, not the member at that index`);
    this.index = index;
    this.recovered = recovered;
  }
}

/** A private key is not 32 bytes in [1, n-1]. */
export class InvalidPrivateKeyError extends MaskoiiError {
  override name = "InvalidPrivateKeyError";
  constructor() {
    super("InvalidPrivateKey", "private key must be 32 bytes of hex in [1, n-1]");
  }
}

/** A signing key given to `buildAttestation` belongs to no member of the set. */
export class SignerNotInSetError extends MaskoiiError {
  override name = "SignerNotInSetError";
  readonly signer: string;
  constructor(signer: string) {
    super("SignerNotInSet", `signer ${signer} is not a member of the attester set`);
    this.signer = signer;
  }
}

/** A key given for an address does not belong to that address. */
export class SignerKeyMismatchError extends MaskoiiError {
  override name = "SignerKeyMismatchError";
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super("SignerKeyMismatch", `key given for ${expected} belongs to ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// merkle (spec §5)

/** A batch must contain at least one message id. */
export class EmptyBatchError extends MaskoiiError {
  override name = "EmptyBatchError";
  constructor() {
    super("EmptyBatch", "a batch needs at least one message id");
  }
}

/** A proof was requested for a leaf index outside the batch. */
export class LeafIndexOutOfRangeError extends MaskoiiError {
  override name = "LeafIndexOutOfRangeError";
  readonly index: number;
  constructor(index: number, size: number) {
    super("LeafIndexOutOfRange", `leaf index ${index} is outside a batch of ${size}`);
    this.index = index;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// attester sets (spec §4); codes are the AttesterSet error names

/** An attester set needs at least one member. */
export class EmptyAttesterSetError extends MaskoiiError {
  override name = "EmptyAttesterSetError";
  constructor() {
    super("EmptyAttesterSet", "an attester set needs at least one member");
  }
}

/** An attester set has more than 128 members. */
export class TooManyAttestersError extends MaskoiiError {
  override name = "TooManyAttestersError";
  readonly count: number;
  constructor(count: number) {
    super("TooManyAttesters", `attester set of ${count} members; at most 128`);
    this.count = count;
  }
}

/** Attesters and weights have different lengths. */
export class AttesterWeightsLengthMismatchError extends MaskoiiError {
  override name = "AttesterWeightsLengthMismatchError";
  constructor(attesters: number, weights: number) {
    super("AttesterWeightsLengthMismatch", `${attesters} attesters but ${weights} weights`);
  }
}

/** thresholdBps must be in 5001..10000. */
export class InvalidThresholdError extends MaskoiiError {
  override name = "InvalidThresholdError";
  readonly thresholdBps: number;
  constructor(thresholdBps: number) {
    super("InvalidThreshold", `thresholdBps ${thresholdBps} is outside 5001..10000`);
    this.thresholdBps = thresholdBps;
  }
}

/** The zero address cannot be an attester. */
export class ZeroAddressAttesterError extends MaskoiiError {
  override name = "ZeroAddressAttesterError";
  constructor() {
    super("ZeroAddressAttester", "the zero address cannot be an attester");
  }
}

/** Attesters are not strictly ascending by address. */
export class AttestersNotSortedError extends MaskoiiError {
  override name = "AttestersNotSortedError";
  readonly index: number;
  constructor(index: number) {
    super("AttestersNotSorted", `attester ${index} is not strictly above attester ${index - 1}`);
    this.index = index;
  }
}

/** Every attester weight must be positive. */
export class ZeroAttesterWeightError extends MaskoiiError {
  override name = "ZeroAttesterWeightError";
  readonly index: number;
  constructor(index: number) {
    super("ZeroAttesterWeight", `attester ${index} has zero weight`);
    this.index = index;
  }
}

/** The total weight does not fit uint96. */
export class TotalWeightOverflowError extends MaskoiiError {
  override name = "TotalWeightOverflowError";
  constructor(total: bigint) {
    super("TotalWeightOverflow", `total weight ${total} does not fit uint96`);
  }
}

/** Attester set ids start at 1 and are uint64. */
export class InvalidSetIdError extends MaskoiiError {
  override name = "InvalidSetIdError";
  constructor(setId: unknown) {
    super("InvalidSetId", `attester set id ${describe(setId)} is not in 1..2^64-1`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// tokens (spec §8); codes are the TokenMessage / Amounts error names

/** A token message is not exactly 73 bytes. */
export class TokenMessageInvalidLengthError extends MaskoiiError {
  override name = "TokenMessageInvalidLengthError";
  readonly length: number;
  constructor(length: number) {
    super("TokenMessageInvalidLength", `token message of ${length} bytes; expected 73`);
    this.length = length;
  }
}

/** A token message's kind byte is not 1 (transfer). */
export class TokenMessageUnknownKindError extends MaskoiiError {
  override name = "TokenMessageUnknownKindError";
  readonly kind: number;
  constructor(kind: number) {
    super("TokenMessageUnknownKind", `unknown token message kind ${kind}`);
    this.kind = kind;
  }
}

/** A distribution payload is not exactly 109 bytes. */
export class DistributionMessageInvalidLengthError extends MaskoiiError {
  override name = "DistributionMessageInvalidLengthError";
  readonly length: number;
  constructor(length: number) {
    super("DistributionMessageInvalidLength", `distribution message of ${length} bytes; expected 109`);
    this.length = length;
  }
}

/** A refund receipt is not exactly 121 bytes (docs/protocol.md §8, "Refunds"). */
export class RefundReceiptInvalidLengthError extends MaskoiiError {
  override name = "RefundReceiptInvalidLengthError";
  readonly length: number;
  constructor(length: number) {
    super("RefundReceiptInvalidLength", `refund receipt of ${length} bytes; expected 121`);
    this.length = length;
  }
}

/** A refund receipt's version byte is not 1. */
export class RefundReceiptUnknownVersionError extends MaskoiiError {
  override name = "RefundReceiptUnknownVersionError";
  readonly version: number;
  constructor(version: number) {
    super("RefundReceiptUnknownVersion", `unknown refund receipt version ${version}`);
    this.version = version;
  }
}

/** Shared decimals exceed local decimals. */
export class InvalidDecimalsError extends MaskoiiError {
  override name = "InvalidDecimalsError";
  constructor(localDecimals: number, sharedDecimals: number) {
    super("InvalidDecimals", `shared decimals ${sharedDecimals} exceed local decimals ${localDecimals}`);
  }
}

/** The amount is below one shared unit, so the wire amount would be zero. */
export class AmountTooSmallError extends MaskoiiError {
  override name = "AmountTooSmallError";
  readonly amount: bigint;
  constructor(amount: bigint) {
    super("AmountTooSmall", `amount ${amount} is below one shared unit`);
    this.amount = amount;
  }
}

/** The wire amount does not fit uint64. */
export class AmountExceedsWireLimitError extends MaskoiiError {
  override name = "AmountExceedsWireLimitError";
  readonly amount: bigint;
  constructor(amount: bigint) {
    super("AmountExceedsWireLimit", `amount ${amount} exceeds the uint64 wire limit`);
    this.amount = amount;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// config

/** A deployment file could not be read or is not JSON. */
export class DeploymentReadFailedError extends MaskoiiError {
  override name = "DeploymentReadFailedError";
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super("DeploymentReadFailed", `cannot read deployment ${path}: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
    });
    this.path = path;
  }
}

/** A deployment file does not match the schema; `field` is the dotted path of the first bad field. */
export class InvalidDeploymentError extends MaskoiiError {
  override name = "InvalidDeploymentError";
  readonly field: string;
  readonly issues: readonly { field: string; message: string }[];
  constructor(source: string, issues: readonly { field: string; message: string }[]) {
    const first = issues[0] ?? { field: "(root)", message: "invalid" };
    const rest = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super("InvalidDeployment", `${source}: ${first.field}: ${first.message}${rest}`);
    this.field = first.field;
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// sealed payloads

/** An X25519 key is not 32 bytes of hex. */
export class InvalidSealKeyError extends MaskoiiError {
  override name = "InvalidSealKeyError";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidSealKey", `${field}: expected a 32-byte X25519 key as 0x-prefixed hex, got ${describe(value)}`);
    this.field = field;
  }
}

/** Bytes that should be a sealed payload are too short or carry an unknown version. */
export class SealedPayloadMalformedError extends MaskoiiError {
  override name = "SealedPayloadMalformedError";
  constructor(reason: string) {
    super("SealedPayloadMalformed", `sealed payload: ${reason}`);
  }
}

/** A sealed payload failed authentication: wrong key, wrong destination/recipient context, or tampered bytes. */
export class SealedPayloadUnopenableError extends MaskoiiError {
  override name = "SealedPayloadUnopenableError";
  constructor() {
    super(
      "SealedPayloadUnopenable",
      "sealed payload: authentication failed (wrong key, wrong destination or recipient, or modified bytes)",
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return value.length > 80 ? `"${value.slice(0, 77)}..."` : `"${value}"`;
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}
