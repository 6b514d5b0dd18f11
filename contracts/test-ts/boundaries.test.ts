// The workspace boundary checker (scripts/check-boundaries.ts, part of `npm run lint`) on small fixture repositories
// written to a temp directory: a clean one passes; a deep import, a non-exported subpath and a cycle each fail with
// the file, line and import named. And the repository itself passes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { checkBoundaries, importsOf } from "../../scripts/check-boundaries.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHECKER = join(ROOT, "scripts", "check-boundaries.ts");
const dirs: string[] = [];

/** Writes `files` (path -> content) under a new temp directory and returns it. */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "maskoii-boundaries-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const pkg = (name: string, exports?: Record<string, string>) =>
  JSON.stringify({ name, type: "module", ...(exports === undefined ? {} : { exports }) });

/** A root with workspaces a (exports . and ./extra) and b (exports .), b importing a properly. */
function cleanRepo(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "package.json": JSON.stringify({ name: "root", workspaces: ["a", "b"] }),
    "a/package.json": pkg("@x/a", { ".": "./src/index.ts", "./extra": "./src/extra.ts" }),
    "a/src/index.ts": 'export { helper } from "./helper.ts";\n',
    "a/src/helper.ts": "export const helper = 1;\n",
    "a/src/extra.ts": "export const extra = 2;\n",
    "b/package.json": pkg("@x/b", { ".": "./src/index.ts" }),
    "b/src/index.ts":
      'import { helper } from "@x/a";\nimport { extra } from "@x/a/extra";\nexport const b = helper + extra;\n',
    "scripts/run.ts": 'import { b } from "@x/b";\n// import { no } from "../a/src/helper.ts";\nconsole.log(b);\n',
    ...extra,
  };
}

after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("check-boundaries", () => {
  it("passes a repository whose workspaces import each other by name and declared exports", () => {
    assert.deepEqual(checkBoundaries(fixture(cleanRepo())), []);
  });

  it("fails a package installed nested under two workspaces, naming both copies; one nested copy passes", () => {
    const zod = (version: string) => JSON.stringify({ name: "zod", version });
    const twice = fixture(
      cleanRepo({
        "a/node_modules/zod/package.json": zod("4.6.7"),
        "b/node_modules/zod/package.json": zod("4.6.7"),
        "b/node_modules/@noble/hashes/package.json": JSON.stringify({ name: "@noble/hashes", version: "2.4.0" }),
      }),
    );
    const [v, ...rest] = checkBoundaries(twice);
    assert.deepEqual(rest, []);
    assert.equal(v?.specifier, "zod");
    assert.match(v?.message ?? "", /zod@4\.6\.7 is installed 2 times \(a\/node_modules\/zod, b\/node_modules\/zod\)/);
    const once = fixture(cleanRepo({ "a/node_modules/zod/package.json": zod("4.6.7") }));
    assert.deepEqual(checkBoundaries(once), []);
  });

  it("fails a deep relative import into another workspace, naming the file, line and import", () => {
    const dir = fixture(
      cleanRepo({ "b/src/deep.ts": 'export const x = 1;\nimport { helper } from "../../a/src/helper.ts";\n' }),
    );
    const violations = checkBoundaries(dir);
    assert.equal(violations.length, 1);
    const [v] = violations;
    assert.equal(v?.file, "b/src/deep.ts");
    assert.equal(v?.line, 2);
    assert.equal(v?.specifier, "../../a/src/helper.ts");
    assert.match(v?.message ?? "", /deep import "\.\.\/\.\.\/a\/src\/helper\.ts" reaches into @x\/a/);
    // The CLI fails with the same message on stderr.
    const run = spawnSync(process.execPath, [CHECKER, "--root", dir], { encoding: "utf8" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /b\/src\/deep\.ts:2: deep import "\.\.\/\.\.\/a\/src\/helper\.ts" reaches into @x\/a/);
  });

  it("fails the root package reaching into a workspace by path too", () => {
    const dir = fixture(cleanRepo({ "scripts/deep.ts": 'export { helper } from "../a/src/helper.ts";\n' }));
    const [v, ...rest] = checkBoundaries(dir);
    assert.equal(rest.length, 0);
    assert.equal(v?.file, "scripts/deep.ts");
    assert.match(v?.message ?? "", /reaches into @x\/a \(a\/src\/helper\.ts\) from root/);
  });

  it("fails an import of a subpath the workspace does not export", () => {
    const dir = fixture(cleanRepo({ "b/src/sub.ts": 'import { helper } from "@x/a/src/helper.ts";\n' }));
    const [v, ...rest] = checkBoundaries(dir);
    assert.equal(rest.length, 0);
    assert.equal(v?.file, "b/src/sub.ts");
    assert.equal(v?.line, 1);
    assert.match(
      v?.message ?? "",
      /"@x\/a\/src\/helper\.ts" is not an export of @x\/a \(declared exports: \., \.\/extra\)/,
    );
  });

  it('matches subpath patterns: a file under a declared "./abi/*.json" passes, a sibling path and ".." fail', () => {
    const withPattern = (importer: string) =>
      fixture(
        cleanRepo({
          "a/package.json": pkg("@x/a", {
            ".": "./src/index.ts",
            "./extra": "./src/extra.ts",
            "./abi/*.json": "./abi/*.json",
          }),
          "a/abi/Token.json": "[]\n",
          "b/src/abi.ts": importer,
        }),
      );
    const ok = 'import token from "@x/a/abi/Token.json" with { type: "json" };\nexport { token };\n';
    assert.deepEqual(checkBoundaries(withPattern(ok)), []);
    for (const bad of ["@x/a/abi/Token.ts", "@x/a/abi/.json", "@x/a/abi/../src/helper.json"]) {
      const violations = checkBoundaries(withPattern(`import x from "${bad}" with { type: "json" };\nexport { x };\n`));
      assert.equal(violations.length, 1, bad);
      assert.match(violations[0]?.message ?? "", /is not an export of @x\/a/);
    }
  });

  it("fails a cycle between workspaces, naming each edge's file", () => {
    const dir = fixture(cleanRepo({ "a/src/back.ts": 'export { b } from "@x/b";\n' }));
    const violations = checkBoundaries(dir);
    assert.equal(violations.length, 1);
    const [v] = violations;
    assert.match(v?.message ?? "", /workspace cycle @x\/a -> @x\/b -> @x\/a/);
    assert.match(v?.message ?? "", /a\/src\/back\.ts:1/);
    assert.match(v?.message ?? "", /b\/src\/index\.ts:1/);
    const run = spawnSync(process.execPath, [CHECKER, "--root", dir], { encoding: "utf8" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /workspace cycle @x\/a -> @x\/b -> @x\/a/);
  });

  it("reads static, side-effect, dynamic and mocked imports, not ones in comments", () => {
    const found = importsOf(
      [
        'import a from "a";',
        'import "b";',
        'export * from "c";',
        'const d = await import("d");',
        'vi.mock("e");',
        '// import f from "f";',
        '/* import g from "g"; */',
        'const url = "http://x";',
      ].join("\n"),
    );
    assert.deepEqual(
      found.map((i) => `${i.line}:${i.specifier}`),
      ["1:a", "2:b", "3:c", "4:d", "5:e"],
    );
  });

  it("finds no violation in this repository", () => {
    assert.deepEqual(checkBoundaries(ROOT), []);
  });
});
