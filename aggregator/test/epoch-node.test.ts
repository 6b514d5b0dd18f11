// The optional `reports` config section: validated naming the bad field, and a node started with it serves the report
// and payout routes (a node without it does not).
import { silentLogger } from "@maskoii/node-kit";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { type AggregatorNode, startAggregator } from "../src/node.ts";

const reports = {
  chainId: 31337,
  domain: 1001,
  epochReports: `0x${"e9".repeat(20)}`,
  communityRegistry: `0x${"c0".repeat(20)}`,
  attesterSetId: 1,
  payoutSaltSecret: `0x${"11".repeat(32)}`,
};
const base = {
  store: { kind: "sqlite", path: ":memory:" },
  log: { level: "silent" },
  http: { port: 0 },
  connectors: [{ kind: "rss", name: "feeds", feeds: ["http://127.0.0.1:9/rss.xml"] }],
};

describe("the reports config section", () => {
  const nodes: AggregatorNode[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.stop();
  });

  it("names a bad field", () => {
    expect(() => parseConfig({ ...base, reports: { ...reports, payoutSaltSecret: "0x12" } }, "test.json")).toThrow(
      /reports\.payoutSaltSecret/,
    );
    expect(() => parseConfig({ ...base, reports: { ...reports, extra: 1 } }, "test.json")).toThrow(/reports/);
    expect(parseConfig({ ...base, reports }, "test.json").reports?.attesterSetId).toBe(1n);
  });

  it("serves /reports and /payouts only when configured", async () => {
    const on = await startAggregator(parseConfig({ ...base, reports }, "test.json"), { log: silentLogger() });
    nodes.push(on);
    const off = await startAggregator(parseConfig(base, "test.json"), { log: silentLogger() });
    nodes.push(off);
    const pending = await fetch(`${on.server.url}/reports/pending`);
    expect(pending.status).toBe(200);
    expect(await pending.json()).toEqual({ reports: [] });
    expect(
      (await fetch(`${on.server.url}/payouts/${reports.communityRegistry}?token=${reports.epochReports}`)).status,
    ).toBe(400);
    expect((await fetch(`${off.server.url}/reports/pending`)).status).toBe(404);
  });
});
