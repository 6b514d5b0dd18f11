// The task round's durable state, in the node's own database (node-kit's ROUND_MIGRATIONS, version 101): submissions,
// votes, distributions and the stake ledger, per (round, kind). A kind keeps its own tables beside these, from its own
// migration list (the relayer's kind: relayer/src/koii/store.ts).
import type { Hex } from "viem";
import { StoreError } from "../errors.ts";
import type { SqlClient } from "../store/client.ts";

type Row = Record<string, unknown>;

export class RoundStore {
  readonly #db: SqlClient;

  /** `db` must have had ROUND_MIGRATIONS applied (the node's store applies them when it opens). */
  constructor(db: SqlClient) {
    this.#db = db;
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreError(`koii ${what}`, cause);
    }
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
}
