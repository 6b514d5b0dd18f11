// The setup the EVM <-> Solana process-level tests share (solana-flow, solana-claims, solana-revenue, ...): `hardhat node`s A (1001) and B
// (only because the deployment script deploys a pair), the local Solana RPC (1003), maskoii deployed and linked
// A <-> Solana by the devnet's own code (the testkit's deploy fixture, in a child process), three attester nodes and one
// relayer in-process (startAttester / startRelayer), each with its own in-memory PGlite store.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UnlockedKey } from "@maskoii/node-kit";
import { createLogger } from "@maskoii/node-kit";
import type { DeploymentRevenue } from "@maskoii/sdk";
import { devnetAttesters, runDeployFixture, Supervisor } from "@maskoii/testkit";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { type Address, bytesToHex, type Hex } from "viem";
import { type AttesterHandle, startAttester } from "../src/attester/run.ts";
import { parseConfig, resolveChains } from "../src/config.ts";
import { type RelayerHandle, startRelayer } from "../src/relayer-run.ts";
import { devAccount, HOST, startHardhatPair } from "./evm-stack.ts";
import { airdrop, type LocalRpc, startLocalRpc } from "./solana-helpers.ts";

const ORIGIN = 1001;
const SOLANA = 1003;

const secp = (privateKey: Hex, address: Address): UnlockedKey => ({ kind: "secp256k1", publicId: address, privateKey });

/** A's maskoii contracts, as the fixture deployed them. */
export type ContractsA = { gateway: Address; tokenBridge: Address; demoToken: Address };

/**
 * The whole stack, with the relayer paying on A with account 2 and on Solana with `solanaPayer` (airdropped 20 SOL).
 * `start()` in beforeAll, `stop()` in afterAll (it stops whatever a failed `start()` got to).
 */
export class SolanaStack {
  readonly supervisor = new Supervisor();
  readonly attesterKeys: ReturnType<typeof devnetAttesters>;
  readonly attesters: AttesterHandle[] = [];
  readonly relayerAccount = devAccount(2);
  readonly solanaPayer = Keypair.generate();
  dir = "";
  rpc: LocalRpc | undefined;
  rpcA = "";
  contracts!: ContractsA;
  /** The SPL mint A's demo token is bridged as. */
  mint!: PublicKey;
  /** A's revenue suite as the fixture deployed it (its ledger routes Solana payouts through TokenBridge A). */
  revenueA: DeploymentRevenue | undefined;
  relayer: RelayerHandle | undefined;
  private readonly name: string;
  /** Set 1's threshold (the fixture's default 6666 when absent). */
  private readonly thresholdBps: number | undefined;
  private readonly refunds: boolean;

  /**
   * `name` ("solana-flow") names the temp directory and seeds the attester keys; `options.thresholdBps` is set 1's threshold;
   * `refunds` turns the relayer's refunds on (relayer.refunds, fast ticks).
   */
  constructor(name: string, options: { refunds?: boolean; thresholdBps?: number } = {}) {
    this.name = name;
    this.thresholdBps = options.thresholdBps;
    this.refunds = options.refunds ?? false;
    this.attesterKeys = devnetAttesters(3, `maskoii ${name.replaceAll("-", " ")} attester`);
  }

  async start(): Promise<void> {
    const log = createLogger({ level: "silent" });
    this.dir = await mkdtemp(join(tmpdir(), `maskoii-${this.name}-`));
    const rpc = await startLocalRpc(50);
    this.rpc = rpc;
    const { rpcA, rpcB } = await startHardhatPair(this.supervisor, this.dir);
    this.rpcA = rpcA;
    const result = await runDeployFixture({
      rpcA,
      rpcB,
      solana: { rpcUrl: rpc.url, wsUrl: rpc.wsUrl, programId: rpc.programId, upgradeAuthority: rpc.upgradeAuthority },
      attesters: this.attesterKeys.map((a) => a.account.address),
      ...(this.thresholdBps === undefined ? {} : { thresholdBps: this.thresholdBps }),
    });
    this.contracts = result.a;
    if (result.mint === undefined) throw new Error("the deploy fixture set up no Solana mint");
    this.mint = new PublicKey(result.mint);
    this.revenueA = result.revenueA;
    await airdrop(new Connection(rpc.url, "confirmed"), this.solanaPayer.publicKey, 20);

    const chains = [
      {
        domain: ORIGIN,
        rpcUrl: rpcA,
        gateway: this.contracts.gateway,
        tokenBridge: this.contracts.tokenBridge,
        startBlock: 0,
        finality: { kind: "confirmations", depth: 0 },
      },
      { family: "solana", domain: SOLANA, rpcUrl: rpc.url, programId: rpc.programId, commitment: "confirmed" },
    ];
    for (const [i, key] of this.attesterKeys.entries()) {
      const config = await resolveChains(
        parseConfig({
          profile: "dev",
          chains,
          store: { kind: "pglite", dataDir: "memory://" },
          keys: { keystore: "unused.json" },
          attester: { listen: { host: HOST, port: 0 }, pollIntervalMs: 100 },
        }),
        this.dir,
      );
      this.attesters.push(
        await startAttester({ config, attestingKey: secp(key.privateKey, key.account.address), log: log.child({ i }) }),
      );
    }
    const relayerConfig = await resolveChains(
      parseConfig({
        profile: "dev",
        chains,
        store: { kind: "pglite", dataDir: "memory://" },
        keys: { keystore: "unused.json", solanaKeystore: "unused-solana.json" },
        relayer: {
          attesters: this.attesters.map((a) => a.url),
          pollIntervalMs: 150,
          retry: { baseMs: 200, maxMs: 2_000, maxAttempts: 10 },
          maxBatchSize: 8,
          ...(this.refunds ? { refunds: { enabled: true, intervalMs: 200, maxBackoffMs: 2_000 } } : {}),
        },
      }),
      this.dir,
    );
    const relayerKey = bytesToHex(this.relayerAccount.getHdKey().privateKey ?? new Uint8Array());
    this.relayer = await startRelayer({
      config: relayerConfig,
      payingKey: secp(relayerKey, this.relayerAccount.address),
      solanaKey: {
        kind: "ed25519",
        publicId: bytesToHex(this.solanaPayer.publicKey.toBytes()),
        privateKey: bytesToHex(this.solanaPayer.secretKey.slice(0, 32)),
      },
      log,
    });
  }

  /** Stops the relayer, the attesters, the chains and the Solana RPC, then removes the temporary directory. */
  async stop(): Promise<void> {
    await this.relayer?.stop();
    for (const a of this.attesters) await a.stop();
    await this.supervisor.stopAll();
    await this.rpc?.stop();
    if (this.dir !== "") await rm(this.dir, { recursive: true, force: true });
  }
}
