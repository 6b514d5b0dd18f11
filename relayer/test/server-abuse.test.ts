// The attester's HTTP API under abuse, over a real server and a real PGlite store: bounded bodies (413), a 400 that
// names the bad field, closed and duplicate ids refused by POST /batches, per-client token buckets (429 with
// Retry-After, on a test clock), a separate signing bucket, optional signed relayer requests (401/403, replay
// window) and evidence deduplicated by what it proves and capped per submitter.
import { request } from "node:http";
import { generatePrivateKey, koiiPublicKeyOf, RateLimiter, signRelayerRequest, silentLogger } from "@maskoii/node-kit";
import { attestationDigest, signDigest } from "@maskoii/sdk";
import { type Hex, keccak256, stringToHex } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import { RelayerAuthenticator } from "../src/attester/auth.ts";
import { type AttesterServerDeps, startAttesterServer } from "../src/attester/server.ts";
import { AttesterSigner, packSignature } from "../src/attester/signer.ts";
import { type AttesterLimits, attesterLimitsSchema } from "../src/config.ts";
import { RequestRejectedError } from "../src/errors.ts";
import type { SignatureClaim } from "../src/koii/evidence.ts";
import { koiiRoutes } from "../src/koii/routes.ts";
import { KoiiStore } from "../src/koii/store.ts";
import { Metrics } from "../src/metrics.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeChain, members, sampleMessage } from "./helpers.ts";

const [me, byz] = members(2, "abuse attester");
const log = silentLogger();
const chain = new FakeChain(1002, {
  setId: 1n,
  attesters: [me!.address],
  weights: [1n],
  thresholdBps: 10_000,
  totalWeight: 1n,
  expiresAt: 0,
});

type Answer = { status: number; headers: Headers; json: Record<string, unknown> };

let clock = 1_700_000_000_000;
const now = () => clock;

const stores: Store[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
  for (const s of stores) await s.close();
});

async function start(
  options: {
    limits?: Partial<AttesterLimits>;
    auth?: RelayerAuthenticator;
    signNow?: AttesterServerDeps["signNow"];
  } = {},
) {
  const store = await openStore({ kind: "pglite", dataDir: "memory://" });
  stores.push(store);
  const metrics = new Metrics();
  const signer = new AttesterSigner({ address: me!.address, privateKey: me!.key, store, log, metrics });
  const limits = attesterLimitsSchema.parse(options.limits ?? {});
  const koii = koiiRoutes({
    tasks: new Map(),
    store: KoiiStore.of(store),
    log,
    now,
    evidencePerSubmitterPerRound: limits.evidencePerSubmitterPerRound,
  });
  const server = await startAttesterServer(
    {
      store,
      chains: new Map([[1002, chain]]),
      signer,
      metrics,
      log,
      ready: () => true,
      signBatches: true,
      limits,
      now,
      koii,
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.signNow === undefined ? {} : { signNow: options.signNow }),
    },
    { host: "127.0.0.1", port: 0 },
  );
  closers.push(server.close);
  const call = async (path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${server.url}${path}`, {
      ...(body === undefined
        ? {}
        : {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: typeof body === "string" ? body : JSON.stringify(body),
          }),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as Record<string, unknown>,
    };
  };
  return { store, metrics, url: server.url, call };
}

/** A claim signed by `key` over a message id (a real signature: attributable). */
function claimBy(who: { key: Hex; address: `0x${string}` }, value: Hex, messageIds: Hex[] = [value]): SignatureClaim {
  const target = { domain: 1002, verifier: chain.verifier, attesterSetId: 1n };
  return {
    kind: "message",
    value,
    domain: 1002,
    verifier: chain.verifier,
    attesterSetId: "1",
    signer: who.address,
    signature: packSignature(signDigest(attestationDigest("message", { ...target, value }), who.key)),
    messageIds,
  };
}

describe("attester endpoints under abuse", () => {
  it("413 for a body over maxBodyBytes (declared or chunked), and the connection is not read on", async () => {
    const { url, call, metrics } = await start({ limits: { maxBodyBytes: 2_048 } });
    const big = JSON.stringify({ destination: 1002, messageIds: [`0x${"ab".repeat(32)}`], pad: "x".repeat(4_096) });
    const declared = await call("/batches", big);
    expect(declared.status).toBe(413);
    expect(declared.json.error).toMatch(/over the limit of 2048/);
    expect(declared.headers.get("connection")).toBe("close");
    // Chunked (no Content-Length): refused once the bytes read cross the limit.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${url}/signatures`,
        { method: "POST", headers: { "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 8; i++) req.write("x".repeat(1_024));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(await metrics.render()).toMatch(/maskoii_http_rejections_total\{status="413"\} 2/);
  });

  it("400 names the bad field: not JSON, a malformed id, an unknown field, too many ids, a duplicate", async () => {
    const { call } = await start({ limits: { maxBatchIds: 3, maxBulkIds: 2 } });
    const id = (n: bigint) => sampleMessage(n).messageId;
    const cases: [string, unknown, string][] = [
      ["/batches", "{ not json", "(body)"],
      ["/batches", { destination: 1002, messageIds: ["0x12"] }, "messageIds.0"],
      ["/batches", { destination: 0, messageIds: [id(1n)] }, "destination"],
      ["/batches", { destination: 1002, messageIds: [id(1n)], extra: 1 }, "(body)"],
      ["/batches", { destination: 1002, messageIds: [id(1n), id(2n), id(3n), id(4n)] }, "messageIds"],
      ["/batches", { destination: 1002, messageIds: [id(1n), id(1n)] }, "messageIds.1"],
      ["/signatures", { messageIds: [id(1n), id(2n), id(3n)] }, "messageIds"],
      ["/signatures", { messageIds: [id(1n)], sign: "yes" }, "sign"],
    ];
    for (const [path, body, field] of cases) {
      const answer = await call(path, body);
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.json.field, `${path} ${JSON.stringify(body)}`).toBe(field);
      expect(answer.json.code).toBe("RequestRejected");
    }
  });

  it("POST /batches refuses a closed (delivered) message and signs nothing for it", async () => {
    const { call, store } = await start();
    const [a, b] = [sampleMessage(10n), sampleMessage(11n)];
    await store.recordObservedMany([
      { ...a, observedAt: 1 },
      { ...b, observedAt: 1 },
    ]);
    await store.markObservedClosed([b.messageId]);
    const refused = await call("/batches", { destination: 1002, messageIds: [a.messageId, b.messageId] });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatch(/closed \(already delivered\)/);
    expect(await store.getSignatures(a.messageId)).toEqual([]);
    expect((await call("/batches", { destination: 1002, messageIds: [a.messageId] })).status).toBe(200);
  });

  it("POST /batches: a message is in at most maxBatchesPerMessage roots; a root already signed is served again", async () => {
    const { call, store } = await start({ limits: { maxBatchesPerMessage: 2 } });
    const [a, b, c] = [sampleMessage(40n), sampleMessage(41n), sampleMessage(42n)];
    await store.recordObservedMany([a, b, c].map((m) => ({ ...m, observedAt: 1 })));
    const batch = (...ms: (typeof a)[]) =>
      call("/batches", { destination: 1002, messageIds: ms.map((m) => m.messageId) });
    expect((await batch(a, b)).status).toBe(200);
    expect((await batch(a)).status).toBe(200);
    const third = await batch(a, c);
    expect(third.status).toBe(409);
    expect(third.json.error).toMatch(/already in 2 batch roots/);
    expect((await batch(a, b)).status).toBe(200);
    expect((await batch(c)).status).toBe(200);
    expect((await store.batchCountsOf([a.messageId, b.messageId, c.messageId])).get(a.messageId.toLowerCase())).toBe(2);
  });

  it("per-client token buckets: 429 with Retry-After once the burst is spent, served again after the refill", async () => {
    const { call } = await start({ limits: { requests: { perSecond: 0.5, burst: 3 } } });
    for (let i = 0; i < 3; i++) expect((await call("/metrics".replace("/metrics", "/identity"))).status).toBe(404);
    const limited = await call("/identity");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.json.error).toMatch(/rate limited \(requests\)/);
    // /health stays open to probes.
    expect((await call("/health")).status).toBe(200);
    clock += 2_000;
    expect((await call("/identity")).status).toBe(404);
    expect((await call("/identity")).status).toBe(429);
  });

  it("signing costs a token of the signing bucket: sign-on-request is limited, plain reads are not", async () => {
    let signed = 0;
    const { call } = await start({
      limits: { signing: { perSecond: 1, burst: 2 } },
      signNow: async () => {
        signed++;
      },
    });
    const ids = [sampleMessage(20n).messageId];
    expect((await call("/signatures", { messageIds: ids, sign: true })).status).toBe(200);
    expect((await call("/signatures", { messageIds: ids, sign: true })).status).toBe(200);
    const limited = await call("/signatures", { messageIds: ids, sign: true });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(signed).toBe(2);
    // Reading what exists needs no signing token.
    expect((await call("/signatures", { messageIds: ids })).status).toBe(200);
    clock += 1_000;
    expect((await call("/signatures", { messageIds: ids, sign: true })).status).toBe(200);
    expect(signed).toBe(3);
  });

  it("requests are charged by work: a request over many ids drains more tokens of both buckets", async () => {
    let signed = 0;
    const { call } = await start({
      limits: { requests: { perSecond: 0.001, burst: 20 }, signing: { perSecond: 0.001, burst: 20 }, idsPerToken: 32 },
      signNow: async () => {
        signed++;
      },
    });
    const ids = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => sampleMessage(BigInt(from + i)).messageId);
    // 512 ids = 16 tokens of the requests bucket: 4 are left for small requests.
    expect((await call("/signatures", { messageIds: ids(2_000, 512) })).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await call("/signatures", { messageIds: ids(3_000, 1) })).status).toBe(200);
    const limited = await call("/signatures", { messageIds: ids(3_000, 1) });
    expect(limited.status).toBe(429);
    expect(limited.json.error).toMatch(/rate limited \(requests\)/);
    // On a fresh server: signing on request over 320 ids costs 10
    // signing tokens: two such requests, then 429, while a single-id request would have passed 20 times.
    const other = await start({
      limits: { signing: { perSecond: 0.001, burst: 20 }, idsPerToken: 32 },
      signNow: async () => {
        signed++;
      },
    });
    signed = 0;
    expect((await other.call("/signatures", { messageIds: ids(4_000, 320), sign: true })).status).toBe(200);
    expect((await other.call("/signatures", { messageIds: ids(4_000, 320), sign: true })).status).toBe(200);
    const noSigning = await other.call("/signatures", { messageIds: ids(4_000, 10), sign: true });
    expect(noSigning.status).toBe(429);
    expect(noSigning.json.error).toMatch(/rate limited \(signing\)/);
    expect(Number(noSigning.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(signed).toBe(2);
    // A request costing more than the whole burst still passes once the bucket is full (the cost is capped at it).
    const tiny = await start({ limits: { requests: { perSecond: 1, burst: 4 }, idsPerToken: 1 } });
    expect((await tiny.call("/signatures", { messageIds: ids(5_000, 64) })).status).toBe(200);
    const after = await tiny.call("/identity");
    expect([after.status, after.headers.get("retry-after")]).toEqual([429, "1"]);
  });

  it("POST /batches takes a signing token only for a new root: a re-served or refused root signs nothing", async () => {
    const { call, store } = await start({
      limits: { signing: { perSecond: 0.001, burst: 1 }, maxBatchesPerMessage: 1 },
    });
    const [a, b] = [sampleMessage(70n), sampleMessage(71n)];
    await store.recordObservedMany([a, b].map((m) => ({ ...m, observedAt: 1 })));
    const batch = (...ms: (typeof a)[]) =>
      call("/batches", { destination: 1002, messageIds: ms.map((m) => m.messageId) });
    expect((await batch(a)).status).toBe(200);
    // The same root again, and a root refused because a is in maxBatchesPerMessage roots: no signing token.
    expect((await batch(a)).status).toBe(200);
    expect((await batch(a, b)).status).toBe(409);
    const limited = await batch(b);
    expect(limited.status).toBe(429);
    expect(limited.json.error).toMatch(/rate limited \(signing\)/);
  });

  it("a client has at most maxInFlightPerClient requests in flight: one more is 429 with Retry-After", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const { call } = await start({
      limits: { maxInFlightPerClient: 2 },
      signNow: async () => {
        started++;
        await gate;
      },
    });
    const ids = [sampleMessage(60n).messageId];
    const slow = [
      call("/signatures", { messageIds: ids, sign: true }),
      call("/signatures", { messageIds: ids, sign: true }),
    ];
    while (started < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const third = await call("/signatures", { messageIds: ids });
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    expect(third.json.error).toMatch(/in flight \(at most 2 per client\)/);
    // Probes are never counted.
    expect((await call("/health")).status).toBe(200);
    release();
    expect((await Promise.all(slow)).map((a) => a.status)).toEqual([200, 200]);
    // The slots are given back once answered.
    expect((await call("/signatures", { messageIds: ids })).status).toBe(200);
    expect((await call("/signatures", { messageIds: ids })).status).toBe(200);
  });

  it("the limiter's memory is bounded: past maxClients the least recently seen client is forgotten", () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, { maxClients: 100, now });
    for (let i = 0; i < 10_000; i++) limiter.take(`addr:10.0.${i >> 8}.${i & 255}`, "requests");
    expect(limiter.size).toBe(100);
    expect(() => limiter.take("addr:10.0.39.15", "requests")).toThrow(RequestRejectedError);
  });

  it("signed relayer requests: 401 missing/stale/forged/replayed, 403 off the allow-list, per-relayer buckets", async () => {
    const relayerA = generatePrivateKey("ed25519");
    const relayerB = generatePrivateKey("ed25519");
    const stranger = generatePrivateKey("ed25519");
    const auth = new RelayerAuthenticator(
      { relayers: [koiiPublicKeyOf(relayerA), koiiPublicKeyOf(relayerB)], maxSkewMs: 30_000 },
      now,
    );
    let signed = 0;
    const { call } = await start({
      auth,
      limits: { signing: { perSecond: 0.001, burst: 1 } },
      signNow: async () => {
        signed++;
      },
    });
    const body = JSON.stringify({ messageIds: [sampleMessage(30n).messageId], sign: true });
    const sign = (key: Hex, overrides: { timestampMs?: number; body?: string; path?: string } = {}) =>
      signRelayerRequest(key, {
        method: "POST",
        path: overrides.path ?? "/signatures",
        body: overrides.body ?? body,
        timestampMs: overrides.timestampMs ?? clock,
      });

    const missing = await call("/signatures", body);
    expect([missing.status, missing.json.field]).toEqual([401, "x-maskoii-relayer"]);
    const stale = await call("/signatures", body, sign(relayerA, { timestampMs: clock - 31_000 }));
    expect([stale.status, stale.json.field]).toEqual([401, "x-maskoii-timestamp"]);
    // Signed over another body, or another path: the signature does not verify for this request.
    const otherBody = await call("/signatures", body, sign(relayerA, { body: "{}" }));
    expect([otherBody.status, otherBody.json.field]).toEqual([401, "x-maskoii-signature"]);
    const otherPath = await call("/signatures", body, sign(relayerA, { path: "/batches" }));
    expect(otherPath.status).toBe(401);
    const notListed = await call("/signatures", body, sign(stranger));
    expect([notListed.status, notListed.json.field]).toEqual([403, "x-maskoii-relayer"]);
    expect(signed).toBe(0);

    const headers = sign(relayerA);
    expect((await call("/signatures", body, headers)).status).toBe(200);
    const replayed = await call("/signatures", body, headers);
    expect([replayed.status, replayed.json.error]).toEqual([401, expect.stringMatching(/replayed/)]);
    // Signing buckets are per relayer key: A spent its token, B has its own.
    clock += 1;
    expect((await call("/signatures", body, sign(relayerA))).status).toBe(429);
    clock += 1;
    expect((await call("/signatures", body, sign(relayerB))).status).toBe(200);
    expect(signed).toBe(2);
    // Reads stay open without credentials.
    expect((await call(`/signatures/${sampleMessage(30n).messageId}`)).status).toBe(200);
  });

  it("evidence is stored once per what it proves, capped per submitter per round (429), refused when garbage", async () => {
    const { call, store } = await start({ limits: { evidencePerSubmitterPerRound: 3 } });
    const koii = KoiiStore.of(store);
    const phantom = (n: number) => keccak256(stringToHex(`phantom ${n}`));
    const post = (claim: SignatureClaim, reason = "off-topic") =>
      call("/koii/evidence", { source: "http://x", requested: phantom(0), reason, claim });
    const first = await post(claimBy(byz!, phantom(1)));
    expect([first.status, first.json.stored]).toEqual([202, true]);
    // The same signature with other message ids, another reason or another claimed signer proves nothing more.
    for (const variant of [
      claimBy(byz!, phantom(1), [phantom(2), phantom(3)]),
      { ...claimBy(byz!, phantom(1)), signer: me!.address },
    ]) {
      const again = await post(variant, "signer-mismatch");
      expect([again.status, again.json.stored, again.json.evidenceId]).toEqual([202, false, first.json.evidenceId]);
    }
    expect(await koii.countEvidence()).toBe(1);
    expect((await post(claimBy(byz!, phantom(2)))).json.stored).toBe(true);
    expect((await post(claimBy(byz!, phantom(3)))).json.stored).toBe(true);
    const capped = await post(claimBy(byz!, phantom(4)));
    expect(capped.status).toBe(429);
    expect(Number(capped.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await koii.countEvidence()).toBe(3);
    const garbage = await post({ ...claimBy(byz!, phantom(5)), signature: "0x1234" });
    expect([garbage.status, garbage.json.field]).toEqual([400, "claim.signature"]);
    const malformed = await call("/koii/evidence", { source: "x", requested: "0x12", reason: "off-topic", claim: {} });
    expect([malformed.status, malformed.json.field]).toEqual([400, "requested"]);
  });
});
