// Devnet step (issue 14 point 6): the demo's messages and payouts, read back through the indexer's REST API while the
// devnet runs. Polls (bounded) until the indexer has caught up with what the demos did on chain, prints what it
// answers, and fails the step if a message, the community's revenue or a creator's claim never shows up.
import { formatUnits, type Hex } from "viem";
import { z } from "zod";
import { DemoError } from "./demo.ts";

const CATCH_UP_MS = 60_000;
const POLL_MS = 500;

const messageSchema = z.object({ id: z.string(), status: z.string(), kind: z.string() }).loose();
const statsSchema = z
  .object({
    epochs: z.array(
      z.object({ epoch: z.coerce.bigint(), spend: z.coerce.bigint(), creators: z.coerce.bigint() }).loose(),
    ),
  })
  .loose();
const earningsSchema = z
  .object({ claims: z.array(z.object({ amount: z.coerce.bigint(), tx: z.string() }).loose()) })
  .loose();

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body: unknown = await response.json().catch(() => undefined);
  return { status: response.status, body };
}

/** Polls `read` until it returns a value or CATCH_UP_MS passed; `what` names it in the error. */
async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + CATCH_UP_MS;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new DemoError(
        `the indexer did not show ${what} within ${CATCH_UP_MS} ms${last ? `: ${String(last)}` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function checkIndexer(args: {
  url: string;
  /** Bridge messages the demos sent, with a label, and the status each must reach. */
  messages: readonly { label: string; id: Hex; status: string }[];
  communityId: bigint;
  /** Creators paid on EVM, whose claims the indexer must list. */
  creators: readonly { persona: Hex; amount: bigint }[];
  decimals: number;
  symbol: string;
  log: (line: string) => void;
}): Promise<void> {
  for (const m of args.messages) {
    const row = await until(`message ${m.id} as ${m.status}`, async () => {
      const { status, body } = await getJson(`${args.url}/messages/${m.id}`);
      if (status !== 200) return undefined;
      const parsed = messageSchema.parse(body);
      return parsed.status === m.status ? parsed : undefined;
    });
    args.log(`indexer: ${m.label} message ${row.id} ${row.status} (${row.kind})`);
  }
  const stats = await until(`community ${args.communityId}'s revenue`, async () => {
    const { status, body } = await getJson(`${args.url}/communities/${args.communityId}/stats`);
    if (status !== 200) return undefined;
    const parsed = statsSchema.parse(body);
    return parsed.epochs.length > 0 ? parsed : undefined;
  });
  for (const e of stats.epochs) {
    args.log(
      `indexer: community ${args.communityId} epoch ${e.epoch}: spend ${formatUnits(e.spend, args.decimals)} ${args.symbol}, creators ${formatUnits(e.creators, args.decimals)} ${args.symbol}`,
    );
  }
  for (const c of args.creators) {
    const claimed = await until(`the claims of ${c.persona}`, async () => {
      const { status, body } = await getJson(`${args.url}/accounts/${c.persona}/earnings`);
      if (status !== 200) return undefined;
      const total = earningsSchema.parse(body).claims.reduce((sum, x) => sum + x.amount, 0n);
      return total === c.amount ? total : undefined;
    });
    args.log(`indexer: creator ${c.persona} claimed ${formatUnits(claimed, args.decimals)} ${args.symbol}`);
  }
}
