// Devnet step: the revenue protocol on chain A (issue 13 point 11, EVM part). A community is created, two platform
// accounts are bound to creator personas (IdentityBinding attestations signed with the devnet attesters' keys), an
// advertiser funds a campaign in the demo token, an epoch is reported (EpochReport attestation, 2-of-3), finalized
// after the devnet's short challenge window, and both creators are paid (one claims, the other is claimed for);
// every amount of the split is printed. Uses the sdk's RevenueClient.
import {
  addressToBytes32,
  bindingAttestationDigest,
  blueskyAccountId,
  buildAttestation,
  type EpochReport,
  farcasterAccountId,
  lineSpend,
  PayoutTree,
  Platform,
  RevenueClient,
  randomSalt,
  reportAttestationDigest,
  splitSpend,
} from "@maskoii/sdk";
import { type Attester, demoTokenAbi } from "@maskoii/testkit";
import type { ChainDeployment } from "@maskoii/testkit/deploy";
import { type Address, formatUnits, getAddress, type Hex, keccak256, parseUnits, stringToHex, zeroHash } from "viem";
import { DemoError } from "./demo.ts";

const SPLIT = { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 };

export type RevenueDemoResult = {
  spend: bigint;
  creators: bigint;
  treasury: bigint;
  protocol: bigint;
  operators: bigint;
  paid: { persona: Address; amount: bigint }[];
};

export async function runRevenueDemo(args: {
  chain: ChainDeployment;
  /** The devnet attesters with their keys (set 1, sorted by address). */
  attesters: readonly Attester[];
  /** How many of them sign. */
  quorum: number;
  log: (line: string) => void;
}): Promise<RevenueDemoResult> {
  const { chain, log } = args;
  const revenue = chain.revenue;
  if (revenue === undefined) throw new DemoError("the revenue suite is not deployed on chain A");
  const publicClient = await chain.connection.viem.getPublicClient();
  const wallets = await chain.connection.viem.getWalletClients();
  // #0 owns the demo token; #2 is the relayer process's account (left alone); #4.. are the demo's parties.
  const [tokenOwner, , , , communityOwner, advertiser, alice, bob, helper] = wallets;
  if (
    tokenOwner === undefined ||
    communityOwner === undefined ||
    advertiser === undefined ||
    alice === undefined ||
    bob === undefined ||
    helper === undefined
  ) {
    throw new DemoError("the devnet chain needs at least nine funded accounts");
  }
  const client = new RevenueClient({ publicClient, addresses: revenue });
  const token = chain.contracts.demoToken;
  const fmt = (amount: bigint) => `${formatUnits(amount, 18)} DEMO`;
  const members = args.attesters.map((a) => getAddress(a.account.address));
  const signers = args.attesters.slice(0, args.quorum).map((a) => a.privateKey);
  /** Mines a block so that calls see the wall clock (the devnet's chains mine on demand). */
  const tick = async () => {
    await publicClient.request({ method: "evm_mine" } as never);
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  // 1. A community (treasury: the community owner) and two creators' bindings.
  const treasury = getAddress(communityOwner.account.address);
  const { result: communityId } = await client.withWallet(communityOwner).createCommunity({
    metadataURI: "ipfs://maskoii-devnet-community",
    treasury,
    sources: [stringToHex("https://warpcast.com/~/channel/maskoii")],
    split: SPLIT,
  });
  log(`community ${communityId}: split creators/treasury/operators/protocol = 70/15/10/5 %, k = 10`);
  const personas = [getAddress(alice.account.address), getAddress(bob.account.address)] as const;
  const bindings = [
    { platform: Platform.Farcaster, accountId: farcasterAccountId(4242), persona: personas[0], sequence: 1n },
    {
      platform: Platform.Bluesky,
      accountId: blueskyAccountId("did:plc:maskoiidevnetbob"),
      persona: personas[1],
      sequence: 1n,
    },
  ];
  for (const binding of bindings) {
    const attestation = buildAttestation({
      digest: bindingAttestationDigest({
        domain: chain.domain,
        identityRegistry: revenue.identityRegistry,
        attesterSetId: 1n,
        binding,
      }),
      attesterSetId: 1n,
      attesters: members,
      signers,
    });
    await client.withWallet(helper).bind(binding, attestation);
  }
  log(`bound farcaster fid 4242 -> ${personas[0]}, a Bluesky DID -> ${personas[1]}`);

  // 2. The advertiser funds a campaign in the demo token.
  const budget = parseUnits("1000", 18);
  const cpm = parseUnits("2", 18);
  const cpe = parseUnits("0.05", 18);
  const mint = await tokenOwner.writeContract({
    address: token,
    abi: demoTokenAbi,
    functionName: "mint",
    args: [advertiser.account.address, budget],
  });
  await publicClient.waitForTransactionReceipt({ hash: mint });
  const approve = await advertiser.writeContract({
    address: token,
    abi: demoTokenAbi,
    functionName: "approve",
    args: [revenue.campaignLedger, budget],
  });
  await publicClient.waitForTransactionReceipt({ hash: approve });
  const now = Number((await publicClient.getBlock()).timestamp);
  const { result: campaignId } = await client.withWallet(advertiser).createCampaign({
    token,
    communities: [communityId],
    cpm,
    cpe,
    budget,
    epochCap: parseUnits("500", 18),
    start: now,
    end: now + 100 * revenue.epochLength,
    creativeHash: keccak256(stringToHex("maskoii devnet creative")),
    creativeURI: "ipfs://maskoii-devnet-creative",
  });
  log(`campaign ${campaignId}: budget ${fmt(budget)}, CPM ${fmt(cpm)}, CPE ${fmt(cpe)}`);

  // 3. Wait for the epoch to end, then the quorum reports it.
  await tick();
  const epoch = await client.currentEpoch();
  log(`waiting for epoch ${epoch} to end (${revenue.epochLength} s epochs on the devnet)`);
  while ((await client.currentEpoch()) <= epoch) {
    await sleep(1000);
    await tick();
  }
  const impressions = 12_000n;
  const engagements = 340n;
  const spend = lineSpend({ impressions, engagements, cpm, cpe });
  const split = splitSpend(spend, SPLIT);
  const aliceShare = (split.creators * 3n) / 5n;
  const amounts = [aliceShare, split.creators - aliceShare];
  const tree = PayoutTree.build(
    personas.map((persona, i) => ({
      slot: i, // each persona keeps its slot in every later tree of this chain
      account: addressToBytes32(persona),
      token: addressToBytes32(token),
      recipient: addressToBytes32(persona), // its payoutOf recipient (the default: itself)
      cumulative: amounts[i] ?? 0n,
      salt: randomSalt(),
    })),
  );
  const report: EpochReport = {
    communityId,
    epoch,
    engagedAccounts: 14,
    lines: [{ campaignId, impressions, engagements, spend, solanaCreators: 0n }],
    prevPayoutRoot: (await client.payoutRoot()) as Hex,
    payoutRoot: tree.root,
    payoutLeafCount: tree.leaves.length,
    expired: [],
  };
  if (report.prevPayoutRoot !== zeroHash) log(`building on payout root ${report.prevPayoutRoot}`);
  const attestation = buildAttestation({
    digest: reportAttestationDigest({
      domain: chain.domain,
      epochReports: revenue.epochReports,
      attesterSetId: 1n,
      report,
    }),
    attesterSetId: 1n,
    attesters: members,
    signers,
  });
  const { result: seq, receipt } = await client.withWallet(helper).submitReport(report, attestation);
  log(
    `report ${seq} for epoch ${epoch}: ${impressions} impressions, ${engagements} engagements -> spend ${fmt(spend)} ` +
      `(signed by ${signers.length} of ${members.length} attesters, ${receipt.gasUsed} gas)`,
  );

  // 4. Finalize after the challenge window.
  const submittedAt = Number((await publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp);
  log(`waiting out the ${revenue.challengeWindow} s challenge window`);
  for (;;) {
    await tick();
    if (Number((await publicClient.getBlock()).timestamp) >= submittedAt + revenue.challengeWindow) break;
    await sleep(1000);
  }
  await client.withWallet(helper).finalizeReport(seq, report, attestation);
  log(
    `final: creators ${fmt(split.creators)}, treasury ${fmt(split.treasury)}, ` +
      `operators ${fmt(split.operators)} (by signer weight), protocol ${fmt(split.protocol)}`,
  );

  // 5. Creators are paid: alice claims herself, bob's claim is submitted by someone else (funds still go to bob).
  const paid: { persona: Address; amount: bigint }[] = [];
  for (const [i, persona] of personas.entries()) {
    const wallet = i === 0 ? alice : helper;
    const before = await tokenBalance(persona);
    const { entry, proof } = tree.claimOf(addressToBytes32(persona), addressToBytes32(token));
    const { result: amount } = await client.withWallet(wallet).claim(entry, proof);
    const after = await tokenBalance(persona);
    if (after - before !== amount) throw new DemoError(`creator ${persona} received ${after - before}, not ${amount}`);
    paid.push({ persona, amount });
    log(`paid creator ${persona} ${fmt(amount)} on EVM${i === 0 ? "" : " (claimed on its behalf)"}`);
  }
  const balances = await client.balances({ token, communityId, operator: members[0] });
  log(
    `ledger: treasury ${fmt(balances.treasury)}, operator ${members[0]} ${fmt(balances.operator)}, ` +
      `protocol ${fmt(balances.protocol)}, creators still owed ${fmt(balances.creatorsOwed)}`,
  );
  return { spend, ...split, paid };

  async function tokenBalance(who: Address): Promise<bigint> {
    return publicClient.readContract({ address: token, abi: demoTokenAbi, functionName: "balanceOf", args: [who] });
  }
}
