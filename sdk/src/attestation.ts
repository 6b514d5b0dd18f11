import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  type Address,
  encodeAbiParameters,
  getAddress,
  type Hex,
  hexToBytes,
  keccak256,
  stringToHex,
  type TypedDataDefinition,
  toHex,
} from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { isQuorum } from "./attester-set.ts";
import {
  DuplicateSignerError,
  InvalidPrivateKeyError,
  InvalidSignatureVError,
  MalformedAttestationError,
  NoSignaturesError,
  SignatureMalleableError,
  SignerKeyMismatchError,
  SignerNotInSetError,
  SignersOutOfOrderError,
  UnknownSignerError,
  ZeroAddressSignerError,
} from "./errors/index.ts";
import {
  assertAddress,
  assertBytes32,
  assertHex,
  assertSmallUint,
  assertUint,
  byteLength,
  uintHex,
} from "./internal/assert.ts";

// ---------------------------------------------------------------------------------------------------------------
// EIP-712 constants (docs/protocol.md §3); must equal contracts/src/libraries/AttestationLib.sol

/** The EIP-712 domain of every maskoii attestation: name and version only, no chain id or contract. */
export const ATTESTATION_DOMAIN = { name: "maskoii", version: "1" } as const;

export const DOMAIN_TYPEHASH: Hex = keccak256(stringToHex("EIP712Domain(string name,string version)"));
export const NAME_HASH: Hex = keccak256(stringToHex(ATTESTATION_DOMAIN.name));
export const VERSION_HASH: Hex = keccak256(stringToHex(ATTESTATION_DOMAIN.version));
/** keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH)); the same on every chain by design. */
export const DOMAIN_SEPARATOR: Hex = keccak256(
  encodeAbiParameters(
    [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
    [DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH],
  ),
);

/**
 * What a bridge attestation attests: a message id, a batch root, the hash of the next attester set, or the hash of a
 * refund receipt (§8, "Refunds"; verified on the transfer's ORIGIN, with the origin token bridge as verifier). These
 * are the kinds the Solana program verifies too.
 */
export type AttestationKind = "message" | "batch" | "rotation" | "refund";

/**
 * What a revenue attestation attests (§11): an identity binding's hash (verifier: the IdentityRegistry), an epoch
 * report's hash, or a report resolution's hash (verifier: EpochReports). EVM only for now.
 */
export type RevenueAttestationKind = "identityBinding" | "epochReport" | "reportResolution";

/** Every attestation kind: the digest functions below take any of them. */
export type AnyAttestationKind = AttestationKind | RevenueAttestationKind;

/** The EIP-712 types of the attested structs, in viem's `types` format. */
export const attestationTypes = {
  MessageAttestation: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "messageId", type: "bytes32" },
  ],
  BatchAttestation: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "root", type: "bytes32" },
  ],
  AttesterSetRotation: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "nextSetHash", type: "bytes32" },
  ],
  TransferRefund: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "refundHash", type: "bytes32" },
  ],
  IdentityBinding: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "bindingHash", type: "bytes32" },
  ],
  EpochReport: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "reportHash", type: "bytes32" },
  ],
  ReportResolution: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "resolutionHash", type: "bytes32" },
  ],
} as const;

type PrimaryType = keyof typeof attestationTypes;

const kinds = {
  message: { primaryType: "MessageAttestation", valueName: "messageId" },
  batch: { primaryType: "BatchAttestation", valueName: "root" },
  rotation: { primaryType: "AttesterSetRotation", valueName: "nextSetHash" },
  refund: { primaryType: "TransferRefund", valueName: "refundHash" },
  identityBinding: { primaryType: "IdentityBinding", valueName: "bindingHash" },
  epochReport: { primaryType: "EpochReport", valueName: "reportHash" },
  reportResolution: { primaryType: "ReportResolution", valueName: "resolutionHash" },
} as const satisfies Record<AnyAttestationKind, { primaryType: PrimaryType; valueName: string }>;

function encodeType(primaryType: PrimaryType): string {
  return `${primaryType}(${attestationTypes[primaryType].map((f) => `${f.type} ${f.name}`).join(",")})`;
}

export const MESSAGE_TYPEHASH: Hex = keccak256(stringToHex(encodeType("MessageAttestation")));
export const BATCH_TYPEHASH: Hex = keccak256(stringToHex(encodeType("BatchAttestation")));
export const ROTATION_TYPEHASH: Hex = keccak256(stringToHex(encodeType("AttesterSetRotation")));
export const REFUND_TYPEHASH: Hex = keccak256(stringToHex(encodeType("TransferRefund")));
/** `IdentityBinding(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 bindingHash)` (§11.2). */
export const IDENTITY_BINDING_TYPEHASH: Hex = keccak256(stringToHex(encodeType("IdentityBinding")));
/** `EpochReport(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 reportHash)` (§11.3). */
export const EPOCH_REPORT_TYPEHASH: Hex = keccak256(stringToHex(encodeType("EpochReport")));
/** `ReportResolution(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 resolutionHash)` (§11.4). */
export const REPORT_RESOLUTION_TYPEHASH: Hex = keccak256(stringToHex(encodeType("ReportResolution")));

const typeHashes: Record<AnyAttestationKind, Hex> = {
  message: MESSAGE_TYPEHASH,
  batch: BATCH_TYPEHASH,
  rotation: ROTATION_TYPEHASH,
  refund: REFUND_TYPEHASH,
  identityBinding: IDENTITY_BINDING_TYPEHASH,
  epochReport: EPOCH_REPORT_TYPEHASH,
  reportResolution: REPORT_RESOLUTION_TYPEHASH,
};

/** The EIP-712 type string of `kind`, e.g. `EpochReport(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 reportHash)`. */
export function typeStringOf(kind: AnyAttestationKind): string {
  return encodeType(kinds[kind].primaryType);
}

/** The EIP-712 type hash of `kind`. */
export function typeHashOf(kind: AnyAttestationKind): Hex {
  return typeHashes[kind];
}

/** The four fields of every attested struct. */
export type AttestationFields = {
  /** uint32: the domain where the signature is verified (the message's destination). */
  readonly domain: number;
  /**
   * bytes32: the consuming contract/program, left-padded (Gateway for messages/batches, AttesterSet for rotations,
   * IdentityRegistry for bindings, EpochReports for reports and resolutions).
   */
  readonly verifier: Hex;
  /** uint64: the set whose members sign. */
  readonly attesterSetId: bigint | number;
  /** bytes32: message id, batch root, next set hash, refund hash, or a binding, report or resolution hash. */
  readonly value: Hex;
};

function checkFields(fields: AttestationFields): [bigint, Hex, bigint, Hex] {
  return [
    assertUint("domain", fields.domain, 32),
    assertBytes32("verifier", fields.verifier),
    assertUint("attesterSetId", fields.attesterSetId, 64),
    assertBytes32("value", fields.value),
  ];
}

/** The EIP-712 struct hash: keccak256(abi.encode(typeHash, domain, verifier, attesterSetId, value)). */
export function attestationStructHash(kind: AnyAttestationKind, fields: AttestationFields): Hex {
  const [domain, verifier, setId, value] = checkFields(fields);
  return keccak256(
    `0x${typeHashOf(kind).slice(2)}${uintHex(domain, 32)}${verifier.slice(2)}${uintHex(setId, 32)}${value.slice(2)}`,
  );
}

/** The digest attesters sign: keccak256(0x1901 ‖ DOMAIN_SEPARATOR ‖ structHash). */
export function attestationDigest(kind: AnyAttestationKind, fields: AttestationFields): Hex {
  return keccak256(`0x1901${DOMAIN_SEPARATOR.slice(2)}${attestationStructHash(kind, fields).slice(2)}`);
}

/** The attestation as EIP-712 typed data, for `signTypedData` with any wallet or viem's `hashTypedData`. */
export function attestationTypedData(
  kind: AnyAttestationKind,
  fields: AttestationFields,
): TypedDataDefinition<typeof attestationTypes, PrimaryType> {
  const [domain, verifier, setId, value] = checkFields(fields);
  const { primaryType, valueName } = kinds[kind];
  return {
    domain: ATTESTATION_DOMAIN,
    types: attestationTypes,
    primaryType,
    message: { domain: Number(domain), verifier, attesterSetId: setId, [valueName]: value },
  } as TypedDataDefinition<typeof attestationTypes, PrimaryType>;
}

// ---------------------------------------------------------------------------------------------------------------
// signatures

/** The order of secp256k1. */
export const SECP256K1_N = secp256k1.Point.CURVE().n;
/** The largest accepted s (low-s rule). */
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

/** A secp256k1 signature as `r ‖ s ‖ v` parts, v ∈ {27, 28}. */
export type Signature = { readonly r: Hex; readonly s: Hex; readonly v: number };
/** A signature with the signer's index in the sorted attester set. */
export type IndexedSignature = Signature & { readonly index: number };

function privateKeyBytes(privateKey: Hex): Uint8Array {
  if (typeof privateKey !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) throw new InvalidPrivateKeyError();
  const k = BigInt(privateKey);
  if (k === 0n || k >= SECP256K1_N) throw new InvalidPrivateKeyError();
  return hexToBytes(privateKey);
}

/** The address of a secp256k1 private key. */
export function addressOfPrivateKey(privateKey: Hex): Address {
  privateKeyBytes(privateKey);
  return privateKeyToAddress(privateKey);
}

/** Signs a 32-byte digest as-is (no personal-message prefix), deterministically (RFC 6979), low-s, v ∈ {27, 28}. */
export function signDigest(digest: Hex, privateKey: Hex): Signature {
  const d = hexToBytes(assertBytes32("digest", digest));
  const raw = secp256k1.sign(d, privateKeyBytes(privateKey), { prehash: false, lowS: true, format: "recovered" });
  const sig = secp256k1.Signature.fromBytes(raw, "recovered");
  return { r: toHex(sig.r, { size: 32 }), s: toHex(sig.s, { size: 32 }), v: 27 + (sig.recovery ?? 0) };
}

function checkSignature(sig: Signature): { r: bigint; s: bigint; v: number } {
  const r = BigInt(assertBytes32("r", sig.r));
  const s = BigInt(assertBytes32("s", sig.s));
  if (sig.v !== 27 && sig.v !== 28) throw new InvalidSignatureVError(sig.v);
  if (s > SECP256K1_HALF_N) throw new SignatureMalleableError(sig.s);
  return { r, s, v: sig.v };
}

/**
 * The address that signed `digest`, as the chain's ecrecover sees it. Like the AttesterSet, rejects v ∉ {27, 28}
 * (`InvalidSignatureVError`), s > n/2 (`SignatureMalleableError`) and signatures that recover to no key
 * (`ZeroAddressSignerError`).
 */
export function recoverSigner(digest: Hex, signature: Signature): Address {
  const d = hexToBytes(assertBytes32("digest", digest));
  const { r, s, v } = checkSignature(signature);
  let pub: Uint8Array;
  try {
    pub = new secp256k1.Signature(r, s, v - 27).recoverPublicKey(d).toBytes(false);
  } catch {
    throw new ZeroAddressSignerError();
  }
  return getAddress(`0x${keccak256(pub.subarray(1)).slice(26)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// attestation encoding (docs/protocol.md §4)

/** Bytes per signature in an attestation: uint8 index ‖ r ‖ s ‖ uint8 v. */
export const ATTESTATION_SIGNATURE_LENGTH = 66;
/** Bytes of the set id prefix. */
export const ATTESTATION_HEADER_LENGTH = 8;

/** A decoded attestation. */
export type Attestation = { readonly attesterSetId: bigint; readonly signatures: readonly IndexedSignature[] };

/**
 * Encodes `uint64 attesterSetId ‖ k × (uint8 index ‖ r ‖ s ‖ uint8 v)`. Rejects what every verifier rejects without
 * knowing the set: no signatures, an index that is not a uint8, duplicate or decreasing indices, v ∉ {27, 28}, high s.
 */
export function encodeAttestation(attesterSetId: bigint | number, signatures: readonly IndexedSignature[]): Hex {
  const setId = assertUint("attesterSetId", attesterSetId, 64);
  if (signatures.length === 0) throw new NoSignaturesError();
  let out = `0x${uintHex(setId, 8)}`;
  let previous = -1;
  for (const [i, sig] of signatures.entries()) {
    const index = assertSmallUint(`signatures[${i}].index`, sig.index, 8);
    checkOrder(index, previous);
    previous = index;
    const { r, s, v } = checkSignature(sig);
    out += `${uintHex(index, 1)}${uintHex(r, 32)}${uintHex(s, 32)}${uintHex(v, 1)}`;
  }
  return out as Hex;
}

function checkOrder(index: number, previous: number): void {
  if (index === previous) throw new DuplicateSignerError(index);
  if (index < previous) throw new SignersOutOfOrderError(index, previous);
}

/**
 * Splits an attestation into its set id and signatures. Only the length is checked: `MalformedAttestationError`
 * unless it is 8 + 66k bytes, `NoSignaturesError` if k = 0.
 */
export function decodeAttestation(attestation: Hex): Attestation {
  const hex = assertHex("attestation", attestation).slice(2).toLowerCase();
  const length = byteLength(attestation);
  const body = length - ATTESTATION_HEADER_LENGTH;
  if (body < 0 || body % ATTESTATION_SIGNATURE_LENGTH !== 0) throw new MalformedAttestationError(length);
  if (body === 0) throw new NoSignaturesError();
  const signatures: IndexedSignature[] = [];
  for (let at = ATTESTATION_HEADER_LENGTH * 2; at < hex.length; at += ATTESTATION_SIGNATURE_LENGTH * 2) {
    signatures.push({
      index: Number.parseInt(hex.slice(at, at + 2), 16),
      r: `0x${hex.slice(at + 2, at + 66)}`,
      s: `0x${hex.slice(at + 66, at + 130)}`,
      v: Number.parseInt(hex.slice(at + 130, at + 132), 16),
    });
  }
  return { attesterSetId: BigInt(`0x${hex.slice(0, 16)}`), signatures };
}

/** Signing keys for `buildAttestation`: a list of private keys, or a map from attester address to its key. */
export type SignerKeys = readonly Hex[] | ReadonlyMap<string, Hex>;

/**
 * Signs `digest` with every given key and encodes the attestation, signatures sorted by the signer's index in
 * `attesters` (the set's members, sorted ascending). Throws `SignerNotInSetError` for a key outside the set and
 * `SignerKeyMismatchError` when a map entry's key does not belong to its address.
 */
export function buildAttestation(args: {
  readonly digest: Hex;
  readonly attesterSetId: bigint | number;
  readonly attesters: readonly Address[];
  readonly signers: SignerKeys;
}): Hex {
  const positions = new Map(args.attesters.map((a, i) => [assertAddress(`attesters[${i}]`, a).toLowerCase(), i]));
  const keys: Hex[] = [];
  if (Array.isArray(args.signers)) {
    keys.push(...(args.signers as readonly Hex[]));
  } else {
    for (const [address, key] of args.signers as ReadonlyMap<string, Hex>) {
      const actual = addressOfPrivateKey(key);
      if (actual.toLowerCase() !== address.toLowerCase()) throw new SignerKeyMismatchError(address, actual);
      keys.push(key);
    }
  }
  const signatures = keys
    .map((key): IndexedSignature => {
      const address = addressOfPrivateKey(key);
      const index = positions.get(address.toLowerCase());
      if (index === undefined) throw new SignerNotInSetError(address);
      return { index, ...signDigest(args.digest, key) };
    })
    .sort((a, b) => a.index - b.index);
  return encodeAttestation(args.attesterSetId, signatures);
}

/** The outcome of checking an attestation off chain against a known set. */
export type AttestationCheck = {
  readonly attesterSetId: bigint;
  readonly signers: readonly Address[];
  readonly signedWeight: bigint;
  readonly totalWeight: bigint;
  readonly quorum: boolean;
};

/**
 * Checks an attestation as the AttesterSet contract does (minus liveness and slashing, which only the chain knows):
 * length, index order, v, low s, each recovered address equal to the member at its index; then sums the weights.
 * Throws the typed error of the first failure; `quorum` says whether the signed weight reaches the threshold.
 */
export function checkAttestation(args: {
  readonly digest: Hex;
  readonly attestation: Hex;
  readonly attesters: readonly Address[];
  readonly weights: readonly (bigint | number)[];
  readonly thresholdBps: number;
}): AttestationCheck {
  const { attesterSetId, signatures } = decodeAttestation(args.attestation);
  const totalWeight = args.weights.reduce<bigint>((sum, w) => sum + BigInt(w), 0n);
  const signers: Address[] = [];
  let signedWeight = 0n;
  let previous = -1;
  for (const sig of signatures) {
    checkOrder(sig.index, previous);
    previous = sig.index;
    const recovered = recoverSigner(args.digest, sig);
    const member = args.attesters[sig.index];
    if (member === undefined || recovered.toLowerCase() !== member.toLowerCase()) {
      throw new UnknownSignerError(sig.index, recovered);
    }
    signers.push(recovered);
    signedWeight += BigInt(args.weights[sig.index] ?? 0);
  }
  return {
    attesterSetId,
    signers,
    signedWeight,
    totalWeight,
    quorum: isQuorum(signedWeight, totalWeight, args.thresholdBps),
  };
}
