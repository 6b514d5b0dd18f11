// The `koii` config section (zod, optional) and its wiring into `startAttester` (what `maskoii attester` runs): the
// task's routes are served, its loop submits on the real clock, and bad settings name their field.
import { setTimeout as sleep } from "node:timers/promises";
import { generatePrivateKey, koiiPublicKeyOf, silentLogger, type UnlockedKey } from "@maskoii/node-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAttester } from "../src/attester/run.ts";
import { parseConfig, type ResolvedConfig } from "../src/config.ts";
import { InvalidConfigError } from "../src/errors.ts";
import { members } from "./helpers.ts";
import { startTestChain, type TestChain } from "./koii-chain.ts";

const GATEWAY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const base = () => ({
  chains: [{ domain: 1001, rpcUrl: "http://127.0.0.1:8545", gateway: GATEWAY, finality: { kind: "finalized" } }],
  keys: { keystore: "attester.json" },
});
const koii = (over: Record<string, unknown> = {}) => ({
  taskId: "t",
  genesisMs: 0,
  roundMs: 1_000,
  submissionMs: 300,
  auditMs: 300,
  nodes: [{ koiiPublicKey: "11111111111111111111111111111111", stake: "1000000000000000000000" }],
  rewardPerRound: 10,
  ...over,
});

function fieldOf(value: unknown): string {
  try {
    parseConfig(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as InvalidConfigError).field;
  }
  throw new Error("expected InvalidConfigError");
}

describe("koii config", () => {
  it("is optional, and parses stakes and pools as bigints with defaults", () => {
    expect(parseConfig(base()).koii).toBeUndefined();
    const k = parseConfig({ ...base(), koii: koii() }).koii;
    expect(k?.nodes[0]?.stake).toBe(10n ** 21n);
    expect(k?.rewardPerRound).toBe(10n);
    expect(k).toMatchObject({
      quorumBps: 6_667,
      slashBps: 1_000,
      equivocationSlashBps: 10_000,
      reportEquivocationOn: [],
    });
  });

  it("names the bad field", () => {
    expect(fieldOf({ ...base(), koii: koii({ auditMs: 900 }) })).toBe("koii.auditMs");
    expect(fieldOf({ ...base(), koii: koii({ quorumBps: 5_000 }) })).toBe("koii.quorumBps");
    expect(fieldOf({ ...base(), koii: koii({ rewardPerRound: "-1" }) })).toBe("koii.rewardPerRound");
    expect(
      fieldOf({ ...base(), koii: koii({ nodes: [{ koiiPublicKey: "x".repeat(40), stake: 1, url: "nope" }] }) }),
    ).toBe("koii.nodes.0.url");
  });

  it("takes environment overrides", () => {
    const config = parseConfig({ ...base(), koii: koii() }, "c.json", { MASKOII_KOII__SLASH_BPS: "250" });
    expect(config.koii?.slashBps).toBe(250);
  });
});

describe("koii wiring in startAttester", () => {
  const [secp] = members(1, "koii wiring");
  let chain: TestChain;
  const ed = generatePrivateKey("ed25519");
  const attestingKey: UnlockedKey = { kind: "secp256k1", publicId: secp!.address, privateKey: secp!.key };
  const identityKey: UnlockedKey = { kind: "ed25519", publicId: "", privateKey: ed };
  const config = (k: Record<string, unknown>): ResolvedConfig => {
    const parsed = parseConfig({
      profile: "dev",
      chains: [
        {
          domain: 1001,
          rpcUrl: chain.rpcUrl,
          gateway: chain.gateway,
          startBlock: Number(chain.deployBlock),
          finality: { kind: "confirmations", depth: 0 },
        },
      ],
      store: { kind: "pglite", dataDir: "memory://" },
      keys: { keystore: "unused.json" },
      attester: { listen: { host: "127.0.0.1", port: 0 }, pollIntervalMs: 50 },
      koii: k,
      log: { level: "silent" },
    });
    return parsed as ResolvedConfig;
  };

  beforeAll(async () => {
    chain = await startTestChain([secp!.address]);
  }, 240_000);
  afterAll(async () => chain?.stop());

  it("serves the task routes and submits each finished round on the real clock", async () => {
    const node = await startAttester({
      config: config(
        koii({
          genesisMs: Date.now(),
          roundMs: 400,
          submissionMs: 150,
          auditMs: 150,
          pollIntervalMs: 20,
          nodes: [{ koiiPublicKey: koiiPublicKeyOf(ed), stake: 5 }],
        }),
      ),
      attestingKey,
      identityKey,
      log: silentLogger(),
    });
    try {
      const status = (await (await fetch(`${node.url}/koii/status`)).json()) as {
        tasks: { node: string; round: number }[];
      };
      expect(status.tasks[0]?.node).toBe(koiiPublicKeyOf(ed));
      // The node came up during some round R (startup takes a while): round R's submission appears once R ends.
      const round = status.tasks[0]?.round ?? 0;
      let submission: Response | undefined;
      for (let i = 0; i < 100 && submission?.status !== 200; i++) {
        await sleep(50);
        submission = await fetch(`${node.url}/koii/rounds/${round}/submission`);
      }
      expect(submission?.status).toBe(200);
      expect(await submission?.json()).toMatchObject({ node: koiiPublicKeyOf(ed), round, items: [] });
      // Nothing is submitted for a round before it ends.
      expect((await fetch(`${node.url}/koii/rounds/${round + 50}/submission`)).status).toBe(404);
    } finally {
      await node.stop();
    }
  });

  it("refuses a koii section without the identity key, or one that does not list this node", async () => {
    await expect(startAttester({ config: config(koii()), attestingKey, log: silentLogger() })).rejects.toMatchObject({
      field: "keys.identityKeystore",
    });
    await expect(
      startAttester({ config: config(koii()), attestingKey, identityKey, log: silentLogger() }),
    ).rejects.toMatchObject({ field: "koii.nodes" });
  });
});
