// The devnet's indexer (issue 14): Ponder over the devnet's deployment files (and the Solana deployment when there
// is one), PGlite under .devnet/indexer (emptied on every start: the chains are new), on 127.0.0.1:42069, supervised
// and restarted like the nodes. Returns its URLs once Ponder answers /ready.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { HOST, NODE_RESTART, type Supervisor, waitHttpOk } from "@maskoii/testkit";

export const INDEXER_PORT = 42069;

export type DevnetIndexer = { readonly url: string; readonly urls: readonly string[] };

export async function startIndexer(args: {
  supervisor: Supervisor;
  root: string;
  logDir: string;
  /** The Solana deployment file, when Solana runs. */
  solanaDeploymentFile?: string;
  log: (line: string) => void;
}): Promise<DevnetIndexer> {
  const dir = join(args.root, ".devnet", "indexer");
  rmSync(dir, { recursive: true, force: true });
  const url = `http://${HOST}:${INDEXER_PORT}`;
  const managed = args.supervisor.start({
    name: "indexer",
    command: process.execPath,
    args: [
      join(args.root, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js"),
      "start",
      "--hostname",
      HOST,
      "--port",
      String(INDEXER_PORT),
      "--schema",
      "maskoii",
    ],
    cwd: join(args.root, "indexer"),
    env: {
      ...process.env,
      PONDER_TELEMETRY_DISABLED: "true",
      MASKOII_DEPLOYMENTS_DIR: join(args.root, "deployments"),
      MASKOII_PGLITE_DIR: join(dir, "pglite"),
      MASKOII_POLL_MS: "250",
      MASKOII_SOLANA_DEPLOYMENT: args.solanaDeploymentFile ?? "",
      DATABASE_URL: "",
      NO_COLOR: "1",
    },
    logFile: join(args.logDir, "indexer.log"),
    restart: NODE_RESTART,
  });
  args.log(`started indexer (pid ${managed.pid}), log ${managed.logFile}`);
  await waitHttpOk(`${url}/ready`, { timeoutMs: 180_000, everyMs: 500 });
  const urls = [
    `REST ${url}/messages, ${url}/messages/:id, ${url}/routes/:origin/:destination/volume (OpenAPI ${url}/openapi.json)`,
    `GraphQL ${url}/graphql`,
    `SQL over HTTP ${url}/sql (@ponder/client)`,
  ];
  return { url, urls };
}
