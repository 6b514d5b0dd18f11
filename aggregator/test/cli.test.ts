import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@maskoii/node-kit";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { startAggregator } from "../src/node.ts";
import { rssDoc, startFeeds } from "./fixtures/feed-server.ts";

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 30_000 });

describe("maskoii-aggregator CLI", () => {
  it("check names the bad field of a config and exits 1; a good one passes", () => {
    const dir = mkdtempSync(join(tmpdir(), "agg-cli-"));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ connectors: [{ kind: "rss", name: "Feeds!", feeds: [] }] }));
    const bad = cli("check", "--config", join(dir, "bad.json"));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/InvalidConfig: .*bad\.json: connectors\.0\.name: expected a lowercase name/);
    writeFileSync(
      join(dir, "good.json"),
      JSON.stringify({ connectors: [{ kind: "rss", name: "feeds", feeds: ["https://blog.example/rss"] }] }),
    );
    const good = cli("check", "--config", join(dir, "good.json"));
    expect(good.stdout).toBe("config ok: 1 connector(s), store pglite\n");
    expect(cli("status").stderr).toMatch(/--url or --config is required/);
  });

  it("status prints each connector's cursor and lag from a running node", async () => {
    const feeds = await startFeeds();
    feeds.feeds.set("/rss.xml", {
      contentType: "application/rss+xml",
      body: rssDoc([{ guid: "a", title: "t" }]),
      modified: new Date(),
    });
    const node = await startAggregator(
      parseConfig(
        {
          store: { kind: "sqlite", path: ":memory:" },
          http: { port: 0 },
          pollIntervalMs: 100,
          connectors: [{ kind: "rss", name: "feeds", feeds: [`${feeds.url}/rss.xml`] }],
        },
        "test",
      ),
      { log: silentLogger() },
    );
    try {
      for (let i = 0; i < 100 && (await node.store.itemIds()).length === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      // Asynchronously: the node answering /status runs in this process.
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [CLI, "status", "--url", node.server.url], (error, stdout) =>
          error === null ? resolve(stdout) : reject(error),
        ),
      );
      const [header, row] = out.trim().split("\n");
      expect(header).toMatch(/^connector\s+network\s+stream\s+items\s+rejects\s+lag\s+cursor\s+last error$/);
      expect(row).toMatch(/^feeds\s+rss\s+http:\/\/127\.0\.0\.1:\d+\/rss\.xml\s+1\s+0\s+\d+\.\d s\s+\{"etag":/);
    } finally {
      await node.stop();
      await feeds.close();
    }
  });
});
