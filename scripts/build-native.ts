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
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const requireFromRoot = createRequire(join(root, "package.json"));

const hasHeaders = (dir: string) => existsSync(join(dir, "include", "node", "common.gypi"));

/**
 * A directory holding `include/node` (headers and common.gypi) of the running Node. The `node` package's own
 * `node-<platform>-<arch>` copy is there after a clean install but pruned by a later `npm install` (it is not in the
 * lockfile), so its headers are kept under node_modules/.cache; failing both, the same package is fetched from the
 * registry with `npm pack`.
 */
function nodeHeaders(): string | undefined {
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const cache = join(root, "node_modules", ".cache", "maskoii-node-headers", process.version);
  const candidates = [join(dirname(process.execPath), "..")];
  try {
    const nodePackage = dirname(requireFromRoot.resolve("node/package.json"));
    candidates.push(
      dirname(createRequire(join(nodePackage, "package.json")).resolve(`${platformPackage}/package.json`)),
    );
  } catch {
    // Pruned, or no `node` package: the cache or the registry.
  }
  const found = candidates.find(hasHeaders);
  if (found !== undefined) {
    if (!hasHeaders(cache)) cpSync(join(found, "include"), join(cache, "include"), { recursive: true });
    return found;
  }
  if (hasHeaders(cache)) return cache;
  const temp = mkdtempSync(join(tmpdir(), "maskoii-node-headers-"));
  try {
    const version = process.version.slice(1);
    const packed = spawnSync("npm", ["pack", `${platformPackage}@${version}`, "--silent"], {
      cwd: temp,
      encoding: "utf8",
    });
    const tarball = packed.stdout.trim().split("\n").at(-1);
    if (packed.status !== 0 || tarball === undefined || tarball === "") return undefined;
    if (spawnSync("tar", ["-xzf", tarball, "package/include"], { cwd: temp }).status !== 0) return undefined;
    cpSync(join(temp, "package", "include"), join(cache, "include"), { recursive: true });
    return hasHeaders(cache) ? cache : undefined;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
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
  const args = [
    ...prefix,
    "rebuild",
    "--release",
    ...(headers === undefined ? [`--target=${process.version}`] : [`--nodedir=${headers}`]),
  ];
  console.log(`build-native: ${addon.name} for Node ${process.version} (${headers ?? "headers from node-gyp"})`);
  const built = spawnSync(command, args, {
    cwd: dir,
    stdio: "inherit",
    env: { ...process.env, npm_config_nodedir: headers ?? "" },
  });
  if (built.status !== 0 || !loads(dir, addon.probe)) {
    console.error(`build-native: ${addon.name} does not load after building it`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
