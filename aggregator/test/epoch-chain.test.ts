// A report built by `buildEpochReport` from real campaign state on a local hardhat chain (the testkit's deploy
// fixture: the Gateway as an attester set of three, 2-of-3, and the revenue suite) is accepted by EpochReports.submit
// with the attester nodes' signatures (signReport, combined into one attestation), finalized after the challenge
// window, and a creator's claim with the proof the node serves over HTTP (GET /payouts/:persona, signed by the
// persona) pays exactly the leaf's amount; a second creator's leaf pays its amount too. Two nodes build the report
// with `EpochReporter` from `ChainReportInputs` (the chain read at the pinned block) and agree byte for byte.
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sendJson } from "@maskoii/node-kit";
import {
  type DeploymentRevenue,
  encodeAttestation,
  gatewayAbi,
  type IndexedSignature,
  parsePayoutEntries,
  RevenueClient,
} from "@maskoii/sdk";
import { demoTokenAbi, devnetAttesters, runDeployFixture, Supervisor, startHardhatNode } from "@maskoii/testkit";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  stringToHex,
  toHex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainReportInputs } from "../src/epoch/chain-inputs.ts";
import { PayoutStore } from "../src/epoch/payout-store.ts";
import { handleReportRoute } from "../src/epoch/report-routes.ts";
import { EpochReporter } from "../src/epoch/reporter.ts";
import { signPayoutRequest } from "../src/epoch/signer.ts";
import { AggregatorStore } from "../src/store.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
const account = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i });
/** Hardhat's default accounts' keys (the mnemonic above), for the personas' request signatures. */
const keyOf = (i: number): Hex => toHex(account(i).getHdKey().privateKey ?? new Uint8Array());

describe("an epoch report built from chain state, submitted, finalized and claimed", () => {
  const supervisor = new Supervisor();
  const attesters = devnetAttesters(3, "maskoii aggregator epoch chain test");
  const members = attesters.map((a) => getAddress(a.account.address));
  let dir = "";
  let rpc = "";
  let revenue: DeploymentRevenue;
  let token: Address;
  let client: PublicClient;
  let setId: bigint;
  const stores: AggregatorStore[] = [];
  const nodeStores: PayoutStore[] = [];
  let server: Server;
  let base = "";
  const wallet = (i: number) => createWalletClient({ account: account(i), chain: chainA, transport: http(rpc) });
  const revenueAs = (i: number) => new RevenueClient({ publicClient: client, wallet: wallet(i), addresses: revenue });
  const mine = async (seconds: number) => {
    await client.request({ method: "evm_increaseTime", params: [seconds] } as never);
    await client.request({ method: "evm_mine", params: [] } as never);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-epoch-chain-"));
    const [a, b] = await Promise.all([
      startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "a.log") }),
      startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "b.log") }),
    ]);
    const deployed = await runDeployFixture({ rpcA: a.rpcUrl, rpcB: b.rpcUrl, attesters: members, thresholdBps: 6666 });
    if (deployed.revenueA === undefined) throw new Error("the fixture deployed no revenue suite");
    revenue = deployed.revenueA;
    token = deployed.a.demoToken;
    rpc = a.rpcUrl;
    client = createPublicClient({ chain: chainA, transport: http(rpc) }) as PublicClient;
    setId = await client.readContract({ address: deployed.a.gateway, abi: gatewayAbi, functionName: "currentSetId" });
    for (let i = 0; i < 2; i++) {
      const opened = await AggregatorStore.open({ kind: "sqlite", path: ":memory:" });
      stores.push(opened);
      nodeStores.push(new PayoutStore(opened.db));
    }
    const payouts = nodeStores[0] as PayoutStore;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://node");
      const deps = { store: payouts, auth: { chainId: 31337, communityRegistry: revenue.communityRegistry } };
      if (!handleReportRoute(req, res, url, deps)) sendJson(res, 404, { error: "none" });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 400_000);

  afterAll(async () => {
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of stores) await s.close();
    await supervisor.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("pays each creator exactly its leaf through the served proof", async () => {
    const owner = revenueAs(4);
    const advertiser = revenueAs(5);
    const [alice, bob] = [getAddress(account(6).address), getAddress(account(7).address)];
    const { result: community } = await owner.createCommunity({
      metadataURI: "ipfs://epoch-chain",
      treasury: getAddress(account(4).address),
      sources: [stringToHex("rss:https://example.org/feed")],
      split: { creators: 6000, treasury: 2000, operators: 1500, protocol: 500 },
    });
    const budget = 10n ** 21n;
    const mint = await wallet(0).writeContract({
      address: token,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [account(5).address, budget],
    });
    await client.waitForTransactionReceipt({ hash: mint });
    const approve = await wallet(5).writeContract({
      address: token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [revenue.campaignLedger, budget],
    });
    await client.waitForTransactionReceipt({ hash: approve });
    const now = Number((await client.getBlock()).timestamp);
    const { result: campaignId } = await advertiser.createCampaign({
      token,
      communities: [community],
      cpm: 2n * 10n ** 18n,
      cpe: 5n * 10n ** 16n,
      budget,
      epochCap: 10n ** 20n,
      start: now,
      end: now + 100 * revenue.epochLength,
      creativeHash: keccak256(stringToHex("creative")),
      creativeURI: "ipfs://creative",
    });
    const epoch = await owner.currentEpoch();
    await mine(revenue.epochLength);

    // Two attester nodes close the epoch: chain inputs read at the pinned block, built, signed, stored.
    const inputs = new ChainReportInputs({
      client,
      communityRegistry: revenue.communityRegistry,
      identityRegistry: revenue.identityRegistry,
      campaignLedger: revenue.campaignLedger,
      payoutSaltSecret: keccak256(stringToHex("operators' secret")),
    });
    const domain = { domain: 1001, epochReports: revenue.epochReports, attesterSetId: setId };
    const prevPayoutRoot = await owner.payoutRoot();
    const contributions = ["node-a", "node-b"].map((node, n) => ({
      node,
      hash: keccak256(stringToHex(node)),
      users: Array.from({ length: 6 }, (_, u) => ({
        leaf: keccak256(stringToHex(`${node} user ${u}`)),
        accounts: 1,
        ads: [{ campaignId, impressions: 90 + u, engagements: (u + n) % 4 }],
        creators: [
          { persona: alice, points: 3 + u },
          { persona: bob, points: 2 * n + 1 },
        ],
      })),
    }));
    const outcomes = [];
    for (const [i, payouts] of nodeStores.entries()) {
      const reporter = new EpochReporter({
        store: payouts,
        inputs,
        attesterKey: attesters[i]?.privateKey ?? "0x",
        domain,
      });
      outcomes.push(await reporter.close({ community, epoch, prevPayoutRoot, contributions }));
    }
    const built = outcomes[0];
    if (built?.kind !== "report") throw new Error(`expected a report, got ${built?.kind}`);
    expect(outcomes[1]).toEqual(built);
    expect(built.report.engagedAccounts).toBe(12);
    expect(built.lines.map((l) => l.campaignId)).toEqual([campaignId]);

    // The two nodes' stored signatures make the attestation EpochReports checks.
    const sorted = [...members].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1));
    const signatures: IndexedSignature[] = [];
    for (const payouts of nodeStores) {
      const stored = await payouts.report(community, epoch);
      if (stored === undefined) throw new Error("no stored report");
      signatures.push({ index: sorted.indexOf(stored.signer), ...stored.signature });
    }
    signatures.sort((x, y) => x.index - y.index);
    const attestation = encodeAttestation(setId, signatures);
    const relayer = revenueAs(8);
    const { result: seq } = await relayer.submitReport(built.report, attestation);
    await mine(revenue.challengeWindow + 1);
    await relayer.finalizeReport(seq, built.report, attestation);
    expect(await owner.payoutRoot()).toBe(built.report.payoutRoot);

    for (const [i, persona] of [alice, bob].entries()) {
      const time = Date.now();
      const auth = { chainId: 31337, communityRegistry: revenue.communityRegistry };
      const { signature } = await signPayoutRequest(keyOf(6 + i), auth, time);
      const res = await fetch(`${base}/payouts/${persona}?token=${token}`, {
        headers: { "x-maskoii-time": String(time), "x-maskoii-signature": signature },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { evm: { leaf: unknown; proof: Hex[] } };
      const [entry] = parsePayoutEntries([body.evm.leaf]);
      if (entry === undefined) throw new Error("no entry");
      const before = await client.readContract({
        address: token,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [persona],
      });
      const { result: paid } = await revenueAs(8).claim(entry, body.evm.proof);
      const after = await client.readContract({
        address: token,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [persona],
      });
      expect(paid).toBe(BigInt(entry.cumulative));
      expect(after - before).toBe(BigInt(entry.cumulative));
      const owed = built.lines.flatMap((l) => l.creators).filter((x) => x.persona === persona);
      expect(after - before).toBe(owed.reduce((s, x) => s + x.amount, 0n));
    }
    // Both creators together were paid the whole creators' share of the line.
    const line = built.lines[0];
    expect(line?.unallocated).toBe(0n);
  }, 120_000);
});
