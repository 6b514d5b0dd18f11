// The `engagement` config section: paths against the config's directory, defaults, and refusals naming the field.
import { InvalidConfigError } from "@maskoii/node-kit";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";

const rss = { kind: "rss", name: "feeds", feeds: ["https://blog.example/rss.xml"] };
const communities = {
  rpcUrl: "http://127.0.0.1:8545",
  communityRegistry: "0x00000000000000000000000000000000000000aa",
  identityRegistry: "0x00000000000000000000000000000000000000bb",
};
const engagement = {
  nodes: [{ koiiPublicKey: "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T", url: "https://node-a.example" }],
  keystore: "keys/koii.json",
  nodeSecretFile: "keys/node-secret",
};

function field(value: unknown): string {
  try {
    parseConfig(value, "test.json", {}, "/srv/node");
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.field;
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("engagement config", () => {
  it("resolves the key and secret paths and fills the grace and the rate limit", () => {
    const config = parseConfig({ connectors: [rss], communities, engagement }, "test.json", {}, "/srv/node");
    expect(config.engagement).toEqual({
      ...engagement,
      keystore: "/srv/node/keys/koii.json",
      nodeSecretFile: "/srv/node/keys/node-secret",
      closeGraceMs: 120_000,
      rateLimit: { perSecond: 2, burst: 60 },
    });
  });

  it("refuses a section without the chain, no nodes, a short grace and a bad node URL", () => {
    expect(field({ connectors: [rss], engagement })).toBe("engagement");
    expect(field({ connectors: [rss], communities, engagement: { ...engagement, nodes: [] } })).toBe(
      "engagement.nodes",
    );
    expect(field({ connectors: [rss], communities, engagement: { ...engagement, closeGraceMs: 1_000 } })).toBe(
      "engagement.closeGraceMs",
    );
    const badUrl = { ...engagement, nodes: [{ ...engagement.nodes[0], url: "ftp://x" }] };
    expect(field({ connectors: [rss], communities, engagement: badUrl })).toBe("engagement.nodes.0.url");
  });
});
