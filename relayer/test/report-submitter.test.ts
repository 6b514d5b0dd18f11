// The epoch report submitter (src/reports/) against a real chain and real aggregator endpoints: a `hardhat node` A
// (and B, which the deploy fixture links) with maskoii and the revenue suite deployed by the testkit's deploy fixture;
// a community and a campaign created with the sdk's RevenueClient; three small HTTP servers on 127.0.0.1 standing for
// the aggregator nodes, serving `GET /reports/pending` in the design's JSON shape with reports built with the sdk and
// signed by the testkit's attester keys (2 of 3 is the threshold). The submitter runs on a SQLite store on disk that a
// restart reopens. A report whose lines owe Solana creators is paid out through TokenBridge A towards domain 1003
// (the route set up on A alone: remote bridge, claims-capable, the token linked, a fee): the payout's message is sent
// with the quoted fee; its delivery to Solana is the bridge's own tests' business (solana-revenue.test.ts).

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@maskoii/node-kit";
import {
  addressToBytes32,
  type ClaimLeaf,
  campaignLedgerAbi,
  claimRoot,
  type DeploymentRevenue,
  type EpochReport,
  epochReportsAbi,
  epochReportToJson,
  gatewayAbi,
  lineSpend,
  PayoutTree,
  RevenueClient,
  reportAttestationDigest,
  reportHash,
  signDigest,
  splitSpend,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { type Attester, demoTokenAbi, devnetAttesters, runDeployFixture, Supervisor, until } from "@maskoii/testkit";
import {
  type Address,
  concatHex,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  toHex,
  zeroHash,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Chains } from "../src/chains/adapter.ts";
import { parseConfig, type ResolvedConfig, resolveChains } from "../src/config.ts";
import { InvalidConfigError } from "../src/errors.ts";
import { Metrics } from "../src/metrics.ts";
import { startRelayer } from "../src/relayer-run.ts";
import { reportSubmitterOf } from "../src/reports/run.ts";
import { ReportStore } from "../src/reports/store.ts";
import type { ReportSubmitter } from "../src/reports/submitter.ts";
import { connectChains } from "../src/runtime.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { chainA, devAccount, HOST, payer, startHardhatPair } from "./evm-stack.ts";

const DOMAIN = 1001;
const SOLANA = 1003;
const SPLIT = { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 };
/** The demo token has 18 decimals, the bridge's shared units 8. */
const UNIT = 10n ** 10n;

type Entry = { community: string; epoch: number; reportHash: Hex; report: unknown; signer: Hex; signature: Hex };

/** A stand-in aggregator node: serves whatever `entries` holds at `GET /reports/pending`. */
class FakeNode {
  entries: Entry[] = [];
  requests = 0;
  readonly server: Server = createServer((req, res) => {
    this.requests++;
    if (req.method !== "GET" || req.url !== "/reports/pending") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ reports: this.entries }));
  });
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, HOST, resolve));
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    this.url = `http://${HOST}:${address.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe("report submitter: aggregator nodes -> quorum -> EpochReports.submit/finalize -> Solana payout", () => {
  const supervisor = new Supervisor();
  const keys: Attester[] = devnetAttesters(3, "maskoii report-submitter attester");
  const nodes = [new FakeNode(), new FakeNode(), new FakeNode()];
  let dir = "";
  let rpcA = "";
  let publicA: PublicClient;
  let revenue: DeploymentRevenue;
  let token: Address;
  let tokenBridge: Address;
  let gateway: Address;
  let campaignId: bigint;
  let communityId: bigint;
  let config: ResolvedConfig;
  let chains: Chains;
  let store: Store;
  let submitter: ReportSubmitter;
  let metrics: Metrics;
  const cpm = 2n * 10n ** 18n;
  const cpe = 10n ** 16n;

  const wallet = (i: number) => createWalletClient({ account: devAccount(i), chain: chainA, transport: http(rpcA) });
  const client = (i: number) => new RevenueClient({ publicClient: publicA, wallet: wallet(i), addresses: revenue });
  const mined = async (hash: Hex) => {
    const receipt = await publicA.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    return receipt;
  };
  const increaseTime = async (seconds: number) => {
    await publicA.request({ method: "evm_increaseTime", params: [seconds] } as never);
    await publicA.request({ method: "evm_mine", params: [] } as never);
  };
  const epochReports = () => ({ address: revenue.epochReports, abi: epochReportsAbi }) as const;
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    publicA.readContract({ ...epochReports(), functionName, args } as never) as Promise<T>;
  const submittedLogs = () =>
    publicA.getContractEvents({ ...epochReports(), eventName: "ReportSubmitted", fromBlock: 0n, strict: true });

  /** The node entry of `report` signed with `key` (the current set, id 1). */
  const entry = (report: EpochReport, key: Hex, overrides: Partial<Entry> = {}): Entry => {
    const digest = reportAttestationDigest({
      domain: DOMAIN,
      epochReports: revenue.epochReports,
      attesterSetId: 1n,
      report,
    });
    const s = signDigest(digest, key);
    return {
      community: String(report.communityId),
      epoch: Number(report.epoch),
      reportHash: reportHash(report),
      report: epochReportToJson(report),
      signer: privateKeyToAccount(key).address,
      signature: concatHex([s.r, s.s, toHex(s.v, { size: 1 })]),
      ...overrides,
    };
  };

  /** A valid report of `epoch` on `prev`: one line of the campaign, one EVM creator, `solana` owed on Solana. */
  const buildReport = (epoch: bigint, prev: Hex, impressions: bigint, solana?: { amount: bigint }): EpochReport => {
    const spend = lineSpend({ impressions, engagements: 10n, cpm, cpe });
    const creators = splitSpend(spend, SPLIT).creators;
    const solanaCreators = solana === undefined ? 0n : solana.amount;
    const tree = PayoutTree.build([
      {
        slot: 0,
        account: addressToBytes32(devAccount(2).address),
        token: addressToBytes32(token),
        recipient: addressToBytes32(devAccount(2).address),
        cumulative: (creators - solanaCreators) * (epoch + 1n),
        salt: keccak256(toHex(`salt ${epoch}`)),
      },
    ]);
    const leaves: ClaimLeaf[] =
      solana === undefined
        ? []
        : [{ index: 0, claimant: keccak256(toHex("solana creator")), amount: solanaCreators / UNIT, salt: zeroHash }];
    return {
      communityId,
      epoch,
      engagedAccounts: 12,
      lines: [{ campaignId, impressions, engagements: 10n, spend, solanaCreators }],
      prevPayoutRoot: prev,
      payoutRoot: tree.root,
      payoutLeafCount: 1,
      expired: [],
      solana: leaves.length === 0 ? [] : [{ token, root: claimRoot(leaves), leafCount: 1 }],
    };
  };

  const startSubmitter = async () => {
    store = await openStore(config.store);
    metrics = new Metrics();
    chains = await connectChains(config, { signer: payer(3), metrics });
    submitter = reportSubmitterOf({
      config,
      settings: config.relayer?.reports as NonNullable<NonNullable<ResolvedConfig["relayer"]>["reports"]>,
      chains,
      store,
      log: silentLogger(),
      metrics,
    });
  };
  const rejectedCount = async (reason: string) =>
    (await metrics.reportSignatures.get()).values.find((v) => v.labels.outcome === `rejected-${reason}`)?.value ?? 0;
  const row = (hash: Hex) => ReportStore.of(store).get(DOMAIN, revenue.epochReports, hash);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-report-submitter-"));
    const pair = await startHardhatPair(supervisor, dir);
    rpcA = pair.rpcA;
    const out = join(dir, "deployments");
    const fixture = await runDeployFixture({
      rpcA,
      rpcB: pair.rpcB,
      out,
      attesters: keys.map((k) => k.account.address),
    });
    if (fixture.revenueA === undefined) throw new Error("the fixture deployed no revenue suite");
    revenue = fixture.revenueA;
    ({ demoToken: token, tokenBridge, gateway } = fixture.a);
    publicA = createPublicClient({ chain: chainA, transport: http(rpcA) }) as PublicClient;
    for (const n of nodes) await n.start();

    // A Solana route on A alone: TokenBridge A accepts distributions to 1003 (fee 0.0001 ETH + per byte) and the
    // ledger sends its Solana parts there.
    const owner = wallet(0);
    const bridge = { address: tokenBridge, abi: tokenBridgeAbi } as const;
    await mined(
      await owner.writeContract({
        ...bridge,
        functionName: "setRemoteBridge",
        args: [SOLANA, keccak256(toHex("program"))],
      }),
    );
    await mined(await owner.writeContract({ ...bridge, functionName: "setClaimsCapable", args: [SOLANA, true] }));
    await mined(
      await owner.writeContract({
        ...bridge,
        functionName: "linkToken",
        args: [token, SOLANA, keccak256(toHex("mint"))],
      }),
    );
    const max = (1n << 64n) - 1n;
    await mined(
      await owner.writeContract({
        ...bridge,
        functionName: "setRateLimits",
        args: [token, SOLANA, max, max, max, max],
      }),
    );
    await mined(
      await owner.writeContract({
        address: gateway,
        abi: gatewayAbi,
        functionName: "setDestinationFamily",
        args: [SOLANA, 2],
      }),
    );
    await mined(
      await owner.writeContract({
        address: gateway,
        abi: gatewayAbi,
        functionName: "setFee",
        args: [SOLANA, 10n ** 14n, 10n ** 9n],
      }),
    );
    await mined(
      await owner.writeContract({
        address: revenue.campaignLedger,
        abi: campaignLedgerAbi,
        functionName: "setSolanaRoute",
        args: [tokenBridge, SOLANA],
      }),
    );

    // A community (k = 10) and a campaign in the demo token, live from now.
    ({ result: communityId } = await client(0).createCommunity({
      metadataURI: "ipfs://community",
      treasury: devAccount(0).address,
      sources: [],
      split: SPLIT,
    }));
    const budget = 10_000n * 10n ** 18n;
    await mined(
      await owner.writeContract({
        address: token,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [devAccount(1).address, budget],
      }),
    );
    await mined(
      await wallet(1).writeContract({
        address: token,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [revenue.campaignLedger, budget],
      }),
    );
    const now = Number((await publicA.getBlock()).timestamp);
    ({ result: campaignId } = await client(1).createCampaign({
      token,
      communities: [communityId],
      cpm,
      cpe,
      budget,
      epochCap: budget,
      start: now,
      end: now + 100 * revenue.epochLength,
      creativeHash: keccak256(toHex("creative")),
      creativeURI: "ipfs://creative",
    }));

    config = await resolveChains(
      parseConfig({
        profile: "dev",
        chains: [
          {
            domain: DOMAIN,
            rpcUrl: rpcA,
            deploymentFile: join(out, "31337.json"),
            finality: { kind: "confirmations", depth: 0 },
          },
        ],
        keys: { keystore: "unused.json" },
        store: { kind: "sqlite", path: join(dir, "store.sqlite") },
        relayer: {
          attesters: ["http://127.0.0.1:9"],
          reports: { nodes: nodes.map((n) => n.url), domain: DOMAIN, pollIntervalMs: 10, requestTimeoutMs: 2_000 },
        },
      }),
      dir,
    );
    await startSubmitter();
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    for (const n of nodes) await n.stop().catch(() => undefined);
    await supervisor.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  let first: EpochReport;

  it("submits nothing below the threshold and ignores forged, foreign and mismatched entries", async () => {
    await increaseTime(revenue.epochLength); // epoch 0 is over
    first = buildReport(0n, zeroHash, 40_000n);
    const [k0, k1] = keys.map((k) => k.privateKey);
    const stranger = generatePrivateKey();
    const valid = entry(first, k0 as Hex);
    nodes[0]!.entries = [valid];
    nodes[1]!.entries = [
      // forged: a stranger's signature named as k1's
      { ...entry(first, stranger), signer: privateKeyToAccount(k1 as Hex).address },
      // a well-formed entry whose report does not hash to its reportHash
      { ...entry(first, k1 as Hex), reportHash: keccak256(toHex("another report")) },
    ];
    nodes[2]!.entries = [entry(first, stranger), { bogus: true } as unknown as Entry]; // not in the set; malformed
    const t = await submitter.tick();
    expect(t).toMatchObject({ nodesOk: 3, nodesFailed: 0, quorum: 0, belowQuorum: 1, submitted: 0, rejected: 4 });
    expect(await rejectedCount("signer-mismatch")).toBe(1);
    expect(await rejectedCount("hash-mismatch")).toBe(1);
    expect(await rejectedCount("not-a-member")).toBe(1);
    expect(await rejectedCount("malformed")).toBe(1);
    expect(await read<boolean>("isReported", [communityId, 0n])).toBe(false);
    expect(await submittedLogs()).toHaveLength(0);
    expect(await row(reportHash(first))).toBeUndefined();
  });

  it("submits once at the threshold; a second poll does not resubmit", async () => {
    // This node serves its signature as the sdk's { r, s, v } object (signDigest's form): accepted as well.
    const k1 = entry(first, keys[1]!.privateKey);
    const sig = k1.signature;
    nodes[1]!.entries.push({
      ...k1,
      signature: { r: sig.slice(0, 66), s: `0x${sig.slice(66, 130)}`, v: Number.parseInt(sig.slice(130), 16) },
    } as unknown as Entry);
    const t = await submitter.tick();
    expect(t).toMatchObject({ quorum: 1, submitted: 1, failed: 0 });
    const logs = await submittedLogs();
    expect(logs).toHaveLength(1);
    expect(logs[0]!.args.reportHash).toBe(reportHash(first));
    expect((await row(reportHash(first)))?.state).toBe("submitted");
    const again = await submitter.tick();
    expect(again).toMatchObject({ quorum: 1, submitted: 0, adopted: 0, finalized: 0, failed: 0 });
    // The refusals the nodes keep serving are counted (and logged) once.
    expect(await rejectedCount("signer-mismatch")).toBe(1);
    expect(await rejectedCount("malformed")).toBe(1);
    expect(await submittedLogs()).toHaveLength(1);
  });

  it("finalizes only after the challenge window", async () => {
    expect((await submitter.tick()).finalized).toBe(0);
    expect((await read<{ status: number }>("reportOf", [1n])).status).toBe(1); // Pending
    await increaseTime(revenue.challengeWindow);
    const t = await submitter.tick();
    expect(t.finalized).toBe(1);
    expect((await read<{ status: number }>("reportOf", [1n])).status).toBe(4); // Final
    expect(await read<Hex>("finalRoot")).toBe(first.payoutRoot);
    // No Solana part: done.
    expect((await row(reportHash(first)))?.state).toBe("done");
  });

  it("resumes after a restart without a second submission, also after a crash between send and record", async () => {
    await increaseTime(revenue.epochLength); // epoch 1 over
    const second = buildReport(1n, first.payoutRoot, 30_000n);
    for (const [i, n] of nodes.entries()) n.entries = [entry(second, keys[i]!.privateKey)];
    expect(await submitter.tick()).toMatchObject({ submitted: 1 });
    // The process dies after its transaction was mined but before the row said so: the row is still `ready`.
    await ReportStore.of(store).update(
      DOMAIN,
      revenue.epochReports,
      reportHash(second),
      { state: "ready", seq: null },
      Date.now(),
    );
    await store.close();
    await startSubmitter();
    const t = await submitter.tick();
    expect(t).toMatchObject({ submitted: 0, adopted: 1, failed: 0 });
    expect(await submittedLogs()).toHaveLength(2);
    const r = await row(reportHash(second));
    expect(r).toMatchObject({ state: "submitted", seq: 2n });
    await increaseTime(revenue.challengeWindow);
    expect(await submitter.tick()).toMatchObject({ finalized: 1, submitted: 0 });
    expect(await read<Hex>("finalRoot")).toBe(second.payoutRoot);
    expect(await submittedLogs()).toHaveLength(2);
  });

  it("marks a report built on another root stale and submits nothing for it", async () => {
    await increaseTime(revenue.epochLength); // epoch 2 over
    const stale = buildReport(2n, first.payoutRoot, 20_000n); // the tip is the second report's root
    for (const [i, n] of nodes.entries()) n.entries = [entry(stale, keys[i]!.privateKey)];
    const t = await submitter.tick();
    expect(t).toMatchObject({ quorum: 1, submitted: 0, stale: 1 });
    expect((await row(reportHash(stale)))?.state).toBe("stale");
    expect(await submittedLogs()).toHaveLength(2);
    expect((await submitter.tick()).stale).toBe(0); // said once
  });

  it("sends a final report's Solana payout with the quoted fee, once", async () => {
    const prev = (await read<Hex>("finalRoot")) as Hex;
    const withSolana = buildReport(2n, prev, 50_000n, { amount: 3n * UNIT * 10n ** 8n }); // 3 tokens on Solana
    for (const [i, n] of nodes.entries()) n.entries = [entry(withSolana, keys[i]!.privateKey)];
    expect(await submitter.tick()).toMatchObject({ submitted: 1, solanaSent: 0 });
    await increaseTime(revenue.challengeWindow);
    const t = await submitter.tick();
    expect(t).toMatchObject({ finalized: 1, solanaSent: 1, failed: 0 });
    const r = await row(reportHash(withSolana));
    expect(r?.state).toBe("done");
    const seq = r?.seq as bigint;
    expect(await read<boolean>("solanaPayoutSent", [seq, 0n])).toBe(true);
    const [payout] = await ReportStore.of(store).payouts(DOMAIN, revenue.epochReports, reportHash(withSolana));
    const fee = await publicA.readContract({
      address: tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteDistribution",
      args: [SOLANA],
    });
    expect(fee).toBeGreaterThan(0n);
    expect(payout).toMatchObject({ index: 0, fee });
    const tx = await publicA.getTransaction({ hash: payout!.txHash as Hex });
    expect(tx.value).toBe(fee);
    const sent = await publicA.getContractEvents({
      ...epochReports(),
      eventName: "SolanaPayoutSent",
      fromBlock: 0n,
      strict: true,
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.args.messageId).toBe(payout!.messageId);
    // Nothing more to do, also after a restart.
    await store.close();
    await startSubmitter();
    expect(await submitter.tick()).toMatchObject({ submitted: 0, finalized: 0, solanaSent: 0, failed: 0 });
    expect(
      await publicA.getContractEvents({ ...epochReports(), eventName: "SolanaPayoutSent", fromBlock: 0n }),
    ).toHaveLength(1);
  });

  it("runs in the relayer's loop when the section is set; a chain without EpochReports is a named config error", async () => {
    const handle = await startRelayer({ config, payingKey: payer(4), log: silentLogger() });
    try {
      expect(handle.reports?.contract).toBe(revenue.epochReports);
      const before = nodes[0]!.requests;
      await until("the relayer polls the nodes", () => (nodes[0]!.requests > before + 1 ? true : undefined), {
        timeoutMs: 10_000,
      });
    } finally {
      await handle.stop();
    }
    const bare = await resolveChains(
      parseConfig({
        profile: "dev",
        chains: [{ domain: DOMAIN, rpcUrl: rpcA, gateway, finality: { kind: "confirmations", depth: 0 } }],
        keys: { keystore: "unused.json" },
        relayer: { attesters: ["http://127.0.0.1:9"], reports: { nodes: [nodes[0]!.url], domain: DOMAIN } },
      }),
      dir,
    );
    const settings = bare.relayer?.reports;
    if (settings === undefined) throw new Error("no reports section");
    const error = (() => {
      try {
        reportSubmitterOf({ config: bare, settings, chains, store, log: silentLogger() });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).field).toBe("relayer.reports.epochReports");
  });

  it("keeps going when a node is down", async () => {
    await nodes[2]!.stop();
    const t = await submitter.tick();
    expect(t).toMatchObject({ nodesOk: 2, nodesFailed: 1, failed: 0 });
  });
});
