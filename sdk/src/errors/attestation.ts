/**
 * Errors of attestations and signing (docs/protocol.md §3, §4); codes are the AttesterSet / SignatureLib error
 * names.
 */
import { MaskoiiError } from "./maskoii.ts";

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
