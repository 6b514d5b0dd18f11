// The suite's build step: subgraph.yaml from a deployment file (test/fixtures/devnet-a.json; the mappings read the
// network's constants from the manifest's data source context, so one build serves the chains the tests deploy),
// then graph-cli's `codegen` and `build` (offline), then the host probes (test/probe/probe.ts) compiled the way
// graph-cli compiles a mapping. A failure here fails the suite with the tool's output.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeManifest } from "../scripts/manifest.ts";

const SUBGRAPH_DIR = fileURLToPath(new URL("..", import.meta.url));
const MODULES = join(SUBGRAPH_DIR, "..", "node_modules");
export const PROBE_WASM = join(SUBGRAPH_DIR, "build", "probe", "probe.wasm");

function run(what: string, script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: SUBGRAPH_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${code}):\n${output}`));
    });
  });
}

export default async function setup(): Promise<void> {
  writeManifest({ deploymentFile: join(SUBGRAPH_DIR, "test", "fixtures", "devnet-a.json") });
  const graph = join(MODULES, "@graphprotocol", "graph-cli", "bin", "run.js");
  const probe = run("asc (host probes)", join(MODULES, "assemblyscript", "bin", "asc"), [
    "test/probe/probe.ts",
    join(MODULES, "@graphprotocol", "graph-ts", "global", "global.ts"),
    "--runtime",
    "stub",
    "--exportRuntime",
    "--explicitStart",
    "--lib",
    MODULES,
    "--outFile",
    PROBE_WASM,
    "--optimize",
    "--debug",
  ]);
  await run("graph codegen", graph, ["codegen"]);
  await run("graph build", graph, ["build"]);
  await probe;
}
