// @maskoii/node-kit: what every maskoii node process needs. Identity and keys, errors, logging, metrics, HTTP
// helpers, the run loop, the SQL store layer (SQLite by default; PGlite and PostgreSQL load from their own entries,
// `@maskoii/node-kit/store/pglite` and `/store/postgres`) and the generic Koii task round, into which each node
// registers its kinds of work.
export * from "./config.ts";
export * from "./errors.ts";
export * from "./http/client.ts";
export * from "./http/json.ts";
export * from "./http/limits.ts";
export * from "./identity.ts";
export * from "./keys/keystore.ts";
export * from "./keys/secrets.ts";
export * from "./koii/bytes.ts";
export * from "./koii/config.ts";
export * from "./koii/distribution.ts";
export * from "./koii/kind.ts";
export * from "./koii/peers.ts";
export * from "./koii/rounds.ts";
export * from "./koii/routes.ts";
export * from "./koii/schema.ts";
export * from "./koii/store.ts";
export * from "./koii/submission.ts";
export * from "./koii/task.ts";
export * from "./koii/votes.ts";
export * from "./log.ts";
export * from "./loop.ts";
export * from "./metrics.ts";
export * from "./store/client.ts";
export * from "./store/open.ts";
export * from "./store/sqlite.ts";
export * from "./store/sqlite-dialect.ts";
