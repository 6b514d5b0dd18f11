// The queued-transfer keeper (src/keeper.ts) against real chains: two `hardhat node`s (A = 1001, B = 1002)
// with maskoii deployed by the repository's deploy code, three attester nodes (in-process, real HTTP) and relayers
// started with `startRelayer`. B's inbound bucket for A's demo token is kept below a transfer, so deliveries queue
// it (TransferQueued). A relayer without the keeper leaves a releasable entry alone; one with it releases each entry
// once the bucket has refilled (evm_increaseTime), exactly once; after a restart it resumes from its cursor, skips an
// entry a stranger released first (no transaction sent) and releases the ones that queued while it was down; a
// release whose simulation reverts (B's bridged token made to revert with hardhat_setCode) is retried with backoff and
// goes through once the token works again. While B's gateway is paused (the TokenBridge reads its pause) the keeper
// releases nothing, even when an entry is due, says so once (condition keeper-unpaused) and releases after the unpause.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { addressToBytes32, bridgedTokenAbi, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { demoTokenAbi, groupAlive, until } from "@maskoii/testkit";
import {
  type Address,
  createTestClient,
  createWalletClient,
  decodeFunctionData,
  getAddress,
  type Hex,
  http,
  isAddressEqual,
  parseEventLogs,
  parseUnits,
  zeroAddress,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeeperStore, type QueuedTransferRecord } from "../src/keeper-store.ts";
import type { RelayerHandle } from "../src/relayer-run.ts";
import { chainA, chainB, devAccount, EvmStack, mined, payer } from "./evm-stack.ts";

const owner = devAccount(0);
const user = devAccount(1);
/** Anyone: releaseQueued is permissionless. */
const stranger = devAccount(6);
/** Pays for the relayer without the keeper. */
const PLAIN = 2;
/** Pays for the relayer with the keeper. */
const KEEPER = 4;
const UNLIMITED = (1n << 64n) - 1n;
/** Shared (wire) units: 8 decimals. */
const WIRE = 10n ** 8n;
/** PUSH1 0 PUSH1 0 REVERT: any call reverts without data. */
const REVERTING_CODE = "0x60006000fd" as Hex;

describe("queued-transfer keeper on hardhat nodes", () => {
  const evm = new EvmStack("keeper");
  /** Queue ids by name, as the tests create them. */
  const ids: Record<string, bigint> = {};

  beforeAll(async () => {
    await evm.start();
    // B's inbound bucket for A's demo token (arriving as B's bridged token): capacity 3 tokens, refill 0.01 token/s,
    // holding 1 token now (configured at 1 first, then raised: a raise keeps the current level).
    const ownerB = createWalletClient({ account: owner, chain: chainB, transport: http(evm.rpcB) });
    for (const capacity of [1n * WIRE, 3n * WIRE]) {
      await mined(
        evm.publicB,
        await ownerB.writeContract({
          address: evm.b.tokenBridge,
          abi: tokenBridgeAbi,
          functionName: "setRateLimits",
          args: [evm.b.bridgedToken, 1001, UNLIMITED, 0n, capacity, WIRE / 100n],
        }),
      );
    }
  }, 240_000);

  afterAll(async () => {
    await evm.stop();
    for (const pid of evm.pids) expect(groupAlive(pid)).toBe(false);
  });

  /** A relayer on `dataDir`; with the keeper (fast ticks, 1 s longest backoff) when `keeper`. */
  async function relayer(dataDir: string, payerIndex: number, keeper: boolean): Promise<RelayerHandle> {
    const config = await evm.resolved({
      store: { kind: "pglite", dataDir },
      relayer: {
        attesters: evm.attesters.map((x) => x.url),
        pollIntervalMs: 200,
        retry: { baseMs: 200, maxMs: 1_000, maxAttempts: 1_000 },
        fees: { bumpAfterMs: 2_000, receiptTimeoutMs: 30_000 },
        ...(keeper ? { releaseQueued: { enabled: true, intervalMs: 200, maxPerTick: 5, maxBackoffMs: 1_000 } } : {}),
      },
    });
    return evm.startRelayer(config, payer(payerIndex));
  }

  /** A → B transfer of `tokens` demo tokens to `user`; resolves with its message id. */
  async function transfer(tokens: string): Promise<Hex> {
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(evm.rpcA) });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(evm.rpcA) });
    const amount = parseUnits(tokens, 18);
    const write = async (wallet: typeof ownerA, address: Address, call: object) =>
      mined(
        evm.publicA,
        await wallet.writeContract({ address, ...call } as Parameters<typeof wallet.writeContract>[0]),
      );
    await write(ownerA, evm.a.demoToken, { abi: demoTokenAbi, functionName: "mint", args: [user.address, amount] });
    await write(userA, evm.a.demoToken, {
      abi: demoTokenAbi,
      functionName: "approve",
      args: [evm.a.tokenBridge, amount],
    });
    const fee = await evm.publicA.readContract({
      address: evm.a.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [1002],
    });
    const receipt = await write(userA, evm.a.tokenBridge, {
      abi: tokenBridgeAbi,
      functionName: "transferRemote",
      args: [evm.a.demoToken, 1002, addressToBytes32(user.address), amount],
      value: fee,
    });
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    return sent!.args.messageId.toLowerCase() as Hex;
  }

  /** Waits for `handle` to deliver `id` on B and returns the queue id its delivery got. */
  async function deliveredQueued(handle: RelayerHandle, id: Hex): Promise<bigint> {
    const delivered = await until(
      "delivery on B",
      async () => {
        const d = await handle.store.getDelivery(id);
        return d?.state === "delivered" ? d : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const receipt = await evm.publicB.getTransactionReceipt({ hash: delivered.txHash as Hex });
    const [queued] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferQueued", logs: receipt.logs });
    expect(queued, "the delivery queued the transfer").toBeDefined();
    return queued!.args.queueId;
  }

  const onChain = async (queueId: bigint) => {
    const [token] = await evm.publicB.readContract({
      address: evm.b.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "queuedTransfer",
      args: [queueId],
    });
    return !isAddressEqual(token, zeroAddress);
  };

  /** Every releaseQueued transaction on B (any sender, mined or reverted), by scanning B's blocks. */
  async function releaseTxs(): Promise<{ hash: Hex; from: Address; queueId: bigint; success: boolean }[]> {
    const head = await evm.publicB.getBlockNumber({ cacheTime: 0 });
    const found: { hash: Hex; from: Address; queueId: bigint; success: boolean }[] = [];
    for (let n = 0n; n <= head; n++) {
      const block = await evm.publicB.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.to === null || !isAddressEqual(tx.to, evm.b.tokenBridge)) continue;
        const call = (() => {
          try {
            return decodeFunctionData({ abi: tokenBridgeAbi, data: tx.input });
          } catch {
            return undefined;
          }
        })();
        if (call?.functionName !== "releaseQueued") continue;
        const receipt = await evm.publicB.getTransactionReceipt({ hash: tx.hash });
        found.push({
          hash: tx.hash,
          from: getAddress(tx.from),
          queueId: call.args[0],
          success: receipt.status === "success",
        });
      }
    }
    return found;
  }

  const testB = () => createTestClient({ chain: chainB, mode: "hardhat", transport: http(evm.rpcB) });
  async function advance(seconds: number): Promise<void> {
    await testB().increaseTime({ seconds });
    await testB().mine({ blocks: 1 });
  }

  const record = (handle: RelayerHandle, queueId: bigint) =>
    KeeperStore.of(handle.store).get(1002, evm.b.tokenBridge, queueId);
  const balance = () =>
    evm.publicB.readContract({
      address: evm.b.bridgedToken,
      abi: bridgedTokenAbi,
      functionName: "balanceOf",
      args: [user.address],
    });
  const nonceOf = (i: number) => evm.publicB.getTransactionCount({ address: payer(i).publicId as Address });

  it("a relayer without the keeper (the default) leaves a releasable queued transfer alone", async () => {
    const plain = await relayer(join(evm.dir, "plain"), PLAIN, false);
    expect(plain.keeper).toBeUndefined();
    ids.t1 = await deliveredQueued(plain, await transfer("2"));
    const sent = await nonceOf(PLAIN);
    // 1 token missing at 0.01 token/s: releasable after 100 s.
    await advance(101);
    await expect(
      evm.publicB.simulateContract({
        account: stranger,
        address: evm.b.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "releaseQueued",
        args: [ids.t1],
      }),
    ).resolves.toBeDefined();
    await sleep(2_000);
    expect(await onChain(ids.t1)).toBe(true);
    expect(await nonceOf(PLAIN)).toBe(sent);
    expect(await KeeperStore.of(plain.store).list()).toEqual([]);
    expect(await KeeperStore.of(plain.store).getCursor(1002, evm.b.tokenBridge)).toBeUndefined();
    await evm.stopRelayer(plain);
  }, 120_000);

  let keeper: RelayerHandle;
  let before: QueuedTransferRecord[] = [];
  let cursorBefore: bigint | undefined;

  it("with the keeper: a due entry is released at once; a new one once the bucket refills, each exactly once", async () => {
    keeper = await relayer(join(evm.dir, "keeper"), KEEPER, true);
    // Every EVM chain with a TokenBridge is kept (A's receives nothing here).
    expect(keeper.keeper?.targets.map((t) => [t.queue.domain, t.queue.bridge])).toEqual([
      [1001, evm.a.tokenBridge],
      [1002, evm.b.tokenBridge],
    ]);
    // t1 (queued before this relayer ever ran, found by scanning from the deployment block) is releasable now.
    const r1 = await until(
      "t1 released",
      async () => {
        const r = await record(keeper, ids.t1!);
        return r?.state === "released" ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(await onChain(ids.t1!)).toBe(false);
    expect(await balance()).toBe(parseUnits("2", 18));
    const tx1 = await evm.publicB.getTransaction({ hash: r1.releaseTx as Hex });
    expect(getAddress(tx1.from)).toBe(payer(KEEPER).publicId);
    expect(r1.attempts).toBe(0);

    // t2 queues on the (now nearly empty) bucket: the keeper schedules it for when the bucket holds 2 tokens.
    ids.t2 = await deliveredQueued(keeper, await transfer("2"));
    const waiting = await until(
      "t2 scheduled",
      async () => {
        const r = await record(keeper, ids.t2!);
        return r?.releaseAfter !== undefined && r.releaseAfter !== null && r.releaseAfter > 0 ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const [, , , lastUpdated] = await evm.publicB.readContract({
      address: evm.b.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "inboundBucket",
      args: [evm.b.bridgedToken, 1001],
    });
    expect(waiting.releaseAfter).toBeGreaterThan(Number(lastUpdated));
    expect(waiting.releaseAfter).toBeLessThanOrEqual(Number(lastUpdated) + 200);
    const nonceWaiting = await nonceOf(KEEPER);
    await sleep(1_500);
    // Not due yet: nothing sent, nothing simulated into a failure.
    expect(await onChain(ids.t2!)).toBe(true);
    expect(await nonceOf(KEEPER)).toBe(nonceWaiting);
    expect((await record(keeper, ids.t2!))?.attempts).toBe(0);

    const chainNow = Number((await evm.publicB.getBlock({ blockTag: "latest" })).timestamp);
    await advance(waiting.releaseAfter! - chainNow + 1);
    const r2 = await until(
      "t2 released",
      async () => {
        const r = await record(keeper, ids.t2!);
        return r?.state === "released" ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(r2.attempts).toBe(0);
    expect(await balance()).toBe(parseUnits("4", 18));
    await sleep(1_500);
    const txs = await releaseTxs();
    expect(txs.map((t) => [t.queueId, t.from, t.success])).toEqual([
      [ids.t1, payer(KEEPER).publicId, true],
      [ids.t2, payer(KEEPER).publicId, true],
    ]);
    const metrics = await keeper.metrics.render();
    expect(metrics).toContain('maskoii_queued_transfers_total{domain="1002",outcome="seen"} 2');
    expect(metrics).toContain('maskoii_queued_transfers_total{domain="1002",outcome="released"} 2');
    expect(metrics).not.toContain('outcome="failed"');
    before = await KeeperStore.of(keeper.store).list();
    cursorBefore = await KeeperStore.of(keeper.store).getCursor(1002, evm.b.tokenBridge);
    expect(cursorBefore).toBeGreaterThanOrEqual(r2.blockNumber);
    await evm.stopRelayer(keeper);
  }, 180_000);

  it("after a restart: resumes from the cursor, skips an entry a stranger released first (no transaction), releases the rest once", async () => {
    // While the keeper is down: t3 (2 tokens) and t4 (1 token) queue; after a full refill a stranger releases t3.
    const plain = await relayer(join(evm.dir, "plain"), PLAIN, false);
    ids.t3 = await deliveredQueued(plain, await transfer("2"));
    ids.t4 = await deliveredQueued(plain, await transfer("1"));
    await evm.stopRelayer(plain);
    await advance(301);
    const strangerB = createWalletClient({ account: stranger, chain: chainB, transport: http(evm.rpcB) });
    const strangerTx = await strangerB.writeContract({
      address: evm.b.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "releaseQueued",
      args: [ids.t3],
    });
    await mined(evm.publicB, strangerTx);
    const nonce = await nonceOf(KEEPER);

    keeper = await relayer(join(evm.dir, "keeper"), KEEPER, true);
    const r4 = await until(
      "t4 released",
      async () => {
        const r = await record(keeper, ids.t4!);
        return r?.state === "released" ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const r3 = await record(keeper, ids.t3!);
    expect(r3?.state).toBe("skipped");
    expect(r3?.releaseTx).toBe(strangerTx);
    expect(r3?.attempts).toBe(0);
    expect(await onChain(ids.t4!)).toBe(false);
    expect(await balance()).toBe(parseUnits("7", 18));
    await sleep(1_500);
    // One transaction from the keeper since the restart: t4's release. No double release of t1/t2, no revert.
    expect(await nonceOf(KEEPER)).toBe(nonce + 1);
    const txs = await releaseTxs();
    expect(txs.every((t) => t.success)).toBe(true);
    expect(txs.map((t) => t.queueId)).toEqual([ids.t1, ids.t2, ids.t3, ids.t4]);
    expect(txs.find((t) => t.queueId === ids.t4)?.hash).toBe(r4.releaseTx);
    // The entries recorded before the restart were not touched, and the cursor only moved forward.
    const after = await KeeperStore.of(keeper.store).list();
    expect(after.filter((r) => before.some((x) => x.queueId === r.queueId))).toEqual(before);
    expect(await KeeperStore.of(keeper.store).getCursor(1002, evm.b.tokenBridge)).toBeGreaterThan(cursorBefore!);
    const metrics = await keeper.metrics.render();
    expect(metrics).toContain('maskoii_queued_transfers_total{domain="1002",outcome="skipped"} 1');
    expect(metrics).toContain('maskoii_queued_transfers_total{domain="1002",outcome="released"} 1');
  }, 180_000);

  it("a release whose simulation reverts is retried with backoff, sends nothing, and goes through once it can", async () => {
    ids.t5 = await deliveredQueued(keeper, await transfer("1"));
    const waiting = await until(
      "t5 scheduled",
      async () => {
        const r = await record(keeper, ids.t5!);
        return r?.releaseAfter !== undefined && r.releaseAfter !== null && r.releaseAfter > 0 ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // B's bridged token reverts every call (mint included) until its code is put back.
    const code = await evm.publicB.getCode({ address: evm.b.bridgedToken });
    await testB().setCode({ address: evm.b.bridgedToken, bytecode: REVERTING_CODE });
    const nonce = await nonceOf(KEEPER);
    const chainNow = Number((await evm.publicB.getBlock({ blockTag: "latest" })).timestamp);
    await advance(waiting.releaseAfter! - chainNow + 1);
    const failing = await until(
      "two failed attempts",
      async () => {
        const r = await record(keeper, ids.t5!);
        return r !== undefined && r.attempts >= 2 ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(failing.state).toBe("queued");
    expect(failing.lastError).toMatch(/revert/i);
    expect(failing.nextAttemptAt).toBeGreaterThan(failing.updatedAt);
    expect(await onChain(ids.t5!)).toBe(true);
    expect(await nonceOf(KEEPER)).toBe(nonce);
    expect(await keeper.metrics.render()).toMatch(
      /maskoii_queued_transfers_total\{domain="1002",outcome="failed"\} [2-9]/,
    );

    await testB().setCode({ address: evm.b.bridgedToken, bytecode: code as Hex });
    const released = await until(
      "t5 released",
      async () => {
        const r = await record(keeper, ids.t5!);
        return r?.state === "released" ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(released.lastError).toBeNull();
    expect(await nonceOf(KEEPER)).toBe(nonce + 1);
    expect(await balance()).toBe(parseUnits("8", 18));
    expect((await releaseTxs()).filter((t) => t.queueId === ids.t5)).toHaveLength(1);
  }, 120_000);

  it("while B's gateway is paused the keeper releases nothing (logged once), and releases after the unpause", async () => {
    const guardian = await evm.publicB.readContract({
      address: evm.b.gateway,
      abi: gatewayAbi,
      functionName: "guardian",
    });
    expect(getAddress(guardian)).toBe(owner.address);
    const ownerB = createWalletClient({ account: owner, chain: chainB, transport: http(evm.rpcB) });
    ids.t6 = await deliveredQueued(keeper, await transfer("1"));
    const waiting = await until(
      "t6 scheduled",
      async () => {
        const r = await record(keeper, ids.t6!);
        return r?.releaseAfter !== undefined && r.releaseAfter !== null && r.releaseAfter > 0 ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    await mined(
      evm.publicB,
      await ownerB.writeContract({ address: evm.b.gateway, abi: gatewayAbi, functionName: "pause" }),
    );
    const nonce = await nonceOf(KEEPER);
    const chainNow = Number((await evm.publicB.getBlock({ blockTag: "latest" })).timestamp);
    await advance(waiting.releaseAfter! - chainNow + 30);
    // Many keeper ticks (200 ms) while paused and due: nothing sent, no attempt charged, one change of the condition.
    await sleep(2_500);
    expect(await onChain(ids.t6!)).toBe(true);
    expect(await nonceOf(KEEPER)).toBe(nonce);
    const paused = await record(keeper, ids.t6!);
    expect(paused?.state).toBe("queued");
    expect(paused?.attempts).toBe(0);
    let metrics = await keeper.metrics.render();
    expect(metrics).toContain('maskoii_condition_ok{condition="keeper-unpaused",subject="1002"} 0');
    expect(metrics).toContain(
      'maskoii_condition_changes_total{condition="keeper-unpaused",subject="1002",to="lost"} 1',
    );

    await mined(
      evm.publicB,
      await ownerB.writeContract({ address: evm.b.gateway, abi: gatewayAbi, functionName: "unpause" }),
    );
    const released = await until(
      "t6 released",
      async () => {
        const r = await record(keeper, ids.t6!);
        return r?.state === "released" ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(released.attempts).toBe(0);
    expect(await nonceOf(KEEPER)).toBe(nonce + 1);
    expect(await balance()).toBe(parseUnits("9", 18));
    metrics = await keeper.metrics.render();
    expect(metrics).toContain('maskoii_condition_ok{condition="keeper-unpaused",subject="1002"} 1');
    expect(metrics).toContain('maskoii_condition_changes_total{condition="keeper-unpaused",subject="1002",to="ok"} 1');
    expect(metrics).toContain(
      'maskoii_condition_changes_total{condition="keeper-unpaused",subject="1002",to="lost"} 1',
    );
  }, 120_000);
});
