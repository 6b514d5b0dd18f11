// One message, one row: every event that concerns a message (whatever chain it comes from, in whatever order the
// chains are read) goes through `touchMessage`, which inserts the row or merges into it. The status only moves up
// the rank of MESSAGE_STATUSES, so a late origin event (the destination read first, or the Solana reader catching
// up) never turns a delivered message back into "sent".
import { message } from "../ponder.schema.ts";

export { MESSAGE_STATUSES } from "../ponder.schema.ts";

import { MESSAGE_STATUSES } from "../ponder.schema.ts";

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type MessageRow = typeof message.$inferSelect;
export type MessagePatch = Partial<Omit<MessageRow, "id" | "status" | "statusRank" | "updatedAt">>;

export function rankOf(status: MessageStatus): number {
  return MESSAGE_STATUSES.indexOf(status);
}

/** What `touchMessage` needs of Ponder's store (context.db), typed structurally so the Solana path can share it. */
export type MessageStore = {
  find(table: typeof message, key: { id: `0x${string}` }): Promise<MessageRow | null>;
  insert(table: typeof message): { values(v: typeof message.$inferInsert): PromiseLike<unknown> };
  update(
    table: typeof message,
    key: { id: `0x${string}` },
  ): { set(v: Partial<typeof message.$inferInsert>): PromiseLike<unknown> };
};

/**
 * Inserts or merges into message `id`: `patch` gets the current row (or null) and returns the fields to write;
 * `status`, when given, is applied if it ranks at least as high as the current one.
 */
export async function touchMessage(
  db: MessageStore,
  id: `0x${string}`,
  at: bigint,
  status: MessageStatus | undefined,
  patch: (row: MessageRow | null) => MessagePatch,
): Promise<void> {
  const row = await db.find(message, { id });
  const fields = patch(row);
  const sentAt = fields.sentAt ?? row?.sentAt ?? null;
  const deliveredAt = fields.deliveredAt ?? row?.deliveredAt ?? null;
  // Two chains' clocks differ (a local chain mining many blocks in one second runs ahead): never negative.
  const latency =
    sentAt !== null && deliveredAt !== null
      ? { latencySeconds: deliveredAt >= sentAt ? deliveredAt - sentAt : 0n }
      : {};
  if (row === null) {
    const initial = status ?? "sent";
    await db.insert(message).values({
      id,
      ...fields,
      ...latency,
      status: initial,
      statusRank: rankOf(initial),
      updatedAt: at,
    });
    return;
  }
  const raise = status !== undefined && rankOf(status) >= row.statusRank;
  await db.update(message, { id }).set({
    ...fields,
    ...latency,
    ...(raise ? { status, statusRank: rankOf(status) } : {}),
    updatedAt: at,
  });
}
