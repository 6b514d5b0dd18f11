// The setup the process-level tests on two `hardhat node`s share (doctor-chain, keeper-chain, multi-relayer;
// solana-stack.ts builds on the hardhat part): chains A (31337, domain 1001) and B (31338, domain 1002) on free ports,
// maskoii deployed by a deploy fixture, three attester nodes in-process (real HTTP, PGlite in memory) and the relayers
// the test starts.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UnlockedKey } from "@maskoii/node-kit";
import { type Logger, silentLogger } from "@maskoii/node-kit";
import { devnetAttesters, runDeployFixture, Supervisor, startHardhatNode } from "@maskoii/testkit";
import { type Address, createPublicClient, defineChain, type Hex, http, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { expect } from "vitest";
import { type AttesterHandle, startAttester } from "../src/attester/run.ts";
import { parseConfig, type ResolvedConfig, resolveChains } from "../src/config.ts";
import { type RelayerHandle, startRelayer } from "../src/relayer-run.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
export const HOST = "127.0.0.1";

/** Account `i` of hardhat's default mnemonic (0 deploys and owns everything, 1 is the tests' user). */
export const devAccount = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i });

/** Account `i` as a relayer's paying key. */
export function payer(i: number): UnlockedKey {
  const account = devAccount(i);
  const key = `0x${Buffer.from(account.getHdKey().privateKey ?? []).toString("hex")}` as Hex;
  return { kind: "secp256k1", privateKey: key, publicId: account.address };
}

export const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
export const chainB = defineChain({ ...chainA, id: 31338, name: "B" });

export type Contracts = { gateway: Address; tokenBridge: Address; demoToken: Address; bridgedToken: Address };

/** Starts `hardhat node`s A and B under `supervisor` (logs in `dir`) and waits until both answer. */
export async function startHardhatPair(supervisor: Supervisor, dir: string): Promise<{ rpcA: string; rpcB: string }> {
  const [a, b] = await Promise.all([
    startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "chainA.log") }),
    startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "chainB.log") }),
  ]);
  return { rpcA: a.rpcUrl, rpcB: b.rpcUrl };
}

/** Waits for `hash` and expects it to have succeeded. */
export async function mined(client: PublicClient, hash: Hex) {
  const receipt = await client.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

/**
 * A, B, maskoii on both (the testkit's deploy fixture), three attesters watching both, and the relayers a test starts.
 * `start()` in beforeAll, `stop()` in afterAll (it stops whatever a failed `start()` got to).
 */
export class EvmStack {
  readonly supervisor = new Supervisor();
  readonly attesterKeys: ReturnType<typeof devnetAttesters>;
  readonly attesters: AttesterHandle[] = [];
  /** The relayers started with `startRelayer` and not stopped yet. */
  readonly relayers: RelayerHandle[] = [];
  /** The hardhat nodes' process (group) ids. */
  pids: number[] = [];
  dir = "";
  rpcA = "";
  rpcB = "";
  /** The deployment files (31337.json, 31338.json). */
  out = "";
  a!: Contracts;
  b!: Contracts;
  publicA!: PublicClient;
  publicB!: PublicClient;

  private readonly name: string;

  /** `name` names the temporary directory and seeds the attester keys. */
  constructor(name: string) {
    this.name = name;
    this.attesterKeys = devnetAttesters(3, `maskoii ${name} attester`);
  }

  /** `attester`: more of each attester's `attester` config section (e.g. `auth`). */
  async start(options: { attester?: Record<string, unknown> } = {}): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), `maskoii-${this.name}-`));
    ({ rpcA: this.rpcA, rpcB: this.rpcB } = await startHardhatPair(this.supervisor, this.dir));
    this.pids = this.supervisor.processes().map((p) => p.pid);
    this.out = join(this.dir, "deployments");
    await mkdir(this.out);
    ({ a: this.a, b: this.b } = await runDeployFixture({
      rpcA: this.rpcA,
      rpcB: this.rpcB,
      out: this.out,
      attesters: this.attesterKeys.map((k) => k.account.address),
    }));
    this.publicA = createPublicClient({ chain: chainA, transport: http(this.rpcA) }) as PublicClient;
    this.publicB = createPublicClient({ chain: chainB, transport: http(this.rpcB) }) as PublicClient;
    for (const [i, k] of this.attesterKeys.entries()) {
      const config = await this.resolved({
        store: { kind: "pglite", dataDir: "memory://" },
        attester: { listen: { host: HOST, port: 0 }, pollIntervalMs: 100, ...options.attester },
      });
      this.attesters.push(
        await startAttester({
          config,
          attestingKey: { kind: "secp256k1", privateKey: k.privateKey, publicId: k.account.address },
          log: silentLogger().child({ attester: i }),
        }),
      );
    }
  }

  /** Stops the relayers, the attesters and the chains, then removes the temporary directory. */
  async stop(): Promise<void> {
    for (const r of this.relayers) await r.stop();
    this.relayers.length = 0;
    for (const x of this.attesters) await x.stop();
    await this.supervisor.stopAll();
    if (this.dir !== "") await rm(this.dir, { recursive: true, force: true });
  }

  /** The `chains` section for A and B: no confirmations, 100 ms polls. */
  chainsConfig() {
    return [1001, 1002].map((domain, i) => ({
      domain,
      rpcUrl: i === 0 ? this.rpcA : this.rpcB,
      deploymentFile: join(this.out, `${31337 + i}.json`),
      finality: { kind: "confirmations", depth: 0 },
      pollIntervalMs: 100,
    }));
  }

  /** A resolved config on A and B with `extra` sections (store, attester, relayer). */
  async resolved(extra: Record<string, unknown>): Promise<ResolvedConfig> {
    return resolveChains(
      parseConfig({ profile: "dev", chains: this.chainsConfig(), keys: { keystore: "unused.json" }, ...extra }),
      this.dir,
    );
  }

  /**
   * Starts a relayer on `config` paying with `payingKey` (signing its attester requests with `options.identityKey`);
   * `stop()` stops it unless `stopRelayer` did.
   */
  async startRelayer(
    config: ResolvedConfig,
    payingKey: UnlockedKey,
    options: { identityKey?: UnlockedKey; log?: Logger } = {},
  ): Promise<RelayerHandle> {
    const handle = await startRelayer({
      config,
      payingKey,
      log: options.log ?? silentLogger(),
      ...(options.identityKey === undefined ? {} : { identityKey: options.identityKey }),
    });
    this.relayers.push(handle);
    return handle;
  }

  async stopRelayer(handle: RelayerHandle): Promise<void> {
    await handle.stop();
    this.relayers.splice(this.relayers.indexOf(handle), 1);
  }
}
