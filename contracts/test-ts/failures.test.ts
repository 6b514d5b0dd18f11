// Guardian pause and failed recipients with retry (protocol §7).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { batchProof, batchRoot, gatewayAbi, MESSAGE_TYPEHASH } from "@maskoii/sdk";
import { parseEventLogs } from "viem";
import {
  attest,
  type Chain,
  createWorld,
  DOMAIN_B,
  deployRecipient,
  mined,
  onlySent,
  relay,
  type SentMessage,
  toBytes32,
  type World,
} from "./helpers/world.ts";

const NONE = 0;
const DELIVERED = 1;
const FAILED = 2;

async function send(world: World, to: `0x${string}`, payload: `0x${string}`): Promise<SentMessage> {
  const a: Chain = world.a;
  const fee = await a.gateway.read.quoteFee([DOMAIN_B, BigInt((payload.length - 2) / 2)]);
  return onlySent(
    await mined(a, a.as(a.wallets.user).gateway.write.send([DOMAIN_B, toBytes32(to), payload], { value: fee })),
  );
}

describe("paused gateway", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  after(async () => world.close());

  it("only the guardian pauses (NotGuardian)", async () => {
    const { b } = world;
    await b.connection.viem.assertions.revertWithCustomError(
      b.as(b.wallets.stranger).gateway.write.pause(),
      b.gateway,
      "NotGuardian",
    );
  });

  it("deliver, deliverBatch and verify revert with EnforcedPause while paused and work after unpause", async () => {
    const { b } = world;
    const recipient = await deployRecipient(b);
    const sent = await send(world, recipient.address, "0x51");
    const attestation = attest({
      chain: b,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    const batchAttestation = attest({
      chain: b,
      kind: "batch",
      attesterSetId: 1n,
      value: batchRoot([sent.messageId]),
      members: world.attesters,
      signerPositions: [0, 1],
    });
    // The Gateway is the chain's attester set: `verify` (verifier = the caller) is paused with it. A valid
    // attestation naming the stranger as verifier (as if it were an app verifying through B's set):
    const stranger = b.wallets.stranger.account.address;
    const verifyValue = sent.messageId;
    const forStranger = attest({
      chain: { ...b, addresses: { ...b.addresses, gateway: stranger } },
      kind: "message",
      attesterSetId: 1n,
      value: verifyValue,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    const verify = () => b.gateway.read.verify([MESSAGE_TYPEHASH, verifyValue, forStranger], { account: stranger });
    assert.equal(await verify(), 1n, "verify works before the pause");

    await mined(b, b.gateway.write.pause()); // the owner account is the guardian
    assert.equal(await b.gateway.read.paused(), true);
    await b.connection.viem.assertions.revertWithCustomError(
      b.as(b.wallets.relayer).gateway.write.deliver([sent.message, attestation]),
      b.gateway,
      "EnforcedPause",
    );
    await b.connection.viem.assertions.revertWithCustomError(
      b
        .as(b.wallets.relayer)
        .gateway.write.deliverBatch([[sent.message], [batchProof([sent.messageId], 0)], batchAttestation]),
      b.gateway,
      "EnforcedPause",
    );
    await b.connection.viem.assertions.revertWithCustomError(verify(), b.gateway, "EnforcedPause");
    // send is paused too.
    const fee = await b.gateway.read.quoteFee([1001, 0n]);
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.send([1001, toBytes32(recipient.address), "0x"], { value: fee }),
      b.gateway,
      "EnforcedPause",
    );
    assert.equal(await b.gateway.read.messageStatus([sent.message]), NONE);

    await b.connection.viem.assertions.revertWithCustomError(
      b.as(b.wallets.stranger).gateway.write.unpause(),
      b.gateway,
      "NotGuardian",
    );
    await mined(b, b.gateway.write.unpause());
    assert.equal(await verify(), 1n, "verify works again after unpause");
    await mined(b, b.as(b.wallets.relayer).gateway.write.deliver([sent.message, attestation]));
    assert.equal(await b.gateway.read.messageStatus([sent.message]), DELIVERED);
    assert.equal(await recipient.read.handled(), 1n);
  });
});

describe("failed recipient and retry", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  after(async () => world.close());

  it("records a reverting recipient as failed, keeps it failed on a failing retry, delivers on a later retry", async () => {
    const { b } = world;
    const recipient = await deployRecipient(b);
    await mined(b, recipient.write.setRejecting([true]));
    const sent = await send(world, recipient.address, "0x61");

    const receipt = await relay(world, b, sent);
    const [failed] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageFailed", logs: receipt.logs });
    assert.equal(failed?.args.messageId, sent.messageId);
    assert.equal(await b.gateway.read.messageStatus([sent.message]), FAILED);
    assert.equal(await b.gateway.read.isDelivered([1001, sent.nonce]), true);
    assert.equal(await recipient.read.handled(), 0n);

    // A retry while the recipient still rejects reverts with the recipient's error and leaves the message failed.
    await b.connection.viem.assertions.revertWithCustomError(
      b.as(b.wallets.stranger).gateway.write.retry([sent.message]),
      recipient,
      "Rejected",
    );
    assert.equal(await b.gateway.read.messageStatus([sent.message]), FAILED);

    // The delivery itself cannot be replayed.
    const again = attest({
      chain: b,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, again]),
      b.gateway,
      "AlreadyDelivered",
    );

    await mined(b, recipient.write.setRejecting([false]));
    const retried = await mined(b, b.as(b.wallets.stranger).gateway.write.retry([sent.message]));
    assert.equal(parseEventLogs({ abi: gatewayAbi, eventName: "MessageRetried", logs: retried.logs }).length, 1);
    assert.equal(parseEventLogs({ abi: gatewayAbi, eventName: "MessageDelivered", logs: retried.logs }).length, 1);
    assert.equal(await b.gateway.read.messageStatus([sent.message]), DELIVERED);
    assert.equal(await recipient.read.handled(), 1n);

    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.retry([sent.message]),
      b.gateway,
      "NotFailed",
    );
  });

  it("retry is paused with the gateway", async () => {
    const { b } = world;
    const recipient = await deployRecipient(b);
    await mined(b, recipient.write.setRejecting([true]));
    const sent = await send(world, recipient.address, "0x62");
    await relay(world, b, sent);
    await mined(b, recipient.write.setRejecting([false]));
    await mined(b, b.gateway.write.pause());
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.retry([sent.message]),
      b.gateway,
      "EnforcedPause",
    );
    await mined(b, b.gateway.write.unpause());
    await mined(b, b.gateway.write.retry([sent.message]));
    assert.equal(await b.gateway.read.messageStatus([sent.message]), DELIVERED);
  });
});
