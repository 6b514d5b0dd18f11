// Reads the maskoii Solana program's events by standard JSON-RPC: getSignaturesForAddress (newer than a cursor,
// paged back with `before`) then getTransaction for each, oldest first, with `confirmed` commitment only (a
// processed-but-unconfirmed slot can still be dropped; confirmed ones are voted on by a supermajority, and the local
// RPC confirms what it executes). Failed transactions are skipped: their logs may carry events that did not happen.
// Events are decoded from the `Program data:` log lines with the program's IDL (the sdk's Anchor EventParser).
import { createRequire } from "node:module";
import type * as SdkSolana from "@maskoii/sdk/solana";
import type { MaskoiiEvent, MaskoiiSolanaClient } from "@maskoii/sdk/solana";
import type * as Web3 from "@solana/web3.js";
import type { Connection, PublicKey } from "@solana/web3.js";

// Loaded with Node's own resolver (require of ESM): Ponder evaluates src/ with vite-node, whose resolver picks
// @anchor-lang/core's bundler build, whose extensionless imports Node cannot load.
const require = createRequire(import.meta.url);
const sdkSolana = (): typeof SdkSolana => require("@maskoii/sdk/solana") as typeof SdkSolana;
const web3 = (): typeof Web3 => require("@solana/web3.js") as typeof Web3;

/** One confirmed transaction of the program and its decoded events, in log order. */
export type SolanaTransactionEvents = {
  readonly signature: string;
  readonly slot: bigint;
  /** Unix seconds (the slot's block time; 0 when the node does not know it). */
  readonly blockTime: bigint;
  readonly events: readonly MaskoiiEvent[];
};

export type SolanaBatch = {
  readonly transactions: readonly SolanaTransactionEvents[];
  /** The newest signature of this batch: the cursor to store once its events are written. */
  readonly cursor: { signature: string; slot: bigint } | undefined;
};

export class SolanaReader {
  readonly connection: Connection;
  readonly programId: PublicKey;
  readonly #client: MaskoiiSolanaClient;

  constructor(args: { rpcUrl: string; programId: string }) {
    const { Connection, PublicKey } = web3();
    this.connection = new Connection(args.rpcUrl, { commitment: "confirmed" });
    this.programId = new PublicKey(args.programId);
    this.#client = new (sdkSolana().MaskoiiSolanaClient)({ connection: this.connection, programId: this.programId });
  }

  /** Decodes this program's events from a transaction's log lines. */
  parse(logs: readonly string[]): MaskoiiEvent[] {
    return this.#client.parseEvents(logs);
  }

  /**
   * The program's confirmed transactions after `cursor` (a signature; undefined: from the first), oldest first, at
   * most `max` of them. Storing the returned cursor with the written events makes the reader resumable: the next call
   * starts right after it, so nothing is read twice or skipped.
   */
  async next(cursor: string | undefined, max = 200, pageSize = 1000): Promise<SolanaBatch> {
    const newestFirst: Array<{ signature: string; slot: number; err: unknown }> = [];
    let before: string | undefined;
    for (;;) {
      const page = await this.connection.getSignaturesForAddress(
        this.programId,
        {
          limit: pageSize,
          ...(cursor === undefined ? {} : { until: cursor }),
          ...(before === undefined ? {} : { before }),
        },
        "confirmed",
      );
      newestFirst.push(...page);
      if (page.length < pageSize) break;
      before = page.at(-1)?.signature;
    }
    const oldestFirst = newestFirst.reverse().slice(0, max);
    const transactions: SolanaTransactionEvents[] = [];
    for (const s of oldestFirst) {
      if (s.err !== null) continue;
      const tx = await this.connection.getTransaction(s.signature, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      if (tx === null || tx.meta === null || tx.meta.err !== null) continue;
      transactions.push({
        signature: s.signature,
        slot: BigInt(tx.slot),
        blockTime: BigInt(tx.blockTime ?? 0),
        events: this.parse(tx.meta.logMessages ?? []),
      });
    }
    const last = oldestFirst.at(-1);
    return {
      transactions,
      cursor: last === undefined ? undefined : { signature: last.signature, slot: BigInt(last.slot) },
    };
  }
}
