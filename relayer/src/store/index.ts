import type { StoreConfig } from "../config.ts";
import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";
import { SqlStore } from "./sql.ts";
import type { Store } from "./types.ts";

export type * from "./types.ts";

/** Opens the configured store and applies pending migrations. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const client = config.kind === "pglite" ? await openPglite(config.dataDir) : openPostgres(config.url);
  return SqlStore.open(client);
}
