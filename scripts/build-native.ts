// Builds the native addons npm is told not to build (root package.json `allowScripts`: false) against the Node the
// project runs on (the `node` devDependency, Node 24), not the system Node whose headers a global `nodedir` may name:
// an addon compiled against other headers fails to load with a NODE_MODULE_VERSION mismatch.
//
//   node scripts/build-native.ts            (the root `postinstall`; a no-op when every addon already loads)
//
// better-sqlite3 (under `@atproto/pds`, the local Bluesky PDS the aggregator's tests run) is compiled from source
// with node-gyp and `--nodedir` pointing at the headers the `node` package ships (node-<platform>-<arch>/include).
// Registries only: no prebuilt binary is downloaded.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const requireFromRoot = createRequire(join(root, "package.json"));

/** The directory holding `include/node/node_version.h` of the running Node, if it can be found locally. */
function nodeHeaders(): string | undefined {
  const candidates = [join(dirname(process.execPath), "..")];
  try {
    const nodePackage = dirname(requireFromRoot.resolve("node/package.json"));
    const requireFromNode = createRequire(join(nodePackage, "package.json"));
    candidates.push(dirname(requireFromNode.resolve(`node-${process.platform}-${process.arch}/package.json`)));
  } catch {
    // No `node` package: fall back to the running binary's prefix.
  }
  return candidates.find((dir) => existsSync(join(dir, "include", "node", "node_version.h")));
}

function nodeGyp(): string[] {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm !== undefined && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const bundled = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp");
  for (const dir of [bundled, "/usr/lib/node_modules/npm/node_modules/node-gyp"])
    if (existsSync(join(dir, "bin", "node-gyp.js"))) return [process.execPath, join(dir, "bin", "node-gyp.js")];
  return ["node-gyp"];
}

const loads = (dir: string, probe: string) =>
  spawnSync(process.execPath, ["-e", probe.replace("$DIR", JSON.stringify(dir))], { stdio: "ignore" }).status === 0;

const ADDONS = [{ name: "better-sqlite3", probe: 'new (require($DIR))(":memory:").close()' }];

let failed = false;
for (const addon of ADDONS) {
  let dir: string;
  try {
    dir = dirname(requireFromRoot.resolve(`${addon.name}/package.json`));
  } catch {
    continue; // not installed (a partial install): nothing to build
  }
  if (loads(dir, addon.probe)) continue;
  const headers = nodeHeaders();
  const [command = "node-gyp", ...prefix] = nodeGyp();
  const args = [...prefix, "rebuild", "--release", ...(headers === undefined ? [`--target=${process.version}`] : [`--nodedir=${headers}`])];
  console.log(`build-native: ${addon.name} for Node ${process.version} (${headers ?? "headers from node-gyp"})`);
  const built = spawnSync(command, args, { cwd: dir, stdio: "inherit", env: { ...process.env, npm_config_nodedir: headers ?? "" } });
  if (built.status !== 0 || !loads(dir, addon.probe)) {
    console.error(`build-native: ${addon.name} does not load after building it`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
