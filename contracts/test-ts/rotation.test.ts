// Rotation while messages are in flight (protocol §4): an attestation by the old set still delivers during the
// overlap window; after it expires the new set re-attests the undelivered message and it delivers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gatewayAbi, setHash } from "@maskoii/sdk";
import { type Attester, devnetAttesters } from "@maskoii/testkit";
import { parseEventLogs } from "viem";
import {
  attest,
  createWorld,
  DOMAIN_B,
  deployRecipient,
  mined,
  onlySent,
  type SentMessage,
  toBytes32,
  type World,
} from "./helpers/world.ts";

const OVERLAP = 3_600;
const THRESHOLD = 6666;

describe("attester set rotation with messages in flight", () => {
  let world: World;
  let first: SentMessage;
  let second: SentMessage;
  let nextSet: Attester[];

  before(async () => {
    world = await createWorld({ overlapWindow: OVERLAP });
    const { a, b } = world;
    const recipient = await deployRecipient(b);
    const user = a.as(a.wallets.user);
    const fee = await a.gateway.read.quoteFee([DOMAIN_B, 1n]);
    first = onlySent(
      await mined(a, user.gateway.write.send([DOMAIN_B, toBytes32(recipient.address), "0x01"], { value: fee })),
    );
    second = onlySent(
      await mined(a, user.gateway.write.send([DOMAIN_B, toBytes32(recipient.address), "0x02"], { value: fee })),
    );
    nextSet = devnetAttesters(4, "maskoii rotated attester");
  });
  after(async () => world.close());

  const oldSetAttestation = (sent: SentMessage) =>
    attest({
      chain: world.b,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [0, 1],
    });

  it("rotates B's set by a quorum of the current set", async () => {
    const { b } = world;
    const addresses = nextSet.map((m) => m.account.address);
    const weights = nextSet.map(() => 1n);
    const hash = setHash(2n, THRESHOLD, addresses, weights);
    const rotation = attest({
      chain: b,
      kind: "rotation",
      attesterSetId: 1n,
      value: hash,
      members: world.attesters,
      signerPositions: [1, 2],
    });
    // One signature of the old set is not enough to rotate.
    const weak = attest({
      chain: b,
      kind: "rotation",
      attesterSetId: 1n,
      value: hash,
      members: world.attesters,
      signerPositions: [2],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.rotate([addresses, weights, THRESHOLD, weak]),
      b.gateway,
      "InsufficientWeight",
    );

    const receipt = await mined(
      b,
      b.as(b.wallets.stranger).gateway.write.rotate([addresses, weights, THRESHOLD, rotation]),
    );
    const [rotated] = parseEventLogs({ abi: gatewayAbi, eventName: "AttesterSetRotated", logs: receipt.logs });
    assert.equal(rotated?.args.setId, 2n);
    assert.equal(rotated?.args.setHash, hash);
    assert.equal(await b.gateway.read.currentSetId(), 2n);
    assert.equal(await b.gateway.read.isLive([1n]), true);
    const [members] = await b.gateway.read.getSet([2n]);
    assert.deepEqual(members, addresses);
  });

  it("delivers a message attested by the old set during the overlap window", async () => {
    const { b } = world;
    await mined(b, b.gateway.write.deliver([first.message, oldSetAttestation(first)]));
    assert.equal(await b.gateway.read.messageStatus([first.message]), 1);
  });

  it("the old set can no longer rotate (RotationNotByCurrentSet)", async () => {
    const { b } = world;
    const addresses = world.attesters.map((m) => m.account.address);
    const weights = world.attesters.map(() => 1n);
    const back = attest({
      chain: b,
      kind: "rotation",
      attesterSetId: 1n,
      value: setHash(3n, THRESHOLD, addresses, weights),
      members: world.attesters,
      signerPositions: [0, 1, 2],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.rotate([addresses, weights, THRESHOLD, back]),
      b.gateway,
      "RotationNotByCurrentSet",
    );
  });

  it("after the overlap the old attestation is expired, and the new set's re-attestation delivers", async () => {
    const { b } = world;
    await b.connection.networkHelpers.time.increase(OVERLAP + 1);
    assert.equal(await b.gateway.read.isLive([1n]), false);
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([second.message, oldSetAttestation(second)]),
      b.gateway,
      "AttesterSetExpired",
    );
    assert.equal(await b.gateway.read.messageStatus([second.message]), 0);

    const reattested = attest({
      chain: b,
      kind: "message",
      attesterSetId: 2n,
      value: second.messageId,
      members: nextSet,
      signerPositions: [0, 2, 3],
    });
    await mined(b, b.as(b.wallets.relayer).gateway.write.deliver([second.message, reattested]));
    assert.equal(await b.gateway.read.messageStatus([second.message]), 1);
  });
});
