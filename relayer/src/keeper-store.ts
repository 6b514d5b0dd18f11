// The keeper's durable state (migration 5 of store/schema.ts): the queued transfers it tracks per TokenBridge, their
// outcome, and its scan cursor (a row of the core `cursors` table, written in the same transaction as the entries it
// covers, so a restart neither misses nor re-adds any).
import type { Address, Hex } from "viem";
import { StoreError } from "./errors.ts";
import { big, type SqlClient, SqlStore } from "./store/sql.ts";
import type { Store } from "./store/types.ts";

type Row = Record<string, unknown>;

export type QueuedTransferState = "queued" | "released" | "skipped";

/** One queued transfer as the keeper tracks it. */
export type QueuedTransferRecord = {
  readonly domain: number;
  readonly bridge: Address;
  readonly queueId: bigint;
  readonly origin: number;
  readonly token: Address;
  readonly recipient: Address;
  /** Local token units (the TransferQueued amount). */
  readonly amount: bigint;
  readonly blockNumber: bigint;
  /** The delivery transaction that queued it. */
  readonly queuedTx: Hex;
  readonly state: QueuedTransferState;
  /** Chain time (unix seconds) from which the bucket holds it; null = never at the current limits. */
  readonly releaseAfter: number | null;
  /** ms since the epoch; not touched before (also the lease of the instance working on it). */
  readonly nextAttemptAt: number;
  /** Failed release attempts. */
  readonly attempts: number;
  /** released: this keeper's transaction; skipped: the transaction that released it first, when found. */
  readonly releaseTx: Hex | null;
  readonly gasUsed: bigint | null;
  readonly lastError: string | null;
  readonly updatedAt: number;
};

export type QueuedTransferUpdate = Partial<
  Pick<
    QueuedTransferRecord,
    "state" | "releaseAfter" | "nextAttemptAt" | "attempts" | "releaseTx" | "gasUsed" | "lastError"
  >
>;

const COLUMNS: Record<keyof QueuedTransferUpdate, string> = {
  state: "state",
  releaseAfter: "release_after",
  nextAttemptAt: "next_attempt_at",
  attempts: "attempts",
  releaseTx: "release_tx",
  gasUsed: "gas_used",
  lastError: "last_error",
};

const lower = (s: string): string => s.toLowerCase();

function toRecord(r: Row): QueuedTransferRecord {
  return {
    domain: Number(r.domain),
    bridge: r.bridge as Address,
    queueId: big(r.queue_id),
    origin: Number(r.origin),
    token: r.token as Address,
    recipient: r.recipient as Address,
    amount: big(r.amount),
    blockNumber: big(r.block_number),
    queuedTx: r.queued_tx as Hex,
    state: r.state as QueuedTransferState,
    releaseAfter: r.release_after === null || r.release_after === undefined ? null : Number(r.release_after),
    nextAttemptAt: Number(r.next_attempt_at),
    attempts: Number(r.attempts),
    releaseTx: (r.release_tx ?? null) as Hex | null,
    gasUsed: r.gas_used === null || r.gas_used === undefined ? null : big(r.gas_used),
    lastError: (r.last_error ?? null) as string | null,
    updatedAt: Number(r.updated_at),
  };
}

/** The cursor row of a TokenBridge's TransferQueued scan. */
export const keeperCursorName = (domain: number, bridge: Address): string => `keeper:queued:${domain}:${lower(bridge)}`;

export class KeeperStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  /** The keeper's table lives in the relayer's store (its migrations already ran when the store opened). */
  static of(store: Store): KeeperStore {
    if (!(store instanceof SqlStore)) throw new StoreError("keeper", "the queued-transfer keeper needs the SQL store");
    return new KeeperStore(store.sql);
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreError(`keeper ${what}`, cause);
    }
  }

  async getCursor(domain: number, bridge: Address): Promise<bigint | undefined> {
    return this.#run("getCursor", async () => {
      const [row] = await this.#db.query<Row>("SELECT block FROM cursors WHERE name = $1", [
        keeperCursorName(domain, bridge),
      ]);
      return row === undefined ? undefined : big(row.block);
    });
  }

  /**
   * Adds the entries of a scanned range (known ones are left as they are) and moves the cursor to `toBlock`, in one
   * transaction. Returns how many entries were new.
   */
  async recordScan(
    domain: number,
    bridge: Address,
    entries: readonly Omit<
      QueuedTransferRecord,
      | "domain"
      | "bridge"
      | "state"
      | "releaseAfter"
      | "nextAttemptAt"
      | "attempts"
      | "releaseTx"
      | "gasUsed"
      | "lastError"
      | "updatedAt"
    >[],
    toBlock: bigint,
    now: number,
  ): Promise<number> {
    return this.#run("recordScan", () =>
      this.#db.transaction(async (tx) => {
        let added = 0;
        for (const e of entries) {
          // release_after 0: due at once, the first look reads the entry and the bucket and schedules it.
          const rows = await tx.query<Row>(
            `INSERT INTO queued_transfers (domain, bridge, queue_id, origin, token, recipient, amount, block_number,
               queued_tx, state, release_after, next_attempt_at, attempts, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', 0, 0, 0, $10)
             ON CONFLICT (domain, bridge, queue_id) DO NOTHING RETURNING queue_id`,
            [
              domain,
              lower(bridge),
              e.queueId.toString(),
              e.origin,
              lower(e.token),
              lower(e.recipient),
              e.amount.toString(),
              e.blockNumber.toString(),
              lower(e.queuedTx),
              now,
            ],
          );
          added += rows.length;
        }
        await tx.query(
          "INSERT INTO cursors (name, block) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET block = EXCLUDED.block",
          [keeperCursorName(domain, bridge), toBlock.toString()],
        );
        return added;
      }),
    );
  }

  /**
   * Claims up to `limit` queued entries of (domain, bridge) due now: `next_attempt_at` passed (wall clock) and the
   * bucket expected to hold them (`release_after` at or before `chainNow`, or unknown). The claim pushes
   * next_attempt_at to `leaseUntil`; rows another instance is claiming are skipped (FOR UPDATE SKIP LOCKED).
   */
  async claimDue(args: {
    domain: number;
    bridge: Address;
    chainNow: number;
    now: number;
    leaseUntil: number;
    limit: number;
  }): Promise<QueuedTransferRecord[]> {
    return this.#run("claimDue", async () => {
      const rows = await this.#db.query<Row>(
        `UPDATE queued_transfers SET next_attempt_at = $5, updated_at = $4
         WHERE (domain, bridge, queue_id) IN (
           SELECT domain, bridge, queue_id FROM queued_transfers
           WHERE domain = $1 AND bridge = $2 AND state = 'queued' AND next_attempt_at <= $4
             AND (release_after IS NULL OR release_after <= $3)
           ORDER BY queue_id LIMIT $6 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [args.domain, lower(args.bridge), args.chainNow, args.now, args.leaseUntil, args.limit],
      );
      return rows.map(toRecord).sort((a, b) => (a.queueId < b.queueId ? -1 : a.queueId > b.queueId ? 1 : 0));
    });
  }

  async update(
    domain: number,
    bridge: Address,
    queueId: bigint,
    update: QueuedTransferUpdate,
    now: number,
  ): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(update) as [keyof QueuedTransferUpdate, unknown][]) {
      if (value === undefined) continue;
      params.push(typeof value === "bigint" ? value.toString() : value);
      sets.push(`${COLUMNS[key]} = $${params.length}`);
    }
    params.push(now);
    sets.push(`updated_at = $${params.length}`);
    params.push(domain, lower(bridge), queueId.toString());
    const n = params.length;
    await this.#run("update", () =>
      this.#db.query(
        `UPDATE queued_transfers SET ${sets.join(", ")} WHERE domain = $${n - 2} AND bridge = $${n - 1} AND queue_id = $${n}`,
        params,
      ),
    );
  }

  async get(domain: number, bridge: Address, queueId: bigint): Promise<QueuedTransferRecord | undefined> {
    return this.#run("get", async () => {
      const [row] = await this.#db.query<Row>(
        "SELECT * FROM queued_transfers WHERE domain = $1 AND bridge = $2 AND queue_id = $3",
        [domain, lower(bridge), queueId.toString()],
      );
      return row === undefined ? undefined : toRecord(row);
    });
  }

  /** Every tracked entry (of `domain` when given), by domain, bridge and queue id. */
  async list(domain?: number): Promise<QueuedTransferRecord[]> {
    return this.#run("list", async () => {
      const rows = await this.#db.query<Row>(
        `SELECT * FROM queued_transfers ${domain === undefined ? "" : "WHERE domain = $1"}
         ORDER BY domain, bridge, queue_id`,
        domain === undefined ? [] : [domain],
      );
      return rows.map(toRecord);
    });
  }
}
