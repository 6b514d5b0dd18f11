// Engagement beacons against the real contracts on a local hardhat chain (the testkit's deploy fixture): accounts
// bound on the IdentityRegistry by a quorum of attester signatures, a community whose source is a Mastodon hashtag,
// a campaign on the CampaignLedger. Each fraud case is dropped with its code, and accepted once its filter is taken
// out (replays are also refused by the store's unique keys). Beacons go over HTTP to a node on 127.0.0.1.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  encryptKey,
  generatePrivateKey as generateNodeKey,
  koiiPublicKeyOf,
  MIN_SCRYPT_N,
  silentLogger,
  writeKeystore,
} from "@maskoii/node-kit";
import {
  activityPubAccountId,
  campaignLedgerAbi,
  communityRegistryAbi,
  type DeploymentRevenue,
  farcasterAccountId,
  gatewayAbi,
  identityRegistryAbi,
  Platform,
} from "@maskoii/sdk";
import { demoTokenAbi, devnetAttesters, runDeployFixture, Supervisor, startHardhatNode } from "@maskoii/testkit";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  pad,
  parseEther,
  toHex,
  zeroAddress,
} from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainCommunityReader, resolveSources } from "../src/communities.ts";
import { parseConfig } from "../src/config.ts";
import { MastodonConnector } from "../src/connectors/mastodon.ts";
import { type Beacon, type EngagementDomain, signBeacon } from "../src/engagement/beacon.ts";
import { ChainEngagementReader } from "../src/engagement/beacon-chain.ts";
import { storePostLookup } from "../src/engagement/beacon-intake.ts";
import { BEACON_FILTERS, BURST_TARGET_LIMIT, type CampaignLookup, type DropCode } from "../src/engagement/filters.ts";
import { ownContribution } from "../src/engagement/routes.ts";
import { homeNodeOf } from "../src/home-node.ts";
import type { Item } from "../src/item.ts";
import { startAggregator } from "../src/node.ts";
import { batch, type EngagementNode, startEngagementNode, verdictsOf } from "./beacon-helpers.ts";
import { bindOnChain } from "./fixtures/index.ts";
import { harness, metricValue } from "./helpers.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
const HOST = "social.example";
const CAROL = `https://${HOST}/users/carol`;
const POST = `mastodon:${HOST}:1`;
const DAVE_POST = `mastodon:${HOST}:2`;

describe("engagement beacons on a local chain", () => {
  const supervisor = new Supervisor();
  const attesters = devnetAttesters(3, "maskoii beacon chain test");
  const members = attesters.map((a) => a.account.address);
  const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  const viewer = privateKeyToAccount(generatePrivateKey());
  const creator = privateKeyToAccount(generatePrivateKey());
  const payee = privateKeyToAccount(generatePrivateKey());
  const stranger = privateKeyToAccount(generatePrivateKey());
  const nodeKey = generateNodeKey("ed25519");
  const self = { koiiPublicKey: koiiPublicKeyOf(nodeKey), privateKey: nodeKey };
  let dir = "";
  let revenue: DeploymentRevenue;
  let client: PublicClient;
  let rpcA = "";
  let setId = 0n;
  let domain: EngagementDomain;
  let chain: ChainEngagementReader;
  let reader: ChainCommunityReader;
  let campaigns: CampaignLookup;
  let community = "";
  let campaignId = 0n;
  const open: EngagementNode[] = [];
  const wallet = (account: LocalAccount | typeof owner) =>
    createWalletClient({ account, chain: chainA, transport: http(rpcA) });
  const mined = async (hash: Hex) => expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");

  const bind = async (platform: Platform, accountId: Hex, persona: Address) =>
    mined(
      await bindOnChain({
        client,
        wallet: wallet(owner),
        identityRegistry: revenue.identityRegistry,
        domain: 1001,
        attesterSetId: setId,
        members,
        signers: attesters.slice(0, 2).map((a) => ({ address: a.account.address, privateKey: a.privateKey })),
        platform,
        accountId,
        persona,
      }),
    );

  // The clock: epoch 5 of the community, 100 s in.
  let genesis = 0;
  const EPOCH = 5;
  const at = () => genesis + EPOCH * 3600 + 50;
  const now = () => (genesis + EPOCH * 3600 + 100) * 1000;
  const items: Item[] = [
    {
      id: POST,
      network: "mastodon",
      kind: "post",
      author: `mastodon:acct:carol@${HOST}`,
      body: "hello",
      url: null,
      parent: null,
      createdAt: 1,
    },
    {
      id: DAVE_POST,
      network: "mastodon",
      kind: "post",
      author: `mastodon:acct:dave@${HOST}`,
      body: "hi",
      url: null,
      parent: null,
      createdAt: 2,
    },
  ];

  const startNode = async (options: Partial<Parameters<typeof startEngagementNode>[0]> = {}) => {
    const h = await harness();
    const connector = new MastodonConnector(
      { name: "masto", instanceUrl: `https://${HOST}`, hashtags: ["maskoii"], limit: 40 },
      h.context("masto"),
    );
    await h.close();
    const node = await startEngagementNode({
      chain,
      domain,
      posts: (store) =>
        storePostLookup(store.db, async (c) => {
          const sources = await reader.sourcesOf(c);
          return sources === undefined ? undefined : resolveSources(sources, [connector]).streams;
        }),
      campaigns,
      self,
      now,
      items: { connector: "masto", stream: "tag:maskoii", items },
      ...options,
    });
    open.push(node);
    return node;
  };
  const without = (code: DropCode) => BEACON_FILTERS.filter((f) => f.code !== code);
  const beacon = (
    signer: LocalAccount,
    fields: Partial<Omit<Beacon, "persona" | "signature" | "version" | "nonce">> & {
      accountId: Hex;
      platform: number;
      nonce?: Hex;
    },
  ) =>
    signBeacon(
      { community, epoch: EPOCH, action: "impression", target: `post:${DAVE_POST}`, at: at(), ...fields },
      domain,
      signer,
    );
  const viewerAccount = { platform: Platform.Farcaster, accountId: farcasterAccountId(1001n) };
  const payeeAccount = { platform: Platform.Farcaster, accountId: farcasterAccountId(4004n) };
  const ownerAccount = { platform: Platform.Farcaster, accountId: farcasterAccountId(3003n) };
  const creatorFarcaster = { platform: Platform.Farcaster, accountId: farcasterAccountId(2002n) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-beacons-"));
    const [a, b] = await Promise.all([
      startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "a.log") }),
      startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "b.log") }),
    ]);
    const deployed = await runDeployFixture({ rpcA: a.rpcUrl, rpcB: b.rpcUrl, attesters: members, thresholdBps: 6666 });
    if (deployed.revenueA === undefined) throw new Error("the fixture deployed no revenue suite");
    revenue = deployed.revenueA;
    rpcA = a.rpcUrl;
    client = createPublicClient({ chain: chainA, transport: http(a.rpcUrl) }) as PublicClient;
    setId = await client.readContract({ address: deployed.a.gateway, abi: gatewayAbi, functionName: "currentSetId" });
    genesis = revenue.genesis;
    domain = { chainId: 31337, communityRegistry: revenue.communityRegistry };
    reader = new ChainCommunityReader({
      client,
      communityRegistry: revenue.communityRegistry,
      identityRegistry: revenue.identityRegistry,
      cacheMs: 0,
    });
    chain = new ChainEngagementReader({
      client,
      communityRegistry: revenue.communityRegistry,
      identityRegistry: revenue.identityRegistry,
      reader,
      cacheMs: 0,
    });
    const w = wallet(owner);
    const policy = (7000n << 48n) | (1500n << 32n) | (1000n << 16n) | 500n;
    await mined(
      await w.writeContract({
        address: revenue.communityRegistry,
        abi: communityRegistryAbi,
        functionName: "createCommunity",
        args: ["ipfs://c", owner.address, [toHex(`mastodon:tag:${HOST}#maskoii`)], policy, 10, 26],
      }),
    );
    community = "1";
    // Bindings: the viewer's fid, the creator's Mastodon account and a fid of its own, the owner's fid, the payee's.
    await bind(viewerAccount.platform, viewerAccount.accountId, viewer.address);
    await bind(Platform.ActivityPub, activityPubAccountId(CAROL), creator.address);
    await bind(creatorFarcaster.platform, creatorFarcaster.accountId, creator.address);
    await bind(ownerAccount.platform, ownerAccount.accountId, owner.address);
    await bind(payeeAccount.platform, payeeAccount.accountId, payee.address);
    // The payee is paid at the owner's address; the owner advertises.
    await mined(await w.sendTransaction({ to: payee.address, value: parseEther("1") }));
    await mined(
      await wallet(payee).writeContract({
        address: revenue.identityRegistry,
        abi: identityRegistryAbi,
        functionName: "setPayout",
        args: [1, pad(owner.address)],
      }),
    );
    const token = deployed.a.demoToken;
    const budget = 10n ** 21n;
    await mined(
      await w.writeContract({ address: token, abi: demoTokenAbi, functionName: "mint", args: [owner.address, budget] }),
    );
    await mined(
      await w.writeContract({
        address: token,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [revenue.campaignLedger, budget],
      }),
    );
    const block = await client.getBlock();
    await mined(
      await w.writeContract({
        address: revenue.campaignLedger,
        abi: campaignLedgerAbi,
        functionName: "createCampaign",
        args: [
          {
            token,
            communities: [1n],
            tags: [],
            cpm: 10n ** 18n,
            cpe: 0n,
            budget,
            epochCap: budget,
            start: genesis,
            end: Number(block.timestamp) + 30 * 86_400,
            creativeHash: keccak256(toHex("creative")),
            creativeURI: "ipfs://creative",
          },
        ],
      }),
    );
    campaignId = 1n;
    // The narrow campaign view the filters take, read straight from the ledger.
    campaigns = async (id) => {
      const c = await client.readContract({
        address: revenue.campaignLedger,
        abi: campaignLedgerAbi,
        functionName: "campaign",
        args: [id],
      });
      if (c.advertiser === zeroAddress) return undefined;
      return {
        advertiser: c.advertiser,
        targets: (communityId) =>
          client.readContract({
            address: revenue.campaignLedger,
            abi: campaignLedgerAbi,
            functionName: "targets",
            args: [id, communityId],
          }),
      };
    };
  }, 400_000);
  afterAll(async () => {
    for (const n of open) await n.close();
    await supervisor.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("accepts a bound viewer's impression and engagement, stores them and counts them", async () => {
    const node = await startNode();
    const answer = await node.post(
      batch(
        await beacon(viewer, { ...viewerAccount, target: `post:${POST}` }),
        await beacon(viewer, { ...viewerAccount, target: `post:${POST}`, action: "engagement" }),
        await beacon(viewer, { ...viewerAccount, target: `ad:${campaignId}` }),
      ),
    );
    expect(verdictsOf(answer)).toEqual(["accepted", "accepted", "accepted"]);
    const stored = await node.beacons.beaconsOf(community, EPOCH);
    expect(stored).toHaveLength(3);
    expect(stored.find((b) => b.target === `post:${POST}`)?.creator).toBe(creator.address.toLowerCase());
    expect(stored.find((b) => b.campaign !== null)?.campaign).toBe("1");
    expect(await metricValue(node.metrics, "maskoii_aggregator_beacons_accepted_total", {})).toBe(3);
  });

  it("drops an unbound identity (an account not bound to the persona); accepted without the filter", async () => {
    // The stranger claims the viewer's fid, and an account nobody bound.
    const claims = [viewerAccount, { platform: Platform.Farcaster, accountId: farcasterAccountId(9999n) }];
    const beacons = await Promise.all(claims.map((c) => beacon(stranger, c)));
    const node = await startNode();
    expect(verdictsOf(await node.post(batch(...beacons)))).toEqual(["unbound", "unbound"]);
    expect(await metricValue(node.metrics, "maskoii_aggregator_beacon_drops_total", { reason: "unbound" })).toBe(2);
    expect(await node.beacons.beaconsOf(community, EPOCH)).toEqual([]);
    const loose = await startNode({ filters: without("unbound") });
    expect(verdictsOf(await loose.post(batch(...beacons)))).toEqual(["accepted", "accepted"]);
  });

  it("drops a burst (more than the limit on one target inside the window, by `at`); accepted without the filter", async () => {
    const beacons = await Promise.all(
      Array.from({ length: BURST_TARGET_LIMIT + 1 }, (_, i) => beacon(viewer, { ...viewerAccount, at: at() - 50 + i })),
    );
    const node = await startNode();
    const expected = [...Array(BURST_TARGET_LIMIT).fill("accepted"), "burst"];
    expect(verdictsOf(await node.post(batch(...beacons)))).toEqual(expected);
    // Past the window, the same target counts again.
    const later = await beacon(viewer, { ...viewerAccount, at: at() + 50 });
    expect(verdictsOf(await node.post(batch(later)))).toEqual(["accepted"]);
    const loose = await startNode({ filters: without("burst") });
    expect(verdictsOf(await loose.post(batch(...beacons)))).toEqual(Array(BURST_TARGET_LIMIT + 1).fill("accepted"));
  });

  it("drops self-engagement across platforms: the creator's Farcaster account on its own Mastodon post", async () => {
    const own = await beacon(creator, { ...creatorFarcaster, target: `post:${POST}`, action: "engagement" });
    const node = await startNode();
    expect(verdictsOf(await node.post(batch(own)))).toEqual(["self-engagement"]);
    // The creator on someone else's post is fine.
    const other = await beacon(creator, { ...creatorFarcaster, target: `post:${DAVE_POST}` });
    expect(verdictsOf(await node.post(batch(other)))).toEqual(["accepted"]);
    const loose = await startNode({ filters: without("self-engagement") });
    expect(verdictsOf(await loose.post(batch(own)))).toEqual(["accepted"]);
  });

  it("drops engagement with one's own ad: as the advertiser, and as a persona paid at the advertiser's address", async () => {
    const mine = await beacon(owner as unknown as LocalAccount, {
      ...ownerAccount,
      target: `ad:${campaignId}`,
      action: "engagement",
    });
    const paid = await beacon(payee, { ...payeeAccount, target: `ad:${campaignId}`, action: "engagement" });
    const viewers = await beacon(viewer, { ...viewerAccount, target: `ad:${campaignId}`, action: "engagement" });
    const node = await startNode();
    expect(verdictsOf(await node.post(batch(mine, paid, viewers)))).toEqual(["own-ad", "own-ad", "accepted"]);
    const loose = await startNode({ filters: without("own-ad") });
    expect(verdictsOf(await loose.post(batch(mine, paid)))).toEqual(["accepted", "accepted"]);
  });

  it("drops replays by beacon id and by nonce (in one batch and across requests)", async () => {
    const first = await beacon(viewer, { ...viewerAccount });
    const sameNonce = await beacon(viewer, { ...viewerAccount, at: at() + 1, nonce: first.nonce as Hex });
    const node = await startNode();
    expect(verdictsOf(await node.post(batch(first, first)))).toEqual(["accepted", "replay"]);
    expect(verdictsOf(await node.post(batch(first, sameNonce)))).toEqual(["replay", "replay"]);
    expect(await node.beacons.beaconsOf(community, EPOCH)).toHaveLength(1);
    // Without the filter the store's unique keys still refuse both (its second line of defence).
    const loose = await startNode({ filters: without("replay") });
    expect(verdictsOf(await loose.post(batch(first, first, sameNonce)))).toEqual(["accepted", "replay", "replay"]);
    expect(await loose.beacons.beaconsOf(community, EPOCH)).toHaveLength(1);
  });

  it("rate limits per persona: over the bucket → rate-limited, a wholly limited batch → 429 + Retry-After", async () => {
    const node = await startNode({ rate: { perSecond: 0.01, burst: 2 } });
    const beacons = await Promise.all(
      [0, 100, 200].map((d) =>
        beacon(viewer, { ...viewerAccount, target: `post:${DAVE_POST}`, at: at() - 40 + d / 10 }),
      ),
    );
    expect(verdictsOf(await node.post(batch(...beacons)))).toEqual(["accepted", "accepted", "rate-limited"]);
    const again = await node.post(batch(await beacon(viewer, { ...viewerAccount, target: `ad:${campaignId}` })));
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another persona has its own bucket.
    const other = await beacon(creator, { ...creatorFarcaster, target: `post:${DAVE_POST}` });
    expect(verdictsOf(await node.post(batch(other)))).toEqual(["accepted"]);
    expect(await metricValue(node.metrics, "maskoii_aggregator_beacon_drops_total", { reason: "rate-limited" })).toBe(
      2,
    );
  });

  it("drops the wrong epoch: `at` outside it, an epoch already closed, `at` in the future", async () => {
    const node = await startNode();
    const outside = await beacon(viewer, { ...viewerAccount, at: genesis + EPOCH * 3600 - 1 });
    const closed = await beacon(viewer, { ...viewerAccount, epoch: EPOCH - 1, at: genesis + (EPOCH - 1) * 3600 + 10 });
    const future = await beacon(viewer, { ...viewerAccount, at: at() + 200 });
    expect(verdictsOf(await node.post(batch(outside, closed, future)))).toEqual([
      "wrong-epoch",
      "wrong-epoch",
      "wrong-epoch",
    ]);
  });

  it("drops a bad signature (another key, another chain's domain, a changed field) and an unknown target", async () => {
    const node = await startNode();
    const good = await beacon(viewer, { ...viewerAccount });
    const forged = { ...(await beacon(stranger, { ...viewerAccount })), persona: viewer.address };
    const otherChain = await signBeacon(
      { community, epoch: EPOCH, action: "impression", target: `post:${DAVE_POST}`, at: at(), ...viewerAccount },
      { ...domain, chainId: 31338 },
      viewer,
    );
    const changed = { ...good, action: "engagement" as const };
    const unknownPost = await beacon(viewer, { ...viewerAccount, target: "post:mastodon:elsewhere:9" });
    const unknownAd = await beacon(viewer, { ...viewerAccount, target: "ad:77" });
    expect(verdictsOf(await node.post(batch(forged, otherChain, changed, unknownPost, unknownAd)))).toEqual([
      "bad-signature",
      "bad-signature",
      "bad-signature",
      "unknown-target",
      "unknown-target",
    ]);
  });

  it("answers 421 with the home node when no beacon of the batch is this node's; judges mixed batches per beacon", async () => {
    const otherKey = koiiPublicKeyOf(generateNodeKey("ed25519"));
    const nodes = [
      { koiiPublicKey: self.koiiPublicKey, url: "http://self.example" },
      { koiiPublicKey: otherKey, url: "http://other.example" },
    ];
    const node = await startNode({ nodes });
    // Find a persona homed on the other node (each key wins about half the personas).
    let away: LocalAccount | undefined;
    let home: LocalAccount | undefined;
    for (let i = 0; i < 64 && (away === undefined || home === undefined); i++) {
      const a = privateKeyToAccount(generatePrivateKey());
      if (homeNodeOf(a.address, [self.koiiPublicKey, otherKey]) === otherKey) away ??= a;
      else home ??= a;
    }
    if (away === undefined || home === undefined) throw new Error("no persona found for each node");
    const answer = await node.post(batch(await beacon(away, viewerAccount)));
    expect(answer.status).toBe(421);
    expect(answer.body).toMatchObject({ home: otherKey, url: "http://other.example" });
    const mixed = await node.post(batch(await beacon(away, viewerAccount), await beacon(home, viewerAccount)));
    expect(verdictsOf(mixed)).toEqual(["not-home", "unbound"]);
  });

  it("bounds the batch: empty, over 100 beacons, an oversized body and a malformed beacon are refused naming the field", async () => {
    const node = await startNode();
    const one = await beacon(viewer, viewerAccount);
    expect((await node.post({ beacons: [] })).status).toBe(400);
    const tooMany = await node.post({ beacons: Array(101).fill(one) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/at most 100/);
    const huge = await node.post({ beacons: [one], pad: "x".repeat(200_000) });
    expect(huge.status).toBe(413);
    const bad = await node.post({ beacons: [{ ...one, nonce: "0x12" }] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("beacons.0.nonce");
    expect(await node.beacons.beaconsOf(community, EPOCH)).toEqual([]);
  });

  it("folds the same beacons, arriving in any order, into the same contribution bytes; prunes once settled", async () => {
    const beacons = [
      await beacon(viewer, { ...viewerAccount, target: `post:${POST}` }),
      await beacon(viewer, { ...viewerAccount, target: `post:${POST}`, action: "engagement", at: at() + 1 }),
      await beacon(viewer, { ...viewerAccount, target: `ad:${campaignId}`, at: at() + 2 }),
      await beacon(payee, { ...payeeAccount, target: `post:${POST}`, at: at() + 3 }),
    ];
    const later = () => now() + 3600_000 + 60_000;
    const a = await startNode({ now: later });
    const b = await startNode({ now: later });
    // Accept while the epoch runs (the nodes' clock moves past the close afterwards).
    for (const [node, order] of [
      [a, beacons],
      [b, [...beacons].reverse()],
    ] as const) {
      const intakeNode = await startNode();
      expect(verdictsOf(await intakeNode.post(batch(...order)))).toEqual(Array(4).fill("accepted"));
      for (const s of await intakeNode.beacons.beaconsOf(community, EPOCH)) await node.beacons.insert(s, 0);
    }
    const ca = await ownContribution(a.deps, community, EPOCH);
    const cb = await ownContribution(b.deps, community, EPOCH);
    expect(ca).toBeDefined();
    expect(JSON.stringify(ca)).toBe(JSON.stringify(cb));
    expect(ca?.users).toHaveLength(2);
    const points = ca?.users.flatMap((u) => u.creators.map((c) => c.points)).sort();
    expect(points).toEqual([1, 6]);
    expect(await a.beacons.pruneSettled(community, EPOCH)).toEqual({ beacons: 4, contributions: 1 });
    expect(await a.beacons.beaconsOf(community, EPOCH)).toEqual([]);
    expect(await b.beacons.pruneSettled(community, EPOCH - 1)).toEqual({ beacons: 0, contributions: 0 });
    expect(await b.beacons.beaconsOf(community, EPOCH)).toHaveLength(4);
  });
  it("wires POST /beacons into the aggregator node from its engagement config", async () => {
    await writeFile(join(dir, "password"), "node password\n", { mode: 0o600 });
    await writeFile(join(dir, "node-secret"), `0x${"42".repeat(32)}\n`, { mode: 0o600 });
    await writeKeystore(
      join(dir, "koii.json"),
      await encryptKey("ed25519", nodeKey, "node password", { n: MIN_SCRYPT_N, r: 8, p: 1 }),
    );
    const config = parseConfig(
      {
        store: { kind: "sqlite", path: ":memory:" },
        http: { host: "127.0.0.1", port: 0 },
        pollIntervalMs: 60_000,
        connectors: [{ kind: "rss", name: "feeds", feeds: ["http://127.0.0.1:1/feed.xml"] }],
        communities: {
          rpcUrl: rpcA,
          communityRegistry: revenue.communityRegistry,
          identityRegistry: revenue.identityRegistry,
        },
        engagement: {
          nodes: [{ koiiPublicKey: self.koiiPublicKey, url: "http://127.0.0.1:1" }],
          keystore: "koii.json",
          passwordFile: "password",
          nodeSecretFile: "node-secret",
        },
      },
      "test",
      {},
      dir,
    );
    const node = await startAggregator(config, { log: silentLogger(), env: {}, campaigns });
    try {
      // The node's own clock: a beacon for the epoch running now (the chain's genesis was taken a moment ago).
      const live = await signBeacon(
        {
          community,
          epoch: Math.floor((Math.floor(Date.now() / 1000) - genesis) / 3600),
          action: "impression",
          target: `ad:${campaignId}`,
          at: Math.floor(Date.now() / 1000),
          ...viewerAccount,
        },
        domain,
        viewer,
      );
      const r = await fetch(`${node.server.url}/beacons`, { method: "POST", body: JSON.stringify(batch(live)) });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { verdicts: { verdict: string }[] }).verdicts.map((v) => v.verdict)).toEqual([
        "accepted",
      ]);
      const metrics = await (await fetch(`${node.server.url}/metrics`)).text();
      expect(metrics).toMatch(/maskoii_aggregator_beacons_accepted_total 1/);
    } finally {
      await node.stop();
    }
  });
});
