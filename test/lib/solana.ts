// What the e2e tests read and do on the stack's Solana chain (domain 1003): a funded user with a token account of the
// bridged mint, sends from Solana (token transfers and arbitrary messages), and what the program holds afterwards
// (receipts, verification accounts, token balances and supply, the relayer's transactions).
import { MaskoiiSolanaClient } from "@maskoii/sdk/solana";
import { until } from "@maskoii/testkit";
import { getAccount, getMint, getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Connection, Keypair, type PublicKey } from "@solana/web3.js";
import type { Hex } from "viem";
import type { Stack } from "./stack.ts";

/** The receipt account's size (docs/solana.md: discriminator + message id ... bump). */
const RECEIPT_LENGTH = 165;

export class SolanaSide {
  readonly connection: Connection;
  readonly client: MaskoiiSolanaClient;
  readonly mint: PublicKey;
  readonly #stack: Stack;

  constructor(stack: Stack) {
    const mint = stack.solanaMint;
    if (mint === undefined) throw new Error("the stack has no Solana deployment (StackOptions.solana)");
    this.#stack = stack;
    this.mint = mint;
    this.connection = new Connection(stack.solana.rpcUrl, "confirmed");
    this.client = new MaskoiiSolanaClient({ connection: this.connection });
  }

  /** A new funded user and its token account of the bridged mint. */
  async newUser(sol = 5): Promise<{ keypair: Keypair; tokenAccount: PublicKey }> {
    const keypair = Keypair.generate();
    await this.#stack.airdrop(keypair.publicKey, sol);
    const account = await getOrCreateAssociatedTokenAccount(this.connection, keypair, this.mint, keypair.publicKey);
    return { keypair, tokenAccount: account.address };
  }

  async tokenBalance(account: PublicKey): Promise<bigint> {
    return (await getAccount(this.connection, account)).amount;
  }

  async supply(): Promise<bigint> {
    return (await getMint(this.connection, this.mint)).supply;
  }

  /** Message ids of every receipt the program holds, one per delivered message. */
  async receiptIds(): Promise<Hex[]> {
    const accounts = await this.connection.getProgramAccounts(this.client.programId, {
      filters: [{ dataSize: RECEIPT_LENGTH }],
    });
    return accounts.map((a) => `0x${Buffer.from(a.account.data.subarray(8, 40)).toString("hex")}` as Hex);
  }

  /** Verification accounts paid by `payer` (left behind by an unfinished delivery). */
  async verificationsOf(payer: PublicKey): Promise<number> {
    const accounts = await this.client.program.account.verification.all([
      { memcmp: { offset: 8, bytes: payer.toBase58() } },
    ]);
    return accounts.length;
  }

  /** Waits for the receipt of `id`. */
  async waitDelivered(id: Hex, timeoutMs = 60_000): Promise<void> {
    await until(
      `receipt of ${id} on Solana`,
      async () => ((await this.client.fetchReceiptById(id)) ? true : undefined),
      {
        timeoutMs,
        everyMs: 250,
      },
    );
  }

  /** Successful transactions signed by `payer` (newest first), without its airdrops. */
  async transactionsOf(payer: PublicKey): Promise<string[]> {
    const all = await this.connection.getSignaturesForAddress(payer, { limit: 1_000 });
    const ok = all.filter((s) => s.err === null);
    const own: string[] = [];
    for (const s of ok) {
      const tx = await this.connection.getTransaction(s.signature, { maxSupportedTransactionVersion: 0 });
      const signer = tx?.transaction.message.staticAccountKeys[0];
      if (signer?.equals(payer) === true) own.push(s.signature);
    }
    return own;
  }

  /** Sends and confirms `instruction` signed by `signer`. */
  async send(instruction: Parameters<MaskoiiSolanaClient["sendAndConfirm"]>[0][number], signer: Keypair) {
    return this.client.sendAndConfirm([instruction], [signer]);
  }
}
