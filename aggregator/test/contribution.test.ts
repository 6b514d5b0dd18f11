// Contributions (docs/protocol.md §12.2): deterministic folding of the accepted beacons (any order, the same bytes),
// per-user caps, the ed25519 signature (tampering refused), home-node hashing, and the peer route: served only to task
// members with a fresh, valid signature, and only once the epoch closed plus the grace.
import { generatePrivateKey as generateNodeKey, koiiPublicKeyOf } from "@maskoii/node-kit";
import type { Address, Hex } from "viem";
import { getAddress, keccak256, toHex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import type { StoredBeacon } from "../src/engagement/beacon-store.ts";
import {
  buildContribution,
  contributionHash,
  ENGAGEMENT_POINTS,
  InvalidContributionError,
  MAX_USER_ENGAGEMENTS_PER_CAMPAIGN,
  MAX_USER_IMPRESSIONS_PER_CAMPAIGN,
  userLeafId,
  verifyContribution,
} from "../src/engagement/contribution.ts";
import type { EngagementChain } from "../src/engagement/filters.ts";
import { PEER_AUTH_HEADERS, signPeerRequest } from "../src/engagement/peer-auth.ts";
import { fetchContribution } from "../src/engagement/routes.ts";
import { homeNodeOf } from "../src/home-node.ts";
import { type EngagementNode, startEngagementNode } from "./beacon-helpers.ts";

const SECRET: Hex = `0x${"5a".repeat(32)}`;
const nodeKey = generateNodeKey("ed25519");
const NODE = koiiPublicKeyOf(nodeKey);
const alice = "0x00000000000000000000000000000000000a11ce" as Address;
const bob = "0x0000000000000000000000000000000000000b0b" as Address;
const carol = "0x00000000000000000000000000000000000ca201" as Address;
const dave = "0x0000000000000000000000000000000000000da5" as Address;

let n = 0;
function stored(fields: Partial<StoredBeacon> & Pick<StoredBeacon, "persona" | "target">): StoredBeacon {
  n += 1;
  const id = keccak256(toHex(`beacon ${n}`));
  return {
    beaconId: id,
    community: "1",
    epoch: 5,
    platform: 1,
    accountId: keccak256(toHex(`account of ${fields.persona}`)),
    action: "impression",
    campaign: fields.target.startsWith("ad:") ? fields.target.slice(3) : null,
    creator: null,
    nonce: id,
    at: 1_000 + n,
    ...fields,
  };
}

const sample = (): StoredBeacon[] => [
  stored({ persona: alice, target: "ad:2" }),
  stored({ persona: alice, target: "ad:1", action: "engagement" }),
  stored({ persona: alice, target: "post:x:1", creator: carol }),
  stored({ persona: alice, target: "post:x:2", creator: dave, action: "engagement", platform: 4 }),
  stored({ persona: bob, target: "post:x:1", creator: carol, action: "engagement" }),
  stored({ persona: bob, target: "post:x:3" }),
];

const build = (beacons: readonly StoredBeacon[]) =>
  buildContribution({ community: "1", epoch: 5, beacons, nodeSecret: SECRET, ed25519PrivateKey: nodeKey });

describe("contributions", () => {
  it("folds the same beacons in any arrival order into identical bytes and hash", () => {
    const beacons = sample();
    const c = build(beacons);
    const shuffled = [
      beacons[3],
      beacons[0],
      beacons[5],
      beacons[1],
      beacons[4],
      beacons[2],
      beacons[0],
    ] as StoredBeacon[];
    const d = build(shuffled);
    expect(JSON.stringify(d)).toBe(JSON.stringify(c));
    expect(contributionHash(d)).toBe(contributionHash(c));
    // Users sorted by their salted leaf; the leaf is the pseudonym, never the persona.
    const leaves = [userLeafId(SECRET, 1n, 5, alice), userLeafId(SECRET, 1n, 5, bob)].sort((a, b) =>
      BigInt(a) < BigInt(b) ? -1 : 1,
    );
    expect(c.users.map((u) => u.leaf)).toEqual(leaves);
    expect(JSON.stringify(c)).not.toContain(alice.slice(2));
    const a = c.users.find((u) => u.leaf === userLeafId(SECRET, 1n, 5, alice));
    expect(a).toEqual({
      leaf: userLeafId(SECRET, 1n, 5, alice),
      accounts: 2,
      ads: [
        { campaignId: "1", impressions: 0, engagements: 1 },
        { campaignId: "2", impressions: 1, engagements: 0 },
      ],
      creators: [
        { persona: getAddress(dave), points: ENGAGEMENT_POINTS },
        { persona: getAddress(carol), points: 1 },
      ],
    });
    // Another secret, another epoch: other pseudonyms.
    expect(userLeafId(`0x${"11".repeat(32)}`, 1n, 5, alice)).not.toBe(userLeafId(SECRET, 1n, 5, alice));
    expect(userLeafId(SECRET, 1n, 6, alice)).not.toBe(userLeafId(SECRET, 1n, 5, alice));
  });

  it("applies the per-user caps per campaign (impressions and engagements)", () => {
    const many = [
      ...Array.from({ length: MAX_USER_IMPRESSIONS_PER_CAMPAIGN + 7 }, () =>
        stored({ persona: alice, target: "ad:3" }),
      ),
      ...Array.from({ length: MAX_USER_ENGAGEMENTS_PER_CAMPAIGN + 3 }, () =>
        stored({ persona: alice, target: "ad:3", action: "engagement" }),
      ),
    ];
    const [user] = build(many).users;
    expect(user?.ads).toEqual([
      {
        campaignId: "3",
        impressions: MAX_USER_IMPRESSIONS_PER_CAMPAIGN,
        engagements: MAX_USER_ENGAGEMENTS_PER_CAMPAIGN,
      },
    ]);
  });

  it("verifies its signature; refuses tampered counts, order, node, community and epoch", () => {
    const c = build(sample());
    expect(verifyContribution(JSON.parse(JSON.stringify(c)), { community: "1", epoch: 5, node: NODE })).toEqual(c);
    const reason = (value: unknown, expected = {}) => {
      try {
        verifyContribution(value, expected);
        return "verified";
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidContributionError);
        return (error as InvalidContributionError).reason;
      }
    };
    const copy = () => JSON.parse(JSON.stringify(c)) as typeof c;
    const more = copy();
    (more.users[0] as { accounts: number }).accounts += 1;
    expect(reason(more)).toBe("bad-signature");
    const swapped = copy();
    swapped.users.reverse();
    expect(reason(swapped)).toBe("order");
    const otherNode = { ...copy(), node: koiiPublicKeyOf(generateNodeKey("ed25519")) };
    expect(reason(otherNode)).toBe("bad-signature");
    expect(reason(copy(), { node: otherNode.node })).toBe("wrong-node");
    expect(reason(copy(), { community: "2" })).toBe("wrong-community");
    expect(reason(copy(), { epoch: 6 })).toBe("wrong-epoch");
    const overCap = copy();
    const ad = overCap.users[0]?.ads[0];
    if (ad !== undefined) ad.impressions = MAX_USER_IMPRESSIONS_PER_CAMPAIGN + 1;
    expect(reason(overCap)).toBe("malformed");
  });

  it("homes each persona on one node by rendezvous hashing, whatever the order of the node list", () => {
    const keys = Array.from({ length: 4 }, () => koiiPublicKeyOf(generateNodeKey("ed25519")));
    const homes = new Map<string, number>();
    for (let i = 1; i <= 200; i++) {
      const persona = `0x${i.toString(16).padStart(40, "0")}` as Address;
      const home = homeNodeOf(persona, keys);
      expect(homeNodeOf(persona, [...keys].reverse())).toBe(home);
      homes.set(home, (homes.get(home) ?? 0) + 1);
      // Removing another node does not move the persona.
      const others = keys.filter((k) => k !== home);
      expect(homeNodeOf(persona, [home, ...others.slice(1)])).toBe(home);
    }
    expect(homes.size).toBe(4);
    expect(() => homeNodeOf(alice, ["not-a-key"])).toThrow(/base58/);
  });
});

describe("peer contributions over HTTP", () => {
  const clock = { genesis: 1_000_000, epochLength: 3600 };
  const chain: EngagementChain = {
    clock: async () => clock,
    personaOf: async () => undefined,
    payoutOf: async (persona) => ({ family: 1, recipient: persona }),
  };
  const peerKey = generateNodeKey("ed25519");
  const PEER = koiiPublicKeyOf(peerKey);
  const end = (clock.genesis + 6 * 3600) * 1000;
  let nowMs = end - 1;
  let node: EngagementNode | undefined;
  const start = async () => {
    node = await startEngagementNode({
      chain,
      domain: { chainId: 31337, communityRegistry: "0x0000000000000000000000000000000000000001" },
      posts: () => async () => undefined,
      self: { koiiPublicKey: NODE, privateKey: nodeKey },
      nodes: [
        { koiiPublicKey: NODE, url: "http://a.example" },
        { koiiPublicKey: PEER, url: "http://b.example" },
      ],
      now: () => nowMs,
      closeGraceMs: 60_000,
    });
    for (const b of sample()) await node.beacons.insert(b, 0);
    return node;
  };
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });
  const get = async (url: string, headers: Record<string, string>) => {
    const r = await fetch(url, { headers });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it("serves the contribution to a member once the epoch closed plus the grace; 404 before", async () => {
    const n = await start();
    nowMs = end + 59_000;
    expect(await fetchContribution(n.url, { community: "1", epoch: 5 }, peerKey, { now: () => nowMs })).toBeUndefined();
    nowMs = end + 60_000;
    const c = await fetchContribution(n.url, { community: "1", epoch: 5 }, peerKey, { node: NODE, now: () => nowMs });
    expect(c).toEqual(build(sample()));
    // Served byte for byte the same later.
    nowMs = end + 90_000;
    expect(await fetchContribution(n.url, { community: "1", epoch: 5 }, peerKey, { now: () => nowMs })).toEqual(c);
  });

  it("refuses non-members, stale or future times, bad signatures and missing headers with 401", async () => {
    const n = await start();
    nowMs = Date.now();
    const path = "/peer/contributions/1/5";
    const url = `${n.url}${path}`;
    const stranger = generateNodeKey("ed25519");
    expect((await get(url, signPeerRequest(stranger, { method: "GET", path }))).status).toBe(401);
    const stale = await get(url, signPeerRequest(peerKey, { method: "GET", path, timeMs: nowMs - 61_000 }));
    expect(stale).toEqual({ status: 401, body: { error: "peer request refused: stale" } });
    expect((await get(url, signPeerRequest(peerKey, { method: "GET", path, timeMs: nowMs + 61_000 }))).status).toBe(
      401,
    );
    // Signed for another path, another method, or by another key under the peer's name.
    expect((await get(url, signPeerRequest(peerKey, { method: "GET", path: "/peer/contributions/1/4" }))).status).toBe(
      401,
    );
    expect((await get(url, signPeerRequest(peerKey, { method: "POST", path }))).status).toBe(401);
    const forged = { ...signPeerRequest(stranger, { method: "GET", path }), [PEER_AUTH_HEADERS.node]: PEER };
    expect(await get(url, forged)).toEqual({ status: 401, body: { error: "peer request refused: bad-signature" } });
    expect((await get(url, {})).status).toBe(401);
    // A member with a fresh signature is answered (the epoch is long closed by the real clock).
    expect((await get(url, signPeerRequest(peerKey, { method: "GET", path }))).status).toBe(200);
  });
});
