// The Store contract, run against every backend available (test/backends.ts): embedded SQLite and PGlite always, a
// PostgreSQL server when MASKOII_TEST_POSTGRES_URL is set (an admin URL, e.g. the cluster of .ci/postgres.sh; each
// test gets a fresh database). With MASKOII_REQUIRE_POSTGRES=1 a missing server is a failure, not a skip.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshDatabase, postgresMissing, postgresRequired } from "@maskoii/testkit/postgres";
import type { Hex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import type { StoreConfig } from "../src/config.ts";
import { StoreError } from "../src/errors.ts";
import { openStore } from "../src/store/index.ts";
import { SqlStore } from "../src/store/sql.ts";
import type { DeliveryRecord, Store } from "../src/store/types.ts";
import { storeBackends } from "./backends.ts";
import { sampleMessage } from "./helpers.ts";

const backends = storeBackends;
const missing = postgresMissing();
if (missing !== undefined && postgresRequired) {
  describe("store contract (postgres)", () => {
    it("has a PostgreSQL server (MASKOII_REQUIRE_POSTGRES=1)", () => {
      throw new Error(`MASKOII_REQUIRE_POSTGRES=1 but ${missing}`);
    });
  });
}

function pending(nonce: bigint, firstSeenAt = 50, nextAttemptAt = 100): DeliveryRecord {
  const m = sampleMessage(nonce);
  return {
    messageId: m.messageId,
    origin: 1001,
    destination: 1002,
    nonce,
    message: m.message,
    state: "pending",
    attempts: 0,
    nextAttemptAt,
    firstSeenAt,
    quorumAt: null,
    deliveredAt: null,
    txHash: null,
    gasUsed: null,
    lastError: null,
  };
}

describe.each(backends)("store contract (%s)", (_name, backend) => {
  let config: StoreConfig;
  const cleanups: (() => Promise<void>)[] = [];
  const open = async (): Promise<Store> => {
    if (cleanups.length === 0) {
      const b = await backend();
      config = b.config;
      cleanups.push(b.drop);
    }
    return openStore(config);
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("markObservedClosed closes exactly the listed messages in one call, and an empty list changes nothing", async () => {
    const store = await open();
    try {
      const ms = [1n, 2n, 3n, 4n].map((n, i) => ({ ...sampleMessage(n), observedAt: 10 + i }));
      for (const m of ms) await store.recordObserved(m);
      await store.markObservedClosed([]);
      expect((await store.listOpenObserved(1002, 10)).map((m) => m.nonce)).toEqual([1n, 2n, 3n, 4n]);
      // Mixed case and a repeat: ids are matched case-insensitively, closing twice is harmless.
      await store.markObservedClosed([ms[0]!.messageId.toUpperCase().replace("0X", "0x") as Hex, ms[2]!.messageId]);
      await store.markObservedClosed([ms[2]!.messageId]);
      expect((await store.listOpenObserved(1002, 10)).map((m) => m.nonce)).toEqual([2n, 4n]);
      expect((await store.closedAmong(ms.map((m) => m.messageId))).length).toBe(2);
    } finally {
      await store.close();
    }
  });

  it("cursors, observed messages and deliveries round trip with uint64 values intact", async () => {
    const store = await open();
    try {
      expect(await store.getCursor("x")).toBeUndefined();
      await store.setCursor("x", 2n ** 63n);
      await store.setCursor("x", 2n ** 64n - 1n);
      expect(await store.getCursor("x")).toBe(2n ** 64n - 1n);

      const m = { ...sampleMessage(2n ** 64n - 1n), observedAt: 5 };
      expect(await store.recordObserved(m)).toBe(true);
      expect(await store.recordObserved(m)).toBe(false);
      expect(await store.getObserved(m.messageId.toUpperCase().replace("0X", "0x") as Hex)).toEqual(m);
      expect(await store.listOpenObserved(1002, 10)).toEqual([m]);
      await store.markObservedClosed([m.messageId]);
      expect(await store.listOpenObserved(1002, 10)).toEqual([]);

      const d = {
        messageId: m.messageId,
        origin: 1001,
        destination: 1002,
        nonce: m.nonce,
        message: m.message,
        state: "pending" as const,
        attempts: 0,
        nextAttemptAt: 100,
        firstSeenAt: 50,
        quorumAt: null,
        deliveredAt: null,
        txHash: null,
        gasUsed: null,
        lastError: null,
      };
      expect(await store.addDelivery(d)).toBe(true);
      expect(await store.addDelivery(d)).toBe(false);
      expect(await store.dueDeliveries(99, 10)).toEqual([]);
      expect(await store.dueDeliveries(100, 10)).toEqual([d]);
      await store.updateDelivery(m.messageId, {
        state: "delivered",
        gasUsed: 2n ** 70n,
        txHash: `0x${"01".repeat(32)}`,
      });
      const updated = await store.getDelivery(m.messageId);
      expect(updated?.gasUsed).toBe(2n ** 70n);
      expect(updated?.state).toBe("delivered");
      expect(await store.countDeliveries()).toEqual({ pending: 0, delivered: 1, skipped: 0, failed: 0 });
      expect(await store.journalReserve(1001, 2n ** 64n - 1n, m.messageId)).toBe(m.messageId);
    } finally {
      await store.close();
    }
  });

  it("the signing journal keeps each message's origin block (single and bulk), first writer wins", async () => {
    const store = await open();
    try {
      const [a, b, c] = [sampleMessage(1n), sampleMessage(2n), sampleMessage(3n)];
      expect(await store.getJournal(1001, 1n)).toBeUndefined();
      expect(await store.journalReserve(1001, 1n, a.messageId, 2n ** 64n - 1n)).toBe(a.messageId);
      expect(
        await store.journalReserveMany([
          { origin: 1001, nonce: 2n, messageId: b.messageId, originBlock: 17n },
          { origin: 1001, nonce: 3n, messageId: c.messageId },
          // Another id for a journaled pair: refused, and the row (and its block) stays the first one's.
          { origin: 1001, nonce: 1n, messageId: b.messageId, originBlock: 5n },
        ]),
      ).toEqual([b.messageId, c.messageId, a.messageId]);
      expect(await store.getJournal(1001, 1n)).toMatchObject({
        origin: 1001,
        nonce: 1n,
        messageId: a.messageId,
        originBlock: 2n ** 64n - 1n,
      });
      expect(await store.getJournal(1001, 2n)).toMatchObject({ messageId: b.messageId, originBlock: 17n });
      // Unknown (a caller that did not say): NULL, never a made-up block.
      expect(await store.getJournal(1001, 3n)).toMatchObject({ messageId: c.messageId, originBlock: null });
      expect((await store.getJournal(1001, 3n))?.createdAt).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});

describe.each(backends)("delivery claims (%s)", (_name, backend) => {
  let drop: () => Promise<void> = async () => {};
  let config: StoreConfig;
  const stores: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openStore(config);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await drop();
  });

  it("leases: exclusive while valid, taken over after expiry, renewed only by the holder, released on finish", async () => {
    ({ config, drop } = await backend());
    const store = await open();
    const [a, b, c] = [pending(1n, 50), pending(2n, 60), pending(3n, 70, 5_000)];
    for (const d of [a, b, c]) await store.addDelivery(d);

    // c is not due yet; a and b go to the first claimer, oldest first.
    expect((await store.claimDeliveries("one", 1_000, 2_000, 10)).map((d) => d.messageId)).toEqual([
      a.messageId,
      b.messageId,
    ]);
    expect(await store.claimDeliveries("two", 1_500, 2_500, 10)).toEqual([]);
    expect(await store.getClaim(a.messageId)).toEqual({ claimedBy: "one", leaseUntil: 2_000 });
    // The holder renews a; b's lease runs out and "two" takes it over (a crashed instance).
    expect(await store.renewClaims("one", [a.messageId], 3_000)).toEqual([a.messageId]);
    expect((await store.claimDeliveries("two", 2_000, 4_000, 10)).map((d) => d.messageId)).toEqual([b.messageId]);
    expect(await store.renewClaims("one", [b.messageId], 5_000)).toEqual([]);
    expect(await store.getClaim(b.messageId)).toEqual({ claimedBy: "two", leaseUntil: 4_000 });

    // Finishing clears the claim; releasing hands the rest back.
    await store.updateDelivery(a.messageId, { state: "delivered", deliveredAt: 2_100 });
    expect(await store.getClaim(a.messageId)).toBeUndefined();
    expect(await store.renewClaims("one", [a.messageId], 9_000)).toEqual([]);
    expect(await store.releaseClaims("two")).toBe(1);
    expect(await store.getClaim(b.messageId)).toBeUndefined();
    expect(await store.releaseClaims("two")).toBe(0);
    // A retry scheduled later is not claimable before it is due.
    await store.updateDelivery(b.messageId, { nextAttemptAt: 10_000 });
    expect((await store.claimDeliveries("one", 5_000, 6_000, 10)).map((d) => d.messageId)).toEqual([c.messageId]);
    expect(await store.releaseClaims("one", [c.messageId])).toBe(1);
    expect(await store.claimDeliveries("two", 10_000, 11_000, 1)).toHaveLength(1);
  });

  it("bulk forms: recordObservedMany and addDeliveries store each message once and return only the new ids; updateDeliveries to a final state clears the claims", async () => {
    ({ config, drop } = await backend());
    const store = await open();
    const observed = [0n, 1n, 2n ** 64n - 1n].map((n) => ({ ...sampleMessage(n), observedAt: 7 }));
    const [o0, o1, o2] = observed as [(typeof observed)[0], (typeof observed)[0], (typeof observed)[0]];
    expect(await store.recordObservedMany([])).toEqual([]);
    expect((await store.recordObservedMany([o0, o1])).sort()).toEqual([o0.messageId, o1.messageId].sort());
    // Known ids are not stored again; a new one in the same call is.
    expect(await store.recordObservedMany([o0, o1, o2])).toEqual([o2.messageId]);
    expect(await store.getObserved(o2.messageId)).toEqual(o2);

    const [a, b, c] = [pending(1n, 50), pending(2n, 60), pending(2n ** 64n - 2n, 70)];
    expect(await store.addDeliveries([])).toEqual([]);
    expect((await store.addDeliveries([a, b])).sort()).toEqual([a.messageId, b.messageId].sort());
    expect(await store.addDeliveries([a, b, c])).toEqual([c.messageId]);
    expect(await store.getDelivery(c.messageId)).toEqual(c);

    expect(await store.claimDeliveries("one", 1_000, 2_000, 10)).toHaveLength(3);
    await store.updateDeliveries([a.messageId, b.messageId], { state: "delivered", deliveredAt: 1_100 });
    expect(await store.getClaim(a.messageId)).toBeUndefined();
    expect(await store.getClaim(b.messageId)).toBeUndefined();
    // A pending update keeps the claim.
    await store.updateDeliveries([c.messageId], { attempts: 1 });
    expect((await store.getClaim(c.messageId))?.claimedBy).toBe("one");
    expect(await store.releaseClaims("one")).toBe(1);
  });

  it("concurrent claimers over separate connections split the work without overlap", async () => {
    ({ config, drop } = await backend());
    const first = await open();
    const n = 60;
    for (let i = 0; i < n; i++) await first.addDelivery(pending(BigInt(100 + i), i));
    // PGlite is one embedded connection (claims serialize); PostgreSQL gets three pools racing, SQLite three
    // connections to one file.
    const claimers = config.kind === "pglite" ? [first, first, first] : [first, await open(), await open()];
    // Every pool holds an open connection before the race starts, so a slow first connect cannot leave a claimer out.
    await Promise.all(claimers.map((store) => store.countDeliveries()));
    const got = await Promise.all(
      claimers.map(async (store, i) => {
        const mine: string[] = [];
        for (let round = 0; round < 40; round++) {
          const claimed = await store.claimDeliveries(`claimer-${i}`, 1_000, 100_000, 3);
          if (claimed.length === 0) break;
          for (const d of claimed) {
            mine.push(d.messageId);
            await store.updateDelivery(d.messageId, { state: "delivered", deliveredAt: 1_000 });
          }
          // Like a relayer between ticks: the others get their turn.
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return mine;
      }),
    );
    const all = got.flat();
    expect(all).toHaveLength(n);
    expect(new Set(all).size).toBe(n);
    expect(await first.countDeliveries()).toEqual({ pending: 0, delivered: n, skipped: 0, failed: 0 });
    if (config.kind !== "pglite") for (const mine of got) expect(mine.length).toBeGreaterThan(0);
  });
});

describe.each(backends)("store errors (%s)", (_name, backend) => {
  it("wraps a failing backend in StoreError", async () => {
    const { config, drop } = await backend();
    const store = await openStore(config);
    await store.close();
    await expect(store.getCursor("x")).rejects.toBeInstanceOf(StoreError);
    await drop();
  });
});

describe.skipIf(missing !== undefined)("store migrations (postgres)", () => {
  it("several processes opening one fresh database at once apply each migration exactly once", async () => {
    const db = await freshDatabase();
    const stores: Store[] = [];
    try {
      // As when two relayers start together on a new database: without serialising, CREATE TABLE races fail.
      const config: StoreConfig = { kind: "postgres", url: db.url };
      stores.push(...(await Promise.all(Array.from({ length: 4 }, () => openStore(config)))));
      expect(stores).toHaveLength(4);
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const rows = await client.query("SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version");
        expect(rows.rows.length).toBeGreaterThanOrEqual(5);
        for (const row of rows.rows) expect(row.n).toBe(1);
      } finally {
        await client.end();
      }
      // Every store works on the shared schema.
      const m = pending(900n);
      expect(await stores[0]?.addDelivery(m)).toBe(true);
      expect(await stores[3]?.addDelivery(m)).toBe(false);
    } finally {
      for (const s of stores) await s.close();
      await db.drop();
    }
  });
});

describe("store migrations (sqlite)", () => {
  it("several processes opening one new SQLite file at once apply each migration exactly once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maskoii-sqlite-procs-"));
    try {
      const path = join(dir, "store.sqlite");
      const script = join(dir, "open.ts");
      const index = new URL("../src/store/index.ts", import.meta.url).href;
      await writeFile(
        script,
        `import { openStore } from ${JSON.stringify(index)};\n` +
          "const store = await openStore({ kind: 'sqlite', path: process.argv[2] });\n" +
          "await store.setCursor('p' + process.argv[3], 2n ** 64n - 1n);\nawait store.close();\n",
      );
      // Four node processes at once, as when a node and a CLI command start together on a fresh file.
      const codes = await Promise.all(
        Array.from(
          { length: 4 },
          (_, i) =>
            new Promise<{ code: number | null; err: string }>((resolve) => {
              const child = spawn(process.execPath, [script, path, String(i)], { stdio: ["ignore", "ignore", "pipe"] });
              let err = "";
              child.stderr.on("data", (chunk: Buffer) => {
                err += chunk.toString();
              });
              child.on("close", (code) => resolve({ code, err }));
            }),
        ),
      );
      for (const { code, err } of codes) expect({ code, err }).toEqual({ code: 0, err: "" });
      const store = await openStore({ kind: "sqlite", path });
      try {
        if (!(store instanceof SqlStore)) throw new Error("expected the SQL store");
        const sql = store.sql;
        const rows = await sql.query<{ version: number; n: number }>(
          "SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version",
        );
        expect(rows.length).toBeGreaterThanOrEqual(5);
        for (const row of rows) expect(row.n).toBe(1);
        for (let i = 0; i < 4; i++) expect(await store.getCursor(`p${i}`)).toBe(2n ** 64n - 1n);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("default SQLite store beside the PGlite store of an older default", () => {
  it("refuses to start on a new empty file while ./db holds a PGlite store (its signing journal), and says how", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maskoii-legacy-"));
    try {
      await mkdir(join(dir, "db"));
      await writeFile(join(dir, "db", "PG_VERSION"), "17\n");
      const path = join(dir, "store.sqlite");
      const refused = openStore({ kind: "sqlite", path });
      await expect(refused).rejects.toBeInstanceOf(StoreError);
      await expect(refused).rejects.toThrow(`"kind": "pglite", "dataDir": "${join(dir, "db")}"`);
      // Nothing was created, and once the old store is moved away the new one opens.
      await rm(join(dir, "db"), { recursive: true });
      const store = await openStore({ kind: "sqlite", path });
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(backends)("bulk statements at scale (%s)", (_name, backend) => {
  it("journals, observes and signs thousands of messages per statement in linear time", async () => {
    const { config, drop } = await backend();
    const store = await openStore(config);
    try {
      // Once quadratic on SQLite (a json_each per array, re-read per row of the other and of the table joined):
      // minutes for these sizes. Each call here is one statement or one transaction.
      const n = 2_000;
      const messages = Array.from({ length: n }, (_, i) => ({ ...sampleMessage(BigInt(i)), observedAt: i }));
      expect(await store.recordObservedMany(messages)).toHaveLength(n);
      const entries = messages.map((m) => ({ origin: m.origin, nonce: m.nonce, messageId: m.messageId }));
      expect(await store.journalReserveMany(entries)).toEqual(messages.map((m) => m.messageId));
      expect(await store.journalReserveMany(entries.slice(0, 10))).toEqual(
        messages.slice(0, 10).map((m) => m.messageId),
      );
      const ids = messages.map((m) => m.messageId);
      await store.saveSignatures([
        {
          kind: "batch",
          value: `0x${"ab".repeat(32)}`,
          domain: 1002,
          verifier: `0x${"cd".repeat(32)}`,
          attesterSetId: 1n,
          signer: "0x0000000000000000000000000000000000000001",
          signature: `0x${"11".repeat(65)}`,
          messageIds: ids,
          createdAt: 1,
        },
      ]);
      expect((await store.getSignatures(ids[n - 1] as Hex)).map((s) => s.messageIds.length)).toEqual([n]);
      expect(await store.getObservedMany(ids)).toHaveLength(n);
    } finally {
      await store.close();
      await drop();
    }
  }, 60_000);
});
