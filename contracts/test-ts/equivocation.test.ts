// Equivocation (protocol §6): an attester that signs two different messages with the same (origin, nonce) is
// removed from every live set, and its signature no longer counts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeMessage, gatewayAbi, messageId, signDigest } from "@maskoii/sdk";
import { type Address, concat, type Hex, numberToHex, parseEventLogs } from "viem";
import {
  attest,
  createWorld,
  DOMAIN_A,
  DOMAIN_B,
  deployRecipient,
  digestOn,
  mined,
  onlySent,
  toBytes32,
  type World,
} from "./helpers/world.ts";

describe("equivocation slashing", () => {
  let world: World;
  let recipient: Address;
  before(async () => {
    world = await createWorld();
    recipient = (await deployRecipient(world.b)).address;
  });
  after(async () => world.close());

  /** Two messages from A with the same nonce and different payloads (what an equivocating quorum would attest). */
  function conflictingPair(): [Hex, Hex] {
    const fields = {
      nonce: 41n,
      originDomain: DOMAIN_A,
      sender: toBytes32(world.a.wallets.user.account.address),
      destinationDomain: DOMAIN_B,
      recipient: toBytes32(recipient),
    };
    return [encodeMessage({ ...fields, payload: "0x01" }), encodeMessage({ ...fields, payload: "0x02" })];
  }

  function evidence(message: Hex, position: number) {
    const { b } = world;
    const digest = digestOn(b, "message", 1n, messageId(message));
    const signature = signDigest(digest, world.attesters[position]!.privateKey);
    return {
      message,
      verifier: toBytes32(b.addresses.gateway),
      attesterSetId: 1n,
      root: `0x${"00".repeat(32)}` as Hex,
      proof: [] as Hex[],
      signature: concat([signature.r, signature.s, numberToHex(signature.v, { size: 1 })]),
    };
  }

  it("rejects evidence that is not a conflict (NotConflicting) or mixes signers (DifferentSigners)", async () => {
    const { b } = world;
    const [m1, m2] = conflictingPair();
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.reportEquivocation([evidence(m1, 0), evidence(m1, 0)]),
      b.gateway,
      "NotConflicting",
    );
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.reportEquivocation([evidence(m1, 0), evidence(m2, 1)]),
      b.gateway,
      "DifferentSigners",
    );
  });

  it("slashes the attester on evidence from anyone", async () => {
    const { b } = world;
    const [m1, m2] = conflictingPair();
    const culprit = world.attesters[0]!.account.address;
    const receipt = await mined(
      b,
      b.as(b.wallets.stranger).gateway.write.reportEquivocation([evidence(m1, 0), evidence(m2, 0)]),
    );
    const [slashed] = parseEventLogs({ abi: gatewayAbi, eventName: "AttesterSlashed", logs: receipt.logs });
    assert.equal(slashed?.args.attester, culprit);
    assert.equal(slashed?.args.messageIdA, messageId(m1));
    assert.equal(slashed?.args.messageIdB, messageId(m2));
    assert.equal(slashed?.args.digestA, digestOn(b, "message", 1n, messageId(m1)));

    const [members, weights, , totalWeight] = await b.gateway.read.getSet([1n]);
    assert.equal(members[0], culprit);
    assert.equal(weights[0], 0n);
    assert.equal(totalWeight, 2n);

    // Reporting again finds no counted member to remove.
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.reportEquivocation([evidence(m1, 0), evidence(m2, 0)]),
      b.gateway,
      "NotAnAttester",
    );
  });

  it("no longer counts the slashed attester's signature (SignerRemoved), while the others still deliver", async () => {
    const { a, b } = world;
    const fee = await a.gateway.read.quoteFee([DOMAIN_B, 1n]);
    const sent = onlySent(
      await mined(a, a.as(a.wallets.user).gateway.write.send([DOMAIN_B, toBytes32(recipient), "0x33"], { value: fee })),
    );
    const withCulprit = attest({
      chain: b,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [0, 1],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, withCulprit]),
      b.gateway,
      "SignerRemoved",
    );
    // One honest signature is 1 of the remaining weight 2: below 6666 bps.
    const alone = attest({
      chain: b,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [1],
    });
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, alone]),
      b.gateway,
      "InsufficientWeight",
    );
    const honest = attest({
      chain: b,
      kind: "message",
      attesterSetId: 1n,
      value: sent.messageId,
      members: world.attesters,
      signerPositions: [1, 2],
    });
    await mined(b, b.gateway.write.deliver([sent.message, honest]));
    assert.equal(await b.gateway.read.messageStatus([sent.message]), 1);
  });
});
