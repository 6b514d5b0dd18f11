// The Solana reader inside Ponder: a block handler on the first EVM chain polls the program's new confirmed
// transactions (after the cursor stored in solana_cursor) and writes their events with Ponder's own store, in the
// same database transaction machinery as the EVM events. The cursor lives in a Ponder table, so it is checkpointed,
// restored after a restart and reverted with the rows it produced, together: no gap, no duplicate.
import { ponder } from "ponder:registry";
import schema from "ponder:schema";
import { loadSolanaSource } from "../deployments.ts";
import { applySolanaTransaction } from "./apply.ts";
import { SolanaReader } from "./reader.ts";

const source = loadSolanaSource();
const reader = source === undefined ? undefined : new SolanaReader(source);
/** Blocks older than this are backfill: polling there would only cost RPC calls (the cursor catches up live). */
const LIVE_WINDOW_SECONDS = BigInt(process.env.MASKOII_SOLANA_LIVE_WINDOW ?? 120);

ponder.on("SolanaPoll:block", async ({ event, context }) => {
  if (reader === undefined || source === undefined) return;
  const now = BigInt(Math.floor(Date.now() / 1000));
  if (event.block.timestamp + LIVE_WINDOW_SECONDS < now) return;
  const stored = await context.db.find(schema.solanaCursor, { programId: source.programId });
  const batch = await reader.next(stored?.signature);
  for (const tx of batch.transactions) await applySolanaTransaction(context.db, source.domain, tx);
  if (batch.cursor === undefined) return;
  const cursor = { signature: batch.cursor.signature, slot: batch.cursor.slot, updatedAt: event.block.timestamp };
  await context.db
    .insert(schema.solanaCursor)
    .values({ programId: source.programId, ...cursor })
    .onConflictDoUpdate(() => cursor);
});
