// The campaign reader against the real CampaignLedger on a local hardhat chain (the testkit's deploy fixture), and the
// feed's ad slots filled from it: campaigns created with the sdk's RevenueClient, one live and matching, the others
// paused, cancelled, not started or targeting another community; only the live, matching one is ever served, as a
// labelled ad with the creative URI its creation event published.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@maskoii/node-kit";
import { type DeploymentRevenue, RevenueClient } from "@maskoii/sdk";
import { demoTokenAbi, devnetAttesters, runDeployFixture, Supervisor, startHardhatNode } from "@maskoii/testkit";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  keccak256,
  type PublicClient,
  stringToBytes,
  toHex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainCampaignReader, tagWord } from "../src/campaigns.ts";
import { ChainCommunityReader } from "../src/communities.ts";
import { parseConfig } from "../src/config.ts";
import { type FeedPage, FeedService } from "../src/feed/feed-service.ts";
import { FeedStore } from "../src/feed/feed-store.ts";
import { startAggregator } from "../src/node.ts";
import { type OperatorServer, startOperatorServer } from "../src/server.ts";
import { TimelineService } from "../src/timeline.ts";
import { type Harness, harness } from "./helpers.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
const SOURCE = "mastodon:tag:social.example#cats";

describe("campaigns on a local chain fill the feed's ad slots", () => {
  const supervisor = new Supervisor();
  let dir = "";
  let revenue: DeploymentRevenue;
  let token: Address;
  let client: PublicClient;
  let h: Harness;
  let server: OperatorServer;
  let reader: ChainCampaignReader;
  const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  const advertiser = mnemonicToAccount(MNEMONIC, { addressIndex: 5 });
  let rpcA = "";
  const wallet = (account = owner) => createWalletClient({ account, chain: chainA, transport: http(rpcA) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-aggregator-feed-"));
    const [a, b] = await Promise.all([
      startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "a.log") }),
      startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "b.log") }),
    ]);
    const members = devnetAttesters(3, "maskoii aggregator feed test").map((x) => x.account.address);
    const deployed = await runDeployFixture({ rpcA: a.rpcUrl, rpcB: b.rpcUrl, attesters: members, thresholdBps: 6666 });
    if (deployed.revenueA === undefined) throw new Error("the fixture deployed no revenue suite");
    revenue = deployed.revenueA;
    token = deployed.a.demoToken;
    rpcA = a.rpcUrl;
    client = createPublicClient({ chain: chainA, transport: http(a.rpcUrl) }) as PublicClient;
    h = await harness();
  }, 400_000);
  afterAll(async () => {
    await server?.close();
    await h?.close();
    await supervisor.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("reads campaigns from the ledger and its creation events, and lists only the live ones targeting a community", async () => {
    const revenueClient = new RevenueClient({ publicClient: client, addresses: revenue });
    const split = { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 };
    for (const sources of [[toHex(SOURCE)], [toHex("rss:https://other.example/feed")]]) {
      await revenueClient
        .withWallet(wallet())
        .createCommunity({ metadataURI: "ipfs://c", treasury: owner.address, sources, split });
    }
    const budget = 10n ** 21n;
    const mint = await wallet().writeContract({
      address: token,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [advertiser.address, budget * 5n],
    });
    await client.waitForTransactionReceipt({ hash: mint });
    const approve = await wallet(advertiser).writeContract({
      address: token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [revenue.campaignLedger, budget * 5n],
    });
    await client.waitForTransactionReceipt({ hash: approve });
    const adv = revenueClient.withWallet(wallet(advertiser));
    const now = Number((await client.getBlock()).timestamp);
    const create = (n: number, over: { communities?: bigint[]; tags?: `0x${string}`[]; start?: number } = {}) =>
      adv.createCampaign({
        token,
        communities: over.communities ?? [1n],
        tags: over.tags ?? [],
        cpm: 10n ** 18n,
        cpe: 10n ** 16n,
        budget,
        epochCap: budget / 10n,
        start: over.start ?? now - 60,
        end: now + 100_000,
        creativeHash: keccak256(stringToBytes(`creative ${n}`)),
        creativeURI: `ipfs://creative-${n}`,
      });
    expect((await create(1, { tags: [tagWord("cats")] })).result).toBe(1n); // live, matches #cats
    await create(2); // paused below
    await create(3, { communities: [2n] }); // another community
    await create(4); // cancelled below
    await create(5, { start: now + 50_000 }); // not started
    await adv.pause(2n);
    await adv.cancel(4n);

    reader = new ChainCampaignReader({ client, campaignLedger: revenue.campaignLedger, cacheMs: 0 });
    expect(await reader.lastCampaignId()).toBe(5n);
    const one = await reader.campaign(1n);
    expect(one).toMatchObject({
      id: 1n,
      advertiser: advertiser.address,
      token,
      available: budget,
      cpm: 10n ** 18n,
      cpe: 10n ** 16n,
      epochCap: budget / 10n,
      pausedAt: 0,
      cancelledAt: 0,
      creativeURI: "ipfs://creative-1",
      creativeHash: keccak256(stringToBytes("creative 1")),
      tags: [tagWord("cats")],
      communities: [1n],
    });
    expect((await reader.campaign(2n))?.pausedAt).toBeGreaterThan(0);
    expect((await reader.campaign(4n))?.cancelledAt).toBeGreaterThan(0);
    expect(await reader.campaign(6n)).toBeUndefined();
    expect(await reader.targets(1n, 1n)).toBe(true);
    expect(await reader.targets(3n, 1n)).toBe(false);
    const t = Number((await client.getBlock()).timestamp);
    expect((await reader.activeFor(1n, t)).map((c) => c.id)).toEqual([1n]);
    expect((await reader.activeFor(2n, t)).map((c) => c.id)).toEqual([3n]);
    expect((await reader.activeFor(1n, now + 60_000)).map((c) => c.id)).toEqual([1n, 5n]);
  });

  it("serves the live matching campaign, labelled, at the bounded rate; never the others", async () => {
    const communities = new ChainCommunityReader({
      client,
      communityRegistry: revenue.communityRegistry,
      identityRegistry: revenue.identityRegistry,
      cacheMs: 0,
    });
    const timelines = new TimelineService(h.store, communities, (d) => ({
      streams: d.map((stream) => ({ connector: "test", stream })),
      unresolved: [],
    }));
    const service = new FeedService({
      store: h.store,
      feedStore: new FeedStore(h.store),
      timelines,
      communities,
      campaigns: reader,
      options: { adEvery: 4 },
    });
    server = await startOperatorServer(
      {
        store: h.store,
        ingestor: h.ingestor([]),
        metrics: h.metrics,
        feed: { service, domain: { chainId: 31337, communityRegistry: revenue.communityRegistry } },
      },
      { host: "127.0.0.1", port: 0 },
    );
    const at = Date.now() - 60_000;
    await h.store.commitPage(
      "test",
      SOURCE,
      {
        items: Array.from({ length: 10 }, (_, i) => ({
          id: `rss:post-${i}`,
          network: "rss" as const,
          kind: "post" as const,
          author: `rss:feed:https://blog${i % 3}.example`,
          body: `post ${i}`,
          url: null,
          parent: null,
          createdAt: at - i * 1000,
        })),
        rejects: 0,
        cursor: {},
        more: false,
      },
      at,
    );
    const page = (await (await fetch(`${server.url}/feed?community=1&limit=50`)).json()) as FeedPage;
    const ads = page.entries.flatMap((e, i) => (e.type === "ad" ? [{ e, i }] : []));
    expect(ads.map(({ i }) => i)).toEqual([3, 7, 11]);
    for (const { e } of ads)
      expect(e).toMatchObject({ label: "Sponsored", campaignId: "1", creativeURI: "ipfs://creative-1" });
    expect(page.entries.filter((e) => e.type === "post")).toHaveLength(10);
    // Community 2's feed: campaign 3 only.
    const other = (await (await fetch(`${server.url}/feed?community=2&limit=50`)).json()) as FeedPage;
    expect(other.entries).toEqual([]); // no posts in it: no slot has a post after it, so no ads either
  });

  it("is served by a node started from a config with a feed section", async () => {
    const node = await startAggregator(
      parseConfig(
        {
          store: { kind: "sqlite", path: ":memory:" },
          log: { level: "silent" },
          http: { port: 0 },
          pollIntervalMs: 60_000,
          retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 500 },
          connectors: [{ kind: "rss", name: "feeds", feeds: ["http://127.0.0.1:9/feed.xml"] }],
          communities: {
            rpcUrl: rpcA,
            communityRegistry: revenue.communityRegistry,
            identityRegistry: revenue.identityRegistry,
            cacheMs: 0,
          },
          feed: { chainId: 31337, campaignLedger: revenue.campaignLedger, adEvery: 4 },
        },
        "test",
      ),
      { log: silentLogger() },
    );
    try {
      const page = await fetch(`${node.server.url}/feed?community=1`);
      expect(page.status).toBe(200);
      expect(await page.json()).toMatchObject({ community: "1", persona: null, entries: [], nextCursor: null });
      expect((await fetch(`${node.server.url}/feed?community=3`)).status).toBe(404);
      expect((await fetch(`${node.server.url}/feed?community=x`)).status).toBe(400);
    } finally {
      await node.stop();
    }
  });
});
