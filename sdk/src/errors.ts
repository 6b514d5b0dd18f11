/**
 * Typed errors. Every error the SDK throws is a `MaskoiiError` subclass with a stable `code`; codes that mirror a
 * Solidity custom error (e.g. `MessageTooShort`) use the same name so that vectors and logs line up across
 * languages.
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
  // messages
  | "MessageTooShort"
  | "UnsupportedVersion"
  | "PayloadTooLong"
  // attestations
  | "InvalidAttestationLength"
  | "EmptyAttestation"
  | "DuplicateSigner"
  | "SignerOutOfOrder"
  | "SignerIndexOutOfRange"
  | "InvalidSignatureV"
  | "HighS"
  | "InvalidPrivateKey"
  | "UnknownSigner"
  | "SignerKeyMismatch"
  // merkle
  | "EmptyBatch"
  | "LeafIndexOutOfRange"
  // attester sets
  | "InvalidSetSize"
  | "LengthMismatch"
  | "ZeroAttester"
  | "AttestersNotSorted"
  | "ZeroWeight"
  | "WeightOverflow"
  | "ThresholdOutOfRange"
  | "InvalidSetId"
  // tokens
  | "InvalidTokenMessageLength"
  | "UnsupportedTokenMessageKind"
  | "SharedDecimalsTooLarge"
  | "ZeroWireAmount"
  | "WireAmountOverflow"
  // config
  | "DeploymentReadFailed"
  | "InvalidDeployment";

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
// attestations (spec §3, §4)

/** An encoded attestation's length is not 8 + 66k for some k ≥ 1. */
export class InvalidAttestationLengthError extends MaskoiiError {
  override name = "InvalidAttestationLengthError";
  readonly length: number;
  constructor(length: number) {
    super("InvalidAttestationLength", `attestation of ${length} bytes is not 8 + 66k bytes with k >= 1`);
    this.length = length;
  }
}

/** An attestation with no signatures was requested. */
export class EmptyAttestationError extends MaskoiiError {
  override name = "EmptyAttestationError";
  constructor() {
    super("EmptyAttestation", "an attestation needs at least one signature");
  }
}

/** Two signatures carry the same signer index. */
export class DuplicateSignerError extends MaskoiiError {
  override name = "DuplicateSignerError";
  readonly index: number;
  constructor(index: number) {
    super("DuplicateSigner", `signer index ${index} appears twice`);
    this.index = index;
  }
}

/** Signer indices are not strictly increasing. */
export class SignerOutOfOrderError extends MaskoiiError {
  override name = "SignerOutOfOrderError";
  readonly index: number;
  readonly previous: number;
  constructor(index: number, previous: number) {
    super("SignerOutOfOrder", `signer index ${index} follows ${previous}; indices must be strictly increasing`);
    this.index = index;
    this.previous = previous;
  }
}

/** A signer index is not a uint8 or lies past the end of the set. */
export class SignerIndexOutOfRangeError extends MaskoiiError {
  override name = "SignerIndexOutOfRangeError";
  readonly index: number;
  constructor(index: number, size: number) {
    super("SignerIndexOutOfRange", `signer index ${index} is outside a set of ${size}`);
    this.index = index;
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
export class HighSError extends MaskoiiError {
  override name = "HighSError";
  constructor(s: string) {
    super("HighS", `signature s ${s} is above secp256k1 n/2`);
  }
}

/** A private key is not 32 bytes in [1, n-1]. */
export class InvalidPrivateKeyError extends MaskoiiError {
  override name = "InvalidPrivateKeyError";
  constructor() {
    super("InvalidPrivateKey", "private key must be 32 bytes of hex in [1, n-1]");
  }
}

/** A signing key's address is not a member of the attester set. */
export class UnknownSignerError extends MaskoiiError {
  override name = "UnknownSignerError";
  readonly signer: string;
  constructor(signer: string) {
    super("UnknownSigner", `signer ${signer} is not a member of the attester set`);
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
// attester sets (spec §4)

/** An attester set must have 1..128 members. */
export class InvalidSetSizeError extends MaskoiiError {
  override name = "InvalidSetSizeError";
  readonly size: number;
  constructor(size: number) {
    super("InvalidSetSize", `attester set of ${size} members; expected 1..128`);
    this.size = size;
  }
}

/** Attesters and weights have different lengths. */
export class LengthMismatchError extends MaskoiiError {
  override name = "LengthMismatchError";
  constructor(attesters: number, weights: number) {
    super("LengthMismatch", `${attesters} attesters but ${weights} weights`);
  }
}

/** The zero address cannot be an attester. */
export class ZeroAttesterError extends MaskoiiError {
  override name = "ZeroAttesterError";
  readonly index: number;
  constructor(index: number) {
    super("ZeroAttester", `attester ${index} is the zero address`);
    this.index = index;
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
export class ZeroWeightError extends MaskoiiError {
  override name = "ZeroWeightError";
  readonly index: number;
  constructor(index: number) {
    super("ZeroWeight", `attester ${index} has zero weight`);
    this.index = index;
  }
}

/** A weight or the total weight does not fit uint96. */
export class WeightOverflowError extends MaskoiiError {
  override name = "WeightOverflowError";
  constructor(what: string) {
    super("WeightOverflow", `${what} does not fit uint96`);
  }
}

/** thresholdBps must be in 5001..10000. */
export class ThresholdOutOfRangeError extends MaskoiiError {
  override name = "ThresholdOutOfRangeError";
  readonly thresholdBps: number;
  constructor(thresholdBps: number) {
    super("ThresholdOutOfRange", `thresholdBps ${thresholdBps} is outside 5001..10000`);
    this.thresholdBps = thresholdBps;
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
// tokens (spec §8)

/** A token message is not exactly 105 bytes. */
export class InvalidTokenMessageLengthError extends MaskoiiError {
  override name = "InvalidTokenMessageLengthError";
  readonly length: number;
  constructor(length: number) {
    super("InvalidTokenMessageLength", `token message of ${length} bytes; expected 105`);
    this.length = length;
  }
}

/** A token message's kind byte is not 1 (transfer). */
export class UnsupportedTokenMessageKindError extends MaskoiiError {
  override name = "UnsupportedTokenMessageKindError";
  readonly kind: number;
  constructor(kind: number) {
    super("UnsupportedTokenMessageKind", `unsupported token message kind ${kind}`);
    this.kind = kind;
  }
}

/** Shared decimals must not exceed local decimals. */
export class SharedDecimalsTooLargeError extends MaskoiiError {
  override name = "SharedDecimalsTooLargeError";
  constructor(localDecimals: number, sharedDecimals: number) {
    super("SharedDecimalsTooLarge", `shared decimals ${sharedDecimals} exceed local decimals ${localDecimals}`);
  }
}

/** The amount rounds down to a zero wire amount. */
export class ZeroWireAmountError extends MaskoiiError {
  override name = "ZeroWireAmountError";
  constructor(amount: bigint) {
    super("ZeroWireAmount", `amount ${amount} is below one shared unit`);
  }
}

/** The wire amount does not fit uint64. */
export class WireAmountOverflowError extends MaskoiiError {
  override name = "WireAmountOverflowError";
  readonly wire: bigint;
  constructor(wire: bigint) {
    super("WireAmountOverflow", `wire amount ${wire} does not fit uint64`);
    this.wire = wire;
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

function describe(value: unknown): string {
  if (typeof value === "string") return value.length > 80 ? `"${value.slice(0, 77)}..."` : `"${value}"`;
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}
