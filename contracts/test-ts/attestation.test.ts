// Every defect of an attestation is rejected on delivery with its own custom error (protocol §4).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type gatewayAbi, SECP256K1_N, signDigest } from "@maskoii/sdk";
import { devnetAttesters } from "@maskoii/testkit";
import type { ContractErrorName, Hex } from "viem";
import {
  createWorld,
  DOMAIN_B,
  deployRecipient,
  digestOn,
  mined,
  onlySent,
  rawAttestation,
  type SentMessage,
  toBytes32,
  type World,
} from "./helpers/world.ts";

type Entry = { index: number; r: Hex; s: Hex; v: number };

describe("attestation defects on deliver", () => {
  let world: World;
  let sent: SentMessage;
  let digest: Hex;
  /** A valid signature of set member `position` over the message's digest on B. */
  let sig: (position: number) => Entry;

  before(async () => {
    world = await createWorld();
    const { a, b } = world;
    const recipient = await deployRecipient(b);
    const user = a.as(a.wallets.user);
    const fee = await a.gateway.read.quoteFee([DOMAIN_B, 1n]);
    sent = onlySent(
      await mined(a, user.gateway.write.send([DOMAIN_B, toBytes32(recipient.address), "0xaa"], { value: fee })),
    );
    digest = digestOn(b, "message", 1n, sent.messageId);
    sig = (position) => {
      const member = world.attesters[position];
      if (member === undefined) throw new Error(`no member ${position}`);
      return { index: position, ...signDigest(digest, member.privateKey) };
    };
  });
  after(async () => world.close());

  async function rejects(attestation: Hex, errorName: ContractErrorName<typeof gatewayAbi>): Promise<void> {
    const { b } = world;
    await b.connection.viem.assertions.revertWithCustomError(
      b.gateway.write.deliver([sent.message, attestation]),
      b.gateway,
      errorName,
    );
  }

  it("rejects a high-s signature (SignatureMalleable)", async () => {
    const good = sig(0);
    // (r, n - s, flipped v) is the same signature's malleable twin: it recovers the same key.
    const highS: Entry = {
      index: 0,
      r: good.r,
      s: `0x${(SECP256K1_N - BigInt(good.s)).toString(16).padStart(64, "0")}`,
      v: good.v === 27 ? 28 : 27,
    };
    await rejects(rawAttestation(1n, [highS, sig(1)]), "SignatureMalleable");
  });

  it("rejects a duplicate signer (DuplicateSigner)", async () => {
    await rejects(rawAttestation(1n, [sig(0), sig(0)]), "DuplicateSigner");
  });

  it("rejects signers out of order (SignersOutOfOrder)", async () => {
    await rejects(rawAttestation(1n, [sig(1), sig(0)]), "SignersOutOfOrder");
  });

  it("rejects a key outside the set, and an index past the end of the set (UnknownSigner)", async () => {
    const [outsider] = devnetAttesters(1, "not an attester");
    const foreign: Entry = { index: 0, ...signDigest(digest, outsider!.privateKey) };
    await rejects(rawAttestation(1n, [foreign, sig(1)]), "UnknownSigner");
    // Member 2's valid signature claimed at index 1 does not match member 1.
    await rejects(rawAttestation(1n, [sig(0), { ...sig(2), index: 1 }]), "UnknownSigner");
    await rejects(rawAttestation(1n, [sig(0), { ...sig(2), index: 7 }]), "UnknownSigner");
  });

  it("rejects a signature that recovers to no address (ZeroAddressSigner)", async () => {
    const unrecoverable: Entry = { index: 0, r: `0x${"00".repeat(32)}`, s: `0x${"00".repeat(31)}01`, v: 27 };
    await rejects(rawAttestation(1n, [unrecoverable, sig(1)]), "ZeroAddressSigner");
  });

  it("rejects weight below the threshold (InsufficientWeight)", async () => {
    await rejects(rawAttestation(1n, [sig(2)]), "InsufficientWeight");
  });

  it("rejects v outside {27, 28} (InvalidSignatureV)", async () => {
    await rejects(rawAttestation(1n, [{ ...sig(0), v: 29 }, sig(1)]), "InvalidSignatureV");
  });

  it("rejects malformed lengths, no signatures and unknown sets", async () => {
    const valid = rawAttestation(1n, [sig(0), sig(1)]);
    await rejects(`${valid}00` as Hex, "MalformedAttestation");
    await rejects("0x00000000000001", "MalformedAttestation");
    await rejects("0x0000000000000001", "NoSignatures");
    await rejects(rawAttestation(9n, [sig(0), sig(1)]), "UnknownAttesterSet");
  });

  it("still delivers the message with a valid quorum after all the rejections", async () => {
    const { b } = world;
    await mined(b, b.gateway.write.deliver([sent.message, rawAttestation(1n, [sig(0), sig(2)])]));
    assert.equal(await b.gateway.read.messageStatus([sent.message]), 1);
  });
});
