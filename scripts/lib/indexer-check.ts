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

const payoutsSchema = z.object({
  data: z.object({
    solanaPayouts: z.object({
      items: z.array(
        z.object({ seq: z.string().nullable(), amount: z.string().nullable(), distributionId: z.string() }),
      ),
    }),
  }),
});

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
  /** The bridge message of the revenue demo's Solana payout, when Solana runs: its report and delivery are checked. */
  solanaPayoutMessage?: Hex;
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
  const solanaMessage = args.solanaPayoutMessage;
  if (solanaMessage !== undefined) {
    const payout = await until(`the Solana payout ${solanaMessage}`, async () => {
      const response = await fetch(`${args.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: `{ solanaPayouts(where: { messageId: "${solanaMessage}" }) { items { seq amount distributionId } } }`,
        }),
        signal: AbortSignal.timeout(5_000),
      });
      const [item] = payoutsSchema.parse(await response.json()).data.solanaPayouts.items;
      if (item === undefined || item.seq === null || item.amount === null) return undefined;
      const { body } = await getJson(`${args.url}/messages/${solanaMessage}`);
      const message = messageSchema.safeParse(body);
      return message.success && message.data.status === "delivered" ? { ...item, message: message.data } : undefined;
    });
    args.log(
      `indexer: report ${payout.seq}'s Solana payout ${formatUnits(BigInt(payout.amount ?? 0), args.decimals)} ${args.symbol}: message ${solanaMessage} ${payout.message.status} (${payout.message.kind})`,
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
