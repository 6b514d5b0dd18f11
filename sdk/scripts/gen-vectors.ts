/**
 * Writes test/vectors/protocol.json, the shared cross-language test vectors (docs/protocol.md §10).
 *
 *   node sdk/scripts/gen-vectors.ts
 *
 * Deterministic: running it twice gives the same bytes; a diff after running it means an encoding changed, and
 * every language's vector tests must pass again.
 */
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { vectors } from "./build-vectors.ts";

const out = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "test/vectors/protocol.json");
writeFileSync(out, `${JSON.stringify(vectors, null, 2)}\n`);
console.log(`gen-vectors: wrote ${out}`);
