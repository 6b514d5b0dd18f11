// The Store over any PostgreSQL client (PGlite or pg): same SQL, `$n` parameters.
import { applyMigrations, type SqlClient } from "@maskoii/node-kit";
import type { Address, Hex } from "viem";
import { StoreError } from "../errors.ts";
import { MIGRATIONS } from "./schema.ts";
import type {
  DeliveryClaim,
  DeliveryFailure,
  DeliveryRecord,
  DeliveryState,
  DeliveryUpdate,
  JournalEntry,
  JournalRow,
  ObservedKey,
  ObservedMessage,
  SignatureKind,
  Store,
  StoredSignature,
} from "./types.ts";

export type { SqlClient } from "@maskoii/node-kit";

type Row = Record<string, unknown>;

const DELIVERY_COLUMNS: Record<Exclude<keyof DeliveryUpdate, "lastFailure">, string> = {
  state: "state",
  attempts: "attempts",
  nextAttemptAt: "next_attempt_at",
  quorumAt: "quorum_at",
  deliveredAt: "delivered_at",
  txHash: "tx_hash",
  gasUsed: "gas_used",
  lastError: "last_error",
};

/** `column = $n` clauses and their parameters for the defined fields of `update`. */
function deliverySets(update: DeliveryUpdate): { sets: string[]; params: unknown[] } {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(update) as [keyof DeliveryUpdate, unknown][]) {
    if (value === undefined) continue;
    if (key === "lastFailure") {
      // Two columns: the code, and the facts as a JSON object of strings.
      const failure = value as DeliveryFailure | null;
      params.push(failure?.code ?? null);
      sets.push(`last_error_code = $${params.length}`);
      params.push(failure === null ? null : JSON.stringify(failure.facts));
      sets.push(`last_error_facts = $${params.length}`);
      continue;
    }
    params.push(typeof value === "bigint" ? value.toString() : value);
    sets.push(`${DELIVERY_COLUMNS[key]} = $${params.length}`);
  }
  return { sets, params };
}

function toFailure(r: Row): DeliveryFailure | null {
  if (r.last_error_code === null || r.last_error_code === undefined) return null;
  let facts: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(String(r.last_error_facts ?? "{}"));
    if (parsed !== null && typeof parsed === "object") {
      facts = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    }
  } catch {
    // Facts are advisory: a record whose facts do not parse still has its code.
  }
  return { code: String(r.last_error_code), facts };
}

/** A NUMERIC column as a bigint (drivers return strings, numbers or bigints). */
export const big = (v: unknown): bigint => BigInt(String(v));
const num = (v: unknown): number => Number(v);
const nullableNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toObserved(r: Row): ObservedMessage {
  return {
    messageId: r.message_id as Hex,
    origin: num(r.origin),
    destination: num(r.destination),
    nonce: big(r.nonce),
    message: r.message as Hex,
    blockNumber: big(r.block_number),
    txHash: r.tx_hash as Hex,
    observedAt: num(r.observed_at),
  };
}

function toDelivery(r: Row): DeliveryRecord {
  const lastFailure = toFailure(r);
  return {
    messageId: r.message_id as Hex,
    origin: num(r.origin),
    destination: num(r.destination),
    nonce: big(r.nonce),
    message: r.message as Hex,
    state: r.state as DeliveryState,
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    firstSeenAt: num(r.first_seen_at),
    quorumAt: nullableNum(r.quorum_at),
    deliveredAt: nullableNum(r.delivered_at),
    txHash: (r.tx_hash ?? null) as Hex | null,
    gasUsed: r.gas_used === null || r.gas_used === undefined ? null : big(r.gas_used),
    lastError: (r.last_error ?? null) as string | null,
    // Only when there is one: a record without a failure reads exactly as before migration 4.
    ...(lastFailure === null ? {} : { lastFailure }),
  };
}

const lower = (h: string): string => h.toLowerCase();

export class SqlStore implements Store {
  readonly #db: SqlClient;

  private constructor(db: SqlClient) {
    this.#db = db;
  }

  /** The SQL client, for modules that keep their own tables in this database (src/koii/store.ts). */
  get sql(): SqlClient {
    return this.#db;
  }

  /** Wraps `db` and applies every pending migration. */
  static async open(db: SqlClient): Promise<SqlStore> {
    const store = new SqlStore(db);
    await store.#migrate();
    return store;
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreError(what, cause);
    }
  }

  /** Applies every pending migration of the node's list (node-kit's runner; store/schema.ts). */
  async #migrate(): Promise<void> {
    await this.#run("migrate", () => applyMigrations(this.#db, MIGRATIONS));
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    const rows = await this.#run("getCursor", () =>
      this.#db.query<Row>("SELECT block FROM cursors WHERE name = $1", [name]),
    );
    return rows[0] === undefined ? undefined : big(rows[0].block);
  }

  async setCursor(name: string, block: bigint): Promise<void> {
    await this.#run("setCursor", () =>
      this.#db.query(
        "INSERT INTO cursors (name, block) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET block = EXCLUDED.block",
        [name, block.toString()],
      ),
    );
  }

  async recordObserved(m: ObservedMessage): Promise<boolean> {
    const rows = await this.#run("recordObserved", () =>
      this.#db.query<Row>(
        `INSERT INTO observed_messages (message_id, origin, destination, nonce, message, block_number, tx_hash, observed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
        [
          lower(m.messageId),
          m.origin,
          m.destination,
          m.nonce.toString(),
          lower(m.message),
          m.blockNumber.toString(),
          lower(m.txHash),
          m.observedAt,
        ],
      ),
    );
    return rows.length > 0;
  }

  async getObserved(messageId: Hex): Promise<ObservedMessage | undefined> {
    const rows = await this.#run("getObserved", () =>
      this.#db.query<Row>("SELECT * FROM observed_messages WHERE message_id = $1", [lower(messageId)]),
    );
    return rows[0] === undefined ? undefined : toObserved(rows[0]);
  }

  async listOpenObserved(destination: number, limit: number): Promise<ObservedMessage[]> {
    const rows = await this.#run("listOpenObserved", () =>
      this.#db.query<Row>(
        "SELECT * FROM observed_messages WHERE destination = $1 AND NOT closed ORDER BY observed_at, origin, nonce LIMIT $2",
        [destination, limit],
      ),
    );
    return rows.map(toObserved);
  }

  async markObservedClosed(messageIds: readonly Hex[]): Promise<void> {
    // One statement (one commit) for a whole slice: closing delivered messages one row at a time cost an fsync each.
    if (messageIds.length === 0) return;
    await this.#run("markObservedClosed", () =>
      this.#db.query("UPDATE observed_messages SET closed = TRUE WHERE message_id = ANY($1::text[]) AND NOT closed", [
        messageIds.map(lower),
      ]),
    );
  }

  async journalReserve(origin: number, nonce: bigint, messageId: Hex, originBlock?: bigint): Promise<Hex> {
    return this.#run("journalReserve", () =>
      this.#db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO signing_journal (origin, nonce, message_id, created_at, origin_block) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (origin, nonce) DO NOTHING`,
          [origin, nonce.toString(), lower(messageId), Date.now(), originBlock?.toString() ?? null],
        );
        const rows = await tx.query<Row>("SELECT message_id FROM signing_journal WHERE origin = $1 AND nonce = $2", [
          origin,
          nonce.toString(),
        ]);
        return rows[0]?.message_id as Hex;
      }),
    );
  }

  async closedAmong(messageIds: readonly Hex[]): Promise<Hex[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.#run("closedAmong", () =>
      this.#db.query<Row>("SELECT message_id FROM observed_messages WHERE message_id = ANY($1::text[]) AND closed", [
        messageIds.map(lower),
      ]),
    );
    return rows.map((r) => r.message_id as Hex);
  }

  async batchCountsOf(messageIds: readonly Hex[]): Promise<Map<string, number>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.#run("batchCountsOf", () =>
      this.#db.query<Row>(
        `SELECT message_id, COUNT(*)::int AS n FROM signature_members WHERE message_id = ANY($1::text[])
         AND kind = 'batch' GROUP BY message_id`,
        [messageIds.map(lower)],
      ),
    );
    return new Map(rows.map((r) => [r.message_id as string, Number(r.n)]));
  }

  async getJournal(origin: number, nonce: bigint): Promise<JournalRow | undefined> {
    const rows = await this.#run("getJournal", () =>
      this.#db.query<Row>(
        "SELECT origin, nonce, message_id, origin_block, created_at FROM signing_journal WHERE origin = $1 AND nonce = $2",
        [origin, nonce.toString()],
      ),
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      origin: num(r.origin),
      nonce: big(r.nonce),
      messageId: r.message_id as Hex,
      originBlock: r.origin_block === null || r.origin_block === undefined ? null : big(r.origin_block),
      createdAt: num(r.created_at),
    };
  }

  async rotationReserve(domain: number, verifier: Hex, setId: bigint, nextSetHash: Hex): Promise<Hex> {
    return this.#run("rotationReserve", () =>
      this.#db.transaction(async (tx) => {
        const key = [domain, lower(verifier), setId.toString()];
        await tx.query(
          `INSERT INTO rotation_journal (domain, verifier, attester_set_id, next_set_hash, created_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (domain, verifier, attester_set_id) DO NOTHING`,
          [...key, lower(nextSetHash), Date.now()],
        );
        const rows = await tx.query<Row>(
          "SELECT next_set_hash FROM rotation_journal WHERE domain = $1 AND verifier = $2 AND attester_set_id = $3",
          key,
        );
        return rows[0]?.next_set_hash as Hex;
      }),
    );
  }

  async saveSignature(s: StoredSignature): Promise<void> {
    // One statement per table (a batch signature has up to 256 members): the single-connection store stays free.
    await this.saveSignatures([s]);
  }

  async #members(kind: string, value: string, domain: unknown, verifier: string, setId: unknown): Promise<Hex[]> {
    const rows = await this.#db.query<Row>(
      `SELECT message_id FROM signature_members WHERE kind = $1 AND value = $2 AND domain = $3 AND verifier = $4
       AND attester_set_id = $5 ORDER BY position`,
      [kind, value, domain, verifier, setId],
    );
    return rows.map((r) => r.message_id as Hex);
  }

  async #toSignature(r: Row): Promise<StoredSignature> {
    return {
      kind: r.kind as SignatureKind,
      value: r.value as Hex,
      domain: num(r.domain),
      verifier: r.verifier as Hex,
      attesterSetId: big(r.attester_set_id),
      signer: r.signer as Address,
      signature: r.signature as Hex,
      messageIds: await this.#members(
        String(r.kind),
        String(r.value),
        r.domain,
        String(r.verifier),
        String(r.attester_set_id),
      ),
      createdAt: num(r.created_at),
    };
  }

  async getSignatures(messageId: Hex): Promise<StoredSignature[]> {
    return this.#run("getSignatures", async () => {
      const rows = await this.#db.query<Row>(
        `SELECT s.* FROM signatures s JOIN signature_members m ON m.kind = s.kind AND m.value = s.value
         AND m.domain = s.domain AND m.verifier = s.verifier AND m.attester_set_id = s.attester_set_id
         WHERE m.message_id = $1 ORDER BY s.created_at`,
        [lower(messageId)],
      );
      return Promise.all(rows.map((r) => this.#toSignature(r)));
    });
  }

  async findSignature(
    kind: SignatureKind,
    value: Hex,
    domain: number,
    verifier: Hex,
    setId: bigint,
  ): Promise<StoredSignature | undefined> {
    return this.#run("findSignature", async () => {
      const rows = await this.#db.query<Row>(
        `SELECT * FROM signatures WHERE kind = $1 AND value = $2 AND domain = $3 AND verifier = $4
         AND attester_set_id = $5`,
        [kind, lower(value), domain, lower(verifier), setId.toString()],
      );
      return rows[0] === undefined ? undefined : this.#toSignature(rows[0]);
    });
  }

  async recordObservedMany(ms: readonly ObservedMessage[]): Promise<Hex[]> {
    if (ms.length === 0) return [];
    const rows = await this.#run("recordObservedMany", () =>
      this.#db.query<Row>(
        `INSERT INTO observed_messages (message_id, origin, destination, nonce, message, block_number, tx_hash, observed_at)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::numeric[], $5::text[], $6::numeric[],
           $7::text[], $8::bigint[])
         ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
        [
          ms.map((m) => lower(m.messageId)),
          ms.map((m) => m.origin),
          ms.map((m) => m.destination),
          ms.map((m) => m.nonce.toString()),
          ms.map((m) => lower(m.message)),
          ms.map((m) => m.blockNumber.toString()),
          ms.map((m) => lower(m.txHash)),
          ms.map((m) => m.observedAt),
        ],
      ),
    );
    return rows.map((r) => r.message_id as Hex);
  }

  async addDeliveries(ds: readonly DeliveryRecord[]): Promise<Hex[]> {
    if (ds.length === 0) return [];
    const rows = await this.#run("addDeliveries", () =>
      this.#db.query<Row>(
        `INSERT INTO deliveries (message_id, origin, destination, nonce, message, state, attempts, next_attempt_at,
         first_seen_at)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::numeric[], $5::text[], $6::text[],
           $7::integer[], $8::bigint[], $9::bigint[])
         ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
        [
          ds.map((d) => lower(d.messageId)),
          ds.map((d) => d.origin),
          ds.map((d) => d.destination),
          ds.map((d) => d.nonce.toString()),
          ds.map((d) => lower(d.message)),
          ds.map((d) => d.state),
          ds.map((d) => d.attempts),
          ds.map((d) => d.nextAttemptAt),
          ds.map((d) => d.firstSeenAt),
        ],
      ),
    );
    return rows.map((r) => r.message_id as Hex);
  }

  async addDelivery(d: DeliveryRecord): Promise<boolean> {
    const rows = await this.#run("addDelivery", () =>
      this.#db.query<Row>(
        `INSERT INTO deliveries (message_id, origin, destination, nonce, message, state, attempts, next_attempt_at,
         first_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (message_id) DO NOTHING
         RETURNING message_id`,
        [
          lower(d.messageId),
          d.origin,
          d.destination,
          d.nonce.toString(),
          lower(d.message),
          d.state,
          d.attempts,
          d.nextAttemptAt,
          d.firstSeenAt,
        ],
      ),
    );
    return rows.length > 0;
  }

  async getDelivery(messageId: Hex): Promise<DeliveryRecord | undefined> {
    const rows = await this.#run("getDelivery", () =>
      this.#db.query<Row>("SELECT * FROM deliveries WHERE message_id = $1", [lower(messageId)]),
    );
    return rows[0] === undefined ? undefined : toDelivery(rows[0]);
  }

  async dueDeliveries(now: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.#run("dueDeliveries", () =>
      this.#db.query<Row>(
        `SELECT * FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $1
         ORDER BY destination, first_seen_at, origin, nonce LIMIT $2`,
        [now, limit],
      ),
    );
    return rows.map(toDelivery);
  }

  async updateDelivery(messageId: Hex, update: DeliveryUpdate): Promise<void> {
    const { sets, params } = deliverySets(update);
    if (sets.length === 0) return;
    // A delivery that leaves `pending` is finished: its claim goes with it.
    if (update.state !== undefined && update.state !== "pending") sets.push("claimed_by = NULL", "lease_until = NULL");
    params.push(lower(messageId));
    await this.#run("updateDelivery", () =>
      this.#db.query(`UPDATE deliveries SET ${sets.join(", ")} WHERE message_id = $${params.length}`, params),
    );
  }

  async updateDeliveries(messageIds: readonly Hex[], update: DeliveryUpdate): Promise<void> {
    const { sets, params } = deliverySets(update);
    if (sets.length === 0 || messageIds.length === 0) return;
    // As in updateDelivery: a delivery that leaves `pending` is finished, and its claim goes with it.
    if (update.state !== undefined && update.state !== "pending") sets.push("claimed_by = NULL", "lease_until = NULL");
    params.push(messageIds.map(lower));
    await this.#run("updateDeliveries", () =>
      this.#db.query(`UPDATE deliveries SET ${sets.join(", ")} WHERE message_id = ANY($${params.length})`, params),
    );
  }

  async getObservedMany(messageIds: readonly Hex[]): Promise<ObservedMessage[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.#run("getObservedMany", () =>
      this.#db.query<Row>("SELECT * FROM observed_messages WHERE message_id = ANY($1)", [messageIds.map(lower)]),
    );
    return rows.map(toObserved);
  }

  async listOpenObservedAfter(
    destination: number,
    after: ObservedKey | undefined,
    limit: number,
  ): Promise<ObservedMessage[]> {
    if (after === undefined) return this.listOpenObserved(destination, limit);
    const rows = await this.#run("listOpenObservedAfter", () =>
      this.#db.query<Row>(
        `SELECT * FROM observed_messages WHERE destination = $1 AND NOT closed
         AND (observed_at, origin, nonce) > ($2, $3, $4) ORDER BY observed_at, origin, nonce LIMIT $5`,
        [destination, after.observedAt, after.origin, after.nonce.toString(), limit],
      ),
    );
    return rows.map(toObserved);
  }

  async journalReserveMany(entries: readonly JournalEntry[]): Promise<Hex[]> {
    if (entries.length === 0) return [];
    const origins = entries.map((e) => e.origin);
    const nonces = entries.map((e) => e.nonce.toString());
    const rows = await this.#run("journalReserveMany", () =>
      this.#db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO signing_journal (origin, nonce, message_id, created_at, origin_block)
           SELECT o, n, m, $4, b FROM unnest($1::bigint[], $2::numeric[], $3::text[], $5::numeric[]) AS x(o, n, m, b)
           ON CONFLICT (origin, nonce) DO NOTHING`,
          [
            origins,
            nonces,
            entries.map((e) => lower(e.messageId)),
            Date.now(),
            entries.map((e) => e.originBlock?.toString() ?? null),
          ],
        );
        return tx.query<Row>(
          `SELECT j.origin, j.nonce, j.message_id FROM signing_journal j
           JOIN unnest($1::bigint[], $2::numeric[]) AS x(o, n) ON j.origin = x.o AND j.nonce = x.n`,
          [origins, nonces],
        );
      }),
    );
    const journaled = new Map(rows.map((r) => [`${num(r.origin)}:${big(r.nonce)}`, r.message_id as Hex]));
    return entries.map((e) => {
      const id = journaled.get(`${e.origin}:${e.nonce}`);
      if (id === undefined) throw new StoreError("journalReserveMany", `no journal row for ${e.origin}:${e.nonce}`);
      return id;
    });
  }

  async saveSignatures(signatures: readonly StoredSignature[]): Promise<void> {
    if (signatures.length === 0) return;
    const members = signatures.flatMap((s) => s.messageIds.map((id, position) => ({ s, id, position })));
    await this.#run("saveSignatures", () =>
      this.#db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO signatures (kind, value, domain, verifier, attester_set_id, signer, signature, created_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::numeric[], $6::text[],
           $7::text[], $8::bigint[]) ON CONFLICT DO NOTHING`,
          [
            signatures.map((s) => s.kind),
            signatures.map((s) => lower(s.value)),
            signatures.map((s) => s.domain),
            signatures.map((s) => lower(s.verifier)),
            signatures.map((s) => s.attesterSetId.toString()),
            signatures.map((s) => s.signer),
            signatures.map((s) => lower(s.signature)),
            signatures.map((s) => s.createdAt),
          ],
        );
        await tx.query(
          `INSERT INTO signature_members (message_id, kind, value, domain, verifier, attester_set_id, position)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::numeric[],
           $7::integer[]) ON CONFLICT DO NOTHING`,
          [
            members.map((m) => lower(m.id)),
            members.map((m) => m.s.kind),
            members.map((m) => lower(m.s.value)),
            members.map((m) => m.s.domain),
            members.map((m) => lower(m.s.verifier)),
            members.map((m) => m.s.attesterSetId.toString()),
            members.map((m) => m.position),
          ],
        );
      }),
    );
  }

  async getMessageSignatures(messageIds: readonly Hex[]): Promise<StoredSignature[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.#run("getMessageSignatures", () =>
      this.#db.query<Row>("SELECT * FROM signatures WHERE kind = 'message' AND value = ANY($1) ORDER BY created_at", [
        messageIds.map(lower),
      ]),
    );
    // A message signature's only member is its own id: no member rows to read.
    return rows.map((r) => ({
      kind: "message",
      value: r.value as Hex,
      domain: num(r.domain),
      verifier: r.verifier as Hex,
      attesterSetId: big(r.attester_set_id),
      signer: r.signer as Address,
      signature: r.signature as Hex,
      messageIds: [r.value as Hex],
      createdAt: num(r.created_at),
    }));
  }

  async countDeliveries(): Promise<Record<DeliveryState, number>> {
    const rows = await this.#run("countDeliveries", () =>
      this.#db.query<Row>("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state"),
    );
    const counts: Record<DeliveryState, number> = { pending: 0, delivered: 0, skipped: 0, failed: 0 };
    for (const r of rows) counts[r.state as DeliveryState] = num(r.n);
    return counts;
  }

  async claimDeliveries(owner: string, now: number, leaseUntil: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.#run("claimDeliveries", () =>
      this.#db.query<Row>(
        `UPDATE deliveries SET claimed_by = $1, lease_until = $2 WHERE message_id IN (
           SELECT message_id FROM deliveries
           WHERE state = 'pending' AND next_attempt_at <= $3
             AND (claimed_by IS NULL OR claimed_by = $1 OR lease_until <= $3)
           ORDER BY destination, first_seen_at, origin, nonce
           LIMIT $4
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [owner, leaseUntil, now, limit],
      ),
    );
    // RETURNING has no order; keep the oldest-first order of the claim.
    return rows
      .map(toDelivery)
      .sort(
        (a, b) =>
          a.destination - b.destination ||
          a.firstSeenAt - b.firstSeenAt ||
          a.origin - b.origin ||
          (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0),
      );
  }

  async renewClaims(owner: string, messageIds: readonly Hex[], leaseUntil: number): Promise<Hex[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.#run("renewClaims", () =>
      this.#db.query<Row>(
        `UPDATE deliveries SET lease_until = $2
         WHERE claimed_by = $1 AND state = 'pending' AND message_id = ANY($3::text[]) RETURNING message_id`,
        [owner, leaseUntil, messageIds.map(lower)],
      ),
    );
    return rows.map((r) => r.message_id as Hex);
  }

  async releaseClaims(owner: string, messageIds?: readonly Hex[]): Promise<number> {
    const rows = await this.#run("releaseClaims", () =>
      messageIds === undefined
        ? this.#db.query<Row>(
            "UPDATE deliveries SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1 RETURNING message_id",
            [owner],
          )
        : this.#db.query<Row>(
            `UPDATE deliveries SET claimed_by = NULL, lease_until = NULL
             WHERE claimed_by = $1 AND message_id = ANY($2::text[]) RETURNING message_id`,
            [owner, messageIds.map(lower)],
          ),
    );
    return rows.length;
  }

  async getClaim(messageId: Hex): Promise<DeliveryClaim | undefined> {
    const rows = await this.#run("getClaim", () =>
      this.#db.query<Row>("SELECT claimed_by, lease_until FROM deliveries WHERE message_id = $1", [lower(messageId)]),
    );
    const r = rows[0];
    if (r === undefined || r.claimed_by === null || r.claimed_by === undefined) return undefined;
    return { claimedBy: String(r.claimed_by), leaseUntil: num(r.lease_until) };
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
