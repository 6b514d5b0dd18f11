// A big-endian, packed byte writer for the task's canonical encodings (docs/protocol.md §9): fixed-width integers,
// fixed-length byte strings and length-prefixed ones. Every node that writes the same values gets the same bytes.
import { bytesToHex, type Hex, hexToBytes, keccak256, stringToBytes } from "viem";

export class CanonicalWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): this {
    this.#parts.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  /** An unsigned integer in `size` bytes; throws if it does not fit. */
  uint(value: bigint | number, size: number): this {
    let v = BigInt(value);
    if (v < 0n || v >= 1n << BigInt(size * 8)) throw new RangeError(`${value} does not fit in ${size} bytes`);
    const out = new Uint8Array(size);
    for (let i = size - 1; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this.#push(out);
  }

  /** Exactly `size` bytes of hex. */
  fixed(value: Hex, size: number): this {
    const bytes = hexToBytes(value);
    if (bytes.length !== size) throw new RangeError(`expected ${size} bytes, got ${bytes.length}`);
    return this.#push(bytes);
  }

  raw(bytes: Uint8Array): this {
    return this.#push(bytes);
  }

  /** Bytes prefixed by their length in `lengthSize` bytes. */
  bytes(value: Hex | Uint8Array, lengthSize: number): this {
    const bytes = typeof value === "string" ? hexToBytes(value) : value;
    this.uint(bytes.length, lengthSize);
    return this.#push(bytes);
  }

  /** UTF-8 text prefixed by its byte length in `lengthSize` bytes. */
  text(value: string, lengthSize: number): this {
    return this.bytes(stringToBytes(value), lengthSize);
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  toHex(): Hex {
    return bytesToHex(this.toBytes());
  }
}

/** keccak256 of UTF-8 text (task ids and kind names enter the encodings hashed, so they have a fixed width). */
export function textHash(text: string): Hex {
  return keccak256(stringToBytes(text));
}

export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;
