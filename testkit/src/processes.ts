// A small process supervisor for the devnet: every child runs in its own process group (so that `npx` and whatever
// it spawns are stopped together), writes its output to a log file, and is stopped with SIGTERM then SIGKILL. A
// process with a restart policy (the devnet's attester and relayer nodes) that dies is started again after a backoff
// and reported (`onRestart`), instead of taking the whole devnet down; it is given up (reported as an unexpected exit)
// only after `maxRestarts` quick deaths in a row.

import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { ProcessError } from "./errors.ts";

export type ProcessSpec = {
  /** Short unique name, used in logs ("chainA"). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr of the process are appended here. */
  logFile: string;
  /** Called with every line the process writes on stdout (besides the log file), e.g. to read a ready line. */
  onStdoutLine?: (line: string) => void;
  /** Called with every line the process writes on stderr (besides the log file). */
  onStderrLine?: (line: string) => void;
  /**
   * A command expected to finish (a build): its exit is not reported to `onUnexpectedExit` and it leaves the
   * supervisor once it has exited. `stopAll` still stops it if it is running.
   */
  oneShot?: boolean;
  /** Restart the process when it exits on its own (not during `stopAll`). */
  restart?: RestartPolicy;
};

export type RestartPolicy = {
  /** Delay before the first restart; doubled for each further quick death in a row. */
  readonly baseMs: number;
  /** Longest delay. */
  readonly maxMs: number;
  /** Quick deaths in a row after which the process is given up (reported to onUnexpectedExit). Default 10. */
  readonly maxRestarts?: number;
  /** A process that ran at least this long before dying starts the count again. Default 60 s. */
  readonly stableMs?: number;
};

/** What `onRestart` is told: who died, how, and when it is started again. */
export type RestartEvent = {
  readonly name: string;
  readonly code: number | NodeJS.Signals;
  /** The pid that died. */
  readonly pid: number;
  /** Quick deaths in a row, this one included. */
  readonly restarts: number;
  readonly delayMs: number;
};

/**
 * A node process that dies is started again (its store and keys are on disk, so it resumes where it stopped): after
 * 0.5 s, doubling per quick death in a row up to 30 s, given up after 10 quick deaths (then the devnet stops).
 */
export const NODE_RESTART: RestartPolicy = { baseMs: 500, maxMs: 30_000, maxRestarts: 10, stableMs: 60_000 };

export type ManagedProcess = {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
};

type Entry = { process: ManagedProcess; child: ChildProcess; log: WriteStream; done: boolean };

/** Returns true while any process of the group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else: still alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export class Supervisor {
  readonly #entries = new Map<string, Entry>();
  #stopping = false;
  #unexpectedExit: ((name: string, code: number | NodeJS.Signals) => void) | undefined;
  #restart: ((event: RestartEvent) => void) | undefined;
  /** Pending restarts (cleared by stopAll). */
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Per name: quick deaths in a row. */
  readonly #deaths = new Map<string, number>();

  /** Called when a process exits on its own (not during `stopAll`). */
  onUnexpectedExit(handler: (name: string, code: number | NodeJS.Signals) => void): void {
    this.#unexpectedExit = handler;
  }

  /** Called when a process with a restart policy died and is about to be started again. */
  onRestart(handler: (event: RestartEvent) => void): void {
    this.#restart = handler;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  processes(): ManagedProcess[] {
    return [...this.#entries.values()].map((entry) => entry.process);
  }

  /** Starts `spec` as the leader of a new process group. */
  start(spec: ProcessSpec): ManagedProcess {
    if (this.#stopping) throw new ProcessError(`cannot start ${spec.name}: the supervisor is stopping`);
    if (this.#entries.has(spec.name)) throw new ProcessError(`a process named ${spec.name} is already running`);
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const log = createWriteStream(spec.logFile, { flags: "a" });
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid === undefined) {
      // The spawn failed (ENOENT, EACCES): node reports it as an 'error' event, which must not go unhandled.
      child.once("error", () => {});
      log.end();
      throw new ProcessError(`could not start ${spec.name} (${spec.command})`);
    }
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    for (const [stream, onLine] of [
      [child.stdout, spec.onStdoutLine],
      [child.stderr, spec.onStderrLine],
    ] as const) {
      if (stream !== null && onLine !== undefined) {
        createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onLine);
      }
    }
    const pid = child.pid;
    const exited = new Promise<number | NodeJS.Signals>((resolve) => {
      child.once("exit", (code, signal) => resolve(code ?? signal ?? 1));
    });
    const managed: ManagedProcess = { name: spec.name, pid, logFile: spec.logFile, exited };
    const startedAt = Date.now();
    const entry: Entry = { process: managed, child, log, done: false };
    this.#entries.set(spec.name, entry);
    void exited.then((code) => {
      entry.done = true;
      if (spec.oneShot === true) {
        if (this.#entries.get(spec.name) === entry) this.#entries.delete(spec.name);
        // Let the pipes drain into the log before closing it.
        setImmediate(() => {
          if (!log.writableEnded) log.end();
        });
      } else if (!this.#stopping) {
        if (spec.restart === undefined || !this.#scheduleRestart(spec, entry, code, Date.now() - startedAt)) {
          this.#unexpectedExit?.(spec.name, code);
        }
      }
    });
    return managed;
  }

  /** Starts `spec` again after its backoff; false when it has died too often in a row (give up). */
  #scheduleRestart(spec: ProcessSpec, entry: Entry, code: number | NodeJS.Signals, ranMs: number): boolean {
    const policy = spec.restart as RestartPolicy;
    const deaths = ranMs >= (policy.stableMs ?? 60_000) ? 1 : (this.#deaths.get(spec.name) ?? 0) + 1;
    this.#deaths.set(spec.name, deaths);
    if (deaths > (policy.maxRestarts ?? 10)) return false;
    const delayMs = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(deaths - 1, 30));
    if (this.#entries.get(spec.name) === entry) this.#entries.delete(spec.name);
    setImmediate(() => {
      if (!entry.log.writableEnded) entry.log.end();
    });
    this.#restart?.({ name: spec.name, code, pid: entry.process.pid, restarts: deaths, delayMs });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopping) return;
      try {
        this.start(spec);
      } catch {
        this.#unexpectedExit?.(spec.name, code);
      }
    }, delayMs);
    this.#timers.add(timer);
    return true;
  }

  /**
   * Runs a command that is expected to finish (`oneShot`) in its own process group, supervised like the others
   * while it runs, and resolves with its exit code (or signal name).
   */
  run(spec: Omit<ProcessSpec, "oneShot">): Promise<number | NodeJS.Signals> {
    return this.start({ ...spec, oneShot: true }).exited;
  }

  /**
   * Stops every process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once no process of any group is left,
   * and throws if one survives SIGKILL (which would be a bug worth knowing about).
   */
  async stopAll(graceMs = 5_000): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const entries = [...this.#entries.values()].reverse();
    for (const entry of entries) signalGroup(entry.process.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && entries.some((entry) => groupAlive(entry.process.pid))) await sleep(50);
    for (const entry of entries) {
      if (groupAlive(entry.process.pid)) signalGroup(entry.process.pid, "SIGKILL");
    }
    const killDeadline = Date.now() + 2_000;
    while (Date.now() < killDeadline && entries.some((entry) => groupAlive(entry.process.pid))) await sleep(50);
    const survivors = entries.filter((entry) => groupAlive(entry.process.pid)).map((entry) => entry.process.name);
    for (const entry of entries) {
      entry.child.stdout?.unpipe(entry.log);
      entry.child.stderr?.unpipe(entry.log);
      if (!entry.log.writableEnded) entry.log.end();
    }
    this.#entries.clear();
    if (survivors.length > 0) throw new ProcessError(`processes still running after SIGKILL: ${survivors.join(", ")}`);
  }

  /**
   * Last-resort synchronous cleanup for `process.on("exit")`: SIGKILL every group still alive. Asynchronous
   * `stopAll` is the normal path.
   */
  killAllSync(): void {
    for (const entry of this.#entries.values()) {
      if (groupAlive(entry.process.pid)) signalGroup(entry.process.pid, "SIGKILL");
    }
  }
}

export { ProcessError };
