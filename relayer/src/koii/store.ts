// The Koii task round's state in the attester's store: the round's own tables (node-kit's RoundStore: submissions,
// votes, distributions, the stake ledger) and the attestation kind's (migration 102 of store/schema.ts): the index of
// audited (origin, nonce) -> id pairs, byzantine evidence and equivocation reports. Also reads the attester's own
// signatures (core tables) to collect a round's work.

import { RoundStore } from "@maskoii/node-kit";
import type { Address, Hex } from "viem";
import { StoreError } from "../errors.ts";
import { type SqlClient, SqlStore } from "../store/sql.ts";
import type { Store } from "../store/types.ts";

type Row = Record<string, unknown>;

/** One message signature or batch signature of this attester, with the observed messages it covers. */
export type OwnAttestation = {
  readonly kind: "message" | "batch";
  readonly value: Hex;
  readonly domain: number;
  readonly verifier: Hex;
  readonly attesterSetId: bigint;
  readonly signer: Address;
  readonly signature: Hex;
  readonly messages: readonly {
    readonly messageId: Hex;
    readonly origin: number;
    readonly nonce: bigint;
    readonly txHash: Hex;
    readonly blockNumber: bigint;
    readonly message: Hex;
  }[];
};

export type StoredEvidence = {
  readonly evidenceId: Hex;
  readonly signer: Address | null;
  readonly attributable: boolean;
  readonly reason: string;
  readonly source: string;
  readonly body: unknown;
  readonly round: number;
  readonly createdAt: number;
};

export type EquivocationOutcome = "slashed" | "already-slashed" | "failed";

export class KoiiStore extends RoundStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    super(db);
    this.#db = db;
  }

  /** The task's tables live in the node's store (its migrations already ran when the store opened). */
  static of(store: Store): KoiiStore {
    if (!(store instanceof SqlStore)) throw new StoreError("koii", "the Koii task needs the SQL store");
    return new KoiiStore(store.sql);
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreError(`koii ${what}`, cause);
    }
  }

  // -- own work --------------------------------------------------------------------------------------------------

  /** This attester's signatures created in [fromMs, toMs), each with the observed messages it covers. */
  async ownAttestations(fromMs: number, toMs: number): Promise<OwnAttestation[]> {
    return this.#run("ownAttestations", async () => {
      const sigs = await this.#db.query<Row>(
        `SELECT * FROM signatures WHERE created_at >= $1 AND created_at < $2
         ORDER BY created_at, kind, value, domain, verifier, attester_set_id`,
        [fromMs, toMs],
      );
      const out: OwnAttestation[] = [];
      for (const s of sigs) {
        const members = await this.#db.query<Row>(
          `SELECT m.message_id, o.origin, o.nonce, o.tx_hash, o.block_number, o.message
           FROM signature_members m LEFT JOIN observed_messages o ON o.message_id = m.message_id
           WHERE m.kind = $1 AND m.value = $2 AND m.domain = $3 AND m.verifier = $4 AND m.attester_set_id = $5
           ORDER BY m.position`,
          [s.kind, s.value, s.domain, s.verifier, s.attester_set_id],
        );
        // A signature over a message this node never observed cannot happen (the signer signs observed ids only).
        if (members.some((m) => m.origin === null || m.origin === undefined)) continue;
        out.push({
          kind: s.kind as "message" | "batch",
          value: s.value as Hex,
          domain: Number(s.domain),
          verifier: s.verifier as Hex,
          attesterSetId: BigInt(String(s.attester_set_id)),
          signer: s.signer as Address,
          signature: s.signature as Hex,
          messages: members.map((m) => ({
            messageId: m.message_id as Hex,
            origin: Number(m.origin),
            nonce: BigInt(String(m.nonce)),
            txHash: m.tx_hash as Hex,
            blockNumber: BigInt(String(m.block_number)),
            message: m.message as Hex,
          })),
        });
      }
      return out;
    });
  }

  // -- audited (origin, nonce) index -----------------------------------------------------------------------------

  /** Records that `attester` signed `messageId` for (origin, nonce); returns other ids it signed for that pair. */
  async recordAttested(a: {
    attester: Address;
    origin: number;
    nonce: bigint;
    messageId: Hex;
    round: number;
    item: unknown;
  }): Promise<{ messageId: Hex; item: unknown }[]> {
    return this.#run("recordAttested", async () => {
      const key = [a.attester.toLowerCase(), a.origin, a.nonce.toString()];
      await this.#db.query(
        `INSERT INTO koii_attested (attester, origin, nonce, message_id, round, item) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`,
        [...key, a.messageId.toLowerCase(), a.round, JSON.stringify(a.item)],
      );
      const rows = await this.#db.query<Row>(
        `SELECT message_id, item FROM koii_attested WHERE attester = $1 AND origin = $2 AND nonce = $3
         AND message_id <> $4 ORDER BY round, message_id`,
        [...key, a.messageId.toLowerCase()],
      );
      return rows.map((r) => ({ messageId: r.message_id as Hex, item: JSON.parse(String(r.item)) }));
    });
  }

  // -- byzantine evidence ----------------------------------------------------------------------------------------

  /** Stores evidence once (by id); false if already known. */
  async saveEvidence(e: StoredEvidence): Promise<boolean> {
    const rows = await this.#run("saveEvidence", () =>
      this.#db.query<Row>(
        `INSERT INTO koii_evidence (evidence_id, signer, attributable, reason, source, body, round, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (evidence_id) DO NOTHING RETURNING evidence_id`,
        [
          e.evidenceId,
          e.signer?.toLowerCase() ?? null,
          e.attributable,
          e.reason,
          e.source,
          JSON.stringify(e.body),
          e.round,
          e.createdAt,
        ],
      ),
    );
    return rows.length > 0;
  }

  /** Attributable evidence against `signer` received up to the end of `round`, not yet judged in an earlier round. */
  async evidenceAgainst(signer: Address, round: number): Promise<StoredEvidence[]> {
    const rows = await this.#run("evidenceAgainst", () =>
      this.#db.query<Row>(
        `SELECT * FROM koii_evidence WHERE signer = $1 AND attributable AND round = $2 ORDER BY created_at, evidence_id`,
        [signer.toLowerCase(), round],
      ),
    );
    return rows.map((r) => ({
      evidenceId: r.evidence_id as Hex,
      signer: r.signer as Address,
      attributable: r.attributable === true,
      reason: String(r.reason),
      source: String(r.source),
      body: JSON.parse(String(r.body)),
      round: Number(r.round),
      createdAt: Number(r.created_at),
    }));
  }

  async countEvidence(): Promise<number> {
    const rows = await this.#run("countEvidence", () => this.#db.query<Row>("SELECT COUNT(*) AS n FROM koii_evidence"));
    return Number(rows[0]?.n ?? 0);
  }

  // -- equivocation reports --------------------------------------------------------------------------------------

  async getEquivocationReport(
    attester: Address,
    domain: number,
  ): Promise<{ outcome: EquivocationOutcome; txHash: Hex | null } | undefined> {
    const rows = await this.#run("getEquivocationReport", () =>
      this.#db.query<Row>(
        "SELECT outcome, tx_hash FROM koii_equivocation_reports WHERE attester = $1 AND domain = $2",
        [attester.toLowerCase(), domain],
      ),
    );
    const r = rows[0];
    return r === undefined
      ? undefined
      : { outcome: r.outcome as EquivocationOutcome, txHash: (r.tx_hash ?? null) as Hex | null };
  }

  async saveEquivocationReport(
    attester: Address,
    domain: number,
    outcome: EquivocationOutcome,
    txHash: Hex | null,
  ): Promise<void> {
    await this.#run("saveEquivocationReport", () =>
      this.#db.query(
        `INSERT INTO koii_equivocation_reports (attester, domain, outcome, tx_hash, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (attester, domain) DO UPDATE SET outcome = EXCLUDED.outcome, tx_hash = EXCLUDED.tx_hash`,
        [attester.toLowerCase(), domain, outcome, txHash, Date.now()],
      ),
    );
  }
}
