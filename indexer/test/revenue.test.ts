// The revenue side end to end on the local chains (issue 14 points 2, 4 and 7): on chain A's revenue suite (deployed
// by the testkit fixture) a community is created, two creators bind their accounts, an advertiser funds a campaign,
// an epoch report is submitted, frozen by a conflicting report, cleared by the quorum and finalized, both creators
// claim, and a second report is challenged and rejected. Asserted through REST and GraphQL.
import {
  addressToBytes32,
  bindingAttestationDigest,
  blueskyAccountId,
  buildAttestation,
  type EpochReport,
  farcasterAccountId,
  PayoutSlots,
  PayoutTree,
  Platform,
  RevenueClient,
  randomSalt,
  reportAttestationDigest,
  resolutionAttestationDigest,
  splitSpend,
} from "@maskoii/sdk";
import { demoTokenAbi } from "@maskoii/testkit";
import { type Address, getAddress, keccak256, stringToHex, zeroHash } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexerStack } from "./stack.ts";

const stack = new IndexerStack();
const MNEMONIC = "test test test test test test test test test test test junk";
const alice = mnemonicToAccount(MNEMONIC, { addressIndex: 5 });
const bob = mnemonicToAccount(MNEMONIC, { addressIndex: 6 });
const SPLIT = { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 };
const CPM = 2000n;
const CPE = 50n;
const TREASURY = getAddress("0x00000000000000000000000000000000007ea5e7");

type Row = Record<string, unknown>;

async function graphql(query: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (body.errors !== undefined) throw new Error(JSON.stringify(body.errors));
  return body.data ?? {};
}

beforeAll(async () => {
  await stack.start();
});

afterAll(async () => {
  await stack.stop();
});

describe(`revenue (${stack.kind})`, () => {
  it("indexes a campaign with reports, a challenge, finalization and claims", async () => {
    const chain = stack.a;
    const revenue = stack.deployed.revenueA;
    if (revenue === undefined) throw new Error("the fixture deployed no revenue suite on A");
    const client = new RevenueClient({ publicClient: chain.public, addresses: revenue });
    const as = (account: typeof alice | typeof stack.owner) => client.withWallet(chain.wallet(account));
    const token = getAddress(stack.contracts(1001).demoToken);
    const members = stack.genesis.map((m) => getAddress(m.account.address));
    const keys = stack.genesis.map((m) => m.privateKey);
    const mine = async (seconds: number) => {
      await chain.public.request({ method: "evm_increaseTime", params: [seconds] } as never);
      await chain.public.request({ method: "evm_mine" } as never);
    };
    const attestReport = (report: EpochReport, signers = keys) =>
      buildAttestation({
        digest: reportAttestationDigest({
          domain: 1001,
          epochReports: revenue.epochReports,
          attesterSetId: 1n,
          report,
        }),
        attesterSetId: 1n,
        attesters: members,
        signers,
      });
    const attestResolution = (seq: bigint, report: EpochReport, upheld: boolean) =>
      buildAttestation({
        digest: resolutionAttestationDigest({
          domain: 1001,
          epochReports: revenue.epochReports,
          attesterSetId: 1n,
          report,
          seq,
          upheld,
        }),
        attesterSetId: 1n,
        attesters: members,
        signers: keys,
      });

    // A community and two bindings.
    const { result: communityId } = await as(stack.user).createCommunity({
      metadataURI: "ipfs://indexer-community",
      treasury: TREASURY,
      sources: [stringToHex("https://warpcast.com/~/channel/maskoii")],
      split: SPLIT,
      kAnonymity: 10,
      unclaimedExpiryEpochs: 4,
    });
    const bindings = [
      { platform: Platform.Farcaster, accountId: farcasterAccountId(4242), persona: alice.address, sequence: 1n },
      {
        platform: Platform.Bluesky,
        accountId: blueskyAccountId("did:plc:maskoiiindexerbob"),
        persona: bob.address,
        sequence: 1n,
      },
    ];
    for (const binding of bindings) {
      const attestation = buildAttestation({
        digest: bindingAttestationDigest({
          domain: 1001,
          identityRegistry: revenue.identityRegistry,
          attesterSetId: 1n,
          binding,
        }),
        attesterSetId: 1n,
        attesters: members,
        signers: keys,
      });
      await as(stack.relayer).bind(binding, attestation);
    }

    // A campaign funded by the token owner.
    await stack.send(chain, stack.owner, {
      address: token,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [stack.owner.address, 200_000n],
    });
    await stack.send(chain, stack.owner, {
      address: token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [revenue.campaignLedger, 120_000n],
    });
    const now = Number((await chain.public.getBlock()).timestamp);
    const { result: campaignId } = await as(stack.owner).createCampaign({
      token,
      communities: [communityId],
      tags: [keccak256(stringToHex("#koii"))],
      cpm: CPM,
      cpe: CPE,
      budget: 100_000n,
      epochCap: 30_000n,
      start: now,
      end: now + 10 * revenue.epochLength,
      creativeHash: keccak256(stringToHex("creative")),
      creativeURI: "ipfs://creative",
    });
    await as(stack.owner).topUp(campaignId, 20_000n);

    // Epoch of the campaign's start: 10,000 impressions and 100 engagements.
    const epoch0 = BigInt(Math.floor((now - revenue.genesis) / revenue.epochLength));
    await mine(revenue.epochLength);
    const spend0 = (10_000n * CPM) / 1000n + 100n * CPE;
    const split0 = splitSpend(spend0, SPLIT);
    const slots = new PayoutSlots();
    const tokenWord = addressToBytes32(token);
    const amounts: [Address, bigint][] = [
      [alice.address, 10_000n],
      [bob.address, split0.creators - 10_000n],
    ];
    const tree = PayoutTree.build(
      amounts.map(([persona, cumulative]) => ({
        slot: slots.slotOf(addressToBytes32(persona), tokenWord),
        account: addressToBytes32(persona),
        token: tokenWord,
        recipient: addressToBytes32(persona),
        cumulative,
        salt: randomSalt(),
      })),
    );
    const line = { campaignId, impressions: 10_000n, engagements: 100n, spend: spend0, solanaCreators: 0n };
    const report: EpochReport = {
      communityId,
      epoch: epoch0,
      engagedAccounts: 12,
      lines: [line],
      prevPayoutRoot: zeroHash,
      payoutRoot: tree.root,
      payoutLeafCount: tree.leaves.length,
      expired: [],
    };
    const attestation = attestReport(report);
    const { result: seq } = await as(stack.relayer).submitReport(report, attestation);

    // Pending: the spend is reserved.
    const pending = await stack.waitFor(`/campaigns/${campaignId}/stats`, (b) =>
      (b.lines as Row[]).length === 1 ? b : undefined,
    );
    expect(pending.reserved).toBe(spend0.toString());
    expect((pending.lines as Row[])[0]).toMatchObject({ seq: seq.toString(), status: "pending" });

    // A conflicting report signed by the same quorum freezes it; the quorum clears it; it finalizes.
    const other = { ...report, engagedAccounts: 13 };
    await as(stack.relayer).challengeConflicting({
      seq,
      report,
      attestation,
      other,
      otherAttestation: attestReport(other),
    });
    await stack.waitFor(`/communities/${communityId}/stats`, (b) =>
      (b.reports as Record<string, number>).challenged === 1 ? b : undefined,
    );
    await as(stack.relayer).resolve({
      seq,
      report,
      attestation,
      upheld: false,
      resolution: attestResolution(seq, report, false),
    });
    await as(stack.relayer).finalizeReport(seq, report, attestation);

    // Claims: alice herself, bob through the relayer.
    const aliceClaim = tree.claimOf(addressToBytes32(alice.address), tokenWord);
    await as(alice).claim(aliceClaim.entry, aliceClaim.proof);
    const bobClaim = tree.claimOf(addressToBytes32(bob.address), tokenWord);
    await as(stack.relayer).claim(bobClaim.entry, bobClaim.proof);

    // A second report, for the next epoch, is challenged and rejected: its reservation is released.
    await mine(revenue.epochLength);
    const line1 = {
      campaignId,
      impressions: 5_000n,
      engagements: 40n,
      spend: (5_000n * CPM) / 1000n + 40n * CPE,
      solanaCreators: 0n,
    };
    const report1: EpochReport = { ...report, epoch: epoch0 + 1n, lines: [line1], prevPayoutRoot: tree.root };
    const attestation1 = attestReport(report1);
    const { result: seq1 } = await as(stack.relayer).submitReport(report1, attestation1);
    const other1 = { ...report1, engagedAccounts: 14 };
    await as(stack.relayer).challengeConflicting({
      seq: seq1,
      report: report1,
      attestation: attestation1,
      other: other1,
      otherAttestation: attestReport(other1),
    });
    await as(stack.relayer).resolve({
      seq: seq1,
      report: report1,
      attestation: attestation1,
      upheld: true,
      resolution: attestResolution(seq1, report1, true),
    });

    // REST: the campaign.
    const campaign = await stack.waitFor(`/campaigns/${campaignId}/stats`, (b) =>
      (b.lines as Row[]).some((l) => l.status === "rejected") && b.spent === spend0.toString() ? b : undefined,
    );
    expect(campaign).toMatchObject({
      spent: spend0.toString(),
      reserved: "0",
      remaining: (120_000n - spend0).toString(),
      impressions: "10000",
      engagements: "100",
      engagementRate: 0.01,
      nextCursor: null,
    });
    expect((campaign.campaign as Row).funded).toBe("120000");
    expect((campaign.lines as Row[]).map((l) => l.status)).toEqual(["final", "rejected"]);
    const page = await stack.get(`/campaigns/${campaignId}/stats?limit=1`);
    expect(page.body.nextCursor).toBe(seq.toString());

    // REST: the community.
    const community = await stack.waitFor(`/communities/${communityId}/stats`, (b) =>
      (b.reports as Record<string, number>).rejected === 1 ? b : undefined,
    );
    expect(community.community).toMatchObject({
      treasury: TREASURY.toLowerCase(),
      creatorsBps: 7000,
      treasuryBps: 1500,
      operatorsBps: 1000,
      protocolBps: 500,
      sourceCount: 1,
    });
    expect(community.reports).toEqual({ final: 1, rejected: 1 });
    expect(community.epochs).toEqual([
      expect.objectContaining({
        epoch: epoch0.toString(),
        token: token.toLowerCase(),
        spend: spend0.toString(),
        creators: split0.creators.toString(),
        treasury: split0.treasury.toString(),
        operators: split0.operators.toString(),
        protocol: split0.protocol.toString(),
      }),
    ]);
    expect(community.treasury).toEqual([
      expect.objectContaining({ accrued: split0.treasury.toString(), balance: split0.treasury.toString() }),
    ]);

    // REST: the creators' earnings (claimed; claimable is not derivable from events).
    const earnings = await stack.waitFor(`/accounts/${bob.address}/earnings`, (b) =>
      (b.claims as Row[]).length === 1 ? b : undefined,
    );
    expect(earnings.earnings).toEqual([
      expect.objectContaining({
        token: token.toLowerCase(),
        claimed: (split0.creators - 10_000n).toString(),
        claims: 1,
      }),
    ]);
    expect(earnings.claimable).toBeNull();
    expect(earnings.bindings).toEqual([expect.objectContaining({ platform: Platform.Bluesky, sequence: "1" })]);
    const aliceEarnings = await stack.get(`/accounts/${alice.address}/earnings`);
    expect((aliceEarnings.body.earnings as Row[])[0]).toMatchObject({ claimed: "10000" });

    // GraphQL: reports with their statuses, operator and protocol balances.
    const data = await graphql(
      `{ epochReports(orderBy: "seq") { items { seq status upheld challenger } }
         ledgerBalances(where: { kind: "protocol" }) { items { accrued balance } }
         identityBindingEvents { items { kind persona } } }`,
    );
    const reports = (data.epochReports as { items: Row[] }).items;
    expect(reports.map((r) => r.status)).toEqual(["final", "rejected"]);
    expect(reports.map((r) => r.upheld)).toEqual([false, true]);
    const operatorsDust = split0.operators % 3n; // three signers share the operators' part
    expect((data.ledgerBalances as { items: Row[] }).items).toEqual([
      { accrued: (split0.protocol + operatorsDust).toString(), balance: (split0.protocol + operatorsDust).toString() },
    ]);
    expect((data.identityBindingEvents as { items: Row[] }).items).toHaveLength(2);
  });

  it("answers 400 naming the bad field, and documents the routes", async () => {
    const badAddress = await stack.get("/accounts/0x1234/earnings");
    expect(badAddress.status).toBe(400);
    expect(badAddress.body.field).toBe("address");
    const badId = await stack.get("/communities/abc/stats");
    expect(badId.status).toBe(400);
    expect(badId.body.field).toBe("id");
    const tooBig = await stack.get("/campaigns/18446744073709551616/stats");
    expect(tooBig.body.field).toBe("id");
    const badLimit = await stack.get("/campaigns/1/stats?limit=1000");
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.field).toBe("limit");
    const missing = await stack.get("/campaigns/999/stats");
    expect(missing.status).toBe(404);
    const doc = await stack.get("/openapi.json");
    const paths = Object.keys(doc.body.paths as Row);
    expect(paths).toEqual(
      expect.arrayContaining(["/accounts/{address}/earnings", "/communities/{id}/stats", "/campaigns/{id}/stats"]),
    );
  });
});
