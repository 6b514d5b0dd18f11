// The optional `communities` section (the chain whose registries the timelines read): validated like the rest.
import { InvalidConfigError } from "@maskoii/node-kit";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";

const rss = { kind: "rss", name: "feeds", feeds: ["https://blog.example/rss.xml"] };
const communities = {
  rpcUrl: "http://127.0.0.1:8545",
  communityRegistry: `0x${"11".repeat(20)}`,
  identityRegistry: `0x${"22".repeat(20)}`,
};

describe("aggregator config: communities", () => {
  it("is optional, and filled with its cache defaults when given", () => {
    expect(parseConfig({ connectors: [rss] }, "t.json").communities).toBeUndefined();
    expect(parseConfig({ connectors: [rss], communities }, "t.json").communities).toEqual({
      ...communities,
      cacheMs: 10_000,
      timelineCacheMs: 1_000,
    });
  });

  it("names a bad field", () => {
    let error: unknown;
    try {
      parseConfig({ connectors: [rss], communities: { ...communities, identityRegistry: "0x12" } }, "t.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).field).toBe("communities.identityRegistry");
    expect((error as InvalidConfigError).problem).toBe("expected an address");
  });
});
