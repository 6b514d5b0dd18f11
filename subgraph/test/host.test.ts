// The host against graph-ts's semantics: AssemblyScript probes (test/probe/probe.ts) call graph-ts, which calls the
// host through the module's imports; the results are compared with what graph-ts documents and graph-node does.
import { readFileSync } from "node:fs";
import { encodeAbiParameters, keccak256 } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bigIntFromBytes,
  bigIntToBytes,
  EntityStore,
  type LogLevel,
  MappingAbortError,
  MappingInstance,
  UnsupportedHostImportError,
} from "../harness/host.ts";
import { PROBE_WASM } from "./setup.ts";

let module: WebAssembly.Module;
const logs: Array<[LogLevel, string]> = [];
let store: EntityStore;

beforeAll(() => {
  module = new WebAssembly.Module(readFileSync(PROBE_WASM));
});

type Fn = (...args: number[]) => number;

/** A fresh probe instance and helpers to pass values in and read results out. */
async function probe() {
  store = new EntityStore();
  const instance = await MappingInstance.create(module, {
    store,
    onLog: (level, message) => logs.push([level, message]),
  });
  const m = instance.memory;
  const fn = (name: string) => instance.exports[name] as Fn;
  const bytes = (hex: string) => m.writeBytes(Buffer.from(hex.replace(/^0x/, ""), "hex"));
  const big = (n: bigint) => m.writeBigInt(n);
  const str = (s: string) => m.writeString(s);
  const hexOut = (ptr: number) => `0x${Buffer.from(m.readBytes(ptr)).toString("hex")}`;
  return { m, fn, bytes, big, str, hexOut };
}

describe("BigInt", () => {
  it("divides truncating toward zero and keeps the dividend's sign in the remainder (num-bigint)", async () => {
    const { m, fn, big } = await probe();
    const div = (a: bigint, b: bigint) => m.readBigInt(fn("divide")(big(a), big(b)));
    const mod = (a: bigint, b: bigint) => m.readBigInt(fn("remainder")(big(a), big(b)));
    expect(div(7n, 2n)).toBe(3n);
    expect(div(-7n, 2n)).toBe(-3n);
    expect(div(7n, -2n)).toBe(-3n);
    expect(div(-7n, -2n)).toBe(3n);
    expect(mod(-7n, 2n)).toBe(-1n);
    expect(mod(7n, -2n)).toBe(1n);
    expect(div(10n ** 40n + 1n, 10n ** 20n)).toBe(10n ** 20n);
  });

  it("fails the handler on division by zero, as graph-node", async () => {
    const { fn, big } = await probe();
    expect(() => fn("divide")(big(1n), big(0n))).toThrow(/divide BigInt by zero/);
  });

  it("is two's complement little-endian: signed and unsigned byte conversions", async () => {
    const { m, fn, bytes } = await probe();
    expect(m.readBigInt(fn("fromSigned")(bytes("ff")))).toBe(-1n);
    expect(m.readBigInt(fn("fromUnsigned")(bytes("ff")))).toBe(255n);
    expect(m.readBigInt(fn("fromSigned")(bytes("0080")))).toBe(-32768n);
    expect(m.readBigInt(fn("fromUnsigned")(bytes("0080")))).toBe(32768n);
    expect(m.readBigInt(fn("fromI32")(-1))).toBe(-1n);
    expect(fn("toI32")(m.writeBigInt(-5n))).toBe(-5);
    expect(fn("toU32")(fn("fromU64")(0xffffffff, 0)) >>> 0).toBe(0xffffffff);
    expect(m.readBigInt(fn("fromU64")(0, 1))).toBe(1n << 32n);
    // The host's own encoding is num-bigint's minimal to_signed_bytes_le.
    expect([...bigIntToBytes(0n)]).toEqual([0]);
    expect([...bigIntToBytes(127n)]).toEqual([0x7f]);
    expect([...bigIntToBytes(128n)]).toEqual([0x80, 0x00]);
    expect([...bigIntToBytes(-128n)]).toEqual([0x80]);
    expect([...bigIntToBytes(-129n)]).toEqual([0x7f, 0xff]);
    for (const n of [0n, 1n, -1n, 255n, -256n, 2n ** 255n, -(2n ** 255n), 123456789012345678901234567890n]) {
      expect(bigIntFromBytes(bigIntToBytes(n))).toBe(n);
    }
  });

  it("renders decimal and hex strings, parses decimal strings, and does pow and shifts", async () => {
    const { m, fn, big, str } = await probe();
    expect(m.readString(fn("toDecimalString")(big(-123456789012345678901234567890n)))).toBe(
      "-123456789012345678901234567890",
    );
    expect(m.readString(fn("toHex")(big(255n)))).toBe("0xff");
    expect(m.readString(fn("toHex")(big(0n)))).toBe("0x0");
    expect(m.readBigInt(fn("parseBigInt")(str("-98765432109876543210")))).toBe(-98765432109876543210n);
    expect(() => fn("parseBigInt")(str("12a"))).toThrow(MappingAbortError);
    expect(m.readBigInt(fn("power")(big(3n), 4))).toBe(81n);
    expect(m.readBigInt(fn("shiftLeft")(big(1n), 70))).toBe(1n << 70n);
  });
});

describe("BigDecimal", () => {
  it("keeps 34 significant digits and prints normalized", async () => {
    const { m, fn, str } = await probe();
    const call = (name: string, a: string, b: string) => m.readString(fn(name)(str(a), str(b)));
    expect(call("decimalDivide", "1", "3")).toBe(`0.${"3".repeat(34)}`);
    expect(call("decimalDivide", "2", "3")).toBe(`0.${"6".repeat(33)}7`);
    expect(call("decimalPlus", "0.1", "0.2")).toBe("0.3");
    expect(call("decimalTimes", "1.5", "2")).toBe("3");
    expect(call("decimalPlus", "-1.25", "1")).toBe("-0.25");
    expect(() => call("decimalDivide", "1", "0")).toThrow(/divide BigDecimal by zero/);
  });
});

describe("Bytes, conversions and crypto", () => {
  it("concatenates Bytes (and an i32 as its four little-endian bytes)", async () => {
    const { fn, bytes, hexOut } = await probe();
    expect(hexOut(fn("concat")(bytes("0102"), bytes("03")))).toBe("0x010203");
    expect(hexOut(fn("concat")(bytes(""), bytes("ab")))).toBe("0xab");
    expect(hexOut(fn("concatI32")(bytes("01"), 1))).toBe("0x0101000000");
  });

  it("renders hex and UTF-8, parses addresses, and hashes with keccak256", async () => {
    const { m, fn, bytes, str, hexOut } = await probe();
    expect(m.readString(fn("bytesHex")(bytes("00ABcd")))).toBe("0x00abcd");
    expect(m.readString(fn("bytesUtf8")(bytes(Buffer.from("héllo").toString("hex"))))).toBe("héllo");
    expect(hexOut(fn("address")(str("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")))).toBe(
      "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
    );
    expect(hexOut(fn("keccak")(bytes("")))).toBe(keccak256("0x"));
    expect(hexOut(fn("keccak")(bytes("deadbeef")))).toBe(keccak256("0xdeadbeef"));
  });
});

describe("ethereum", () => {
  it("decodes ABI data into ethereum.Value (null when it does not decode) and encodes back", async () => {
    const { m, fn, bytes, big, hexOut } = await probe();
    const fields = [{ type: "uint256" }, { type: "bytes" }, { type: "address" }] as const;
    const values = [2n ** 200n, "0xc0ffee", "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"] as const;
    // A tuple with a dynamic member is encoded as one parameter: an offset word first (ethabi, so graph-node).
    const data = encodeAbiParameters([{ type: "tuple", components: fields }], [values]);
    expect(m.readString(fn("decodeTuple")(bytes(data)))).toBe(
      `${2n ** 200n}|0xc0ffee|0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0`,
    );
    // Calldata arguments (no offset word) do not decode as that tuple: mappings prepend the word (src/gateway.ts).
    expect(m.readString(fn("decodeTuple")(bytes(encodeAbiParameters(fields, values))))).toBe("null");
    expect(m.readString(fn("decodeTuple")(bytes("00")))).toBe("null");
    expect(hexOut(fn("encodeUint")(big(5n)))).toBe(encodeAbiParameters([{ type: "uint256" }], [5n]));
  });
});

describe("store and log", () => {
  it("sets, gets and removes entities of every value kind; a null field is dropped", async () => {
    const { fn, str } = await probe();
    expect(fn("roundTrip")(str("p1"))).toBe(7);
    expect(store.find("Probe", "p1")).toEqual({
      id: "p1",
      int: -5,
      big: -123456789012345678901234567890n,
      bytes: "0xdeadbeef",
      flag: true,
      list: ["a", "b"],
      dec: "1.5",
    });
    expect(fn("remove")(str("p1"))).toBe(1);
    expect(store.find("Probe", "p1")).toBeUndefined();
  });

  it("logs at the mapping's level; a critical log fails the handler", async () => {
    const { fn, str } = await probe();
    fn("logInfo")(str("hello"));
    expect(logs.at(-1)).toEqual(["info", "probe hello"]);
    expect(() => fn("logCritical")(str("boom"))).toThrow(/Critical error logged in mapping: probe boom/);
  });
});

describe("imports", () => {
  it("refuses a module importing a host function it does not implement, naming it", async () => {
    // (module (type (func)) (import "index" "ipfs.cat" (func (type 0))))
    const name = (s: string) => [s.length, ...Buffer.from(s)];
    const imports = [1, ...name("index"), ...name("ipfs.cat"), 0, 0];
    const wasm = Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
      ...[0x02, imports.length, ...imports],
    ]);
    const bad = new WebAssembly.Module(wasm);
    const attempt = MappingInstance.create(bad, { store: new EntityStore() });
    await expect(attempt).rejects.toThrow(UnsupportedHostImportError);
    await expect(MappingInstance.create(bad, { store: new EntityStore() })).rejects.toThrow(/index\.ipfs\.cat/);
  });
});
