// The epoch loop's config (reports.loop, reports.koii): the shipped example parses, the loop's ids become bigints, and
// a loop without what it needs (engagement, identity, a CampaignLedger) or with a bad field is refused by name.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";

const example = async (): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(new URL("../aggregator.reports.example.json", import.meta.url), "utf8"));

describe("the epoch loop's config", () => {
  it("parses the shipped example", async () => {
    const config = parseConfig(await example(), "example", {}, "/srv/node");
    expect(config.reports?.loop).toEqual({
      communities: [1n],
      pollIntervalMs: 5_000,
      peerAttempts: 12,
      lookbackEpochs: 4,
    });
    expect(config.reports?.koii?.nodes.map((n) => n.stake)).toEqual([1000n, 1000n, 1000n]);
    expect(config.reports?.koii?.quorumBps).toBe(6_667);
  });

  it("refuses a loop without engagement and identity, naming what is missing", async () => {
    const { engagement: _e, identity: _i, ...rest } = await example();
    expect(() => parseConfig(rest, "example")).toThrow(/reports\.loop.*engagement, identity/s);
  });

  it("names a bad loop field", async () => {
    const value = await example();
    const reports = value.reports as Record<string, unknown>;
    reports.loop = { communities: ["0"] };
    expect(() => parseConfig(value, "example")).toThrow(/reports\.loop\.communities/);
    reports.loop = { communities: [1], peerAttempts: 0 };
    expect(() => parseConfig(value, "example")).toThrow(/reports\.loop\.peerAttempts/);
  });
});
