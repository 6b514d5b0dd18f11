// Fault tests with real processes, each asserting nothing lost and nothing doubled (one MessageDelivered per sent id,
// DemoRecipient handled each payload once, token supplies exact): SIGKILL of the relayer in the middle of a batch, one
// attester down, attesters below quorum, RPC faults through a fault proxy (relayer -> destination, attesters ->
// origin), and a byzantine attester endpoint. One stack for the file; every RPC of every node goes through a fault
// proxy, which is a pass-through until a test programs it.
import { decodeMessage, gatewayAbi } from "@maskoii/sdk";
import { until } from "@maskoii/testkit";
import { type Hex, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attesterSignatures,
  bridgedSupply,
  deliveredCounts,
  handledPayloads,
  type Sent,
  sendMessages,
  transferTokens,
  waitDelivered,
} from "../lib/bridge.ts";
import { ByzantineAttester } from "../lib/byzantine.ts";
import { deliveryOf } from "../lib/evidence.ts";
import { Stack } from "../lib/stack.ts";

/** The value of a Prometheus sample line (0 when absent). */
function metric(text: string, pattern: RegExp): number {
  const line = text.split("\n").find((l) => pattern.test(l));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

describe("e2e faults: crashes, missing and byzantine attesters, RPC faults", () => {
  let stack: Stack;
  const sentToB: Sent[] = [];
  let transferred = 0n;

  beforeAll(async () => {
    stack = await Stack.start({
      label: "faults",
      attesters: 3,
      relayer: { maxBatchSize: 8 },
      proxies: { relayer: true, attesters: true },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const recipient = () => stack.contractsOf(1002).demoRecipient;
  const gatewayB = () => stack.contractsOf(1002).gateway;

  async function send(labels: readonly string[]): Promise<Sent[]> {
    const sent = await sendMessages({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient: recipient(),
      payloads: labels.map((l) => stringToHex(l)),
      oneBlock: labels.length > 1,
    });
    expect(sent).toHaveLength(labels.length);
    sentToB.push(...sent);
    return sent;
  }

  async function expectDeliveredOnce(sent: readonly Sent[]): Promise<void> {
    const counts = await deliveredCounts(stack.b, gatewayB());
    for (const s of sent) expect(counts.get(s.messageId), `deliveries of ${s.messageId}`).toBe(1);
  }

  /** Indices (in set 1) of the signers of the attestation that delivered `id`. */
  async function signerIndices(id: Hex): Promise<number[]> {
    return (await deliveryOf(stack.b, gatewayB(), id)).attestation.signatures.map((s) => s.index);
  }

  async function signedBy(url: string, sent: readonly Sent[]): Promise<void> {
    for (const s of sent) {
      await until(`${url} signs ${s.messageId}`, async () =>
        (await attesterSignatures(url, s.messageId)).some((x) => x.kind === "message") ? true : undefined,
      );
    }
  }

  it("SIGKILL of the relayer in the middle of a batch, restart on the same store: all delivered, none twice", async () => {
    await stack.relayer.stop("SIGTERM");
    const labels = Array.from({ length: 16 }, (_, i) => `crash batch ${i}`);
    const sent = await send(labels);
    // Every attester signs all 16 first, so the relayer's first round has 16 ready messages: two batches of 8.
    for (const node of stack.setOne) await signedBy(node.url, sent);

    // B stops mining: the relayer's first delivery transaction waits in the mempool, its store says pending.
    const relayerAddress = stack.relayerAccount.address;
    const minedBefore = await stack.b.public.getTransactionCount({ address: relayerAddress });
    const handledBefore = (await handledPayloads(stack.b, recipient())).length;
    let inFlight = 0;
    await stack.b.test.setAutomine(false);
    try {
      await stack.startRelayer();
      await until(
        "the relayer's first delivery transaction",
        async () =>
          (await stack.b.public.getTransactionCount({ address: relayerAddress, blockTag: "pending" })) > minedBefore
            ? true
            : undefined,
        { timeoutMs: 30_000, everyMs: 20 },
      );
      expect(await stack.relayer.stop("SIGKILL")).toBe("SIGKILL");
      // The relayer keeps several deliveries in flight (one per batch of its round, through its nonce manager): the
      // kill leaves one or both batch transactions in the mempool.
      const pending = await stack.b.rpc<{ transactions: Hex[] }>("eth_getBlockByNumber", ["pending", false]);
      inFlight = pending.transactions.length;
      expect(inFlight).toBeGreaterThanOrEqual(1);
      expect(inFlight).toBeLessThanOrEqual(2);
      await stack.b.mine(1);
    } finally {
      await stack.b.test.setAutomine(true);
    }
    // The killed relayer's transactions landed while it was dead: each a batch (normally of 8; fewer if some
    // signature fetch of its first round was slow).
    const afterKill = await deliveredCounts(stack.b, gatewayB());
    const landed = sent.filter((s) => afterKill.has(s.messageId));
    expect(landed.length).toBeGreaterThan(1);
    expect(landed.length).toBeLessThanOrEqual(8 * inFlight);

    await stack.startRelayer();
    await waitDelivered(stack, sent);
    await new Promise((r) => setTimeout(r, 1_000));
    await expectDeliveredOnce(sent);
    expect((await handledPayloads(stack.b, recipient())).length - handledBefore).toBe(16);
    // The restarted relayer found those on chain (skipped, not re-sent) and delivered exactly the others.
    const metrics = await stack.relayerMetrics();
    const skipped = metric(metrics, /^maskoii_messages_total\{status="skipped",origin="1001",destination="1002"\}/);
    const delivered = metric(metrics, /^maskoii_messages_total\{status="delivered",origin="1001",destination="1002"\}/);
    expect({ skipped, delivered }).toEqual({ skipped: landed.length, delivered: 16 - landed.length });
    const txs = (await stack.b.public.getTransactionCount({ address: relayerAddress })) - minedBefore;
    expect(txs).toBeGreaterThanOrEqual(inFlight + (landed.length < 16 ? 1 : 0));
    expect(txs).toBeLessThanOrEqual(inFlight + 16 - landed.length);
  });

  it("one attester down: the other two are a quorum and the messages are delivered once", async () => {
    const [, , a2] = stack.setOne;
    await a2!.stop("SIGTERM");
    const sent = await send(["one down 1", "one down 2", "one down 3"]);
    await waitDelivered(stack, sent);
    await expectDeliveredOnce(sent);
    // The attestations carry only the live attesters' signatures (indices 0 and 1 of set 1).
    for (const s of sent) expect(await signerIndices(s.messageId)).toEqual([0, 1]);
    await stack.startAttester(a2!);
    await stack.waitAttesterReady(a2!);
  });

  it("attesters below quorum: messages wait (doctor: below-quorum), then deliver once when one attester returns", async () => {
    const [a0, a1, a2] = stack.setOne;
    await a1!.stop("SIGTERM");
    await a2!.stop("SIGTERM");
    const pending = /^maskoii_messages_total\{status="pending"/;
    const trackedBefore = metric(await stack.relayerMetrics(), pending);
    const sent = await send(["below quorum 1", "below quorum 2"]);
    await signedBy(a0!.url, sent);
    // The relayer tracks them (pending) and keeps asking; nothing reaches B.
    await until("the relayer tracks both", async () =>
      metric(await stack.relayerMetrics(), pending) >= trackedBefore + 2 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const counts = await deliveredCounts(stack.b, gatewayB());
    for (const s of sent) expect(counts.has(s.messageId)).toBe(false);
    const diagnosis = await stack.doctor(sent[0]!.messageId);
    expect(diagnosis).toMatchObject({
      stage: "below-quorum",
      signers: [a0!.key.account.address],
      missing: [a1!.key.account.address, a2!.key.account.address],
      unreachable: [a1!.url, a2!.url],
    });

    await stack.startAttester(a1!);
    await waitDelivered(stack, sent);
    await expectDeliveredOnce(sent);
    for (const s of sent) expect(await signerIndices(s.messageId)).toEqual([0, 1]);
    await stack.startAttester(a2!);
    await stack.waitAttesterReady(a2!);
  });

  it("RPC faults (drops, dropped answers, delays, HTTP 500s) before B for the relayer and before A for the attesters: all delivered once", async () => {
    const relayerB = stack.proxies.relayer.get(1002)!;
    const attestersA = stack.proxies.attesters.get(1001)!;
    relayerB.resetCounters();
    attestersA.resetCounters();
    // The relayer's destination: a 1.5 s outage (every call 500), then random faults, including transactions that
    // reach the node while the relayer sees the connection die.
    relayerB.setFaults([
      { kind: "error500", until: Date.now() + 1_500 },
      { kind: "drop-response", rate: 0.5, methods: ["eth_sendRawTransaction"] },
      { kind: "drop", rate: 0.1 },
      { kind: "error500", rate: 0.1 },
      { kind: "delay", rate: 0.2, delayMs: 300 },
    ]);
    // The attesters' origin: log queries and block numbers fail or stall at random.
    attestersA.setFaults([
      { kind: "drop", rate: 0.15 },
      { kind: "error500", rate: 0.15 },
      { kind: "delay", rate: 0.2, delayMs: 250 },
    ]);
    const amount = 10n ** 18n;
    const transfers = await transferTokens({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient: stack.user.address,
      amount,
      count: 3,
    });
    sentToB.push(...transfers);
    transferred += 3n * amount;
    const messages = await send(["through faults 1", "through faults 2", "through faults 3"]);
    const sent = [...transfers, ...messages];
    try {
      await waitDelivered(stack, sent, 120_000);
    } finally {
      relayerB.clearFaults();
      attestersA.clearFaults();
    }
    await new Promise((r) => setTimeout(r, 1_000));
    await expectDeliveredOnce(sent);
    expect(await bridgedSupply(stack, stack.b, stack.user.address)).toEqual({
      supply: transferred,
      balance: transferred,
    });
    const r = relayerB.counters;
    const a = attestersA.counters;
    expect(r.error500, "relayer-side 500s").toBeGreaterThan(0);
    expect(r.dropped + r.droppedResponses, "relayer-side drops").toBeGreaterThan(0);
    expect(r.delayed, "relayer-side delays").toBeGreaterThan(0);
    expect(a.error500, "attester-side 500s").toBeGreaterThan(0);
    expect(a.dropped, "attester-side drops").toBeGreaterThan(0);
    expect(a.delayed, "attester-side delays").toBeGreaterThan(0);
    expect(a.byMethod.eth_getLogs ?? 0, "the attesters read logs through the proxy").toBeGreaterThan(0);
    // The relayer saw the RPC errors (and survived them).
    expect(metric(await stack.relayerMetrics(), /^maskoii_rpc_errors_total\{domain="1002"/)).toBeGreaterThan(0);
  });

  it("a byzantine attester endpoint (real key, wrong digests): ignored and reported; delivered once by the honest quorum; its forgery is slashable", async () => {
    const [a0, a1, a2] = stack.setOne;
    const byzantine = await new ByzantineAttester({
      privateKey: a2!.key.privateKey,
      target: { domain: 1002, gateway: gatewayB(), attesterSetId: 1n },
    }).start();
    try {
      // The relayer asks a0, a1 and the byzantine endpoint (in a2's place). a2's node keeps running honestly and
      // signs the real messages before the relayer is back.
      await stack.relayer.stop("SIGTERM");
      stack.relayerAttesterUrls = [a0!.url, a1!.url, byzantine.url];
      const sent = await send(["byzantine 1", "byzantine 2"]);
      for (const s of sent) byzantine.know(s.message);
      for (const node of [a0!, a1!, a2!]) await signedBy(node.url, sent);
      await stack.startRelayer();
      await waitDelivered(stack, sent);
      await new Promise((r) => setTimeout(r, 1_000));
      await expectDeliveredOnce(sent);
      for (const s of sent) expect(await signerIndices(s.messageId)).toEqual([0, 1]);
      expect(byzantine.counters.signatureRequests).toBeGreaterThan(0);

      // Reported: a log line per ignored signature naming the endpoint, and the rejection counters.
      const ignored = (await stack.relayer.logLines()).filter((l) => l.msg === "ignored an attester signature");
      expect(ignored.length).toBeGreaterThan(0);
      expect(ignored.every((l) => l.source === byzantine.url)).toBe(true);
      expect(new Set(ignored.map((l) => l.reason))).toEqual(new Set(["not-a-member", "malformed"]));
      const metrics = await stack.relayerMetrics();
      expect(
        metric(metrics, /^maskoii_signatures_total\{kind="message",outcome="rejected-not-a-member"\}/),
      ).toBeGreaterThan(0);
      expect(
        metric(metrics, /^maskoii_signatures_total\{kind="message",outcome="rejected-malformed"\}/),
      ).toBeGreaterThan(0);

      // Slashable: a2's honest node signed the real message, its key also signed a forged twin with the same
      // (origin, nonce). That pair is equivocation evidence: anyone can remove a2 from B's set.
      const victim = sent[0]!;
      const forgery = byzantine.forgeries.get(victim.messageId);
      expect(forgery).toBeDefined();
      expect(decodeMessage(forgery!.forged).nonce).toBe(victim.nonce);
      const honest = (await attesterSignatures(a2!.url, victim.messageId)).find(
        (x) => x.kind === "message" && x.attesterSetId === "1",
      );
      expect(honest).toBeDefined();
      const verifier = `0x${gatewayB().slice(2).toLowerCase().padStart(64, "0")}` as Hex;
      const evidence = (message: Hex, signature: Hex) => ({
        message,
        verifier,
        attesterSetId: 1n,
        root: `0x${"00".repeat(32)}` as Hex,
        proof: [] as Hex[],
        signature,
      });
      const reporter = stack.b.wallet(stack.user);
      const hash = await reporter.writeContract({
        address: gatewayB(),
        abi: gatewayAbi,
        functionName: "reportEquivocation",
        args: [evidence(victim.message, honest!.signature), evidence(forgery!.forged, forgery!.signature)],
      });
      const receipt = await stack.b.public.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      const [, weights] = await stack.b.public.readContract({
        address: gatewayB(),
        abi: gatewayAbi,
        functionName: "getSet",
        args: [1n],
      });
      expect(weights).toEqual([1n, 1n, 0n]);
    } finally {
      await byzantine.close();
    }
  });

  it("nothing lost, nothing doubled across the file; no process died on its own", async () => {
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = await deliveredCounts(stack.b, gatewayB());
    expect([...counts.keys()].sort()).toEqual(sentToB.map((s) => s.messageId).sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await bridgedSupply(stack, stack.b, stack.user.address)).supply).toBe(transferred);
    expect(stack.unexpectedExits).toEqual([]);
  });
});
