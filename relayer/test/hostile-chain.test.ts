// One hostile message never stalls the others, and cannot poison the gas model, on real chains: two `hardhat node`s
// (A = 1001, B = 1002) with maskoii deployed, three attester nodes (in-process, real HTTP) and relayers started with
// `startRelayer`, batching up to 64 messages.
// * Invalid recipient: 50 normal messages and 1 whose recipient has non-zero upper 12 bytes (the destination family
//   is set unknown on A for this send, so A accepts it) in one round. B's gateway reverts the whole batch (InvalidRecipient); the relayer
//   splits it, delivers the 50 (none charged an attempt) and fails the hostile one at once with its reason; doctor
//   (in-process and the CLI) names the reason.
// * Gas burner: a recipient that burns all the gas it is given (INVALID), in the middle of 20 normal messages:
//   every message is delivered (the burner as MessageFailed, retryable), the burner's delivery costs at most its gas
//   floor, and the gas model learns nothing from it (bounded, not inflated).
// * Insufficient funds: the paying account emptied; deliveries wait without attempts, the operator alert is said once
//   (maskoii_condition_ok funds-sufficient 0), doctor says out-of-funds; funded again, they are delivered.
// * Block gas limit: B's block gas limit lowered to 500,000 gas, below what a batch of 40 needs: the batch is split, all delivered.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gatewayAbi } from "@maskoii/sdk";
import { groupAlive, until } from "@maskoii/testkit";
import {
  type Address,
  concat,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  pad,
  parseEther,
  parseEventLogs,
  toHex,
} from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EvmChainAdapter } from "../src/chains/evm.ts";
import { DEFAULT_MAX_GAS_PER_MESSAGE } from "../src/chains/evm-gas.ts";
import { AttesterClient } from "../src/collector.ts";
import { type Diagnosis, diagnose } from "../src/doctor.ts";
import type { RelayerHandle } from "../src/relayer-run.ts";
import { connectChains } from "../src/runtime.ts";
import type { DeliveryRecord, Store } from "../src/store/types.ts";
import { chainA, chainB, devAccount, EvmStack, mined, payer } from "./evm-stack.ts";
import { runCli } from "./helpers.ts";

/** Owner of both chains' contracts (sets A's view of B's chain family). */
const owner = devAccount(0);
const user = devAccount(1);
/** A contract whose code is STOP: every call to it succeeds (an honest, cheap recipient). */
const OK_RECIPIENT = "0x00000000000000000000000000000000000c0de1" as Address;
/**
 * A contract that burns every unit of gas it is given: its code is the INVALID opcode, which consumes all the gas of
 * the call at once. (An endless loop burns the same gas, but Hardhat traces every step, so each estimate of it runs for
 * seconds; the relayer caps its estimates either way, see evm.ts #estimateCap.)
 */
const BURNER = "0x00000000000000000000000000000000000b0bb1" as Address;
const BURN_ALL_GAS = "0xfe" as Hex;

describe("one hostile message on hardhat nodes", () => {
  const evm = new EvmStack("hostile");
  const testB = () => createTestClient({ chain: chainB, mode: "hardhat", transport: http(evm.rpcB) });

  beforeAll(async () => {
    await evm.start();
    await testB().setCode({ address: OK_RECIPIENT, bytecode: "0x00" });
    await testB().setCode({ address: BURNER, bytecode: BURN_ALL_GAS });
  }, 240_000);

  afterAll(async () => {
    await evm.stop();
    for (const pid of evm.pids) expect(groupAlive(pid)).toBe(false);
  });

  function relayerSection(maxAttempts = 3) {
    return {
      attesters: evm.attesters.map((x) => x.url),
      pollIntervalMs: 200,
      // Few attempts: a relayer that charged innocent messages for a batch failure would give them up.
      retry: { baseMs: 200, maxMs: 1_000, maxAttempts },
      maxBatchSize: 64,
      fees: { bumpAfterMs: 2_000, receiptTimeoutMs: 30_000 },
    };
  }

  /** A relayer on a fresh store that follows A from its current block (earlier tests' messages are not its work). */
  async function relayer(dataDir: string, payerIndex: number): Promise<RelayerHandle> {
    const config = await evm.resolved({
      chains: evm.chainsConfig().map((c) => (c.domain === 1001 ? { ...c, startBlock: Number(fromBlock) } : c)),
      store: { kind: "pglite", dataDir },
      relayer: relayerSection(),
    });
    return evm.startRelayer(config, payer(payerIndex));
  }
  /** Where the messages of the running test start on A. */
  let fromBlock = 0n;
  beforeEach(async () => {
    fromBlock = (await evm.publicA.getBlockNumber({ cacheTime: 0 })) + 1n;
  });
  // A test that failed half way leaves its relayer running: stop it, or it would deliver the next test's messages.
  afterEach(async () => {
    for (const handle of [...evm.relayers]) await evm.stopRelayer(handle);
  });

  /** Sends one message A -> B to `recipient` (32 bytes); resolves with its id. */
  async function send(recipient: Hex, n: number): Promise<Hex> {
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(evm.rpcA) });
    const payload = toHex(n, { size: 32 });
    const fee = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [1002, 32n],
    });
    const receipt = await mined(
      evm.publicA,
      await userA.writeContract({
        address: evm.a.gateway,
        abi: gatewayAbi,
        functionName: "send",
        args: [1002, recipient, payload],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    return sent!.args.messageId.toLowerCase() as Hex;
  }

  /** Waits until every attester has observed every id final (so one relayer round sees them all). */
  async function observedByAll(ids: readonly Hex[]): Promise<void> {
    const client = new AttesterClient(
      evm.attesters.map((x) => x.url),
      5_000,
    );
    await until(
      "every attester observed every message",
      async () => {
        const answers = await client.signaturesMany(ids);
        return answers.every((a) => a.ok && ids.every((id) => a.results.get(id)?.observed === true)) ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  }

  async function settle(handle: RelayerHandle, ids: readonly Hex[], what: string): Promise<DeliveryRecord[]> {
    return until(
      what,
      async () => {
        const records = await Promise.all(ids.map((id) => handle.store.getDelivery(id)));
        return records.every((r) => r !== undefined && r.state !== "pending")
          ? (records as DeliveryRecord[])
          : undefined;
      },
      { timeoutMs: 120_000 },
    );
  }

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

  const ok = pad(OK_RECIPIENT, { size: 32 });

  it("1 invalid recipient among 50 normal messages in one round: the 50 delivered uncharged, the hostile one failed with its reason, doctor names it", async () => {
    // Upper 12 bytes not zero: no EVM address. The deployment declares B an EVM destination on A, so A would refuse
    // it at send time (protocol §8.1); with B's family unknown (0: no check) A accepts it, and the relayer must cope.
    const hostileRecipient = concat(["0xffffffffffffffffffffffff", OK_RECIPIENT]);
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(evm.rpcA) });
    const family = (value: number) =>
      ownerA.writeContract({
        address: evm.a.gateway,
        abi: gatewayAbi,
        functionName: "setDestinationFamily",
        args: [1002, value],
      });
    const declared = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "destinationFamily",
      args: [1002],
    });
    const normal: Hex[] = [];
    for (let i = 0; i < 25; i++) normal.push(await send(ok, i));
    await mined(evm.publicA, await family(0));
    const hostile = await send(hostileRecipient, 1_000);
    await mined(evm.publicA, await family(declared));
    for (let i = 25; i < 50; i++) normal.push(await send(ok, i));
    await observedByAll([...normal, hostile]);

    const dataDir = join(evm.dir, "relayer-invalid");
    const r = await relayer(dataDir, 2);
    const records = await settle(r, [...normal, hostile], "every message settled");
    const byId = new Map(records.map((d) => [d.messageId.toLowerCase(), d]));
    for (const id of normal) {
      const d = byId.get(id);
      expect(d?.state, id).toBe("delivered");
      expect(d?.attempts, `${id} charged no attempt`).toBe(0);
    }
    const h = byId.get(hostile);
    expect(h?.state).toBe("failed");
    expect(h?.attempts).toBe(1);
    expect(h?.lastError).toContain("InvalidRecipient");
    expect(h?.lastFailure).toMatchObject({ code: "DeliveryRefused", facts: { domain: "1002", permanent: "true" } });
    expect(h?.lastFailure?.facts.reason).toBe(`InvalidRecipient(${hostileRecipient.toLowerCase()})`);
    // Nothing hostile reached B, and every normal message is delivered there.
    for (const id of normal) {
      const sent = records.find((d) => d.messageId.toLowerCase() === id);
      expect(
        await evm.publicB.readContract({
          address: evm.b.gateway,
          abi: gatewayAbi,
          functionName: "isDelivered",
          args: [1001, sent!.nonce],
        }),
      ).toBe(true);
    }
    expect(await r.metrics.render()).toMatch(
      /maskoii_batch_splits_total\{destination="1002",reason="DeliveryRefused"\} [1-9]/,
    );

    const d = await doctor(hostile, r.store);
    expect(d.stage).toBe("refused");
    expect(d.detail).toContain("InvalidRecipient");
    expect(d.detail).toContain("upper 12 bytes");

    // The CLI on the stopped relayer's store says the same.
    await evm.stopRelayer(r);
    const configFile = join(evm.dir, "doctor-hostile.json");
    await writeFile(
      configFile,
      JSON.stringify({
        profile: "dev",
        chains: evm.chainsConfig(),
        keys: { keystore: "unused.json" },
        store: { kind: "pglite", dataDir },
        relayer: relayerSection(),
        log: { level: "silent" },
      }),
    );
    const cli = await runCli(["doctor", hostile, "--config", configFile, "--with-store"]);
    expect(cli.stderr).toBe("");
    const printed = JSON.parse(cli.stdout) as { stage: string; reason: string; detail: string };
    expect(printed.stage).toBe("refused");
    expect(printed.reason).toBe(`InvalidRecipient(${hostileRecipient.toLowerCase()})`);
    expect(printed.detail).toContain("refuses this message for good");
  }, 240_000);

  it("a gas burner among 20 normal messages: all delivered, the burner costs at most its floor, the gas model stays bounded", async () => {
    const normal: Hex[] = [];
    for (let i = 0; i < 10; i++) normal.push(await send(ok, 100 + i));
    const burner = await send(pad(BURNER, { size: 32 }), 2_000);
    for (let i = 10; i < 20; i++) normal.push(await send(ok, 100 + i));
    await observedByAll([...normal, burner]);

    const r = await relayer(join(evm.dir, "relayer-burner"), 3);
    const records = await settle(r, [...normal, burner], "every message settled");
    const byId = new Map(records.map((d) => [d.messageId.toLowerCase(), d]));
    for (const id of normal) {
      expect(byId.get(id)?.state, `${id}: ${byId.get(id)?.lastError}`).toBe("delivered");
      expect(byId.get(id)?.attempts, id).toBe(0);
    }
    const b = byId.get(burner);
    // Delivered as MessageFailed (anyone may retry it with more gas); its own transaction stayed near the floor.
    expect(b?.state).toBe("delivered");
    expect(b?.lastError).toContain("MessageFailed");
    const burnerTx = await evm.publicB.getTransactionReceipt({ hash: b?.txHash as Hex });
    const [failed] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageFailed", logs: burnerTx.logs });
    expect(failed?.args.messageId.toLowerCase()).toBe(burner);
    expect(burnerTx.gasUsed).toBeLessThan(1_000_000n);
    // Every delivery transaction of this relayer on B, summed: no multi-million gas batch was paid for the burner.
    const txs = new Set(records.map((d) => d.txHash as Hex));
    let total = 0n;
    for (const hash of txs) total += (await evm.publicB.getTransactionReceipt({ hash })).gasUsed;
    expect(total).toBeLessThan(3_000_000n);
    const adapter = r.chains.get(1002);
    expect(adapter).toBeInstanceOf(EvmChainAdapter);
    const per = (adapter as EvmChainAdapter).batchGas?.perMessage;
    if (per !== undefined) expect(per).toBeLessThanOrEqual(DEFAULT_MAX_GAS_PER_MESSAGE);
    await evm.stopRelayer(r);
  }, 240_000);

  it("insufficient funds: deliveries wait uncharged, one operator alert, doctor says out-of-funds; funded, they are delivered", async () => {
    const account = payer(4).publicId as Address;
    await testB().setBalance({ address: account, value: 1_000n });
    const ids: Hex[] = [];
    for (let i = 0; i < 3; i++) ids.push(await send(ok, 300 + i));
    await observedByAll(ids);
    const r = await relayer(join(evm.dir, "relayer-funds"), 4);
    let last: DeliveryRecord | undefined;
    const waiting = await until(
      "an insufficient-funds attempt recorded",
      async () => {
        last = await r.store.getDelivery(ids[0]!);
        return last?.lastFailure?.code === "InsufficientFunds" ? last : undefined;
      },
      { timeoutMs: 60_000 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last: ${last?.state} ${last?.attempts} ${last?.lastError}`);
    });
    // Let several rounds pass: still waiting, never charged, one alert.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (const id of ids) {
      const d = await r.store.getDelivery(id);
      expect(d?.state).toBe("pending");
      expect(d?.attempts).toBe(0);
    }
    expect(waiting.lastFailure?.facts.account?.toLowerCase()).toBe(account.toLowerCase());
    let text = await r.metrics.render();
    expect(text).toContain('maskoii_condition_ok{condition="funds-sufficient",subject="1002"} 0');
    expect(text).toContain('maskoii_condition_changes_total{condition="funds-sufficient",subject="1002",to="lost"} 1');
    const d = await doctor(ids[0]!, r.store);
    expect(d.stage).toBe("out-of-funds");
    expect(d.detail).toContain(account);

    await testB().setBalance({ address: account, value: parseEther("100") });
    const records = await settle(r, ids, "delivered once funded");
    expect(records.map((x) => x.state)).toEqual(["delivered", "delivered", "delivered"]);
    expect(records.map((x) => x.attempts)).toEqual([0, 0, 0]);
    text = await r.metrics.render();
    expect(text).toContain('maskoii_condition_ok{condition="funds-sufficient",subject="1002"} 1');
    await evm.stopRelayer(r);
  }, 180_000);

  it("a batch above B's block gas limit is split, and every message delivered", async () => {
    const before = (await evm.publicB.getBlock({ blockTag: "latest" })).gasLimit;
    await testB().request({ method: "evm_setBlockGasLimit" as never, params: [toHex(500_000)] as never });
    const ids: Hex[] = [];
    for (let i = 0; i < 40; i++) ids.push(await send(ok, 400 + i));
    await observedByAll(ids);
    const r = await relayer(join(evm.dir, "relayer-blockgas"), 5);
    try {
      const records = await settle(r, ids, "every message settled");
      expect(records.filter((x) => x.state !== "delivered" || x.attempts !== 0).map((x) => x.lastError)).toEqual([]);
      expect(await r.metrics.render()).toMatch(
        /maskoii_batch_splits_total\{destination="1002",reason="[A-Za-z]+"\} [1-9]/,
      );
    } finally {
      await testB().request({ method: "evm_setBlockGasLimit" as never, params: [toHex(before)] as never });
      await evm.stopRelayer(r);
    }
  }, 180_000);
});
