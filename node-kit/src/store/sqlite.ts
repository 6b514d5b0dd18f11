// SQLite (Node's built-in node:sqlite, no native addon to build) as the store's SQL client: the default embedded
// store, a few MB where PGlite (PostgreSQL in wasm) holds ~450 MB resident. The store's PostgreSQL statements run
// through sqlite-dialect.ts, so there is one schema and one set of queries for every backend.
//
// Concurrency: node:sqlite is synchronous, so an in-process queue per database file serialises every caller of every
// connection to it: a transaction holds the queue from BEGIN IMMEDIATE to COMMIT, and other callers wait for it (as
// PGlite's single connection does). Across processes (a CLI reading a running node's store) WAL lets readers run beside the writer,
// and a writer waits up to BUSY_TIMEOUT_MS for the write lock. synchronous=FULL: a commit (a signing-journal row) is
// on disk before the signature it guards leaves the process, even across a power loss.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { SqlClient } from "./client.ts";
import { fromSqliteValue, type SqliteValue, toSqlite, toSqliteParam, type Zip, zipParams } from "./sqlite-dialect.ts";

/** In-memory database, for tests and throwaway nodes. */
export const SQLITE_MEMORY = ":memory:";
const BUSY_TIMEOUT_MS = 10_000;
/** Prepared statements kept; the store's statements are a few dozen, dynamic UPDATE column sets included. */
const STATEMENT_CACHE = 256;

type Prepared = {
  readonly statement: StatementSync | undefined;
  readonly zips: readonly Zip[];
  readonly booleans: ReadonlySet<string>;
};

/** A FIFO lock: each holder runs after the previous one finished. */
class Queue {
  #tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => {},
      () => {},
    );
    return result;
  }
}

/**
 * One queue per database file in this process: two connections to one file (a test, or the CLI beside a node in one
 * process) must not interleave, or one's write would wait on the other's open transaction while holding the thread.
 */
const queues = new Map<string, Queue>();

/** Opens (creating if needed) the SQLite database at `path`, or an in-memory one for ":memory:". */
export function openSqlite(path: string): SqlClient {
  if (path !== SQLITE_MEMORY) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
  if (path !== SQLITE_MEMORY) db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  const cache = new Map<string, Prepared>();
  const key = path === SQLITE_MEMORY ? undefined : resolve(path);
  const queue = key === undefined ? new Queue() : (queues.get(key) ?? new Queue());
  if (key !== undefined) queues.set(key, queue);

  const prepare = (sql: string): Prepared => {
    const hit = cache.get(sql);
    if (hit !== undefined) return hit;
    const translated = toSqlite(sql);
    let prepared: Prepared = { statement: undefined, zips: [], booleans: new Set() };
    if (translated !== undefined) {
      const statement = db.prepare(translated.sql);
      statement.setReadBigInts(true);
      const booleans = new Set(
        statement
          .columns()
          .filter((c) => c.type?.toUpperCase() === "BOOLEAN")
          .map((c) => c.name),
      );
      prepared = { statement, zips: translated.zips, booleans };
    }
    if (cache.size >= STATEMENT_CACHE) cache.clear();
    cache.set(sql, prepared);
    return prepared;
  };

  const run = <T>(sql: string, params: readonly unknown[]): T[] => {
    const { statement, zips, booleans } = prepare(sql);
    if (statement === undefined) return [];
    const bound = zips.length === 0 ? params : zipParams(params, zips);
    const rows = statement.all(...bound.map(toSqliteParam)) as Record<string, SqliteValue>[];
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) out[key] = fromSqliteValue(value, booleans.has(key));
      return out as T;
    });
  };

  const tx: Pick<SqlClient, "query"> = {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      return run<R>(sql, params);
    },
  };

  return {
    query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return queue.run(() => run<T>(sql, params));
    },
    transaction<T>(fn: (tx: Pick<SqlClient, "query">) => Promise<T>): Promise<T> {
      return queue.run(async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(tx);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          if (db.isTransaction) db.exec("ROLLBACK");
          throw error;
        }
      });
    },
    close(): Promise<void> {
      return queue.run(() => {
        cache.clear();
        if (db.isOpen) db.close();
      });
    },
  };
}
