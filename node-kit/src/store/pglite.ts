// PGlite (embedded PostgreSQL in wasm) as the store's SQL client: the default, nothing to run beside the node.
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import type { SqlClient } from "./client.ts";

/** Opens PGlite at `dataDir` ("memory://" for an in-memory database). */
export async function openPglite(dataDir: string): Promise<SqlClient> {
  if (!dataDir.startsWith("memory://")) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await db.query<T>(sql, [...params])).rows;
    },
    async transaction<T>(fn: (tx: Pick<SqlClient, "query">) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) =>
        fn({
          async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
            return (await tx.query<R>(sql, [...params])).rows;
          },
        }),
      );
    },
    async close(): Promise<void> {
      await db.close();
    },
  };
}
