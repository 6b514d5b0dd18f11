// `maskoii doctor` against real chains: two `hardhat node`s (A = 1001, B = 1002) with maskoii deployed by the
// repository's deploy code, three attester nodes (in-process, real HTTP) and relayers started with `startRelayer`.
// Rate-limited: B's inbound bucket for A's demo token is left below a transfer, the relayer delivers it, the
// TokenBridge queues it: doctor says rate-limited with the queue id and when it becomes releasable; after the
// bucket refills (evm_increaseTime) and anyone calls releaseQueued, doctor says delivered. Underpriced: B's base fee
// is raised above a relayer's fee cap: its store records FeeCapExceeded with the numbers, doctor (in-process and the
// `maskoii doctor` CLI process on the stopped relayer's store) says underpriced, naming cap, base fee and the field.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addressToBytes32, bridgedTokenAbi, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  pad,
  parseEventLogs,
  parseGwei,
  parseUnits,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTokenAbi } from "../../scripts/lib/abi.ts";
import { devnetAttesters } from "../../scripts/lib/keys.ts";
import { groupAlive, Supervisor } from "../../scripts/lib/processes.ts";
import { waitForRpc } from "../../scripts/lib/rpc.ts";
import { type AttesterHandle, startAttester } from "../src/attester/run.ts";
import { parseConfig, type ResolvedConfig, resolveChains } from "../src/config.ts";
import { type Diagnosis, diagnose } from "../src/doctor.ts";
import type { UnlockedKey } from "../src/keys/keystore.ts";
import { silentLogger } from "../src/log.ts";
import { AttesterClient } from "../src/relayer/collector.ts";
import { type RelayerHandle, startRelayer } from "../src/relayer/run.ts";
import { connectChains } from "../src/runtime.ts";
import type { Store } from "../src/store/types.ts";
import { runCli } from "./helpers.ts";
import { freePort, runFixture, until } from "./net.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HARDHAT = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
const FIXTURE = join(ROOT, "relayer", "test", "e2e", "deploy-fixture.ts");
const MNEMONIC = "test test test test test test test test test test test junk";
const HOST = "127.0.0.1";
/** The deployer: owner of both chains' contracts and of A's demo token. */
const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
const user = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
/** Anyone: releases the queued transfer (releaseQueued is permissionless). */
const stranger = mnemonicToAccount(MNEMONIC, { addressIndex: 6 });
const payer = (i: number): UnlockedKey => {
  const account = mnemonicToAccount(MNEMONIC, { addressIndex: i });
  const key = `0x${Buffer.from(account.getHdKey().privateKey ?? []).toString("hex")}` as Hex;
  return { kind: "secp256k1", privateKey: key, publicId: account.address };
};
/** An EOA recipient: the message is recorded MessageFailed once delivered, but here it is never delivered. */
const EOA_RECIPIENT = pad("0x000000000000000000000000000000000000bEEF", { size: 32 });
const UNLIMITED = (1n << 64n) - 1n;
/** Shared (wire) units: 8 decimals. */
const WIRE = 10n ** 8n;

const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
const chainB = defineChain({ ...chainA, id: 31338, name: "B" });

type Contracts = { gateway: Address; tokenBridge: Address; demoToken: Address; bridgedToken: Address };

describe("maskoii doctor on hardhat nodes: rate-limited and underpriced", () => {
  const supervisor = new Supervisor();
  const attesterKeys = devnetAttesters(3, "maskoii doctor attester");
  const attesters: AttesterHandle[] = [];
  const relayers: RelayerHandle[] = [];
  let dir = "";
  let rpcA = "";
  let rpcB = "";
  let out = "";
  let a: Contracts;
  let b: Contracts;
  let publicA: PublicClient;
  let publicB: PublicClient;
  let pids: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-doctor-"));
    const [portA, portB] = [await freePort(), await freePort()];
    rpcA = `http://${HOST}:${portA}`;
    rpcB = `http://${HOST}:${portB}`;
    for (const [name, port, chainId] of [
      ["chainA", portA, 31337],
      ["chainB", portB, 31338],
    ] as const) {
      supervisor.start({
        name,
        command: process.execPath,
        args: [HARDHAT, "node", "--hostname", HOST, "--port", String(port), "--chain-id", String(chainId)],
        cwd: ROOT,
        logFile: join(dir, `${name}.log`),
      });
    }
    pids = supervisor.processes().map((p) => p.pid);
    await waitForRpc(rpcA, 31337, { timeoutMs: 60_000 });
    await waitForRpc(rpcB, 31338, { timeoutMs: 60_000 });
    out = join(dir, "deployments");
    await mkdir(out);
    const output = await runFixture(FIXTURE, [
      ...["--rpc-a", rpcA, "--rpc-b", rpcB, "--out", out],
      ...["--attesters", attesterKeys.map((k) => k.account.address).join(",")],
    ]);
    const line = output.split("\n").find((l) => l.startsWith("RESULT "));
    if (line === undefined) throw new Error(`no RESULT from the deploy fixture:\n${output}`);
    ({ a, b } = JSON.parse(line.slice("RESULT ".length)) as { a: Contracts; b: Contracts });
    publicA = createPublicClient({ chain: chainA, transport: http(rpcA) }) as PublicClient;
    publicB = createPublicClient({ chain: chainB, transport: http(rpcB) }) as PublicClient;
    for (const [i, k] of attesterKeys.entries()) {
      const config = await resolved({
        store: { kind: "pglite", dataDir: "memory://" },
        attester: { listen: { host: HOST, port: 0 }, pollIntervalMs: 100 },
      });
      attesters.push(
        await startAttester({
          config,
          attestingKey: { kind: "secp256k1", privateKey: k.privateKey, publicId: k.account.address },
          log: silentLogger().child({ attester: i }),
        }),
      );
    }
  }, 240_000);

  afterAll(async () => {
    for (const r of relayers) await r.stop();
    for (const x of attesters) await x.stop();
    await supervisor.stopAll();
    for (const pid of pids) expect(groupAlive(pid)).toBe(false);
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  function chainsConfig() {
    return [
      {
        domain: 1001,
        rpcUrl: rpcA,
        deploymentFile: join(out, "31337.json"),
        finality: { kind: "confirmations", depth: 0 },
        pollIntervalMs: 100,
      },
      {
        domain: 1002,
        rpcUrl: rpcB,
        deploymentFile: join(out, "31338.json"),
        finality: { kind: "confirmations", depth: 0 },
        pollIntervalMs: 100,
      },
    ];
  }

  function relayerSection(maxFeePerGasGwei: number) {
    return {
      attesters: attesters.map((x) => x.url),
      pollIntervalMs: 200,
      retry: { baseMs: 200, maxMs: 1_000, maxAttempts: 1_000 },
      maxBatchSize: 1,
      fees: { maxFeePerGasGwei, bumpAfterMs: 2_000, bumpPercent: 20, receiptTimeoutMs: 30_000 },
    };
  }

  async function resolved(extra: Record<string, unknown>): Promise<ResolvedConfig> {
    return resolveChains(parseConfig({ chains: chainsConfig(), keys: { keystore: "unused.json" }, ...extra }), dir);
  }

  async function relayer(dataDir: string, payerIndex: number, maxFeePerGasGwei: number): Promise<RelayerHandle> {
    const config = await resolved({
      store: { kind: "pglite", dataDir },
      relayer: relayerSection(maxFeePerGasGwei),
    });
    const handle = await startRelayer({ config, payingKey: payer(payerIndex), log: silentLogger() });
    relayers.push(handle);
    return handle;
  }

  async function stop(handle: RelayerHandle): Promise<void> {
    await handle.stop();
    relayers.splice(relayers.indexOf(handle), 1);
  }

  /** diagnose() as `maskoii doctor` runs it: read-only chains from the config, the attesters, optionally a store. */
  async function doctor(messageId: Hex, store?: Store): Promise<Diagnosis> {
    const config = await resolved({});
    const chains = await connectChains(config, {});
    return diagnose({
      messageId,
      chains,
      startBlocks: new Map(config.chains.map((c) => [c.domain, c.startBlock])),
      attesters: new AttesterClient(
        attesters.map((x) => x.url),
        5_000,
      ),
      ...(store === undefined ? {} : { store }),
    });
  }

  const mined = async (client: PublicClient, hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    return receipt;
  };

  it("a transfer above B's inbound bucket: rate-limited with queue id and release time; released by anyone after the refill: delivered", async () => {
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(rpcA) });
    const ownerB = createWalletClient({ account: owner, chain: chainB, transport: http(rpcB) });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(rpcA) });
    // B's inbound bucket for A's demo token (arriving as B's bridged token): capacity 3 tokens, refill 0.01 token/s,
    // holding 1 token now (configured at 1 first, then raised: a raise keeps the current level).
    const limits = (inCapacity: bigint, inRefill: bigint) =>
      ownerB.writeContract({
        address: b.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "setRateLimits",
        args: [b.bridgedToken, 1001, UNLIMITED, 0n, inCapacity, inRefill],
      });
    const refill = WIRE / 100n;
    await mined(publicB, await limits(1n * WIRE, refill));
    await mined(publicB, await limits(3n * WIRE, refill));
    const [level] = await publicB.readContract({
      address: b.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "inboundBucket",
      args: [b.bridgedToken, 1001],
    });
    expect(level).toBe(1n * WIRE);

    // A -> B: 2 tokens (more than the bucket's 1, less than its capacity of 3).
    const amount = parseUnits("2", 18);
    await mined(
      publicA,
      await ownerA.writeContract({
        address: a.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, amount],
      }),
    );
    await mined(
      publicA,
      await userA.writeContract({
        address: a.demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [a.tokenBridge, amount],
      }),
    );
    const fee = await publicA.readContract({
      address: a.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [1002],
    });
    const sentReceipt = await mined(
      publicA,
      await userA.writeContract({
        address: a.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [a.demoToken, 1002, addressToBytes32(user.address), amount],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: sentReceipt.logs });
    const id = sent!.args.messageId.toLowerCase() as Hex;

    const r1 = await relayer(join(dir, "relayer-1"), 2, 500);
    const delivered = await until("delivery on B", 60_000, async () => {
      const d = await r1.store.getDelivery(id);
      return d?.state === "delivered" ? d : undefined;
    });
    await stop(r1);

    const balance = () =>
      publicB.readContract({
        address: b.bridgedToken,
        abi: bridgedTokenAbi,
        functionName: "balanceOf",
        args: [user.address],
      });
    expect(await balance()).toBe(0n);

    const queued = await doctor(id);
    expect(queued.stage).toBe("rate-limited");
    if (queued.stage !== "rate-limited") return;
    const [queuedLog] = parseEventLogs({
      abi: tokenBridgeAbi,
      eventName: "TransferQueued",
      logs: (await publicB.getTransactionReceipt({ hash: delivered.txHash as Hex })).logs,
    });
    const queueId = queuedLog!.args.queueId;
    expect(queued.queued.queueId).toBe(queueId.toString());
    expect(queued.queued.bridge).toBe(b.tokenBridge);
    expect(queued.queued.token).toBe(b.bridgedToken);
    expect(queued.queued.recipient).toBe(user.address);
    expect(queued.queued.wireAmount).toBe(2n * WIRE);
    expect(queued.queued.amount).toBe(amount);
    expect(queued.queued.deliveryTx).toBe(delivered.txHash);
    expect(queued.queued.released).toBe(false);
    // 1 token missing at 0.01 token/s: 100 s after the bucket was last written (the raise), wherever "now" is.
    expect(queued.queued.bucket.capacity).toBe(3n * WIRE);
    expect(queued.queued.bucket.refillPerSecond).toBe(refill);
    expect(queued.queued.releasableAt).toBe(queued.queued.bucket.lastUpdated + 100);
    expect(queued.queued.releasableAt).toBeGreaterThan(queued.queued.now);
    expect(queued.detail).toContain(`queue id ${queueId}`);
    expect(queued.detail).toContain(`releaseQueued(${queueId})`);
    expect(queued.detail).toContain(`from unix time ${queued.queued.releasableAt}`);

    // Too early, the release reverts (RateLimitExceeded): doctor told the truth.
    const strangerB = createWalletClient({ account: stranger, chain: chainB, transport: http(rpcB) });
    await expect(
      publicB.simulateContract({
        account: stranger,
        address: b.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "releaseQueued",
        args: [queueId],
      }),
    ).rejects.toThrow(/RateLimitExceeded/);

    // Past the release time the bucket holds it: doctor says releasable now.
    const testB = createTestClient({ chain: chainB, mode: "hardhat", transport: http(rpcB) });
    await testB.increaseTime({ seconds: 101 });
    await testB.mine({ blocks: 1 });
    const ready = await doctor(id);
    expect(ready.stage).toBe("rate-limited");
    if (ready.stage === "rate-limited") {
      expect(ready.queued.releasableAt).toBeLessThanOrEqual(ready.queued.now);
      expect(ready.detail).toContain("releasable now");
    }

    // Anyone releases it; the transfer is credited and doctor says delivered (naming the released queue entry).
    const release = await mined(
      publicB,
      await strangerB.writeContract({
        address: b.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "releaseQueued",
        args: [queueId],
      }),
    );
    expect(
      parseEventLogs({ abi: tokenBridgeAbi, eventName: "QueuedTransferReleased", logs: release.logs }),
    ).toHaveLength(1);
    expect(await balance()).toBe(amount);
    const done = await doctor(id);
    expect(done.stage).toBe("delivered");
    if (done.stage === "delivered") {
      expect(done.queued?.released).toBe(true);
      expect(done.detail).toContain(`queue id ${queueId}`);
    }
  }, 180_000);

  it("a relayer whose fee cap is below B's base fee: underpriced, naming cap, base fee and config field; also from the CLI", async () => {
    // B's base fee 50 gwei; the relayer's cap 10 gwei.
    const testB = createTestClient({ chain: chainB, mode: "hardhat", transport: http(rpcB) });
    await testB.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("50") });
    await testB.mine({ blocks: 1 });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(rpcA) });
    const fee = await publicA.readContract({
      address: a.gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [1002, 2n],
    });
    const receipt = await mined(
      publicA,
      await userA.writeContract({
        address: a.gateway,
        abi: gatewayAbi,
        functionName: "send",
        args: [1002, EOA_RECIPIENT, "0xabcd"],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    const id = sent!.args.messageId.toLowerCase() as Hex;
    const dataDir = join(dir, "relayer-2");
    const r2 = await relayer(dataDir, 3, 10);
    const record = await until("an underpriced attempt recorded", 60_000, async () => {
      const d = await r2.store.getDelivery(id);
      return d?.lastFailure?.code === "FeeCapExceeded" ? d : undefined;
    });
    expect(record.state).toBe("pending");
    // The base fee the relayer saw is the block's (the chain has mined nothing since).
    const baseFee = (await publicB.getBlock({ blockTag: "latest" })).baseFeePerGas as bigint;
    expect(record.lastFailure?.facts).toMatchObject({
      domain: "1002",
      cap: parseGwei("10").toString(),
      baseFeePerGas: baseFee.toString(),
    });

    const d = await doctor(id, r2.store);
    expect(d.stage).toBe("underpriced");
    if (d.stage === "underpriced") {
      expect(d.code).toBe("FeeCapExceeded");
      expect(d.domain).toBe(1002);
      expect(d.cap).toBe(parseGwei("10"));
      expect(d.baseFeePerGas).toBe(baseFee);
      expect(d.configField).toBe("relayer.fees.maxFeePerGasGwei");
      expect(d.detail).toContain(`${parseGwei("10")} wei (10 gwei)`);
      expect(d.detail).toContain("relayer.fees.maxFeePerGasGwei");
    }
    // Nothing was sent: the paying account's nonce on B is untouched.
    expect(await publicB.getTransactionCount({ address: payer(3).publicId as Address })).toBe(0);

    // The CLI process on the stopped relayer's store (PGlite is single-process: --with-store only once it stopped).
    await stop(r2);
    const configFile = join(dir, "doctor.json");
    await writeFile(
      configFile,
      JSON.stringify({
        chains: chainsConfig(),
        keys: { keystore: "unused.json" },
        store: { kind: "pglite", dataDir },
        relayer: relayerSection(10),
        log: { level: "silent" },
      }),
    );
    const cli = await runCli(["doctor", id, "--config", configFile, "--with-store"]);
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(0);
    const printed = JSON.parse(cli.stdout) as { stage: string; detail: string; cap: string; configField: string };
    expect(printed.stage).toBe("underpriced");
    expect(printed.cap).toBe(parseGwei("10").toString());
    expect(printed.configField).toBe("relayer.fees.maxFeePerGasGwei");
    expect(printed.detail).toContain(`base fee ${baseFee} wei`);
  }, 180_000);
});
