/**
 * keccak256 of short inputs (a few rate blocks: a 192-byte payout leaf preimage is two) straight on a reused state,
 * without the per-call allocations of a hasher object. The payout tree hashes three times per leaf; this keeps
 * 100,000 leaves in seconds. Same function as viem's / noble's keccak_256 (tested against it); big-endian platforms
 * fall back to noble's.
 */
import { keccak_256, keccakP } from "@noble/hashes/sha3.js";

/** keccak256's rate in bytes (1088 bits). */
const RATE = 136;
const state8 = new Uint8Array(200);
const state32 = new Uint32Array(state8.buffer);
const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Writes keccak256(input) to out[offset .. offset + 32]. */
export function keccakSmallInto(input: Uint8Array, out: Uint8Array, offset: number): void {
  if (!littleEndian) {
    out.set(keccak_256(input), offset);
    return;
  }
  state32.fill(0);
  let pos = 0;
  for (; input.length - pos >= RATE; pos += RATE) {
    for (let i = 0; i < RATE; i++) state8[i]! ^= input[pos + i]!;
    keccakP(state32, 24);
  }
  for (let i = pos; i < input.length; i++) state8[i - pos]! ^= input[i]!;
  state8[input.length - pos]! ^= 0x01;
  state8[RATE - 1]! ^= 0x80;
  keccakP(state32, 24);
  for (let i = 0; i < 32; i++) out[offset + i] = state8[i]!;
}
