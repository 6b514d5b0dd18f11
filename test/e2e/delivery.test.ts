// End to end with real processes: arbitrary messages and token transfers A -> B, a sealed (private) payload, and an
// attester set rotation on B while messages are in flight. One stack for the file: two `hardhat node` chains,
// three attester nodes (set 1) plus a spare that joins in set 2, and one relayer. Every test checks that nothing is
// lost and nothing is doubled: each sent message has exactly one MessageDelivered on B.
import { randomBytes } from "node:crypto";
import {
  addressToBytes32,
  attestationDigest,
  buildAttestation,
  encodeAttestation,
  gatewayAbi,
  generateSealKeyPair,
  openPayload,
  recoverSigner,
  sealPayload,
  setHash,
  sortAttesters,
} from "@maskoii/sdk";
import { demoTokenAbi, until } from "@maskoii/testkit";
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
import { deliveryOf, filesContaining, filesUnder, forms } from "../lib/evidence.ts";
import { Stack } from "../lib/stack.ts";

describe("e2e delivery: messages, transfers, private payloads, rotation", () => {
  let stack: Stack;
  /** Every message any test of this file sent to B. */
  const sentToB: Sent[] = [];
  let transferred = 0n;

  beforeAll(async () => {
    stack = await Stack.start({
      label: "delivery",
      attesters: 3,
      spareAttesters: 1,
      // One confirmation on A, with a block every 250 ms so that messages become final on their own.
      chainA: { finality: { kind: "confirmations", depth: 1 }, blockTimeMs: 250 },
      relayer: { maxBatchSize: 4 },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Exactly one MessageDelivered per id on B. */
  async function expectDeliveredOnce(sent: readonly Sent[]): Promise<void> {
    const counts = await deliveredCounts(stack.b, stack.contractsOf(1002).gateway);
    for (const s of sent) expect(counts.get(s.messageId), `deliveries of ${s.messageId}`).toBe(1);
  }

  it("delivers arbitrary messages A -> B to DemoRecipient with their payloads intact, exactly once", async () => {
    const recipient = stack.contractsOf(1002).demoRecipient;
    const payloads: Hex[] = [
      stringToHex("hello from chain A"),
      `0x${randomBytes(300).toString("hex")}`,
      "0x",
      `0x${"00ff".repeat(64)}`,
    ];
    const before = await handledPayloads(stack.b, recipient);
    const sent = await sendMessages({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient,
      payloads,
      oneBlock: true,
    });
    expect(sent).toHaveLength(payloads.length);
    sentToB.push(...sent);
    await waitDelivered(stack, sent);
    await expectDeliveredOnce(sent);
    const handled = (await handledPayloads(stack.b, recipient)).slice(before.length);
    expect(handled.map((p) => p.toLowerCase()).sort()).toEqual(payloads.map((p) => p.toLowerCase()).sort());
    // The relayer delivered them (one by one or in a batch, depending on when the quorum of each was complete).
    const deliveries = await Promise.all(
      sent.map((s) => deliveryOf(stack.b, stack.contractsOf(1002).gateway, s.messageId)),
    );
    for (const d of deliveries) expect(d.from).toBe(stack.relayerAccount.address);
  });

  it("delivers token transfers A -> B: the bridged token is minted once per transfer, supply exact", async () => {
    const amount = 12_345_678_900_000_000_000n;
    const holder = stack.user.address;
    const sent = await transferTokens({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient: holder,
      amount,
      count: 3,
    });
    sentToB.push(...sent);
    transferred += 3n * amount;
    await waitDelivered(stack, sent);
    await expectDeliveredOnce(sent);
    expect(await bridgedSupply(stack, stack.b, holder)).toEqual({ supply: transferred, balance: transferred });
    // The canonical token is locked on A, not burned: the bridge holds exactly what left.
    const locked = await stack.a.public.readContract({
      address: stack.contractsOf(1001).demoToken,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [stack.contractsOf(1001).tokenBridge],
    });
    expect(locked).toBe(transferred);
  });

  it("carries a sealed payload: its plaintext never reaches an attester or the relayer, and the recipient opens it", async () => {
    const recipient = stack.contractsOf(1002).demoRecipient;
    const keys = generateSealKeyPair();
    const plaintext = stringToHex(`maskoii private e2e ${randomBytes(24).toString("hex")}`);
    const context = { destinationDomain: 1002, recipient: addressToBytes32(recipient) };
    const sealed = sealPayload(plaintext, keys.publicKey, context);
    const [sent] = await sendMessages({ stack, origin: stack.a, destination: 1002, recipient, payloads: [sealed] });
    expect(sent).toBeDefined();
    sentToB.push(sent!);
    await waitDelivered(stack, [sent!]);
    await expectDeliveredOnce([sent!]);

    // The recipient reads the ciphertext from its own MessageHandled event and opens it.
    const handled = await handledPayloads(stack.b, recipient);
    const delivered = handled.find((p) => p.toLowerCase() === sealed.toLowerCase());
    expect(delivered).toBeDefined();
    expect(openPayload(delivered!, keys.secretKey, context)).toBe(plaintext);

    const secret = forms(plaintext);
    const ciphertext = forms(sealed);
    // HTTP answers of every attester (signatures, metrics) and of the relayer (metrics), and `maskoii doctor`.
    const answers: string[] = [];
    for (const node of stack.setOne) {
      for (const path of [`/signatures/${sent!.messageId}`, "/metrics", "/identity", "/ready"]) {
        answers.push(await (await fetch(`${node.url}${path}`)).text());
      }
    }
    answers.push(await stack.relayerMetrics());
    answers.push(JSON.stringify(await stack.doctor(sent!.messageId)));
    for (const text of answers) {
      for (const needle of secret) expect(Buffer.from(text).includes(needle)).toBe(false);
    }

    // Logs and stores: stop the nodes (stores flushed on a clean shutdown), scan, restart them on the same stores.
    const nodes = [...stack.setOne, stack.relayer];
    for (const node of nodes) expect(await node.stop("SIGTERM"), node.name).toBe(0);
    for (const node of nodes) {
      const logs = [node.logFile];
      const store = await filesUnder(node.storeDir);
      expect(store.length, `${node.name} has a store`).toBeGreaterThan(0);
      expect(await filesContaining([...logs, ...store], secret), `${node.name}: plaintext at rest`).toEqual([]);
      // Positive control: the same scan finds the ciphertext the node did carry, so the search itself works.
      expect((await filesContaining(store, ciphertext)).length, `${node.name} stores the ciphertext`).toBeGreaterThan(
        0,
      );
    }
    for (const node of stack.setOne) await stack.startAttester(node);
    await Promise.all(stack.setOne.map((node) => stack.waitAttesterReady(node)));
    await stack.startRelayer();
  });

  it("rotates the attester set on B while messages are in flight: old-set attestations deliver within the overlap, the rest are re-attested by set 2", async () => {
    const gateway = stack.contractsOf(1002).gateway;
    const recipient = stack.contractsOf(1002).demoRecipient;
    const [a0, a1, a2, spare] = stack.attesters;
    if (a0 === undefined || a1 === undefined || a2 === undefined || spare === undefined) throw new Error("4 attesters");

    // In flight: sent and signed by set 1, not delivered (the relayer is down).
    await stack.relayer.stop("SIGTERM");
    const inFlight = await sendMessages({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient,
      payloads: [stringToHex("in flight 1"), stringToHex("in flight 2"), stringToHex("in flight 3")],
      oneBlock: true,
    });
    sentToB.push(...inFlight);
    for (const node of [a0, a1, a2]) {
      for (const s of inFlight) {
        await until(`${node.name} signs ${s.messageId} for set 1`, async () =>
          (await attesterSignatures(node.url, s.messageId)).some((x) => x.kind === "message" && x.attesterSetId === "1")
            ? true
            : undefined,
        );
      }
    }

    // Rotate on B to set 2 = {a0, a1, spare} (a2 leaves), with set 1's quorum (a0, a1) over the next set's hash.
    const next = sortAttesters([a0, a1, spare].map((n) => ({ address: n.key.account.address, weight: 1n })));
    const nextHash = setHash(2n, 6666, next.attesters, next.weights);
    const rotation = buildAttestation({
      digest: attestationDigest("rotation", {
        domain: 1002,
        verifier: addressToBytes32(gateway),
        attesterSetId: 1n,
        value: nextHash,
      }),
      attesterSetId: 1n,
      attesters: stack.setOne.map((n) => n.key.account.address),
      signers: [a0.key.privateKey, a1.key.privateKey],
    });
    const owner = stack.b.wallet(stack.owner);
    const rotateTx = await owner.writeContract({
      address: gateway,
      abi: gatewayAbi,
      functionName: "rotate",
      args: [next.attesters, next.weights, 6666, rotation],
    });
    expect((await stack.b.public.waitForTransactionReceipt({ hash: rotateTx })).status).toBe("success");
    expect(await stack.b.public.readContract({ address: gateway, abi: gatewayAbi, functionName: "currentSetId" })).toBe(
      2n,
    );

    // Within the overlap window set 1 still verifies: a third party delivers the first message with the set-1
    // signatures the attesters served before the rotation.
    const first = inFlight[0]!;
    const set1 = stack.setOne.map((n) => n.key.account.address);
    const digest1 = attestationDigest("message", {
      domain: 1002,
      verifier: addressToBytes32(gateway),
      attesterSetId: 1n,
      value: first.messageId,
    });
    const signatures = [];
    for (const node of [a0, a1]) {
      const sig = (await attesterSignatures(node.url, first.messageId)).find(
        (x) => x.kind === "message" && x.attesterSetId === "1",
      );
      expect(sig).toBeDefined();
      const parsed = {
        r: `0x${sig!.signature.slice(2, 66)}` as Hex,
        s: `0x${sig!.signature.slice(66, 130)}` as Hex,
        v: Number.parseInt(sig!.signature.slice(130), 16),
      };
      expect(recoverSigner(digest1, parsed)).toBe(node.key.account.address);
      signatures.push({ index: set1.indexOf(node.key.account.address), ...parsed });
    }
    const thirdParty = stack.b.wallet(stack.user);
    const deliverTx = await thirdParty.writeContract({
      address: gateway,
      abi: gatewayAbi,
      functionName: "deliver",
      args: [
        first.message,
        encodeAttestation(
          1n,
          signatures.sort((x, y) => x.index - y.index),
        ),
      ],
    });
    expect((await stack.b.public.waitForTransactionReceipt({ hash: deliverTx })).status).toBe("success");

    // The new member joins; more messages are sent under set 2; the relayer comes back.
    await stack.startAttester(spare);
    await stack.waitAttesterReady(spare);
    const after = await sendMessages({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient,
      payloads: [stringToHex("after rotation 1"), stringToHex("after rotation 2")],
    });
    sentToB.push(...after);
    await stack.startRelayer();
    await waitDelivered(stack, [...inFlight, ...after]);
    await expectDeliveredOnce([...inFlight, ...after]);

    // The first went with set 1 (the third party); the others with set 2, re-attested by set 2's members.
    expect((await deliveryOf(stack.b, gateway, first.messageId)).attestation.attesterSetId).toBe(1n);
    for (const s of [...inFlight.slice(1), ...after]) {
      const delivery = await deliveryOf(stack.b, gateway, s.messageId);
      expect(delivery.from).toBe(stack.relayerAccount.address);
      expect(delivery.attestation.attesterSetId).toBe(2n);
    }
    for (const s of inFlight.slice(1)) {
      const bySpare = await attesterSignatures(spare.url, s.messageId);
      const byA0 = await attesterSignatures(a0.url, s.messageId);
      const byA2 = await attesterSignatures(a2.url, s.messageId);
      expect(bySpare.some((x) => x.attesterSetId === "2")).toBe(true);
      expect(
        byA0
          .filter((x) => x.kind === "message")
          .map((x) => x.attesterSetId)
          .sort(),
      ).toEqual(["1", "2"]);
      // a2 left the set: it never signs a message for set 2.
      expect(byA2.some((x) => x.kind === "message" && x.attesterSetId === "2")).toBe(false);
    }
  });

  it("nothing lost, nothing doubled across the file; no process died on its own", async () => {
    // Give the relayer a few more rounds to do something wrong.
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = await deliveredCounts(stack.b, stack.contractsOf(1002).gateway);
    expect([...counts.keys()].sort()).toEqual(sentToB.map((s) => s.messageId).sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await bridgedSupply(stack, stack.b, stack.user.address)).supply).toBe(transferred);
    expect(stack.unexpectedExits).toEqual([]);
  });
});
