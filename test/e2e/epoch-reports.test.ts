// Issue 16 end to end: a Mastodon fixture instance → three aggregator nodes (real `startAggregator`, each with the
// engagement, identity, reports + loop and Koii task sections) → viewers' signed beacons at their home nodes → the
// epoch closes → the nodes' epoch loops fetch each other's contributions, build, sign and store the report → the Koii
// round carries it (the liar, node C, builds with another payout salt secret: its report differs, the honest nodes'
// audits vote it down and the distribution slashes it) → the relayer's report submitter (`startRelayer` with
// `relayer.reports`) submits the honest quorum's report and finalizes it → the nodes mark it settled and prune the
// epoch's beacons → each creator fetches its own proof (signed request) and claims exactly its leaf; the campaign's
// spend is accounted for by the contract balances. Chain and node clocks jump together (the nodes take a shifted
// clock), so the 1-hour epochs of the deploy fixture close in seconds.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AggregatorNode,
  homeNodeOf,
  parseConfig,
  signBeacon,
  signPayoutRequest,
  startAggregator,
} from "@maskoii/aggregator";
import { bindOnChain, type MastodonServer, makeStatus, startMastodon } from "@maskoii/aggregator/fixtures";
import {
  encryptKey,
  generatePrivateKey as generateNodeKey,
  koiiPublicKeyOf,
  MIN_SCRYPT_N,
  silentLogger,
  writeKeystore,
} from "@maskoii/node-kit";
import { parseConfig as parseRelayerConfig, type RelayerHandle, resolveChains, startRelayer } from "@maskoii/relayer";
import {
  activityPubAccountId,
  campaignLedgerAbi,
  communityRegistryAbi,
  type DeploymentRevenue,
  epochReportsAbi,
  farcasterAccountId,
  gatewayAbi,
  Platform,
  parsePayoutEntries,
  RevenueClient,
} from "@maskoii/sdk";
import {
  demoTokenAbi,
  devnetAttesters,
  freePort,
  runDeployFixture,
  Supervisor,
  startHardhatNode,
  until,
} from "@maskoii/testkit";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  toHex,
} from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MNEMONIC = "test test test test test test test test test test test junk";
const DOMAIN = 1001;
const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
const devAccount = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i });
const devKey = (i: number): Hex => toHex(devAccount(i).getHdKey().privateKey ?? new Uint8Array());
const PASSWORD = "node password";
const SECRET = keccak256(toHex("the task operators' payout salt secret"));
const LIAR_SECRET = keccak256(toHex("a secret nobody else holds"));

type Pending = { reports: { community: string; epoch: string; reportHash: Hex; signer: Hex }[] };

describe("e2e: engagement epoch → agreed report → on chain → creators paid; a lying node slashed", () => {
  const supervisor = new Supervisor();
  const attesters = devnetAttesters(3, "maskoii epoch e2e");
  const members = attesters.map((a) => getAddress(a.account.address));
  const owner = devAccount(0);
  const viewers = Array.from({ length: 4 }, () => privateKeyToAccount(generatePrivateKey()));
  const creatorKeys = [generatePrivateKey(), generatePrivateKey()];
  const creators = creatorKeys.map((k) => privateKeyToAccount(k));
  const koiiKeys = attesters.map(() => generateNodeKey("ed25519"));
  const koiiIds = koiiKeys.map((k) => koiiPublicKeyOf(k));
  let dir = "";
  let rpcA = "";
  let client: PublicClient;
  let revenue: DeploymentRevenue;
  let token: Address;
  let setId = 0n;
  let mastodon: MastodonServer;
  let host = "";
  let community = 0n;
  let campaignId = 0n;
  const budget = 10n ** 21n;
  const nodes: AggregatorNode[] = [];
  let relayer: RelayerHandle | undefined;
  /** The nodes' clock runs `offset` ms ahead of this process's, as the chain's does after evm_increaseTime. */
  let offset = 0;
  const now = () => Date.now() + offset;
  const wallet = (account: LocalAccount | ReturnType<typeof devAccount>) =>
    createWalletClient({ account, chain: chainA, transport: http(rpcA) });
  const mined = async (hash: Hex) => expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
  /** Moves the chain's clock forward, and the nodes' with it (unless `chainOnly`). */
  const jump = async (seconds: number, chainOnly = false) => {
    await client.request({ method: "evm_increaseTime", params: [seconds] } as never);
    await client.request({ method: "evm_mine", params: [] } as never);
    if (!chainOnly) offset += seconds * 1_000;
  };
  const chainNow = async () => Number((await client.getBlock()).timestamp);

  const bind = async (platform: Platform, accountId: Hex, persona: Address) =>
    mined(
      await bindOnChain({
        client,
        wallet: wallet(owner),
        identityRegistry: revenue.identityRegistry,
        domain: DOMAIN,
        attesterSetId: setId,
        members,
        signers: attesters.slice(0, 2).map((a) => ({ address: a.account.address, privateKey: a.privateKey })),
        platform,
        accountId,
        persona,
      }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-epoch-e2e-"));
    const [a, b] = await Promise.all([
      startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "a.log") }),
      startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "b.log") }),
    ]);
    const deployed = await runDeployFixture({
      rpcA: a.rpcUrl,
      rpcB: b.rpcUrl,
      attesters: members,
      thresholdBps: 6666,
      out: dir,
    });
    if (deployed.revenueA === undefined) throw new Error("the fixture deployed no revenue suite");
    revenue = deployed.revenueA;
    token = deployed.a.demoToken;
    rpcA = a.rpcUrl;
    client = createPublicClient({ chain: chainA, transport: http(rpcA) }) as PublicClient;
    setId = await client.readContract({ address: deployed.a.gateway, abi: gatewayAbi, functionName: "currentSetId" });
    offset = (await chainNow()) * 1_000 - Date.now();
    // Start at the beginning of the next epoch, so the beacons have the whole epoch.
    const length = revenue.epochLength;
    const t = await chainNow();
    await jump(revenue.genesis + (Math.floor((t - revenue.genesis) / length) + 1) * length + 5 - t);

    // The network: two creators' posts on a Mastodon instance; the community reads its #maskoii tag.
    mastodon = await startMastodon();
    mastodon.rate.remaining = 1_000_000; // three nodes poll it all along
    host = new URL(mastodon.url).host;
    mastodon.tags.set("maskoii", [
      makeStatus(host, 2, "dave", "<p>second</p>"),
      makeStatus(host, 1, "carol", "<p>first</p>"),
    ]);
    const w = wallet(owner);
    const policy = (6000n << 48n) | (2000n << 32n) | (1500n << 16n) | 500n;
    await mined(
      await w.writeContract({
        address: revenue.communityRegistry,
        abi: communityRegistryAbi,
        functionName: "createCommunity",
        args: ["ipfs://e2e", owner.address, [toHex(`mastodon:tag:${host}#maskoii`)], policy, 3, 26],
      }),
    );
    community = 1n;
    // Creators' Mastodon accounts and the viewers' fids, bound on chain.
    for (const [i, acct] of ["carol", "dave"].entries()) {
      const creator = creators[i] as LocalAccount;
      await bind(Platform.ActivityPub, activityPubAccountId(`https://${host}/users/${acct}`), creator.address);
    }
    for (const [i, v] of viewers.entries())
      await bind(Platform.Farcaster, farcasterAccountId(BigInt(500 + i)), v.address);
    // A funded campaign targeting the community, live from now.
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
    const start = await chainNow();
    await mined(
      await w.writeContract({
        address: revenue.campaignLedger,
        abi: campaignLedgerAbi,
        functionName: "createCampaign",
        args: [
          {
            token,
            communities: [community],
            tags: [],
            cpm: 2n * 10n ** 18n,
            cpe: 5n * 10n ** 16n,
            budget,
            epochCap: budget,
            start,
            end: start + 30 * 86_400,
            creativeHash: keccak256(toHex("creative")),
            creativeURI: "ipfs://creative",
          },
        ],
      }),
    );
    campaignId = 1n;

    // Three aggregator nodes on fixed ports (each lists the others' URLs); node C holds another salt secret.
    const ports = await Promise.all(koiiKeys.map(() => freePort()));
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const taskNodes = koiiIds.map((k, i) => ({ koiiPublicKey: k, url: urls[i] as string }));
    await writeFile(join(dir, "password"), `${PASSWORD}\n`, { mode: 0o600 });
    // The Koii rounds start when the test's epoch ends (the clocks jump there), so round numbers stay small.
    const running = Math.floor((Math.floor(now() / 1_000) - revenue.genesis) / length);
    const genesisMs = (revenue.genesis + (running + 1) * length) * 1_000;
    for (const [i, attester] of attesters.entries()) {
      const scrypt = { n: MIN_SCRYPT_N, r: 8, p: 1 };
      await writeKeystore(
        join(dir, `attester-${i}.json`),
        await encryptKey("secp256k1", attester.privateKey, PASSWORD, scrypt),
      );
      await writeKeystore(
        join(dir, `koii-${i}.json`),
        await encryptKey("ed25519", koiiKeys[i] as Hex, PASSWORD, scrypt),
      );
      await writeFile(join(dir, `node-secret-${i}`), `${keccak256(toHex(`node secret ${i}`))}\n`, { mode: 0o600 });
      const config = parseConfig(
        {
          store: { kind: "sqlite", path: ":memory:" },
          http: { host: "127.0.0.1", port: ports[i] },
          pollIntervalMs: 100,
          connectors: [{ kind: "mastodon", name: "masto", instanceUrl: mastodon.url, hashtags: ["maskoii"] }],
          communities: {
            rpcUrl: rpcA,
            communityRegistry: revenue.communityRegistry,
            identityRegistry: revenue.identityRegistry,
            campaignLedger: revenue.campaignLedger,
            cacheMs: 0,
          },
          identity: {
            keystore: `attester-${i}.json`,
            passwordFile: "password",
            domain: DOMAIN,
            identityRegistry: revenue.identityRegistry,
            attesterSetId: setId.toString(),
            scanIntervalMs: 60_000,
          },
          engagement: {
            nodes: taskNodes,
            keystore: `koii-${i}.json`,
            passwordFile: "password",
            nodeSecretFile: `node-secret-${i}`,
            closeGraceMs: 60_000,
          },
          reports: {
            chainId: 31337,
            domain: DOMAIN,
            epochReports: revenue.epochReports,
            communityRegistry: revenue.communityRegistry,
            // Stale on purpose: the loop signs under the Gateway's current set, read at signing.
            attesterSetId: (setId + 7n).toString(),
            payoutSaltSecret: i === 2 ? LIAR_SECRET : SECRET,
            loop: { communities: [Number(community)], pollIntervalMs: 200, peerAttempts: 20 },
            koii: {
              taskId: "maskoii-engagement-e2e",
              genesisMs,
              roundMs: 3_000,
              submissionMs: 1_000,
              auditMs: 1_000,
              nodes: taskNodes.map((n) => ({ ...n, stake: "1000" })),
              rewardPerRound: "300",
              pollIntervalMs: 100,
            },
          },
        },
        "e2e",
        {},
        dir,
      );
      nodes.push(await startAggregator(config, { log: silentLogger(), env: {}, now }));
    }
    // Every node ingested both posts (beacons name them).
    await Promise.all(
      nodes.map((n) =>
        until("the node ingested the posts", async () => {
          const rows = await n.store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM agg_items");
          return Number(rows[0]?.n) >= 2 ? true : undefined;
        }),
      ),
    );

    // The relayer's report submitter polls the three nodes.
    const relayerConfig = await resolveChains(
      parseRelayerConfig({
        profile: "dev",
        chains: [
          {
            domain: DOMAIN,
            rpcUrl: rpcA,
            deploymentFile: join(dir, "31337.json"),
            finality: { kind: "confirmations", depth: 0 },
          },
        ],
        keys: { keystore: "unused.json" },
        store: { kind: "sqlite", path: join(dir, "relayer.sqlite") },
        relayer: {
          attesters: ["http://127.0.0.1:9"],
          reports: { nodes: urls, domain: DOMAIN, pollIntervalMs: 200, requestTimeoutMs: 2_000 },
        },
      }),
      dir,
    );
    const paying = devAccount(9);
    relayer = await startRelayer({
      config: relayerConfig,
      payingKey: { kind: "secp256k1", privateKey: devKey(9), publicId: paying.address },
      log: silentLogger(),
    });
  }, 180_000);

  afterAll(async () => {
    await relayer?.stop();
    for (const n of nodes) await n.stop().catch(() => undefined); // B was stopped by the test already
    await mastodon?.close();
    await supervisor.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("pays the creators exactly their leaves, conserves the spend, and slashes the lying node", async () => {
    const domain = { chainId: 31337, communityRegistry: revenue.communityRegistry };
    const epoch = Math.floor((Math.floor(now() / 1_000) - revenue.genesis) / revenue.epochLength);
    const posts = [`mastodon:https://${host}/users/carol/statuses/1`, `mastodon:https://${host}/users/dave/statuses/2`];
    // Each viewer, at its home node: two ad impressions, one ad engagement, an impression on each post and an
    // engagement with carol's.
    for (const [i, v] of viewers.entries()) {
      const account = { platform: Platform.Farcaster, accountId: farcasterAccountId(BigInt(500 + i)) };
      const at = Math.floor(now() / 1_000);
      const beacons = await Promise.all(
        [
          { action: "impression", target: `ad:${campaignId}`, at: at - 2 },
          { action: "impression", target: `ad:${campaignId}`, at: at - 1 },
          { action: "engagement", target: `ad:${campaignId}`, at },
          { action: "impression", target: `post:${posts[0]}`, at },
          { action: "impression", target: `post:${posts[1]}`, at },
          { action: "engagement", target: `post:${posts[0]}`, at },
        ].map((f) =>
          signBeacon(
            {
              community: community.toString(),
              epoch,
              ...account,
              ...(f as { action: "impression"; target: string; at: number }),
            },
            domain,
            v,
          ),
        ),
      );
      const home = koiiIds.indexOf(homeNodeOf(v.address, koiiIds));
      const res = await fetch(`${nodes[home]?.server.url}/beacons`, {
        method: "POST",
        body: JSON.stringify({ beacons }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { verdicts: { verdict: string }[] };
      expect(body.verdicts.map((x) => x.verdict)).toEqual(Array(6).fill("accepted"));
    }
    const ledgerBefore = await balance(revenue.campaignLedger);

    // The epoch ends; past the close grace every node's loop builds its report.
    const end = revenue.genesis + (epoch + 1) * revenue.epochLength;
    await jump(end + 61 - Math.floor(now() / 1_000));
    const pending = await Promise.all(
      nodes.map((n) =>
        until(
          "the node's report",
          async () => {
            const body = (await (await fetch(`${n.server.url}/reports/pending`)).json()) as Pending;
            return body.reports.find((r) => r.epoch === String(epoch));
          },
          { timeoutMs: 30_000 },
        ),
      ),
    );
    const [ra, rb, rc] = pending;
    expect(rb?.reportHash).toBe(ra?.reportHash);
    expect(rc?.reportHash).not.toBe(ra?.reportHash);

    // The Koii round: the honest nodes' audits fail the liar's report, the distribution slashes it, not them.
    const liar = koiiIds[2] as string;
    const slashed = await until(
      "a distribution slashing the liar",
      async () => {
        for (let round = 0; round < 80; round++) {
          const res = await fetch(`${nodes[0]?.server.url}/koii/rounds/${round}/distribution?kind=engagement-reports`);
          if (res.status !== 200) continue;
          const d = (await res.json()) as { slashes: { node: string }[] };
          if (d.slashes.length > 0) return d.slashes.map((s) => s.node);
        }
        return undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(slashed).toEqual([liar]);

    // The relayer submits the honest quorum's report (2 of 3; the liar's has one signature), then finalizes it.
    const seq = await until(
      "the report submitted",
      async () => {
        const logs = await client.getContractEvents({
          address: revenue.epochReports,
          abi: epochReportsAbi,
          eventName: "ReportSubmitted",
          fromBlock: 0n,
        });
        return logs.find((l) => l.args.reportHash === ra?.reportHash)?.args.seq;
      },
      { timeoutMs: 30_000 },
    );
    // The challenge window passes on chain only (the nodes' Koii rounds need not skip an hour of rounds).
    await jump(revenue.challengeWindow + 1, true);
    await until(
      "the report final",
      async () => {
        const r = await client.readContract({
          address: revenue.epochReports,
          abi: epochReportsAbi,
          functionName: "reportOf",
          args: [seq],
        });
        return r.status === 4 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );

    // Each node marks it settled (no longer pending) and prunes the epoch's beacons; the liar's own report stays.
    for (const n of nodes.slice(0, 2)) {
      await until("settled and pruned", async () => {
        const body = (await (await fetch(`${n.server.url}/reports/pending`)).json()) as Pending;
        const rows = await n.store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM agg_beacons");
        return body.reports.length === 0 && Number(rows[0]?.n) === 0 ? true : undefined;
      });
    }

    // Each creator fetches its own proof and claims; the balance rises by exactly the leaf's cumulative amount.
    const payer = new RevenueClient({ publicClient: client, wallet: wallet(devAccount(8)), addresses: revenue });
    let claimed = 0n;
    for (const [i, creator] of creators.entries()) {
      const time = now();
      const { signature } = await signPayoutRequest(creatorKeys[i] as Hex, domain, time);
      const res = await fetch(`${nodes[i]?.server.url}/payouts/${creator.address}?token=${token}`, {
        headers: { "x-maskoii-time": String(time), "x-maskoii-signature": signature },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { evm: { leaf: unknown; proof: Hex[] } };
      const [entry] = parsePayoutEntries([body.evm.leaf]);
      if (entry === undefined) throw new Error("no leaf");
      const before = await balance(creator.address);
      await payer.claim(entry, body.evm.proof);
      expect((await balance(creator.address)) - before).toBe(BigInt(entry.cumulative));
      expect(BigInt(entry.cumulative)).toBeGreaterThan(0n);
      claimed += BigInt(entry.cumulative);
      // Someone else's proof is not served.
      const other = creators[1 - i] as LocalAccount;
      const refused = await fetch(`${nodes[i]?.server.url}/payouts/${other.address}?token=${token}`, {
        headers: { "x-maskoii-time": String(time), "x-maskoii-signature": signature },
      });
      expect(refused.status).toBe(403);
    }

    // Conservation: what left the ledger is the spend; creators (claimed) + treasury + operators + protocol = spend.
    const report = (await (await fetch(`${nodes[0]?.server.url}/reports/${community}/${epoch}`)).json()) as {
      report: { lines: { spend: string }[] };
    };
    const spend = report.report.lines.reduce((s, l) => s + BigInt(l.spend), 0n);
    expect(spend).toBeGreaterThan(0n);
    const ledgerView = async (functionName: "treasuryBalance" | "protocolBalance", args: readonly unknown[]) =>
      (await client.readContract({
        address: revenue.campaignLedger,
        abi: campaignLedgerAbi,
        functionName,
        args: args as never,
      })) as bigint;
    const treasury = await ledgerView("treasuryBalance", [community, token]);
    const protocol = await ledgerView("protocolBalance", [token]);
    let operators = 0n;
    for (const m of members) {
      operators += (await client.readContract({
        address: revenue.campaignLedger,
        abi: campaignLedgerAbi,
        functionName: "operatorBalance",
        args: [m, token],
      })) as bigint;
    }
    const payoutsHeld = await balance(await payoutsAddress());
    expect(claimed + payoutsHeld + treasury + protocol + operators).toBe(spend);
    expect(ledgerBefore - (await balance(revenue.campaignLedger))).toBe(claimed + payoutsHeld);
    expect(treasury).toBeGreaterThan(0n);
    expect(operators).toBeGreaterThan(0n);
  });

  it("builds without a peer that stays down, after the bounded retries", async () => {
    const domain = { chainId: 31337, communityRegistry: revenue.communityRegistry };
    // Node B goes down; the next epoch starts (the chain is already an hour ahead: the challenge window).
    await nodes[1]?.stop();
    const length = revenue.epochLength;
    const t = Math.floor(now() / 1_000);
    const next = Math.floor((t - revenue.genesis) / length) + 1;
    offset += (revenue.genesis + next * length + 5 - t) * 1_000;
    // Viewers at A and C engage (B's viewers cannot reach their home node).
    for (const [i, v] of viewers.entries()) {
      const home = koiiIds.indexOf(homeNodeOf(v.address, koiiIds));
      if (home === 1) continue;
      const account = { platform: Platform.Farcaster, accountId: farcasterAccountId(BigInt(500 + i)) };
      const beacon = await signBeacon(
        {
          community: community.toString(),
          epoch: next,
          ...account,
          action: "impression",
          target: `ad:${campaignId}`,
          at: Math.floor(now() / 1_000),
        },
        domain,
        v,
      );
      const res = await fetch(`${nodes[home]?.server.url}/beacons`, {
        method: "POST",
        body: JSON.stringify({ beacons: [beacon] }),
      });
      expect(res.status).toBe(200);
    }
    offset += (length + 61) * 1_000;
    // A lists its own and C's contributions. (C, whose report lost, waits: the chain's tip is a root it never built.)
    for (const n of [nodes[0]]) {
      const report = await until(
        "a report without B",
        async () => {
          const out = await n?.reports?.store.outcomeOf(community, BigInt(next));
          if (out === undefined) return undefined;
          const rows = await n?.store.db.query<{ contributions: string }>(
            "SELECT contributions FROM agg_epoch_reports WHERE community = $1 AND epoch = $2",
            [community, next],
          );
          return rows?.[0];
        },
        { timeoutMs: 30_000 },
      );
      const listed = (JSON.parse(report.contributions) as { node: string }[]).map((x) => x.node);
      expect(listed).toEqual([koiiIds[0], koiiIds[2]].sort());
    }
  });

  async function balance(who: Address): Promise<bigint> {
    return client.readContract({ address: token, abi: demoTokenAbi, functionName: "balanceOf", args: [who] });
  }
  async function payoutsAddress(): Promise<Address> {
    return client.readContract({ address: revenue.campaignLedger, abi: campaignLedgerAbi, functionName: "payouts" });
  }
});
