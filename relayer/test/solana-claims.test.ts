// A payout root from EVM to Solana claims, on real runtimes end to end: `hardhat node` chains (A = 1001; B only because
// the deployment script deploys a pair) and the local Solana RPC (1003), maskoii deployed and linked A <-> Solana by the
// devnet's own code (the deploy fixture, with a 100 % threshold so all three attesters must sign), three attester
// nodes and one relayer in-process (startAttester / startRelayer, as in solana-flow.test.ts). TokenBridge A's
// `transferDistribution` locks the tokens and sends the kind-2 payload; the relayer's Solana adapter supplies the
// distribution's accounts and delivers it; claimants then claim with sdk proofs.
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ClaimLeaf,
  claimProof,
  claimRoot,
  decodeDistributionMessage,
  decodeMessage,
  gatewayAbi,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { MaskoiiProgramError, pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { demoTokenAbi } from "@maskoii/testkit";
import { getAccount, getMint } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import { bytesToHex, type Hex, keccak256, parseEventLogs, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devAccount } from "./evm-stack.ts";
import { A_PER_SHARED, claimsContext, SOLANA, SPL_PER_SHARED, salt } from "./solana-claims-setup.ts";
import { HAVE_LOCAL_RPC, requireLocalRpc } from "./solana-helpers.ts";
import { SolanaStack } from "./solana-stack.ts";

const owner = devAccount(0);
const user = devAccount(1);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

requireLocalRpc("solana-claims.test");

describe.runIf(HAVE_LOCAL_RPC)("claims: EVM transferDistribution -> 3 attesters -> relayer -> Solana vault", () => {
  // Every attester must sign: the delivery carries all three signatures.
  const stack = new SolanaStack("solana-claims", { thresholdBps: 10_000 });

  beforeAll(() => stack.start(), 240_000);

  afterAll(() => stack.stop());

  it("funds the vault with exactly what A locked; each leaf pays its claimant once", async () => {
    const { contracts, mint, solanaPayer, relayer } = stack;
    const { connection, client, publicA, wallet, mined, delivered, claimer } = claimsContext(stack);
    const ownerA = wallet(owner);
    const userA = wallet(user);
    const escrowA = () =>
      publicA.readContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [contracts.tokenBridge],
      });

    // ---- The payout: three salted leaves in shared units (8 decimals); the third is left unclaimed.
    const [alice, bob, carol] = [Keypair.generate(), Keypair.generate(), Keypair.generate()];
    const leaves: ClaimLeaf[] = [
      { index: 0, claimant: pubkeyToBytes32(alice.publicKey), amount: 500_000_000n, salt: salt("alice") }, // 5
      { index: 1, claimant: pubkeyToBytes32(bob.publicKey), amount: 325_000_000n, salt: salt("bob") }, // 3.25
      { index: 2, claimant: pubkeyToBytes32(carol.publicKey), amount: 150_000_000n, salt: salt("carol") }, // 1.5
    ];
    const total = leaves.reduce((sum, l) => sum + l.amount, 0n); // 9.75 tokens
    const root = claimRoot(leaves);
    const distributionId = keccak256(toHex("maskoii claims flow test, distribution 1"));

    // ---- A: the deploy fixture declared the Solana program claims-capable; the user funds the payout (plus dust).
    expect(
      await publicA.readContract({
        address: contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "claimsCapable",
        args: [SOLANA],
      }),
    ).toBe(true);
    const dust = 123n;
    const amount = total * A_PER_SHARED + dust;
    await mined(
      await ownerA.writeContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, amount],
      }),
    );
    await mined(
      await userA.writeContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [contracts.tokenBridge, amount],
      }),
    );
    const escrowBefore = await escrowA();
    const supplyBefore = (await getMint(connection, mint)).supply;
    const fee = await publicA.readContract({
      address: contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteDistribution",
      args: [SOLANA],
    });
    const receipt = await mined(
      await userA.writeContract({
        address: contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferDistribution",
        args: [contracts.demoToken, SOLANA, root, amount, leaves.length, distributionId],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    const [announced] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "DistributionSent", logs: receipt.logs });
    expect(sent).toBeDefined();
    expect(announced?.args).toMatchObject({
      distributionId,
      root,
      leafCount: 3,
      amount: total * A_PER_SHARED,
      wireAmount: total,
    });
    const messageId = sent!.args.messageId;
    // The 109-byte payload the sdk decodes: the SPL mint, the total in shared units.
    expect(decodeDistributionMessage(decodeMessage(sent!.args.message).payload)).toEqual({
      root,
      token: pubkeyToBytes32(mint),
      total,
      leafCount: 3,
      distributionId,
    });
    expect(await escrowA()).toBe(escrowBefore + total * A_PER_SHARED); // the dust stayed with the user
    expect(
      await publicA.readContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [user.address],
      }),
    ).toBe(dust);

    // ---- Solana: the relayer delivers it with all three signatures; the vault holds `total`.
    const { distribution, vault } = await delivered(messageId, distributionId);
    const created = await client.program.account.distribution.fetch(distribution);
    expect(created.funded).toBe(true);
    expect(BigInt(created.total.toString())).toBe(total);
    expect(created.leafCount).toBe(3);
    expect(bytesToHex(Uint8Array.from(created.root))).toBe(root);
    expect(created.mint.toBase58()).toBe(mint.toBase58());
    expect((await getAccount(connection, vault)).amount).toBe(total * SPL_PER_SHARED);
    // Nothing minted unbacked: what Solana minted is exactly what A locked, at each side's decimals.
    const supplyAfter = (await getMint(connection, mint)).supply;
    expect(supplyAfter - supplyBefore).toBe(total * SPL_PER_SHARED);
    expect(supplyAfter * (A_PER_SHARED / SPL_PER_SHARED)).toBe(await escrowA());
    // The relayer paid the accounts' rent and left no verification account behind.
    expect((await client.fetchReceiptById(messageId))?.relayer.toBase58()).toBe(solanaPayer.publicKey.toBase58());
    expect(
      await client.program.account.verification.all([
        { memcmp: { offset: 8, bytes: solanaPayer.publicKey.toBase58() } },
      ]),
    ).toEqual([]);

    // ---- Claims: anyone submits them (here a third party pays); each claimant's token account gets its amount.
    const claim = await claimer(distribution, mint, leaves);
    const paidAlice = await claim(leaves[0]!, alice);
    const paidBob = await claim(leaves[1]!, bob);
    expect((await getAccount(connection, paidAlice.token)).amount).toBe(5_000_000_000n);
    expect((await getAccount(connection, paidBob.token)).amount).toBe(3_250_000_000n);
    expect((await getAccount(connection, vault)).amount).toBe(leaves[2]!.amount * SPL_PER_SHARED);
    const tx = await connection.getTransaction(paidAlice.signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const [claimed] = client.eventsNamed(tx?.meta?.logMessages ?? [], "claimed");
    expect(claimed?.index).toBe(0);
    expect(claimed?.claimant.toBase58()).toBe(alice.publicKey.toBase58());
    expect(BigInt(claimed?.amount.toString() ?? "0")).toBe(500_000_000n);
    expect(BigInt(claimed?.localAmount.toString() ?? "0")).toBe(5_000_000_000n);

    // ---- Failures: the same leaf again, and Carol's leaf with Bob's proof, are refused by the program.
    const again = await rejection(claim(leaves[0]!, alice));
    expect(again).toBeInstanceOf(MaskoiiProgramError);
    expect((again as MaskoiiProgramError).errorName).toBe("AlreadyClaimed");
    const forged = await rejection(claim(leaves[2]!, carol, claimProof(leaves, 1)));
    expect(forged).toBeInstanceOf(MaskoiiProgramError);
    expect((forged as MaskoiiProgramError).errorName).toBe("InvalidClaimProof");
    expect((await getAccount(connection, paidAlice.token)).amount).toBe(5_000_000_000n);
    const after = await client.program.account.distribution.fetch(distribution);
    expect(BigInt(after.claimed.toString())).toBe(leaves[0]!.amount + leaves[1]!.amount);

    // ---- Backing holds after the claims: A's escrow == the SPL supply (claimed tokens + what the vault still holds).
    expect((await getMint(connection, mint)).supply * (A_PER_SHARED / SPL_PER_SHARED)).toBe(await escrowA());
    // One delivery, recorded once by the relayer.
    await sleep(1_000);
    expect(await relayer!.store.getDelivery(messageId.toLowerCase() as Hex)).toMatchObject({ state: "delivered" });
    expect(await relayer!.store.countDeliveries()).toMatchObject({ delivered: 1, failed: 0 });
  });
});
