// AssemblyScript probes for the host tests (test/host.test.ts): graph-ts calls whose results the tests compare with
// graph-ts's documented semantics, run through the harness host. Compiled like a mapping (test/setup.ts).
import { BigDecimal, BigInt, Bytes, crypto, Entity, ethereum, log, store, Value } from "@graphprotocol/graph-ts";

export function concat(a: Bytes, b: Bytes): Bytes {
  return a.concat(b);
}

export function concatI32(a: Bytes, n: i32): Bytes {
  return a.concatI32(n);
}

export function divide(a: BigInt, b: BigInt): BigInt {
  return a.div(b);
}

export function remainder(a: BigInt, b: BigInt): BigInt {
  return a.mod(b);
}

export function fromSigned(b: Bytes): BigInt {
  return BigInt.fromSignedBytes(b);
}

export function fromUnsigned(b: Bytes): BigInt {
  return BigInt.fromUnsignedBytes(b);
}

export function fromI32(n: i32): BigInt {
  return BigInt.fromI32(n);
}

export function fromU64(lo: u32, hi: u32): BigInt {
  return BigInt.fromU64(((hi as u64) << 32) | (lo as u64));
}

export function toI32(a: BigInt): i32 {
  return a.toI32();
}

export function toU32(a: BigInt): u32 {
  return a.toU32();
}

export function toDecimalString(a: BigInt): string {
  return a.toString();
}

export function toHex(a: BigInt): string {
  return a.toHexString();
}

export function parseBigInt(s: string): BigInt {
  return BigInt.fromString(s);
}

export function power(a: BigInt, e: u8): BigInt {
  return a.pow(e);
}

export function shiftLeft(a: BigInt, bits: u8): BigInt {
  return a.leftShift(bits);
}

export function decimalDivide(a: string, b: string): string {
  return BigDecimal.fromString(a).div(BigDecimal.fromString(b)).toString();
}

export function decimalTimes(a: string, b: string): string {
  return BigDecimal.fromString(a).times(BigDecimal.fromString(b)).toString();
}

export function decimalPlus(a: string, b: string): string {
  return BigDecimal.fromString(a).plus(BigDecimal.fromString(b)).toString();
}

export function keccak(a: Bytes): Bytes {
  return Bytes.fromByteArray(crypto.keccak256(a));
}

export function bytesHex(a: Bytes): string {
  return a.toHexString();
}

export function bytesUtf8(a: Bytes): string {
  return a.toString();
}

export function address(s: string): Bytes {
  return Bytes.fromHexString(s);
}

/** Decodes `(uint256,bytes,address)` and re-renders it as "<uint>|<bytes hex>|<address hex>", or "null". */
export function decodeTuple(data: Bytes): string {
  const decoded = ethereum.decode("(uint256,bytes,address)", data);
  if (decoded === null) return "null";
  const t = decoded.toTuple();
  return t[0].toBigInt().toString() + "|" + t[1].toBytes().toHexString() + "|" + t[2].toAddress().toHexString();
}

export function encodeUint(n: BigInt): Bytes {
  return ethereum.encode(ethereum.Value.fromUnsignedBigInt(n))!;
}

/** Saves an entity with one field of each kind, loads it back and returns the loaded field count. */
export function roundTrip(id: string): i32 {
  const e = new Entity();
  e.set("id", Value.fromString(id));
  e.set("int", Value.fromI32(-5));
  e.set("big", Value.fromBigInt(BigInt.fromString("-123456789012345678901234567890")));
  e.set("bytes", Value.fromBytes(Bytes.fromHexString("0xdeadbeef")));
  e.set("flag", Value.fromBoolean(true));
  e.set("list", Value.fromStringArray(["a", "b"]));
  e.set("dec", Value.fromBigDecimal(BigDecimal.fromString("1.5")));
  e.set("gone", Value.fromNull());
  store.set("Probe", id, e);
  const loaded = store.get("Probe", id);
  if (loaded == null) return -1;
  return loaded.entries.length;
}

export function remove(id: string): bool {
  store.remove("Probe", id);
  return store.get("Probe", id) == null;
}

export function logInfo(message: string): void {
  log.info("probe {}", [message]);
}

export function logCritical(message: string): void {
  log.critical("probe {}", [message]);
}
