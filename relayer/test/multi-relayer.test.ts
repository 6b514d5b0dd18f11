// Several relayers on one PostgreSQL database, against real chains: two `hardhat node`s (A = 1001, B = 1002) with
// maskoii deployed by the repository's deploy code, three attester nodes (in-process, real HTTP), and relayer
// instances started with `startRelayer` (each with its own paying key and instance id). Proves: every message is
// delivered exactly once on chain and both instances share the work; a crashed instance's claims are taken over only
// after their lease expires; a graceful stop hands its claims back; the ops endpoints answer over HTTP; `maskoii
// relayer` exits 0 on SIGTERM and `maskoii status` reads the shared store.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { encryptKey, silentLogger, type UnlockedKey, writeKeystore } from "@maskoii/node-kit";
import { gatewayAbi } from "@maskoii/sdk";
import { freePort, groupAlive, until } from "@maskoii/testkit";
import { freshDatabase, postgresMissing, postgresRequired, type TestDatabase } from "@maskoii/testkit/postgres";
import { type Address, createWalletClient, type Hex, http, pad, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metrics } from "../src/metrics.ts";
import type { RelayerHandle } from "../src/relayer-run.ts";
import { startRelayerServer } from "../src/relayer-server.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { chainA, devAccount, EvmStack, HOST, payer } from "./evm-stack.ts";
import { runCli } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "relayer", "src", "cli.ts");
const PASSWORD = "multi relayer password";
const user = devAccount(1);
/** Paying keys of the relayer instances (Hardhat accounts #2..#5). */
const payers = [2, 3, 4, 5].map((i) => ({ address: devAccount(i).address, key: payer(i) }));
/** An EOA recipient: the gateway records the delivery as MessageFailed(RecipientNotContract), once. */
const RECIPIENT = pad("0x000000000000000000000000000000000000bEEF", { size: 32 });

type Sent = { messageId: Hex; nonce: bigint; message: Hex };

const missing = postgresMissing();
if (missing !== undefined && postgresRequired) {
  describe("several relayers on one PostgreSQL", () => {
    it("has a PostgreSQL server (MASKOII_REQUIRE_POSTGRES=1)", () => {
      throw new Error(`MASKOII_REQUIRE_POSTGRES=1 but ${missing}`);
    });
  });
}

describe.skipIf(missing !== undefined)("several relayers on one PostgreSQL (hardhat nodes)", () => {
  const evm = new EvmStack("multi-relayer");
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    await evm.start();
    db = await freshDatabase();
  });

  afterAll(async () => {
    await evm.stop();
    for (const pid of evm.pids) expect(groupAlive(pid)).toBe(false);
    await db?.drop();
  });

  function relayerSection(instanceId: string, extra: Record<string, unknown> = {}) {
    return {
      attesters: evm.attesters.map((a) => a.url),
      pollIntervalMs: 200,
      retry: { baseMs: 200, maxMs: 2_000, maxAttempts: 10 },
      maxBatchSize: 1,
      claimLimit: 2,
      instanceId,
      leaseMs: 60_000,
      fees: { maxFeePerGasGwei: 500, bumpAfterMs: 2_000, bumpPercent: 20, receiptTimeoutMs: 30_000 },
      metrics: { host: HOST, port: 0 },
      ...extra,
    };
  }

  async function relayer(instanceId: string, payer: number, extra: Record<string, unknown> = {}) {
    const config = await evm.resolved({
      store: { kind: "postgres", url: db?.url },
      relayer: relayerSection(instanceId, extra),
    });
    return evm.startRelayer(config, payers[payer]?.key as UnlockedKey);
  }

  /** Sends `count` messages A -> B from the user, one transaction each. */
  async function sendMessages(count: number): Promise<Sent[]> {
    const wallet = createWalletClient({ account: user, chain: chainA, transport: http(evm.rpcA) });
    const fee = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [1002, 2n],
    });
    const sent: Sent[] = [];
    for (let i = 0; i < count; i++) {
      const hash = await wallet.writeContract({
        address: evm.a.gateway,
        abi: gatewayAbi,
        functionName: "send",
        args: [1002, RECIPIENT, "0xabcd"],
        value: fee,
      });
      const receipt = await evm.publicA.waitForTransactionReceipt({ hash });
      const [event] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
      if (event === undefined) throw new Error("no MessageSent");
      sent.push({
        messageId: event.args.messageId.toLowerCase() as Hex,
        nonce: event.args.nonce,
        message: event.args.message.toLowerCase() as Hex,
      });
    }
    return sent;
  }

  /** How many times each message was handled on B (MessageDelivered + MessageFailed events). */
  async function deliveriesOnB(): Promise<Map<string, number>> {
    const logs = await evm.publicB.getContractEvents({
      address: evm.b.gateway,
      abi: gatewayAbi,
      fromBlock: 0n,
      strict: true,
    });
    const counts = new Map<string, number>();
    for (const log of logs) {
      if (log.eventName !== "MessageDelivered" && log.eventName !== "MessageFailed") continue;
      const id = (log.args as { messageId: Hex }).messageId.toLowerCase();
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  const txCountOnB = (payer: number) =>
    evm.publicB.getTransactionCount({ address: payers[payer]?.address as Address, blockTag: "latest" });

  async function openShared(): Promise<Store> {
    return openStore({ kind: "postgres", url: db?.url as string });
  }

  it("two instances race over many messages: each delivered once, both work, a crashed claim is taken over after its lease", async () => {
    const messages = await sendMessages(24);
    // A crashed instance claimed the first two before dying: its lease runs out in 6 s.
    const store = await openShared();
    const crashedUntil = Date.now() + 6_000;
    try {
      for (const m of messages.slice(0, 2)) {
        await store.addDelivery({
          ...m,
          origin: 1001,
          destination: 1002,
          state: "pending",
          attempts: 0,
          nextAttemptAt: 0,
          firstSeenAt: Date.now(),
          quorumAt: null,
          deliveredAt: null,
          txHash: null,
          gasUsed: null,
          lastError: null,
        });
      }
      expect(await store.claimDeliveries("crashed", Date.now(), crashedUntil, 10)).toHaveLength(2);
      const before = [await txCountOnB(0), await txCountOnB(1)];
      const [r1, r2] = await Promise.all([relayer("r1", 0), relayer("r2", 1)]);
      await until(
        "every message delivered",
        async () => {
          const c = await store.countDeliveries();
          return c.delivered === messages.length ? c : undefined;
        },
        { timeoutMs: 120_000 },
      );
      const counts = await deliveriesOnB();
      for (const m of messages) expect(counts.get(m.messageId), m.messageId).toBe(1);
      // No wasted transaction: together the two paying accounts sent exactly one delivery per message.
      const sentBy = [(await txCountOnB(0)) - (before[0] ?? 0), (await txCountOnB(1)) - (before[1] ?? 0)];
      expect(sentBy[0]! + sentBy[1]!).toBe(messages.length);
      expect(sentBy[0]).toBeGreaterThan(0);
      expect(sentBy[1]).toBeGreaterThan(0);
      expect(await store.countDeliveries()).toEqual({
        pending: 0,
        delivered: messages.length,
        skipped: 0,
        failed: 0,
      });
      for (const m of messages.slice(0, 2)) {
        const d = await store.getDelivery(m.messageId);
        expect(d?.deliveredAt).toBeGreaterThanOrEqual(crashedUntil);
      }
      for (const m of messages) expect(await store.getClaim(m.messageId)).toBeUndefined();
      // Whose work was it: the tx senders on B are the two instances' accounts.
      const senders = new Set<string>();
      for (const m of messages) {
        const d = await store.getDelivery(m.messageId);
        const tx = await evm.publicB.getTransaction({ hash: d?.txHash as Hex });
        senders.add(tx.from.toLowerCase());
      }
      expect(senders).toEqual(new Set([payers[0]?.address.toLowerCase(), payers[1]?.address.toLowerCase()]));

      // The ops endpoints of a running instance, over HTTP.
      const url = r1?.url as string;
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", instanceId: "r1" });
      const ready = await until(
        "r1 ready",
        async () => {
          const r = await fetch(`${url}/ready`);
          return r.status === 200 ? r : undefined;
        },
        { timeoutMs: 10_000 },
      );
      expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(`maskoii_deliveries{state="delivered"} ${messages.length}`);
      expect(metrics).toMatch(/maskoii_delivery_claims_total\{outcome="claimed"\} [1-9]/);
      expect(metrics).toMatch(/maskoii_fees_spent_wei_total\{destination="1002",method="deliver"\} [1-9]/);
      expect(metrics).toMatch(/maskoii_gas_spent_total\{destination="1002",method="deliver"\} [1-9]/);
      expect(metrics).toMatch(/maskoii_delivery_latency_seconds_count\{destination="1002"\} [1-9]/);
      expect(metrics).toMatch(/maskoii_quorum_wait_seconds_count\{destination="1002"\} [1-9]/);
      expect(metrics).toContain("maskoii_fee_bumps_total");
      expect(metrics).toContain("maskoii_rpc_errors_total");
      const first = messages[0] as Sent;
      const record = await fetch(`${url}/messages/${first.messageId.toUpperCase().replace("0X", "0x")}`);
      expect(record.status).toBe(200);
      const body = (await record.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        messageId: first.messageId,
        state: "delivered",
        origin: 1001,
        destination: 1002,
        nonce: first.nonce.toString(),
        claim: null,
      });
      expect(body.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect((await fetch(`${url}/messages/0x1234`)).status).toBe(400);
      expect((await fetch(`${url}/messages/not-an-id`)).status).toBe(400);
      const unknown = await fetch(`${url}/messages/0x${"ab".repeat(32)}`);
      expect(unknown.status).toBe(404);
      expect((await unknown.json()) as { error: string }).toEqual({
        error: `message 0x${"ab".repeat(32)} is not tracked`,
      });
      expect((await fetch(`${url}/nope`)).status).toBe(404);

      await evm.stopRelayer(r1 as RelayerHandle);
      await evm.stopRelayer(r2 as RelayerHandle);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      await store.close();
    }
  });

  it("a graceful stop mid-round hands its claims back; another instance finishes without doubling", async () => {
    // Enough messages that one instance is still mid-round when it is told to stop (a delivery takes a few ms on a
    // local chain, so the stop must land while the round still has most of them ahead).
    const messages = await sendMessages(40);
    const store = await openShared();
    try {
      // One instance that claims everything at once, stopped as soon as it delivered something.
      const r3 = await relayer("r3", 2, { claimLimit: 100 });
      await until("r3 delivered one", async () => ((await store.countDeliveries()).delivered > 24 ? true : undefined), {
        timeoutMs: 60_000,
        everyMs: 10,
      });
      await evm.stopRelayer(r3);
      const afterStop = await store.countDeliveries();
      expect(afterStop.pending).toBeGreaterThan(0);
      for (const m of messages) expect((await store.getClaim(m.messageId))?.claimedBy).not.toBe("r3");
      const r4 = await relayer("r4", 3);
      await until("all delivered", async () => ((await store.countDeliveries()).pending === 0 ? true : undefined), {
        timeoutMs: 90_000,
      });
      const counts = await deliveriesOnB();
      for (const m of messages) expect(counts.get(m.messageId)).toBe(1);
      expect((await txCountOnB(2)) + (await txCountOnB(3))).toBe(messages.length);
      await evm.stopRelayer(r4);
    } finally {
      await store.close();
    }
  });

  it("`maskoii relayer` drains and exits 0 on SIGTERM; `maskoii status` reads the shared store", async () => {
    const home = join(evm.dir, "cli");
    await mkdir(home, { recursive: true });
    const fast = { n: 2 ** 10, r: 8, p: 1 };
    await writeKeystore(
      join(home, "key.json"),
      await encryptKey("secp256k1", payers[0]?.key.privateKey as Hex, PASSWORD, fast),
    );
    const port = await freePort();
    const config = {
      profile: "dev",
      chains: evm.chainsConfig(),
      store: { kind: "postgres", url: db?.url },
      keys: { keystore: join(home, "key.json") },
      relayer: relayerSection("cli", { metrics: { host: HOST, port } }),
      log: { level: "info" },
    };
    await writeFile(join(home, "config.json"), JSON.stringify(config));
    const env = { PATH: process.env.PATH ?? "", MASKOII_KEYSTORE_PASSWORD: PASSWORD };
    const child = spawn(process.execPath, [CLI, "relayer", "--config", join(home, "config.json")], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let logs = "";
    child.stdout.on("data", (c: Buffer) => {
      logs += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      logs += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await until(
        "the relayer process ready",
        async () => ((await fetch(`http://${HOST}:${port}/ready`)).status === 200 ? true : undefined),
        { timeoutMs: 60_000 },
      );
      const messages = await sendMessages(2);
      await until(
        "the process delivered",
        async () => {
          const r = await fetch(`http://${HOST}:${port}/messages/${messages[1]?.messageId}`);
          return r.status === 200 && ((await r.json()) as { state: string }).state === "delivered" ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      child.kill("SIGTERM");
      const code = await Promise.race([exited, sleep(30_000).then(() => "timeout")]);
      expect(code, logs).toBe(0);
      expect(logs).toContain("relayer stopped");
      expect(logs).not.toContain(PASSWORD);

      const status = await runCli(["status", "--config", join(home, "config.json")], { env });
      expect(status.code, status.stderr).toBe(0);
      const printed = JSON.parse(status.stdout) as {
        chains: Record<string, { latest: string; final: string; paused: boolean; currentSetId: string }>;
        deliveries: Record<string, number>;
      };
      expect(Object.keys(printed.chains).sort()).toEqual(["1001", "1002"]);
      expect(printed.chains["1002"]?.paused).toBe(false);
      expect(BigInt(printed.chains["1001"]?.latest ?? "0")).toBeGreaterThan(0n);
      expect(printed.deliveries).toEqual({ pending: 0, delivered: 24 + 40 + 2, skipped: 0, failed: 0 });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    }
  });
});

describe("relayer ops server readiness", () => {
  it("answers 503 with the reason until ready, then 200", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    let readiness = { ready: false, reason: "no delivery round completed yet" };
    const server = await startRelayerServer(
      { store, metrics: new Metrics(), log: silentLogger(), readiness: () => readiness, instanceId: "x" },
      { host: HOST, port: 0 },
    );
    try {
      const before = await fetch(`${server.url}/ready`);
      expect(before.status).toBe(503);
      expect(await before.json()).toEqual({ ready: false, reason: "no delivery round completed yet" });
      readiness = { ready: true, reason: "store and chains reachable" };
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      expect((await fetch(`${server.url}/health`, { method: "POST" })).status).toBe(405);
      // A store that fails answers 500 for /messages, not a crash.
      await store.close();
      expect((await fetch(`${server.url}/messages/0x${"11".repeat(32)}`)).status).toBe(500);
    } finally {
      await server.close();
    }
  });
});
