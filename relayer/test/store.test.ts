// The Store contract, run against every backend available: embedded PGlite always, a PostgreSQL server when
// MASKOII_TEST_POSTGRES_URL is set (e.g. postgres://postgres@127.0.0.1:5432/maskoii_test, an empty database).
import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import type { StoreConfig } from "../src/config.ts";
import { StoreError } from "../src/errors.ts";
import { openStore } from "../src/store/index.ts";
import { sampleMessage } from "./helpers.ts";

const backends: [string, StoreConfig][] = [["pglite", { kind: "pglite", dataDir: "memory://" }]];
const pgUrl = process.env.MASKOII_TEST_POSTGRES_URL;
if (pgUrl !== undefined) backends.push(["postgres", { kind: "postgres", url: pgUrl }]);

describe.each(backends)("store contract (%s)", (_name, config) => {
  it("cursors, observed messages and deliveries round trip with uint64 values intact", async () => {
    const store = await openStore(config);
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
      await store.markObservedClosed(m.messageId);
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
});

describe("store errors", () => {
  it("wraps a failing backend in StoreError", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory://" });
    await store.close();
    await expect(store.getCursor("x")).rejects.toBeInstanceOf(StoreError);
  });
});
