// A host for graph-ts mapping wasm under Node: the subset of graph-node's runtime host exports the maskoii mappings
// use, with graph-node's semantics (graph-node runtime/wasm/src/host_exports.rs and module/mod.rs; graph-ts
// common/*.ts and chain/ethereum.ts for the AssemblyScript side). Objects live in the module's own memory in
// AssemblyScript 0.19's layout (graph-cli compiles with `--runtime stub --exportRuntime --explicitStart`):
//
//   every object: a 20-byte header before its pointer; rtId at ptr-8, rtSize (payload bytes) at ptr-4
//   string:       UTF-16LE code units, rtSize bytes
//   ArrayBuffer:  rtSize bytes
//   typed array (Uint8Array, and graph-ts's Bytes/BigInt/Address/ByteArray that extend it):
//                 buffer ptr @0, dataStart @4, byteLength @8
//   Array<T>:     buffer ptr @0, dataStart @4, byteLength @8, length @12 (elements: pointers, or values)
//   class:        fields in declaration order, naturally aligned (a Value is kind i32 @0, payload u64 @8)
//
// The host allocates with the module's `__new(size, classId)` and learns class ids from graph-ts's exported
// `id_of_type(TypeId)`, as graph-node does. A BigInt is its two's complement little-endian bytes.
//
// Any import the host does not implement fails instantiation with UnsupportedHostImportError naming every missing
// one: a mapping never runs against a silently stubbed host function.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { type AbiParameter, decodeAbiParameters, encodeAbiParameters, parseAbiParameters } from "viem";

/** graph-ts global/global.ts TypeId values the host allocates. */
export const TypeId = {
  String: 0,
  ArrayBuffer: 1,
  Uint8Array: 6,
  BigDecimal: 12,
  ArrayEthereumValue: 15,
  ArrayStoreValue: 16,
  ArrayString: 18,
  ArrayEventParam: 19,
  ArrayTypedMapEntryStringStoreValue: 21,
  EventParam: 23,
  EthereumTransaction: 24,
  EthereumBlock: 25,
  EthereumValue: 30,
  StoreValue: 31,
  EthereumEvent: 33,
  TypedMapEntryStringStoreValue: 34,
  TypedMapStringStoreValue: 36,
} as const;

/** graph-ts common/value.ts ValueKind (store values). */
export const StoreKind = {
  STRING: 0,
  INT: 1,
  BIGDECIMAL: 2,
  BOOL: 3,
  ARRAY: 4,
  NULL: 5,
  BYTES: 6,
  BIGINT: 7,
  INT8: 8,
  TIMESTAMP: 9,
} as const;

/** graph-ts chain/ethereum.ts ethereum.ValueKind. */
export const EthKind = {
  ADDRESS: 0,
  FIXED_BYTES: 1,
  BYTES: 2,
  INT: 3,
  UINT: 4,
  BOOL: 5,
  STRING: 6,
  FIXED_ARRAY: 7,
  ARRAY: 8,
  TUPLE: 9,
} as const;

export class UnsupportedHostImportError extends Error {
  override name = "UnsupportedHostImportError";
  readonly imports: string[];
  constructor(imports: string[]) {
    super(`the mapping imports host functions this harness does not implement: ${imports.join(", ")}`);
    this.imports = imports;
  }
}

/** What a mapping raised: graph-node fails the handler (and the subgraph) with this message. */
export class MappingAbortError extends Error {
  override name = "MappingAbortError";
}

/** A BigDecimal as graph-ts holds it: digits × 10^exp. */
export type Decimal = { digits: bigint; exp: bigint };

/** A store value, as the harness keeps entities. */
export type StoreValue =
  | { kind: "String"; value: string }
  | { kind: "Int"; value: number }
  | { kind: "BigDecimal"; value: Decimal }
  | { kind: "Bool"; value: boolean }
  | { kind: "Array"; value: StoreValue[] }
  | { kind: "Null" }
  | { kind: "Bytes"; value: Uint8Array }
  | { kind: "BigInt"; value: bigint }
  | { kind: "Int8"; value: bigint }
  | { kind: "Timestamp"; value: bigint };

export type Entity = Map<string, StoreValue>;

/** An ABI value as viem decodes it, with its ABI parameter. */
export type EthValue = { param: AbiParameter; value: unknown };

export type LogLevel = "critical" | "error" | "warning" | "info" | "debug";
const LOG_LEVELS: LogLevel[] = ["critical", "error", "warning", "info", "debug"];

// ---------------------------------------------------------------------------------------------------------------
// BigInt / BigDecimal semantics (num-bigint and graph-node's BigDecimal)

/** Two's complement little-endian, minimal length (num-bigint `to_signed_bytes_le`; zero is one 0 byte). */
export function bigIntToBytes(n: bigint): Uint8Array {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(v & 0xffn);
    v >>= 8n; // arithmetic shift: -1 stays -1
    const signBit = (byte & 0x80) !== 0;
    out.push(byte);
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  return Uint8Array.from(out);
}

/** From two's complement little-endian bytes (empty is zero). */
export function bigIntFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  const top = bytes[bytes.length - 1] ?? 0;
  return (top & 0x80) !== 0 ? v - (1n << BigInt(8 * bytes.length)) : v;
}

/** Division truncating toward zero, as num-bigint's `/` (JavaScript's bigint `/` does the same). */
export function bigIntDivide(x: bigint, y: bigint): bigint {
  if (y === 0n) throw new MappingAbortError("attempted to divide BigInt by zero");
  return x / y;
}

/** Remainder with the dividend's sign, as num-bigint's `%`. */
export function bigIntMod(x: bigint, y: bigint): bigint {
  if (y === 0n) throw new MappingAbortError("attempted to calculate the remainder of BigInt with a divisor of zero");
  return x % y;
}

/** graph-node's BigDecimal keeps at most 34 significant digits (rounded half to even) and no trailing zeros. */
export const DECIMAL_PRECISION = 34;

export function normalizeDecimal(d: Decimal): Decimal {
  let { digits, exp } = d;
  if (digits === 0n) return { digits: 0n, exp: 0n };
  const negative = digits < 0n;
  let abs = negative ? -digits : digits;
  const length = abs.toString().length;
  if (length > DECIMAL_PRECISION) {
    const drop = BigInt(length - DECIMAL_PRECISION);
    const scale = 10n ** drop;
    const q = abs / scale;
    const r = abs % scale;
    const half = scale / 2n;
    abs = r > half || (r === half && q % 2n === 1n) ? q + 1n : q;
    exp += drop;
  }
  while (abs !== 0n && abs % 10n === 0n) {
    abs /= 10n;
    exp += 1n;
  }
  digits = negative ? -abs : abs;
  return { digits, exp };
}

export function decimalToString(d: Decimal): string {
  const { digits, exp } = normalizeDecimal(d);
  if (digits === 0n) return "0";
  const negative = digits < 0n;
  const abs = (negative ? -digits : digits).toString();
  let text: string;
  if (exp >= 0n) text = abs + "0".repeat(Number(exp));
  else {
    const point = abs.length + Number(exp);
    text = point > 0 ? `${abs.slice(0, point)}.${abs.slice(point)}` : `0.${"0".repeat(-point)}${abs}`;
  }
  return negative ? `-${text}` : text;
}

export function decimalFromString(s: string): Decimal {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (match === null || `${match[2] ?? ""}${match[3] ?? ""}` === "") {
    throw new MappingAbortError(`failed to parse BigDecimal from ${JSON.stringify(s)}`);
  }
  const fraction = match[3] ?? "";
  const digits = BigInt(`${match[1] ?? ""}${match[2] ?? ""}${fraction}` || "0");
  return normalizeDecimal({ digits, exp: BigInt(match[4] ?? "0") - BigInt(fraction.length) });
}

function align(a: Decimal, b: Decimal): [bigint, bigint, bigint] {
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers).
  const exp = a.exp < b.exp ? a.exp : b.exp;
  return [a.digits * 10n ** (a.exp - exp), b.digits * 10n ** (b.exp - exp), exp];
}

export const decimal = {
  plus(a: Decimal, b: Decimal): Decimal {
    const [x, y, exp] = align(a, b);
    return normalizeDecimal({ digits: x + y, exp });
  },
  minus(a: Decimal, b: Decimal): Decimal {
    const [x, y, exp] = align(a, b);
    return normalizeDecimal({ digits: x - y, exp });
  },
  times(a: Decimal, b: Decimal): Decimal {
    return normalizeDecimal({ digits: a.digits * b.digits, exp: a.exp + b.exp });
  },
  dividedBy(a: Decimal, b: Decimal): Decimal {
    if (b.digits === 0n) throw new MappingAbortError("attempted to divide BigDecimal by zero");
    // Enough extra digits that rounding to 34 significant digits is exact (half-even on the truncated quotient
    // plus a sticky digit for any remainder).
    const extra = BigInt(DECIMAL_PRECISION + 2 + b.digits.toString().length);
    const scaled = a.digits * 10n ** extra;
    let q = scaled / b.digits;
    const r = scaled % b.digits;
    q = q * 10n + (r === 0n ? 0n : q < 0n || (q === 0n && a.digits < 0n !== b.digits < 0n) ? -1n : 1n);
    return normalizeDecimal({ digits: q, exp: a.exp - b.exp - extra - 1n });
  },
  equals(a: Decimal, b: Decimal): boolean {
    const x = normalizeDecimal(a);
    const y = normalizeDecimal(b);
    return x.digits === y.digits && x.exp === y.exp;
  },
};

const hexOf = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

/** graph-node `big_int_to_hex`: lowercase, `0x` prefix, no leading zeros (`0x0` for zero); negatives as `-0x…`. */
export function bigIntToHex(n: bigint): string {
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
export function base58(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The module and its memory

type Exports = {
  memory: WebAssembly.Memory;
  __new: (size: number, id: number) => number;
  id_of_type: (typeId: number) => number;
  _start?: () => void;
} & Record<string, unknown>;

export type HostOptions = {
  /** The entity store the mapping reads and writes (shared across triggers, as graph-node's store). */
  store: EntityStore;
  /** The data source the trigger belongs to: `dataSource.address/network/context`. */
  dataSource?: { address: Uint8Array; network: string; context: Entity };
  /**
   * `ethereum.call`: runs eth_call of `data` to `to` at the trigger's block, synchronously; returns the output, or
   * null when the call reverted (graph-node: the mapping's `try_` sees `reverted`).
   */
  ethereumCall?: (to: `0x${string}`, data: `0x${string}`) => `0x${string}` | null;
  /** Receives `log.log` calls; `critical` also aborts the handler, as in graph-node. */
  onLog?: (level: LogLevel, message: string) => void;
};

/** Entities by type and id. `set` merges into the stored entity and drops fields set to null (graph-node). */
export class EntityStore {
  readonly entities = new Map<string, Map<string, Entity>>();

  get(type: string, id: string): Entity | undefined {
    return this.entities.get(type)?.get(id);
  }

  set(type: string, id: string, data: Entity): void {
    let table = this.entities.get(type);
    if (table === undefined) {
      table = new Map();
      this.entities.set(type, table);
    }
    const merged: Entity = new Map(table.get(id) ?? []);
    for (const [field, value] of data) {
      if (value.kind === "Null") merged.delete(field);
      else merged.set(field, value);
    }
    table.set(id, merged);
  }

  remove(type: string, id: string): void {
    this.entities.get(type)?.delete(id);
  }

  /** All entities of `type` as plain objects (see `plain`). */
  all(type: string): Record<string, unknown>[] {
    return [...(this.entities.get(type)?.values() ?? [])].map(plain);
  }

  /** One entity as a plain object, or undefined. */
  find(type: string, id: string): Record<string, unknown> | undefined {
    const e = this.get(type, id);
    return e === undefined ? undefined : plain(e);
  }
}

/** String → string, Int → number, BigInt/Int8/Timestamp → bigint, Bytes → 0x hex, BigDecimal → its string. */
export function plainValue(v: StoreValue): unknown {
  switch (v.kind) {
    case "Null":
      return null;
    case "Bytes":
      return hexOf(v.value);
    case "BigDecimal":
      return decimalToString(v.value);
    case "Array":
      return v.value.map(plainValue);
    default:
      return v.value;
  }
}

export function plain(e: Entity): Record<string, unknown> {
  return Object.fromEntries([...e].map(([k, v]) => [k, plainValue(v)]));
}

/** Reads and writes AssemblyScript objects in one instance's memory. */
export class AscMemory {
  readonly #ids = new Map<number, number>();
  readonly exports: Exports;
  constructor(exports: Exports) {
    this.exports = exports;
  }

  get view(): DataView {
    return new DataView(this.exports.memory.buffer);
  }

  get bytes(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  classId(typeId: number): number {
    let id = this.#ids.get(typeId);
    if (id === undefined) {
      id = this.exports.id_of_type(typeId) >>> 0;
      this.#ids.set(typeId, id);
    }
    return id;
  }

  alloc(size: number, typeId: number): number {
    return this.exports.__new(size, this.classId(typeId)) >>> 0;
  }

  u32(ptr: number): number {
    return this.view.getUint32(ptr, true);
  }

  setU32(ptr: number, value: number): void {
    this.view.setUint32(ptr, value >>> 0, true);
  }

  rtSize(ptr: number): number {
    return this.u32(ptr - 4);
  }

  readString(ptr: number): string {
    if (ptr === 0) throw new MappingAbortError("null string passed to the host");
    const size = this.rtSize(ptr);
    return Buffer.from(this.bytes.slice(ptr, ptr + size)).toString("utf16le");
  }

  writeString(s: string): number {
    const data = Buffer.from(s, "utf16le");
    const ptr = this.alloc(data.length, TypeId.String);
    this.bytes.set(data, ptr);
    return ptr;
  }

  /** A typed array's bytes (Uint8Array and everything graph-ts derives from it). */
  readBytes(ptr: number): Uint8Array {
    if (ptr === 0) throw new MappingAbortError("null bytes passed to the host");
    const dataStart = this.u32(ptr + 4);
    const length = this.u32(ptr + 8);
    return this.bytes.slice(dataStart, dataStart + length);
  }

  writeBytes(data: Uint8Array): number {
    const buffer = this.alloc(data.length, TypeId.ArrayBuffer);
    this.bytes.set(data, buffer);
    const ptr = this.alloc(12, TypeId.Uint8Array);
    this.setU32(ptr, buffer);
    this.setU32(ptr + 4, buffer);
    this.setU32(ptr + 8, data.length);
    return ptr;
  }

  readBigInt(ptr: number): bigint {
    return bigIntFromBytes(this.readBytes(ptr));
  }

  writeBigInt(n: bigint): number {
    return this.writeBytes(bigIntToBytes(n));
  }

  /** The elements of an Array of pointers (or 32-bit values). */
  readArray(ptr: number): number[] {
    const dataStart = this.u32(ptr + 4);
    const length = this.u32(ptr + 12);
    return Array.from({ length }, (_, i) => this.u32(dataStart + 4 * i));
  }

  writeArray(elements: number[], typeId: number): number {
    const buffer = this.alloc(elements.length * 4, TypeId.ArrayBuffer);
    elements.forEach((e, i) => {
      this.setU32(buffer + 4 * i, e);
    });
    const ptr = this.alloc(16, typeId);
    this.setU32(ptr, buffer);
    this.setU32(ptr + 4, buffer);
    this.setU32(ptr + 8, elements.length * 4);
    this.setU32(ptr + 12, elements.length);
    return ptr;
  }

  /** An object of pointer fields in declaration order. */
  writeObject(fields: number[], typeId: number): number {
    const ptr = this.alloc(fields.length * 4, typeId);
    fields.forEach((f, i) => {
      this.setU32(ptr + 4 * i, f);
    });
    return ptr;
  }

  readDecimal(ptr: number): Decimal {
    return { digits: this.readBigInt(this.u32(ptr)), exp: this.readBigInt(this.u32(ptr + 4)) };
  }

  writeDecimal(d: Decimal): number {
    const n = normalizeDecimal(d);
    return this.writeObject([this.writeBigInt(n.digits), this.writeBigInt(n.exp)], TypeId.BigDecimal);
  }

  /** An enum-like Value: kind i32 @0, payload u64 @8. */
  writeValue(kind: number, payload: bigint, typeId: number): number {
    const ptr = this.alloc(16, typeId);
    this.view.setInt32(ptr, kind, true);
    this.view.setBigUint64(ptr + 8, BigInt.asUintN(64, payload), true);
    return ptr;
  }

  readStoreValue(ptr: number): StoreValue {
    const kind = this.view.getInt32(ptr, true);
    const payload = this.view.getBigUint64(ptr + 8, true);
    const p = Number(payload & 0xffffffffn);
    switch (kind) {
      case StoreKind.STRING:
        return { kind: "String", value: this.readString(p) };
      case StoreKind.INT:
        return { kind: "Int", value: Number(BigInt.asIntN(32, payload)) };
      case StoreKind.BIGDECIMAL:
        return { kind: "BigDecimal", value: this.readDecimal(p) };
      case StoreKind.BOOL:
        return { kind: "Bool", value: payload !== 0n };
      case StoreKind.ARRAY:
        return { kind: "Array", value: this.readArray(p).map((e) => this.readStoreValue(e)) };
      case StoreKind.NULL:
        return { kind: "Null" };
      case StoreKind.BYTES:
        return { kind: "Bytes", value: this.readBytes(p) };
      case StoreKind.BIGINT:
        return { kind: "BigInt", value: this.readBigInt(p) };
      case StoreKind.INT8:
        return { kind: "Int8", value: BigInt.asIntN(64, payload) };
      case StoreKind.TIMESTAMP:
        return { kind: "Timestamp", value: BigInt.asIntN(64, payload) };
      default:
        throw new MappingAbortError(`unknown store value kind ${kind}`);
    }
  }

  writeStoreValue(v: StoreValue): number {
    const w = (kind: number, payload: bigint) => this.writeValue(kind, payload, TypeId.StoreValue);
    switch (v.kind) {
      case "String":
        return w(StoreKind.STRING, BigInt(this.writeString(v.value)));
      case "Int":
        return w(StoreKind.INT, BigInt(v.value));
      case "BigDecimal":
        return w(StoreKind.BIGDECIMAL, BigInt(this.writeDecimal(v.value)));
      case "Bool":
        return w(StoreKind.BOOL, v.value ? 1n : 0n);
      case "Array":
        return w(
          StoreKind.ARRAY,
          BigInt(
            this.writeArray(
              v.value.map((e) => this.writeStoreValue(e)),
              TypeId.ArrayStoreValue,
            ),
          ),
        );
      case "Null":
        return w(StoreKind.NULL, 0n);
      case "Bytes":
        return w(StoreKind.BYTES, BigInt(this.writeBytes(v.value)));
      case "BigInt":
        return w(StoreKind.BIGINT, BigInt(this.writeBigInt(v.value)));
      case "Int8":
        return w(StoreKind.INT8, v.value);
      case "Timestamp":
        return w(StoreKind.TIMESTAMP, v.value);
    }
  }

  /** TypedMap<string, Value>: entries Array<TypedMapEntry{key, value}> @0. */
  readEntity(ptr: number): Entity {
    const entity: Entity = new Map();
    for (const entry of this.readArray(this.u32(ptr))) {
      entity.set(this.readString(this.u32(entry)), this.readStoreValue(this.u32(entry + 4)));
    }
    return entity;
  }

  writeEntity(entity: Entity): number {
    const entries = [...entity].map(([k, v]) =>
      this.writeObject([this.writeString(k), this.writeStoreValue(v)], TypeId.TypedMapEntryStringStoreValue),
    );
    return this.writeObject(
      [this.writeArray(entries, TypeId.ArrayTypedMapEntryStringStoreValue)],
      TypeId.TypedMapStringStoreValue,
    );
  }

  /** An ethereum.Value from an ABI parameter and the value viem decoded for it. */
  writeEthValue(param: AbiParameter, value: unknown): number {
    const w = (kind: number, payload: number | bigint) => this.writeValue(kind, BigInt(payload), TypeId.EthereumValue);
    const type = param.type;
    const array = /^(.*)\[(\d*)\]$/.exec(type);
    if (array !== null) {
      const inner = { ...param, type: array[1] ?? "" } as AbiParameter;
      const items = (value as unknown[]).map((v) => this.writeEthValue(inner, v));
      return w(
        array[2] === "" ? EthKind.ARRAY : EthKind.FIXED_ARRAY,
        this.writeArray(items, TypeId.ArrayEthereumValue),
      );
    }
    if (type === "tuple") {
      const components = "components" in param ? param.components : [];
      const items = components.map((c, i) => {
        const v = Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[c.name ?? String(i)];
        return this.writeEthValue(c, v);
      });
      return w(EthKind.TUPLE, this.writeArray(items, TypeId.ArrayEthereumValue));
    }
    if (type === "address") return w(EthKind.ADDRESS, this.writeBytes(Buffer.from((value as string).slice(2), "hex")));
    if (type === "bytes") return w(EthKind.BYTES, this.writeBytes(Buffer.from((value as string).slice(2), "hex")));
    if (/^bytes\d+$/.test(type)) {
      return w(EthKind.FIXED_BYTES, this.writeBytes(Buffer.from((value as string).slice(2), "hex")));
    }
    if (/^int\d*$/.test(type)) return w(EthKind.INT, this.writeBigInt(BigInt(value as bigint | number)));
    if (/^uint\d*$/.test(type)) return w(EthKind.UINT, this.writeBigInt(BigInt(value as bigint | number)));
    if (type === "bool") return w(EthKind.BOOL, value === true ? 1 : 0);
    if (type === "string") return w(EthKind.STRING, this.writeString(value as string));
    throw new MappingAbortError(`unsupported ABI type ${type}`);
  }

  /** An ethereum.Value back to a viem value (for ethereum.encode). */
  readEthValue(ptr: number): { type: string; value: unknown } {
    const kind = this.view.getInt32(ptr, true);
    const payload = this.view.getBigUint64(ptr + 8, true);
    const p = Number(payload & 0xffffffffn);
    switch (kind) {
      case EthKind.ADDRESS:
        return { type: "address", value: hexOf(this.readBytes(p)) };
      case EthKind.FIXED_BYTES: {
        const b = this.readBytes(p);
        return { type: `bytes${b.length}`, value: hexOf(b) };
      }
      case EthKind.BYTES:
        return { type: "bytes", value: hexOf(this.readBytes(p)) };
      case EthKind.INT:
        return { type: "int256", value: this.readBigInt(p) };
      case EthKind.UINT:
        return { type: "uint256", value: this.readBigInt(p) };
      case EthKind.BOOL:
        return { type: "bool", value: payload !== 0n };
      case EthKind.STRING:
        return { type: "string", value: this.readString(p) };
      case EthKind.TUPLE: {
        const items = this.readArray(p).map((e) => this.readEthValue(e));
        return { type: `(${items.map((i) => i.type).join(",")})`, value: items.map((i) => i.value) };
      }
      default: {
        const items = this.readArray(p).map((e) => this.readEthValue(e));
        const inner = items[0]?.type ?? "uint256";
        const suffix = kind === EthKind.FIXED_ARRAY ? `[${items.length}]` : "[]";
        return { type: `${inner}${suffix}`, value: items.map((i) => i.value) };
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Host functions (by import name, as graph-node links them: the module part of an import is not significant)

function dataSourceOf(options: HostOptions): NonNullable<HostOptions["dataSource"]> {
  if (options.dataSource === undefined) throw new MappingAbortError("no data source configured for dataSource.*");
  return options.dataSource;
}

type HostFn = (memory: AscMemory, ...args: number[]) => number | undefined;

function hostFunctions(options: HostOptions): Record<string, HostFn> {
  const { store } = options;
  const big = (f: (x: bigint, y: bigint) => bigint): HostFn => {
    return (m, x = 0, y = 0) => m.writeBigInt(f(m.readBigInt(x), m.readBigInt(y)));
  };
  const dec = (f: (x: Decimal, y: Decimal) => Decimal): HostFn => {
    return (m, x = 0, y = 0) => m.writeDecimal(f(m.readDecimal(x), m.readDecimal(y)));
  };
  return {
    abort: (m, message = 0, file = 0, line = 0, column = 0) => {
      const text = message === 0 ? "(no message)" : m.readString(message);
      const where = file === 0 ? "" : ` in ${m.readString(file)}(${line}:${column})`;
      throw new MappingAbortError(`Mapping aborted${where}, with message: ${text}`);
    },
    "store.get": (m, type = 0, id = 0) => {
      const e = store.get(m.readString(type), m.readString(id));
      return e === undefined ? 0 : m.writeEntity(e);
    },
    "store.set": (m, type = 0, id = 0, data = 0) => {
      store.set(m.readString(type), m.readString(id), m.readEntity(data));
      return undefined;
    },
    "store.remove": (m, type = 0, id = 0) => {
      store.remove(m.readString(type), m.readString(id));
      return undefined;
    },
    "log.log": (m, level = 0, message = 0) => {
      const name = LOG_LEVELS[level] ?? "info";
      const text = m.readString(message);
      options.onLog?.(name, text);
      if (name === "critical") throw new MappingAbortError(`Critical error logged in mapping: ${text}`);
      return undefined;
    },
    "dataSource.address": (m) => m.writeBytes(dataSourceOf(options).address),
    "dataSource.network": (m) => m.writeString(dataSourceOf(options).network),
    "dataSource.context": (m) => m.writeEntity(dataSourceOf(options).context),
    "crypto.keccak256": (m, input = 0) => m.writeBytes(keccak_256(m.readBytes(input))),
    "bigInt.plus": big((x, y) => x + y),
    "bigInt.minus": big((x, y) => x - y),
    "bigInt.times": big((x, y) => x * y),
    "bigInt.dividedBy": big(bigIntDivide),
    "bigInt.mod": big(bigIntMod),
    "bigInt.bitOr": big((x, y) => x | y),
    "bigInt.bitAnd": big((x, y) => x & y),
    "bigInt.pow": (m, x = 0, exp = 0) => m.writeBigInt(m.readBigInt(x) ** BigInt(exp & 0xff)),
    "bigInt.leftShift": (m, x = 0, bits = 0) => m.writeBigInt(m.readBigInt(x) << BigInt(bits & 0xff)),
    "bigInt.rightShift": (m, x = 0, bits = 0) => m.writeBigInt(m.readBigInt(x) >> BigInt(bits & 0xff)),
    "bigInt.fromString": (m, s = 0) => {
      const text = m.readString(s);
      if (!/^[+-]?\d+$/.test(text)) throw new MappingAbortError(`failed to parse BigInt from ${JSON.stringify(text)}`);
      return m.writeBigInt(BigInt(text));
    },
    "bigInt.dividedByDecimal": (m, x = 0, y = 0) =>
      m.writeDecimal(decimal.dividedBy({ digits: m.readBigInt(x), exp: 0n }, m.readDecimal(y))),
    "bigDecimal.plus": dec(decimal.plus),
    "bigDecimal.minus": dec(decimal.minus),
    "bigDecimal.times": dec(decimal.times),
    "bigDecimal.dividedBy": dec(decimal.dividedBy),
    "bigDecimal.equals": (m, x = 0, y = 0) => (decimal.equals(m.readDecimal(x), m.readDecimal(y)) ? 1 : 0),
    "bigDecimal.toString": (m, x = 0) => m.writeString(decimalToString(m.readDecimal(x))),
    "bigDecimal.fromString": (m, s = 0) => m.writeDecimal(decimalFromString(m.readString(s))),
    "typeConversion.bytesToString": (m, b = 0) =>
      // graph-node drops NUL characters and decodes lossily.
      m.writeString(Buffer.from(m.readBytes(b)).toString("utf8").replaceAll("\u0000", "")),
    "typeConversion.bytesToHex": (m, b = 0) => m.writeString(hexOf(m.readBytes(b))),
    "typeConversion.bigIntToString": (m, b = 0) => m.writeString(m.readBigInt(b).toString()),
    "typeConversion.bigIntToHex": (m, b = 0) => m.writeString(bigIntToHex(m.readBigInt(b))),
    "typeConversion.bytesToBase58": (m, b = 0) => m.writeString(base58(m.readBytes(b))),
    "typeConversion.stringToH160": (m, s = 0) => {
      const text = m.readString(s);
      const hex = text.startsWith("0x") ? text.slice(2) : text;
      if (!/^[0-9a-fA-F]{40}$/.test(hex))
        throw new MappingAbortError(`Failed to convert string to Address/H160: '${text}'`);
      return m.writeBytes(Buffer.from(hex, "hex"));
    },
    "ethereum.decode": (m, types = 0, data = 0) => {
      const signature = m.readString(types);
      let params: readonly AbiParameter[];
      try {
        params = parseAbiParameters(signature);
      } catch {
        throw new MappingAbortError(`Failed parsing ABI type '${signature}'`);
      }
      const [param] = params;
      if (params.length !== 1 || param === undefined) {
        throw new MappingAbortError(`ethereum.decode takes one type (a tuple for several): '${signature}'`);
      }
      let decoded: readonly unknown[];
      try {
        decoded = decodeAbiParameters([param], hexOf(m.readBytes(data)) as `0x${string}`);
      } catch {
        return 0; // graph-node returns null when the data does not decode
      }
      return m.writeEthValue(param, decoded[0]);
    },
    "ethereum.call": (m, call = 0) => {
      // SmartContractCall: contractName, contractAddress, functionName, functionSignature, functionParams.
      const [, address = 0, , signaturePtr = 0, paramsPtr = 0] = [0, 4, 8, 12, 16].map((o) => m.u32(call + o));
      const signature = m.readString(signaturePtr);
      const match = /^(\w+)\((.*)\):\((.*)\)$/.exec(signature);
      if (match === null) throw new MappingAbortError(`ethereum.call: malformed function signature '${signature}'`);
      const [, name = "", inputs = "", outputs = ""] = match;
      const params = m.readArray(paramsPtr).map((p) => m.readEthValue(p).value);
      const inputTypes = inputs === "" ? [] : parseAbiParameters(inputs);
      const outputTypes = outputs === "" ? [] : parseAbiParameters(outputs);
      const selector = Buffer.from(keccak_256(Buffer.from(`${name}(${inputs})`))).subarray(0, 4);
      const data = `0x${selector.toString("hex")}${encodeAbiParameters(inputTypes, params).slice(2)}` as const;
      if (options.ethereumCall === undefined) throw new MappingAbortError("ethereum.call: no chain to call configured");
      const output = options.ethereumCall(hexOf(m.readBytes(address)) as `0x${string}`, data);
      if (output === null) return 0;
      const values = decodeAbiParameters(outputTypes, output);
      return m.writeArray(
        outputTypes.map((t, i) => m.writeEthValue(t, values[i])),
        TypeId.ArrayEthereumValue,
      );
    },
    "ethereum.encode": (m, token = 0) => {
      const { type, value } = m.readEthValue(token);
      try {
        const encoded = encodeAbiParameters(parseAbiParameters(type), [value]);
        return m.writeBytes(Buffer.from(encoded.slice(2), "hex"));
      } catch {
        return 0;
      }
    },
  };
}

/** The names of the host functions this harness implements. */
export function supportedImports(): string[] {
  return Object.keys(hostFunctions({ store: new EntityStore() }));
}

/** One instance of a mapping module linked to the host, started (`_start`) and ready for handler calls. */
export class MappingInstance {
  readonly memory: AscMemory;
  readonly exports: Exports;
  private constructor(memory: AscMemory, exports: Exports) {
    this.memory = memory;
    this.exports = exports;
  }

  static async create(module: WebAssembly.Module, options: HostOptions): Promise<MappingInstance> {
    const functions = hostFunctions(options);
    const missing = WebAssembly.Module.imports(module)
      .filter((i) => i.kind !== "function" || functions[i.name] === undefined)
      .map((i) => `${i.module}.${i.name}`);
    if (missing.length > 0) throw new UnsupportedHostImportError(missing);
    let memory: AscMemory | undefined;
    const imports: Record<string, Record<string, (...args: number[]) => number | undefined>> = {};
    for (const i of WebAssembly.Module.imports(module)) {
      const fn = functions[i.name] as HostFn;
      imports[i.module] ??= {};
      (imports[i.module] as Record<string, (...args: number[]) => number | undefined>)[i.name] = (...args) => {
        if (memory === undefined) throw new MappingAbortError(`host function ${i.name} called before instantiation`);
        return fn(memory, ...args.map((a) => a >>> 0));
      };
    }
    const instance = await WebAssembly.instantiate(module, imports);
    const exports = instance.exports as unknown as Exports;
    memory = new AscMemory(exports);
    exports._start?.();
    return new MappingInstance(memory, exports);
  }

  /** Calls an exported handler with one pointer argument. */
  call(handler: string, ptr: number): void {
    const fn = this.exports[handler];
    if (typeof fn !== "function") throw new MappingAbortError(`the mapping exports no handler ${handler}`);
    (fn as (p: number) => void)(ptr);
  }
}
