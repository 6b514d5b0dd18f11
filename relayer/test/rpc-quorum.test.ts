// Defence in depth over real parts: a `hardhat node` with a deployed Gateway, and in front of it real local HTTP
// JSON-RPC proxies, one of which lies: it rewrites every MessageSent log (a consistent forgery: other message bytes,
// their id in the topic, so the watcher's own checks pass). An attester whose origin is read through a quorum of
// providers (chains/quorum.ts) signs only what the quorum agrees on: 2 honest of 3 outvote the lie; 1 honest of 2
// decides nothing, signs nothing, and says so in its log and metrics.
import { createServer, type Server } from "node:http";
import { createLogger } from "@maskoii/node-kit";
import { decodeMessage, encodeMessage, messageId as idOf } from "@maskoii/sdk";
import { freePort } from "@maskoii/testkit";
import { decodeAbiParameters, encodeAbiParameters, type Hex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttesterObserver } from "../src/attester/observer.ts";
import { AttesterSigner } from "../src/attester/signer.ts";
import { EvmChainAdapter } from "../src/chains/evm.ts";
import { type OriginReader, QuorumOriginReader } from "../src/chains/quorum.ts";
import { MessageWatcher } from "../src/chains/watcher.ts";
import { RpcDisagreementError } from "../src/errors.ts";
import { AttestationsKind } from "../src/koii/kinds/attestations.ts";
import { KoiiStore } from "../src/koii/store.ts";
import { Metrics } from "../src/metrics.ts";
import { openStore } from "../src/store/index.ts";
import { FakeChain, members } from "./helpers.ts";
import { startTestChain, type TestChain } from "./koii-chain.ts";

type RpcCall = { id: unknown; method: string };
type Log = { topics: Hex[]; data: Hex };

/** A JSON-RPC proxy in front of `upstream`; with `lie`, every MessageSent log is rewritten into another message. */
async function startProxy(upstream: string, lie: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const answer = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    let text = await answer.text();
    if (lie) {
      const calls = [JSON.parse(body)].flat() as RpcCall[];
      const replies = [JSON.parse(text)].flat() as { id: unknown; result?: unknown }[];
      for (const reply of replies) {
        const call = calls.find((c) => c.id === reply.id);
        if (call?.method !== "eth_getLogs" || !Array.isArray(reply.result)) continue;
        for (const log of reply.result as Log[]) forge(log);
      }
      text = JSON.stringify(Array.isArray(JSON.parse(text)) ? replies : replies[0]);
    }
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(text);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Rewrites a MessageSent log (topics: sig, id, destination, nonce; data: bytes message) into a consistent lie. */
function forge(log: Log): void {
  if (log.topics.length !== 4) return;
  const [message] = decodeAbiParameters([{ type: "bytes" }], log.data);
  const m = decodeMessage(message);
  const lie = encodeMessage({ ...m, recipient: toHex(0xbadn, { size: 32 }), payload: "0x5ea1" });
  log.data = encodeAbiParameters([{ type: "bytes" }], [lie]);
  log.topics[1] = idOf(lie);
}

describe("multi-RPC origin reads with a lying provider", () => {
  const [me] = members(1, "quorum attester");
  let chain: TestChain;
  const proxies: { url: string; close: () => Promise<void> }[] = [];
  let sent: Awaited<ReturnType<TestChain["send"]>>;

  beforeAll(async () => {
    chain = await startTestChain([me!.address]);
    sent = await chain.send("0x0102");
    proxies.push(await startProxy(chain.rpcUrl, false));
    proxies.push(await startProxy(chain.rpcUrl, false));
    proxies.push(await startProxy(chain.rpcUrl, true));
  }, 240_000);
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await chain?.stop();
  });

  /** An attester over PGlite whose origin 1001 is read through `urls` with `quorum`, destination 1002 a fake. */
  async function attester(urls: readonly string[], quorum: number) {
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    const metrics = new Metrics();
    const lines: string[] = [];
    const log = createLogger({ level: "warn", name: "quorum-test" }, { write: (l: string) => lines.push(l) });
    const providers: { name: string; reader: OriginReader }[] = [];
    for (const [i, rpcUrl] of urls.entries()) {
      const reader = await EvmChainAdapter.connect({
        domain: 1001,
        rpcUrl,
        gateway: chain.gateway,
        finality: { kind: "confirmations", depth: 0 },
      });
      providers.push({ name: `provider${i}`, reader });
    }
    const origin = new QuorumOriginReader({ domain: 1001, providers, quorum, log, metrics });
    const watcher = new MessageWatcher({
      adapter: origin,
      store,
      startBlock: Number(chain.deployBlock),
      maxBlockRange: 1_000,
      role: "attester",
      log,
      metrics,
    });
    const destination = new FakeChain(1002, {
      setId: 1n,
      attesters: [me!.address],
      weights: [1n],
      thresholdBps: 10_000,
      totalWeight: 1n,
      expiresAt: 0,
    });
    const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log, metrics });
    const observer = new AttesterObserver({
      chains: new Map([[1002, destination]]),
      watchers: [watcher],
      store,
      signer,
      log,
      metrics,
    });
    return { store, metrics, lines, watcher, observer };
  }

  const lieOf = (message: Hex) =>
    idOf(encodeMessage({ ...decodeMessage(message), recipient: toHex(0xbadn, { size: 32 }), payload: "0x5ea1" }));

  it("the liar alone would be believed (the proxy really lies)", async () => {
    const liar = await EvmChainAdapter.connect({
      domain: 1001,
      rpcUrl: proxies[2]!.url,
      gateway: chain.gateway,
      finality: { kind: "confirmations", depth: 0 },
    });
    const [seen] = await liar.fetchSent(chain.deployBlock, await liar.finalizedBlock());
    expect(seen?.messageId).toBe(lieOf(sent.message));
    expect(seen?.messageId).not.toBe(sent.messageId);
  });

  it("2 honest of 3 agree: the true message is signed, the lie is not, and the dissent is logged and metered", async () => {
    const a = await attester(
      proxies.map((p) => p.url),
      2,
    );
    try {
      await a.observer.tick();
      expect(a.observer.ready).toBe(true);
      expect((await a.store.getSignatures(sent.messageId)).map((s) => s.kind)).toEqual(["message"]);
      expect(await a.store.getObserved(lieOf(sent.message))).toBeUndefined();
      expect(await a.store.getSignatures(lieOf(sent.message))).toEqual([]);
      expect(await a.metrics.render()).toMatch(/maskoii_rpc_disagreements_total\{domain="1001",outcome="outvoted"\} 2/);
      expect(a.lines.join("")).toMatch(/RPC providers disagree on a message/);
    } finally {
      await a.store.close();
    }
  });

  it("1 honest of 2 (quorum 2): nothing is recorded or signed, the range is retried, the disagreement is metered", async () => {
    const a = await attester([proxies[0]!.url, proxies[2]!.url], 2);
    try {
      await expect(a.watcher.poll()).rejects.toBeInstanceOf(RpcDisagreementError);
      await a.observer.tick();
      expect(a.observer.ready).toBe(false);
      expect(a.observer.lastError).toMatch(/RpcDisagreement/);
      expect(await a.store.getObserved(sent.messageId)).toBeUndefined();
      expect(await a.store.getObserved(lieOf(sent.message))).toBeUndefined();
      expect(await a.store.getSignatures(sent.messageId)).toEqual([]);
      expect(await a.store.getSignatures(lieOf(sent.message))).toEqual([]);
      // The cursor did not move past the disputed range: agreement later still finds the message.
      expect(await a.store.getCursor("attester:watch:1001")).toBeUndefined();
      expect(await a.metrics.render()).toMatch(
        /maskoii_rpc_disagreements_total\{domain="1001",outcome="undecided"\} [2-9]/,
      );
    } finally {
      await a.store.close();
    }
  });

  /** A quorum reader over `urls` for audits (no store needed: audits read the chain). */
  async function auditReader(urls: readonly string[], quorum: number) {
    const metrics = new Metrics();
    const lines: string[] = [];
    const log = createLogger({ level: "warn", name: "quorum-audit" }, { write: (l: string) => lines.push(l) });
    const providers: { name: string; reader: OriginReader }[] = [];
    for (const [i, rpcUrl] of urls.entries()) {
      const reader = await EvmChainAdapter.connect({
        domain: 1001,
        rpcUrl,
        gateway: chain.gateway,
        finality: { kind: "confirmations", depth: 0 },
      });
      providers.push({ name: `provider${i}`, reader });
    }
    return { reader: new QuorumOriginReader({ domain: 1001, providers, quorum, log, metrics }), metrics, lines };
  }

  it("audits read through the quorum: one lying provider cannot hide an honest signer's message (no framing)", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    try {
      const log = createLogger({ level: "silent", name: "audit" });
      const startBlocks = new Map([[1001, chain.deployBlock]]);
      // The liar alone: the auditor would not find the honest message (the ground for an unbacked-attestation vote).
      const liar = await EvmChainAdapter.connect({
        domain: 1001,
        rpcUrl: proxies[2]!.url,
        gateway: chain.gateway,
        finality: { kind: "confirmations", depth: 0 },
      });
      const alone = new AttestationsKind({
        store: KoiiStore.of(store),
        chains: new Map([[1001, liar]]),
        startBlocks,
        log,
      });
      expect(await alone.findAnywhere(sent.messageId)).toBeUndefined();

      // 2 honest of 3: the auditor finds it, and the nonce holds it.
      const q = await auditReader(
        proxies.map((p) => p.url),
        2,
      );
      const kind = new AttestationsKind({
        store: KoiiStore.of(store),
        chains: new Map([[1001, liar]]),
        origins: new Map([[1001, q.reader]]),
        startBlocks,
        log,
      });
      expect(await kind.findAnywhere(sent.messageId)).toEqual({ origin: 1001, final: true });
      const atNonce = await q.reader.sentAtNonce(sent.nonce, chain.deployBlock);
      expect(typeof atNonce === "string" ? atNonce : atNonce.messageId).toBe(sent.messageId);
      expect(await q.metrics.render()).toMatch(/maskoii_rpc_disagreements_total\{domain="1001",outcome="outvoted"\}/);

      // 1 honest of 2 (quorum 2): no answer at all, so no vote, never a fault.
      const split = await auditReader([proxies[0]!.url, proxies[2]!.url], 2);
      const undecided = new AttestationsKind({
        store: KoiiStore.of(store),
        chains: new Map(),
        origins: new Map([[1001, split.reader]]),
        startBlocks,
        log,
      });
      await expect(undecided.findAnywhere(sent.messageId)).rejects.toBeInstanceOf(RpcDisagreementError);
    } finally {
      await store.close();
    }
  });
});
