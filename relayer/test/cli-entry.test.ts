// The CLI entry (src/cli.ts) sets the attester's V8 flag (--optimize-for-size) before the node's modules are loaded:
// set after them, V8 has already grown the young generation while loading and the start-up peak is ~30 MiB higher
// (docs/benchmarks.md, "Node memory"). So the entry must not import the node's modules statically; this test fails
// when it does (ESM links every static import before the entry's body runs).
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { wantsLeanHeap } from "../src/cli.ts";

/** The specifiers a module imports at link time (static imports and re-exports; `import type` is erased). */
function staticImports(source: string): string[] {
  const specifiers: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;]*?\s+from\s+)?["']([^"']+)["']/gm;
  for (const match of source.matchAll(statement)) {
    if (match[2] === undefined && (match[1] === "import" || match[3] !== undefined))
      specifiers.push(match[4] as string);
  }
  return specifiers;
}

const source = (file: string) => readFile(new URL(`../src/${file}`, import.meta.url), "utf8");

describe("maskoii CLI entry", () => {
  it("imports only node builtins and cli-options.ts before it sets the flag; the commands are loaded after", async () => {
    const entry = await source("cli.ts");
    const imports = staticImports(entry);
    expect(imports).toContain("node:v8");
    for (const specifier of imports) expect(specifier).toMatch(/^(node:[a-z0-9_/]+|\.\/cli-options\.ts)$/);
    for (const specifier of staticImports(await source("cli-options.ts"))) expect(specifier).toMatch(/^node:/);
    const flag = entry.indexOf('setFlagsFromString("--optimize-for-size")');
    const commands = entry.indexOf('await import("./cli-commands.ts")');
    expect(flag).toBeGreaterThan(0);
    expect(commands).toBeGreaterThan(flag);
    // The commands module does not set it again (it would be too late there).
    expect(await source("cli-commands.ts")).not.toContain("setFlagsFromString");
  });

  it("the test's import scanner sees static imports and re-exports, not type imports or dynamic imports", () => {
    const sample = [
      'import { a } from "./a.ts";',
      'import "./side-effect.ts";',
      'import type { T } from "./types.ts";',
      'export { b } from "./b.ts";',
      'import {\n  c,\n  d,\n} from "./multi.ts";',
      'const m = await import("./later.ts");',
    ].join("\n");
    expect(staticImports(sample)).toEqual(["./a.ts", "./side-effect.ts", "./b.ts", "./multi.ts"]);
  });

  it("the lean heap is for `maskoii attester` only, wherever the options stand, unless MASKOII_LEAN_HEAP=0", () => {
    expect(wantsLeanHeap(["attester", "--config", "c.json"], {})).toBe(true);
    expect(wantsLeanHeap(["--config", "c.json", "attester", "--dev"], {})).toBe(true);
    expect(wantsLeanHeap(["attester", "--config", "c.json"], { MASKOII_LEAN_HEAP: "0" })).toBe(false);
    expect(wantsLeanHeap(["attester", "--config", "c.json"], { MASKOII_LEAN_HEAP: "1" })).toBe(true);
    expect(wantsLeanHeap(["relayer", "--config", "c.json"], {})).toBe(false);
    expect(wantsLeanHeap(["keys", "new", "--kind", "ed25519", "--out", "k.json"], {})).toBe(false);
    // `--config attester`: attester is the option's value, not the command.
    expect(wantsLeanHeap(["--config", "attester", "relayer"], {})).toBe(false);
    // Does not parse: the commands report the error, no flag.
    expect(wantsLeanHeap(["attester", "--bogus"], {})).toBe(false);
    expect(wantsLeanHeap([], {})).toBe(false);
  });
});
