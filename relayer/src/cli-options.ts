// The maskoii command line's options (node:util parseArgs), shared by the entry (cli.ts), which only needs the
// command, and the commands (cli-commands.ts). Data only: the entry loads this before any of the node's modules.
import type { ParseArgsOptionsConfig } from "node:util";

export const CLI_OPTIONS = {
  config: { type: "string" },
  kind: { type: "string" },
  out: { type: "string" },
  "key-file": { type: "string" },
  "password-file": { type: "string" },
  keystore: { type: "string" },
  identity: { type: "string" },
  "with-store": { type: "boolean" },
  dev: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;
