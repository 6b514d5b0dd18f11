// Every store backend a test can run on: embedded SQLite (a file in a temp directory, so several connections can
// share it) and embedded PGlite always, a PostgreSQL server when MASKOII_TEST_POSTGRES_URL is set (each setup gets a
// fresh database). Store tests run `describe.each(storeBackends)` so one contract holds for every backend.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshDatabase, postgresMissing } from "@maskoii/testkit/postgres";
import type { StoreConfig } from "../src/config.ts";

export type BackendSetup = { readonly config: StoreConfig; readonly drop: () => Promise<void> };
export type StoreBackend = readonly [name: StoreConfig["kind"], setup: () => Promise<BackendSetup>];

async function sqliteFile(): Promise<BackendSetup> {
  const dir = await mkdtemp(join(tmpdir(), "maskoii-sqlite-"));
  return { config: { kind: "sqlite", path: join(dir, "store.sqlite") }, drop: () => rm(dir, { recursive: true }) };
}

const backends: StoreBackend[] = [
  ["sqlite", sqliteFile],
  ["pglite", async () => ({ config: { kind: "pglite", dataDir: "memory://" }, drop: async () => {} })],
];
if (postgresMissing() === undefined) {
  backends.push([
    "postgres",
    async () => {
      const db = await freshDatabase();
      return { config: { kind: "postgres", url: db.url }, drop: db.drop };
    },
  ]);
}

export const storeBackends: readonly StoreBackend[] = backends;
