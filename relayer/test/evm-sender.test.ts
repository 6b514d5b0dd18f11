// The EVM sender against a real `hardhat node`: fee bumping of an underpriced transaction (mined once, at the same
// nonce), a replaced transaction that is mined anyway, distinct nonces under concurrent sends, and recovery from a
// nonce desync (another sender used our nonce) and from a gap (a dropped transaction). Mining is driven by the test
// (automine off) where timing matters.

import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { groupAlive, Supervisor, startHardhatNode } from "@maskoii/testkit";
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  parseGwei,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BumpEvent, bump, EvmSender, type FeePolicy } from "../src/chains/evm-sender.ts";
import { FeeCapExceededError } from "../src/errors.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const chain = defineChain({
  id: 31337,
  name: "sender-test",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
const recipient = "0x000000000000000000000000000000000000dEaD" as Address;

const policy: FeePolicy = {
  maxFeePerGas: parseGwei("1000"),
  bumpAfterMs: 300,
  bumpPercent: 20,
  receiptTimeoutMs: 30_000,
  pollIntervalMs: 50,
};

describe("EVM sender (hardhat node)", () => {
  const supervisor = new Supervisor();
  let dir = "";
  let rpc = "";
  let client: PublicClient;
  let test: ReturnType<typeof createTestClient>;
  let pid = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-sender-"));
    const node = await startHardhatNode({ supervisor, name: "chain", chainId: 31337, logFile: join(dir, "chain.log") });
    rpc = node.rpcUrl;
    pid = node.process.pid;
    client = createPublicClient({ chain, transport: http(rpc) }) as PublicClient;
    test = createTestClient({ chain, mode: "hardhat", transport: http(rpc) });
  });

  afterAll(async () => {
    await supervisor.stopAll();
    expect(groupAlive(pid)).toBe(false);
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  const senderFor = (index: number, url = rpc, bumps: BumpEvent[] = [], overrides: Partial<FeePolicy> = {}) =>
    new EvmSender({
      domain: 1001,
      chainId: 31337,
      client: createPublicClient({ chain, transport: http(url) }) as PublicClient,
      account: mnemonicToAccount(MNEMONIC, { addressIndex: index }),
      policy: { ...policy, ...overrides },
      onBump: (e) => bumps.push(e),
    });

  /** Mines a block every `everyMs` until `done` settles (bounded). */
  async function mineUntil<T>(done: Promise<T>, everyMs = 150, max = 200): Promise<T> {
    let settled = false;
    const watched = done.finally(() => {
      settled = true;
    });
    for (let i = 0; i < max && !settled; i++) {
      await sleep(everyMs);
      if (!settled) await test.mine({ blocks: 1 });
    }
    return watched;
  }

  /** Brings the base fee back to 1 gwei (earlier tests raise it). */
  async function calmFees(): Promise<void> {
    await test.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("1") });
    await test.mine({ blocks: 1 });
  }

  async function inMempool(address: Address, count: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [pending, latest] = await Promise.all([
        client.getTransactionCount({ address, blockTag: "pending" }),
        client.getTransactionCount({ address, blockTag: "latest" }),
      ]);
      if (pending - latest >= count) return;
      await sleep(25);
    }
    throw new Error("transaction never reached the mempool");
  }

  it("replaces an underpriced transaction at the same nonce with >=10% higher fees; it is mined once", async () => {
    const bumps: BumpEvent[] = [];
    const sender = senderFor(5, rpc, bumps);
    const before = await client.getBalance({ address: recipient });
    const nonce = await client.getTransactionCount({ address: sender.address });
    await calmFees();
    await test.setAutomine(false);
    try {
      const sending = sender.send({ to: recipient, data: "0x", gas: 21_000n, value: 7n });
      await inMempool(sender.address, 1);
      // The base fee jumps far above what the transaction offers: the next block leaves it out.
      await test.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("150") });
      await test.mine({ blocks: 1 });
      const block = await client.getBlock({ blockTag: "latest" });
      expect(block.transactions).toHaveLength(0);
      const sent = await mineUntil(sending);

      expect(sent.nonce).toBe(nonce);
      expect(sent.bumps).toBeGreaterThanOrEqual(1);
      expect(sent.hashes.length).toBe(sent.bumps + 1);
      expect(sent.receipt.status).toBe("success");
      expect(sent.receipt.transactionHash).not.toBe(sent.hashes[0]);
      expect(sent.hashes).toContain(sent.receipt.transactionHash);
      // Every replacement raised both fields by at least the replacement minimum, and covered the new base fee.
      for (const e of bumps) {
        expect(e.nonce).toBe(nonce);
        expect(e.to.maxFeePerGas).toBeGreaterThanOrEqual(bump(e.from.maxFeePerGas, 10));
        expect(e.to.maxPriorityFeePerGas).toBeGreaterThanOrEqual(bump(e.from.maxPriorityFeePerGas, 10));
      }
      expect(bumps.at(-1)?.to.maxFeePerGas).toBeGreaterThanOrEqual(parseGwei("150"));
      // Mined exactly once: the value arrived once and the first broadcast has no receipt.
      expect((await client.getBalance({ address: recipient })) - before).toBe(7n);
      await expect(client.getTransactionReceipt({ hash: sent.hashes[0] as Hex })).rejects.toThrow(/not be found/);
      expect(await client.getTransactionCount({ address: sender.address })).toBe(nonce + 1);
    } finally {
      await test.setAutomine(true);
    }
  });

  it("a replaced transaction that gets mined anyway is the outcome", async () => {
    // A node that accepts replacements but never propagates them (as a lagging mempool would): the original wins.
    let swallow = false;
    const proxy: Server = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", async () => {
        const call = JSON.parse(body) as { id: number; method: string; params: [Hex] };
        if (swallow && call.method === "eth_sendRawTransaction") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: keccak256(call.params[0]) }));
          return;
        }
        const upstream = await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" }, body });
        res.writeHead(upstream.status, { "content-type": "application/json" });
        res.end(await upstream.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const bumps: BumpEvent[] = [];
    const sender = senderFor(6, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, bumps);
    await calmFees();
    await test.setAutomine(false);
    try {
      const sending = sender.send({ to: recipient, data: "0x", gas: 21_000n, value: 1n });
      await inMempool(sender.address, 1);
      swallow = true;
      await test.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("150") });
      await test.mine({ blocks: 1 });
      for (let i = 0; i < 100 && bumps.length === 0; i++) await sleep(50);
      expect(bumps.length).toBeGreaterThanOrEqual(1);
      // The base fee falls back: the original broadcast (still in the real mempool) is mined.
      await test.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("1") });
      const sent = await mineUntil(sending);
      expect(sent.receipt.transactionHash).toBe(sent.hashes[0]);
      expect(sent.hashes.length).toBeGreaterThanOrEqual(2);
      expect(sent.receipt.status).toBe("success");
    } finally {
      swallow = false;
      await test.setAutomine(true);
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it("concurrent sends from one account get distinct, consecutive nonces and all land", async () => {
    const sender = senderFor(7);
    const start = await client.getTransactionCount({ address: sender.address });
    const sent = await Promise.all(
      Array.from({ length: 12 }, () => sender.send({ to: recipient, data: "0x", gas: 21_000n, value: 1n })),
    );
    const nonces = sent.map((s) => s.nonce).sort((a, b) => a - b);
    expect(nonces).toEqual(Array.from({ length: 12 }, (_, i) => start + i));
    for (const s of sent) expect(s.receipt.status).toBe("success");
    expect(await client.getTransactionCount({ address: sender.address })).toBe(start + 12);
  });

  it("resyncs when another sender used its nonce (nonce too low)", async () => {
    const account = mnemonicToAccount(MNEMONIC, { addressIndex: 8 });
    const sender = senderFor(8);
    const first = await sender.send({ to: recipient, data: "0x", gas: 21_000n });
    expect(sender.nonces.next).toBe(first.nonce + 1);
    // The same key used elsewhere (another process): the chain is now ahead of the local nonce.
    const wallet = createWalletClient({ account, chain, transport: http(rpc) });
    await wallet.sendTransaction({ to: recipient, value: 1n });
    await wallet.sendTransaction({ to: recipient, value: 1n });
    const next = await sender.send({ to: recipient, data: "0x", gas: 21_000n });
    expect(next.nonce).toBe(first.nonce + 3);
    expect(next.receipt.status).toBe("success");
  });

  it("recovers from a gap: a dropped transaction is re-broadcast and the one queued behind it lands", async () => {
    const sender = senderFor(9);
    const start = await client.getTransactionCount({ address: sender.address });
    await test.setAutomine(false);
    try {
      const a = sender.send({ to: recipient, data: "0x", gas: 21_000n, value: 1n });
      await inMempool(sender.address, 1);
      const b = sender.send({ to: recipient, data: "0x", gas: 21_000n, value: 2n });
      await inMempool(sender.address, 2);
      // The node forgets the first transaction: nonce `start` is now a gap in front of the second.
      const block = (await client.request({
        method: "eth_getBlockByNumber",
        params: ["pending", true],
      } as never)) as { transactions: { hash: Hex; nonce: Hex; from: string }[] };
      const first = block.transactions.find(
        (t) => t.from.toLowerCase() === sender.address.toLowerCase() && Number(t.nonce) === start,
      );
      expect(first).toBeDefined();
      await test.dropTransaction({ hash: first?.hash as Hex });
      await test.mine({ blocks: 1 });
      expect(await client.getTransactionCount({ address: sender.address })).toBe(start);
      const [sa, sb] = await mineUntil(Promise.all([a, b]));
      expect([sa.nonce, sb.nonce]).toEqual([start, start + 1]);
      expect(sa.bumps).toBeGreaterThanOrEqual(1);
      expect(await client.getTransactionCount({ address: sender.address })).toBe(start + 2);
    } finally {
      await test.setAutomine(true);
    }
  });

  it("refuses to send when the base fee is above the cap (no transaction left stuck)", async () => {
    const sender = senderFor(10, rpc, [], { maxFeePerGas: parseGwei("2") });
    const start = await client.getTransactionCount({ address: sender.address, blockTag: "pending" });
    await test.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("50") });
    await test.mine({ blocks: 1 });
    await expect(sender.send({ to: recipient, data: "0x", gas: 21_000n })).rejects.toBeInstanceOf(FeeCapExceededError);
    expect(await client.getTransactionCount({ address: sender.address, blockTag: "pending" })).toBe(start);
  });
});
