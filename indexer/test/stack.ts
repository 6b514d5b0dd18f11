// The indexer's test stack: the testkit's bridge scenario (two local hardhat chains deployed with the deploy fixture,
// deployment files in a temporary directory, and the chain actions the scenarios need, done directly: the test signs
// the attestations with the fixture's attester keys, so no relayer is needed to drive the lifecycle), plus the local
// Solana RPC when configured and Ponder started on the chains as a child process (PGlite, or PostgreSQL when
// MASKOII_TEST_POSTGRES_URL is set).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  freePort,
  HOST,
  localRpcFromEnv,
  type ManagedProcess,
  ROOT,
  type SolanaChain,
  startSolanaChain,
  until,
} from "@maskoii/testkit";
import { BridgeScenario } from "@maskoii/testkit/bridge-scenario";
import { freshDatabase, postgresUrl, type TestDatabase } from "@maskoii/testkit/postgres";

export type { Sent } from "@maskoii/testkit/bridge-scenario";

const INDEXER_DIR = fileURLToPath(new URL("..", import.meta.url));
const PONDER_BIN = join(ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");

export class IndexerStack extends BridgeScenario {
  /** The local Solana RPC (domain 1003), when MASKOII_LOCAL_RPC names its binary. */
  solana: SolanaChain | undefined;
  database: TestDatabase | undefined;
  ponder: ManagedProcess | undefined;
  url = "";
  #ponderRuns = 0;

  constructor() {
    super({ dirPrefix: "maskoii-indexer-", attesterLabel: "maskoii indexer test" });
  }

  get kind(): "postgres" | "pglite" {
    return postgresUrl !== undefined && postgresUrl !== "" ? "postgres" : "pglite";
  }

  override async start(): Promise<void> {
    await this.startChains();
    const binary = localRpcFromEnv();
    if (binary !== undefined) {
      this.solana = await startSolanaChain({ supervisor: this.supervisor, binary, logDir: this.dir });
    }
    await this.deploy(
      this.solana === undefined
        ? {}
        : {
            solana: {
              rpcUrl: this.solana.rpcUrl,
              wsUrl: this.solana.wsUrl,
              programId: this.solana.programId,
              upgradeAuthority: this.solana.upgradeAuthority,
            },
          },
    );
    if (this.solana !== undefined) {
      // What the indexer needs of a Solana deployment file (the devnet writes a complete one, .devnet/solana.json).
      writeFileSync(
        join(this.dir, "solana.json"),
        JSON.stringify({
          domain: 1003,
          rpcUrl: this.solana.rpcUrl,
          programId: this.solana.programId,
          admin: this.solana.upgradeAuthority,
          tokens: {},
        }),
      );
    }
    if (this.kind === "postgres") this.database = await freshDatabase();
    await this.startPonder();
  }

  /** Starts Ponder (again) on the same database and waits until it answers /ready. */
  async startPonder(): Promise<void> {
    const port = await freePort();
    this.url = `http://${HOST}:${port}`;
    this.#ponderRuns += 1;
    this.ponder = this.supervisor.start({
      name: `ponder-${this.#ponderRuns}`,
      command: process.execPath,
      args: [PONDER_BIN, "start", "--port", String(port), "--hostname", HOST, "--schema", "maskoii_test"],
      cwd: INDEXER_DIR,
      env: {
        ...process.env,
        PONDER_TELEMETRY_DISABLED: "true",
        MASKOII_DEPLOYMENTS_DIR: join(this.dir, "deployments"),
        MASKOII_PGLITE_DIR: join(this.dir, "pglite"),
        MASKOII_POLL_MS: "200",
        DATABASE_URL: this.database?.url ?? "",
        MASKOII_SOLANA_DEPLOYMENT: this.solana === undefined ? "" : join(this.dir, "solana.json"),
        NO_COLOR: "1",
      },
      logFile: join(this.dir, `ponder-${this.#ponderRuns}.log`),
    });
    const exited = this.ponder.exited.then((code) => {
      throw new Error(`ponder exited (${String(code)}); see ${this.ponder?.logFile}`);
    });
    await Promise.race([
      until("ponder /ready", async () => ((await fetch(`${this.url}/ready`)).status === 200 ? true : undefined), {
        timeoutMs: 120_000,
        everyMs: 250,
      }),
      exited,
    ]);
    exited.catch(() => {});
  }

  /** Stops Ponder (SIGTERM to its process group, as the supervisor stops everything) and waits for its exit. */
  async stopPonder(): Promise<void> {
    const p = this.ponder;
    if (p === undefined) return;
    try {
      process.kill(-p.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await p.exited;
    this.ponder = undefined;
  }

  override async stop(): Promise<void> {
    await this.supervisor.stopAll();
    await this.database?.drop();
    await super.stop();
  }

  async get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Polls GET `path` until `check` accepts the body (Ponder's /ready can answer before the rows exist). */
  async waitFor<T>(path: string, check: (body: Record<string, unknown>) => T | undefined, timeoutMs = 60_000) {
    return until(
      `GET ${path}`,
      async () => {
        const r = await this.get(path);
        return r.status === 200 ? check(r.body) : undefined;
      },
      { timeoutMs, everyMs: 250 },
    );
  }
}
