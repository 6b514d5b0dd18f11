// The relayer's side of attester authentication (attester.auth), over real HTTP servers. In-process attester servers
// with a real PGlite store: a relayer client with an allow-listed identity gets bulk signatures, signatures on request,
// batch roots and its evidence accepted; one with another key gets a 403 (AttesterAuthRefusedError naming the key to
// list), one without identity a 401, each logged once per endpoint, not per request; a refusal that ends is logged as
// ended. Then on two hardhat nodes with three attester nodes requiring signed requests: a relayer whose key is not on
// their list delivers nothing and says so once per attester; a relayer whose key is listed delivers every message.

import {
  createLogger,
  generatePrivateKey,
  koiiPublicKeyOf,
  type Logger,
  RelayerRequestSigner,
  silentLogger,
  type UnlockedKey,
} from "@maskoii/node-kit";
import { attestationDigest, gatewayAbi, signDigest } from "@maskoii/sdk";
import { groupAlive, until } from "@maskoii/testkit";
import { ed25519 } from "@noble/curves/ed25519.js";
import { createWalletClient, type Hex, http, keccak256, pad, parseEventLogs, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RelayerAuthenticator } from "../src/attester/auth.ts";
import { startAttesterServer } from "../src/attester/server.ts";
import { AttesterSigner, packSignature } from "../src/attester/signer.ts";
import { AttesterClient } from "../src/collector.ts";
import { attesterLimitsSchema } from "../src/config.ts";
import type { SignatureClaim } from "../src/koii/evidence.ts";
import { ByzantineReporter } from "../src/koii/reporter.ts";
import { koiiRoutes } from "../src/koii/routes.ts";
import { KoiiStore } from "../src/koii/store.ts";
import { Metrics } from "../src/metrics.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { chainA, devAccount, EvmStack, payer } from "./evm-stack.ts";
import { FakeChain, members, sampleMessage } from "./helpers.ts";

type Line = {
  level: number;
  msg: string;
  attester?: string;
  status?: number;
  relayer?: string | null;
  error?: string;
  identity?: string | null;
};

/** A logger whose lines (info and up) are kept in `lines`. */
function capturingLogger(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const log = createLogger(
    { level: "info", name: "test" },
    { write: (text: string) => void lines.push(JSON.parse(text) as Line) },
  );
  return { log, lines };
}

const refusalsIn = (lines: readonly Line[]) =>
  lines.filter((l) => l.msg === "attester refuses this relayer's requests");

/** A fresh relayer identity as a keystore unlocks it, and its base58 key (what an allow-list names). */
function ed25519Key(): { key: UnlockedKey; base58: string } {
  const privateKey = generatePrivateKey("ed25519");
  const publicKey = ed25519.getPublicKey(Buffer.from(privateKey.slice(2), "hex"));
  return {
    key: { kind: "ed25519", privateKey, publicId: `0x${Buffer.from(publicKey).toString("hex")}` },
    base58: koiiPublicKeyOf(privateKey),
  };
}

describe("relayer requests to attesters that require signed requests (in-process servers)", () => {
  const [me, byz] = members(2, "relayer auth attester");
  const chain = new FakeChain(1002, {
    setId: 1n,
    attesters: [me!.address],
    weights: [1n],
    thresholdBps: 10_000,
    totalWeight: 1n,
    expiresAt: 0,
  });
  const listed = generatePrivateKey("ed25519");
  const stranger = generatePrivateKey("ed25519");
  /** How far the node's clock runs ahead of the relayer's. */
  let skewMs = 0;
  const stores: Store[] = [];
  const closers: (() => Promise<void>)[] = [];
  let url = "";
  let store: Store;
  let signedNow = 0;

  beforeAll(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    stores.push(store);
    const log = silentLogger();
    const metrics = new Metrics();
    const server = await startAttesterServer(
      {
        store,
        chains: new Map([[1002, chain]]),
        signer: new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log, metrics }),
        metrics,
        log,
        ready: () => true,
        signBatches: true,
        signNow: async () => {
          signedNow++;
        },
        limits: attesterLimitsSchema.parse({}),
        auth: new RelayerAuthenticator(
          { relayers: [koiiPublicKeyOf(listed)], maxSkewMs: 30_000 },
          () => Date.now() + skewMs,
        ),
        koii: koiiRoutes({ tasks: new Map(), store: KoiiStore.of(store), log }),
      },
      { host: "127.0.0.1", port: 0 },
    );
    closers.push(server.close);
    url = server.url;
  });

  afterAll(async () => {
    for (const c of closers) await c();
    for (const s of stores) await s.close();
  });

  /** A relayer store for the reporter (its own, as a relayer has). */
  async function relayerStore(): Promise<Store> {
    const s = await openStore({ kind: "pglite", dataDir: "memory://" });
    stores.push(s);
    return s;
  }

  /** An off-topic claim signed by the byzantine key: attributable evidence. */
  function offTopic(n: number): { requested: Hex; claim: SignatureClaim } {
    const value = keccak256(stringToHex(`auth phantom ${n}`));
    const target = { domain: 1002, verifier: chain.verifier, attesterSetId: 1n };
    return {
      requested: keccak256(stringToHex(`auth requested ${n}`)),
      claim: {
        kind: "message",
        value,
        domain: 1002,
        verifier: chain.verifier,
        attesterSetId: "1",
        signer: byz!.address,
        signature: packSignature(signDigest(attestationDigest("message", { ...target, value }), byz!.key)),
        messageIds: [value],
      },
    };
  }

  it("an allow-listed relayer is served: bulk signatures, sign on request, a batch root, and its evidence", async () => {
    const messages = [sampleMessage(1n), sampleMessage(2n)];
    await store.recordObservedMany(messages.map((m) => ({ ...m, observedAt: 1 })));
    const ids = messages.map((m) => m.messageId);
    const { log, lines } = capturingLogger();
    const client = new AttesterClient([url], 5_000, { signer: new RelayerRequestSigner(listed), log });
    expect(client.identity).toBe(koiiPublicKeyOf(listed));

    const [bulk] = await client.signaturesMany(ids, { sign: true });
    expect(bulk?.ok, JSON.stringify(bulk)).toBe(true);
    expect(bulk?.ok && bulk.results.get(ids[0]!.toLowerCase())?.observed).toBe(true);
    expect(signedNow).toBe(1);
    // Identical requests back to back: distinct timestamps, so never refused as replays.
    const again = await Promise.all([client.signaturesMany(ids), client.signaturesMany(ids)]);
    expect(again.flat().every((a) => a.ok)).toBe(true);
    const [batch] = await client.batch(1002, ids);
    expect(batch?.ok, JSON.stringify(batch)).toBe(true);
    expect(batch?.ok && batch.signatures[0]?.kind).toBe("batch");
    // GET routes (open anyway) carry the headers too and are answered.
    expect((await client.signatures(ids[0]!))[0]?.ok).toBe(true);

    // The reporter forwards evidence signed: the node stores it. Unsigned, the node refuses it (401).
    const koii = KoiiStore.of(store);
    const signedReporter = new ByzantineReporter({
      store: KoiiStore.of(await relayerStore()),
      attesters: [url],
      log: silentLogger(),
      timeoutMs: 5_000,
      signer: new RelayerRequestSigner(listed),
    });
    const one = offTopic(1);
    expect(
      await signedReporter.inspect(one.requested, [{ source: url, ok: true, observed: true, signatures: [one.claim] }]),
    ).toHaveLength(1);
    expect(await koii.countEvidence()).toBe(1);
    const unsignedReporter = new ByzantineReporter({
      store: KoiiStore.of(await relayerStore()),
      attesters: [url],
      log: silentLogger(),
      timeoutMs: 5_000,
    });
    const two = offTopic(2);
    expect(
      await unsignedReporter.inspect(two.requested, [
        { source: url, ok: true, observed: true, signatures: [two.claim] },
      ]),
    ).toHaveLength(1);
    expect(await koii.countEvidence()).toBe(1);
    expect(refusalsIn(lines)).toEqual([]);
  });

  it("a key off the allow-list: 403 as AttesterAuthRefusedError naming the key to list, logged once", async () => {
    const ids = [sampleMessage(1n).messageId];
    const { log, lines } = capturingLogger();
    const client = new AttesterClient([url], 5_000, { signer: new RelayerRequestSigner(stranger), log });
    const before = signedNow;
    for (let i = 0; i < 5; i++) {
      for (const answer of [
        ...(await client.signaturesMany(ids, { sign: true })),
        ...(await client.batch(1002, ids)),
      ]) {
        expect(answer.ok).toBe(false);
        expect(!answer.ok && answer.error).toMatch(
          new RegExp(
            `refused this relayer \\(HTTP 403\\).*not on this node's allow-list; add ${koiiPublicKeyOf(stranger)}`,
          ),
        );
      }
    }
    expect(signedNow).toBe(before);
    const refusals = refusalsIn(lines);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 50, attester: url, status: 403, relayer: koiiPublicKeyOf(stranger) });
    expect(refusals[0]?.error).toMatch(/^AttesterAuthRefused: attester .* refused this relayer \(HTTP 403\)/);
  });

  it("no identity: 401 saying to set keys.identityKeystore, logged once; a skewed clock's refusal ends when fixed", async () => {
    const ids = [sampleMessage(1n).messageId];
    const { log, lines } = capturingLogger();
    const unsigned = new AttesterClient([url], 5_000, { log });
    for (let i = 0; i < 3; i++) {
      const [answer] = await unsigned.signaturesMany(ids);
      expect(!answer?.ok && answer?.error).toMatch(/HTTP 401.*missing.*set keys\.identityKeystore/);
    }
    expect(refusalsIn(lines)).toHaveLength(1);

    // The node's clock runs 60 s ahead of the relayer's (beyond maxSkewMs): 401 on the timestamp, logged once...
    const skewed = capturingLogger();
    const client = new AttesterClient([url], 5_000, { signer: new RelayerRequestSigner(listed), log: skewed.log });
    skewMs = 60_000;
    for (let i = 0; i < 3; i++) {
      const [answer] = await client.signaturesMany(ids);
      expect(!answer?.ok && answer?.error).toMatch(/HTTP 401.*x-maskoii-timestamp.*check this host's clock/);
    }
    expect(refusalsIn(skewed.lines)).toHaveLength(1);
    // ...and once the clocks agree again, served, and the end of the refusal is logged once.
    skewMs = 0;
    for (let i = 0; i < 2; i++) expect((await client.signaturesMany(ids))[0]?.ok).toBe(true);
    expect(skewed.lines.filter((l) => l.msg === "attester accepts this relayer's requests again")).toHaveLength(1);
  });
});

describe("a relayer through attester nodes that require signed requests (hardhat nodes)", () => {
  const evm = new EvmStack("relayer-auth");
  const listed = ed25519Key();
  const stranger = ed25519Key();
  const user = devAccount(1);
  const RECIPIENT = pad("0x000000000000000000000000000000000000bEEF", { size: 32 });

  beforeAll(() => evm.start({ attester: { auth: { relayers: [listed.base58] } } }), 240_000);

  afterAll(async () => {
    await evm.stop();
    for (const pid of evm.pids) expect(groupAlive(pid)).toBe(false);
  });

  async function relayer(dataDir: string, identityKey: UnlockedKey, log: Logger, payerIndex: number) {
    const config = await evm.resolved({
      store: { kind: "pglite", dataDir },
      relayer: {
        attesters: evm.attesters.map((x) => x.url),
        pollIntervalMs: 200,
        retry: { baseMs: 200, maxMs: 1_000, maxAttempts: 1_000 },
        maxBatchSize: 4,
        fees: { maxFeePerGasGwei: 500, bumpAfterMs: 2_000, bumpPercent: 20, receiptTimeoutMs: 30_000 },
      },
    });
    return evm.startRelayer(config, payer(payerIndex), { identityKey, log });
  }

  async function send(count: number): Promise<Hex[]> {
    const wallet = createWalletClient({ account: user, chain: chainA, transport: http(evm.rpcA) });
    const fee = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [1002, 2n],
    });
    const ids: Hex[] = [];
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
      ids.push(event.args.messageId.toLowerCase() as Hex);
    }
    return ids;
  }

  it("a key off the list delivers nothing and says so once per attester; the listed relayer delivers everything", async () => {
    const ids = await send(6);
    // Every attester observed them (open GET route): what follows is about authentication only.
    await until(
      "attesters observed the messages",
      async () => {
        for (const a of evm.attesters) {
          for (const id of ids) if ((await a.store.getObserved(id)) === undefined) return undefined;
        }
        return true;
      },
      { timeoutMs: 60_000 },
    );

    const refused = capturingLogger();
    const off = await relayer("memory://", stranger.key, refused.log, 2);
    await until(
      "refused by every attester",
      async () => (refusalsIn(refused.lines).length >= evm.attesters.length ? true : undefined),
      { timeoutMs: 30_000 },
    );
    // Several more rounds of refusals: still one line per attester, and nothing delivered.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const refusals = refusalsIn(refused.lines);
    expect(refusals.map((r) => r.attester).sort()).toEqual(evm.attesters.map((a) => a.url).sort());
    for (const r of refusals) {
      expect(r).toMatchObject({ level: 50, status: 403, relayer: stranger.base58 });
      expect(r.error).toContain(`add ${stranger.base58} to the node's attester.auth.relayers`);
    }
    expect((await off.store.countDeliveries()).delivered).toBe(0);
    const doc = await off.store.getDelivery(ids[0]!);
    expect(doc?.state).toBe("pending");
    await evm.stopRelayer(off);

    const served = capturingLogger();
    const on = await relayer("memory://", listed.key, served.log, 3);
    await until(
      "every message delivered",
      async () => {
        const c = await on.store.countDeliveries();
        return c.delivered === ids.length ? c : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(refusalsIn(served.lines)).toEqual([]);
    expect(served.lines.find((l) => l.msg === "relayer up")).toMatchObject({ identity: listed.base58 });
    // The gateway on B handled each message exactly once.
    const logs = await evm.publicB.getContractEvents({
      address: evm.b.gateway,
      abi: gatewayAbi,
      fromBlock: 0n,
      strict: true,
    });
    const handled = logs.filter((l) => l.eventName === "MessageDelivered" || l.eventName === "MessageFailed");
    for (const id of ids) {
      expect(handled.filter((l) => (l.args as { messageId: Hex }).messageId.toLowerCase() === id)).toHaveLength(1);
    }
  });
});
