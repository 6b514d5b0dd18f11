// The SQL layer every node's store sits on: the little a store needs from a PostgreSQL-dialect client (PGlite, pg,
// or SQLite through sqlite-dialect.ts) and the migration runner. Each package contributes its own migration list
// (node-kit's ROUND_MIGRATIONS, the relayer's core and kind tables); the node's store concatenates them in one stable
// order and applies them here. Versions are identifiers, unique across every list, applied in list order and recorded
// in schema_migrations, so a database migrated by an earlier combined list stays valid: applied versions are skipped.

/** The little a store needs from a PostgreSQL client. */
export interface SqlClient {
  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction (BEGIN/COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: (tx: Pick<SqlClient, "query">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One schema migration. Append only: never edit a shipped one. */
export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/** Advisory lock key serialising schema migrations across processes ("mk" + "mig" in ASCII). */
const MIGRATION_LOCK_KEY = 0x6d6b6d6967;

type Row = Record<string, unknown>;

/**
 * Applies every pending migration of `migrations` in one transaction that first takes a transaction-scoped advisory
 * lock: several processes opening one fresh PostgreSQL database at once (two relayers starting together) apply each
 * migration exactly once; the others wait, then find nothing left to do.
 */
export async function applyMigrations(db: SqlClient, migrations: readonly Migration[]): Promise<void> {
  const versions = new Set<number>();
  for (const m of migrations) {
    if (versions.has(m.version)) throw new RangeError(`migration version ${m.version} is listed twice`);
    versions.add(m.version);
  }
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await tx.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    );
    const applied = new Set(
      (await tx.query<Row>("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.sql.split(/;\s*\n/).map((s) => s.trim())) {
        if (statement.length > 0 && !/^(--[^\n]*\n?)+$/.test(statement)) await tx.query(statement);
      }
      await tx.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
  });
}
