import { bytesToHex, type Hex, toHex } from "viem";
import { describe, expect, it } from "vitest";
import {
  decodeMessage,
  encodeMessage,
  generateSealKeyPair,
  MAX_SEALED_PLAINTEXT_LENGTH,
  messageId,
  openPayload,
  SEAL_OVERHEAD,
  type SealContext,
  sealPayload,
  sealPublicKey,
} from "../src/index.ts";

const recipient = `0x${"00".repeat(12)}${"ab".repeat(20)}` as Hex;
const context: SealContext = { destinationDomain: 1002, recipient };
const plaintext = toHex("transfer 42 MASK to alice; memo: the launch code is 0000");

describe("sealed payloads", () => {
  it("round-trips to the recipient and adds exactly the envelope overhead", () => {
    const keys = generateSealKeyPair();
    expect(sealPublicKey(keys.secretKey)).toBe(keys.publicKey);
    const sealed = sealPayload(plaintext, keys.publicKey, context);
    expect((sealed.length - 2) / 2).toBe((plaintext.length - 2) / 2 + SEAL_OVERHEAD);
    expect(openPayload(sealed, keys.secretKey, context)).toBe(plaintext);
  });

  it("never puts the plaintext in the message that attesters sign and relayers carry", () => {
    const keys = generateSealKeyPair();
    const sealed = sealPayload(plaintext, keys.publicKey, context);
    const message = encodeMessage({
      nonce: 7n,
      originDomain: 1001,
      sender: `0x${"00".repeat(12)}${"cd".repeat(20)}`,
      destinationDomain: context.destinationDomain,
      recipient,
      payload: sealed,
    });
    // What an attester hashes and signs, and what a relayer submits: no plaintext byte run of any length ≥ 8 in it.
    const carried = message.slice(2).toLowerCase();
    const secret = plaintext.slice(2).toLowerCase();
    for (let i = 0; i + 16 <= secret.length; i += 2) expect(carried.includes(secret.slice(i, i + 16))).toBe(false);
    expect(messageId(message)).toMatch(/^0x[0-9a-f]{64}$/);
    // The recipient recovers the plaintext from the delivered message alone.
    expect(openPayload(decodeMessage(message).payload, keys.secretKey, context)).toBe(plaintext);
  });

  it("is randomised: sealing twice gives different bytes that both open", () => {
    const keys = generateSealKeyPair();
    const a = sealPayload(plaintext, keys.publicKey, context);
    const b = sealPayload(plaintext, keys.publicKey, context);
    expect(a).not.toBe(b);
    expect(openPayload(a, keys.secretKey, context)).toBe(openPayload(b, keys.secretKey, context));
  });

  it("refuses the wrong key, another destination, another recipient and any modified byte", () => {
    const keys = generateSealKeyPair();
    const other = generateSealKeyPair();
    const sealed = sealPayload(plaintext, keys.publicKey, context);
    expect(() => openPayload(sealed, other.secretKey, context)).toThrow(
      expect.objectContaining({ code: "SealedPayloadUnopenable" }),
    );
    expect(() => openPayload(sealed, keys.secretKey, { ...context, destinationDomain: 1003 })).toThrow(
      expect.objectContaining({ code: "SealedPayloadUnopenable" }),
    );
    expect(() => openPayload(sealed, keys.secretKey, { ...context, recipient: `0x${"11".repeat(32)}` })).toThrow(
      expect.objectContaining({ code: "SealedPayloadUnopenable" }),
    );
    const bytes = Uint8Array.from(Buffer.from(sealed.slice(2), "hex"));
    for (const index of [1, 40, 60, bytes.length - 1]) {
      const tampered = bytes.slice();
      tampered[index] = (tampered[index] ?? 0) ^ 1;
      expect(() => openPayload(bytesToHex(tampered), keys.secretKey, context)).toThrow(
        expect.objectContaining({ code: "SealedPayloadUnopenable" }),
      );
    }
  });

  it("names what is wrong with malformed input", () => {
    const keys = generateSealKeyPair();
    const sealed = sealPayload(plaintext, keys.publicKey, context);
    expect(() => openPayload(`0x${"01".repeat(SEAL_OVERHEAD - 1)}`, keys.secretKey, context)).toThrow(/shorter than/);
    expect(() => openPayload(`0x02${sealed.slice(4)}`, keys.secretKey, context)).toThrow(/unsupported version 2/);
    expect(() => sealPayload(plaintext, "0x1234", context)).toThrow(
      expect.objectContaining({ code: "InvalidSealKey" }),
    );
    expect(() => openPayload(sealed, "0x00", context)).toThrow(/recipientSecretKey/);
    expect(() => sealPayload(`0x${"00".repeat(MAX_SEALED_PLAINTEXT_LENGTH + 1)}`, keys.publicKey, context)).toThrow(
      expect.objectContaining({ code: "SealedPayloadMalformed" }),
    );
    // The largest plaintext still fits a message payload once sealed.
    const largest = sealPayload(`0x${"00".repeat(MAX_SEALED_PLAINTEXT_LENGTH)}`, keys.publicKey, context);
    expect((largest.length - 2) / 2).toBe(4096);
  });
});
