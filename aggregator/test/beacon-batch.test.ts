// Batch-signed beacon batches (docs/protocol.md §12.1): one persona signature over the batch digest, checked once,
// every filter still per beacon. Over HTTP to a node on 127.0.0.1 (real intake, SQLite store); the chain's answers
// (clock, bindings) from an in-memory reader, as contribution.test.ts does (beacon-fraud.test.ts covers the filters on
// a hardhat chain).
import { generatePrivateKey as generateNodeKey, koiiPublicKeyOf } from "@maskoii/node-kit";
import { Platform } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import {
  BEACON_BATCH_TAG,
  beaconBatchDigest,
  type EngagementDomain,
  type SignedBeaconBatch,
  signBeacon,
  signBeaconBatch,
} from "../src/engagement/beacon.ts";
import { BURST_TARGET_LIMIT, type EngagementChain } from "../src/engagement/filters.ts";
import { type EngagementNode, startEngagementNode, verdictsOf } from "./beacon-helpers.ts";

const DOMAIN: EngagementDomain = { chainId: 31337, communityRegistry: getAddress(`0x${"c0".repeat(20)}`) };
const clock = { genesis: 1_790_000_000, epochLength: 86_400 };
const NOW = (clock.genesis + 3_600) * 1_000;
const viewer = privateKeyToAccount(generatePrivateKey());
const other = privateKeyToAccount(generatePrivateKey());
const accountOf = (a: Address): Hex => keccak256(toHex(`account of ${a}`));
const POST = "mastodon:https://social.example/users/carol/statuses/1";
const POST2 = "mastodon:https://social.example/users/carol/statuses/2";

const chain: EngagementChain = {
  clock: async () => clock,
  personaOf: async (_platform, accountId) =>
    [viewer.address, other.address].find((a) => accountOf(a) === accountId.toLowerCase()),
  payoutOf: async (persona) => ({ family: 1, recipient: persona }),
};

const fields = (persona: Address, target: string, at: number) => ({
  community: "1",
  epoch: 0,
  action: "impression" as const,
  target: `post:${target}`,
  platform: Platform.ActivityPub,
  accountId: accountOf(persona),
  at,
});

describe("batch-signed beacon batches", () => {
  let node: EngagementNode | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });
  const start = async () => {
    const nodeKey = generateNodeKey("ed25519");
    node = await startEngagementNode({
      chain,
      domain: DOMAIN,
      posts: () => async (_community, itemId) =>
        itemId === POST || itemId === POST2 ? "mastodon:acct:carol@social.example" : undefined,
      self: { koiiPublicKey: koiiPublicKeyOf(nodeKey), privateKey: nodeKey },
      now: () => NOW,
    });
    return node;
  };
  const t = clock.genesis + 100;

  it("accepts every member of a batch signed once, and stores them", async () => {
    const n = await start();
    const batch = await signBeaconBatch(
      [fields(viewer.address, POST, t), fields(viewer.address, POST2, t + 1), fields(viewer.address, POST, t + 500)],
      DOMAIN,
      viewer,
    );
    expect(verdictsOf(await n.post(batch))).toEqual(["accepted", "accepted", "accepted"]);
    expect(await n.beacons.beaconsOf("1", 0)).toHaveLength(3);
  });

  it("refuses the whole batch when one member is tampered with", async () => {
    const n = await start();
    const batch = await signBeaconBatch(
      [fields(viewer.address, POST, t), fields(viewer.address, POST2, t + 1)],
      DOMAIN,
      viewer,
    );
    const [first, second] = batch.beacons;
    if (first === undefined || second === undefined) throw new Error("no members");
    const tampered: SignedBeaconBatch = { ...batch, beacons: [first, { ...second, action: "engagement" }] };
    expect(verdictsOf(await n.post(tampered))).toEqual(["bad-signature", "bad-signature"]);
    // Dropping a member changes the digest too.
    expect(verdictsOf(await n.post({ ...batch, beacons: [first] }))).toEqual(["bad-signature"]);
    // The untampered batch still goes through: nothing of the refused ones was stored.
    expect(verdictsOf(await n.post(batch))).toEqual(["accepted", "accepted"]);
  });

  it("refuses a batch whose members name more than one persona, even signed by one of them", async () => {
    const n = await start();
    const mine = await signBeacon(fields(viewer.address, POST, t), DOMAIN, viewer);
    const theirs = await signBeacon(fields(other.address, POST, t), DOMAIN, other);
    const members = [mine, theirs].map(({ signature: _, ...f }) => f);
    const signature = await viewer.signMessage({ message: { raw: beaconBatchDigest(members, DOMAIN) } });
    const mixed = { persona: viewer.address, beacons: members, signature };
    expect(verdictsOf(await n.post(mixed))).toEqual(["bad-signature", "bad-signature"]);
    // Signed by someone else than the batch's persona: refused too.
    const forged = await signBeaconBatch([fields(viewer.address, POST, t)], DOMAIN, other);
    expect(
      verdictsOf(
        await n.post({
          ...forged,
          persona: viewer.address,
          beacons: [{ ...forged.beacons[0], persona: viewer.address }],
        }),
      ),
    ).toEqual(["bad-signature"]);
  });

  it("refuses a replayed batch, a member replayed in another batch, and a member sent alone", async () => {
    const n = await start();
    const batch = await signBeaconBatch(
      [fields(viewer.address, POST, t), fields(viewer.address, POST2, t + 1)],
      DOMAIN,
      viewer,
    );
    expect(verdictsOf(await n.post(batch))).toEqual(["accepted", "accepted"]);
    expect(verdictsOf(await n.post(batch))).toEqual(["replay", "replay"]);
    const [first] = batch.beacons;
    if (first === undefined) throw new Error("no members");
    const again = await signBeaconBatch(
      [{ ...fields(viewer.address, POST, t), nonce: first.nonce as Hex }, fields(viewer.address, POST2, t + 900)],
      DOMAIN,
      viewer,
    );
    expect(verdictsOf(await n.post(again))).toEqual(["replay", "accepted"]);
    // A member with the batch's signature as its own is not signed.
    expect(verdictsOf(await n.post({ beacons: [{ ...first, signature: batch.signature }] }))).toEqual([
      "bad-signature",
    ]);
  });

  it("still runs every filter on each member (a burst inside one batch)", async () => {
    const n = await start();
    const members = Array.from({ length: BURST_TARGET_LIMIT + 1 }, (_, i) => fields(viewer.address, POST, t + i));
    const batch = await signBeaconBatch(
      [...members, fields(viewer.address, "mastodon:nowhere:1", t + 10)],
      DOMAIN,
      viewer,
    );
    expect(verdictsOf(await n.post(batch))).toEqual([
      ...Array.from({ length: BURST_TARGET_LIMIT }, () => "accepted"),
      "burst",
      "unknown-target",
    ]);
  });

  it("names what is wrong with a malformed batch-signed body", async () => {
    const n = await start();
    const batch = await signBeaconBatch([fields(viewer.address, POST, t)], DOMAIN, viewer);
    const answer = await n.post({ ...batch, beacons: [] });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain("beacons");
    expect(BEACON_BATCH_TAG).toBe("maskoii engagement beacon batch v1");
  });
});
