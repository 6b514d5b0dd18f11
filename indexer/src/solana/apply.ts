// Writes the Solana program's events into the same tables as the EVM handlers (src/index.ts), so that one message
// has one lifecycle whichever chains it crosses (EVM → Solana → EVM included). Called by the Solana poll handler
// (src/solana/poll.ts) with Ponder's store, one confirmed transaction at a time, in order.

import type { Context } from "ponder:registry";
import schema from "ponder:schema";
import { decodeMessage } from "@maskoii/sdk";
import type { MaskoiiEvent } from "@maskoii/sdk/solana";
import { type Hex, toHex } from "viem";
import { touchMessage } from "../lifecycle.ts";
import type { SolanaTransactionEvents } from "./reader.ts";

type Db = Context["db"];
type Bytes = number[] | Uint8Array;
type Big = { toString(): string };

const hex = (b: Bytes): Hex => toHex(Uint8Array.from(b));
const big = (v: Big): bigint => BigInt(v.toString());
const key = (k: { toBytes(): Uint8Array }): Hex => toHex(k.toBytes());

/** Everything that concerns a message in one Solana transaction, applied in log order. */
export async function applySolanaTransaction(db: Db, domain: number, tx: SolanaTransactionEvents): Promise<void> {
  const at = tx.blockTime;
  /** The message delivered last in this transaction, until its token leg (if any) is written. */
  let delivered: Hex | undefined;
  let index = 0;
  const step = async (id: Hex, kind: string, detail: Record<string, string | number> | null = null) => {
    await db
      .insert(schema.messageEvent)
      .values({
        id: `svm-${tx.signature}-${index}`,
        messageId: id,
        kind,
        domain,
        block: tx.slot,
        tx: tx.signature,
        timestamp: at,
        detail,
      })
      .onConflictDoNothing();
  };
  for (const event of tx.events as MaskoiiEvent[]) {
    index += 1;
    switch (event.name) {
      case "messageSent": {
        const d = event.data;
        const id = hex(d.messageId);
        const m = decodeMessage(toHex(Uint8Array.from(d.message)));
        await touchMessage(db, id, at, "sent", (row) => ({
          originDomain: m.originDomain,
          destinationDomain: m.destinationDomain,
          nonce: m.nonce,
          sender: m.sender as Hex,
          recipient: m.recipient as Hex,
          ...(row !== null && row.kind !== "message" ? {} : { senderAddress: m.sender as Hex }),
          payloadLength: (m.payload.length - 2) / 2,
          sentAt: at,
          sentBlock: tx.slot,
        }));
        await step(id, "sent", { nonce: big(d.nonce).toString() });
        break;
      }
      case "transferSent": {
        const d = event.data;
        const id = hex(d.messageId);
        const origin = {
          originDomain: domain,
          destinationDomain: d.destination,
          originToken: key(d.mint),
          from: key(d.from),
          recipient: hex(d.recipient),
          amount: big(d.amount),
          wireAmount: big(d.wireAmount),
          sentAt: at,
        };
        await db
          .insert(schema.tokenTransfer)
          .values({ id, ...origin })
          .onConflictDoUpdate(() => origin);
        await touchMessage(db, id, at, undefined, () => ({ kind: "transfer", senderAddress: origin.from }));
        await db
          .insert(schema.routeVolume)
          .values({
            originDomain: domain,
            destinationDomain: d.destination,
            token: origin.originToken,
            transfers: 1,
            amount: origin.amount,
            wireAmount: origin.wireAmount,
            firstAt: at,
            lastAt: at,
          })
          .onConflictDoUpdate((row) => ({
            transfers: row.transfers + 1,
            amount: row.amount + origin.amount,
            wireAmount: row.wireAmount + origin.wireAmount,
            lastAt: at,
          }));
        await step(id, "transfer_sent", { token: origin.originToken, amount: origin.amount.toString() });
        break;
      }
      case "messageDelivered": {
        // On Solana the Gateway logs MessageDelivered before it calls the recipient's `handle` (a self-CPI for the
        // token bridge), so a transfer's TransferReceived or TransferQueued follows it in the same transaction.
        const d = event.data;
        const id = hex(d.messageId);
        delivered = id;
        await touchMessage(db, id, at, "delivered", (row) => ({
          originDomain: d.origin,
          destinationDomain: domain,
          nonce: big(d.nonce),
          // A Solana delivery verifies the quorum first (posted signatures): attested at the latest now.
          attestedAt: row?.attestedAt ?? at,
          deliveredAt: at,
          deliveredBlock: tx.slot,
        }));
        await step(id, "delivered");
        break;
      }
      case "transferReceived": {
        // Without a delivery before it in this transaction it is the second half of a release (handled there).
        if (delivered === undefined) break;
        const d = event.data;
        const leg = {
          destinationToken: key(d.mint),
          destinationRecipient: key(d.recipient),
          destinationStatus: "received",
          receivedAmount: big(d.amount),
          receivedAt: at,
        };
        await db
          .insert(schema.tokenTransfer)
          .values({ id: delivered, ...leg })
          .onConflictDoUpdate(() => leg);
        delivered = undefined;
        break;
      }
      case "transferQueued": {
        const d = event.data;
        const seq = big(d.seq);
        const messageId = delivered ?? null;
        await db.insert(schema.queuedTransfer).values({
          domain,
          queueId: seq,
          messageId,
          originDomain: d.origin,
          token: key(d.mint),
          recipient: key(d.recipient),
          amount: big(d.amount),
          queuedAt: at,
          status: "queued",
        });
        if (messageId === null) break;
        const leg = {
          destinationToken: key(d.mint),
          destinationRecipient: key(d.recipient),
          destinationStatus: "queued",
          queueId: seq,
        };
        await db
          .insert(schema.tokenTransfer)
          .values({ id: messageId, ...leg })
          .onConflictDoUpdate(() => leg);
        await touchMessage(db, messageId, at, "queued", () => ({ queuedAt: at }));
        await step(messageId, "queued", { queueId: seq.toString() });
        delivered = undefined;
        break;
      }
      case "queuedTransferReleased": {
        const seq = big(event.data.seq);
        const entry = await db.find(schema.queuedTransfer, { domain, queueId: seq });
        if (entry === null) break;
        await db.update(schema.queuedTransfer, { domain, queueId: seq }).set({ status: "released", releasedAt: at });
        if (entry.messageId === null) break;
        await touchMessage(db, entry.messageId, at, "released", () => ({ releasedAt: at }));
        const released = { destinationStatus: "released", receivedAmount: entry.amount, receivedAt: at };
        await db
          .insert(schema.tokenTransfer)
          .values({ id: entry.messageId, ...released })
          .onConflictDoUpdate(() => released);
        await step(entry.messageId, "released", { queueId: seq.toString() });
        break;
      }
      case "queuedTransferCancelled": {
        const seq = big(event.data.seq);
        const entry = await db.find(schema.queuedTransfer, { domain, queueId: seq });
        if (entry === null) break;
        await db
          .update(schema.queuedTransfer, { domain, queueId: seq })
          .set({ status: "cancelled", cancelledAt: at, cancelledBy: key(event.data.by) });
        if (entry.messageId === null) break;
        await touchMessage(db, entry.messageId, at, "cancelled", () => ({ cancelledAt: at }));
        await step(entry.messageId, "cancelled", { queueId: seq.toString() });
        break;
      }
      case "transferRefundable": {
        const d = event.data;
        const id = hex(d.messageId);
        await touchMessage(db, id, at, "refundable", () => ({ refundableAt: at, refundReason: d.reason }));
        await step(id, "refundable", { reason: d.reason });
        break;
      }
      case "transferRefunded": {
        const d = event.data;
        const id = hex(d.messageId);
        await touchMessage(db, id, at, "refunded", () => ({ refundedAt: at }));
        await step(id, "refunded", { amount: big(d.amount).toString() });
        break;
      }
      case "attesterSetRotated": {
        const d = event.data;
        const setId = big(d.setId);
        await db
          .insert(schema.attesterSet)
          .values({
            domain,
            setId,
            setHash: hex(d.setHash),
            kind: setId === 1n ? "genesis" : "rotation",
            installedAt: at,
            installedBlock: tx.slot,
            tx: "0x",
            previousSetExpiresAt: big(d.previousSetExpiresAt),
          })
          .onConflictDoNothing();
        break;
      }
      case "attesterSlashed": {
        const d = event.data;
        const attester = hex(d.attester);
        await db.insert(schema.slashing).values({
          id: `svm-${tx.signature}-${index}`,
          domain,
          attester,
          messageIdA: hex(d.messageIdA),
          messageIdB: hex(d.messageIdB),
          digestA: hex(d.digestA),
          digestB: hex(d.digestB),
          reporter: "0x",
          at,
          tx: "0x",
        });
        await db
          .insert(schema.attesterStats)
          .values({ domain, attester, slashed: 1, lastSlashedAt: at })
          .onConflictDoUpdate((row) => ({ slashed: row.slashed + 1, lastSlashedAt: at }));
        break;
      }
      default:
        break;
    }
  }
}
