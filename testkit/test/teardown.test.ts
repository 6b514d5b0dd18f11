// Supervisor teardown leaves nothing running: every child (and the children it spawned in its process group) is gone
// after stopAll, including one that ignores SIGTERM.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Supervisor, until } from "../src/index.ts";

/** Whether a process with this pid exists (signal 0 probes without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

describe("Supervisor teardown", () => {
  let dir = "";
  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("stopAll leaves no child and no grandchild running", async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-testkit-teardown-"));
    const supervisor = new Supervisor();
    const pids: number[] = [];
    // A shell that starts a grandchild and prints its pid, a process that ignores SIGTERM, and a plain sleeper.
    let grandchild = 0;
    const shell = supervisor.start({
      name: "shell",
      command: "sh",
      args: ["-c", "sleep 300 & echo $!; wait"],
      logFile: join(dir, "shell.log"),
      onStdoutLine: (line) => {
        grandchild = Number(line.trim());
      },
    });
    const stubborn = supervisor.start({
      name: "stubborn",
      command: process.execPath,
      args: ["-e", "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);"],
      logFile: join(dir, "stubborn.log"),
    });
    const sleeper = supervisor.start({ name: "sleeper", command: "sleep", args: ["300"], logFile: join(dir, "s.log") });
    pids.push(shell.pid, stubborn.pid, sleeper.pid);
    await until("the shell's grandchild pid", () => (grandchild > 0 ? grandchild : undefined), { timeoutMs: 5_000 });
    pids.push(grandchild);
    for (const pid of pids) expect(alive(pid), `pid ${pid} runs before teardown`).toBe(true);

    await supervisor.stopAll(500);

    for (const pid of pids) expect(alive(pid), `pid ${pid} is gone after teardown`).toBe(false);
    expect(supervisor.processes()).toEqual([]);
  });
});
