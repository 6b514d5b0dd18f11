// Devnet step: the revenue protocol on chain A (issue 13 point 11). A community is created, platform accounts are
// bound to creator personas (IdentityBinding attestations signed with the devnet attesters' keys), an advertiser funds
// a campaign in the demo token, an epoch is reported (EpochReport attestation, 2-of-3), finalized after the devnet's
// short challenge window, and the creators are paid: two on EVM (one claims, the other is claimed for) and, when the
// devnet runs Solana, a third whose persona names a Solana key: its part leaves A through the bridge's distribution
// message (EpochReports.sendSolanaPayout), the attester nodes and the relayer deliver it to the maskoii program, and
// the creator's claim is submitted there. Every amount is printed. Uses the sdk's RevenueClient and Solana client.
import {
  addressToBytes32,
  bindingAttestationDigest,
  blueskyAccountId,
  buildAttestation,
  type ClaimLeaf,
  checkEpochReport,
  claimProof,
  claimRoot,
  type EpochReport,
  epochReportsAbi,
  farcasterAccountId,
  gatewayAbi,
  lineSpend,
  PayoutFamily,
  PayoutTree,
  Platform,
  RevenueClient,
  randomSalt,
  reportAttestationDigest,
  reportHash,
  solanaDistributionId,
  splitSpend,
  tokenBridgeAbi,
  xAccountId,
} from "@maskoii/sdk";
import { pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { type Attester, demoTokenAbi } from "@maskoii/testkit";
import {
  airdrop,
  type ChainDeployment,
  DEMO_DECIMALS,
  evmSymbol,
  SHARED_DECIMALS,
  SOLANA,
  type SolanaDeployment,
  SPL_DECIMALS,
} from "@maskoii/testkit/deploy";
import { getAccount, getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import {
  type Address,
  formatUnits,
  getAddress,
  type Hex,
  keccak256,
  parseEventLogs,
  parseUnits,
  stringToHex,
  zeroHash,
} from "viem";
import { DemoError, waitForDelivery } from "./demo.ts";
import type { DevnetNodes } from "./nodes.ts";

/** How long the Solana payout may take from its send on A to its delivery on Solana. */
const SOLANA_DELIVERY_TIMEOUT_MS = 90_000;

const SPLIT = { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 };

export type RevenueDemoResult = {
  /** The community the demo created (the aggregator demo adds its sources). */
  communityId: bigint;
  spend: bigint;
  creators: bigint;
  treasury: bigint;
  protocol: bigint;
  operators: bigint;
  /** Creators paid, in the demo token's units on A (on Solana: what left A for them). */
  paid: { persona: Address; amount: bigint; chain: "evm" | "solana" }[];
  /** The bridge message that carried the Solana creators' part, when Solana runs. */
  solanaPayoutMessage?: Hex;
  /** The campaign the demo funded (still running after the demo's epoch). */
  campaignId: bigint;
  /** The report the demo submitted: its payout state (the chain's payout tip after it) and what it built on. */
  payout: {
    root: Hex;
    prevRoot: Hex;
    epoch: bigint;
    reportHash: Hex;
    entries: { slot: number; account: Hex; token: Hex; recipient: Hex; cumulative: bigint; salt: Hex }[];
  };
};

export async function runRevenueDemo(args: {
  chain: ChainDeployment;
  /** The devnet attesters with their keys (set 1, sorted by address). */
  attesters: readonly Attester[];
  /** How many of them sign. */
  quorum: number;
  /**
   * The Solana side (the program linked with chain A, the running attester nodes and relayer): when given, a third
   * creator is paid on Solana. Its ledger's Solana route must be set (testkit's deploySolana does it).
   */
  solana?: { deployment: SolanaDeployment; nodes: DevnetNodes };
  log: (line: string) => void;
}): Promise<RevenueDemoResult> {
  const { chain, log } = args;
  const revenue = chain.revenue;
  if (revenue === undefined) throw new DemoError("the revenue suite is not deployed on chain A");
  const publicClient = await chain.connection.viem.getPublicClient();
  const wallets = await chain.connection.viem.getWalletClients();
  // #0 owns the demo token; #2 is the relayer process's account (left alone); #4.. are the demo's parties.
  const [tokenOwner, , , , communityOwner, advertiser, alice, bob, helper, carol] = wallets;
  if (
    tokenOwner === undefined ||
    communityOwner === undefined ||
    advertiser === undefined ||
    alice === undefined ||
    bob === undefined ||
    helper === undefined ||
    carol === undefined
  ) {
    throw new DemoError("the devnet chain needs at least ten funded accounts");
  }
  const solana = args.solana;
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
  // With Solana: carol's X handle is bound to her persona, which names a Solana key as where she is paid.
  const carolPersona = getAddress(carol.account.address);
  const carolKey = Keypair.generate();
  if (solana !== undefined) {
    const binding = {
      platform: Platform.X,
      accountId: xAccountId("maskoii_carol"),
      persona: carolPersona,
      sequence: 1n,
    };
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
    await client.withWallet(carol).setPayout(PayoutFamily.SVM, pubkeyToBytes32(carolKey.publicKey));
    log(`bound X handle @maskoii_carol -> ${carolPersona}, paid on Solana at ${carolKey.publicKey.toBase58()}`);
  }

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
  // With Solana, a fifth of the creators' share is carol's, paid on Solana: a whole number of the bridge's shared
  // units (8 decimals), as the ledger requires. The rest is split 3:2 between alice and bob on EVM.
  const unit = 10n ** BigInt(DEMO_DECIMALS - SHARED_DECIMALS);
  const solanaPart = solana === undefined ? 0n : (split.creators / 5n / unit) * unit;
  const evmCreators = split.creators - solanaPart;
  const aliceShare = (evmCreators * 3n) / 5n;
  const amounts = [aliceShare, evmCreators - aliceShare];
  const solanaLeaves: ClaimLeaf[] =
    solana === undefined
      ? []
      : [{ index: 0, claimant: pubkeyToBytes32(carolKey.publicKey), amount: solanaPart / unit, salt: randomSalt() }];
  const payoutEntries = personas.map((persona, i) => ({
    slot: i, // each persona keeps its slot in every later tree of this chain
    account: addressToBytes32(persona),
    token: addressToBytes32(token),
    recipient: addressToBytes32(persona), // its payoutOf recipient (the default: itself)
    cumulative: amounts[i] ?? 0n,
    salt: randomSalt(),
  }));
  const tree = PayoutTree.build(payoutEntries);
  const report: EpochReport = {
    communityId,
    epoch,
    engagedAccounts: 14,
    lines: [{ campaignId, impressions, engagements, spend, solanaCreators: solanaPart }],
    prevPayoutRoot: (await client.payoutRoot()) as Hex,
    payoutRoot: tree.root,
    payoutLeafCount: tree.leaves.length,
    expired: [],
    solana: solanaLeaves.length === 0 ? [] : [{ token, root: claimRoot(solanaLeaves), leafCount: solanaLeaves.length }],
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
  const paid: RevenueDemoResult["paid"] = [];
  for (const [i, persona] of personas.entries()) {
    const wallet = i === 0 ? alice : helper;
    const before = await tokenBalance(persona);
    const { entry, proof } = tree.claimOf(addressToBytes32(persona), addressToBytes32(token));
    const { result: amount } = await client.withWallet(wallet).claim(entry, proof);
    const after = await tokenBalance(persona);
    if (after - before !== amount) throw new DemoError(`creator ${persona} received ${after - before}, not ${amount}`);
    paid.push({ persona, amount, chain: "evm" });
    log(`paid creator ${persona} ${fmt(amount)} on EVM${i === 0 ? "" : " (claimed on its behalf)"}`);
  }
  // 6. With Solana: carol's part leaves A through the bridge (anyone sends it, paying the gateway fee), the nodes
  //    deliver it to the maskoii program, and her claim is submitted there (here by a third party).
  let solanaPayoutMessage: Hex | undefined;
  if (solana !== undefined && solanaPart > 0n) {
    const { client: program, connection, mint } = solana.deployment;
    const fee = await publicClient.readContract({
      address: chain.contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteDistribution",
      args: [SOLANA.domain],
    });
    const hash = await helper.writeContract({
      address: revenue.epochReports,
      abi: epochReportsAbi,
      functionName: "sendSolanaPayout",
      args: [seq, { ...checkEpochReport(report), solana: report.solana ?? [] }, attestation, 0n],
      value: fee,
    });
    const sendReceipt = await publicClient.waitForTransactionReceipt({ hash });
    if (sendReceipt.status !== "success") throw new DemoError(`sendSolanaPayout reverted (tx ${hash})`);
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: sendReceipt.logs });
    if (sent === undefined) throw new DemoError("sendSolanaPayout emitted no MessageSent");
    const messageId = sent.args.messageId;
    solanaPayoutMessage = messageId;
    const distributionId = solanaDistributionId(reportHash(report), token);
    log(
      `sent ${fmt(solanaPart)} for Solana creators through the bridge: distribution ${distributionId}, ` +
        `message ${messageId} (nonce ${sent.args.nonce} of domain ${chain.domain})`,
    );
    const timings = await waitForDelivery({
      messageId,
      attesterUrls: solana.nodes.attesterUrls,
      quorum: args.quorum,
      delivered: async () => (await program.fetchReceiptById(messageId)) !== null,
      timeoutMs: SOLANA_DELIVERY_TIMEOUT_MS,
    });
    log(
      `delivered on Solana by the relayer ${timings.deliveredMs} ms after the send (quorum after ${timings.quorumMs} ms)`,
    );
    const distribution = program.pda.distribution(chain.domain, distributionId);
    const submitter = Keypair.generate();
    await airdrop(connection, submitter.publicKey, 2);
    const carolToken = (await getOrCreateAssociatedTokenAccount(connection, submitter, mint, carolKey.publicKey))
      .address;
    const before = (await getAccount(connection, carolToken)).amount;
    const leaf = solanaLeaves[0] as ClaimLeaf;
    await program.sendAndConfirm(
      [
        await program.claimsClaimIx({
          distribution,
          mint,
          claimantToken: carolToken,
          index: leaf.index,
          claimant: carolKey.publicKey,
          amount: leaf.amount,
          salt: leaf.salt,
          proof: claimProof(solanaLeaves, leaf.index),
        }),
      ],
      [submitter],
    );
    const received = (await getAccount(connection, carolToken)).amount - before;
    const expected = leaf.amount * 10n ** BigInt(SPL_DECIMALS - SHARED_DECIMALS);
    if (received !== expected) throw new DemoError(`Solana creator received ${received}, not ${expected}`);
    paid.push({ persona: carolPersona, amount: solanaPart, chain: "solana" });
    log(
      `paid creator ${carolPersona} ${fmt(solanaPart)} on Solana: ${carolKey.publicKey.toBase58()} claimed ` +
        `${formatUnits(received, SPL_DECIMALS)} b${evmSymbol(chain)} in the maskoii program`,
    );
  }

  const balances = await client.balances({ token, communityId, operator: members[0] });
  log(
    `ledger: treasury ${fmt(balances.treasury)}, operator ${members[0]} ${fmt(balances.operator)}, ` +
      `protocol ${fmt(balances.protocol)}, creators still owed ${fmt(balances.creatorsOwed)}`,
  );
  return {
    communityId,
    campaignId,
    spend,
    ...split,
    paid,
    payout: {
      root: tree.root,
      prevRoot: report.prevPayoutRoot,
      epoch,
      reportHash: reportHash(report),
      entries: payoutEntries,
    },
    ...(solanaPayoutMessage === undefined ? {} : { solanaPayoutMessage }),
  };

  async function tokenBalance(who: Address): Promise<bigint> {
    return publicClient.readContract({ address: token, abi: demoTokenAbi, functionName: "balanceOf", args: [who] });
  }
}
