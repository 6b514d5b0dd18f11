// What a node keeps of its epoch reports (migrations 1640–1659): per (community, epoch) the outcome (report, rolled
// over, empty) with the signed report; per payout root every leaf (persona, token, slot, recipient, cumulative, salt),
// so the node serves proofs and builds the next report on the chain's tip; per report the Solana claim leaves; per
// community the counts rolled over below k. A report, its root, its leaves and its claims are written in one
// transaction, together with the carry it consumed.
import type { Migration, SqlClient } from "@maskoii/node-kit";
import {
  type CheckedPayoutEntry,
  type ClaimLeaf,
  claimProof,
  type EpochReport,
  epochReportToJson,
  PayoutTree,
  parseEpochReport,
  type Signature,
} from "@maskoii/sdk";
import { type Address, getAddress, type Hex } from "viem";
import type { BuiltReport } from "./builder.ts";
import { EMPTY_CARRY, type PayoutState, type RolloverCarry } from "./inputs.ts";

export const EPOCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1640,
    name: "epoch reports, payout roots and leaves, Solana claims, roll-over carry",
    sql: `
CREATE TABLE agg_epoch_reports (
  community BIGINT NOT NULL,
  epoch BIGINT NOT NULL,
  kind TEXT NOT NULL,
  engaged_accounts BIGINT NOT NULL,
  report_hash TEXT,
  report TEXT,
  contributions TEXT NOT NULL,
  signer TEXT,
  signature TEXT,
  settled BOOLEAN NOT NULL DEFAULT FALSE,
  built_at BIGINT NOT NULL,
  PRIMARY KEY (community, epoch)
);
CREATE INDEX agg_epoch_reports_hash ON agg_epoch_reports (report_hash);
CREATE TABLE agg_payout_roots (
  root TEXT PRIMARY KEY,
  prev_root TEXT NOT NULL,
  community BIGINT NOT NULL,
  epoch BIGINT NOT NULL,
  report_hash TEXT NOT NULL,
  leaf_count BIGINT NOT NULL,
  built_at BIGINT NOT NULL
);
CREATE TABLE agg_payout_leaves (
  root TEXT NOT NULL,
  account TEXT NOT NULL,
  token TEXT NOT NULL,
  slot BIGINT NOT NULL,
  recipient TEXT NOT NULL,
  cumulative TEXT NOT NULL,
  salt TEXT NOT NULL,
  PRIMARY KEY (root, account, token)
);
CREATE TABLE agg_solana_claims (
  report_hash TEXT NOT NULL,
  token TEXT NOT NULL,
  idx BIGINT NOT NULL,
  persona TEXT NOT NULL,
  claimant TEXT NOT NULL,
  amount TEXT NOT NULL,
  salt TEXT NOT NULL,
  root TEXT NOT NULL,
  PRIMARY KEY (report_hash, token, idx)
);
CREATE INDEX agg_solana_claims_persona ON agg_solana_claims (persona, token);
CREATE TABLE agg_epoch_carry (
  community BIGINT NOT NULL,
  through_epoch BIGINT NOT NULL,
  carry TEXT NOT NULL,
  PRIMARY KEY (community, through_epoch)
)`,
  },
];

const ZERO_ROOT = `0x${"00".repeat(32)}` as Hex;
type Row = Record<string, unknown>;

/** A report this node built and signed, as stored and served. */
export type StoredReport = {
  readonly community: bigint;
  readonly epoch: bigint;
  readonly reportHash: Hex;
  readonly report: EpochReport;
  readonly contributions: readonly { readonly node: string; readonly hash: Hex }[];
  readonly signer: Address;
  readonly signature: Signature;
  readonly settled: boolean;
  readonly builtAt: number;
};

/** A Solana claim with its proof, as a persona fetches it. */
export type SolanaClaim = {
  readonly reportHash: Hex;
  readonly token: Address;
  readonly root: Hex;
  readonly leaf: ClaimLeaf;
  readonly proof: readonly Hex[];
};

const carryToJson = (c: RolloverCarry) =>
  JSON.stringify({
    accounts: c.accounts,
    ads: c.ads.map((a) => ({ ...a, campaignId: a.campaignId.toString() })),
    creators: c.creators,
  });

function carryFromJson(text: string): RolloverCarry {
  const v = JSON.parse(text) as {
    accounts: number;
    ads: { campaignId: string; impressions: number; engagements: number }[];
    creators: { persona: string; points: number }[];
  };
  return {
    accounts: v.accounts,
    ads: v.ads.map((a) => ({ ...a, campaignId: BigInt(a.campaignId) })),
    creators: v.creators.map((c) => ({ persona: getAddress(c.persona), points: c.points })),
  };
}

/** Inserts a payout root and its leaves once (the zero root has none); false when the root is already stored. */
async function insertPayoutRoot(
  tx: Pick<SqlClient, "query">,
  args: { state: PayoutState; prevRoot: Hex; community: bigint; epoch: bigint; reportHash: Hex; at: number },
): Promise<boolean> {
  const root = args.state.root.toLowerCase() as Hex;
  if (root === ZERO_ROOT) return false;
  const known = await tx.query("SELECT root FROM agg_payout_roots WHERE root = $1", [root]);
  if (known.length > 0) return false;
  await tx.query(
    `INSERT INTO agg_payout_roots (root, prev_root, community, epoch, report_hash, leaf_count, built_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      root,
      args.prevRoot.toLowerCase(),
      args.community,
      args.epoch,
      args.reportHash,
      args.state.entries.length,
      args.at,
    ],
  );
  for (const e of args.state.entries) {
    await tx.query(
      `INSERT INTO agg_payout_leaves (root, account, token, slot, recipient, cumulative, salt)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [root, e.account, e.token, e.slot, e.recipient, e.cumulative.toString(), e.salt],
    );
  }
  return true;
}

function toEntry(r: Row): CheckedPayoutEntry {
  return {
    slot: BigInt(String(r.slot)),
    account: String(r.account) as Hex,
    token: String(r.token) as Hex,
    recipient: String(r.recipient) as Hex,
    cumulative: BigInt(String(r.cumulative)),
    salt: String(r.salt) as Hex,
  };
}

function toReport(r: Row): StoredReport {
  return {
    community: BigInt(String(r.community)),
    epoch: BigInt(String(r.epoch)),
    reportHash: String(r.report_hash) as Hex,
    report: parseEpochReport(JSON.parse(String(r.report))),
    contributions: JSON.parse(String(r.contributions)) as { node: string; hash: Hex }[],
    signer: getAddress(String(r.signer)),
    signature: JSON.parse(String(r.signature)) as Signature,
    settled: r.settled === true || r.settled === 1,
    builtAt: Number(r.built_at),
  };
}

export class PayoutStore {
  readonly #db: SqlClient;
  /** Trees rebuilt from stored leaves, by root (the newest few; proofs of one root are asked for together). */
  readonly #trees = new Map<Hex, PayoutTree>();

  constructor(db: SqlClient) {
    this.#db = db;
  }

  /**
   * The counts rolled over into `epoch` of `community`: what the newest epoch decided before it left (a roll-over's
   * carry, or nothing after a report). Kept per decided epoch, so an auditor finds the carry a past report started from.
   */
  async carryBefore(community: bigint, epoch: bigint): Promise<RolloverCarry> {
    const rows = await this.#db.query<Row>(
      "SELECT carry FROM agg_epoch_carry WHERE community = $1 AND through_epoch < $2 ORDER BY through_epoch DESC LIMIT 1",
      [community, epoch],
    );
    return rows[0] === undefined ? EMPTY_CARRY : carryFromJson(String(rows[0].carry));
  }

  /** Records an epoch that stayed below k (or was empty): its carry replaces the community's. */
  async saveNoReport(args: {
    community: bigint;
    epoch: bigint;
    kind: "rolled-over" | "empty";
    engagedAccounts: number;
    carry: RolloverCarry;
    contributions: readonly { node: string; hash: Hex }[];
    at: number;
  }): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO agg_epoch_reports (community, epoch, kind, engaged_accounts, contributions, built_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community, epoch) DO NOTHING`,
        [args.community, args.epoch, args.kind, args.engagedAccounts, JSON.stringify(args.contributions), args.at],
      );
      await this.#setCarry(tx, args.community, args.epoch, args.kind === "rolled-over" ? args.carry : EMPTY_CARRY);
    });
  }

  async #setCarry(tx: Pick<SqlClient, "query">, community: bigint, epoch: bigint, carry: RolloverCarry) {
    await tx.query(
      `INSERT INTO agg_epoch_carry (community, through_epoch, carry) VALUES ($1, $2, $3)
       ON CONFLICT (community, through_epoch) DO NOTHING`,
      [community, epoch, carryToJson(carry)],
    );
  }

  /** Stores a built, signed report with its payout state and Solana claims; the community's carry is consumed. */
  async saveReport(args: {
    built: BuiltReport;
    contributions: readonly { node: string; hash: Hex }[];
    signer: Address;
    signature: Signature;
    at: number;
  }): Promise<boolean> {
    const { built } = args;
    const community = BigInt(built.report.communityId);
    const epoch = BigInt(built.report.epoch);
    return this.#db.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO agg_epoch_reports (community, epoch, kind, engaged_accounts, report_hash, report, contributions,
           signer, signature, built_at)
         VALUES ($1, $2, 'report', $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (community, epoch) DO NOTHING RETURNING epoch`,
        [
          community,
          epoch,
          built.report.engagedAccounts,
          built.reportHash,
          JSON.stringify(epochReportToJson(built.report)),
          JSON.stringify(args.contributions),
          args.signer,
          JSON.stringify(args.signature),
          args.at,
        ],
      );
      if (inserted.length === 0) return false;
      await insertPayoutRoot(tx, {
        state: built.payout,
        prevRoot: built.report.prevPayoutRoot,
        community,
        epoch,
        reportHash: built.reportHash,
        at: args.at,
      });
      for (const s of built.solana) {
        for (const [i, leaf] of s.leaves.entries()) {
          await tx.query(
            `INSERT INTO agg_solana_claims (report_hash, token, idx, persona, claimant, amount, salt, root)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
            [
              built.reportHash,
              s.token.toLowerCase(),
              leaf.index,
              (s.personas[i] ?? "").toLowerCase(),
              leaf.claimant,
              leaf.amount.toString(),
              leaf.salt,
              s.root,
            ],
          );
        }
      }
      await this.#setCarry(tx, community, epoch, EMPTY_CARRY);
      return true;
    });
  }

  /**
   * Stores a payout state this node did not build (a report made outside the task, e.g. by hand), so the node can build
   * on it when the chain's payout tip is its root. Its leaves must hash to `root` (checked). False when already known.
   */
  async importPayoutState(args: {
    state: PayoutState;
    prevRoot: Hex;
    community: bigint;
    epoch: bigint;
    reportHash: Hex;
    at: number;
  }): Promise<boolean> {
    const rebuilt = PayoutTree.build(args.state.entries).root;
    if (rebuilt.toLowerCase() !== args.state.root.toLowerCase()) {
      throw new RangeError(`the leaves hash to ${rebuilt}, not to the root ${args.state.root}`);
    }
    return this.#db.transaction((tx) => insertPayoutRoot(tx, args));
  }

  /** What (community, epoch) came to on this node: undefined when not built yet. */
  async outcomeOf(community: bigint, epoch: bigint): Promise<string | undefined> {
    const rows = await this.#db.query<Row>("SELECT kind FROM agg_epoch_reports WHERE community = $1 AND epoch = $2", [
      community,
      epoch,
    ]);
    return rows[0] === undefined ? undefined : String(rows[0].kind);
  }

  async report(community: bigint, epoch: bigint): Promise<StoredReport | undefined> {
    const rows = await this.#db.query<Row>(
      "SELECT * FROM agg_epoch_reports WHERE community = $1 AND epoch = $2 AND kind = 'report'",
      [community, epoch],
    );
    return rows[0] === undefined ? undefined : toReport(rows[0]);
  }

  /**
   * Reports not marked settled, newest first (what a submitter collects): a node that never learns of a settlement
   * still serves its latest reports.
   */
  async pendingReports(limit: number): Promise<StoredReport[]> {
    const rows = await this.#db.query<Row>(
      `SELECT * FROM agg_epoch_reports WHERE kind = 'report' AND settled = FALSE
       ORDER BY built_at DESC, community DESC, epoch DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toReport);
  }

  /** Reports built in [from, to) (ms), oldest first: the Koii round's items of that window. */
  async reportsBuiltBetween(from: number, to: number): Promise<StoredReport[]> {
    const rows = await this.#db.query<Row>(
      `SELECT * FROM agg_epoch_reports WHERE kind = 'report' AND built_at >= $1 AND built_at < $2
       ORDER BY community, epoch`,
      [from, to],
    );
    return rows.map(toReport);
  }

  /** Marks a report final on chain (no longer pending). */
  async markSettled(community: bigint, epoch: bigint): Promise<void> {
    await this.#db.query("UPDATE agg_epoch_reports SET settled = TRUE WHERE community = $1 AND epoch = $2", [
      community,
      epoch,
    ]);
  }

  /** The payout state under `root` (every leaf), to build the next report on; undefined for an unknown root. */
  async payoutState(root: Hex): Promise<PayoutState | undefined> {
    if (root.toLowerCase() === ZERO_ROOT) return { root: ZERO_ROOT, entries: [] };
    const known = await this.#db.query("SELECT root FROM agg_payout_roots WHERE root = $1", [root.toLowerCase()]);
    if (known.length === 0) return undefined;
    const rows = await this.#db.query<Row>("SELECT * FROM agg_payout_leaves WHERE root = $1", [root.toLowerCase()]);
    return { root: root.toLowerCase() as Hex, entries: rows.map(toEntry) };
  }

  /** The stored root whose first 16 bytes are `prefix` (EpochReports keeps a root's prefix as its tip), or undefined. */
  async rootByPrefix(prefix: Hex): Promise<Hex | undefined> {
    if (!/^0x[0-9a-fA-F]{32}$/.test(prefix)) throw new RangeError(`${prefix} is not a 16-byte root prefix`);
    const rows = await this.#db.query<Row>("SELECT root FROM agg_payout_roots WHERE substr(root, 1, 34) = $1 LIMIT 1", [
      prefix.toLowerCase(),
    ]);
    return rows[0] === undefined ? undefined : (String(rows[0].root) as Hex);
  }

  /** The newest root this node built (its tip), or undefined. */
  async newestRoot(): Promise<Hex | undefined> {
    const rows = await this.#db.query<Row>(
      "SELECT root FROM agg_payout_roots ORDER BY built_at DESC, epoch DESC LIMIT 1",
    );
    return rows[0] === undefined ? undefined : (String(rows[0].root) as Hex);
  }

  async #tree(root: Hex): Promise<PayoutTree | undefined> {
    const hit = this.#trees.get(root);
    if (hit !== undefined) return hit;
    const state = await this.payoutState(root);
    if (state === undefined || state.entries.length === 0) return undefined;
    const tree = PayoutTree.build(state.entries);
    if (this.#trees.size >= 4) this.#trees.delete(this.#trees.keys().next().value as Hex);
    this.#trees.set(root, tree);
    return tree;
  }

  /** One persona's EVM leaf of `token` under `root`, with its proof; undefined when it has none there. */
  async evmClaim(
    root: Hex,
    account: Hex,
    token: Hex,
  ): Promise<{ root: Hex; entry: CheckedPayoutEntry; proof: Hex[] } | undefined> {
    const tree = await this.#tree(root.toLowerCase() as Hex);
    if (tree === undefined || tree.indexOf(account, token) < 0) return undefined;
    const { entry, proof } = tree.claimOf(account, token);
    return { root: tree.root, entry, proof };
  }

  /** One persona's Solana claims of `token` (every report that pays it there), oldest report first. */
  async solanaClaims(persona: Address, token: Address): Promise<SolanaClaim[]> {
    const mine = await this.#db.query<Row>(
      "SELECT report_hash FROM agg_solana_claims WHERE persona = $1 AND token = $2 ORDER BY report_hash",
      [persona.toLowerCase(), token.toLowerCase()],
    );
    const claims: SolanaClaim[] = [];
    for (const m of mine) {
      const rows = await this.#db.query<Row>(
        "SELECT * FROM agg_solana_claims WHERE report_hash = $1 AND token = $2 ORDER BY idx",
        [m.report_hash, token.toLowerCase()],
      );
      const leaves: ClaimLeaf[] = rows.map((r) => ({
        index: Number(r.idx),
        claimant: String(r.claimant) as Hex,
        amount: BigInt(String(r.amount)),
        salt: String(r.salt) as Hex,
      }));
      const at = rows.findIndex((r) => r.persona === persona.toLowerCase());
      const leaf = leaves[at];
      if (leaf === undefined) continue;
      claims.push({
        reportHash: String(m.report_hash) as Hex,
        token: getAddress(token),
        root: String(rows[at]?.root) as Hex,
        leaf,
        proof: claimProof(leaves, at),
      });
    }
    return claims;
  }
}
