// Schema migrations, applied in order and recorded in schema_migrations. Append only: never edit a shipped one.
// Plain PostgreSQL, so the same statements run on PGlite and on a server. uint64 nonces are NUMERIC(20,0);
// hex values are lower-case text.
export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

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
];
