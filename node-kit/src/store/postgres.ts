// A PostgreSQL server (node-postgres pool) as the store's SQL client, for operators who run many nodes.
import pg from "pg";
import type { SqlClient } from "./client.ts";

export function openPostgres(url: string): SqlClient {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle pooled connection the server drops (restart, failover, an admin's terminate) emits 'error' on the pool;
  // unhandled, that would crash the process. The pool discards that client and the next query opens a new one.
  pool.on("error", () => {});
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await pool.query(sql, [...params])).rows as T[];
    },
    async transaction<T>(fn: (tx: Pick<SqlClient, "query">) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn({
          async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
            return (await client.query(sql, [...params])).rows as R[];
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
