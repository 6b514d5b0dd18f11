import { secp256k1 } from "@noble/curves/secp256k1.js";
import { type Hex, hashTypedData, keccak256, stringToHex, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  addressOfPrivateKey,
  attestationDigest,
  attestationTypedData,
  BATCH_TYPEHASH,
  buildAttestation,
  checkAttestation,
  DOMAIN_SEPARATOR,
  DOMAIN_TYPEHASH,
  decodeAttestation,
  encodeAttestation,
  MESSAGE_TYPEHASH,
  NAME_HASH,
  ROTATION_TYPEHASH,
  recoverSigner,
  SECP256K1_HALF_N,
  SECP256K1_N,
  signDigest,
  typeHashOf,
  VERSION_HASH,
} from "../src/attestation.ts";
import { sortAttesters } from "../src/attester-set.ts";
import {
  DuplicateSignerError,
  FieldOutOfRangeError,
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
} from "../src/errors/index.ts";
import { b32, expectCode, key } from "./helpers.ts";

const fields = { domain: 1002, verifier: b32("aa"), attesterSetId: 3n, value: b32("bb") };

describe("EIP-712 constants", () => {
  it("hash the type strings of spec §3 (as in AttestationLib.sol)", () => {
    expect(DOMAIN_TYPEHASH).toBe(keccak256(stringToHex("EIP712Domain(string name,string version)")));
    expect(NAME_HASH).toBe(keccak256(stringToHex("maskoii")));
    expect(VERSION_HASH).toBe(keccak256(stringToHex("1")));
    expect(MESSAGE_TYPEHASH).toBe(
      keccak256(
        stringToHex("MessageAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 messageId)"),
      ),
    );
    expect(BATCH_TYPEHASH).toBe(
      keccak256(stringToHex("BatchAttestation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 root)")),
    );
    expect(ROTATION_TYPEHASH).toBe(
      keccak256(
        stringToHex("AttesterSetRotation(uint32 domain,bytes32 verifier,uint64 attesterSetId,bytes32 nextSetHash)"),
      ),
    );
    expect(typeHashOf("message")).toBe(MESSAGE_TYPEHASH);
    expect(typeHashOf("batch")).toBe(BATCH_TYPEHASH);
    expect(typeHashOf("rotation")).toBe(ROTATION_TYPEHASH);
  });

  it("domain separator is viem's for {name: 'maskoii', version: '1'}", () => {
    // hashTypedData over an empty-struct-free domain: compare through a full digest below; here the raw formula.
    expect(DOMAIN_SEPARATOR).toBe(
      keccak256(`0x${DOMAIN_TYPEHASH.slice(2)}${NAME_HASH.slice(2)}${VERSION_HASH.slice(2)}`),
    );
  });
});

describe("attestationDigest", () => {
  it("equals viem's hashTypedData for every kind", () => {
    for (const kind of ["message", "batch", "rotation"] as const) {
      const digest = attestationDigest(kind, fields);
      expect(hashTypedData(attestationTypedData(kind, fields))).toBe(digest);
    }
  });

  it("separates kinds, domains, verifiers, sets and values", () => {
    const d = attestationDigest("message", fields);
    expect(attestationDigest("batch", fields)).not.toBe(d);
    expect(attestationDigest("message", { ...fields, domain: 1001 })).not.toBe(d);
    expect(attestationDigest("message", { ...fields, verifier: b32("ab") })).not.toBe(d);
    expect(attestationDigest("message", { ...fields, attesterSetId: 4 })).not.toBe(d);
    expect(attestationDigest("message", { ...fields, value: b32("bc") })).not.toBe(d);
  });

  it("rejects out-of-range fields", () => {
    expectCode(() => attestationDigest("message", { ...fields, domain: 2 ** 32 }), "FieldOutOfRange");
    expectCode(() => attestationDigest("message", { ...fields, attesterSetId: 1n << 64n }), "FieldOutOfRange");
    expectCode(() => attestationDigest("message", { ...fields, verifier: "0x12" }), "InvalidBytes32");
    expectCode(() => attestationTypedData("rotation", { ...fields, value: "0x12" }), "InvalidBytes32");
  });

  it("a wallet's signTypedData signature recovers through the digest", async () => {
    const account = privateKeyToAccount(key(7));
    const sig = await account.signTypedData(attestationTypedData("rotation", fields));
    const r = sig.slice(0, 66) as Hex;
    const s = `0x${sig.slice(66, 130)}` as Hex;
    const v = Number.parseInt(sig.slice(130, 132), 16);
    expect(recoverSigner(attestationDigest("rotation", fields), { r, s, v })).toBe(account.address);
  });
});

describe("signDigest / recoverSigner", () => {
  const digest = attestationDigest("message", fields);

  it("is deterministic, low-s, v in {27, 28} and matches viem's sign", async () => {
    const { sign } = await import("viem/accounts");
    for (let i = 1; i <= 20; i++) {
      const sig = signDigest(digest, key(i));
      expect(signDigest(digest, key(i))).toEqual(sig);
      expect(BigInt(sig.s) <= SECP256K1_HALF_N).toBe(true);
      expect([27, 28]).toContain(sig.v);
      const viemSig = await sign({ hash: digest, privateKey: key(i) });
      expect({ r: viemSig.r, s: viemSig.s, v: Number(viemSig.v) }).toEqual(sig);
      expect(recoverSigner(digest, sig)).toBe(addressOfPrivateKey(key(i)));
    }
  });

  it("rejects bad private keys", () => {
    expectCode(() => signDigest(digest, key(0)), "InvalidPrivateKey", InvalidPrivateKeyError);
    expectCode(() => signDigest(digest, toHex(SECP256K1_N, { size: 32 })), "InvalidPrivateKey");
    expectCode(() => addressOfPrivateKey("0x01"), "InvalidPrivateKey");
  });

  it("rejects bad v, high s and signatures that recover to no key", () => {
    const sig = signDigest(digest, key(1));
    expectCode(() => recoverSigner(digest, { ...sig, v: 29 }), "InvalidSignatureV", InvalidSignatureVError);
    expectCode(() => recoverSigner(digest, { ...sig, v: 1 }), "InvalidSignatureV");
    const high = { r: sig.r, s: toHex(SECP256K1_N - BigInt(sig.s), { size: 32 }), v: sig.v === 27 ? 28 : 27 };
    // The malleable twin is a valid ECDSA signature for the same key, but the protocol rejects it.
    expect(
      secp256k1.verify(
        new secp256k1.Signature(BigInt(high.r), BigInt(high.s)).toBytes(),
        Buffer.from(digest.slice(2), "hex"),
        secp256k1.getPublicKey(Buffer.from(key(1).slice(2), "hex")),
        { prehash: false, lowS: false },
      ),
    ).toBe(true);
    expectCode(() => recoverSigner(digest, high), "SignatureMalleable", SignatureMalleableError);
    expectCode(() => recoverSigner(digest, { ...sig, r: b32("00") }), "ZeroAddressSigner", ZeroAddressSignerError);
  });
});

describe("encodeAttestation / decodeAttestation", () => {
  const digest = attestationDigest("message", fields);
  const sigs = [1, 2, 3].map((i) => ({ index: i * 2, ...signDigest(digest, key(i)) }));

  it("packs uint64 setId ‖ (uint8 index ‖ r ‖ s ‖ uint8 v)* and decodes back", () => {
    const encoded = encodeAttestation(9n, sigs);
    expect((encoded.length - 2) / 2).toBe(8 + 66 * 3);
    expect(encoded.slice(0, 18)).toBe("0x0000000000000009");
    expect(encoded.slice(18, 20)).toBe("02");
    expect(decodeAttestation(encoded)).toEqual({ attesterSetId: 9n, signatures: sigs });
  });

  it("rejects empty, duplicate and unordered signature lists", () => {
    expectCode(() => encodeAttestation(1, []), "NoSignatures", NoSignaturesError);
    const [a, b] = sigs as [(typeof sigs)[0], (typeof sigs)[0]];
    const dup = expectCode(() => encodeAttestation(1, [a, a]), "DuplicateSigner", DuplicateSignerError);
    expect((dup as DuplicateSignerError).index).toBe(2);
    const ooo = expectCode(() => encodeAttestation(1, [b, a]), "SignersOutOfOrder", SignersOutOfOrderError);
    expect((ooo as SignersOutOfOrderError).previous).toBe(4);
  });

  it("rejects indices that are not uint8, bad v and high s", () => {
    const [a] = sigs as [(typeof sigs)[0]];
    expectCode(() => encodeAttestation(1, [{ ...a, index: 256 }]), "FieldOutOfRange", FieldOutOfRangeError);
    expectCode(() => encodeAttestation(1, [{ ...a, index: -1 }]), "FieldOutOfRange");
    expectCode(() => encodeAttestation(1, [{ ...a, v: 0 }]), "InvalidSignatureV");
    expectCode(() => encodeAttestation(1, [{ ...a, s: b32("ff") }]), "SignatureMalleable");
    expectCode(() => encodeAttestation(1n << 64n, [a]), "FieldOutOfRange");
  });

  it("decode checks the length only", () => {
    expectCode(() => decodeAttestation("0x00000000000001"), "MalformedAttestation", MalformedAttestationError);
    expectCode(() => decodeAttestation("0x0000000000000001"), "NoSignatures", NoSignaturesError);
    const encoded = encodeAttestation(1, sigs);
    expectCode(() => decodeAttestation(encoded.slice(0, -2) as Hex), "MalformedAttestation");
    expectCode(() => decodeAttestation(`${encoded}00`), "MalformedAttestation");
    expectCode(() => decodeAttestation("0x0g"), "InvalidHex");
  });
});

describe("buildAttestation / checkAttestation", () => {
  const keys = Array.from({ length: 7 }, (_, i) => key(100 + i));
  const { attesters, weights } = sortAttesters(
    keys.map((k, i) => ({ address: addressOfPrivateKey(k), weight: i + 1 })),
  );
  const keyOf = (i: number): Hex => keys.find((k) => addressOfPrivateKey(k) === attesters[i])!;
  const digest = attestationDigest("batch", fields);

  it("signs with the given keys and sorts signatures by set index", () => {
    const signerIdx = [5, 0, 3, 6, 2];
    const encoded = buildAttestation({ digest, attesterSetId: 3, attesters, signers: signerIdx.map(keyOf) });
    const { attesterSetId, signatures } = decodeAttestation(encoded);
    expect(attesterSetId).toBe(3n);
    expect(signatures.map((s) => s.index)).toEqual([0, 2, 3, 5, 6]);
    const check = checkAttestation({ digest, attestation: encoded, attesters, weights, thresholdBps: 6667 });
    expect(check.signers).toEqual([0, 2, 3, 5, 6].map((i) => attesters[i]));
    const signed = [0, 2, 3, 5, 6].reduce((sum, i) => sum + weights[i]!, 0n);
    expect(check.signedWeight).toBe(signed);
    expect(check.totalWeight).toBe(28n);
    expect(check.quorum).toBe(signed * 10_000n >= 28n * 6667n);
  });

  it("accepts a map from address to key and checks that each key belongs to its address", () => {
    const map = new Map([
      [attesters[1]!, keyOf(1)],
      [attesters[4]!.toLowerCase(), keyOf(4)],
    ]);
    const encoded = buildAttestation({ digest, attesterSetId: 3, attesters, signers: map });
    expect(decodeAttestation(encoded).signatures.map((s) => s.index)).toEqual([1, 4]);
    const wrong = new Map([[attesters[1]!, keyOf(2)]]);
    const err = expectCode(
      () => buildAttestation({ digest, attesterSetId: 3, attesters, signers: wrong }),
      "SignerKeyMismatch",
      SignerKeyMismatchError,
    );
    expect((err as SignerKeyMismatchError).expected).toBe(attesters[1]);
  });

  it("rejects keys outside the set and an empty key list", () => {
    expectCode(
      () => buildAttestation({ digest, attesterSetId: 3, attesters, signers: [key(5)] }),
      "SignerNotInSet",
      SignerNotInSetError,
    );
    expectCode(() => buildAttestation({ digest, attesterSetId: 3, attesters, signers: [] }), "NoSignatures");
  });

  it("reports when the signed weight is below the threshold", () => {
    const encoded = buildAttestation({ digest, attesterSetId: 3, attesters, signers: [keyOf(6)] });
    expect(checkAttestation({ digest, attestation: encoded, attesters, weights, thresholdBps: 6667 }).quorum).toBe(
      false,
    );
  });

  it("rejects a signature at another member's index, past the end, or over another digest", () => {
    const sig = signDigest(digest, keyOf(2));
    const check = (index: number, d: Hex = digest) =>
      checkAttestation({
        digest: d,
        attestation: encodeAttestation(3, [{ index, ...sig }]),
        attesters,
        weights,
        thresholdBps: 6667,
      });
    expect(check(2).quorum).toBe(false);
    const err = expectCode(() => check(3), "UnknownSigner", UnknownSignerError) as UnknownSignerError;
    expect(err.index).toBe(3);
    expect(err.recovered).toBe(attesters[2]);
    expectCode(() => check(7), "UnknownSigner");
    expectCode(() => check(2, attestationDigest("message", fields)), "UnknownSigner");
  });

  it("rejects duplicate and out-of-order indices in encoded bytes", () => {
    const a = { index: 1, ...signDigest(digest, keyOf(1)) };
    const b = { index: 2, ...signDigest(digest, keyOf(2)) };
    const good = encodeAttestation(3, [a, b]);
    const body = good.slice(18);
    const sigA = body.slice(0, 132);
    const sigB = body.slice(132);
    const run = (hex: string) =>
      checkAttestation({ digest, attestation: hex as Hex, attesters, weights, thresholdBps: 6667 });
    expectCode(() => run(`${good.slice(0, 18)}${sigA}${sigA}`), "DuplicateSigner");
    expectCode(() => run(`${good.slice(0, 18)}${sigB}${sigA}`), "SignersOutOfOrder");
  });
});
