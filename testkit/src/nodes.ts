// maskoii node processes (an attester or the relayer: the `maskoii` CLI, relayer/src/cli.ts) under a Supervisor: one
// way to start them, wait until they answer, stop them and read their logs, for the e2e stack, the devnet and the
// benches. Keystores are written by the caller (with @maskoii/relayer's keystore functions): the kit does not import
// the relayer, so the relayer's own tests can use the kit without a cycle between the two workspaces.

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "./chains.ts";
import { NodeError } from "./errors.ts";
import { groupAlive, type ManagedProcess, type RestartPolicy, type Supervisor } from "./processes.ts";
import { until } from "./wait.ts";

/** The maskoii CLI, run as `node <MASKOII_CLI> <role> --config <file>`. */
export const MASKOII_CLI = join(ROOT, "relayer", "src", "cli.ts");

export type NodeRole = "attester" | "relayer";

/** Starts one run of `maskoii <role> --config <configFile>` as a supervised process group. */
export function startNodeProcess(args: {
  supervisor: Supervisor;
  /** Supervisor process name (unique while it runs). */
  name: string;
  role: NodeRole;
  configFile: string;
  logFile: string;
  /** Added to this process's environment (FORCE_COLOR=0 always). */
  env?: NodeJS.ProcessEnv;
  /** Node options before the CLI (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
  restart?: RestartPolicy;
}): ManagedProcess {
  return args.supervisor.start({
    name: args.name,
    command: process.execPath,
    args: [...(args.nodeArgs ?? []), MASKOII_CLI, args.role, "--config", args.configFile],
    cwd: ROOT,
    env: { ...process.env, ...args.env, FORCE_COLOR: "0" },
    logFile: args.logFile,
    ...(args.restart === undefined ? {} : { restart: args.restart }),
  });
}

/** Waits until `url` answers 2xx (a node's /ready or /health), at most `timeoutMs`. */
export async function waitHttpOk(url: string, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<void> {
  await until(
    url,
    async () => ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined),
    options,
  );
}

/**
 * One node of a test stack: its home directory (config, store, keystores the caller writes), its log file, and
 * start / stop / SIGKILL / restart on the same home. Every run is a new process group under the supervisor
 * (`attester0#2` is attester0's second run), so teardown finds all of them.
 */
export class NodeProcess {
  readonly name: string;
  readonly role: NodeRole;
  readonly home: string;
  readonly logFile: string;
  readonly configFile: string;
  readonly storeDir: string;
  readonly #supervisor: Supervisor;
  readonly #env: NodeJS.ProcessEnv;
  #run = 0;
  #current: ManagedProcess | undefined;
  /** Every process group this node ran (for the no-stray-process check). */
  readonly pids: number[] = [];
  /** Runs stopped on purpose (by pid): their exit is expected. */
  readonly #intended = new Set<number>();

  constructor(args: { supervisor: Supervisor; name: string; role: NodeRole; dir: string; env?: NodeJS.ProcessEnv }) {
    this.#supervisor = args.supervisor;
    this.#env = args.env ?? {};
    this.name = args.name;
    this.role = args.role;
    this.home = join(args.dir, args.name);
    this.logFile = join(args.dir, `${args.name}.log`);
    this.configFile = join(this.home, "config.json");
    this.storeDir = join(this.home, "db");
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
    const managed = startNodeProcess({
      supervisor: this.#supervisor,
      name: this.#run === 1 ? this.name : `${this.name}#${this.#run}`,
      role: this.role,
      configFile: this.configFile,
      logFile: this.logFile,
      env: this.#env,
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

export { NodeError };
