// Schema migrations, applied in order and recorded in schema_migrations. Append only: never edit a shipped one.
// Plain PostgreSQL, so the same statements run on PGlite and on a server. uint64 nonces are NUMERIC(20,0);
// hex values are lower-case text.
import { type Migration, ROUND_MIGRATIONS } from "@maskoii/node-kit";

export type { Migration } from "@maskoii/node-kit";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE cursors (
  name TEXT PRIMARY KEY,
  block NUMERIC(20, 0) NOT NULL
);
CREATE TABLE observed_messages (
  message_id TEXT PRIMARY KEY,
  origin BIGINT NOT NULL,
  destination BIGINT NOT NULL,
  nonce NUMERIC(20, 0) NOT NULL,
  message TEXT NOT NULL,
  block_number NUMERIC(20, 0) NOT NULL,
  tx_hash TEXT NOT NULL,
  observed_at BIGINT NOT NULL,
  closed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX observed_open ON observed_messages (destination, closed, observed_at);
-- One row per (origin, nonce), written before any signature over a message with that pair leaves the process.
CREATE TABLE signing_journal (
  origin BIGINT NOT NULL,
  nonce NUMERIC(20, 0) NOT NULL,
  message_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (origin, nonce)
);
CREATE TABLE signatures (
  kind TEXT NOT NULL CHECK (kind IN ('message', 'batch')),
  value TEXT NOT NULL,
  domain BIGINT NOT NULL,
  verifier TEXT NOT NULL,
  attester_set_id NUMERIC(20, 0) NOT NULL,
  signer TEXT NOT NULL,
  signature TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (kind, value, domain, verifier, attester_set_id)
);
CREATE TABLE signature_members (
  message_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  domain BIGINT NOT NULL,
  verifier TEXT NOT NULL,
  attester_set_id NUMERIC(20, 0) NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (message_id, kind, value, domain, verifier, attester_set_id)
);
CREATE TABLE deliveries (
  message_id TEXT PRIMARY KEY,
  origin BIGINT NOT NULL,
  destination BIGINT NOT NULL,
  nonce NUMERIC(20, 0) NOT NULL,
  message TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'skipped', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  first_seen_at BIGINT NOT NULL,
  quorum_at BIGINT,
  delivered_at BIGINT,
  tx_hash TEXT,
  gas_used NUMERIC(30, 0),
  last_error TEXT
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
`,
  },
  {
    version: 2,
    name: "rotation journal",
    sql: `
-- One next-set hash per (domain, verifier, set id): an attester never signs two different rotations of one set.
CREATE TABLE rotation_journal (
  domain BIGINT NOT NULL,
  verifier TEXT NOT NULL,
  attester_set_id NUMERIC(20, 0) NOT NULL,
  next_set_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (domain, verifier, attester_set_id)
);
`,
  },
  {
    version: 3,
    name: "delivery claims",
    sql: `
-- A lease on a pending delivery: the relayer instance working on it, until when. Several relayers on one database
-- claim with SELECT ... FOR UPDATE SKIP LOCKED, so no two work on one message; an expired lease is free again.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until BIGINT;
CREATE INDEX deliveries_claimable ON deliveries (state, next_attempt_at, lease_until);
`,
  },
  {
    version: 4,
    name: "delivery failure code",
    sql: `
-- The last failed attempt as data (errors.ts code and its numbers as a JSON object of strings), beside the last_error
-- text: maskoii doctor names an underpriced delivery's fee cap and base fee without parsing text.
ALTER TABLE deliveries ADD COLUMN last_error_code TEXT;
ALTER TABLE deliveries ADD COLUMN last_error_facts TEXT;
`,
  },
  {
    version: 5,
    name: "queued transfers",
    sql: `
-- Inbound transfers an EVM TokenBridge queued (rate limit), as the relayer's keeper tracks them (relayer/keeper.ts);
-- its scan cursor is the cursors row "keeper:queued:<domain>:<bridge>". state: queued (waiting or retrying),
-- released (by this keeper: release_tx), skipped (gone when the keeper came to it: released by someone else).
-- release_after is chain time (unix seconds) from which the bucket holds the amount; NULL = never at the current
-- limits (rechecked at next_attempt_at). next_attempt_at (ms since the epoch) is also the claim lease of an instance.
CREATE TABLE queued_transfers (
  domain BIGINT NOT NULL,
  bridge TEXT NOT NULL,
  queue_id NUMERIC(78, 0) NOT NULL,
  origin BIGINT NOT NULL,
  token TEXT NOT NULL,
  recipient TEXT NOT NULL,
  amount NUMERIC(78, 0) NOT NULL,
  block_number NUMERIC(20, 0) NOT NULL,
  queued_tx TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'released', 'skipped')),
  release_after BIGINT,
  next_attempt_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  release_tx TEXT,
  gas_used NUMERIC(30, 0),
  last_error TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (domain, bridge, queue_id)
);
CREATE INDEX queued_transfers_due ON queued_transfers (domain, bridge, state, next_attempt_at);
`,
  },
  {
    version: 6,
    name: "journal origin block",
    sql: `
-- The origin block (EVM) or slot (Solana) the journaled message was read from: after a reorg past the configured
-- finality, a re-attestation path can tell a message the origin no longer shows at that block from the replacement
-- that took its (origin, nonce). NULL for rows journaled before this migration.
ALTER TABLE signing_journal ADD COLUMN origin_block NUMERIC(20, 0);
`,
  },
  // The Koii task round (docs/protocol.md §9): the round's own tables are node-kit's (ROUND_MIGRATIONS, version 101),
  // the attestation kind's are 102. Numbered from 101 so the core store's migrations (2, 3, ...) and the task's never
  // collide: versions are identifiers, applied in list order. Databases migrated before the split ran one 101 that
  // created all seven tables; 102 creates its tables only if they are missing, so those databases stay valid.
  ...ROUND_MIGRATIONS,
  {
    version: 102,
    name: "koii attestation kind",
    sql: `
-- Every (origin, nonce) -> message id an audited peer attester signed: equivocation across rounds shows up here.
CREATE TABLE IF NOT EXISTS koii_attested (
  attester TEXT NOT NULL,
  origin BIGINT NOT NULL,
  nonce NUMERIC(20, 0) NOT NULL,
  message_id TEXT NOT NULL,
  round BIGINT NOT NULL,
  item TEXT NOT NULL,
  PRIMARY KEY (attester, origin, nonce, message_id)
);
-- Byzantine signatures: rejected by a relayer (attributable or not), or reported to this node by one.
CREATE TABLE IF NOT EXISTS koii_evidence (
  evidence_id TEXT PRIMARY KEY,
  signer TEXT,
  attributable BOOLEAN NOT NULL,
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  body TEXT NOT NULL,
  round BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS koii_evidence_signer ON koii_evidence (signer, round);
-- reportEquivocation transactions, one outcome per (attester, domain).
CREATE TABLE IF NOT EXISTS koii_equivocation_reports (
  attester TEXT NOT NULL,
  domain BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  tx_hash TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (attester, domain)
);
`,
  },
  // Refunds (docs/protocol.md §8.1): the attester's refund journal and signatures, the refund records it evaluates,
  // and the relayer's refunds to submit on origins (attester/refunds.ts, relayer/refunder.ts, store/refunds.ts).
  {
    version: 7,
    name: "refunds",
    sql: `
-- At most one refund receipt per (origin, nonce), so per message id: journaled before any signature over it leaves the
-- process. basis: 'record' (the destination's refund record of this id) or 'reorg' (the nonce was consumed on the
-- destination by another id that the origin's final chain no longer shows).
CREATE TABLE refund_journal (
  origin BIGINT NOT NULL,
  nonce NUMERIC(20, 0) NOT NULL,
  message_id TEXT NOT NULL UNIQUE,
  destination BIGINT NOT NULL,
  receipt TEXT NOT NULL,
  basis TEXT NOT NULL CHECK (basis IN ('record', 'reorg')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (origin, nonce)
);
-- TransferRefund signatures over a journaled receipt, per target (the origin's bridge and attester set).
CREATE TABLE refund_signatures (
  message_id TEXT NOT NULL,
  domain BIGINT NOT NULL,
  verifier TEXT NOT NULL,
  attester_set_id NUMERIC(20, 0) NOT NULL,
  signer TEXT NOT NULL,
  signature TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (message_id, domain, verifier, attester_set_id)
);
-- Refund records the attester saw final on a destination: evaluated again (with backoff) until signed.
CREATE TABLE refund_candidates (
  message_id TEXT PRIMARY KEY,
  destination BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'signed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_problem TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX refund_candidates_due ON refund_candidates (state, next_attempt_at);
-- The relayer's refunds to submit on origins. state: pending (collecting a quorum, or retrying), refunded (by this
-- relayer: tx_hash), skipped (the origin had refunded the nonce already).
CREATE TABLE refund_deliveries (
  message_id TEXT PRIMARY KEY,
  destination BIGINT NOT NULL,
  origin BIGINT NOT NULL,
  nonce NUMERIC(20, 0) NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'refunded', 'skipped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  tx_hash TEXT,
  last_error TEXT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX refund_deliveries_due ON refund_deliveries (state, next_attempt_at);
`,
  },
  {
    version: 8,
    name: "epoch reports",
    sql: `
-- Epoch reports the relayer's submitter (src/reports/) brought to a quorum, one row per (chain, EpochReports, report
-- hash). state: ready (attestation built, not seen on chain yet), submitted (seq known), final, done (final and every
-- Solana payout sent, or none to send), stale (built on another payout root than the chain's tip), superseded (another
-- report holds its (community, epoch)), rejected (refused by the contract for good, or rejected/dropped on chain).
CREATE TABLE epoch_reports (
  domain BIGINT NOT NULL,
  contract TEXT NOT NULL,
  report_hash TEXT NOT NULL,
  community_id NUMERIC(20, 0) NOT NULL,
  epoch NUMERIC(20, 0) NOT NULL,
  report TEXT NOT NULL,
  attestation TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('ready', 'submitted', 'final', 'done', 'stale', 'superseded', 'rejected')),
  seq NUMERIC(20, 0),
  submit_tx TEXT,
  finalize_tx TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (domain, contract, report_hash)
);
CREATE INDEX epoch_reports_open ON epoch_reports (domain, contract, state, next_attempt_at);
-- The Solana payouts (EpochReports.sendSolanaPayout) of final reports: one row per (report, index) once sent.
CREATE TABLE epoch_report_payouts (
  domain BIGINT NOT NULL,
  contract TEXT NOT NULL,
  report_hash TEXT NOT NULL,
  payout_index INTEGER NOT NULL,
  token TEXT NOT NULL,
  fee NUMERIC(78, 0),
  tx_hash TEXT,
  message_id TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (domain, contract, report_hash, payout_index)
);
`,
  },
];
