// Devnet step: social aggregation (issue 15 point 5). Local servers speak each network's API (a Farcaster hub with
// casts signed by @farcaster/core, a Mastodon instance, the Lens GraphQL API and an RSS feed: the aggregator's
// fixtures); the revenue demo's community 1 on chain A gets a source on each; two aggregator nodes (attesters 1 and
// 2 of the devnet set, each with its key in a node-kit keystore) ingest them. A persona proves a Mastodon account by
// a signed proof post; each node checks it on its proof timer and serves its binding signature at /bindings/...;
// the two signatures, combined, bind the account on the IdentityRegistry. The step prints the community timeline URL
// and a sample of it, its Mastodon author resolved to the persona.
import { createWriteStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type AggregatorNode,
  combineBindingSignatures,
  type FeedPage,
  feedDigest,
  feedReadBytes,
  feedSettingsBytes,
  parseConfig,
  parseServedBindings,
  type SignedBinding,
  startAggregator,
  type TimelinePage,
} from "@maskoii/aggregator";
import {
  cast,
  type FeedServer,
  type Hub,
  type LensApi,
  MASTODON_HOST,
  type MastodonServer,
  makePost,
  makeStatus,
  makeUser,
  proofStatus,
  rssDoc,
  startFeeds,
  startHub,
  startLens,
  startMastodon,
  toHubJson,
} from "@maskoii/aggregator/fixtures";
import {
  createLogger,
  encryptKey,
  generatePrivateKey as generateNodeKey,
  koiiPublicKeyOf,
  MIN_SCRYPT_N,
  writeKeystore,
} from "@maskoii/node-kit";
import { communityRegistryAbi, gatewayAbi, identityRegistryAbi } from "@maskoii/sdk";
import { type Attester, freePort } from "@maskoii/testkit";
import type { ChainDeployment } from "@maskoii/testkit/deploy";
import { getAddress, type Hex, keccak256, stringToHex, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const CHANNEL = "https://warpcast.com/~/channel/maskoii";
const LENS_FEED = "0x00000000000000000000000000000000000f33d0";
const FARCASTER_EPOCH_MS = Date.UTC(2021, 0, 1);
const WAIT_MS = 30_000;
/** The task operators' shared payout salt secret (devnet only). */
const PAYOUT_SALT_SECRET = keccak256(toHex("maskoii devnet payout salt secret"));

export type AggregatorDemo = {
  /** The community timeline's URL on the first node. */
  timelineUrl: string;
  /** The community's feed on the first node (a persona's own feed is the same URL with `persona=`, signed). */
  feedUrl: string;
  /** The nodes' HTTP APIs. */
  nodeUrls: string[];
  /** The nodes themselves (in this process), with their Koii public keys (the engagement task's node list). */
  nodes: AggregatorNode[];
  koiiPublicKeys: string[];
  /** The persona the Mastodon proof bound, its key, and its post (an item id the nodes ingested). */
  persona: { address: Hex; key: Hex; postId: string };
  /** The local Mastodon instance (its host as accounts name it, its statuses API, a demo account that can post). */
  mastodon: { url: string; host: string; hashtag: string; demoAccount: { acct: string; token: string } };
  stop(): Promise<void>;
};

class AggregatorDemoError extends Error {
  override readonly name = "DemoError";
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new AggregatorDemoError(`aggregator demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runAggregatorDemo(args: {
  chain: ChainDeployment;
  rpcUrl: string;
  /** The devnet attesters (set 1, sorted by address); the first `quorum` run an aggregator node each. */
  attesters: readonly Attester[];
  quorum: number;
  /** The revenue demo's community (its owner is wallet #4). */
  communityId: bigint;
  /**
   * The engagement task's close grace (the nodes' `engagement.closeGraceMs`, at least 60 s): each node's epoch loop
   * closes the community's epochs that long after they end (scripts/lib/epoch-demo.ts).
   */
  closeGraceMs: number;
  dir: string;
  log: (line: string) => void;
}): Promise<AggregatorDemo> {
  const { chain, log } = args;
  const revenue = chain.revenue;
  if (revenue === undefined) throw new AggregatorDemoError("the revenue suite is not deployed on chain A");
  const publicClient = await chain.connection.viem.getPublicClient();
  const wallets = await chain.connection.viem.getWalletClients();
  const submitter = wallets[3];
  const communityOwner = wallets[4];
  if (submitter === undefined || communityOwner === undefined) {
    throw new AggregatorDemoError("the devnet chain needs at least five funded accounts");
  }
  const members = args.attesters.map((a) => getAddress(a.account.address));
  const setId = await publicClient.readContract({
    address: chain.contracts.gateway,
    abi: gatewayAbi,
    functionName: "currentSetId",
  });

  // 1. The networks' local servers, with posts made through each network's own formats.
  const hub: Hub = await startHub();
  const mastodon: MastodonServer = await startMastodon();
  const lens: LensApi = await startLens();
  const feeds: FeedServer = await startFeeds();
  const servers = [hub, mastodon, lens, feeds];
  const nodes: AggregatorNode[] = [];
  const stop = async () => {
    for (const n of nodes.splice(0)) await n.stop();
    for (const s of servers) await s.close();
  };
  try {
    const now = Date.now();
    const caster = makeUser(3);
    hub.channels.set(CHANNEL, [
      toHubJson(
        await cast(
          caster,
          "gm maskoii, first cast in the channel",
          CHANNEL,
          Math.floor((now - FARCASTER_EPOCH_MS) / 1e3),
        ),
      ),
    ]);
    const alice = `alice@${MASTODON_HOST}`;
    const aliceActor = `https://${MASTODON_HOST}/users/alice`;
    const personaKey = generatePrivateKey();
    const persona = privateKeyToAccount(personaKey).address;
    const proof = await proofStatus({
      id: 100,
      acct: alice,
      personaKey,
      payload: { action: "bind", identity: aliceActor, persona, previous: null },
    });
    mastodon.tags.set("maskoii", [
      proof.status,
      makeStatus(MASTODON_HOST, 101, alice, "<p>hello from the fediverse #maskoii</p>"),
    ]);
    lens.posts.push(makePost(7, "0x00000000000000000000000000000000000a11ce", "a lens post in the maskoii feed"));
    feeds.feeds.set("/blog.xml", {
      contentType: "application/rss+xml",
      body: rssDoc([
        {
          guid: "post-1",
          title: "maskoii devnet notes",
          link: "https://blog.example/devnet-notes",
          html: "the blog's first post",
          date: new Date(now - 60_000),
        },
      ]),
      modified: new Date(now - 60_000),
    });
    const rssUrl = `${feeds.url}/blog.xml`;
    const mastodonHost = new URL(mastodon.url).host;

    // 2. The community's sources, one per network, added on chain by its owner.
    const sources = [
      `farcaster:channel:${CHANNEL}`,
      `mastodon:tag:${mastodonHost}#maskoii`,
      `lens:feed:${LENS_FEED}`,
      `rss:${rssUrl}`,
    ];
    for (const source of sources) {
      const hash = await communityOwner.writeContract({
        address: revenue.communityRegistry,
        abi: communityRegistryAbi,
        functionName: "addSource",
        args: [args.communityId, stringToHex(source)],
      });
      await publicClient.waitForTransactionReceipt({ hash });
    }
    log(`community ${args.communityId}: sources ${sources.join(", ")}`);

    const koiiGenesisMs = Date.now();
    // 3. Two aggregator nodes, each signing bindings with its attester key (a keystore, as the attesters keep it).
    await rm(args.dir, { recursive: true, force: true });
    await mkdir(args.dir, { recursive: true });
    await writeFile(join(args.dir, "password"), "devnet aggregator\n", { mode: 0o600 });
    // The engagement task (issue 16): each node has a Koii key, a node secret, and a fixed port, so that every node's
    // config lists every node (engagement.nodes, reports.koii.nodes) and the relayer's report submitter polls them.
    const operators = args.attesters.slice(0, args.quorum);
    const koiiKeys = operators.map(() => generateNodeKey("ed25519"));
    const koiiPublicKeys = koiiKeys.map((k) => koiiPublicKeyOf(k));
    const ports = await Promise.all(operators.map(() => freePort()));
    const taskNodes = koiiPublicKeys.map((k, i) => ({ koiiPublicKey: k, url: `http://127.0.0.1:${ports[i]}` }));
    const scrypt = { n: MIN_SCRYPT_N, r: 8, p: 1 };
    for (const [i, attester] of operators.entries()) {
      await writeKeystore(
        join(args.dir, `attester-${i}.json`),
        await encryptKey("secp256k1", attester.privateKey, "devnet aggregator", scrypt),
      );
      await writeKeystore(
        join(args.dir, `koii-${i}.json`),
        await encryptKey("ed25519", koiiKeys[i] as Hex, "devnet aggregator", scrypt),
      );
      await writeFile(join(args.dir, `node-secret-${i}`), `${keccak256(toHex(`devnet node secret ${i}`))}\n`, {
        mode: 0o600,
      });
      const config = parseConfig(
        {
          store: { kind: "pglite", dataDir: `node-${i}` },
          http: { host: "127.0.0.1", port: ports[i] },
          pollIntervalMs: 250,
          connectors: [
            {
              kind: "farcaster",
              name: "farcaster",
              hubUrl: hub.url,
              channels: [CHANNEL],
              signerSource: "config",
              signers: { [caster.fid]: [caster.publicKey] },
            },
            { kind: "mastodon", name: "mastodon", instanceUrl: mastodon.url, hashtags: ["maskoii"] },
            {
              kind: "lens",
              name: "lens",
              apiUrl: `${lens.url}/graphql`,
              streams: { [`feed:${LENS_FEED}`]: { feeds: [{ feed: LENS_FEED }] } },
            },
            { kind: "rss", name: "rss", feeds: [rssUrl] },
          ],
          communities: {
            rpcUrl: args.rpcUrl,
            communityRegistry: revenue.communityRegistry,
            identityRegistry: revenue.identityRegistry,
            campaignLedger: revenue.campaignLedger,
            cacheMs: 0,
          },
          feed: { chainId: chain.chainId, campaignLedger: revenue.campaignLedger },
          identity: {
            keystore: `attester-${i}.json`,
            passwordFile: "password",
            domain: chain.domain,
            identityRegistry: revenue.identityRegistry,
            attesterSetId: setId.toString(),
            scanIntervalMs: 250,
          },
          engagement: {
            nodes: taskNodes,
            keystore: `koii-${i}.json`,
            passwordFile: "password",
            nodeSecretFile: `node-secret-${i}`,
            closeGraceMs: args.closeGraceMs,
          },
          reports: {
            chainId: chain.chainId,
            domain: chain.domain,
            epochReports: revenue.epochReports,
            communityRegistry: revenue.communityRegistry,
            attesterSetId: setId.toString(),
            payoutSaltSecret: PAYOUT_SALT_SECRET,
            loop: { communities: [Number(args.communityId)], pollIntervalMs: 500, peerAttempts: 20 },
            koii: {
              taskId: "maskoii-engagement-devnet",
              genesisMs: koiiGenesisMs,
              roundMs: 10_000,
              submissionMs: 3_000,
              auditMs: 3_000,
              nodes: taskNodes.map((n) => ({ ...n, stake: "1000" })),
              rewardPerRound: "300",
              pollIntervalMs: 500,
            },
          },
        },
        "devnet aggregator",
        {},
        args.dir,
      );
      // Each node logs to <dir>/node-<i>.log (the epoch loop's progress, peers' contributions).
      const log = createLogger(
        { level: "info", name: `aggregator-${i}` },
        createWriteStream(join(args.dir, `node-${i}.log`)),
      );
      nodes.push(await startAggregator(config, { log, env: {} }));
    }
    log(
      `aggregator nodes: ${nodes.map((n) => n.server.url).join(", ")} (attesters ${nodes.length} of ${members.length})`,
    );

    // 4. The proof: each node signs the binding on its own; their served signatures bind it on chain.
    const served: SignedBinding[] = [];
    for (const node of nodes) {
      const signed = await until(`${node.server.url} to sign the binding`, async () => {
        const res = await fetch(`${node.server.url}/bindings/pending?limit=10`);
        const { bindings } = parseServedBindings(await res.json());
        return bindings.find((b) => b.proofId === proof.proofId);
      });
      served.push(signed);
    }
    const [first] = served;
    if (first === undefined) throw new AggregatorDemoError("no aggregator node signed the binding");
    const attestation = combineBindingSignatures(setId, members, served);
    const hash = await submitter.writeContract({
      address: revenue.identityRegistry,
      abi: identityRegistryAbi,
      functionName: "bind",
      args: [
        first.binding.platform,
        first.binding.accountId,
        first.binding.persona,
        BigInt(first.binding.sequence),
        attestation,
      ],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    log(
      `identity proof: ${aliceActor} bound to persona ${persona} (${served.length} nodes' signatures from /bindings)`,
    );

    // 5. The community timeline, with its authors resolved to personas.
    const node = nodes[0] as AggregatorNode;
    const timelineUrl = `${node.server.url}/communities/${args.communityId}/timeline`;
    const page = await until("the timeline to list every network with the persona", async () => {
      const res = await fetch(`${timelineUrl}?limit=10`);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as TimelinePage;
      const networks = new Set(body.entries.map((e) => e.id.split(":")[0]));
      const resolved = body.entries.some((e) => e.author.persona === persona);
      return networks.size >= 4 && resolved ? body : undefined;
    });
    log(`community timeline: ${timelineUrl}`);
    for (const entry of page.entries.slice(0, 6)) {
      const who =
        entry.author.persona === null ? entry.author.id : `${entry.author.id} = persona ${entry.author.persona}`;
      const text = (entry.body ?? "(sealed)").replace(/\s+/g, " ").slice(0, 60);
      log(`  ${entry.id} by ${who}: ${text}`);
    }

    // 6. The persona's personalized feed (issue 16 point 1): its settings (follow the Farcaster caster, interests),
    //    signed with its key and kept on its home node only; then one signed read, each item with its "why".
    const domain = { chainId: chain.chainId, communityRegistry: getAddress(revenue.communityRegistry) };
    const viewer = privateKeyToAccount(personaKey);
    const settings = { communities: [], follows: [`farcaster:fid:${caster.fid}`], tags: ["maskoii"], weights: {} };
    const settingsAt = Math.floor(Date.now() / 1000);
    const put = await fetch(`${node.server.url}/feed/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        persona,
        at: settingsAt,
        settings,
        signature: await viewer.signMessage({
          message: { raw: feedDigest(feedSettingsBytes(domain, persona, settingsAt, settings)) },
        }),
      }),
    });
    if (put.status !== 200) throw new AggregatorDemoError(`feed settings refused: ${put.status} ${await put.text()}`);
    const feedUrl = `${node.server.url}/feed?community=${args.communityId}`;
    const personal = await until("the persona's feed with its ad slot", async () => {
      const at = Math.floor(Date.now() / 1000);
      const res = await fetch(`${feedUrl}&persona=${persona}&limit=6`, {
        headers: {
          "x-maskoii-time": String(at),
          "x-maskoii-signature": await viewer.signMessage({
            message: { raw: feedDigest(feedReadBytes(domain, persona, at)) },
          }),
        },
      });
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as FeedPage;
      return body.entries.some((e) => e.type === "ad") ? body : undefined;
    });
    log(
      `personalized feed: ${feedUrl}&persona=${persona} (signed by the persona: x-maskoii-time, x-maskoii-signature)`,
    );
    for (const [rank, entry] of personal.entries.entries()) {
      if (entry.type === "ad") {
        log(`  #${rank + 1} [${entry.label}] campaign ${entry.campaignId}: ${entry.creativeURI}`);
        continue;
      }
      const why = entry.why.features
        .filter((f) => f.contribution !== 0)
        .map((f) => `${f.feature} ${f.contribution}`)
        .join(" + ");
      log(`  #${rank + 1} ${entry.id} (${entry.why.source}) score ${entry.score} = ${why || "0"}`);
    }
    // A demo account the web client can publish with (proofs, member keys, sealed posts) on the local instance.
    const demoAccount = { acct: `you@${MASTODON_HOST}`, token: "devnet-you" };
    // The fixture's default rate limit (300 requests per window) would stall two nodes polling every 250 ms
    // within a minute of the devnet staying up; the devnet's instance has none.
    mastodon.rate.remaining = Number.MAX_SAFE_INTEGER;
    mastodon.accounts.set(demoAccount.token, demoAccount.acct);
    const post = page.entries.find((e) => e.author.persona === persona && (e.body ?? "").includes("hello"));
    if (post === undefined) throw new AggregatorDemoError("the persona's Mastodon post is not on the timeline");
    return {
      timelineUrl,
      feedUrl,
      nodeUrls: nodes.map((n) => n.server.url),
      nodes,
      koiiPublicKeys,
      persona: { address: persona, key: personaKey, postId: post.id },
      mastodon: { url: mastodon.url, host: MASTODON_HOST, hashtag: "maskoii", demoAccount },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
