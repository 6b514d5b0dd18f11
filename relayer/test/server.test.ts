import { silentLogger } from "@maskoii/node-kit";
import { attestationDigest, batchRoot, recoverSigner } from "@maskoii/sdk";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAttesterServer } from "../src/attester/server.ts";
import { AttesterSigner } from "../src/attester/signer.ts";
import { Metrics } from "../src/metrics.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeChain, members, sampleMessage } from "./helpers.ts";

const [me] = members(1, "server attester");
const chain = new FakeChain(1002, {
  setId: 4n,
  attesters: [me!.address],
  weights: [1n],
  thresholdBps: 10_000,
  totalWeight: 1n,
  expiresAt: 0,
});
const split = (sig: string) => ({
  r: `0x${sig.slice(2, 66)}` as Hex,
  s: `0x${sig.slice(66, 130)}` as Hex,
  v: Number.parseInt(sig.slice(130), 16),
});

describe("attester HTTP server", () => {
  let store: Store;
  let url = "";
  let close: () => Promise<void> = async () => {};
  let ready = false;
  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, text: await response.text() };
  };
  const post = async (body: unknown) => {
    const response = await fetch(`${url}/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    const metrics = new Metrics();
    const signer = new AttesterSigner({
      address: me!.address,
      privateKey: me!.key,
      store,
      log: silentLogger(),
      metrics,
    });
    const server = await startAttesterServer(
      {
        store,
        chains: new Map([[1002, chain]]),
        signer,
        metrics,
        log: silentLogger(),
        ready: () => ready,
        signBatches: true,
      },
      { host: "127.0.0.1", port: 0 },
    );
    url = server.url;
    close = server.close;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  afterAll(async () => {
    await close();
    await store.close();
  });

  it("serves /health, /ready (503 until the first round), /metrics and 404s", async () => {
    expect((await get("/health")).status).toBe(200);
    expect((await get("/ready")).status).toBe(503);
    ready = true;
    expect((await get("/ready")).status).toBe(200);
    expect((await get("/metrics")).text).toContain("maskoii_signatures_total");
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/identity")).status).toBe(404);
  });

  it("GET /signatures/:id validates the id and reports unobserved messages", async () => {
    expect((await get("/signatures/0x1234")).status).toBe(400);
    const m = sampleMessage(0n);
    const body = JSON.parse((await get(`/signatures/${m.messageId}`)).text);
    expect(body).toMatchObject({ observed: false, signatures: [] });
  });

  it("serves the signatures it made, verifiable against the destination gateway", async () => {
    const m = sampleMessage(1n);
    await store.recordObserved({ ...m, observedAt: 1 });
    const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log: silentLogger() });
    await signer.signMessage(
      { messageId: m.messageId, originDomain: 1001, nonce: 1n },
      { domain: 1002, verifier: chain.verifier, attesterSetId: 4n },
    );
    const body = JSON.parse((await get(`/signatures/${m.messageId.toUpperCase().replace("0X", "0x")}`)).text);
    expect(body.observed).toBe(true);
    expect(body.signatures).toHaveLength(1);
    const s = body.signatures[0];
    expect(s.attesterSetId).toBe("4");
    const digest = attestationDigest("message", {
      domain: 1002,
      verifier: chain.verifier,
      attesterSetId: 4n,
      value: m.messageId,
    });
    expect(recoverSigner(digest, split(s.signature))).toBe(me!.address);
  });

  it("POST /batches signs a root only over messages it observed final, for their destination", async () => {
    const a = sampleMessage(2n);
    const b = sampleMessage(3n);
    const unseen = sampleMessage(4n);
    await store.recordObserved({ ...a, observedAt: 1 });
    await store.recordObserved({ ...b, observedAt: 1 });
    expect((await post("{not json")).status).toBe(400);
    expect((await post({ destination: 1002, messageIds: [] })).status).toBe(400);
    expect((await post({ destination: 1002, messageIds: [a.messageId, a.messageId] })).status).toBe(400);
    expect((await post({ destination: 1003, messageIds: [a.messageId] })).status).toBe(404);
    const refused = await post({ destination: 1002, messageIds: [a.messageId, unseen.messageId] });
    expect(refused.status).toBe(409);
    expect(String(refused.json.error)).toContain("not observed");
    const ok = await post({ destination: 1002, messageIds: [a.messageId, b.messageId] });
    expect(ok.status).toBe(200);
    const root = batchRoot([a.messageId, b.messageId]);
    expect(ok.json.value).toBe(root);
    const digest = attestationDigest("batch", {
      domain: 1002,
      verifier: chain.verifier,
      attesterSetId: 4n,
      value: root,
    });
    expect(recoverSigner(digest, split(String(ok.json.signature)))).toBe(me!.address);
    // The batch signature is served for each member id.
    const body = JSON.parse((await get(`/signatures/${b.messageId}`)).text);
    expect(body.signatures.map((s: { kind: string }) => s.kind)).toEqual(["batch"]);
  });

  it("POST /batches refuses (403 NotAnAttester) when the node is not in the current set, or was removed from it", async () => {
    const a = sampleMessage(5n);
    const b = sampleMessage(6n);
    await store.recordObserved({ ...a, observedAt: 1 });
    await store.recordObserved({ ...b, observedAt: 1 });
    const original = chain.set;
    const [other] = members(1, "server attester, another node");
    try {
      // Rotated out: set 5 does not list this node.
      chain.set = { ...original, setId: 5n, attesters: [other!.address] };
      const rotatedOut = await post({ destination: 1002, messageIds: [a.messageId, b.messageId] });
      expect(rotatedOut.status).toBe(403);
      expect(rotatedOut.json).toEqual({
        code: "NotAnAttester",
        error: `${me!.address} is not a member of set 5 on domain 1002`,
      });
      // Removed for equivocation: listed with weight 0.
      chain.set = { ...original, setId: 6n, weights: [0n] };
      const removed = await post({ destination: 1002, messageIds: [a.messageId, b.messageId] });
      expect(removed.status).toBe(403);
      expect(removed.json.code).toBe("NotAnAttester");
    } finally {
      chain.set = original;
    }
    // Nothing was signed for those sets; back in set 4 the same request is signed.
    const before = JSON.parse((await get(`/signatures/${a.messageId}`)).text);
    expect(before.signatures).toEqual([]);
    const ok = await post({ destination: 1002, messageIds: [a.messageId, b.messageId] });
    expect(ok.status).toBe(200);
    expect(ok.json.attesterSetId).toBe("4");
  });
});
