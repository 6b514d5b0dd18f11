// Creators paid on Solana (issue 13 point 7), on real runtimes end to end: the revenue contracts deployed on chain A
// (1001) over the devnet Gateway's attester set and TokenBridge, the local Solana RPC (1003) linked to A by the deploy
// fixture, three attester nodes and one relayer in-process (SolanaStack, as in solana-claims.test.ts). An advertiser
// funds a campaign; the attesters' keys sign an epoch report whose line owes part of the creators' share to two
// Solana creators and which commits to their claims tree; it is submitted and finalized; anyone sends its Solana
// payout (EpochReports.sendSolanaPayout -> CampaignLedger -> TokenBridge.transferDistribution); the relayer delivers
// the distribution; the creators claim in the Solana program with the sdk's claims helpers.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  attestationDigest,
  type ClaimLeaf,
  campaignLedgerAbi,
  claimRoot,
  communityRegistryAbi,
  creatorPayoutsAbi,
  decodeDistributionMessage,
  decodeMessage,
  type EpochReport,
  encodeAttestation,
  encodeSplitPolicy,
  epochReportsAbi,
  gatewayAbi,
  identityRegistryAbi,
  reportHash,
  signDigest,
  solanaDistributionId,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { demoTokenAbi } from "@maskoii/testkit";
import { getAccount } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  type Hex,
  keccak256,
  pad,
  parseEventLogs,
  toHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devAccount } from "./evm-stack.ts";
import { A_PER_SHARED, claimsContext, ORIGIN, SOLANA, SPL_PER_SHARED, salt } from "./solana-claims-setup.ts";
import { HAVE_LOCAL_RPC, requireLocalRpc } from "./solana-helpers.ts";
import { SolanaStack } from "./solana-stack.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const owner = devAccount(0);
const advertiser = devAccount(1);
const persona = devAccount(2);
const EPOCH_LENGTH = 3600;

async function artifact(name: string): Promise<{ abi: Abi; bytecode: Hex }> {
  const path = join(ROOT, "artifacts", "contracts", "src", "revenue", `${name}.sol`, `${name}.json`);
  return JSON.parse(await readFile(path, "utf8")) as { abi: Abi; bytecode: Hex };
}

/** Deploys revenue contracts from their artifacts on A, sent by `account` (checked mined). */
function revenueDeployer(ctx: ReturnType<typeof claimsContext>, account: typeof owner) {
  const sender = ctx.wallet(account);
  return async (name: string, args: readonly unknown[]): Promise<Address> => {
    const { abi, bytecode } = await artifact(name);
    const receipt = await ctx.mined(await sender.deployContract({ abi, bytecode, args }));
    return getAddress(receipt.contractAddress!);
  };
}

/**
 * Community 1 (70 % creators, 15 % treasury, 10 % operators, 5 % protocol; k = 10, expiry 26 epochs) owned by
 * `owner`, and 1,000 tokens minted to the advertiser and approved to the ledger. Returns the budget.
 */
async function createCommunityAndFundAdvertiser(
  ctx: ReturnType<typeof claimsContext>,
  token: Address,
  registry: Address,
  ledger: Address,
): Promise<bigint> {
  const { wallet, mined } = ctx;
  const ownerA = wallet(owner);
  const policy = encodeSplitPolicy({ creators: 7000, treasury: 1500, operators: 1000, protocol: 500 });
  await mined(
    await ownerA.writeContract({
      address: registry,
      abi: communityRegistryAbi,
      functionName: "createCommunity",
      args: ["ipfs://community", owner.address, [], policy, 10, 26],
    }),
  );
  const budget = 1_000n * 10n ** 18n;
  await mined(
    await ownerA.writeContract({
      address: token,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [advertiser.address, budget],
    }),
  );
  await mined(
    await wallet(advertiser).writeContract({
      address: token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [ledger, budget],
    }),
  );
  return budget;
}

function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

requireLocalRpc("solana-revenue.test");

describe.runIf(HAVE_LOCAL_RPC)("revenue: a final report's Solana payout -> bridge -> relayer -> Solana claims", () => {
  const stack = new SolanaStack("solana-revenue");

  beforeAll(() => stack.start(), 240_000);

  afterAll(() => stack.stop());

  it("pays the Solana creators of a final report through one distribution, once", async () => {
    const { contracts, mint } = stack;
    const ctx = claimsContext(stack);
    const { connection, publicA, wallet, mined, delivered, claimer } = ctx;
    const ownerA = wallet(owner);
    const deploy = revenueDeployer(ctx, owner);
    const balanceOf = (who: Address) =>
      publicA.readContract({ address: contracts.demoToken, abi: demoTokenAbi, functionName: "balanceOf", args: [who] });

    // ---- A: the revenue contracts over the devnet Gateway (its attester set) and TokenBridge.
    const now = (await publicA.getBlock()).timestamp;
    const genesis = Number(now) - 2 * EPOCH_LENGTH; // epochs 0 and 1 are over
    const registry = await deploy("CommunityRegistry", [genesis, EPOCH_LENGTH]);
    const identity = await deploy("IdentityRegistry", [contracts.gateway]);
    const ledger = await deploy("CampaignLedger", [registry, owner.address, owner.address, 0]);
    const reports = await deploy("EpochReports", [contracts.gateway, registry, ledger, 0, 10n ** 15n]);
    const payouts = await deploy("CreatorPayouts", [ledger]);
    await mined(
      await ownerA.writeContract({
        address: ledger,
        abi: campaignLedgerAbi,
        functionName: "setModules",
        args: [reports, payouts],
      }),
    );
    await mined(
      await ownerA.writeContract({
        address: ledger,
        abi: campaignLedgerAbi,
        functionName: "setSolanaRoute",
        args: [contracts.tokenBridge, SOLANA],
      }),
    );
    // (TokenBridge A accepts distributions to 1003: the deploy fixture declared it; see the test below.)
    // community 1: 70 % creators, 15 % treasury, 10 % operators, 5 % protocol; k = 10
    // ---- The advertiser funds a campaign: 2 tokens per 1,000 impressions.
    const budget = await createCommunityAndFundAdvertiser(ctx, contracts.demoToken, registry, ledger);
    await mined(
      await wallet(advertiser).writeContract({
        address: ledger,
        abi: campaignLedgerAbi,
        functionName: "createCampaign",
        args: [
          {
            token: contracts.demoToken,
            communities: [1n],
            tags: [],
            cpm: 2n * 10n ** 18n,
            cpe: 0n,
            budget,
            epochCap: budget,
            start: genesis,
            end: Number(now) + 30 * 86_400,
            creativeHash: keccak256(toHex("creative")),
            creativeURI: "ipfs://creative",
          },
        ],
      }),
    );

    // ---- The persona names Solana; its creators are paid there, from a claims tree in shared units (8 decimals).
    const [alice, bob] = [Keypair.generate(), Keypair.generate()];
    await mined(
      await wallet(persona).writeContract({
        address: identity,
        abi: identityRegistryAbi,
        functionName: "setPayout",
        args: [2, pubkeyToBytes32(alice.publicKey)],
      }),
    );
    const leaves: ClaimLeaf[] = [
      { index: 0, claimant: pubkeyToBytes32(alice.publicKey), amount: 500_000_000n, salt: salt("alice") }, // 5
      { index: 1, claimant: pubkeyToBytes32(bob.publicKey), amount: 325_000_000n, salt: salt("bob") }, // 3.25
    ];
    const solanaShared = leaves.reduce((sum, l) => sum + l.amount, 0n); // 8.25 tokens
    const solanaCreators = solanaShared * A_PER_SHARED;

    // ---- The report: 100,000 impressions = 200 tokens, 140 to creators, 8.25 of it owed on Solana.
    const report: EpochReport = {
      communityId: 1n,
      epoch: 1n,
      engagedAccounts: 12,
      lines: [{ campaignId: 1n, impressions: 100_000n, engagements: 0n, spend: 200n * 10n ** 18n, solanaCreators }],
      prevPayoutRoot: pad("0x", { size: 32 }),
      payoutRoot: keccak256(toHex("EVM payout root")),
      payoutLeafCount: 1,
      expired: [],
      solana: [{ token: contracts.demoToken, root: claimRoot(leaves), leafCount: leaves.length }],
    };
    const hash = reportHash(report);
    const setId = await publicA.readContract({
      address: contracts.gateway,
      abi: gatewayAbi,
      functionName: "currentSetId",
    });
    const [members] = await publicA.readContract({
      address: contracts.gateway,
      abi: gatewayAbi,
      functionName: "getSet",
      args: [setId],
    });
    const digest = attestationDigest("epochReport", {
      domain: ORIGIN,
      verifier: pad(reports, { size: 32 }),
      attesterSetId: setId,
      value: hash,
    });
    const signatures = stack.attesterKeys
      .map((k) => ({
        index: members.findIndex((m) => getAddress(m) === getAddress(k.account.address)),
        ...signDigest(digest, k.privateKey),
      }))
      .sort((a, b) => a.index - b.index);
    const attestation = encodeAttestation(setId, signatures);
    const onchainReport = {
      ...report,
      communityId: 1n,
      epoch: 1n,
      lines: report.lines.map((l) => ({
        campaignId: BigInt(l.campaignId),
        impressions: BigInt(l.impressions),
        engagements: BigInt(l.engagements),
        spend: BigInt(l.spend),
        solanaCreators: BigInt(l.solanaCreators),
      })),
      expired: [],
      solana: report.solana ?? [],
    };
    expect(
      await publicA.readContract({
        address: reports,
        abi: epochReportsAbi,
        functionName: "reportHash",
        args: [onchainReport],
      }),
    ).toBe(hash);
    await mined(
      await ownerA.writeContract({
        address: reports,
        abi: epochReportsAbi,
        functionName: "submit",
        args: [onchainReport, attestation],
      }),
    );
    // The window is zero here: final at once.
    await mined(
      await ownerA.writeContract({
        address: reports,
        abi: epochReportsAbi,
        functionName: "finalize",
        args: [1n, onchainReport, attestation],
      }),
    );
    const totals = await publicA.readContract({
      address: ledger,
      abi: campaignLedgerAbi,
      functionName: "totals",
      args: [contracts.demoToken],
    });
    expect(totals.solanaPending).toBe(solanaCreators);
    expect(
      await publicA.readContract({
        address: ledger,
        abi: campaignLedgerAbi,
        functionName: "creatorsOwed",
        args: [contracts.demoToken],
      }),
    ).toBe(140n * 10n ** 18n - solanaCreators);
    // The Solana part never reaches CreatorPayouts (it holds the EVM part only, its safety cap), and the Solana persona
    // has no leaf under the EVM root.
    expect(await balanceOf(payouts)).toBe(140n * 10n ** 18n - solanaCreators);
    const onEvm = await publicA
      .simulateContract({
        account: owner,
        address: payouts,
        abi: creatorPayoutsAbi,
        functionName: "claim",
        args: [
          {
            slot: 0n,
            account: persona.address,
            token: contracts.demoToken,
            recipient: persona.address,
            cumulative: 1n,
            salt: salt("evm"),
          },
          [],
        ],
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(revertName(onEvm)).toBe("InvalidPayoutProof");

    // ---- Anyone sends the payout: the Solana bucket leaves through one distribution.
    const fee = await publicA.readContract({
      address: contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteDistribution",
      args: [SOLANA],
    });
    const escrowBefore = await balanceOf(contracts.tokenBridge);
    const receipt = await mined(
      await ownerA.writeContract({
        address: reports,
        abi: epochReportsAbi,
        functionName: "sendSolanaPayout",
        args: [1n, onchainReport, attestation, 0n],
        value: fee,
      }),
    );
    const distributionId = solanaDistributionId(hash, contracts.demoToken);
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    expect(decodeDistributionMessage(decodeMessage(sent!.args.message).payload)).toEqual({
      root: claimRoot(leaves),
      token: pubkeyToBytes32(mint),
      total: solanaShared,
      leafCount: 2,
      distributionId,
    });
    expect(await balanceOf(contracts.tokenBridge)).toBe(escrowBefore + solanaCreators);
    const after = await publicA.readContract({
      address: ledger,
      abi: campaignLedgerAbi,
      functionName: "totals",
      args: [contracts.demoToken],
    });
    expect(after.solanaPending).toBe(0n);
    expect(after.solanaSent).toBe(solanaCreators);
    const again = await publicA
      .simulateContract({
        account: owner,
        address: reports,
        abi: epochReportsAbi,
        functionName: "sendSolanaPayout",
        args: [1n, onchainReport, attestation, 0n],
        value: fee,
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(revertName(again)).toBe("SolanaPayoutAlreadySent");

    // ---- Solana: the relayer delivers the distribution; the creators claim with sdk proofs.
    const messageId = sent!.args.messageId;
    const { distribution, vault } = await delivered(messageId, distributionId);
    expect((await getAccount(connection, vault)).amount).toBe(solanaShared * SPL_PER_SHARED);
    const claim = await claimer(distribution, mint, leaves);
    for (const [leaf, claimant] of [
      [leaves[0]!, alice],
      [leaves[1]!, bob],
    ] as const) {
      const { token } = await claim(leaf, claimant);
      expect((await getAccount(connection, token)).amount).toBe(leaf.amount * SPL_PER_SHARED);
    }
    expect((await getAccount(connection, vault)).amount).toBe(0n);
  });
  it("the deploy fixture routes chain A's revenue ledger to Solana: a report owing Solana creators passes its checks", async () => {
    const { contracts } = stack;
    const revenue = stack.revenueA;
    if (revenue === undefined) throw new Error("the deploy fixture deployed no revenue suite on A");
    const ctx = claimsContext(stack);
    const { publicA, wallet, mined } = ctx;
    const ledger = { address: revenue.campaignLedger, abi: campaignLedgerAbi } as const;
    expect(await publicA.readContract({ ...ledger, functionName: "solanaBridge" })).toBe(contracts.tokenBridge);
    expect(await publicA.readContract({ ...ledger, functionName: "solanaDomain" })).toBe(SOLANA);
    expect(
      await publicA.readContract({
        address: contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "claimsCapable",
        args: [SOLANA],
      }),
    ).toBe(true);

    // A community and a campaign on the fixture's suite; a line of it owing 8.25 tokens to Solana creators.
    const budget = await createCommunityAndFundAdvertiser(
      ctx,
      contracts.demoToken,
      revenue.communityRegistry,
      revenue.campaignLedger,
    );
    const now = Number((await publicA.getBlock()).timestamp);
    await mined(
      await wallet(advertiser).writeContract({
        ...ledger,
        functionName: "createCampaign",
        args: [
          {
            token: contracts.demoToken,
            communities: [1n],
            tags: [],
            cpm: 2n * 10n ** 18n,
            cpe: 0n,
            budget,
            epochCap: budget,
            start: now,
            end: now + 30 * 86_400,
            creativeHash: keccak256(toHex("creative")),
            creativeURI: "ipfs://creative",
          },
        ],
      }),
    );
    const campaignId = await publicA.readContract({ ...ledger, functionName: "lastCampaignId" });
    const lines = [
      {
        campaignId,
        impressions: 100_000n,
        engagements: 0n,
        spend: 200n * 10n ** 18n,
        solanaCreators: 825_000_000n * A_PER_SHARED,
      },
    ];
    const solana = [{ token: contracts.demoToken, root: keccak256(toHex("claims root")), leafCount: 2 }];
    // Reverts (SolanaRouteNotSet, SolanaTokenNotRouted, ...) unless the route is wired; resolves to nothing.
    await publicA.readContract({
      address: revenue.epochReports,
      abi: epochReportsAbi,
      functionName: "checkSolana",
      args: [lines, solana],
    });
    // The same check on an unrouted ledger refuses it: a fresh suite over the same Gateway.
    const deploy = revenueDeployer(ctx, owner);
    const registry = await deploy("CommunityRegistry", [now - EPOCH_LENGTH, EPOCH_LENGTH]);
    const bare = await deploy("CampaignLedger", [registry, owner.address, owner.address, 0]);
    const bareReports = await deploy("EpochReports", [contracts.gateway, registry, bare, 0, 1n]);
    const refused = await publicA
      .readContract({ address: bareReports, abi: epochReportsAbi, functionName: "checkSolana", args: [lines, solana] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(revertName(refused)).toBe("SolanaRouteNotSet");
  });
});
