// Durable state of refunds (migration 7 of store/schema.ts, docs/protocol.md §8.1). The attester's half: the refund
// journal (at most one receipt per (origin, nonce), written before any signature over it leaves the process), its
// TransferRefund signatures per target, and the destination refund records it evaluates. The relayer's half: the
// refunds it submits on origins. Scan cursors are rows of the core `cursors` table, written in the same transaction
// as the rows they cover.
import type { Hex } from "viem";
import { StoreError } from "../errors.ts";
import { big, type SqlClient, SqlStore } from "./sql.ts";
import type { Store } from "./types.ts";

type Row = Record<string, unknown>;
const lower = <T extends string>(s: T): T => s.toLowerCase() as T;
const optional = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (v as T));

/** Why a node signed a refund: the destination's refund record of the id, or a nonce a reorg gave to another id. */
export type RefundBasis = "record" | "reorg";

/** A refund journal row. */
export type RefundJournalRow = {
  readonly origin: number;
  readonly nonce: bigint;
  readonly messageId: Hex;
  readonly destination: number;
  /** The 121-byte receipt (sdk encodeRefundReceipt). */
  readonly receipt: Hex;
  readonly basis: RefundBasis;
  readonly createdAt: number;
};

/** A TransferRefund signature this attester made. */
export type RefundSignature = {
  readonly messageId: Hex;
  /** The origin domain (where the refund is verified). */
  readonly domain: number;
  /** bytes32: the origin's token bridge (EVM) or program (Solana). */
  readonly verifier: Hex;
  readonly attesterSetId: bigint;
  readonly signer: Hex;
  readonly signature: Hex;
  readonly createdAt: number;
};

export type RefundCandidate = {
  readonly messageId: Hex;
  readonly destination: number;
  readonly state: "pending" | "signed";
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastProblem: string | null;
};

export type RefundDeliveryState = "pending" | "refunded" | "skipped";

/** A refund the relayer submits on the transfer's origin. */
export type RefundDelivery = {
  readonly messageId: Hex;
  readonly destination: number;
  readonly origin: number;
  readonly nonce: bigint;
  readonly state: RefundDeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly txHash: Hex | null;
  readonly lastError: string | null;
  readonly updatedAt: number;
};

export type RefundDeliveryUpdate = Partial<
  Pick<RefundDelivery, "state" | "attempts" | "nextAttemptAt" | "txHash" | "lastError">
>;

const DELIVERY_COLUMNS: Record<keyof RefundDeliveryUpdate, string> = {
  state: "state",
  attempts: "attempts",
  nextAttemptAt: "next_attempt_at",
  txHash: "tx_hash",
  lastError: "last_error",
};

function toJournal(r: Row): RefundJournalRow {
  return {
    origin: Number(r.origin),
    nonce: big(r.nonce),
    messageId: r.message_id as Hex,
    destination: Number(r.destination),
    receipt: r.receipt as Hex,
    basis: r.basis as RefundBasis,
    createdAt: Number(r.created_at),
  };
}

function toSignature(r: Row): RefundSignature {
  return {
    messageId: r.message_id as Hex,
    domain: Number(r.domain),
    verifier: r.verifier as Hex,
    attesterSetId: big(r.attester_set_id),
    signer: r.signer as Hex,
    signature: r.signature as Hex,
    createdAt: Number(r.created_at),
  };
}

function toCandidate(r: Row): RefundCandidate {
  return {
    messageId: r.message_id as Hex,
    destination: Number(r.destination),
    state: r.state as RefundCandidate["state"],
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastProblem: optional<string>(r.last_problem),
  };
}

function toDelivery(r: Row): RefundDelivery {
  return {
    messageId: r.message_id as Hex,
    destination: Number(r.destination),
    origin: Number(r.origin),
    nonce: big(r.nonce),
    state: r.state as RefundDeliveryState,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    txHash: optional<Hex>(r.tx_hash),
    lastError: optional<string>(r.last_error),
    updatedAt: Number(r.updated_at),
  };
}

export class RefundStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  /** The refund tables live in the node's store (its migrations already ran when the store opened). */
  static of(store: Store): RefundStore {
    if (!(store instanceof SqlStore)) throw new StoreError("refunds", "refunds need the SQL store");
    return new RefundStore(store.sql);
  }

  /** RefundStore.of, or undefined for a store that is not SQL (test doubles). */
  static tryOf(store: Store): RefundStore | undefined {
    return store instanceof SqlStore ? new RefundStore(store.sql) : undefined;
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreError(`refunds ${what}`, cause);
    }
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    return this.#run("getCursor", async () => {
      const [row] = await this.#db.query<Row>("SELECT block FROM cursors WHERE name = $1", [name]);
      return row === undefined ? undefined : big(row.block);
    });
  }

  // ---- attester --------------------------------------------------------------------------------------------------

  /**
   * Journals the receipt of (origin, nonce) unless one is journaled already, and returns the journaled row (this one
   * or the earlier one: the caller refuses to sign when it differs). Durable before it returns.
   */
  async reserve(entry: Omit<RefundJournalRow, "createdAt">, now: number): Promise<RefundJournalRow> {
    return this.#run("reserve", () =>
      this.#db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO refund_journal (origin, nonce, message_id, destination, receipt, basis, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [
            entry.origin,
            entry.nonce.toString(),
            lower(entry.messageId),
            entry.destination,
            lower(entry.receipt),
            entry.basis,
            now,
          ],
        );
        const [row] = await tx.query<Row>("SELECT * FROM refund_journal WHERE origin = $1 AND nonce = $2", [
          entry.origin,
          entry.nonce.toString(),
        ]);
        if (row === undefined) {
          // The message id is journaled under another (origin, nonce): impossible for a well-formed receipt.
          const [byId] = await tx.query<Row>("SELECT * FROM refund_journal WHERE message_id = $1", [
            lower(entry.messageId),
          ]);
          if (byId === undefined) throw new StoreError("refunds reserve", "journal row vanished");
          return toJournal(byId);
        }
        return toJournal(row);
      }),
    );
  }

  async journalOf(messageId: Hex): Promise<RefundJournalRow | undefined> {
    return this.#run("journalOf", async () => {
      const [row] = await this.#db.query<Row>("SELECT * FROM refund_journal WHERE message_id = $1", [lower(messageId)]);
      return row === undefined ? undefined : toJournal(row);
    });
  }

  async saveSignature(s: Omit<RefundSignature, "createdAt">, now: number): Promise<void> {
    await this.#run("saveSignature", () =>
      this.#db.query(
        `INSERT INTO refund_signatures (message_id, domain, verifier, attester_set_id, signer, signature, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [
          lower(s.messageId),
          s.domain,
          lower(s.verifier),
          s.attesterSetId.toString(),
          lower(s.signer),
          lower(s.signature),
          now,
        ],
      ),
    );
  }

  async signaturesOf(messageId: Hex): Promise<RefundSignature[]> {
    return this.#run("signaturesOf", async () =>
      (
        await this.#db.query<Row>(
          "SELECT * FROM refund_signatures WHERE message_id = $1 ORDER BY attester_set_id, domain, verifier",
          [lower(messageId)],
        )
      ).map(toSignature),
    );
  }

  /**
   * Adds the refund records of a scanned destination range (known ones stay) and moves its cursor, atomically.
   * Returns the ids that were new.
   */
  async recordCandidates(
    cursor: string,
    destination: number,
    messageIds: readonly Hex[],
    toBlock: bigint,
    now: number,
  ): Promise<Hex[]> {
    return this.#run("recordCandidates", () =>
      this.#db.transaction(async (tx) => {
        const added: Hex[] = [];
        for (const id of messageIds) {
          const rows = await tx.query<Row>(
            `INSERT INTO refund_candidates (message_id, destination, state, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, 'pending', 0, 0, $3) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
            [lower(id), destination, now],
          );
          if (rows.length > 0) added.push(lower(id));
        }
        await tx.query(
          "INSERT INTO cursors (name, block) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET block = EXCLUDED.block",
          [cursor, toBlock.toString()],
        );
        return added;
      }),
    );
  }

  async dueCandidates(now: number, limit: number): Promise<RefundCandidate[]> {
    return this.#run("dueCandidates", async () =>
      (
        await this.#db.query<Row>(
          `SELECT * FROM refund_candidates WHERE state = 'pending' AND next_attempt_at <= $1
           ORDER BY next_attempt_at, message_id LIMIT $2`,
          [now, limit],
        )
      ).map(toCandidate),
    );
  }

  async updateCandidate(
    messageId: Hex,
    update: Pick<RefundCandidate, "state" | "attempts" | "nextAttemptAt" | "lastProblem">,
  ): Promise<void> {
    await this.#run("updateCandidate", () =>
      this.#db.query(
        `UPDATE refund_candidates SET state = $2, attempts = $3, next_attempt_at = $4, last_problem = $5
         WHERE message_id = $1`,
        [lower(messageId), update.state, update.attempts, update.nextAttemptAt, update.lastProblem],
      ),
    );
  }

  async candidate(messageId: Hex): Promise<RefundCandidate | undefined> {
    return this.#run("candidate", async () => {
      const [row] = await this.#db.query<Row>("SELECT * FROM refund_candidates WHERE message_id = $1", [
        lower(messageId),
      ]);
      return row === undefined ? undefined : toCandidate(row);
    });
  }

  // ---- relayer ---------------------------------------------------------------------------------------------------

  /**
   * Adds refunds to submit (known ones stay) and, when given, moves a scan cursor in the same transaction. Returns
   * the ids that were new.
   */
  async addDeliveries(
    entries: readonly Pick<RefundDelivery, "messageId" | "destination" | "origin" | "nonce">[],
    now: number,
    cursor?: { readonly name: string; readonly block: bigint },
  ): Promise<Hex[]> {
    return this.#run("addDeliveries", () =>
      this.#db.transaction(async (tx) => {
        const added: Hex[] = [];
        for (const e of entries) {
          const rows = await tx.query<Row>(
            `INSERT INTO refund_deliveries (message_id, destination, origin, nonce, state, attempts, next_attempt_at,
               updated_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, 0, $5) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
            [lower(e.messageId), e.destination, e.origin, e.nonce.toString(), now],
          );
          if (rows.length > 0) added.push(lower(e.messageId));
        }
        if (cursor !== undefined) {
          await tx.query(
            "INSERT INTO cursors (name, block) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET block = EXCLUDED.block",
            [cursor.name, cursor.block.toString()],
          );
        }
        return added;
      }),
    );
  }

  /**
   * Claims up to `limit` pending refunds due at `now`, pushing their next attempt to `leaseUntil` (the lease of this
   * instance); rows another transaction is claiming are skipped.
   */
  async claimDue(now: number, leaseUntil: number, limit: number): Promise<RefundDelivery[]> {
    return this.#run("claimDue", async () =>
      (
        await this.#db.query<Row>(
          `UPDATE refund_deliveries SET next_attempt_at = $2, updated_at = $1
           WHERE message_id IN (
             SELECT message_id FROM refund_deliveries WHERE state = 'pending' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, message_id LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING *`,
          [now, leaseUntil, limit],
        )
      ).map(toDelivery),
    );
  }

  async updateDelivery(messageId: Hex, update: RefundDeliveryUpdate, now: number): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(update) as [keyof RefundDeliveryUpdate, unknown][]) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${DELIVERY_COLUMNS[key]} = $${params.length}`);
    }
    params.push(now);
    sets.push(`updated_at = $${params.length}`);
    params.push(lower(messageId));
    await this.#run("updateDelivery", () =>
      this.#db.query(`UPDATE refund_deliveries SET ${sets.join(", ")} WHERE message_id = $${params.length}`, params),
    );
  }

  async delivery(messageId: Hex): Promise<RefundDelivery | undefined> {
    return this.#run("delivery", async () => {
      const [row] = await this.#db.query<Row>("SELECT * FROM refund_deliveries WHERE message_id = $1", [
        lower(messageId),
      ]);
      return row === undefined ? undefined : toDelivery(row);
    });
  }

  async countDeliveries(): Promise<Record<RefundDeliveryState, number>> {
    return this.#run("countDeliveries", async () => {
      const counts: Record<RefundDeliveryState, number> = { pending: 0, refunded: 0, skipped: 0 };
      for (const r of await this.#db.query<Row>("SELECT state, COUNT(*) AS n FROM refund_deliveries GROUP BY state")) {
        counts[r.state as RefundDeliveryState] = Number(r.n);
      }
      return counts;
    });
  }
}
