// What the EVM -> Solana claims tests share (solana-claims, solana-revenue): on top of a started SolanaStack, the
// clients of chain A and of the program, a mined-transaction check, the wait for a distribution's delivery on Solana,
// and claims submitted by a funded third party into each claimant's associated token account.
import { type ClaimLeaf, claimProof } from "@maskoii/sdk";
import { MaskoiiSolanaClient } from "@maskoii/sdk/solana";
import { until } from "@maskoii/testkit";
import { getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import {
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type PrivateKeyAccount,
  type TransactionReceipt,
  toHex,
} from "viem";
import type { HDAccount } from "viem/accounts";
import { expect } from "vitest";
import { chainA } from "./evm-stack.ts";
import { airdrop } from "./solana-helpers.ts";
import type { SolanaStack } from "./solana-stack.ts";

/** Chain A's domain (the fixture's) and the program's. */
export const ORIGIN = 1001;
export const SOLANA = 1003;
/** Demo token: 18 decimals on A; the SPL mint: 9 decimals; shared: 8 (the fixture's route). */
export const A_PER_SHARED = 10n ** 10n;
export const SPL_PER_SHARED = 10n;

/** A claims leaf's salt, derived from a label (tests only; real salts are random). */
export const salt = (label: string): Hex => keccak256(toHex(`salt ${label}`));

/** The clients a claims test drives chain A and the program with, from a started stack. */
export function claimsContext(stack: SolanaStack) {
  const rpc = stack.rpc;
  if (rpc === undefined) throw new Error("the Solana stack is not started");
  const connection = new Connection(rpc.url, "confirmed");
  const client = new MaskoiiSolanaClient({ connection, programId: new PublicKey(rpc.programId) });
  const publicA = createPublicClient({ chain: chainA, transport: http(stack.rpcA) });
  const wallet = (account: HDAccount | PrivateKeyAccount) =>
    createWalletClient({ account, chain: chainA, transport: http(stack.rpcA) });
  /** Waits for an A transaction and expects it to have succeeded. */
  const mined = async (hash: Hex): Promise<TransactionReceipt> => {
    const receipt = await publicA.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    return receipt;
  };
  /** Waits until the relayer delivered message `messageId` (a distribution from A) and names its accounts. */
  const delivered = async (messageId: Hex, distributionId: Hex) => {
    await until("delivery on Solana", async () => ((await client.fetchReceiptById(messageId)) ? true : undefined), {
      timeoutMs: 60_000,
    });
    const distribution = client.pda.distribution(ORIGIN, distributionId);
    return { distribution, vault: client.pda.claimsVault(distribution) };
  };
  /**
   * A claimer for `distribution` of `mint` over `leaves`: a fresh submitter (airdropped 5 SOL) pays for each claim,
   * into the claimant's associated token account (created if needed); the proof defaults to the leaf's own.
   */
  const claimer = async (distribution: PublicKey, mint: PublicKey, leaves: readonly ClaimLeaf[]) => {
    const submitter = Keypair.generate();
    await airdrop(connection, submitter.publicKey, 5);
    return async (leaf: ClaimLeaf, claimant: Keypair, proof = claimProof(leaves, leaf.index)) => {
      const token = (await getOrCreateAssociatedTokenAccount(connection, submitter, mint, claimant.publicKey)).address;
      const signature = await client.sendAndConfirm(
        [
          await client.claimsClaimIx({
            distribution,
            mint,
            claimantToken: token,
            index: leaf.index,
            claimant: claimant.publicKey,
            amount: leaf.amount,
            salt: leaf.salt,
            proof,
          }),
        ],
        [submitter],
      );
      return { token, signature };
    };
  };
  return { connection, client, publicA, wallet, mined, delivered, claimer };
}
