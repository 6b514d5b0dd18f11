import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyEnvOverrides, loadConfig, parseConfig } from "../src/config.ts";
import { ConfigReadFailedError, InvalidConfigError } from "../src/errors.ts";

const GATEWAY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const valid = () => ({
  chains: [
    { domain: 1001, rpcUrl: "http://127.0.0.1:8545", gateway: GATEWAY, finality: { kind: "confirmations", depth: 1 } },
    { domain: 1002, rpcUrl: "http://127.0.0.1:8546", gateway: GATEWAY, finality: { kind: "finalized" } },
  ],
  keys: { keystore: "attester.json", passwordFile: "pw" },
  attester: { listen: { port: 7301 } },
});

function fails(value: unknown, env: NodeJS.ProcessEnv = {}): InvalidConfigError {
  try {
    parseConfig(value, "test.json", env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return error as InvalidConfigError;
  }
  throw new Error("expected InvalidConfigError");
}

describe("config", () => {
  it("relayer.reports: defaults, env overrides and named errors", () => {
    const relayer = { attesters: ["http://127.0.0.1:7301"] };
    const reports = { nodes: ["http://127.0.0.1:7400"], domain: 1001 };
    const config = parseConfig({ ...valid(), relayer: { ...relayer, reports } });
    expect(config.relayer?.reports).toEqual({
      ...reports,
      pollIntervalMs: 5_000,
      requestTimeoutMs: 5_000,
      finalize: true,
      solanaPayouts: true,
      maxReportsPerNode: 256,
      maxBodyBytes: 4 * 1024 * 1024,
      maxBackoffMs: 600_000,
    });
    expect(parseConfig({ ...valid(), relayer }).relayer?.reports).toBeUndefined();
    const env = { MASKOII_RELAYER__REPORTS__POLL_INTERVAL_MS: "250" };
    expect(
      parseConfig({ ...valid(), relayer: { ...relayer, reports } }, "t", env).relayer?.reports?.pollIntervalMs,
    ).toBe(250);
    const url = fails({ ...valid(), relayer: { ...relayer, reports: { ...reports, nodes: ["not a url"] } } });
    expect(url.field).toBe("relayer.reports.nodes.0");
    const none = fails({ ...valid(), relayer: { ...relayer, reports: { ...reports, nodes: [] } } });
    expect(none.field).toBe("relayer.reports.nodes");
    const domain = fails({ ...valid(), relayer: { ...relayer, reports: { ...reports, domain: 1003 } } });
    expect(domain.field).toBe("relayer.reports.domain");
    expect(domain.problem).toContain("not an EVM chain of chains");
    const payouts = fails({ ...valid(), relayer: { ...relayer, reports: { ...reports, finalize: false } } });
    expect(payouts.field).toBe("relayer.reports.solanaPayouts");
    const address = fails({ ...valid(), relayer: { ...relayer, reports: { ...reports, epochReports: "0x12" } } });
    expect(address.field).toBe("relayer.reports.epochReports");
    const unknown = fails({ ...valid(), relayer: { ...relayer, reports: { ...reports, nodeUrls: [] } } });
    expect(unknown.field).toBe("relayer.reports");
  });

  it("accepts a valid config and fills defaults", () => {
    const config = parseConfig(valid());
    expect(config.profile).toBe("production");
    expect(config.chains[1]).toMatchObject({ family: "evm", finality: { kind: "finalized" } });
    expect(config.store).toEqual({ kind: "sqlite", path: "./.maskoii/store.sqlite" });
    expect(config.attester?.listen).toEqual({ host: "127.0.0.1", port: 7301 });
    expect(config.log.level).toBe("info");
  });

  it("relayer fees and claims: defaults, and named errors for a bump below 10%, bad timeouts and a short lease", () => {
    const relayer = { attesters: ["http://127.0.0.1:7301"] };
    const config = parseConfig({ ...valid(), relayer });
    expect(config.relayer?.fees).toEqual({
      maxFeePerGasGwei: 500,
      bumpAfterMs: 30_000,
      bumpPercent: 20,
      receiptTimeoutMs: 180_000,
    });
    expect(config.relayer?.leaseMs).toBe(600_000);
    expect(config.relayer?.claimLimit).toBe(200);
    expect(config.relayer?.instanceId).toBeUndefined();
    // Batching: four full batches per claim when that is more than 200; an explicit claimLimit is kept.
    expect(parseConfig({ ...valid(), relayer: { ...relayer, maxBatchSize: 128 } }).relayer?.claimLimit).toBe(512);
    expect(parseConfig({ ...valid(), relayer: { ...relayer, maxBatchSize: 32 } }).relayer?.claimLimit).toBe(200);
    expect(
      parseConfig({ ...valid(), relayer: { ...relayer, maxBatchSize: 128, claimLimit: 7 } }).relayer?.claimLimit,
    ).toBe(7);

    const low = fails({ ...valid(), relayer: { ...relayer, fees: { bumpPercent: 5 } } });
    expect(low.field).toBe("relayer.fees.bumpPercent");
    expect(low.problem).toContain("at least 10");
    const never = fails({
      ...valid(),
      relayer: { ...relayer, fees: { bumpAfterMs: 60_000, receiptTimeoutMs: 30_000 } },
    });
    expect(never.field).toBe("relayer.fees.receiptTimeoutMs");
    const cap = fails({ ...valid(), relayer: { ...relayer, fees: { maxFeePerGasGwei: 0 } } });
    expect(cap.field).toBe("relayer.fees.maxFeePerGasGwei");
    const lease = fails({ ...valid(), relayer: { ...relayer, leaseMs: 60_000 } });
    expect(lease.field).toBe("relayer.leaseMs");
    expect(lease.problem).toContain("receiptTimeoutMs");
    // Env overrides reach the new fields.
    const env = parseConfig({ ...valid(), relayer }, "test.json", { MASKOII_RELAYER__FEES__BUMP_PERCENT: "35" });
    expect(env.relayer?.fees.bumpPercent).toBe(35);
  });

  it("relayer.releaseQueued: off by default (an existing config is unchanged), named errors for bad values", () => {
    const relayer = { attesters: ["http://127.0.0.1:7301"] };
    expect(parseConfig({ ...valid(), relayer }).relayer?.releaseQueued).toEqual({
      enabled: false,
      maxPerTick: 10,
      intervalMs: 5_000,
      maxBackoffMs: 600_000,
    });
    const on = parseConfig({ ...valid(), relayer: { ...relayer, releaseQueued: { enabled: true } } });
    expect(on.relayer?.releaseQueued).toMatchObject({ enabled: true, maxPerTick: 10 });
    const zero = fails({ ...valid(), relayer: { ...relayer, releaseQueued: { enabled: true, maxPerTick: 0 } } });
    expect(zero.field).toBe("relayer.releaseQueued.maxPerTick");
    const word = fails({ ...valid(), relayer: { ...relayer, releaseQueued: { enabled: "yes" } } });
    expect(word.field).toBe("relayer.releaseQueued.enabled");
    const unknown = fails({ ...valid(), relayer: { ...relayer, releaseQueued: { enabled: true, maxPerBlock: 1 } } });
    expect(unknown.field).toBe("relayer.releaseQueued");
    expect(unknown.problem).toContain("maxPerBlock");
    const env = parseConfig({ ...valid(), relayer }, "test.json", {
      MASKOII_RELAYER__RELEASE_QUEUED__ENABLED: "true",
      MASKOII_RELAYER__RELEASE_QUEUED__MAX_PER_TICK: "3",
    });
    expect(env.relayer?.releaseQueued).toMatchObject({ enabled: true, maxPerTick: 3 });
  });

  it("names the field and the problem: bad URL", () => {
    const c = valid();
    c.chains[0]!.rpcUrl = "not a url";
    const error = fails(c);
    expect(error.field).toBe("chains.0.rpcUrl");
    expect(error.message).toContain("test.json: chains.0.rpcUrl: expected an http(s) URL");
  });

  it("names the field and the problem: unknown domain, duplicate domain, unchecksummed gateway", () => {
    const c = valid();
    c.chains[0]!.domain = 4242;
    expect(fails(c).field).toBe("chains.0.domain");
    const d = valid();
    d.chains[1]!.domain = 1001;
    const dup = fails(d);
    expect(dup.field).toBe("chains.1.domain");
    expect(dup.problem).toContain("listed twice");
    const e = valid();
    e.chains[0]!.gateway = GATEWAY.toLowerCase();
    expect(fails(e).problem).toContain("checksummed");
  });

  it("rejects unknown fields, missing keys and a bad finality", () => {
    expect(fails({ ...valid(), extra: 1 }).problem).toMatch(/unrecognized key/i);
    const { keys: _keys, ...noKeys } = valid();
    expect(fails(noKeys).field).toBe("keys");
    const c = valid();
    (c.chains[0] as { finality: unknown }).finality = { kind: "confirmations", depth: -1 };
    expect(fails(c).field).toBe("chains.0.finality.depth");
  });

  it("finality is explicit per chain; depth 0 and Solana confirmed only with the dev profile, naming the field", async () => {
    const missing = valid();
    delete (missing.chains[1] as { finality?: unknown }).finality;
    expect(fails(missing).field).toBe("chains.1.finality");
    const zero = valid();
    zero.chains[0]!.finality = { kind: "confirmations", depth: 0 };
    const refused = fails(zero);
    expect(refused.code).toBe("InvalidConfig");
    expect(refused.field).toBe("chains.0.finality.depth");
    expect(refused.problem).toMatch(/reorg.*finalized.*depth >= 1.*--dev/);
    // The dev profile accepts it: in the file, through the environment, or the CLI's --dev (loadConfig's option).
    expect(parseConfig({ ...zero, profile: "dev" }).chains[0]).toMatchObject({ finality: { depth: 0 } });
    expect(parseConfig(zero, "test.json", { MASKOII_PROFILE: "dev" }).profile).toBe("dev");
    const d = await dir;
    await writeFile(join(d, "zero.json"), JSON.stringify(zero));
    await expect(loadConfig(join(d, "zero.json"), {})).rejects.toMatchObject({ field: "chains.0.finality.depth" });
    expect((await loadConfig(join(d, "zero.json"), {}, { profile: "dev" })).profile).toBe("dev");
    expect(fails({ ...zero, profile: "staging" }).field).toBe("profile");

    const solana = (commitment?: string) => ({
      ...valid(),
      chains: [
        valid().chains[0],
        { family: "solana", domain: 1003, rpcUrl: "http://127.0.0.1:8899", ...(commitment ? { commitment } : {}) },
      ],
    });
    expect(fails(solana()).field).toBe("chains.1.commitment");
    const confirmed = fails(solana("confirmed"));
    expect(confirmed.field).toBe("chains.1.commitment");
    expect(confirmed.problem).toMatch(/rolled back.*finalized.*dev/);
    expect(parseConfig({ ...solana("confirmed"), profile: "dev" }).chains[1]).toMatchObject({
      commitment: "confirmed",
    });
    expect(parseConfig(solana("finalized")).chains[1]).toMatchObject({ commitment: "finalized" });
  });

  it("rpcs and rpcQuorum: a majority by default, a quorum of at most the providers and more than half", () => {
    const c = valid();
    Object.assign(c.chains[0]!, { rpcs: ["http://127.0.0.1:9001", "http://127.0.0.1:9002"] });
    expect(parseConfig(c).chains[0]).toMatchObject({ rpcs: ["http://127.0.0.1:9001", "http://127.0.0.1:9002"] });
    Object.assign(c.chains[0]!, { rpcQuorum: 4 });
    expect(fails(c).field).toBe("chains.0.rpcQuorum");
    Object.assign(c.chains[0]!, { rpcQuorum: 1 });
    expect(fails(c).problem).toMatch(/more than half/);
    Object.assign(c.chains[0]!, { rpcQuorum: 3, rpcs: ["not a url"] });
    expect(fails(c).field).toBe("chains.0.rpcs.0");
  });

  it("attester limits and relayer authentication: defaults and named errors", () => {
    const config = parseConfig(valid());
    expect(config.attester?.limits).toMatchObject({ maxBodyBytes: 65_536, maxBatchIds: 256, maxBulkIds: 512 });
    expect(config.attester?.auth).toBeUndefined();
    const bad = fails({ ...valid(), attester: { limits: { signing: { perSecond: 0, burst: 1 } } } });
    expect(bad.field).toBe("attester.limits.signing.perSecond");
    const key = "11111111111111111111111111111112";
    expect(parseConfig({ ...valid(), attester: { auth: { relayers: [key] } } }).attester?.auth).toEqual({
      relayers: [key],
      maxSkewMs: 30_000,
    });
    expect(fails({ ...valid(), attester: { auth: { relayers: ["nope"] } } }).field).toBe("attester.auth.relayers.0");
  });

  it("requires gateway or deploymentFile", () => {
    const c = valid();
    delete (c.chains[0] as { gateway?: string }).gateway;
    expect(fails(c).field).toBe("chains.0.gateway");
  });

  it("applies MASKOII_* env overrides, parsed as JSON when they are JSON", () => {
    const env = {
      MASKOII_LOG__LEVEL: "debug",
      MASKOII_CHAINS__1__RPC_URL: "http://127.0.0.1:9999",
      MASKOII_ATTESTER__LISTEN__PORT: "7400",
      MASKOII_KEYSTORE_PASSWORD: "never-a-config-field",
    };
    const config = parseConfig(valid(), "test.json", env);
    expect(config.log.level).toBe("debug");
    expect(config.chains[1]?.rpcUrl).toBe("http://127.0.0.1:9999");
    expect(config.attester?.listen.port).toBe(7400);
    expect(JSON.stringify(config)).not.toContain("never-a-config-field");
  });

  it("reports a bad env override against the field it sets", () => {
    const error = fails(valid(), { MASKOII_ATTESTER__LISTEN__PORT: "99999" });
    expect(error.field).toBe("attester.listen.port");
  });

  it("does not mutate the input when overriding", () => {
    const input = valid();
    applyEnvOverrides(input, { MASKOII_LOG__LEVEL: "warn" });
    expect(input).not.toHaveProperty("log");
  });

  const dir = mkdtemp(join(tmpdir(), "maskoii-config-"));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it("loadConfig: unreadable or non-JSON file is ConfigReadFailedError; paths resolve against the file", async () => {
    const d = await dir;
    await expect(loadConfig(join(d, "missing.json"), {})).rejects.toBeInstanceOf(ConfigReadFailedError);
    await writeFile(join(d, "bad.json"), "{ not json");
    await expect(loadConfig(join(d, "bad.json"), {})).rejects.toBeInstanceOf(ConfigReadFailedError);
    await writeFile(join(d, "ok.json"), JSON.stringify(valid()));
    const config = await loadConfig(join(d, "ok.json"), {});
    expect(config.keys.keystore).toBe(join(d, "attester.json"));
    expect(config.chains[0]?.startBlock).toBe(0);
    expect(config.store).toEqual({ kind: "sqlite", path: join(d, ".maskoii/store.sqlite") });
    // Both embedded stores resolve against the file; in-memory ones stay as they are.
    for (const [store, resolved] of [
      [
        { kind: "pglite", dataDir: "db" },
        { kind: "pglite", dataDir: join(d, "db") },
      ],
      [
        { kind: "sqlite", path: "s.sqlite" },
        { kind: "sqlite", path: join(d, "s.sqlite") },
      ],
      [
        { kind: "sqlite", path: ":memory:" },
        { kind: "sqlite", path: ":memory:" },
      ],
    ]) {
      await writeFile(join(d, "store.json"), JSON.stringify({ ...valid(), store }));
      expect((await loadConfig(join(d, "store.json"), {})).store).toEqual(resolved);
    }
  });
});
