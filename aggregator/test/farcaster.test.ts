import { FarcasterNetwork, MessageData } from "@farcaster/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FarcasterConnector } from "../src/connectors/farcaster.ts";
import { configuredSigners, verifyHubMessage } from "../src/connectors/farcaster-message.ts";
import { HubSigners } from "../src/connectors/farcaster-signers.ts";
import {
  cast,
  type FarcasterUser,
  type Hub,
  type HubJson,
  like,
  makeUser,
  signerEvent,
  startHub,
  toHubJson,
} from "./fixtures/farcaster-hub.ts";
import { type Harness, harness, metricValue } from "./helpers.ts";

const CHANNEL = "https://warpcast.com/~/channel/maskoii";

describe("Farcaster connector (hub HTTP API)", () => {
  let hub: Hub;
  let h: Harness;
  let alice: FarcasterUser;
  let bob: FarcasterUser;

  beforeEach(async () => {
    hub = await startHub();
    h = await harness();
    alice = makeUser(101);
    bob = makeUser(202);
  });
  afterEach(async () => {
    await hub.close();
    await h.close();
  });

  const connector = (signers: Record<string, string[]>, reactions = true) =>
    new FarcasterConnector(
      {
        name: "fc",
        hubUrl: hub.url,
        channels: [CHANNEL],
        fids: [],
        reactions,
        pageSize: 3,
        network: FarcasterNetwork.MAINNET,
        signers: configuredSigners(signers),
      },
      h.context("fc"),
    );

  it("reads a channel page by page, with each cast's reactions, and resumes from the stored cursor", async () => {
    const casts = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => cast(alice, `hello ${i}`, CHANNEL, 1_000 + i)));
    hub.channels.set(CHANNEL, casts.map(toHubJson));
    const liked = casts[1]!;
    hub.reactions.set(`0x${Buffer.from(liked.hash).toString("hex")}`, [toHubJson(await like(bob, liked, 2_000))]);
    const fc = connector({ "101": [alice.publicKey], "202": [bob.publicKey] });
    await h.ingestor([fc]).tick(fc);
    expect((await h.store.itemIds()).length).toBe(8);
    expect(hub.requests.filter((r) => r.startsWith("/v1/castsByParent")).length).toBe(3);
    expect(hub.requests.some((r) => r.includes("pageToken="))).toBe(true);
    const reaction = (await h.store.itemsOf("fc", `channel:${CHANNEL}`)).find((i) => i.kind === "reaction");
    expect(reaction?.author).toBe("farcaster:fid:202");
    expect(reaction?.parent).toBe(`farcaster:cast:0x${Buffer.from(liked.hash).toString("hex")}`);
    const first = await h.store.item(`farcaster:cast:0x${Buffer.from(casts[0]!.hash).toString("hex")}`);
    expect(first?.body).toBe("hello 0");
    expect(first?.parent).toBe(CHANNEL);
    expect(first?.author).toBe("farcaster:fid:101");

    // New casts: the next tick starts from the stored token, not from the channel's start, and reads the reactions
    // of the new cast only.
    hub.channels.get(CHANNEL)!.push(toHubJson(await cast(alice, "hello 7", CHANNEL, 1_007)));
    hub.requests.length = 0;
    await h.ingestor([fc]).tick(fc);
    expect((await h.store.itemIds()).length).toBe(9);
    expect(hub.requests.filter((r) => r.startsWith("/v1/castsByParent")).every((r) => r.includes("pageToken="))).toBe(
      true,
    );
    expect(hub.requests.filter((r) => r.startsWith("/v1/reactionsByCast")).length).toBe(1);
    expect(await metricValue(h.metrics, "maskoii_aggregator_items_total", { connector: "fc" })).toBe(9);
  });

  it("takes the body from the signed dataBytes, never from a tampered JSON data", async () => {
    const message = await cast(alice, "the signed text", CHANNEL, 1_000);
    const tampered: HubJson = toHubJson(message);
    const body = tampered.data.castAddBody as Record<string, unknown>;
    tampered.data = { ...tampered.data, castAddBody: { ...body, text: "a forged text" } };
    hub.channels.set(CHANNEL, [tampered]);
    const fc = connector({ "101": [alice.publicKey] }, false);
    await h.ingestor([fc]).tick(fc);
    const [stored] = await h.store.itemsOf("fc", `channel:${CHANNEL}`);
    expect(stored?.body).toBe("the signed text");
  });

  it("accepts the tampered message in @farcaster/core's validateMessage (why the body must come from dataBytes)", async () => {
    const { Message, validations } = await import("@farcaster/core");
    const message = await cast(alice, "the signed text", CHANNEL, 1_000);
    const dataBytes = MessageData.encode(message.data as MessageData).finish();
    const data = MessageData.decode(dataBytes);
    data.castAddBody!.text = "a forged text";
    const tampered = Message.create({ ...message, data, dataBytes });
    expect((await validations.validateMessage(tampered)).isOk()).toBe(true);
    const verified = await verifyHubMessage(
      { ...toHubJson(message), data: MessageData.toJSON(data) },
      { network: FarcasterNetwork.MAINNET, signers: configuredSigners({ "101": [alice.publicKey] }) },
    );
    expect("data" in verified && verified.data.castAddBody?.text).toBe("the signed text");
  });

  it("rejects forged casts, a signer not of the fid and malformed messages, counted by reason, without a crash", async () => {
    const good = toHubJson(await cast(alice, "good", CHANNEL, 1_000));
    const forgedBytes = toHubJson(await cast(alice, "original", CHANNEL, 1_001));
    // A body whose bytes were changed after signing: the BLAKE3 hash no longer matches.
    const other = toHubJson(await cast(alice, "forged!!", CHANNEL, 1_001));
    const forged = { ...forgedBytes, dataBytes: other.dataBytes, data: other.data };
    // Signed by a key that is not one of fid 101's.
    const mallory = makeUser(101);
    const wrongSigner = toHubJson(await cast(mallory, "impostor", CHANNEL, 1_002));
    // A signature that is not the signer's.
    const badSig = { ...toHubJson(await cast(alice, "sig", CHANNEL, 1_003)), signature: good.signature };
    const malformed = { hash: "0x1234", signer: "nope" };
    hub.channels.set(CHANNEL, [good, forged, wrongSigner, badSig, malformed as unknown as HubJson]);
    const fc = connector({ "101": [alice.publicKey] }, false);
    await h.ingestor([fc]).tick(fc);
    expect((await h.store.itemIds()).length).toBe(1);
    expect((await h.store.item(`farcaster:cast:${good.hash}`))?.body).toBe("good");
    const reject = (reason: string) =>
      metricValue(h.metrics, "maskoii_aggregator_rejects_total", { connector: "fc", reason });
    expect(await reject("bad-message")).toBe(2);
    expect(await reject("unknown-signer")).toBe(1);
    expect(await reject("malformed")).toBe(1);
    expect((await h.store.state("fc", `channel:${CHANNEL}`))?.rejects).toBe(4);
  });

  it("takes a fid's signers from the key registry events the hub serves: a removed key is refused", async () => {
    const retired = makeUser(101);
    hub.signerEvents.set(101, [
      signerEvent(101, retired.publicKey, "add", 10),
      signerEvent(101, alice.publicKey, "add", 11),
      signerEvent(101, retired.publicKey, "remove", 12),
    ]);
    hub.channels.set(CHANNEL, [
      toHubJson(await cast(alice, "by the active key", CHANNEL, 1_000)),
      toHubJson(await cast(retired, "by the removed key", CHANNEL, 1_001)),
      toHubJson(await cast(bob, "fid 202 has no key", CHANNEL, 1_002)),
    ]);
    const ctx = h.context("fc");
    const fc = new FarcasterConnector(
      {
        name: "fc",
        hubUrl: hub.url,
        channels: [CHANNEL],
        fids: [],
        reactions: false,
        pageSize: 10,
        network: FarcasterNetwork.MAINNET,
        signers: new HubSigners(hub.url, ctx.upstream, 60_000),
      },
      ctx,
    );
    await h.ingestor([fc]).tick(fc);
    expect((await h.store.itemsOf("fc", `channel:${CHANNEL}`)).map((i) => i.body)).toEqual(["by the active key"]);
    expect(
      await metricValue(h.metrics, "maskoii_aggregator_rejects_total", { connector: "fc", reason: "unknown-signer" }),
    ).toBe(2);
    // One lookup per fid, cached for the page.
    expect(hub.requests.filter((r) => r.startsWith("/v1/onChainSignersByFid")).length).toBe(2);
  });

  it("honours a 429's Retry-After, retries a 502, and fails the tick on an answer that is not a hub page", async () => {
    hub.channels.set(CHANNEL, [toHubJson(await cast(alice, "one", CHANNEL, 1_000))]);
    hub.faults.push({ kind: "status", status: 429, headers: { "retry-after": "1" } }, { kind: "status", status: 502 });
    const fc = connector({ "101": [alice.publicKey] }, false);
    const started = Date.now();
    await h.ingestor([fc]).tick(fc);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await h.store.itemIds()).length).toBe(1);
    expect(await metricValue(h.metrics, "maskoii_aggregator_rate_limit_waits_total", { connector: "fc" })).toBe(1);
    expect(await metricValue(h.metrics, "maskoii_aggregator_retries_total", { connector: "fc" })).toBe(1);

    hub.faults.push({
      kind: "status",
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ casts: "none" }),
    });
    await h.ingestor([fc]).tick(fc);
    const state = await h.store.state("fc", `channel:${CHANNEL}`);
    expect(state?.lastError).toMatch(/UpstreamMalformed: malformed answer/);
    expect(state?.items).toBe(1);
  });

  it("reads a user's casts through castsByFid, replies keeping their parent cast", async () => {
    const root = await cast(alice, "root", CHANNEL, 1_000);
    const { makeCastAdd } = await import("@farcaster/core");
    const reply = await makeCastAdd(
      {
        text: "a reply",
        embeds: [],
        embedsDeprecated: [],
        mentions: [],
        mentionsPositions: [],
        parentCastId: { fid: 101, hash: root.hash },
        type: 0,
      },
      { fid: 101, network: FarcasterNetwork.MAINNET, timestamp: 1_001 },
      alice.signer,
    );
    if (reply.isErr()) throw reply.error;
    hub.channels.set(CHANNEL, [
      toHubJson(root),
      toHubJson(reply.value),
      toHubJson(await cast(bob, "bob's", CHANNEL, 1_002)),
    ]);
    const ctx = h.context("fc");
    const fc = new FarcasterConnector(
      {
        name: "fc",
        hubUrl: hub.url,
        channels: [],
        fids: [101],
        reactions: false,
        pageSize: 10,
        network: FarcasterNetwork.MAINNET,
        signers: configuredSigners({ "101": [alice.publicKey], "202": [bob.publicKey] }),
      },
      ctx,
    );
    await h.ingestor([fc]).tick(fc);
    expect(hub.requests[0]).toMatch(/^\/v1\/castsByFid\?fid=101&pageSize=10$/);
    const items = await h.store.itemsOf("fc", "fid:101");
    expect(items.map((i) => i.body)).toEqual(["root", "a reply"]);
    expect(items[1]?.parent).toBe(`farcaster:cast:0x${Buffer.from(root.hash).toString("hex")}`);
  });
});
