/**
 * Writes the shared cross-language test vectors: test/vectors/protocol.json (docs/protocol.md §10) and
 * test/vectors/revenue.json (§11).
 *
 *   node sdk/scripts/gen-vectors.ts
 *
 * Deterministic: running it twice gives the same bytes; a diff after running it means an encoding changed, and
 * every language's vector tests must pass again.
 */
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { revenueVectors } from "./build-revenue-vectors.ts";
import { vectors } from "./build-vectors.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
for (const [file, value] of [
  ["test/vectors/protocol.json", vectors],
  ["test/vectors/revenue.json", revenueVectors],
] as const) {
  const out = join(root, file);
  writeFileSync(out, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`gen-vectors: wrote ${out}`);
}
