import { openSqlClient, type StoreConfig } from "@maskoii/node-kit";
import { SqlStore } from "./sql.ts";
import type { Store } from "./types.ts";

export type * from "./types.ts";

/** Opens the configured store (node-kit's SQL client) and applies pending migrations. */
export async function openStore(config: StoreConfig): Promise<Store> {
  return SqlStore.open(await openSqlClient(config));
}
