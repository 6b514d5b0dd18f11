/**
 * Generates the maskoii program's Anchor IDL on the host, without the anchor CLI, and checks it in CI.
 *
 *   node scripts/gen-idl.ts            write sdk/src/solana/idl/maskoii.json and maskoii.ts
 *   node scripts/gen-idl.ts --check    regenerate and exit 1 (with a diff excerpt) if the committed files differ
 *   node scripts/gen-idl.ts --from F   use a saved `cargo test` stdout F instead of running cargo (debugging)
 *
 * What the anchor CLI (`anchor idl build`, anchor-lang-idl 0.1.x `build.rs`) does, step by step:
 * 1. `cargo test __anchor_private_print_idl --features idl-build -- --show-output --quiet` in the program crate.
 *    anchor-lang's `idl-build` feature generates one test per program, account type, event and error enum that
 *    prints a JSON fragment between `--- IDL begin <kind> ---` / `--- IDL end <kind> ---` markers
 *    (kinds: program, address, const, event, errors).
 * 2. Once `test result: ok` (with tests run) is seen, the program IDL gets the printed address, constants, events
 *    and errors; the types printed with events are merged with the program's types (by name, the program's win).
 * 3. Fully qualified type paths (`maskoii::state::Config`) become bare names when that causes no conflict.
 * 4. accounts, constants, events, instructions and types are sorted by name; discriminators are checked.
 * 5. The IDL is written with serde_json's pretty printer (2 spaces, same key order as the Rust structs).
 * The TS module is anchor's `idl_ts`: every `"key":"word"` value of the compact JSON in lowerCamelCase (heck's rules)
 * except public keys, re-pretty-printed, as `export type Maskoii = ...`. Both files are then formatted with biome
 * so that `biome check` stays clean; `--check` compares the formatted output.
 *
 * Deliberate differences from the CLI, none of which changes the output:
 * - cargo runs as `cargo test -p maskoii --lib` from programs/ (the print tests live in the library; this skips
 *   building the integration tests with `idl-build`), under `nice -n 10`, and WITHOUT the CLI's
 *   `RUSTFLAGS=-A warnings`: changing RUSTFLAGS would invalidate the shared target directory for every other build.
 *   CARGO_TARGET_DIR is taken from the environment, else ~/.cache/maskoii-target when it exists.
 * - More than one `#[error_code]` enum: the CLI refuses ("Multiple error definitions are not allowed."); this script
 *   merges them (codes must not collide) and prints a warning, because the program currently declares two
 *   (`MaskoiiError` from 6000 and `TokenBridgeError` from 7000) and the client needs both.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const programDir = join(root, "programs");
const crateDir = join(programDir, "maskoii");
const outDir = join(root, "sdk/src/solana/idl");
const jsonPath = join(outDir, "maskoii.json");
const tsPath = join(outDir, "maskoii.ts");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Named extends JsonObject {
  name: string;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. cargo

function cargoStdout(): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANCHOR_IDL_BUILD_NO_DOCS: "FALSE",
    ANCHOR_IDL_BUILD_RESOLUTION: "TRUE",
    ANCHOR_IDL_BUILD_SKIP_LINT: "FALSE",
    ANCHOR_IDL_BUILD_PROGRAM_PATH: crateDir,
  };
  const shared = join(homedir(), ".cache/maskoii-target");
  if (env.CARGO_TARGET_DIR === undefined && existsSync(shared)) env.CARGO_TARGET_DIR = shared;
  const args = ["-n", "10", "cargo", "test", "-p", "maskoii", "--lib", "--features", "idl-build"];
  args.push("__anchor_private_print_idl", "--", "--show-output", "--quiet");
  console.error(
    `gen-idl: running \`${["nice", ...args].join(" ")}\` in programs/ (CARGO_TARGET_DIR=${env.CARGO_TARGET_DIR ?? "default"})`,
  );
  const run = spawnSync("nice", args, {
    cwd: programDir,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`building the IDL failed (cargo exit code ${run.status}); its stdout:\n${run.stdout}`);
  }
  return run.stdout;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. parse the printed fragments (anchor-lang-idl build.rs `build`)

function parsePrinted(stdout: string): JsonObject {
  type State =
    | { kind: "pass" }
    | { kind: "address" }
    | { kind: "const" | "event" | "errors" | "program"; lines: string[] };
  let state: State = { kind: "pass" };
  let address = "";
  let constants: Json[] = [];
  let events: Json[] = [];
  let errorBlocks: Json[][] = [];
  let types = new Map<string, Named>();
  let idl: JsonObject | undefined;
  let merged = false;

  for (const line of stdout.split(/\r?\n/)) {
    switch (state.kind) {
      case "pass":
        if (line === "--- IDL begin address ---") state = { kind: "address" };
        else if (line === "--- IDL begin const ---") state = { kind: "const", lines: [] };
        else if (line === "--- IDL begin event ---") state = { kind: "event", lines: [] };
        else if (line === "--- IDL begin errors ---") state = { kind: "errors", lines: [] };
        else if (line === "--- IDL begin program ---") state = { kind: "program", lines: [] };
        else if (
          line.startsWith("test result: ok") &&
          !line.startsWith("test result: ok. 0 passed; 0 failed; 0") &&
          idl !== undefined
        ) {
          idl.address = address;
          idl.constants = constants;
          idl.events = events;
          idl.errors = mergeErrors(errorBlocks);
          const programTypes = (idl.types ?? []) as Named[];
          for (const ty of programTypes) types.set(ty.name, ty);
          idl.types = [...types.entries()].sort(([a], [b]) => compare(a, b)).map(([, ty]) => ty);
          address = "";
          constants = [];
          events = [];
          errorBlocks = [];
          types = new Map();
          merged = true;
        }
        break;
      case "address":
        address = line.replace(/[^\p{L}\p{N}]/gu, "");
        state = { kind: "pass" };
        break;
      default: {
        if (line !== `--- IDL end ${state.kind} ---`) {
          state.lines.push(line);
          break;
        }
        const value = JSON.parse(state.lines.join("\n")) as Json;
        if (state.kind === "const") constants.push(value);
        else if (state.kind === "errors") errorBlocks.push(value as Json[]);
        else if (state.kind === "program") idl = value as JsonObject;
        else {
          const printed = value as { event: Json; types: Named[] };
          events.push(printed.event);
          for (const ty of printed.types) types.set(ty.name, ty);
        }
        state = { kind: "pass" };
      }
    }
  }
  if (idl === undefined) throw new Error("IDL doesn't exist (no `--- IDL begin program ---` block in cargo's output)");
  if (!merged) throw new Error("cargo's output has no `test result: ok` line after the IDL blocks");
  return idl;
}

/** The CLI allows one error enum; see the header for why this merges several. */
function mergeErrors(blocks: Json[][]): Json[] {
  if (blocks.length > 1) {
    console.warn(
      `gen-idl: WARNING: ${blocks.length} #[error_code] enums; the anchor CLI refuses this ("Multiple error definitions are not allowed."), merged here`,
    );
  }
  const all = blocks.flat() as { code: number; name: string }[];
  const seen = new Map<number, string>();
  for (const error of all) {
    const other = seen.get(error.code);
    if (other !== undefined) throw new Error(`error code ${error.code} is used by both ${other} and ${error.name}`);
    seen.set(error.code, error.name);
  }
  return [...all].sort((a, b) => a.code - b.code) as unknown as Json[];
}

/** Rust's `str::cmp` (byte order); identical to UTF-16 order for the ASCII names of an IDL. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// 3.–5. post-processing (build.rs `convert_module_paths`, `sort`, `verify`) and Idl field order

function convertModulePaths(idl: JsonObject): JsonObject {
  const original = JSON.stringify(idl);
  let acc = original;
  for (const match of original.matchAll(/"(\w+::)+(\w+)"/g)) {
    const path = match[0];
    const name = match[2]!;
    const replaced = acc.replaceAll(path, `"${name}"`);
    const conflict = new RegExp(`"(\\w+::)+${name}"`).test(replaced);
    if (!conflict) acc = replaced;
  }
  return JSON.parse(acc) as JsonObject;
}

function byName(list: Json | undefined): Named[] {
  return [...((list ?? []) as Named[])].sort((a, b) => compare(a.name, b.name));
}

function verify(idl: JsonObject): void {
  for (const field of ["accounts", "events", "instructions"] as const) {
    const items = (idl[field] ?? []) as { name: string; discriminator: number[] }[];
    for (const item of items) {
      if (item.discriminator.length === 0)
        throw new Error(`Empty discriminators are not allowed for ${field}: \`${item.name}\``);
    }
    for (const outer of items) {
      const inner = items.find(
        (i) => i.name !== outer.name && i.discriminator.every((byte, k) => outer.discriminator[k] === byte),
      );
      if (inner) throw new Error(`Ambiguous discriminators for ${field} \`${outer.name}\` and \`${inner.name}\``);
    }
  }
  const accounts = (idl.accounts ?? []) as { name: string; discriminator: number[] }[];
  for (const account of accounts) {
    if (account.discriminator.every((b) => b === 0)) {
      throw new Error(`All zero account discriminators are not allowed (account: \`${account.name}\`)`);
    }
    let zeros = 0;
    while (zeros < account.discriminator.length && account.discriminator[zeros] === 0) zeros++;
    const other = accounts.find((a) => a.discriminator.length <= zeros);
    if (other) {
      throw new Error(
        `Accounts may allow substitution when used with the \`zero\` constraint: \`${account.name}\` \`${other.name}\``,
      );
    }
  }
}

/** The Rust `Idl` struct's field order; empty optional lists are skipped like `skip_serializing_if = "is_default"`. */
function ordered(idl: JsonObject): JsonObject {
  const out: JsonObject = { address: idl.address ?? "", metadata: idl.metadata ?? {} };
  const optional = (key: string) => {
    const value = idl[key];
    if (Array.isArray(value) && value.length > 0) out[key] = value;
  };
  optional("docs");
  out.instructions = idl.instructions ?? [];
  for (const key of ["accounts", "events", "errors", "types", "constants"]) optional(key);
  return out;
}

function buildIdl(stdout: string): JsonObject {
  const idl = convertModulePaths(parsePrinted(stdout));
  for (const key of ["accounts", "constants", "events", "instructions", "types"]) {
    if (idl[key] !== undefined) idl[key] = byName(idl[key]);
  }
  verify(idl);
  return ordered(idl);
}

// ---------------------------------------------------------------------------------------------------------------
// TS type module (anchor CLI `idl_ts`)

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

/** `Pubkey::from_str(s).is_ok()`: base58 that decodes to exactly 32 bytes. */
function isPubkey(s: string): boolean {
  if (s.length > 44 || !BASE58.test(s)) return false;
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let n = 0n;
  for (const c of s) n = n * 58n + BigInt(alphabet.indexOf(c));
  let leadingZeros = 0;
  while (s[leadingZeros] === "1") leadingZeros++;
  const hex = n === 0n ? "" : n.toString(16);
  return leadingZeros + Math.ceil(hex.length / 2) === 32;
}

/** heck 0.5 `to_lower_camel_case` (the crate the anchor CLI uses). */
export function toLowerCamelCase(s: string): string {
  const words: string[] = [];
  const isLower = (c: string) => c !== c.toUpperCase() && c === c.toLowerCase();
  const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
  for (const word of s.split(/[^\p{L}\p{N}]/u)) {
    const chars = [...word];
    let init = 0;
    let mode = "boundary" as "boundary" | "lower" | "upper";
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      const next = chars[i + 1];
      if (next === undefined) {
        words.push(chars.slice(init).join(""));
        break;
      }
      const nextMode: typeof mode = isLower(c) ? "lower" : isUpper(c) ? "upper" : mode;
      if (nextMode === "lower" && isUpper(next)) {
        words.push(chars.slice(init, i + 1).join(""));
        init = i + 1;
        mode = "boundary";
      } else if (mode === "upper" && isUpper(c) && isLower(next)) {
        words.push(chars.slice(init, i).join(""));
        init = i;
        mode = "boundary";
      } else {
        mode = nextMode;
      }
    }
  }
  return words
    .map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()))
    .join("");
}

function pascal(s: string): string {
  const camel = toLowerCamelCase(s);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

function idlTs(idl: JsonObject): string {
  const name = (idl.metadata as { name: string }).name;
  const compact = JSON.stringify(idl);
  let camel = compact;
  for (const match of compact.matchAll(/"\w+":"(\w+)"/g)) {
    const word = match[1]!;
    if (isPubkey(word)) continue;
    camel = camel.replaceAll(`"${word}"`, `"${toLowerCamelCase(word)}"`);
  }
  const pretty = JSON.stringify(JSON.parse(camel), null, 2);
  return `// generated by scripts/gen-idl.ts from programs/maskoii; do not edit
import idlJson from "./${name}.json" with { type: "json" };

/**
 * Program IDL in camelCase format in order to be used in JS/TS.
 *
 * Note that this is only a type helper and is not the actual IDL. The original
 * IDL can be found at \`sdk/src/solana/idl/${name}.json\`.
 */
export type ${pascal(name)} = ${pretty};

/** The IDL as generated (snake_case names); \`new Program(IDL, provider)\` converts names to camelCase itself. */
export const IDL = idlJson as unknown as ${pascal(name)};
`;
}

// ---------------------------------------------------------------------------------------------------------------
// formatting, writing, checking

function biomeFormat(text: string, path: string): string {
  const run = spawnSync(
    join(root, "node_modules/.bin/biome"),
    ["format", `--stdin-file-path=${relative(root, path)}`],
    {
      cwd: root,
      input: text,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`biome format failed for ${relative(root, path)}:\n${run.stderr}`);
  return run.stdout;
}

function firstDifference(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const from = Math.max(0, i - 3);
      const show = (lines: string[]) =>
        lines
          .slice(from, i + 4)
          .map((l, k) => `    ${from + k + 1}: ${l}`)
          .join("\n");
      return `first difference at line ${i + 1}\n  committed:\n${show(b)}\n  regenerated:\n${show(a)}`;
    }
  }
  return "identical";
}

function main(): void {
  const argv = process.argv.slice(2);
  const check = argv.includes("--check");
  const fromIndex = argv.indexOf("--from");
  const stdout = fromIndex >= 0 ? readFileSync(argv[fromIndex + 1]!, "utf8") : cargoStdout();
  const idl = buildIdl(stdout);
  const outputs: [string, string][] = [
    [jsonPath, biomeFormat(`${JSON.stringify(idl, null, 2)}\n`, jsonPath)],
    [tsPath, biomeFormat(idlTs(idl), tsPath)],
  ];
  if (check) {
    let stale = false;
    for (const [path, text] of outputs) {
      const committed = existsSync(path) ? readFileSync(path, "utf8") : "";
      if (committed !== text) {
        stale = true;
        console.error(`gen-idl --check: ${relative(root, path)} is out of date with programs/maskoii`);
        console.error(committed === "" ? "  (file missing)" : firstDifference(text, committed));
      }
    }
    if (stale) {
      console.error("gen-idl --check: run `node scripts/gen-idl.ts` and commit the result");
      process.exit(1);
    }
    console.log("gen-idl --check: sdk/src/solana/idl is up to date");
    return;
  }
  mkdirSync(outDir, { recursive: true });
  for (const [path, text] of outputs) {
    writeFileSync(path, text);
    console.log(`gen-idl: wrote ${relative(root, path)}`);
  }
}

main();
