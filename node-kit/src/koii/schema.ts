// The task round's tables (store.ts), as a migration list the node's store applies with its own (store/client.ts
// applyMigrations). Version 101: a node whose store predates node-kit ran a 101 that also created its kind's tables
// (the relayer's migration 102 creates those only when missing). Append only: never edit a shipped migration.
import type { Migration } from "../store/client.ts";

export const ROUND_MIGRATIONS: readonly Migration[] = [
  {
    version: 101,
    name: "koii task rounds",
    sql: `
-- A node's signed submission per (round, kind), its own and its peers'. body is the submission JSON.
CREATE TABLE koii_submissions (
  round BIGINT NOT NULL,
  kind TEXT NOT NULL,
  node TEXT NOT NULL,
  submission_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  own BOOLEAN NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (round, kind, node)
);
-- Signed audit votes, this node's and its peers'.
CREATE TABLE koii_votes (
  round BIGINT NOT NULL,
  kind TEXT NOT NULL,
  auditor TEXT NOT NULL,
  subject TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
  body TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (round, kind, auditor, subject)
);
-- The round's distribution, computed once; stake changes are applied in the same transaction.
CREATE TABLE koii_distributions (
  round BIGINT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (round, kind)
);
-- The stake ledger: seeded from the config, lowered by slashing.
CREATE TABLE koii_stakes (
  node TEXT PRIMARY KEY,
  stake NUMERIC(40, 0) NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
  },
];
