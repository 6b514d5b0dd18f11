// `maskoii doctor` against real chains: two `hardhat node`s (A = 1001, B = 1002) with maskoii deployed by the
// repository's deploy code, three attester nodes (in-process, real HTTP) and relayers started with `startRelayer`.
// Rate-limited: B's inbound bucket for A's demo token is left below a transfer, the relayer delivers it, the
// TokenBridge queues it: doctor says rate-limited with the queue id and when it becomes releasable; after the
// bucket refills (evm_increaseTime) and anyone calls releaseQueued, doctor says delivered. Underpriced: B's base fee
// is raised above a relayer's fee cap: its store records FeeCapExceeded with the numbers, doctor (in-process and the
// `maskoii doctor` CLI process on the stopped relayer's store) says underpriced, naming cap, base fee and the field.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { addressToBytes32, bridgedTokenAbi, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { demoTokenAbi, groupAlive, until } from "@maskoii/testkit";
import {
  type Address,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  pad,
  parseEventLogs,
  parseGwei,
  parseUnits,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttesterClient } from "../src/collector.ts";
import { type Diagnosis, diagnose } from "../src/doctor.ts";
import type { RelayerHandle } from "../src/relayer-run.ts";
import { connectChains } from "../src/runtime.ts";
import type { Store } from "../src/store/types.ts";
import { chainA, chainB, devAccount, EvmStack, mined, payer } from "./evm-stack.ts";
import { runCli } from "./helpers.ts";

/** The deployer: owner of both chains' contracts and of A's demo token. */
const owner = devAccount(0);
const user = devAccount(1);
/** Anyone: releases the queued transfer (releaseQueued is permissionless). */
const stranger = devAccount(6);
/** An EOA recipient: the message is recorded MessageFailed once delivered, but here it is never delivered. */
const EOA_RECIPIENT = pad("0x000000000000000000000000000000000000bEEF", { size: 32 });
const UNLIMITED = (1n << 64n) - 1n;
/** Shared (wire) units: 8 decimals. */
const WIRE = 10n ** 8n;

describe("maskoii doctor on hardhat nodes: rate-limited and underpriced", () => {
  const evm = new EvmStack("doctor");

  beforeAll(() => evm.start(), 240_000);

  afterAll(async () => {
    await evm.stop();
    for (const pid of evm.pids) expect(groupAlive(pid)).toBe(false);
  });

  function relayerSection(maxFeePerGasGwei: number) {
    return {
      attesters: evm.attesters.map((x) => x.url),
      pollIntervalMs: 200,
      retry: { baseMs: 200, maxMs: 1_000, maxAttempts: 1_000 },
      maxBatchSize: 1,
      fees: { maxFeePerGasGwei, bumpAfterMs: 2_000, bumpPercent: 20, receiptTimeoutMs: 30_000 },
    };
  }

  async function relayer(dataDir: string, payerIndex: number, maxFeePerGasGwei: number): Promise<RelayerHandle> {
    const config = await evm.resolved({
      store: { kind: "pglite", dataDir },
      relayer: relayerSection(maxFeePerGasGwei),
    });
    return evm.startRelayer(config, payer(payerIndex));
  }

  /** diagnose() as `maskoii doctor` runs it: read-only chains from the config, the attesters, optionally a store. */
  async function doctor(messageId: Hex, store?: Store): Promise<Diagnosis> {
    const config = await evm.resolved({});
    const chains = await connectChains(config, {});
    return diagnose({
      messageId,
      chains,
      startBlocks: new Map(config.chains.map((c) => [c.domain, c.startBlock])),
      attesters: new AttesterClient(
        evm.attesters.map((x) => x.url),
        5_000,
      ),
      ...(store === undefined ? {} : { store }),
    });
  }

  it("a transfer above B's inbound bucket: rate-limited with queue id and release time; released by anyone after the refill: delivered", async () => {
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(evm.rpcA) });
    const ownerB = createWalletClient({ account: owner, chain: chainB, transport: http(evm.rpcB) });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(evm.rpcA) });
    // B's inbound bucket for A's demo token (arriving as B's bridged token): capacity 3 tokens, refill 0.01 token/s,
    // holding 1 token now (configured at 1 first, then raised: a raise keeps the current level).
    const limits = (inCapacity: bigint, inRefill: bigint) =>
      ownerB.writeContract({
        address: evm.b.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "setRateLimits",
        args: [evm.b.bridgedToken, 1001, UNLIMITED, 0n, inCapacity, inRefill],
      });
    const refill = WIRE / 100n;
    await mined(evm.publicB, await limits(1n * WIRE, refill));
    await mined(evm.publicB, await limits(3n * WIRE, refill));
    const [level] = await evm.publicB.readContract({
      address: evm.b.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "inboundBucket",
      args: [evm.b.bridgedToken, 1001],
    });
    expect(level).toBe(1n * WIRE);

    // A -> B: 2 tokens (more than the bucket's 1, less than its capacity of 3).
    const amount = parseUnits("2", 18);
    await mined(
      evm.publicA,
      await ownerA.writeContract({
        address: evm.a.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, amount],
      }),
    );
    await mined(
      evm.publicA,
      await userA.writeContract({
        address: evm.a.demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [evm.a.tokenBridge, amount],
      }),
    );
    const fee = await evm.publicA.readContract({
      address: evm.a.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [1002],
    });
    const sentReceipt = await mined(
      evm.publicA,
      await userA.writeContract({
        address: evm.a.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [evm.a.demoToken, 1002, addressToBytes32(user.address), amount],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: sentReceipt.logs });
    const id = sent!.args.messageId.toLowerCase() as Hex;

    const r1 = await relayer(join(evm.dir, "relayer-1"), 2, 500);
    const delivered = await until(
      "delivery on B",
      async () => {
        const d = await r1.store.getDelivery(id);
        return d?.state === "delivered" ? d : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await evm.stopRelayer(r1);

    const balance = () =>
      evm.publicB.readContract({
        address: evm.b.bridgedToken,
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
      logs: (await evm.publicB.getTransactionReceipt({ hash: delivered.txHash as Hex })).logs,
    });
    const queueId = queuedLog!.args.queueId;
    expect(queued.queued.queueId).toBe(queueId.toString());
    expect(queued.queued.bridge).toBe(evm.b.tokenBridge);
    expect(queued.queued.token).toBe(evm.b.bridgedToken);
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
    const strangerB = createWalletClient({ account: stranger, chain: chainB, transport: http(evm.rpcB) });
    await expect(
      evm.publicB.simulateContract({
        account: stranger,
        address: evm.b.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "releaseQueued",
        args: [queueId],
      }),
    ).rejects.toThrow(/RateLimitExceeded/);

    // Past the release time the bucket holds it: doctor says releasable now.
    const testB = createTestClient({ chain: chainB, mode: "hardhat", transport: http(evm.rpcB) });
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
      evm.publicB,
      await strangerB.writeContract({
        address: evm.b.tokenBridge,
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
    const testB = createTestClient({ chain: chainB, mode: "hardhat", transport: http(evm.rpcB) });
    await testB.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("50") });
    await testB.mine({ blocks: 1 });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(evm.rpcA) });
    const fee = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [1002, 2n],
    });
    const receipt = await mined(
      evm.publicA,
      await userA.writeContract({
        address: evm.a.gateway,
        abi: gatewayAbi,
        functionName: "send",
        args: [1002, EOA_RECIPIENT, "0xabcd"],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    const id = sent!.args.messageId.toLowerCase() as Hex;
    const dataDir = join(evm.dir, "relayer-2");
    const r2 = await relayer(dataDir, 3, 10);
    const record = await until(
      "an underpriced attempt recorded",
      async () => {
        const d = await r2.store.getDelivery(id);
        return d?.lastFailure?.code === "FeeCapExceeded" ? d : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(record.state).toBe("pending");
    // The base fee the relayer saw is the block's (the chain has mined nothing since).
    const baseFee = (await evm.publicB.getBlock({ blockTag: "latest" })).baseFeePerGas as bigint;
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
    expect(await evm.publicB.getTransactionCount({ address: payer(3).publicId as Address })).toBe(0);

    // The CLI process on the stopped relayer's store (PGlite is single-process: --with-store only once it stopped).
    await evm.stopRelayer(r2);
    const configFile = join(evm.dir, "doctor.json");
    await writeFile(
      configFile,
      JSON.stringify({
        profile: "dev",
        chains: evm.chainsConfig(),
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
