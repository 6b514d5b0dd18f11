import { addressOfPrivateKey, base58Decode, base58Encode } from "@maskoii/sdk";
import { describe, expect, it } from "vitest";
import { InvalidBindingRecordError } from "../src/errors.ts";
import { createBindingRecord, verifyBindingRecord } from "../src/identity.ts";
import { generatePrivateKey } from "../src/keys/keystore.ts";

function record() {
  const secp = generatePrivateKey("secp256k1");
  const ed = generatePrivateKey("ed25519");
  return createBindingRecord({
    ed25519PrivateKey: ed,
    secp256k1PrivateKey: secp,
    attester: addressOfPrivateKey(secp),
    issuedAt: 1_700_000_000,
  });
}

describe("Koii identity binding record", () => {
  it("verifies a record signed by both keys, and survives JSON", () => {
    const r = record();
    expect(verifyBindingRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(base58Decode(r.koiiPublicKey)?.length).toBe(32);
  });

  it("fails when any field is changed", () => {
    const r = record();
    const other = addressOfPrivateKey(generatePrivateKey("secp256k1"));
    expect(() => verifyBindingRecord({ ...r, issuedAt: r.issuedAt + 1 })).toThrow(/ed25519 signature/);
    expect(() => verifyBindingRecord({ ...r, attester: other })).toThrow(/ed25519 signature/);
    expect(() => verifyBindingRecord({ ...r, koiiPublicKey: record().koiiPublicKey })).toThrow(/ed25519 signature/);
  });

  it("fails when one of the two signatures is from another key", () => {
    const a = record();
    const b = record();
    // a's Koii key with b's attester signature: the ed25519 part may be right, the secp256k1 part is not.
    expect(() => verifyBindingRecord({ ...a, attesterSignature: b.attesterSignature })).toThrow(
      InvalidBindingRecordError,
    );
    expect(() => verifyBindingRecord({ ...a, koiiSignature: b.koiiSignature })).toThrow(/ed25519/);
  });

  it("rejects a malformed record", () => {
    expect(() => verifyBindingRecord({ version: 2 })).toThrow(InvalidBindingRecordError);
    expect(() => verifyBindingRecord({ ...record(), koiiSignature: "0x00" })).toThrow(/koiiSignature/);
  });

  it("base58 round trips, keeping leading zero bytes", () => {
    const bytes = Uint8Array.from([0, 0, 1, 2, 255]);
    expect(base58Decode(base58Encode(bytes))).toEqual(bytes);
    expect(base58Decode("0OIl")).toBeUndefined();
  });
});
