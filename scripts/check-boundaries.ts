// Workspace boundaries (issue 12): a workspace reaches another only by package name and that package's declared
// `exports`, never by a relative path into its files, and the workspaces' import graph has no cycle.
//
//   node scripts/check-boundaries.ts [--root <dir>]        (part of `npm run lint`)
//
// Every TypeScript/JavaScript file of every workspace (the root package "maskoii" owns what no other workspace
// holds: scripts/, contracts/, hardhat.config.ts) is scanned for its import specifiers: `import ... from`,
// `export ... from`, side-effect `import "x"`, dynamic `import("x")`, `vi.mock("x")` and `require("x")`. Three
// rules, each reported as `file:line: message` naming the import:
//   1. a relative specifier must resolve inside the importing file's own workspace;
//   2. `@scope/name/sub` of a workspace must be a subpath the workspace declares in `exports` (a workspace without
//      `exports` cannot be imported at all);
//   3. the graph "workspace A imports workspace B by name" has no cycle;
//   4. (once installed) no package is installed nested under two or more workspaces (`<ws>/node_modules/<pkg>`):
//      each nested copy is evaluated again by a process that loads both workspaces (an attester loads the sdk,
//      node-kit and the relayer, and once held three copies of zod 4). List it in the root package.json instead,
//      so that npm hoists one copy.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** One workspace: its package name, directory (relative to the root, "" for the root package) and exports. */
export type Workspace = {
  readonly name: string;
  readonly dir: string;
  /** Declared subpaths ("." and "./x"), or undefined when package.json has no `exports`. */
  readonly exports: ReadonlySet<string> | undefined;
};

export type Violation = {
  /** File relative to the root, with `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly message: string;
};

/** Raised when the root has no readable package.json with `workspaces`. */
export class BoundaryConfigError extends Error {
  override readonly name = "BoundaryConfigError";
}

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;
const SKIP_DIRS = new Set([
  "node_modules",
  "artifacts",
  "cache",
  "types",
  "coverage",
  "dist",
  "target",
  "generated",
  ".git",
  ".devnet",
]);
/** Specifiers in source text: from-clauses, side-effect imports, dynamic imports, vi.mock and require. */
const SPECIFIER =
  /(?:\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*|\bvi\.mock\s*\(\s*|\brequire\s*\(\s*)(["'])([^"'\n]+)\1/gm;

type PackageJson = { name?: string; workspaces?: string[]; exports?: unknown };

function readPackage(path: string): PackageJson {
  return JSON.parse(readFileSync(path, "utf8")) as PackageJson;
}

function exportsOf(pkg: PackageJson): Set<string> | undefined {
  if (pkg.exports === undefined) return undefined;
  if (typeof pkg.exports === "string") return new Set(["."]);
  const keys = Object.keys(pkg.exports as Record<string, unknown>);
  // Conditions only ({ "import": ..., "types": ... }) mean the root export.
  return keys.every((key) => key.startsWith(".")) ? new Set(keys) : new Set(["."]);
}

/**
 * Whether `subpath` is one of `exports`: an exact key, or a key with one `*` (Node's subpath patterns, e.g.
 * "./abi/*.json") whose star stands for a non-empty string without "..".
 */
export function isDeclaredExport(exports: ReadonlySet<string>, subpath: string): boolean {
  if (exports.has(subpath)) return true;
  for (const key of exports) {
    const star = key.indexOf("*");
    if (star < 0 || key.indexOf("*", star + 1) >= 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.length <= prefix.length + suffix.length) continue;
    if (!subpath.startsWith(prefix) || !subpath.endsWith(suffix)) continue;
    const matched = subpath.slice(prefix.length, subpath.length - suffix.length);
    if (!matched.split("/").includes("..")) return true;
  }
  return false;
}

/** The root package and the workspaces its package.json lists (plain directories; no globs in this repository). */
export function readWorkspaces(root: string): Workspace[] {
  const rootJson = join(root, "package.json");
  if (!existsSync(rootJson)) throw new BoundaryConfigError(`${rootJson} does not exist`);
  const rootPkg = readPackage(rootJson);
  if (!Array.isArray(rootPkg.workspaces)) throw new BoundaryConfigError(`${rootJson} lists no workspaces`);
  const workspaces: Workspace[] = [{ name: rootPkg.name ?? "(root)", dir: "", exports: exportsOf(rootPkg) }];
  for (const dir of rootPkg.workspaces) {
    const pkgPath = join(root, dir, "package.json");
    if (!existsSync(pkgPath)) throw new BoundaryConfigError(`workspace ${dir} has no package.json`);
    const pkg = readPackage(pkgPath);
    workspaces.push({ name: pkg.name ?? dir, dir: dir.replace(/\/+$/, ""), exports: exportsOf(pkg) });
  }
  return workspaces;
}

/** The workspace that owns `file` (relative to the root): the one with the longest matching directory. */
function ownerOf(workspaces: readonly Workspace[], file: string): Workspace {
  let best = workspaces[0] as Workspace;
  for (const ws of workspaces) {
    if (ws.dir !== "" && (file === ws.dir || file.startsWith(`${ws.dir}/`)) && ws.dir.length > best.dir.length) {
      best = ws;
    }
  }
  return best;
}

function sourceFiles(root: string, dir: string, out: string[]): void {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name.startsWith(".") && entry.name !== ".ci") continue;
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) sourceFiles(root, path, out);
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(path);
    }
  }
}

/** Import specifiers of `text` with their 1-based line numbers. Comments are blanked first. */
export function importsOf(text: string): Array<{ specifier: string; line: number }> {
  // Blank block and line comments (keeping newlines) so that an import named in a comment does not count.
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`\\])\/\/[^\n]*/g, (c, lead: string) => lead + " ".repeat(c.length - lead.length));
  const found: Array<{ specifier: string; line: number }> = [];
  for (const match of code.matchAll(SPECIFIER)) {
    const specifier = match[2] as string;
    const at = (match.index ?? 0) + match[0].lastIndexOf(specifier);
    found.push({ specifier, line: code.slice(0, at).split("\n").length });
  }
  return found;
}

/** The workspace a bare specifier names, and its subpath ("." or "./x"), if it names one. */
function packageTarget(
  byName: ReadonlyMap<string, Workspace>,
  specifier: string,
): { ws: Workspace; subpath: string } | undefined {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
  const ws = byName.get(name);
  if (ws === undefined) return undefined;
  const rest = specifier.slice(name.length);
  return { ws, subpath: rest === "" ? "." : `.${rest}` };
}

/** A cycle in `edges` as a list of names (first = last), or undefined. */
function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const cycle = visit(next);
        if (cycle !== undefined) return cycle;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of [...edges.keys()].sort()) {
    if (state.get(node) === undefined) {
      const cycle = visit(node);
      if (cycle !== undefined) return cycle;
    }
  }
  return undefined;
}

/** Packages installed under `<dir>/node_modules` (scoped ones as "@scope/name"), with their versions. */
function nestedPackages(root: string, dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const modules = join(root, dir, "node_modules");
  if (dir === "" || !existsSync(modules)) return found;
  const entries = readdirSync(modules).flatMap((name) =>
    name.startsWith("@")
      ? readdirSync(join(modules, name)).map((sub) => `${name}/${sub}`)
      : name.startsWith(".")
        ? []
        : [name],
  );
  for (const name of entries) {
    const manifest = join(modules, name, "package.json");
    if (existsSync(manifest)) found.set(name, String((readPackage(manifest) as { version?: unknown }).version));
  }
  return found;
}

/** Rule 4: one installed copy of each package that several workspaces use. */
function duplicateInstalls(root: string, workspaces: readonly Workspace[]): Violation[] {
  const copies = new Map<string, string[]>();
  for (const ws of workspaces) {
    for (const [name, version] of nestedPackages(root, ws.dir)) {
      const key = `${name}@${version}`;
      copies.set(key, [...(copies.get(key) ?? []), ws.dir]);
    }
  }
  const violations: Violation[] = [];
  for (const [key, dirs] of copies) {
    if (dirs.length < 2) continue;
    const name = key.slice(0, key.lastIndexOf("@"));
    violations.push({
      file: `${dirs[0]}/package.json`,
      line: 1,
      specifier: name,
      message:
        `${key} is installed ${dirs.length} times (${dirs.map((d) => `${d}/node_modules/${name}`).join(", ")}); ` +
        `list it in the root package.json so that npm hoists one copy`,
    });
  }
  return violations;
}

/** Checks every workspace under `root`; returns the violations (empty when the boundaries hold). */
export function checkBoundaries(root: string): Violation[] {
  const absRoot = resolve(root);
  const workspaces = readWorkspaces(absRoot);
  const byName = new Map(workspaces.map((ws) => [ws.name, ws]));
  const files: string[] = [];
  sourceFiles(absRoot, "", files);
  const violations: Violation[] = [];
  /** Workspace name -> names it imports, with one example import per edge. */
  const edges = new Map<string, Set<string>>();
  const example = new Map<string, { file: string; line: number; specifier: string }>();
  for (const file of files) {
    const owner = ownerOf(workspaces, file);
    for (const { specifier, line } of importsOf(readFileSync(join(absRoot, file), "utf8"))) {
      if (specifier.startsWith(".")) {
        const target = relative(absRoot, resolve(absRoot, dirname(file), specifier))
          .split(sep)
          .join("/");
        if (target.startsWith("../")) {
          violations.push({ file, line, specifier, message: `"${specifier}" resolves outside the repository` });
          continue;
        }
        const into = ownerOf(workspaces, target);
        if (into !== owner) {
          violations.push({
            file,
            line,
            specifier,
            message:
              `deep import "${specifier}" reaches into ${into.name} (${target}) from ${owner.name}; ` +
              `import it by package name and its declared exports`,
          });
        }
        continue;
      }
      const target = packageTarget(byName, specifier);
      if (target === undefined || target.ws === owner) continue;
      if (target.ws.exports === undefined || !isDeclaredExport(target.ws.exports, target.subpath)) {
        const declared = target.ws.exports === undefined ? "none" : [...target.ws.exports].join(", ");
        violations.push({
          file,
          line,
          specifier,
          message: `"${specifier}" is not an export of ${target.ws.name} (declared exports: ${declared})`,
        });
      }
      const set = edges.get(owner.name) ?? new Set<string>();
      set.add(target.ws.name);
      edges.set(owner.name, set);
      const key = `${owner.name} -> ${target.ws.name}`;
      if (!example.has(key)) example.set(key, { file, line, specifier });
    }
  }
  const cycle = findCycle(edges);
  if (cycle !== undefined) {
    const first = example.get(`${cycle[0]} -> ${cycle[1]}`);
    const via = cycle
      .slice(0, -1)
      .map((from, i) => {
        const at = example.get(`${from} -> ${cycle[i + 1]}`);
        return at === undefined ? `${from} -> ${cycle[i + 1]}` : `${from} -> ${cycle[i + 1]} (${at.file}:${at.line})`;
      })
      .join(", ");
    violations.push({
      file: first?.file ?? "package.json",
      line: first?.line ?? 1,
      specifier: first?.specifier ?? "",
      message: `workspace cycle ${cycle.join(" -> ")}: ${via}`,
    });
  }
  violations.push(...duplicateInstalls(absRoot, workspaces));
  return violations.sort((x, y) => x.file.localeCompare(y.file) || x.line - y.line);
}

function main(): void {
  const at = process.argv.indexOf("--root");
  const root =
    at === -1 ? fileURLToPath(new URL("..", import.meta.url)) : resolve(process.argv[at + 1] ?? process.cwd());
  if (!statSync(root).isDirectory()) throw new BoundaryConfigError(`${root} is not a directory`);
  const violations = checkBoundaries(root);
  for (const v of violations) process.stderr.write(`${v.file}:${v.line}: ${v.message}\n`);
  if (violations.length > 0) {
    process.stderr.write(`workspace boundaries: ${violations.length} violation(s)\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(
      `workspace boundaries: ${readWorkspaces(root).length} workspaces, no deep import, no cycle, no duplicate install\n`,
    );
  }
}

if (import.meta.main) main();
