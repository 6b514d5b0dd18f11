// Nothing lost, nothing doubled: a node (its own process, on the default embedded PGlite store) is killed with
// SIGKILL in the middle of an ingest, restarted on the same store, and must end with exactly the upstream's items.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, until } from "@maskoii/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusSchema } from "../src/status.ts";
import { AggregatorStore } from "../src/store.ts";
import { type MastodonServer, makeStatus, startMastodon } from "./fixtures/mastodon-server.ts";

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const TOTAL = 300;

describe("SIGKILL mid-ingest", () => {
  let server: MastodonServer;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startMastodon();
    server.tags.set(
      "maskoii",
      Array.from({ length: TOTAL }, (_, i) => makeStatus("social.example", 1_000 + i, `user${i % 5}`, `post ${i}`)),
    );
    // 30 pages of 10, each held 80 ms: the ingest takes a few seconds, long enough to be killed in the middle.
    server.pace.delayMs = 80;
    dir = mkdtempSync(join(tmpdir(), "agg-sigkill-"));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(): ChildProcess {
    const child = spawn(process.execPath, [CLI, "run", "--config", join(dir, "aggregator.json")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.push(child);
    return child;
  }

  async function status(port: number) {
    const response = await fetch(`http://127.0.0.1:${port}/status`);
    return statusSchema.parse(await response.json()).connectors[0]?.streams[0];
  }

  it("restarts from the last committed page and ends with every item exactly once", async () => {
    const port = await freePort();
    writeFileSync(
      join(dir, "aggregator.json"),
      JSON.stringify({
        store: { kind: "pglite", dataDir: "db" },
        log: { level: "warn" },
        http: { port },
        pollIntervalMs: 200,
        maxPagesPerTick: 1_000,
        connectors: [{ kind: "mastodon", name: "masto", instanceUrl: server.url, hashtags: ["maskoii"], limit: 10 }],
      }),
    );
    const first = run();
    const exited = new Promise((resolve) => first.once("exit", resolve));
    // Kill once some pages are committed and most are not.
    const before = await until(
      "the first pages to be committed",
      async () => {
        const s = await status(port);
        return s !== undefined && s.items >= 30 ? s.items : undefined;
      },
      { timeoutMs: 60_000, everyMs: 20 },
    );
    first.kill("SIGKILL");
    await exited;
    expect(before).toBeLessThan(TOTAL);

    const second = run();
    const done = await until(
      "the restarted node to catch up",
      async () => {
        const s = await status(port);
        return s !== undefined && s.items >= TOTAL && s.lagSeconds !== null ? s : undefined;
      },
      { timeoutMs: 90_000, everyMs: 50 },
    );
    expect(done.items).toBe(TOTAL);
    expect(done.cursor).toEqual({ minId: String(1_000 + TOTAL - 1) });
    const stopped = new Promise((resolve) => second.once("exit", resolve));
    second.kill("SIGTERM");
    expect(await stopped).toBe(0);

    const store = await AggregatorStore.open({ kind: "pglite", dataDir: join(dir, "db") });
    try {
      const ids = await store.itemIds();
      expect(ids.length).toBe(TOTAL);
      expect(new Set(ids).size).toBe(TOTAL);
      const expected = Array.from(
        { length: TOTAL },
        (_, i) => `mastodon:https://social.example/users/user${i % 5}/statuses/${1_000 + i}`,
      );
      expect(ids).toEqual([...expected].sort());
      const memberships = await store.db.query<{ n: unknown }>("SELECT count(*) AS n FROM agg_item_streams");
      expect(Number(memberships[0]?.n)).toBe(TOTAL);
    } finally {
      await store.close();
    }
  }, 180_000);
});
