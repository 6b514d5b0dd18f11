import { keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import {
  AddressUpperBytesNonZeroError,
  FieldOutOfRangeError,
  InvalidAddressError,
  InvalidBytes32Error,
  InvalidHexError,
  MessageTooShortError,
  PayloadTooLongError,
  UnsupportedVersionError,
} from "../src/errors/index.ts";
import {
  addressToBytes32,
  bytes32ToAddress,
  decodeMessage,
  encodeMessage,
  MAX_PAYLOAD_LENGTH,
  MESSAGE_HEADER_LENGTH,
  type MessageFields,
  messageId,
  validateMessage,
} from "../src/message.ts";
import { b32, expectCode } from "./helpers.ts";

const fields: MessageFields = {
  nonce: 0x0102030405060708n,
  originDomain: 0x0a0b0c0d,
  sender: b32("11"),
  destinationDomain: 1002,
  recipient: b32("22"),
  payload: "0xCAFE",
};

describe("encodeMessage", () => {
  it("packs the header big-endian, then the payload", () => {
    const encoded = encodeMessage(fields);
    expect(encoded).toBe(`0x01${"0102030405060708"}${"0a0b0c0d"}${"11".repeat(32)}${"000003ea"}${"22".repeat(32)}cafe`);
    expect((encoded.length - 2) / 2).toBe(MESSAGE_HEADER_LENGTH + 2);
  });

  it("round-trips through decodeMessage", () => {
    expect(decodeMessage(encodeMessage(fields))).toEqual({
      version: 1,
      nonce: fields.nonce,
      originDomain: fields.originDomain,
      sender: fields.sender,
      destinationDomain: fields.destinationDomain,
      recipient: fields.recipient,
      payload: "0xcafe",
    });
  });

  it("accepts number nonces, empty and max-length payloads", () => {
    expect(decodeMessage(encodeMessage({ ...fields, nonce: 5, payload: "0x" })).nonce).toBe(5n);
    const max = `0x${"ab".repeat(MAX_PAYLOAD_LENGTH)}` as const;
    expect(decodeMessage(encodeMessage({ ...fields, payload: max })).payload).toBe(max);
  });

  it("rejects a payload over 4096 bytes", () => {
    const err = expectCode(
      () => encodeMessage({ ...fields, payload: `0x${"00".repeat(MAX_PAYLOAD_LENGTH + 1)}` }),
      "PayloadTooLong",
      PayloadTooLongError,
    );
    expect((err as PayloadTooLongError).length).toBe(4097);
  });

  it("rejects out-of-range numeric fields", () => {
    for (const bad of [-1n, 1n << 64n]) {
      const err = expectCode(() => encodeMessage({ ...fields, nonce: bad }), "FieldOutOfRange", FieldOutOfRangeError);
      expect((err as FieldOutOfRangeError).field).toBe("nonce");
    }
    expectCode(() => encodeMessage({ ...fields, nonce: 1.5 }), "FieldOutOfRange");
    expectCode(() => encodeMessage({ ...fields, originDomain: 2 ** 32 }), "FieldOutOfRange");
    expectCode(() => encodeMessage({ ...fields, destinationDomain: -1 }), "FieldOutOfRange");
  });

  it("rejects senders and recipients that are not 32 bytes", () => {
    const err = expectCode(
      () => encodeMessage({ ...fields, sender: "0x1111111111111111111111111111111111111111" }),
      "InvalidBytes32",
      InvalidBytes32Error,
    );
    expect((err as InvalidBytes32Error).field).toBe("sender");
    expectCode(() => encodeMessage({ ...fields, recipient: `0x${"zz".repeat(32)}` }), "InvalidBytes32");
  });

  it("rejects a payload that is not hex", () => {
    expectCode(() => encodeMessage({ ...fields, payload: "0xabc" }), "InvalidHex", InvalidHexError);
    expectCode(() => encodeMessage({ ...fields, payload: "cafe" as `0x${string}` }), "InvalidHex");
  });
});

describe("decodeMessage / validateMessage / messageId", () => {
  const encoded = encodeMessage(fields);

  it("computes the id as keccak256 of the whole encoding", () => {
    expect(messageId(encoded)).toBe(keccak256(encoded));
  });

  it("rejects messages shorter than the header", () => {
    expectCode(() => decodeMessage("0x"), "MessageTooShort", MessageTooShortError);
    const err = expectCode(() => messageId(encoded.slice(0, 2 + 80 * 2) as `0x${string}`), "MessageTooShort");
    expect((err as MessageTooShortError).length).toBe(80);
  });

  it("rejects versions other than 1", () => {
    for (const v of ["00", "02", "ff"]) {
      const err = expectCode(
        () => validateMessage(`0x${v}${encoded.slice(4)}`),
        "UnsupportedVersion",
        UnsupportedVersionError,
      );
      expect((err as UnsupportedVersionError).version).toBe(Number.parseInt(v, 16));
    }
  });

  it("rejects a payload over 4096 bytes", () => {
    const long = `${encoded.slice(0, 2 + MESSAGE_HEADER_LENGTH * 2)}${"00".repeat(4097)}` as `0x${string}`;
    expectCode(() => decodeMessage(long), "PayloadTooLong", PayloadTooLongError);
    expect(() => decodeMessage(long.slice(0, -2) as `0x${string}`)).not.toThrow();
  });

  it("rejects non-hex input", () => {
    expectCode(() => decodeMessage("0x0" as `0x${string}`), "InvalidHex");
  });

  it("reads upper-case hex", () => {
    expect(decodeMessage(encoded.toUpperCase().replace("0X", "0x") as `0x${string}`).sender).toBe(b32("11"));
  });
});

describe("address <-> bytes32", () => {
  it("left-pads addresses and checksums on the way back", () => {
    const addr = "0x52908400098527886E0F7030069857D2E4169EE7";
    const padded = addressToBytes32(addr);
    expect(padded).toBe(`0x${"00".repeat(12)}52908400098527886e0f7030069857d2e4169ee7`);
    expect(bytes32ToAddress(padded)).toBe(addr);
  });

  it("rejects bad addresses and bad checksums", () => {
    expectCode(() => addressToBytes32("0x1234"), "InvalidAddress", InvalidAddressError);
    expectCode(() => addressToBytes32("0x52908400098527886E0F7030069857D2E4169Ee7"), "InvalidAddress");
  });

  it("rejects a bytes32 with non-zero upper bytes (e.g. a Solana key)", () => {
    expectCode(
      () => bytes32ToAddress(`0x01${"00".repeat(11)}${"11".repeat(20)}`),
      "AddressUpperBytesNonZero",
      AddressUpperBytesNonZeroError,
    );
    expectCode(() => bytes32ToAddress("0x11"), "InvalidBytes32");
  });
});
