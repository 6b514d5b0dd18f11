// Opens a node's configured SQL client: SQLite (node:sqlite, the default), PGlite or PostgreSQL. PGlite and pg load
// only when configured (their code is MBs resident). The node's store applies its migration list on top.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { StoreConfig } from "../config.ts";
import { StoreError } from "../errors.ts";
import type { SqlClient } from "./client.ts";
import { openSqlite, SQLITE_MEMORY } from "./sqlite.ts";

/**
 * Before SQLite, the default store was PGlite in `<dir>/db` beside today's default `<dir>/store.sqlite`. A node
 * upgraded in place must not start on a new, empty store: its signing journal (what it already signed) is in the
 * old one. Refuse, and say how to keep it.
 */
function refuseToOrphanPglite(path: string): void {
  const legacy = join(dirname(path), "db");
  if (existsSync(path) || !existsSync(join(legacy, "PG_VERSION"))) return;
  throw new StoreError(
    "open",
    `${legacy} holds a PGlite store (the default before SQLite) and ${path} does not exist: set "store": ` +
      `{ "kind": "pglite", "dataDir": "${legacy}" } to keep using it, or move it away to start a new store`,
  );
}

/** Opens the configured store's SQL client (no migrations applied). */
export async function openSqlClient(config: StoreConfig): Promise<SqlClient> {
  switch (config.kind) {
    case "sqlite":
      if (config.path !== SQLITE_MEMORY) refuseToOrphanPglite(config.path);
      return openSqlite(config.path);
    case "pglite":
      return (await import("./pglite.ts")).openPglite(config.dataDir);
    case "postgres":
      return (await import("./postgres.ts")).openPostgres(config.url);
  }
}
