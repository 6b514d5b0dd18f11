// Two `maskoii relayer` processes racing on one PostgreSQL database (store kind postgres; delivery claims with
// SKIP LOCKED leases), each with its own paying key, instance id and ops port, over many A -> B messages: each is
// delivered exactly once on chain, both processes delivered some, nothing is left pending. Needs a PostgreSQL server
// (MASKOII_TEST_POSTGRES_URL, e.g. `.ci/postgres.sh start <dir>`); the file gets a fresh database there. Without it
// the file skips with a message, and fails under MASKOII_REQUIRE_POSTGRES=1 (CI).

import { freshDatabase, postgresMissing, postgresRequired, type TestDatabase } from "@maskoii/testkit/postgres";
import { type Hex, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveredCounts, handledPayloads, type Sent, sendMessages, waitDelivered } from "../lib/bridge.ts";
import { deliveryOf } from "../lib/evidence.ts";
import type { MaskoiiNode } from "../lib/nodes.ts";
import { Stack } from "../lib/stack.ts";

/** The value of a Prometheus sample line (0 when absent). */
function metric(text: string, pattern: RegExp): number {
  const line = text.split("\n").find((l) => pattern.test(l));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

const missing = postgresMissing();
if (missing !== undefined && postgresRequired) {
  describe("e2e: two relayer processes on one PostgreSQL", () => {
    it("has a PostgreSQL server (MASKOII_REQUIRE_POSTGRES=1)", () => {
      throw new Error(`MASKOII_REQUIRE_POSTGRES=1 but ${missing}`);
    });
  });
}

describe.skipIf(missing !== undefined)("e2e: two relayer processes racing on one PostgreSQL database", () => {
  let db: TestDatabase | undefined;
  let stack: Stack;
  let second: MaskoiiNode;

  beforeAll(async () => {
    db = await freshDatabase();
    stack = await Stack.start({
      label: "relayers",
      attesters: 3,
      relayerStore: { kind: "postgres", url: db.url },
      // Small claims and batches: the work is split in many pieces the two instances compete for.
      relayer: { maxBatchSize: 2, claimLimit: 2, pollIntervalMs: 100 },
      startRelayer: false,
    });
    second = await stack.addRelayer("relayer2", 3);
    await Promise.all([stack.startRelayer(), stack.startRelayer(second)]);
  });

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it("many A -> B messages: each delivered exactly once on chain, both processes delivered some, none pending", async () => {
    const recipient = stack.contractsOf(1002).demoRecipient;
    const gatewayB = stack.contractsOf(1002).gateway;
    const sent: Sent[] = [];
    // Three blocks of 10: each block's messages become ready together, and both instances claim from them.
    for (let block = 0; block < 3; block++) {
      sent.push(
        ...(await sendMessages({
          stack,
          origin: stack.a,
          destination: 1002,
          recipient,
          payloads: Array.from({ length: 10 }, (_, i) => stringToHex(`race ${block}.${i}`)),
          oneBlock: true,
        })),
      );
    }
    expect(sent).toHaveLength(30);
    await waitDelivered(stack, sent, 120_000);
    await new Promise((r) => setTimeout(r, 1_500));

    // Exactly once on chain, every payload handled once.
    const counts = await deliveredCounts(stack.b, gatewayB);
    for (const s of sent) expect(counts.get(s.messageId), s.messageId).toBe(1);
    expect(counts.size).toBe(30);
    const handled = await handledPayloads(stack.b, recipient);
    expect(handled).toHaveLength(30);
    expect(new Set(handled).size).toBe(30);

    // Who delivered: the transaction senders are the two instances' paying accounts, both.
    const accounts = {
      relayer: stack.relayerAddresses.get("relayer")!,
      relayer2: stack.relayerAddresses.get("relayer2")!,
    };
    const byAccount = new Map<string, Set<Hex>>();
    const txOf = new Map<Hex, Hex>();
    for (const s of sent) {
      const d = await deliveryOf(stack.b, gatewayB, s.messageId);
      txOf.set(s.messageId, d.txHash.toLowerCase() as Hex);
      byAccount.set(d.from, (byAccount.get(d.from) ?? new Set()).add(d.txHash));
    }
    expect(new Set(byAccount.keys())).toEqual(new Set([accounts.relayer, accounts.relayer2]));
    // No wasted transaction: the two accounts sent exactly the delivery transactions that landed.
    const nonces = await Promise.all(
      [accounts.relayer, accounts.relayer2].map((address) => stack.b.public.getTransactionCount({ address })),
    );
    expect(nonces[0]! + nonces[1]!).toBe(new Set(txOf.values()).size);

    // Each process counts its own deliveries: both did some, together all of them, nothing skipped.
    const delivered = /^maskoii_messages_total\{status="delivered",origin="1001",destination="1002"\}/;
    const skipped = /^maskoii_messages_total\{status="skipped"/;
    const [m1, m2] = await Promise.all([stack.relayerMetrics(), stack.relayerMetrics(second)]);
    const d1 = metric(m1, delivered);
    const d2 = metric(m2, delivered);
    expect(d1).toBeGreaterThan(0);
    expect(d2).toBeGreaterThan(0);
    expect(d1 + d2).toBe(30);
    expect(metric(m1, skipped) + metric(m2, skipped)).toBe(0);

    // The shared store, read through either instance: every message delivered with the transaction that landed,
    // no claim left behind.
    for (const [i, s] of sent.entries()) {
      const ops = stack.opsUrl(i % 2 === 0 ? stack.relayer : second);
      const record = (await (await fetch(`${ops}/messages/${s.messageId}`)).json()) as {
        state: string;
        txHash: string;
        claim: unknown;
      };
      expect(record.state, s.messageId).toBe("delivered");
      expect(record.txHash.toLowerCase()).toBe(txOf.get(s.messageId));
      expect(record.claim).toBeNull();
    }
    expect(stack.unexpectedExits).toEqual([]);
  });
});
