// Issue 13 point 10's viem flows, on an in-process chain, through the sdk's typed RevenueClient: deploy the revenue
// suite next to the Gateway (the attester set), create a community, bind identities with quorum attestations, fund an
// ERC-20 campaign, build the cumulative payout tree with the sdk, sign and submit an epoch report, challenge it with a
// conflicting report and resolve it, dispute a second report and have the quorum uphold the dispute, finalize after
// the window (time travel), claim directly, on behalf and redirected with the persona's EIP-712 signature, cancel and
// refund, withdraw every other share. Every balance is asserted; the per-token totals add up to what was funded.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  addressToBytes32,
  bindingAttestationDigest,
  blueskyAccountId,
  buildAttestation,
  campaignLedgerAbi,
  type EpochReport,
  farcasterAccountId,
  type IdentityBinding,
  PayoutSlots,
  PayoutTree,
  Platform,
  RevenueCallRevertedError,
  RevenueClient,
  randomSalt,
  reportAttestationDigest,
  resolutionAttestationDigest,
  splitSpend,
  xAccountId,
} from "@maskoii/sdk";
import type { WalletClient } from "@nomicfoundation/hardhat-viem/types";
import { type Address, getAddress, type Hex, keccak256, stringToHex, zeroHash } from "viem";
import { type Chain, createWorld, mined, type World } from "./helpers/world.ts";

const EPOCH = 3600;
const WINDOW = 600;
const REFUND_DELAY = 300;
const BOND = 10n ** 18n;
const SPLIT = { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 };
const CPM = 2000n;
const CPE = 50n;
const TREASURY = getAddress("0x00000000000000000000000000000000007ea5e7");
const FEE_RECIPIENT = getAddress("0x0000000000000000000000000000000000000fee");
const REDIRECT = getAddress("0x00000000000000000000000000000000000000d1");
const OPERATOR_PAYEE = getAddress("0x0000000000000000000000000000000000000a77");

async function expectRevert(promise: Promise<unknown>, errorName: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof RevenueCallRevertedError, `expected ${errorName}, got ${String(error)}`);
  assert.equal(error.errorName, errorName);
}

describe("revenue flows on a local chain (sdk client)", () => {
  let world: World;
  let a: Chain;
  let client: RevenueClient;
  let token: Address;
  let wallets: WalletClient[];
  let attesterAddresses: Address[];
  let attesterWallets: WalletClient[];

  const wallet = (i: number): WalletClient => {
    const w = wallets[i];
    if (w === undefined) throw new Error(`no wallet ${i}`);
    return w;
  };
  const as = (w: WalletClient) => client.withWallet(w);
  const balanceOf = (who: Address) => a.demoToken.read.balanceOf([who]);
  const attesterKeys = (positions: readonly number[]): Hex[] =>
    positions.map((p) => {
      const member = world.attesters[p];
      if (member === undefined) throw new Error(`no attester ${p}`);
      return member.privateKey;
    });
  const attestReport = (report: EpochReport, positions: readonly number[]) =>
    buildAttestation({
      digest: reportAttestationDigest({
        domain: a.domain,
        epochReports: client.addresses.epochReports,
        attesterSetId: 1n,
        report,
      }),
      attesterSetId: 1n,
      attesters: attesterAddresses,
      signers: attesterKeys(positions),
    });
  const attestResolution = (seq: bigint, report: EpochReport, upheld: boolean) =>
    buildAttestation({
      digest: resolutionAttestationDigest({
        domain: a.domain,
        epochReports: client.addresses.epochReports,
        attesterSetId: 1n,
        report,
        seq,
        upheld,
      }),
      attesterSetId: 1n,
      attesters: attesterAddresses,
      signers: attesterKeys([0, 1]),
    });

  // Accounts: 0 deployer = advertiser (owns the demo token), 1 community owner, 2 relayer (submits for others),
  // 5..7 personas alice, bob, carol.
  const advertiser = () => getAddress(wallet(0).account.address);
  const alice = () => getAddress(wallet(5).account.address);
  const bob = () => getAddress(wallet(6).account.address);
  const carol = () => getAddress(wallet(7).account.address);

  before(async () => {
    world = await createWorld();
    a = world.a;
    wallets = await a.connection.viem.getWalletClients();
    attesterAddresses = world.attesters.map((m) => getAddress(m.account.address));
    attesterWallets = [];
    for (const address of attesterAddresses) {
      await a.connection.networkHelpers.impersonateAccount(address);
      await a.connection.networkHelpers.setBalance(address, 10n * BOND);
      attesterWallets.push(await a.connection.viem.getWalletClient(address));
    }
    token = getAddress(a.addresses.demoToken);
    const viem = a.connection.viem;
    const now = Number((await a.publicClient.getBlock()).timestamp);
    const registry = await viem.deployContract("CommunityRegistry", [now, EPOCH]);
    const identity = await viem.deployContract("IdentityRegistry", [a.addresses.gateway]);
    const ledger = await viem.deployContract("CampaignLedger", [
      registry.address,
      advertiser(),
      FEE_RECIPIENT,
      REFUND_DELAY,
    ]);
    const reports = await viem.deployContract("EpochReports", [
      a.addresses.gateway,
      registry.address,
      ledger.address,
      WINDOW,
      BOND,
    ]);
    const payouts = await viem.deployContract("CreatorPayouts", [ledger.address]);
    await mined(
      a,
      wallet(0).writeContract({
        address: ledger.address,
        abi: campaignLedgerAbi,
        functionName: "setModules",
        args: [reports.address, payouts.address],
      }),
    );
    client = new RevenueClient({
      publicClient: a.publicClient,
      addresses: {
        communityRegistry: registry.address,
        identityRegistry: identity.address,
        campaignLedger: ledger.address,
        epochReports: reports.address,
        creatorPayouts: payouts.address,
      },
    });
  });
  after(async () => world.close());

  // The flow is one story; each step leaves the state the next one needs.
  const communityId = 1n;
  const campaignId = 1n;
  const salts = new Map<Address, Hex>();
  // Stable claim slots: each (persona, token) keeps the slot it got on first appearance in every later tree.
  const slots = new PayoutSlots();
  const entries = (amounts: ReadonlyMap<Address, bigint>) =>
    [...amounts].map(([persona, cumulative]) => {
      let salt = salts.get(persona);
      if (salt === undefined) {
        salt = randomSalt();
        salts.set(persona, salt);
      }
      const account = addressToBytes32(persona);
      const tokenWord = addressToBytes32(token);
      // every persona here keeps the default payout (its own address, as payoutOf says): the leaf's recipient
      return {
        slot: slots.slotOf(account, tokenWord),
        account,
        token: tokenWord,
        recipient: account,
        cumulative,
        salt,
      };
    });
  let tree1: PayoutTree;
  let tree2: PayoutTree;

  it("creates a community and binds three platform accounts with quorum attestations", async () => {
    const { result } = await as(wallet(1)).createCommunity({
      metadataURI: "ipfs://maskoii-community",
      treasury: TREASURY,
      sources: [stringToHex("https://warpcast.com/~/channel/maskoii")],
      split: SPLIT,
      kAnonymity: 10,
      unclaimedExpiryEpochs: 4,
    });
    assert.equal(result, communityId);

    const bindings: IdentityBinding[] = [
      { platform: Platform.Farcaster, accountId: farcasterAccountId(4242), persona: alice(), sequence: 1n },
      {
        platform: Platform.Bluesky,
        accountId: blueskyAccountId("did:plc:ewvi7nxzyoun6zhxrhs64oiz"),
        persona: bob(),
        sequence: 1n,
      },
      { platform: Platform.X, accountId: xAccountId("@Carol_Koii"), persona: carol(), sequence: 1n },
    ];
    const relayer = as(wallet(2));
    for (const binding of bindings) {
      const attestation = buildAttestation({
        digest: bindingAttestationDigest({
          domain: a.domain,
          identityRegistry: client.addresses.identityRegistry,
          attesterSetId: 1n,
          binding,
        }),
        attesterSetId: 1n,
        attesters: attesterAddresses,
        signers: attesterKeys([0, 2]),
      });
      await relayer.bind(binding, attestation);
      assert.equal(await client.personaOf(binding.platform, binding.accountId), binding.persona);
    }
    assert.deepEqual(await client.payoutOf(alice()), { family: 1, recipient: addressToBytes32(alice()) });
  });

  it("funds a campaign (create, top up, pause, unpause)", async () => {
    await mined(a, a.demoToken.write.mint([advertiser(), 200_000n]));
    await mined(a, a.demoToken.write.approve([client.addresses.campaignLedger, 120_000n]));
    const now = Number((await a.publicClient.getBlock()).timestamp);
    const adv = as(wallet(0));
    const { result } = await adv.createCampaign({
      token,
      communities: [communityId],
      tags: [keccak256(stringToHex("#koii"))],
      cpm: CPM,
      cpe: CPE,
      budget: 100_000n,
      epochCap: 30_000n,
      start: now,
      end: now + 10 * EPOCH,
      creativeHash: keccak256(stringToHex("creative")),
      creativeURI: "ipfs://creative",
    });
    assert.equal(result, campaignId);
    await adv.topUp(campaignId, 20_000n);
    await adv.pause(campaignId);
    await expectRevert(adv.pause(campaignId), "CampaignIsPaused");
    await adv.unpause(campaignId);
    await expectRevert(as(wallet(2)).topUp(campaignId, 1n), "NotAdvertiser");
    assert.equal(await balanceOf(advertiser()), 80_000n);
    assert.equal(await balanceOf(client.addresses.campaignLedger), 120_000n);
    const c = await client.campaign(campaignId);
    assert.equal(c.funded, 120_000n);
    assert.equal(c.available, 120_000n);
  });

  // Epoch 0: 10,000 impressions and 100 engagements: 20,000 + 5,000 = 25,000 spend.
  const spend0 = (10_000n * CPM) / 1000n + 100n * CPE;
  const split0 = splitSpend(spend0, SPLIT); // 17,500 / 3,750 / 1,250 protocol / 2,500 operators
  let report0: EpochReport;
  let attestation0: Hex;

  it("submits an attested report for epoch 0, refuses one below k, and a conflicting report freezes it", async () => {
    await expectRevert(
      client.withWallet(wallet(2)).submitReport(
        {
          communityId,
          epoch: 0n,
          engagedAccounts: 1,
          lines: [],
          prevPayoutRoot: zeroHash,
          payoutRoot: zeroHash,
          payoutLeafCount: 0,
          expired: [],
        },
        "0x",
      ),
      "EpochNotOver",
    );
    await a.connection.networkHelpers.time.increase(EPOCH);
    assert.equal(await client.currentEpoch(), 1n);

    tree1 = PayoutTree.build(
      entries(
        new Map([
          [alice(), 10_000n],
          [bob(), 5_000n],
          [carol(), split0.creators - 15_000n],
        ]),
      ),
    );
    const line = { campaignId, impressions: 10_000n, engagements: 100n, spend: spend0, solanaCreators: 0n };
    report0 = {
      communityId,
      epoch: 0n,
      engagedAccounts: 12,
      lines: [line],
      prevPayoutRoot: zeroHash,
      payoutRoot: tree1.root,
      payoutLeafCount: tree1.leaves.length,
      expired: [],
    };
    const belowK = { ...report0, engagedAccounts: 9 };
    await expectRevert(as(wallet(2)).submitReport(belowK, attestReport(belowK, [0, 1])), "BelowKAnonymity");

    attestation0 = attestReport(report0, [0, 1, 2]); // three signers: 2,500 / 3 leaves 1 unit of dust
    const { receipt, result: seq } = await as(wallet(2)).submitReport(report0, attestation0);
    assert.equal(seq, 1n);
    assert.equal(RevenueClient.submittedSeq(receipt), 1n);
    assert.equal((await client.campaign(campaignId)).available, 120_000n - spend0, "spend reserved");

    // The same set also signed another report for (community 1, epoch 0): an equivocation, which freezes report 1.
    const other = { ...report0, engagedAccounts: 13 };
    await as(wallet(2)).challengeConflicting({
      seq: 1n,
      report: report0,
      attestation: attestation0,
      other,
      otherAttestation: attestReport(other, [0, 1]),
    });
    await expectRevert(as(wallet(2)).finalizeReport(1n, report0, attestation0), "BadStatus");
  });

  it("the quorum resolves the challenge against the conflict; the report finalizes and splits its spend", async () => {
    await as(wallet(2)).resolve({
      seq: 1n,
      report: report0,
      attestation: attestation0,
      upheld: false,
      resolution: attestResolution(1n, report0, false),
    });
    await as(wallet(2)).finalizeReport(1n, report0, attestation0);
    assert.equal(await client.payoutRoot(), tree1.root);
    const perOperator = split0.operators / 3n;
    const dust = split0.operators - 3n * perOperator;
    assert.equal(dust, 1n);
    const b = await client.balances({ token, communityId, operator: attesterAddresses[0] });
    assert.deepEqual(b, {
      treasury: split0.treasury,
      operator: perOperator,
      protocol: split0.protocol + dust,
      creatorsOwed: split0.creators,
    });
    const c = await client.campaign(campaignId);
    assert.equal(c.spent, spend0);
    assert.equal(c.pendingReports, 0);
  });

  it("pays creators directly and on their behalf, to their own recipient", async () => {
    const aliceBefore = await balanceOf(alice());
    const aliceEntry = tree1.claimOf(addressToBytes32(alice()), addressToBytes32(token));
    const { result } = await as(wallet(5)).claim(aliceEntry.entry, aliceEntry.proof);
    assert.equal(result, 10_000n);
    assert.equal(await balanceOf(alice()), aliceBefore + 10_000n);

    // The relayer claims for bob: the tokens still go to bob.
    const bobBefore = await balanceOf(bob());
    const relayerBefore = await balanceOf(getAddress(wallet(2).account.address));
    const bobEntry = tree1.claimOf(addressToBytes32(bob()), addressToBytes32(token));
    await as(wallet(2)).claim(bobEntry.entry, bobEntry.proof);
    assert.equal(await balanceOf(bob()), bobBefore + 5_000n);
    assert.equal(await balanceOf(getAddress(wallet(2).account.address)), relayerBefore);
    await expectRevert(as(wallet(2)).claim(bobEntry.entry, bobEntry.proof), "NothingToClaim");
    assert.equal(await client.claimed(bobEntry.entry.slot), 5_000n);
  });

  // Epoch 1: 5,000 impressions and 40 engagements: 10,000 + 2,000 = 12,000 spend.
  const spend1 = (5_000n * CPM) / 1000n + 40n * CPE;
  const split1 = splitSpend(spend1, SPLIT); // 8,400 / 1,800 / 600 / 1,200

  it("a disputed report is rejected by the quorum (bond back, spend released); the corrected one finalizes after the window", async () => {
    await a.connection.networkHelpers.time.increase(EPOCH);
    const line = { campaignId, impressions: 5_000n, engagements: 40n, spend: spend1, solanaCreators: 0n };
    // A wrong tree: it over-pays alice.
    const bad = PayoutTree.build(
      entries(
        new Map([
          [alice(), 10_000n + split1.creators],
          [bob(), 5_000n],
          [carol(), 2_500n],
        ]),
      ),
    );
    const badReport: EpochReport = {
      communityId,
      epoch: 1n,
      engagedAccounts: 11,
      lines: [line],
      prevPayoutRoot: tree1.root,
      payoutRoot: bad.root,
      payoutLeafCount: 3,
      expired: [],
    };
    const badAttestation = attestReport(badReport, [0, 1]);
    const { result: badSeq } = await as(wallet(2)).submitReport(badReport, badAttestation);
    assert.equal(badSeq, 2n);
    const disputer = attesterWallets[2];
    if (disputer === undefined) throw new Error("no disputer");
    await expectRevert(as(wallet(2)).dispute(badSeq, BOND), "NotAnAttester");
    await as(disputer).dispute(badSeq, BOND);
    await as(wallet(2)).resolve({
      seq: badSeq,
      report: badReport,
      attestation: badAttestation,
      upheld: true,
      resolution: attestResolution(badSeq, badReport, true),
    });
    assert.equal((await client.campaign(campaignId)).available, 120_000n - spend0, "reservation released");
    const bondPayee = getAddress("0x00000000000000000000000000000000000b0bd5");
    const { result: bondBack } = await as(disputer).withdrawCredit(bondPayee);
    assert.equal(bondBack, BOND, "the upheld dispute's bond is returned");
    assert.equal(await a.publicClient.getBalance({ address: bondPayee }), BOND);
    assert.equal(await client.payoutRoot(), tree1.root, "nothing of the rejected report is claimable");

    // Corrected: alice 4,000, bob 2,400, carol 2,000 more (8,400 in all).
    tree2 = PayoutTree.build(
      entries(
        new Map([
          [alice(), 14_000n],
          [bob(), 7_400n],
          [carol(), 2_500n + 2_000n],
        ]),
      ),
    );
    const report1: EpochReport = { ...badReport, payoutRoot: tree2.root, payoutLeafCount: tree2.leaves.length };
    const attestation1 = attestReport(report1, [0, 1]);
    const { result: seq } = await as(wallet(2)).submitReport(report1, attestation1);
    assert.equal(seq, 3n);
    await expectRevert(as(wallet(2)).finalizeReport(seq, report1, attestation1), "ChallengeWindowOpen");
    await a.connection.networkHelpers.time.increase(WINDOW + 1);
    await as(wallet(2)).finalizeReport(seq, report1, attestation1);
    assert.equal(await client.payoutRoot(), tree2.root);
  });

  it("pays the returning creator the difference, and carol to another address with her signature", async () => {
    const aliceBefore = await balanceOf(alice());
    const aliceEntry = tree2.claimOf(addressToBytes32(alice()), addressToBytes32(token));
    const { result } = await as(wallet(2)).claim(aliceEntry.entry, aliceEntry.proof);
    assert.equal(result, 4_000n, "cumulative 14,000 minus 10,000 claimed");
    assert.equal(await balanceOf(alice()), aliceBefore + 4_000n);

    const carolBefore = await balanceOf(carol());
    const deadline = (await a.publicClient.getBlock()).timestamp + 3600n;
    const signature = await as(wallet(7)).signClaimTo({ token, to: REDIRECT, deadline });
    const carolEntry = tree2.claimOf(addressToBytes32(carol()), addressToBytes32(token));
    // A redirect to another address than the one signed is refused.
    await expectRevert(
      as(wallet(2)).claimTo({
        entry: carolEntry.entry,
        proof: carolEntry.proof,
        to: OPERATOR_PAYEE,
        deadline,
        signature,
      }),
      "InvalidSignature",
    );
    const { result: paid } = await as(wallet(2)).claimTo({
      entry: carolEntry.entry,
      proof: carolEntry.proof,
      to: REDIRECT,
      deadline,
      signature,
    });
    assert.equal(paid, 4_500n);
    assert.equal(await balanceOf(REDIRECT), 4_500n);
    assert.equal(await balanceOf(carol()), carolBefore);
    assert.equal(await client.claimed(carolEntry.entry.slot), 4_500n);
    assert.equal(await client.nonceOf(carol()), 1n);
    // bob has not claimed epoch 1 yet: 2,400 stay owed.
    assert.equal((await client.balances({ token })).creatorsOwed, 2_400n);
  });

  it("cancels and refunds the unspent budget, pays every other share, and the totals add up", async () => {
    const adv = as(wallet(0));
    await adv.cancel(campaignId);
    await expectRevert(adv.refund(campaignId), "RefundNotYet");
    await a.connection.networkHelpers.time.increase(EPOCH + REFUND_DELAY);
    const advertiserBefore = await balanceOf(advertiser());
    const { result: refunded } = await adv.refund(campaignId);
    assert.equal(refunded, 120_000n - spend0 - spend1);
    assert.equal(await balanceOf(advertiser()), advertiserBefore + refunded);

    await as(wallet(2)).withdrawTreasury(communityId, token);
    assert.equal(await balanceOf(TREASURY), split0.treasury + split1.treasury);
    await as(wallet(2)).withdrawProtocolFees(token);
    assert.equal(await balanceOf(FEE_RECIPIENT), split0.protocol + 1n + split1.protocol);
    const operators = [
      split0.operators / 3n + split1.operators / 2n,
      split0.operators / 3n + split1.operators / 2n,
      split0.operators / 3n,
    ];
    for (let i = 0; i < 3; i++) {
      const address = attesterAddresses[i];
      const w = attesterWallets[i];
      if (address === undefined || w === undefined) throw new Error("attester");
      assert.equal((await client.balances({ token, operator: address })).operator, operators[i]);
    }
    const operatorWallet = attesterWallets[0];
    if (operatorWallet === undefined) throw new Error("attester 0");
    await as(operatorWallet).withdrawOperator(token, OPERATOR_PAYEE);
    assert.equal(await balanceOf(OPERATOR_PAYEE), operators[0]);

    // What stays: bob's unclaimed 2,400 in CreatorPayouts (which holds the creators' funds), the two operators'
    // balances not withdrawn in the ledger.
    const ledgerBalance = await balanceOf(client.addresses.campaignLedger);
    assert.equal(ledgerBalance, (operators[1] ?? 0n) + (operators[2] ?? 0n));
    const payoutsBalance = await balanceOf(client.addresses.creatorPayouts);
    assert.equal(payoutsBalance, 2_400n);
    // Conservation: funded = refunded + paid to creators + owed to creators + treasury + protocol (fees and dust)
    // + operators.
    const paidOut =
      refunded +
      (10_000n + 5_000n + 4_000n + 4_500n) +
      (split0.treasury + split1.treasury) +
      (split0.protocol + 1n + split1.protocol) +
      (operators[0] ?? 0n);
    assert.equal(paidOut + ledgerBalance + payoutsBalance, 120_000n);
  });
});
