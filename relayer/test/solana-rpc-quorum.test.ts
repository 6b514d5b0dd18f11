// Defence in depth for Solana origins over real parts: the local Solana endpoint (programs/local-rpc) with the maskoii
// program, and in front of it real local HTTP JSON-RPC proxies, one of which lies: it rewrites the message bytes of
// every outbox account it serves (a consistent forgery: the adapter derives the id from the bytes, so the watcher's
// own checks pass). An attester whose Solana origin is configured with `rpcs` (connectOriginQuorums) signs only what
// the quorum agrees on: 2 honest of 3 outvote the lie; 1 honest of 2 decides nothing, signs nothing, and says so in its
// log and metrics.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { createLogger } from "@maskoii/node-kit";
import { addressOfPrivateKey, decodeMessage, encodeMessage, messageId as idOf } from "@maskoii/sdk";
import type { MaskoiiSolanaClient } from "@maskoii/sdk/solana";
import { freePort } from "@maskoii/testkit";
import { Keypair } from "@solana/web3.js";
import { getAddress, type Hex, keccak256, stringToHex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttesterObserver } from "../src/attester/observer.ts";
import { AttesterSigner } from "../src/attester/signer.ts";
import { SolanaChainAdapter } from "../src/chains/solana.ts";
import { parseConfig, resolveChains } from "../src/config.ts";
import { RpcDisagreementError } from "../src/errors.ts";
import { Metrics } from "../src/metrics.ts";
import { connectChains, connectOriginQuorums, makeWatchers } from "../src/runtime.ts";
import { openStore } from "../src/store/index.ts";
import { FakeChain } from "./helpers.ts";
import {
  airdrop,
  HAVE_LOCAL_RPC,
  type LocalRpc,
  requireLocalRpc,
  SOLANA_DOMAIN,
  setUpProgram,
  startLocalRpc,
} from "./solana-helpers.ts";

const EVM = 1001;
const REMOTE_BRIDGE: Hex = `0x${"00".repeat(12)}${"b1".repeat(20)}`;
const REMOTE_TOKEN: Hex = `0x${"00".repeat(12)}${"70".repeat(20)}`;
const KEY = keccak256(stringToHex("solana quorum attester"));
const ME = getAddress(addressOfPrivateKey(KEY));
/** `sha256("account:OutboxMessage")[..8]`; the message follows at byte 65 (its u32 length at 61). */
const OUTBOX = createHash("sha256").update("account:OutboxMessage").digest().subarray(0, 8);

/** The lie the forging proxy tells about `message`: same length, another recipient. */
const lieOf = (message: Hex): Hex =>
  encodeMessage({ ...decodeMessage(message), recipient: toHex(0xbadn, { size: 32 }) });

/** Rewrites base64 account data in place when it is an outbox account. */
function forge(data: [string, string]): void {
  const d = Buffer.from(data[0], "base64");
  if (d.length < 65 || !d.subarray(0, 8).equals(OUTBOX)) return;
  const length = d.readUInt32LE(61);
  const lie = Buffer.from(lieOf(toHex(d.subarray(65, 65 + length))).slice(2), "hex");
  lie.copy(d, 65);
  data[0] = d.toString("base64");
}

type RpcCall = { id: unknown; method: string };
type AccountReply = { id: unknown; result?: { value?: { data?: unknown } | null } };

/** A JSON-RPC proxy in front of `upstream`; with `lie`, every outbox account it serves carries another message. */
async function startProxy(upstream: string, lie: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const answer = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    let text = await answer.text();
    if (lie) {
      const calls = [JSON.parse(body)].flat() as RpcCall[];
      const parsed = JSON.parse(text) as AccountReply | AccountReply[];
      for (const reply of [parsed].flat()) {
        const call = calls.find((c) => c.id === reply.id);
        const data = reply.result?.value?.data;
        if (call?.method === "getAccountInfo" && Array.isArray(data) && data[1] === "base64") {
          forge(data as [string, string]);
        }
      }
      text = JSON.stringify(parsed);
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

requireLocalRpc("solana-rpc-quorum.test");

describe.runIf(HAVE_LOCAL_RPC)("multi-RPC Solana origin reads with a lying provider", () => {
  let rpc: LocalRpc | undefined;
  let client: MaskoiiSolanaClient;
  const proxies: { url: string; close: () => Promise<void> }[] = [];
  let sent: { message: Hex; messageId: Hex; nonce: bigint };
  let slot: bigint;

  beforeAll(async () => {
    rpc = await startLocalRpc(50);
    let connection: Awaited<ReturnType<typeof setUpProgram>>["connection"];
    ({ connection, client } = await setUpProgram({
      url: rpc.url,
      attesters: [{ address: ME, weight: 1n }],
      thresholdBps: 10_000,
      remote: { domain: EVM, bridge: REMOTE_BRIDGE, token: REMOTE_TOKEN },
    }));
    const user = Keypair.generate();
    await airdrop(connection, user.publicKey, 10);
    const ix = await client.sendIx({
      sender: user.publicKey,
      payer: user.publicKey,
      destination: EVM,
      recipient: toHex(7n, { size: 32 }),
      payload: "0xc0ffee",
      maxFee: 1_000_000,
    });
    await client.sendAndConfirm([ix.instruction], [user]);
    sent = { message: ix.message.toLowerCase() as Hex, messageId: ix.messageId.toLowerCase() as Hex, nonce: ix.nonce };
    slot = (await client.fetchOutboxMessage(sent.nonce))?.slot ?? 0n;
    proxies.push(await startProxy(rpc.url, false));
    proxies.push(await startProxy(rpc.url, false));
    proxies.push(await startProxy(rpc.url, true));
    // The message is final (confirmed) for every provider before the attesters scan.
    const reader = await SolanaChainAdapter.connect({
      domain: SOLANA_DOMAIN,
      rpcUrl: rpc.url,
      programId: new (await import("@solana/web3.js")).PublicKey(rpc.programId),
      commitment: "confirmed",
    });
    const deadline = Date.now() + 10_000;
    while ((await reader.finalizedBlock()) < slot && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of proxies) await p.close();
    await rpc?.stop();
  });

  /** An attester over PGlite whose Solana origin is `rpcUrl` + `rpcs` in its config, destination 1001 a fake. */
  async function attester(rpcUrl: string, rpcs: readonly string[], rpcQuorum: number) {
    const config = await resolveChains(
      parseConfig({
        profile: "dev",
        chains: [
          {
            family: "solana",
            domain: SOLANA_DOMAIN,
            rpcUrl,
            programId: rpc!.programId,
            commitment: "confirmed",
            rpcs,
            rpcQuorum,
          },
        ],
        keys: { keystore: "unused.json" },
      }),
      tmpdir(),
    );
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    const metrics = new Metrics();
    const lines: string[] = [];
    const log = createLogger({ level: "warn", name: "solana-quorum-test" }, { write: (l: string) => lines.push(l) });
    const chains = await connectChains(config, { metrics, log });
    const origins = await connectOriginQuorums(config, chains, { log, metrics });
    const [watcher] = makeWatchers({ config, chains, origins, store, role: "attester", log, metrics });
    const destination = new FakeChain(EVM, {
      setId: 1n,
      attesters: [ME],
      weights: [1n],
      thresholdBps: 10_000,
      totalWeight: 1n,
      expiresAt: 0,
    });
    const signer = new AttesterSigner({ address: ME, privateKey: KEY, store, log, metrics });
    const observer = new AttesterObserver({
      chains: new Map([[EVM, destination]]),
      watchers: [watcher!],
      store,
      signer,
      log,
      metrics,
    });
    return { store, metrics, lines, watcher: watcher!, observer };
  }

  it("the liar alone would be believed (the proxy really lies)", async () => {
    const liar = await SolanaChainAdapter.connect({
      domain: SOLANA_DOMAIN,
      rpcUrl: proxies[2]!.url,
      programId: new (await import("@solana/web3.js")).PublicKey(rpc!.programId),
      commitment: "confirmed",
    });
    const [seen] = await liar.fetchSent(0n, await liar.finalizedBlock());
    expect(seen?.nonce).toBe(sent.nonce);
    expect(seen?.messageId).toBe(idOf(lieOf(sent.message)));
    expect(seen?.messageId).not.toBe(sent.messageId);
  });

  it("a Solana chain takes rpcs and a majority rpcQuorum; a minority quorum is refused", () => {
    const chain = {
      family: "solana",
      domain: SOLANA_DOMAIN,
      rpcUrl: "http://127.0.0.1:1",
      commitment: "finalized",
      rpcs: ["http://127.0.0.1:2", "http://127.0.0.1:3"],
    };
    expect(parseConfig({ chains: [{ ...chain, rpcQuorum: 2 }], keys: { keystore: "k.json" } }).chains[0]).toMatchObject(
      { rpcs: chain.rpcs, rpcQuorum: 2 },
    );
    expect(() => parseConfig({ chains: [{ ...chain, rpcQuorum: 1 }], keys: { keystore: "k.json" } })).toThrow(
      /rpcQuorum.*more than half/s,
    );
  });

  it("2 honest of 3 agree: the true message is signed, the lie is not, and the dissent is logged and metered", async () => {
    const a = await attester(proxies[0]!.url, [proxies[1]!.url, proxies[2]!.url], 2);
    try {
      await a.observer.tick();
      expect(a.observer.lastError).toBeUndefined();
      expect(a.observer.ready).toBe(true);
      expect((await a.store.getSignatures(sent.messageId)).map((s) => s.kind)).toEqual(["message"]);
      expect(await a.store.getObserved(idOf(lieOf(sent.message)))).toBeUndefined();
      expect(await a.store.getSignatures(idOf(lieOf(sent.message)))).toEqual([]);
      expect(await a.metrics.render()).toMatch(
        new RegExp(`maskoii_rpc_disagreements_total\\{domain="${SOLANA_DOMAIN}",outcome="outvoted"\\} 2`),
      );
      expect(a.lines.join("")).toMatch(/RPC providers disagree on a message/);
    } finally {
      await a.store.close();
    }
  });

  it("1 honest of 2 (quorum 2): nothing is recorded or signed, the range is retried, the disagreement is metered", async () => {
    const a = await attester(proxies[0]!.url, [proxies[2]!.url], 2);
    try {
      await expect(a.watcher.poll()).rejects.toBeInstanceOf(RpcDisagreementError);
      await a.observer.tick();
      expect(a.observer.ready).toBe(false);
      expect(a.observer.lastError).toMatch(/RpcDisagreement/);
      expect(await a.store.getObserved(sent.messageId)).toBeUndefined();
      expect(await a.store.getObserved(idOf(lieOf(sent.message)))).toBeUndefined();
      expect(await a.store.getSignatures(sent.messageId)).toEqual([]);
      expect(await a.store.getSignatures(idOf(lieOf(sent.message)))).toEqual([]);
      // The cursor did not move past the disputed range: agreement later still finds the message.
      expect(await a.store.getCursor(`attester:watch:${SOLANA_DOMAIN}`)).toBeUndefined();
      expect(await a.metrics.render()).toMatch(
        new RegExp(`maskoii_rpc_disagreements_total\\{domain="${SOLANA_DOMAIN}",outcome="undecided"\\} [2-9]`),
      );
    } finally {
      await a.store.close();
    }
  });
});
