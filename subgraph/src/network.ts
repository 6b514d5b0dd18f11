// The network's constants, from the data source context the manifest sets (scripts/manifest.ts: `context:` of every
// data source), so one build of the mappings serves every network.
import { dataSource } from "@graphprotocol/graph-ts";

/** This chain's maskoii domain. */
export function domain(): i32 {
  return dataSource.context().getI32("domain");
}

/** This chain's TokenBridge (lowercase 0x address). */
export function tokenBridge(): string {
  return dataSource.context().getString("tokenBridge");
}
