// The built mappings indexing a real run: two local hardhat chains deployed with the testkit's fixture, a transfer
// A → B credited at once, a message that fails then is retried, and a transfer queued by B's inbound rate limit then
// released. Each chain is indexed by its own subgraph (one network each, as on The Graph): the harness reads the
// chain's logs, blocks and transactions and runs the wasm handlers; the tests assert the entities.
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { devnetAttesters } from "@maskoii/testkit";
import { type Hex, type PublicClient, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDataSources, SubgraphHarness } from "../harness/indexer.ts";
import { Chains, type Sent } from "./chains.ts";

const chains = new Chains();
const WAD = 10n ** 18n;
const SHARED = 10n ** 8n;
const sent: Record<string, Sent> = {};
let queueId = 0n;
const logs: string[] = [];
const rotated = devnetAttesters(4, "maskoii subgraph rotated");

/** Indexes `domain`'s chain from genesis into a fresh store with the subgraph for its deployment. */
async function index(domain: number): Promise<SubgraphHarness> {
  const harness = new SubgraphHarness(loadDataSources(chains.deployment(domain), `maskoii-${domain}`), {
    onLog: (level, message) => logs.push(`${level}: ${message}`),
    rpcUrl: chains.chain(domain).rpcUrl,
  });
  const client = chains.chain(domain).public as PublicClient;
  await harness.indexChain(client, 0n, await client.getBlockNumber());
  return harness;
}

const lower = (a: string) => a.toLowerCase();

beforeAll(async () => {
  await chains.start();
  // A → B, credited at once.
  sent.out = await chains.transfer(1001, 1002, 100n * WAD);
  await chains.deliver(1002, sent.out);
  // A message B's recipient rejects, then accepts on retry.
  await chains.setRejecting(1002, true);
  sent.failed = await chains.message(1001, 1002, "0xc0ffee");
  await chains.deliver(1002, sent.failed);
  await chains.setRejecting(1002, false);
  await chains.retry(1002, sent.failed);
  // A transfer over B's inbound bucket (10 tokens) is queued, then released once the limit is raised.
  const bridged = chains.deployed.b.bridgedToken;
  await chains.setInboundLimit(1002, bridged, 1001, 10n * SHARED, 1n);
  sent.queued = await chains.transfer(1001, 1002, 50n * WAD);
  const receipt = await chains.deliver(1002, sent.queued);
  const [queued] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferQueued", logs: receipt.logs });
  queueId = queued?.args.queueId ?? -1n;
  await chains.setInboundLimit(1002, bridged, 1001, 1_000_000n * SHARED, 1_000_000n * SHARED);
  await chains.b.test.increaseTime({ seconds: 60 });
  await chains.b.mine(1);
  await chains.releaseQueued(1002, queueId);
  // A's set is rotated to four new attesters; a message B → A is delivered under the new set.
  await chains.rotate(1001, rotated);
  sent.afterRotation = await chains.message(1002, 1001, "0x01");
  await chains.deliver(1001, sent.afterRotation);
});

afterAll(async () => {
  await chains.stop();
});

describe("origin chain A (domain 1001)", () => {
  it("indexes the sent side (messages, origin legs, route volume, tokens), the attester sets and a rotation", async () => {
    const a = await index(1001);
    const user = lower(chains.user.address);
    const demo = lower(chains.deployed.a.demoToken);
    const out = a.store.find("Message", sent.out?.id ?? "");
    expect(out).toMatchObject({
      id: sent.out?.id,
      kind: "transfer",
      status: "sent",
      statusRank: 0,
      originDomain: 1001,
      destinationDomain: 1002,
      senderAddress: user,
      payloadLength: 73,
      failCount: 0,
      retryCount: 0,
      skipCount: 0,
    });
    expect(out?.sentAt).toEqual(out?.updatedAt);
    expect(typeof out?.sentBlock).toBe("bigint");
    expect(out?.deliveredAt).toBeUndefined();
    expect(a.store.find("TokenTransfer", sent.out?.id ?? "")).toMatchObject({
      originDomain: 1001,
      destinationDomain: 1002,
      originToken: demo,
      from: user,
      recipient: `0x${"0".repeat(24)}${user.slice(2)}`,
      amount: 100n * WAD,
      wireAmount: 100n * SHARED,
      destinationStatus: "pending",
    });
    const message = a.store.find("Message", sent.failed?.id ?? "");
    expect(message).toMatchObject({ kind: "message", status: "sent", senderAddress: user, payloadLength: 3 });
    expect(a.store.find("RouteVolume", `1002-${demo}`)).toMatchObject({
      originDomain: 1001,
      destinationDomain: 1002,
      token: demo,
      transfers: 2,
      amount: 150n * WAD,
      wireAmount: 150n * SHARED,
    });
    expect(a.store.find("BridgeToken", demo)).toMatchObject({
      domain: 1001,
      mode: 0,
      localDecimals: 18,
      sharedDecimals: 8,
    });
    const genesis = chains.genesis.map((x) => lower(x.account.address)).sort();
    const set = a.store.find("AttesterSet", "1");
    expect(set).toMatchObject({ domain: 1001, setId: 1n, kind: "genesis", memberCount: 3, thresholdBps: 6666 });
    expect([...((set?.members as string[] | undefined) ?? [])].sort()).toEqual(genesis);
    for (const attester of genesis) {
      expect(a.store.find("AttesterStats", attester)).toMatchObject({
        domain: 1001,
        setsJoined: 1,
        lastSetId: 1n,
        signedDeliveries: 0,
        slashed: 0,
      });
    }
    // The rotation: set 2 with its four members, who co-signed the delivery made under it.
    const second = a.store.find("AttesterSet", "2");
    expect(second).toMatchObject({ domain: 1001, setId: 2n, kind: "rotation", memberCount: 4, thresholdBps: 6666 });
    const members = rotated.map((x) => lower(x.account.address)).sort();
    expect([...((second?.members as string[] | undefined) ?? [])].sort()).toEqual(members);
    for (const attester of members) {
      expect(a.store.find("AttesterStats", attester)).toMatchObject({
        setsJoined: 1,
        lastSetId: 2n,
        signedDeliveries: 1,
      });
    }
    expect(a.store.find("Message", sent.afterRotation?.id ?? "")).toMatchObject({
      status: "delivered",
      originDomain: 1002,
      destinationDomain: 1001,
      attesterSetId: 2n,
      signerCount: 4,
    });
    const steps = a.store.all("MessageEvent").filter((s) => s.message === sent.out?.id);
    expect(steps.map((s) => s.kind).sort()).toEqual(["sent", "transfer_sent"]);
    expect(logs.filter((l) => l.startsWith("critical") || l.startsWith("error"))).toEqual([]);
  });
});

describe("destination chain B (domain 1002)", () => {
  let b: SubgraphHarness;
  beforeAll(async () => {
    b = await index(1002);
  });

  it("indexes a transfer credited at once: the message, its attestation and the destination leg from calldata", () => {
    const out = b.store.find("Message", sent.out?.id ?? "");
    expect(out).toMatchObject({
      status: "delivered",
      statusRank: 3,
      originDomain: 1001,
      destinationDomain: 1002,
      attesterSetId: 1n,
      signerCount: 3,
      payloadLength: 73,
    });
    expect(out?.deliveredAt).toEqual(out?.attestedAt);
    expect(b.store.find("TokenTransfer", sent.out?.id ?? "")).toMatchObject({
      destinationToken: lower(chains.deployed.b.bridgedToken),
      destinationRecipient: lower(chains.user.address),
      destinationStatus: "received",
      receivedAmount: 100n * WAD,
      wireAmount: 100n * SHARED,
    });
  });

  it("credits each genesis attester with the deliveries it co-signed (deliver calldata, not retries)", () => {
    for (const attester of chains.genesis.map((x) => lower(x.account.address))) {
      // The credited transfer and the queued one were delivered with attestations; the failed message's delivery
      // (MessageFailed) and its retry are not counted, as in the Ponder indexer.
      expect(b.store.find("AttesterStats", attester)).toMatchObject({ setsJoined: 1, signedDeliveries: 2 });
    }
  });

  it("indexes a failed then retried message, every step once and in order", () => {
    const m = b.store.find("Message", sent.failed?.id ?? "");
    expect(m).toMatchObject({ kind: "message", status: "delivered", failCount: 1, retryCount: 1, skipCount: 0 });
    expect(String(m?.failureReason)).toMatch(/^0x/);
    const steps = b.store
      .all("MessageEvent")
      .filter((s) => s.message === sent.failed?.id)
      .sort((x, y) => Number((x.block as bigint) - (y.block as bigint)));
    expect(steps.map((s) => s.kind)).toEqual(["failed", "retried", "delivered"]);
    expect(steps.every((s) => s.domain === 1002)).toBe(true);
  });

  it("indexes the rate-limit queue: queued, then released, with the route's counters", () => {
    const bridged = lower(chains.deployed.b.bridgedToken);
    const id = sent.queued?.id ?? "";
    expect(queueId).toBeGreaterThanOrEqual(0n);
    expect(b.store.find("Message", id)).toMatchObject({ status: "released", statusRank: 5 });
    expect(b.store.find("TokenTransfer", id)).toMatchObject({
      destinationStatus: "released",
      queueId,
      receivedAmount: 50n * WAD,
      destinationToken: bridged,
    });
    expect(b.store.find("QueuedTransfer", queueId.toString())).toMatchObject({
      domain: 1002,
      messageId: id,
      originDomain: 1001,
      token: bridged,
      amount: 50n * WAD,
      status: "released",
    });
    expect(b.store.find("RateLimit", `${bridged}-1001`)).toMatchObject({
      domain: 1002,
      remoteDomain: 1001,
      inCapacity: 1_000_000n * SHARED,
      queuedCount: 0,
      queuedAmount: 0n,
      totalQueued: 1,
      totalReleased: 1,
      totalCancelled: 0,
    });
    const kinds = b.store
      .all("MessageEvent")
      .filter((s) => s.message === id)
      .map((s) => s.kind)
      .sort();
    expect(kinds).toEqual(["queued", "released"]);
    // No pending leg survives its transaction.
    expect(b.store.all("PendingLeg")).toEqual([]);
  });

  it("records one step per lifecycle log on the chain, no duplicates", async () => {
    const client = chains.b.public as PublicClient;
    const c = chains.contracts(1002);
    const gw = await client.getLogs({ address: c.gateway, fromBlock: 0n });
    const br = await client.getLogs({ address: c.tokenBridge, fromBlock: 0n });
    const names = new Set(["MessageSent", "MessageDelivered", "MessageFailed", "MessageRetried", "MessageSkipped"]);
    const onChain =
      parseEventLogs({ abi: gatewayAbi, logs: gw }).filter((e) => names.has(e.eventName)).length +
      parseEventLogs({ abi: tokenBridgeAbi, logs: br }).filter((e) =>
        ["TransferSent", "QueuedTransferReleased"].includes(e.eventName),
      ).length;
    const steps = b.store.all("MessageEvent");
    expect(steps.length).toBe(onChain);
    expect(new Set(steps.map((s) => s.id as Hex)).size).toBe(steps.length);
  });
});
