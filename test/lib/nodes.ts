// One maskoii CLI process (an attester node or the relayer) of an e2e stack: its home directory (keystore, config,
// SQLite store), its log file, and start / stop / SIGKILL / restart on the same store. Every run is a new process
// group under the stack's Supervisor (`attester0#2` is attester0's second run), so teardown finds all of them.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encryptKey, writeKeystore } from "@maskoii/node-kit";
import type { Hex } from "viem";
import { groupAlive, type ManagedProcess, type Supervisor } from "../../scripts/lib/processes.ts";
import { ROOT } from "./chains.ts";
import { until } from "./wait.ts";

const CLI = join(ROOT, "relayer", "src", "cli.ts");
/** The keystore password, handed to the processes in their environment (never argv). */
export const KEYSTORE_PASSWORD = "maskoii e2e keystore password";
/** Cheap scrypt for test keystores (the CLI's default costs seconds per unlock). */
const FAST_SCRYPT = { n: 2 ** 10, r: 8, p: 1 };

/** Raised when a node does not start, stop or answer as expected. */
export class NodeError extends Error {
  override readonly name = "NodeError";
}

export type NodeRole = "attester" | "relayer";

export class MaskoiiNode {
  readonly name: string;
  readonly role: NodeRole;
  readonly home: string;
  readonly logFile: string;
  readonly configFile: string;
  readonly storeDir: string;
  readonly #supervisor: Supervisor;
  #run = 0;
  #current: ManagedProcess | undefined;
  /** Every process group this node ran (for the no-stray-process check). */
  readonly pids: number[] = [];
  /** Runs stopped on purpose (by pid): their exit is expected. */
  readonly #intended = new Set<number>();

  constructor(args: { supervisor: Supervisor; name: string; role: NodeRole; dir: string }) {
    this.#supervisor = args.supervisor;
    this.name = args.name;
    this.role = args.role;
    this.home = join(args.dir, args.name);
    this.logFile = join(args.dir, `${args.name}.log`);
    this.configFile = join(this.home, "config.json");
    this.storeDir = join(this.home, "db");
  }

  /** Writes the node's encrypted keystore. */
  async init(privateKey: Hex): Promise<void> {
    await mkdir(this.home, { recursive: true });
    await writeKeystore(
      join(this.home, "key.json"),
      await encryptKey("secp256k1", privateKey, KEYSTORE_PASSWORD, FAST_SCRYPT),
    );
  }

  /** Writes the node's encrypted ed25519 keystore (a relayer's Solana fee payer; `seed` is the 32-byte seed). */
  async initSolanaKey(seed: Hex): Promise<void> {
    await mkdir(this.home, { recursive: true });
    await writeKeystore(this.solanaKeystore, await encryptKey("ed25519", seed, KEYSTORE_PASSWORD, FAST_SCRYPT));
  }

  get keystore(): string {
    return join(this.home, "key.json");
  }

  get solanaKeystore(): string {
    return join(this.home, "solana-key.json");
  }

  /** Whether a run of this node is alive. */
  get running(): boolean {
    return this.#current !== undefined && groupAlive(this.#current.pid);
  }

  get pid(): number | undefined {
    return this.#current?.pid;
  }

  /** Whether `pid` was stopped on purpose by the test. */
  intended(pid: number): boolean {
    return this.#intended.has(pid);
  }

  async writeConfig(config: Record<string, unknown>): Promise<void> {
    await writeFile(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Starts a new run of the node on its config and store. */
  start(): ManagedProcess {
    if (this.running) throw new NodeError(`${this.name} is already running`);
    this.#run++;
    const managed = this.#supervisor.start({
      name: this.#run === 1 ? this.name : `${this.name}#${this.#run}`,
      command: process.execPath,
      args: [CLI, this.role, "--config", this.configFile],
      cwd: ROOT,
      env: { ...process.env, MASKOII_KEYSTORE_PASSWORD: KEYSTORE_PASSWORD, FORCE_COLOR: "0" },
      logFile: this.logFile,
    });
    this.#current = managed;
    this.pids.push(managed.pid);
    return managed;
  }

  /**
   * Stops the current run with `signal` (SIGTERM: graceful; SIGKILL: a crash) and waits until its whole process
   * group is gone. Resolves with the exit code or signal name.
   */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM", timeoutMs = 15_000): Promise<number | NodeJS.Signals> {
    const managed = this.#current;
    if (managed === undefined) throw new NodeError(`${this.name} was never started`);
    this.#intended.add(managed.pid);
    try {
      process.kill(-managed.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
    const code = await Promise.race([
      managed.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new NodeError(`${this.name} did not exit on ${signal}`)), timeoutMs).unref(),
      ),
    ]);
    await until(`${this.name}'s process group to be gone`, () => (groupAlive(managed.pid) ? undefined : true), {
      timeoutMs: 5_000,
      everyMs: 25,
    });
    this.#current = undefined;
    return code;
  }

  /** Everything the node's runs wrote (stdout and stderr). */
  async output(): Promise<string> {
    return readFile(this.logFile, "utf8").catch(() => "");
  }

  /** The JSON log lines of the node (pino), parsed; other lines are skipped. */
  async logLines(): Promise<Array<Record<string, unknown>>> {
    const lines: Array<Record<string, unknown>> = [];
    for (const line of (await this.output()).split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line cut by SIGKILL.
      }
    }
    return lines;
  }
}
