// The e2e harness itself: the fault proxy injects exactly what it is told (against a real `hardhat node`), the local
// Solana endpoint starts and stops as a stack chain, and a stack whose start fails leaves no process behind.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { solanaChainConfigSchema } from "@maskoii/relayer";
import {
  type EvmChain,
  groupAlive,
  localRpcFromEnv,
  Supervisor,
  startEvmChain,
  startSolanaChain,
} from "@maskoii/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../lib/fault-proxy.ts";
import { Stack } from "../lib/stack.ts";

async function call(url: string, method: string, params: unknown[] = []): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
}

async function result(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  return ((await (await call(url, method, params)).json()) as { result: unknown }).result;
}

describe("fault proxy in front of a hardhat node", () => {
  const supervisor = new Supervisor();
  let dir = "";
  let chain: EvmChain;
  let proxy: FaultProxy;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-e2e-harness-"));
    chain = await startEvmChain({
      supervisor,
      logDir: dir,
      spec: { name: "chainA", domain: 1001, chainId: 31337, finality: { kind: "confirmations", depth: 0 } },
    });
    proxy = await new FaultProxy({ upstream: chain.rpcUrl, name: "harness", seed: 7 }).start();
  });

  afterAll(async () => {
    await proxy?.close();
    const pids = supervisor.processes().map((p) => p.pid);
    await supervisor.stopAll();
    for (const pid of pids) expect(groupAlive(pid)).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it("passes requests through and counts them by method", async () => {
    proxy.resetCounters();
    expect(await result(proxy.url, "eth_chainId")).toBe("0x7a69");
    expect(proxy.counters).toMatchObject({ requests: 1, forwarded: 1, byMethod: { eth_chainId: 1 } });
  });

  it("answers HTTP 500 for the methods it is told, forwards the others", async () => {
    proxy.resetCounters();
    proxy.setFaults([{ kind: "error500", methods: ["eth_blockNumber"] }]);
    expect((await call(proxy.url, "eth_blockNumber")).status).toBe(500);
    expect(await result(proxy.url, "eth_chainId")).toBe("0x7a69");
    proxy.clearFaults();
    expect(proxy.counters).toMatchObject({
      error500: 1,
      forwarded: 1,
      faultsByMethod: { "error500:eth_blockNumber": 1 },
    });
  });

  it("drops a connection before the node sees the request, or after (the node acted, the client saw nothing)", async () => {
    proxy.resetCounters();
    const before = BigInt((await result(chain.rpcUrl, "eth_blockNumber")) as string);
    proxy.setFaults([{ kind: "drop", methods: ["evm_mine"] }]);
    await expect(call(proxy.url, "evm_mine")).rejects.toThrow();
    expect(BigInt((await result(chain.rpcUrl, "eth_blockNumber")) as string)).toBe(before);
    proxy.setFaults([{ kind: "drop-response", methods: ["evm_mine"] }]);
    await expect(call(proxy.url, "evm_mine")).rejects.toThrow();
    expect(BigInt((await result(chain.rpcUrl, "eth_blockNumber")) as string)).toBe(before + 1n);
    proxy.clearFaults();
    expect(proxy.counters).toMatchObject({ dropped: 1, droppedResponses: 1, forwarded: 1 });
  });

  it("delays requests by the configured time", async () => {
    proxy.setFaults([{ kind: "delay", delayMs: 400 }]);
    const started = performance.now();
    expect(await result(proxy.url, "eth_chainId")).toBe("0x7a69");
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    proxy.clearFaults();
  });

  it("faults for a time window only, and at a seeded rate", async () => {
    proxy.resetCounters();
    proxy.faultFor(300, { kind: "error500" });
    expect((await call(proxy.url, "eth_chainId")).status).toBe(500);
    await new Promise((r) => setTimeout(r, 350));
    expect((await call(proxy.url, "eth_chainId")).status).toBe(200);
    proxy.setFaults([{ kind: "error500", rate: 0.3 }]);
    let failed = 0;
    for (let i = 0; i < 100; i++) if ((await call(proxy.url, "eth_chainId")).status === 500) failed++;
    proxy.clearFaults();
    expect(failed).toBeGreaterThan(15);
    expect(failed).toBeLessThan(45);
    expect(proxy.counters.error500).toBe(1 + failed);
    expect(() => proxy.setFaults([{ kind: "drop", rate: 2 }])).toThrow(/outside 0..1/);
  });
});

describe("stack lifecycle", () => {
  it.runIf(localRpcFromEnv() !== undefined)("starts and stops the local Solana endpoint as a stack chain", async () => {
    const supervisor = new Supervisor();
    const dir = await mkdtemp(join(tmpdir(), "maskoii-e2e-solana-"));
    try {
      const solana = await startSolanaChain({ supervisor, binary: localRpcFromEnv()!, logDir: dir });
      expect(solana.domain).toBe(1003);
      // Its chains[] entry is one the maskoii config accepts as a Solana chain.
      const entry = solana.nodeConfig(solana.rpcUrl);
      expect(solanaChainConfigSchema.parse(entry)).toMatchObject({
        family: "solana",
        domain: 1003,
        rpcUrl: solana.rpcUrl,
        programId: solana.programId,
        commitment: "finalized",
      });
      const version = (await result(solana.rpcUrl, "getVersion")) as { "solana-core"?: string };
      expect(typeof version["solana-core"]).toBe("string");
      const pid = solana.process.pid;
      await supervisor.stopAll();
      expect(groupAlive(pid)).toBe(false);
    } finally {
      await supervisor.stopAll();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a stack whose start fails stops every process it had started", async () => {
    const saved = process.env.MASKOII_LOCAL_RPC;
    delete process.env.MASKOII_LOCAL_RPC;
    const stack = new Stack({ label: "broken", solana: true });
    try {
      // Both EVM chains start, then the Solana chain cannot: no binary named.
      await expect(stack.up()).rejects.toThrow(/MASKOII_LOCAL_RPC/);
    } finally {
      if (saved !== undefined) process.env.MASKOII_LOCAL_RPC = saved;
    }
    const pids = stack.allPids();
    expect(pids).toHaveLength(2);
    expect(pids.every((pid) => groupAlive(pid))).toBe(true);
    await stack.stop();
    expect(pids.some((pid) => groupAlive(pid))).toBe(false);
  });
});
