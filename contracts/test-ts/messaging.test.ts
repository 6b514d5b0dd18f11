// Plain messages across the two chains: send on A, attest with N attester keys, deliver on B; batches.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { batchProof, batchRoot, gatewayAbi } from "@maskoii/sdk";
import { encodeAbiParameters, type Hex, keccak256, parseEventLogs } from "viem";
import {
  attest,
  type Chain,
  createWorld,
  DOMAIN_A,
  DOMAIN_B,
  deployRecipient,
  mined,
  onlySent,
  relay,
  type SentMessage,
  toBytes32,
  type World,
} from "./helpers/world.ts";

const STATUS_NONE = 0;
const STATUS_DELIVERED = 1;

async function sendPlain(from: Chain, recipient: Hex, payload: Hex): Promise<SentMessage> {
  const user = from.as(from.wallets.user);
  const fee = await from.gateway.read.quoteFee([DOMAIN_B, BigInt((payload.length - 2) / 2)]);
  return onlySent(
    await mined(from, user.gateway.write.send([DOMAIN_B, toBytes32(recipient as Hex), payload], { value: fee })),
  );
}

describe("messaging A -> B", () => {
  let world: World;
  let recipient: Awaited<ReturnType<typeof deployRecipient>>;
  before(async () => {
    world = await createWorld();
    recipient = await deployRecipient(world.b);
  });
  after(async () => world.close());

  it("delivers a message signed by 2 of 3 attesters and calls the recipient once", async () => {
    const { a, b } = world;
    const payload: Hex = "0xc0ffee";
    const sent = await sendPlain(a, recipient.address, payload);
    assert.equal(sent.destination, DOMAIN_B);
    assert.equal(await b.gateway.read.messageStatus([sent.message]), STATUS_NONE);

    const receipt = await relay(world, b, sent, [0, 2]);
    const [delivered] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageDelivered", logs: receipt.logs });
    assert.equal(delivered?.args.messageId, sent.messageId);
    assert.equal(delivered?.args.origin, DOMAIN_A);
    assert.equal(await b.gateway.read.messageStatus([sent.message]), STATUS_DELIVERED);
    assert.equal(await b.gateway.read.isDelivered([DOMAIN_A, sent.nonce]), true);
    assert.equal(await recipient.read.handled(), 1n);
    const expectedHash = keccak256(
      encodeAbiParameters(
        [{ type: "uint32" }, { type: "bytes32" }, { type: "bytes" }],
        [DOMAIN_A, toBytes32(a.wallets.user.account.address), payload],
      ),
    );
    assert.equal(await recipient.read.lastMessageHash(), expectedHash);
  });

  it("delivers with every quorum of the set (all three, and each pair)", async () => {
    const { a, b } = world;
    for (const signers of [
      [0, 1, 2],
      [0, 1],
      [1, 2],
    ]) {
      const sent = await sendPlain(a, recipient.address, "0x01");
      await relay(world, b, sent, signers);
      assert.equal(await b.gateway.read.messageStatus([sent.message]), STATUS_DELIVERED, `signers ${signers}`);
    }
    assert.equal(await recipient.read.handled(), 4n);
  });

  it("refuses to deliver the same message twice (AlreadyDelivered)", async () => {
    const { a, b } = world;
    const sent = await sendPlain(a, recipient.address, "0x02");
    await relay(world, b, sent);
    const attestation = attest({
      chain: b,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [1, 2],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, attestation]),
      b.gateway,
      "AlreadyDelivered",
    );
  });

  it("refuses a message for B delivered on A (WrongDestination)", async () => {
    const { a } = world;
    const sent = await sendPlain(a, recipient.address, "0x03");
    const attestation = attest({
      chain: a,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    await a.connection.viem.assertions.revertWithCustomError(
      a.gateway.write.deliver([sent.message, attestation]),
      a.gateway,
      "WrongDestination",
    );
  });

  it("refuses an attestation made for chain A's gateway when delivering on B (UnknownSigner)", async () => {
    const { a, b } = world;
    const sent = await sendPlain(a, recipient.address, "0x04");
    // Signed with verifier = A's gateway and domain = A: recovers to unrelated addresses on B.
    const forA = attest({
      chain: a,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, forA]),
      b.gateway,
      "UnknownSigner",
    );
    // A batch-kind signature over the message id is not a message attestation either.
    const asBatch = attest({
      chain: b,
      kind: "batch",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, asBatch]),
      b.gateway,
      "UnknownSigner",
    );
    assert.equal(await b.gateway.read.messageStatus([sent.message]), STATUS_NONE);
  });

  it("delivers a batch under one root attestation and skips already delivered messages on resubmission", async () => {
    const { a, b } = world;
    const batch: SentMessage[] = [];
    for (let i = 0; i < 5; i++) batch.push(await sendPlain(a, recipient.address, `0x1${i}`));
    const ids = batch.map((m) => m.messageId);
    const root = batchRoot(ids);
    const proofs = ids.map((_, i) => batchProof(ids, i));
    const attestation = attest({
      chain: b,
      kind: "batch",
      attesterSetId: 1n,
      value: root,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    const before = await recipient.read.handled();
    // One message delivered on its own first: the batch skips it.
    await relay(world, b, batch[2]!);
    const receipt = await mined(
      b,
      b.as(b.wallets.relayer).gateway.write.deliverBatch([batch.map((m) => m.message), proofs, attestation]),
    );
    const delivered = parseEventLogs({ abi: gatewayAbi, eventName: "MessageDelivered", logs: receipt.logs });
    const skipped = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSkipped", logs: receipt.logs });
    assert.equal(delivered.length, 4);
    assert.deepEqual(
      skipped.map((log) => log.args.messageId),
      [batch[2]!.messageId],
    );
    for (const m of batch) assert.equal(await b.gateway.read.messageStatus([m.message]), STATUS_DELIVERED);
    assert.equal(await recipient.read.handled(), before + 5n);

    // A wrong proof reverts the whole batch.
    const more = [await sendPlain(a, recipient.address, "0x20"), await sendPlain(a, recipient.address, "0x21")];
    const moreIds = more.map((m) => m.messageId);
    const moreAttestation = attest({
      chain: b,
      kind: "batch",
      attesterSetId: 1n,
      value: batchRoot(moreIds),
      members: world.attesters,
      signerPositions: [0, 1],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliverBatch([
        more.map((m) => m.message),
        [batchProof(moreIds, 0), batchProof(ids, 1)],
        moreAttestation,
      ]),
      b.gateway,
      "InvalidMerkleProof",
    );
    assert.equal(await b.gateway.read.messageStatus([more[1]!.message]), STATUS_NONE);
  });
});

describe("stake-weighted quorum", () => {
  let world: World;
  let recipient: Awaited<ReturnType<typeof deployRecipient>>;
  before(async () => {
    // Member 0 holds 5 of 9 weight; 60% of 9 is 5.4, so member 0 needs one more signer and the four others
    // together (4 of 9) are not enough.
    world = await createWorld({
      attesterCount: 5,
      weights: [5n, 1n, 1n, 1n, 1n],
      thresholdBps: 6000,
      label: "weighted",
    });
    recipient = await deployRecipient(world.b);
  });
  after(async () => world.close());

  it("counts weight, not signatures", async () => {
    const { a, b } = world;
    const [members, weights, threshold, total] = await b.gateway.read.getSet([1n]);
    assert.deepEqual(
      members,
      world.attesters.map((m) => m.account.address),
    );
    assert.deepEqual(weights, [5n, 1n, 1n, 1n, 1n]);
    assert.equal(threshold, 6000);
    assert.equal(total, 9n);

    const sent = await sendPlain(a, recipient.address, "0x77");
    const by = (signerPositions: number[]) =>
      attest({
        chain: b,
        kind: "message",
        attesterSetId: 1n,
        value: sent.messageId,
        members: world.attesters,
        signerPositions,
      });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, by([1, 2, 3, 4])]),
      b.gateway,
      "InsufficientWeight",
    );
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, by([0])]),
      b.gateway,
      "InsufficientWeight",
    );
    await mined(b, b.gateway.write.deliver([sent.message, by([0, 3])]));
    assert.equal(await b.gateway.read.messageStatus([sent.message]), STATUS_DELIVERED);
  });
});
