// What every bench shares: where results go, the two local EVM chains' domains and chain ids, the development
// mnemonic (hardhat's default accounts) and the password of the keystores a bench writes for its nodes.
import { join } from "node:path";
import { ROOT } from "@maskoii/testkit";

export { HOST, ROOT } from "@maskoii/testkit";

/** bench/results/<name>.json */
export const resultsFile = (name: string): string => join(ROOT, "bench", "results", `${name}.json`);
export const PASSWORD = "bench keystore password";
export const MNEMONIC = "test test test test test test test test test test test junk";
/** Chain A (origin of the load) and chain B (destination), as the devnet numbers them. */
export const A = { domain: 1001, chainId: 31337 } as const;
export const B = { domain: 1002, chainId: 31338 } as const;
