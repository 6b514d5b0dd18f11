#!/usr/bin/env node
// maskoii: the attester node and relayer command line.
//
//   maskoii attester --config <file>            run an attester node
//   maskoii relayer  --config <file>            run the relayer
//   maskoii status   --config <file>            chain heads and the relayer's delivery counts
//   maskoii doctor <messageId> --config <file>  where is this message stuck?
//   maskoii keys new    --kind secp256k1|ed25519 --out <file>
//   maskoii keys import --kind secp256k1|ed25519 --out <file> --key-file <file>
//   maskoii keys show   --keystore <file>
//   maskoii keys bind   --keystore <secp256k1 file> --identity <ed25519 file>
//
// Passwords come from --password-file, MASKOII_KEYSTORE_PASSWORD or stdin; private keys from files. Never argv.
//
// This entry sets V8 flags, then loads the commands (cli-commands.ts). Attesters run on ordinary devices: V8 sizes
// the heap to what is live instead of growing it for speed (--optimize-for-size), so an idle node stays well under
// 200 MB resident (docs/benchmarks.md, "Node memory"); MASKOII_LEAN_HEAP=0 turns it off. The flag is set before the
// ~900 modules of a node are loaded: set after them, V8 has already grown the young generation to its maximum while
// loading, and whether a collection shrinks it before the node is up is luck (start-up peak 166-184 MiB instead of
// 142-152). So this file imports nothing but node builtins and cli-options.ts (relayer/test/cli-entry.test.ts).
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { CLI_OPTIONS } from "./cli-options.ts";

/**
 * Whether this command line runs an attester with the lean heap: `maskoii attester` unless MASKOII_LEAN_HEAP=0. A
 * command line that does not parse is not one (the commands report it).
 */
export function wantsLeanHeap(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (env.MASKOII_LEAN_HEAP === "0") return false;
  try {
    const { positionals } = parseArgs({ args: [...argv], options: CLI_OPTIONS, allowPositionals: true, strict: true });
    return positionals[0] === "attester";
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  if (wantsLeanHeap(argv, process.env)) setFlagsFromString("--optimize-for-size");
  const { runCli } = await import("./cli-commands.ts");
  await runCli(argv);
}
