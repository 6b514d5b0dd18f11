// The devnet supervisor's restarts (processes.ts, used by `npm start` for the attester and relayer nodes):
// a node process killed from outside is started again after its backoff and reported, not the end of the devnet; one
// that keeps dying is restarted with growing delays and given up (reported as an unexpected exit) after maxRestarts;
// stopAll cancels a pending restart and leaves nothing running.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupAlive, NODE_RESTART, type RestartEvent, Supervisor, until } from "../src/index.ts";

describe("Supervisor restarts", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "maskoii-restart-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a killed node is restarted after its backoff and reported; the others keep running", async () => {
    const supervisor = new Supervisor();
    const restarts: RestartEvent[] = [];
    const exits: string[] = [];
    supervisor.onRestart((e) => restarts.push(e));
    supervisor.onUnexpectedExit((name) => exits.push(name));
    const logFile = join(dir, "node.log");
    try {
      const first = supervisor.start({
        name: "attester1",
        command: "sh",
        args: ["-c", "echo up $$; sleep 300"],
        logFile,
        restart: { baseMs: 200, maxMs: 1_000 },
      });
      const other = supervisor.start({ name: "relayer", command: "sleep", args: ["300"], logFile: join(dir, "r.log") });
      await until("first start logged", async () => (readFileSync(logFile, "utf8").includes("up") ? true : undefined), {
        timeoutMs: 5_000,
      });
      const killedAt = Date.now();
      process.kill(-first.pid, "SIGKILL");
      const second = await until(
        "restarted",
        async () => supervisor.processes().find((p) => p.name === "attester1" && p.pid !== first.pid),
        { timeoutMs: 10_000 },
      );
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(200);
      expect(restarts).toEqual([{ name: "attester1", code: "SIGKILL", pid: first.pid, restarts: 1, delayMs: 200 }]);
      expect(exits).toEqual([]);
      expect(groupAlive(second.pid)).toBe(true);
      expect(groupAlive(other.pid)).toBe(true);
      await until(
        "second start logged",
        async () => (readFileSync(logFile, "utf8").match(/up \d+/g)?.length === 2 ? true : undefined),
        { timeoutMs: 5_000 },
      );
      // Killed again at once: a quick death in a row, so the delay doubles.
      process.kill(-second.pid, "SIGKILL");
      await until(
        "restarted again",
        async () =>
          supervisor.processes().find((p) => p.name === "attester1" && p.pid !== second.pid && p.pid !== first.pid),
        { timeoutMs: 10_000 },
      );
      expect(restarts.map((r) => [r.restarts, r.delayMs])).toEqual([
        [1, 200],
        [2, 400],
      ]);
    } finally {
      await supervisor.stopAll(1_000);
    }
    expect(supervisor.processes()).toEqual([]);
  }, 30_000);

  it("a node that keeps dying is restarted with growing delays, then given up and reported as an unexpected exit", async () => {
    const supervisor = new Supervisor();
    const restarts: RestartEvent[] = [];
    const exits: [string, number | NodeJS.Signals][] = [];
    supervisor.onRestart((e) => restarts.push(e));
    supervisor.onUnexpectedExit((name, code) => exits.push([name, code]));
    try {
      supervisor.start({
        name: "crashy",
        command: "sh",
        args: ["-c", "exit 3"],
        logFile: join(dir, "crashy.log"),
        restart: { baseMs: 50, maxMs: 150, maxRestarts: 3 },
      });
      await until("given up", async () => (exits.length > 0 ? true : undefined), { timeoutMs: 10_000 });
      expect(restarts.map((r) => [r.code, r.restarts, r.delayMs])).toEqual([
        [3, 1, 50],
        [3, 2, 100],
        [3, 3, 150],
      ]);
      expect(exits).toEqual([["crashy", 3]]);
    } finally {
      await supervisor.stopAll(1_000);
    }
  }, 30_000);

  it("stopAll cancels a pending restart; the devnet's node policy restarts after half a second", async () => {
    expect(NODE_RESTART.baseMs).toBe(500);
    const supervisor = new Supervisor();
    const restarts: RestartEvent[] = [];
    supervisor.onRestart((e) => restarts.push(e));
    const managed = supervisor.start({
      name: "node",
      command: "sh",
      args: ["-c", "sleep 300"],
      logFile: join(dir, "pending.log"),
      restart: NODE_RESTART,
    });
    await sleep(200);
    process.kill(-managed.pid, "SIGKILL");
    await until("death reported", async () => (restarts.length === 1 ? true : undefined), { timeoutMs: 5_000 });
    await supervisor.stopAll(1_000);
    await sleep(NODE_RESTART.baseMs + 300);
    expect(supervisor.processes()).toEqual([]);
  }, 30_000);
});
