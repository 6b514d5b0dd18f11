// The devnet's process supervisor and RPC readiness checks (@maskoii/testkit: processes.ts, rpc.ts).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { groupAlive, ProcessError, probeChainId, RpcError, Supervisor, waitForRpc } from "@maskoii/testkit";

describe("Supervisor", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "maskoii-supervisor-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stops a process and the children it spawned (whole process group), logging their output", async () => {
    const supervisor = new Supervisor();
    const logFile = join(dir, "tree.log");
    // A shell that starts a background grandchild and waits: both must go.
    const managed = supervisor.start({
      name: "tree",
      command: "sh",
      args: ["-c", "echo started; sleep 300 & sleep 300"],
      logFile,
    });
    await sleep(300);
    assert.equal(groupAlive(managed.pid), true);
    await supervisor.stopAll(2_000);
    assert.equal(groupAlive(managed.pid), false);
    assert.match(readFileSync(logFile, "utf8"), /started/);
    assert.deepEqual(supervisor.processes(), []);
  });

  it("SIGKILLs a process group that ignores SIGTERM", async () => {
    const supervisor = new Supervisor();
    const managed = supervisor.start({
      name: "stubborn",
      command: "sh",
      args: ["-c", "trap '' TERM; sleep 300 & wait"],
      logFile: join(dir, "stubborn.log"),
    });
    await sleep(300);
    const started = Date.now();
    await supervisor.stopAll(500);
    assert.equal(groupAlive(managed.pid), false);
    assert.ok(Date.now() - started >= 500, "waited for the grace period before SIGKILL");
  });

  it("reports a process that exits on its own, and refuses duplicate names and starts after stopping", async () => {
    const supervisor = new Supervisor();
    const exits: Array<[string, number | NodeJS.Signals]> = [];
    supervisor.onUnexpectedExit((name, code) => exits.push([name, code]));
    const managed = supervisor.start({
      name: "short",
      command: "sh",
      args: ["-c", "exit 3"],
      logFile: join(dir, "s.log"),
    });
    assert.throws(
      () => supervisor.start({ name: "short", command: "true", args: [], logFile: join(dir, "s2.log") }),
      ProcessError,
    );
    assert.equal(await managed.exited, 3);
    await sleep(50);
    assert.deepEqual(exits, [["short", 3]]);
    await supervisor.stopAll(500);
    assert.throws(
      () => supervisor.start({ name: "late", command: "true", args: [], logFile: join(dir, "late.log") }),
      ProcessError,
    );
  });
});

describe("RPC readiness", () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x7a69" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads the chain id, and nothing where nothing listens", async () => {
    assert.equal(await probeChainId(url), 31337);
    assert.equal(await probeChainId("http://127.0.0.1:9"), undefined);
  });

  it("waits for the expected chain id and rejects another one", async () => {
    await waitForRpc(url, 31337, { timeoutMs: 2_000 });
    await assert.rejects(waitForRpc(url, 31338, { timeoutMs: 2_000 }), RpcError);
  });

  it("gives up after the timeout, or as soon as the serving process has exited", async () => {
    await assert.rejects(waitForRpc("http://127.0.0.1:9", 1, { timeoutMs: 300 }), /did not answer within 300 ms/);
    const started = Date.now();
    await assert.rejects(
      waitForRpc("http://127.0.0.1:9", 1, { timeoutMs: 10_000, abort: Promise.resolve() }),
      /exited before its RPC came up/,
    );
    assert.ok(Date.now() - started < 5_000);
  });
});
