// The task round's durable state, in the node's own database (migration 101 of store/schema.ts): submissions, votes,
// distributions, the stake ledger, the index of audited (origin, nonce) -> id pairs, byzantine evidence and
// equivocation reports. Also reads the attester's own signatures (core tables) to collect a round's work.
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

export class KoiiStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
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

  // -- submissions -----------------------------------------------------------------------------------------------

  /** Stores a submission; the first one stored for (round, kind, node) wins. False if one was already there. */
  async saveSubmission(s: {
    round: number;
    kind: string;
    node: string;
    hash: Hex;
    body: unknown;
    own: boolean;
  }): Promise<boolean> {
    const rows = await this.#run("saveSubmission", () =>
      this.#db.query<Row>(
        `INSERT INTO koii_submissions (round, kind, node, submission_hash, body, own, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (round, kind, node) DO NOTHING RETURNING node`,
        [s.round, s.kind, s.node, s.hash, JSON.stringify(s.body), s.own, Date.now()],
      ),
    );
    return rows.length > 0;
  }

  async getSubmission(round: number, kind: string, node: string): Promise<unknown | undefined> {
    const rows = await this.#run("getSubmission", () =>
      this.#db.query<Row>("SELECT body FROM koii_submissions WHERE round = $1 AND kind = $2 AND node = $3", [
        round,
        kind,
        node,
      ]),
    );
    return rows[0] === undefined ? undefined : JSON.parse(String(rows[0].body));
  }

  /** Every stored submission of the round (own and peers'), as JSON bodies. */
  async listSubmissions(round: number, kind: string): Promise<unknown[]> {
    const rows = await this.#run("listSubmissions", () =>
      this.#db.query<Row>("SELECT body FROM koii_submissions WHERE round = $1 AND kind = $2 ORDER BY node", [
        round,
        kind,
      ]),
    );
    return rows.map((r) => JSON.parse(String(r.body)));
  }

  // -- votes -----------------------------------------------------------------------------------------------------

  async saveVote(v: {
    round: number;
    kind: string;
    auditor: string;
    subject: string;
    verdict: "pass" | "fail";
    body: unknown;
  }): Promise<boolean> {
    const rows = await this.#run("saveVote", () =>
      this.#db.query<Row>(
        `INSERT INTO koii_votes (round, kind, auditor, subject, verdict, body, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (round, kind, auditor, subject) DO NOTHING RETURNING subject`,
        [v.round, v.kind, v.auditor, v.subject, v.verdict, JSON.stringify(v.body), Date.now()],
      ),
    );
    return rows.length > 0;
  }

  /** Votes of the round, optionally only those cast by `auditor`. */
  async listVotes(round: number, kind: string, auditor?: string): Promise<unknown[]> {
    const rows = await this.#run("listVotes", () =>
      auditor === undefined
        ? this.#db.query<Row>("SELECT body FROM koii_votes WHERE round = $1 AND kind = $2 ORDER BY auditor, subject", [
            round,
            kind,
          ])
        : this.#db.query<Row>(
            "SELECT body FROM koii_votes WHERE round = $1 AND kind = $2 AND auditor = $3 ORDER BY subject",
            [round, kind, auditor],
          ),
    );
    return rows.map((r) => JSON.parse(String(r.body)));
  }

  // -- stakes and distributions ----------------------------------------------------------------------------------

  /** Seeds the ledger for nodes it does not know yet (a restart never resets a slashed stake). */
  async seedStakes(stakes: ReadonlyMap<string, bigint>): Promise<void> {
    await this.#run("seedStakes", async () => {
      for (const [node, stake] of stakes) {
        await this.#db.query(
          "INSERT INTO koii_stakes (node, stake, updated_at) VALUES ($1, $2, $3) ON CONFLICT (node) DO NOTHING",
          [node, stake.toString(), Date.now()],
        );
      }
    });
  }

  async stakes(): Promise<Map<string, bigint>> {
    const rows = await this.#run("stakes", () =>
      this.#db.query<Row>("SELECT node, stake FROM koii_stakes ORDER BY node"),
    );
    return new Map(rows.map((r) => [String(r.node), BigInt(String(r.stake))]));
  }

  /**
   * Records the round's distribution and applies its stake changes in one transaction; false (and nothing applied)
   * if the round was already distributed, so a restart never slashes twice.
   */
  async saveDistribution(args: {
    round: number;
    kind: string;
    body: unknown;
    newStakes: ReadonlyMap<string, bigint>;
  }): Promise<boolean> {
    return this.#run("saveDistribution", () =>
      this.#db.transaction(async (tx) => {
        const rows = await tx.query<Row>(
          `INSERT INTO koii_distributions (round, kind, body, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (round, kind) DO NOTHING RETURNING round`,
          [args.round, args.kind, JSON.stringify(args.body), Date.now()],
        );
        if (rows.length === 0) return false;
        for (const [node, stake] of args.newStakes) {
          await tx.query("UPDATE koii_stakes SET stake = $2, updated_at = $3 WHERE node = $1", [
            node,
            stake.toString(),
            Date.now(),
          ]);
        }
        return true;
      }),
    );
  }

  async getDistribution(round: number, kind: string): Promise<unknown | undefined> {
    const rows = await this.#run("getDistribution", () =>
      this.#db.query<Row>("SELECT body FROM koii_distributions WHERE round = $1 AND kind = $2", [round, kind]),
    );
    return rows[0] === undefined ? undefined : JSON.parse(String(rows[0].body));
  }

  /** The newest distributed round of `kind`, or -1. */
  async lastDistributedRound(kind: string): Promise<number> {
    const rows = await this.#run("lastDistributedRound", () =>
      this.#db.query<Row>("SELECT MAX(round) AS r FROM koii_distributions WHERE kind = $1", [kind]),
    );
    const r = rows[0]?.r;
    return r === null || r === undefined ? -1 : Number(r);
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
