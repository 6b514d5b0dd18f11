// PostgreSQL for tests: MASKOII_TEST_POSTGRES_URL names a server (an admin URL, e.g. the throwaway cluster of
// .ci/postgres.sh); every test gets its own fresh database there and drops it after. Without the URL, tests that
// need PostgreSQL skip with a message, unless MASKOII_REQUIRE_POSTGRES=1 (CI), where they fail.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { TestkitError } from "./errors.ts";

export const postgresUrl = process.env.MASKOII_TEST_POSTGRES_URL;
export const postgresRequired = process.env.MASKOII_REQUIRE_POSTGRES === "1";

/** Why PostgreSQL tests cannot run, or undefined. Logged once so a skip is never silent. */
export function postgresMissing(): string | undefined {
  if (postgresUrl !== undefined && postgresUrl !== "") return undefined;
  const why = "MASKOII_TEST_POSTGRES_URL is not set (start one with .ci/postgres.sh start <dir>)";
  if (!postgresRequired) process.stderr.write(`skipping PostgreSQL tests: ${why}\n`);
  return why;
}

export type TestDatabase = { readonly url: string; drop: () => Promise<void> };

/** Creates an empty database on the test server. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (postgresUrl === undefined) throw new TestkitError("PostgresUrlMissing", "MASKOII_TEST_POSTGRES_URL is not set");
  const name = `maskoii_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
