// The sdk root is browser-safe: it bundles for a browser target without Node built-ins, and it does not pull in the
// Solana packages (EVM-only users load viem and zod, not web3.js, SPL Token or Anchor). File loading is
// "@maskoii/sdk/node", the Solana client "@maskoii/sdk/solana".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const SDK = join(import.meta.dirname, "..");
const SRC = join(SDK, "src");

async function bundle(entry: string): Promise<{ text: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(SRC, entry)],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    metafile: true,
    absWorkingDir: SDK,
    logLevel: "silent",
  });
  const metafile: Metafile = result.metafile;
  return { text: result.outputFiles.map((f) => f.text).join("\n"), inputs: Object.keys(metafile.inputs) };
}

describe("browser safety", () => {
  it("the sdk root bundles for the browser with no node: import and no Solana package", async () => {
    const { text, inputs } = await bundle("index.ts");
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/from\s*["']node:/);
    expect(text).not.toMatch(/require\(\s*["']node:/);
    expect(text).not.toMatch(/import\(\s*["']node:/);
    const solana = inputs.filter((p) => /node_modules\/(@solana|@anchor-lang|@coral-xyz)\//.test(p));
    expect(solana).toEqual([]);
    // Nothing under src/node/ or src/solana/ except the program address (a string from the IDL JSON).
    const sdkInputs = inputs.filter((p) => !p.includes("node_modules"));
    expect(sdkInputs.filter((p) => /src\/node\//.test(p))).toEqual([]);
    expect(sdkInputs.filter((p) => /src\/solana\//.test(p)).sort()).toEqual([
      expect.stringMatching(/src\/solana\/address\.ts$/),
      expect.stringMatching(/src\/solana\/idl\/maskoii\.json$/),
    ]);
    // Node globals need no import, so the bundler cannot see them: the sdk's own bundled sources must not use them.
    const nodeGlobals = /\b(Buffer|process|__dirname|__filename|require|global)\s*[.(]/;
    const sources = sdkInputs.filter((p) => p.endsWith(".ts"));
    expect(sources.length).toBeGreaterThan(10);
    const users = sources.filter((p) => nodeGlobals.test(readFileSync(join(SDK, p), "utf8")));
    expect(users).toEqual([]);
  });

  it("the node entry does not bundle for the browser (it reads files), so the check above can fail", async () => {
    await expect(bundle("node/index.ts")).rejects.toThrow(/node:fs/);
  });
});
