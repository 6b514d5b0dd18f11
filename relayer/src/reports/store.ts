// The report submitter's durable state (migration 8 of store/schema.ts): the reports it brought to a quorum, their
// attestation, where each stands on chain, and the Solana payouts it sent. A restart resumes from these rows and the
// chain (src/reports/submitter.ts), so nothing is submitted, finalized or sent twice.
import { type EpochReport, epochReportToJson, parseEpochReport } from "@maskoii/sdk";
import type { Address, Hex } from "viem";
import { StoreError } from "../errors.ts";
import { big, type SqlClient, SqlStore } from "../store/sql.ts";
import type { Store } from "../store/types.ts";

type Row = Record<string, unknown>;

export type ReportState = "ready" | "submitted" | "final" | "done" | "stale" | "superseded" | "rejected";

/** States the submitter still works on. */
export const OPEN_REPORT_STATES: readonly ReportState[] = ["ready", "submitted", "final"];

export type ReportRecord = {
  readonly domain: number;
  readonly contract: Address;
  readonly reportHash: Hex;
  readonly communityId: bigint;
  readonly epoch: bigint;
  readonly report: EpochReport;
  readonly attestation: Hex;
  readonly state: ReportState;
  readonly seq: bigint | null;
  readonly submitTx: Hex | null;
  readonly finalizeTx: Hex | null;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
};

export type ReportUpdate = Partial<
  Pick<
    ReportRecord,
    "state" | "seq" | "submitTx" | "finalizeTx" | "attempts" | "nextAttemptAt" | "lastError" | "attestation"
  >
>;

const COLUMNS: Record<keyof ReportUpdate, string> = {
  state: "state",
  seq: "seq",
  submitTx: "submit_tx",
  finalizeTx: "finalize_tx",
  attempts: "attempts",
  nextAttemptAt: "next_attempt_at",
  lastError: "last_error",
  attestation: "attestation",
};

export type PayoutRecord = {
  readonly index: number;
  readonly token: Address;
  readonly fee: bigint | null;
  readonly txHash: Hex | null;
  readonly messageId: Hex | null;
};

const lower = <T extends string>(s: T): T => s.toLowerCase() as T;

function toRecord(r: Row): ReportRecord {
  return {
    domain: Number(r.domain),
    contract: r.contract as Address,
    reportHash: r.report_hash as Hex,
    communityId: big(r.community_id),
    epoch: big(r.epoch),
    report: parseEpochReport(JSON.parse(String(r.report))),
    attestation: r.attestation as Hex,
    state: r.state as ReportState,
    seq: r.seq === null || r.seq === undefined ? null : big(r.seq),
    submitTx: (r.submit_tx ?? null) as Hex | null,
    finalizeTx: (r.finalize_tx ?? null) as Hex | null,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: (r.last_error ?? null) as string | null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export class ReportStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  /** The table lives in the relayer's store (its migrations already ran when the store opened). */
  static of(store: Store): ReportStore {
    if (!(store instanceof SqlStore)) throw new StoreError("reports", "the report submitter needs the SQL store");
    return new ReportStore(store.sql);
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreError(`reports ${what}`, cause);
    }
  }

  /** Records a report that reached the quorum (state ready); a known hash is left as it is. Returns whether it was new. */
  async add(args: {
    domain: number;
    contract: Address;
    reportHash: Hex;
    report: EpochReport;
    attestation: Hex;
    now: number;
  }): Promise<boolean> {
    return this.#run("add", async () => {
      const rows = await this.#db.query<Row>(
        `INSERT INTO epoch_reports (domain, contract, report_hash, community_id, epoch, report, attestation, state,
           next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'ready', 0, $8, $8)
         ON CONFLICT (domain, contract, report_hash) DO NOTHING RETURNING report_hash`,
        [
          args.domain,
          lower(args.contract),
          lower(args.reportHash),
          BigInt(args.report.communityId).toString(),
          BigInt(args.report.epoch).toString(),
          JSON.stringify(epochReportToJson(args.report)),
          lower(args.attestation),
          args.now,
        ],
      );
      return rows.length > 0;
    });
  }

  async get(domain: number, contract: Address, reportHash: Hex): Promise<ReportRecord | undefined> {
    return this.#run("get", async () => {
      const [row] = await this.#db.query<Row>(
        "SELECT * FROM epoch_reports WHERE domain = $1 AND contract = $2 AND report_hash = $3",
        [domain, lower(contract), lower(reportHash)],
      );
      return row === undefined ? undefined : toRecord(row);
    });
  }

  /** The rows in `states` (all when omitted), by seq (unknown last) then creation. */
  async list(domain: number, contract: Address, states?: readonly ReportState[]): Promise<ReportRecord[]> {
    return this.#run("list", async () => {
      const params: unknown[] = [domain, lower(contract)];
      let where = "domain = $1 AND contract = $2";
      if (states !== undefined) {
        params.push(...states);
        where += ` AND state IN (${states.map((_, i) => `$${i + 3}`).join(", ")})`;
      }
      const rows = await this.#db.query<Row>(`SELECT * FROM epoch_reports WHERE ${where}`, params);
      return rows
        .map(toRecord)
        .sort(
          (a, b) =>
            (a.seq === null ? 1 : 0) - (b.seq === null ? 1 : 0) ||
            (a.seq !== null && b.seq !== null && a.seq !== b.seq ? (a.seq < b.seq ? -1 : 1) : 0) ||
            a.createdAt - b.createdAt ||
            (a.epoch < b.epoch ? -1 : a.epoch > b.epoch ? 1 : 0),
        );
    });
  }

  async update(domain: number, contract: Address, reportHash: Hex, update: ReportUpdate, now: number): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(update) as [keyof ReportUpdate, unknown][]) {
      if (value === undefined) continue;
      const hex = key === "attestation" || key === "submitTx" || key === "finalizeTx";
      params.push(
        typeof value === "bigint" ? value.toString() : hex && typeof value === "string" ? lower(value) : value,
      );
      sets.push(`${COLUMNS[key]} = $${params.length}`);
    }
    params.push(now);
    sets.push(`updated_at = $${params.length}`);
    params.push(domain, lower(contract), lower(reportHash));
    const n = params.length;
    await this.#run("update", () =>
      this.#db.query(
        `UPDATE epoch_reports SET ${sets.join(", ")} WHERE domain = $${n - 2} AND contract = $${n - 1} AND report_hash = $${n}`,
        params,
      ),
    );
  }

  /** Records a Solana payout sent (or found sent on chain: no transaction of ours). */
  async addPayout(
    domain: number,
    contract: Address,
    reportHash: Hex,
    payout: PayoutRecord,
    now: number,
  ): Promise<void> {
    await this.#run("addPayout", () =>
      this.#db.query(
        `INSERT INTO epoch_report_payouts (domain, contract, report_hash, payout_index, token, fee, tx_hash, message_id,
           created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (domain, contract, report_hash, payout_index) DO NOTHING`,
        [
          domain,
          lower(contract),
          lower(reportHash),
          payout.index,
          lower(payout.token),
          payout.fee === null ? null : payout.fee.toString(),
          payout.txHash === null ? null : lower(payout.txHash),
          payout.messageId === null ? null : lower(payout.messageId),
          now,
        ],
      ),
    );
  }

  async payouts(domain: number, contract: Address, reportHash: Hex): Promise<PayoutRecord[]> {
    return this.#run("payouts", async () => {
      const rows = await this.#db.query<Row>(
        `SELECT * FROM epoch_report_payouts WHERE domain = $1 AND contract = $2 AND report_hash = $3
         ORDER BY payout_index`,
        [domain, lower(contract), lower(reportHash)],
      );
      return rows.map((r) => ({
        index: Number(r.payout_index),
        token: r.token as Address,
        fee: r.fee === null || r.fee === undefined ? null : big(r.fee),
        txHash: (r.tx_hash ?? null) as Hex | null,
        messageId: (r.message_id ?? null) as Hex | null,
      }));
    });
  }
}
