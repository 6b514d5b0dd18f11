import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidConfigError } from "@maskoii/node-kit";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../src/config.ts";

const rss = { kind: "rss", name: "feeds", feeds: ["https://blog.example/rss.xml"] };

function failure(value: unknown, env: NodeJS.ProcessEnv = {}): InvalidConfigError {
  try {
    parseConfig(value, "test.json", env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("aggregator config", () => {
  it("fills the defaults: embedded PGlite, the operator port, retries", () => {
    const config = parseConfig({ connectors: [rss] }, "test.json", {}, "/srv/node");
    expect(config.store).toEqual({ kind: "pglite", dataDir: "/srv/node/data/aggregator" });
    expect(config.http).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(config.retry.attempts).toBe(4);
    expect(config.connectors[0]).toEqual(rss);
  });

  it("reads the identity section: keystore paths against the config's directory, the set id as a bigint", () => {
    const identity = {
      keystore: "keys/attester.json",
      passwordFile: "keys/password",
      domain: 1001,
      identityRegistry: "0x00000000000000000000000000000000000000aa",
      attesterSetId: "2",
    };
    const config = parseConfig({ connectors: [rss], identity }, "test.json", {}, "/srv/node");
    expect(config.identity).toEqual({
      ...identity,
      keystore: "/srv/node/keys/attester.json",
      passwordFile: "/srv/node/keys/password",
      attesterSetId: 2n,
      scanIntervalMs: 5_000,
    });
    expect(failure({ connectors: [rss], identity: { ...identity, identityRegistry: "0x12" } }).field).toBe(
      "identity.identityRegistry",
    );
    expect(failure({ connectors: [rss], identity: { ...identity, attesterSetId: "one" } }).field).toBe(
      "identity.attesterSetId",
    );
    expect(failure({ connectors: [rss], identity: { ...identity, keystore: undefined } }).field).toBe(
      "identity.keystore",
    );
  });

  it("names the field and the problem of a bad config", () => {
    expect(failure({ connectors: [] }).message).toBe("test.json: connectors: configure at least one connector");
    const badUrl = failure({
      connectors: [rss, { kind: "mastodon", name: "m", instanceUrl: "nope", hashtags: ["x"] }],
    });
    expect(badUrl.field).toBe("connectors.1.instanceUrl");
    expect(badUrl.problem).toBe("expected a URL");
    const kind = failure({ connectors: [{ kind: "myspace", name: "x" }] });
    expect(kind.field).toBe("connectors.0.kind");
    expect(failure({ connectors: [rss, rss] }).message).toMatch(
      /connectors\.1\.name: connector name feeds is used twice/,
    );
    const signer = failure({
      connectors: [
        { kind: "farcaster", name: "fc", hubUrl: "http://127.0.0.1:2281", fids: [3], signers: { "3": ["0x12"] } },
      ],
    });
    expect(signer.field).toBe("connectors.0.signers.3.0");
    expect(failure({ connectors: [rss], extra: 1 }).problem).toMatch(/extra/);
  });

  it("takes MASKOII_AGGREGATOR_* overrides (PostgreSQL for production) and reads a JSON file", async () => {
    const env = {
      MASKOII_AGGREGATOR_STORE: JSON.stringify({ kind: "postgres", url: "postgres://u@db/agg" }),
      MASKOII_AGGREGATOR_HTTP__PORT: "9999",
    };
    const config = parseConfig({ connectors: [rss] }, "test.json", env);
    expect(config.store).toEqual({ kind: "postgres", url: "postgres://u@db/agg" });
    expect(config.http.port).toBe(9999);
    expect(failure({ connectors: [rss] }, { MASKOII_AGGREGATOR_STORE__KIND: "mysql" }).field).toBe("store.kind");

    const dir = mkdtempSync(join(tmpdir(), "agg-config-"));
    writeFileSync(
      join(dir, "aggregator.json"),
      JSON.stringify({ store: { kind: "sqlite", path: "store.sqlite" }, connectors: [rss] }),
    );
    expect((await loadConfig(join(dir, "aggregator.json"), {})).store).toEqual({
      kind: "sqlite",
      path: join(dir, "store.sqlite"),
    });
  });

  it("configures a Bluesky firehose connector with its defaults, and refuses author feeds without an AppView", () => {
    const config = parseConfig({ connectors: [{ kind: "bluesky", name: "bsky" }] }, "test.json");
    expect(config.connectors[0]).toEqual({
      kind: "bluesky",
      name: "bsky",
      firehoseUrl: "wss://bsky.network",
      plcUrl: "https://plc.directory",
      localIdentity: false,
      dids: [],
      collections: ["app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost"],
      pageSize: 500,
      authorFeeds: [],
    });
    expect(failure({ connectors: [{ kind: "bluesky", name: "bsky", authorFeeds: ["bsky.app"] }] }).field).toBe(
      "connectors.0.appviewUrl",
    );
    expect(failure({ connectors: [{ kind: "bluesky", name: "bsky", dids: ["alice"] }] }).field).toBe(
      "connectors.0.dids.0",
    );
  });
});
