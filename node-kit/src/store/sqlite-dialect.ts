// The store's SQL is written once, in PostgreSQL (store/schema.ts, store/sql.ts, koii/store.ts, relayer keeper-store.ts).
// This file translates the small part of it that SQLite spells differently, so the embedded SQLite store (sqlite.ts)
// runs the same statements and the same migration list:
//
// - `$n` parameters become `?n`; `::type` casts go (SQLite has none);
// - `= ANY($n)` becomes `IN (SELECT value FROM json_each(?n))`, with the array parameter bound as JSON;
// - `unnest($a, $b, ...) [AS x(c1, c2, ...)]` becomes a subquery over one JSON array of rows, zipped at bind time;
// - `FOR UPDATE SKIP LOCKED` goes: SQLite has one writer at a time, and every claim is one UPDATE statement;
// - `SELECT pg_advisory_xact_lock(...)` is a no-op: a SQLite write transaction (BEGIN IMMEDIATE) is the lock;
// - in DDL, `NUMERIC(p, s)` becomes DECIMAL_BLOB, a declared type without affinity, because SQLite's NUMERIC affinity
//   turns an integer wider than 64 bits into a lossy REAL.
//
// Values: a canonical decimal string that fits a signed 64-bit integer is bound as an INTEGER, a wider one stays TEXT,
// so every uint64 and uint256 round-trips exactly; ordering is numeric below 2^63 (nonces, blocks and queue ids are
// sequential and stay far below it). Reading, an INTEGER outside JavaScript's safe range comes back as a decimal
// string (as node-postgres returns NUMERIC), and a BOOLEAN column as a boolean.
//
// Anything else the PostgreSQL SQL uses must be portable as written (upserts with ON CONFLICT, RETURNING, row-value
// comparisons, ALTER TABLE ... ADD COLUMN): the store tests run every backend over the same code. What the translation
// cannot handle is a StoreError naming the statement part, never a silently different query.
import { StoreError } from "../errors.ts";

/**
 * A statement SQLite runs, and the parameters it adds: each `unnest` reads one JSON array of rows, zipped at bind time
 * from the PostgreSQL statement's array parameters, so SQLite parses the JSON once per statement (a join of one
 * json_each per array would parse each array again for every row of the other).
 */
export type Translated = { readonly sql: string; readonly zips: readonly Zip[] };
/** Parameter `index` is the rows of the arrays at `from` (1-based parameter numbers), element by element. */
export type Zip = { readonly index: number; readonly from: readonly number[] };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]{0,19})$/;

const dialectError = (what: string): StoreError => new StoreError("sqlite dialect", what);

function paramNumber(arg: string): number {
  const match = /^\s*\$(\d+)\s*(::[a-z0-9_]+\s*(\[\])?)?\s*$/i.exec(arg);
  if (match === null) throw dialectError(`unnest argument ${arg.trim()} is not an array parameter`);
  return Number(match[1]);
}

/** Translates one PostgreSQL statement of the store into SQLite; undefined for one with nothing to do there. */
export function toSqlite(sql: string): Translated | undefined {
  if (/^\s*SELECT\s+pg_advisory_xact_lock\s*\(/i.test(sql)) return undefined;
  let next = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]))) + 1;
  const zips: Zip[] = [];
  let out = sql.replace(/\s+FOR\s+UPDATE(\s+SKIP\s+LOCKED)?/gi, "");
  out = out.replace(
    /\bunnest\s*\(([^()]*)\)(\s+AS\s+(\w+)\s*\(([^()]*)\))?/gi,
    (whole: string, args: string, _as: string, alias: string | undefined, cols: string | undefined, offset: number) => {
      const from = args.split(",").map(paramNumber);
      const names = cols === undefined ? from.map((_, i) => `c${i}`) : cols.split(",").map((c) => c.trim());
      if (names.length !== from.length) throw dialectError(`unnest columns do not match: ${whole}`);
      const index = next++;
      zips.push({ index, from });
      const select = names.map((name, i) => `value ->> ${i} AS ${name}`).join(", ");
      // INSERT ... SELECT ... FROM x ON CONFLICT: SQLite would read that ON as a join constraint without a WHERE.
      const rest = out.slice(offset + whole.length);
      const where = /^\s*ON\s+CONFLICT\b/i.test(rest) ? " WHERE true" : "";
      // LIMIT -1 keeps the subquery from being flattened into a join that would re-read the JSON per outer row.
      return `(SELECT ${select} FROM json_each(?${index}) LIMIT -1) AS ${alias ?? "u"}${where}`;
    },
  );
  out = out.replace(/=\s*ANY\s*\(\s*\$(\d+)\s*(::[a-z0-9_]+\s*\[\])?\s*\)/gi, "IN (SELECT value FROM json_each(?$1))");
  out = out.replace(/::[a-z0-9_]+(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?/gi, "");
  out = out.replace(/\$(\d+)/g, "?$1");
  out = out.replace(/\bNUMERIC\s*(\(\s*\d+\s*(,\s*\d+\s*)?\))?/gi, "DECIMAL_BLOB");
  return { sql: out, zips };
}

/** The parameters of a translated statement: each zip's rows, as one JSON array of arrays. */
export function zipParams(params: readonly unknown[], zips: readonly Zip[]): unknown[] {
  const out = [...params];
  for (const zip of zips) {
    const columns = zip.from.map((n) => {
      const v = params[n - 1];
      if (!Array.isArray(v)) throw dialectError(`unnest parameter $${n} is not an array`);
      return v as unknown[];
    });
    const length = Math.max(0, ...columns.map((c) => c.length));
    const rows: string[] = [];
    for (let i = 0; i < length; i++) rows.push(`[${columns.map((c) => jsonElement(c[i])).join(",")}]`);
    out[zip.index - 1] = new JsonText(`[${rows.join(",")}]`);
  }
  return out;
}

/** JSON already encoded for SQLite. */
class JsonText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** The INTEGER for a canonical decimal string that fits 64 bits, else undefined. */
function asInt64(s: string): bigint | undefined {
  if (!CANONICAL_INTEGER.test(s)) return undefined;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

function jsonElement(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "bigint") return v >= INT64_MIN && v <= INT64_MAX ? v.toString() : JSON.stringify(v.toString());
  if (typeof v === "string") return asInt64(v)?.toString() ?? JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  throw dialectError(`cannot bind an array element of type ${typeof v}`);
}

/** What node:sqlite can bind. */
export type SqliteValue = null | number | bigint | string | Uint8Array;

/** Encodes one parameter of a store statement for SQLite (arrays as JSON, for json_each). */
export function toSqliteParam(v: unknown): SqliteValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return v >= INT64_MIN && v <= INT64_MAX ? v : v.toString();
  if (typeof v === "string") return asInt64(v) ?? v;
  if (Array.isArray(v)) return `[${v.map(jsonElement).join(",")}]`;
  if (v instanceof JsonText) return v.text;
  if (v instanceof Uint8Array) return v;
  throw dialectError(`cannot bind a parameter of type ${typeof v}`);
}

/** Decodes one value read with readBigInts: a safe integer as a number, a wider one as a decimal string. */
export function fromSqliteValue(v: unknown, boolean: boolean): unknown {
  if (typeof v === "bigint") {
    if (boolean) return v !== 0n;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (boolean && typeof v === "number") return v !== 0;
  return v;
}
