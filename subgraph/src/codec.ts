// Byte-level decoding of the protocol's encodings (protocol §2 message, §8 token message, the attestation), as the
// sdk's decodeMessage / decodeTokenMessage / decodeAttestation.
import { BigInt, Bytes } from "@graphprotocol/graph-ts";

export const MESSAGE_HEADER_LENGTH: i32 = 81;
export const TOKEN_MESSAGE_LENGTH: i32 = 73;
export const ATTESTATION_HEADER_LENGTH: i32 = 8;
export const ATTESTATION_SIGNATURE_LENGTH: i32 = 66;

export function slice(b: Bytes, from: i32, to: i32): Bytes {
  return changetype<Bytes>(b.slice(from, to));
}

/** Big-endian unsigned integer of `size` bytes at `at` (size ≤ 8). */
export function readUint(b: Bytes, at: i32, size: i32): u64 {
  let v: u64 = 0;
  for (let i = 0; i < size; i++) v = (v << 8) | (b[at + i] as u64);
  return v;
}

export class DecodedMessage {
  nonce: BigInt;
  originDomain: i32;
  sender: Bytes;
  destinationDomain: i32;
  recipient: Bytes;
  payload: Bytes;
  constructor(raw: Bytes) {
    this.nonce = BigInt.fromU64(readUint(raw, 1, 8));
    this.originDomain = readUint(raw, 9, 4) as i32;
    this.sender = slice(raw, 13, 45);
    this.destinationDomain = readUint(raw, 45, 4) as i32;
    this.recipient = slice(raw, 49, 81);
    this.payload = slice(raw, MESSAGE_HEADER_LENGTH, raw.length);
  }
}

export function decodeMessage(raw: Bytes): DecodedMessage | null {
  if (raw.length < MESSAGE_HEADER_LENGTH) return null;
  return new DecodedMessage(raw);
}

/** The address in a left-padded bytes32, or null when the upper 12 bytes are not zero. */
export function bytes32ToAddress(b: Bytes): Bytes | null {
  if (b.length != 32) return null;
  for (let i = 0; i < 12; i++) if (b[i] != 0) return null;
  return slice(b, 12, 32);
}

export class TokenMessage {
  token: Bytes;
  recipient: Bytes;
  amount: BigInt;
  constructor(payload: Bytes) {
    this.token = slice(payload, 1, 33);
    this.recipient = slice(payload, 33, 65);
    this.amount = BigInt.fromU64(readUint(payload, 65, 8));
  }
}

export function decodeTokenMessage(payload: Bytes): TokenMessage | null {
  if (payload.length != TOKEN_MESSAGE_LENGTH || payload[0] != 1) return null;
  return new TokenMessage(payload);
}

export class Attestation {
  attesterSetId: BigInt;
  signerIndexes: i32[];
  constructor(setId: BigInt, indexes: i32[]) {
    this.attesterSetId = setId;
    this.signerIndexes = indexes;
  }
}

export function decodeAttestation(raw: Bytes): Attestation | null {
  const body = raw.length - ATTESTATION_HEADER_LENGTH;
  if (body <= 0 || body % ATTESTATION_SIGNATURE_LENGTH != 0) return null;
  const indexes: i32[] = [];
  for (let at = ATTESTATION_HEADER_LENGTH; at < raw.length; at += ATTESTATION_SIGNATURE_LENGTH) {
    indexes.push(raw[at] as i32);
  }
  return new Attestation(BigInt.fromU64(readUint(raw, 0, 8)), indexes);
}
