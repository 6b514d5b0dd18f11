// One message, one entity, as indexer/src/lifecycle.ts: every event that concerns a message loads or creates it,
// sets its fields and saves it through `saveMessage`, which only ever raises the status rank and keeps the latency.
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import { Message, MessageEvent } from "../generated/schema";
import { domain } from "./network";

export const MESSAGE_STATUSES: string[] = [
  "sent",
  "attested",
  "failed",
  "delivered",
  "queued",
  "released",
  "refundable",
  "cancelled",
  "refunded",
];

export function rankOf(status: string): i32 {
  return MESSAGE_STATUSES.indexOf(status);
}

/** The message entity, or a new one in its initial state ("sent", counters at zero). */
export function loadMessage(id: Bytes, at: BigInt): Message {
  let m = Message.load(id);
  if (m == null) {
    m = new Message(id);
    m.kind = "message";
    m.status = "sent";
    m.statusRank = 0;
    m.failCount = 0;
    m.retryCount = 0;
    m.skipCount = 0;
    m.updatedAt = at;
  }
  return m;
}

/** Saves `m`, raising its status to `status` (empty: keep) when that ranks at least as high. */
export function saveMessage(m: Message, at: BigInt, status: string): void {
  const sentAt = m.sentAt;
  const deliveredAt = m.deliveredAt;
  if (sentAt !== null && deliveredAt !== null) {
    m.latencySeconds = deliveredAt.ge(sentAt) ? deliveredAt.minus(sentAt) : BigInt.zero();
  }
  if (status.length > 0 && rankOf(status) >= m.statusRank) {
    m.status = status;
    m.statusRank = rankOf(status);
  }
  m.updatedAt = at;
  m.save();
}

/** Records one lifecycle step (`detail`: a JSON object's text, or empty for none). */
export function recordStep(event: ethereum.Event, id: Bytes, kind: string, detail: string): void {
  const stepId = event.transaction.hash.toHexString() + "-" + event.logIndex.toString();
  if (MessageEvent.load(stepId) != null) return;
  const step = new MessageEvent(stepId);
  step.message = id;
  step.kind = kind;
  step.domain = domain();
  step.block = event.block.number;
  step.tx = event.transaction.hash;
  step.timestamp = event.block.timestamp;
  if (detail.length > 0) step.detail = detail;
  step.save();
}

/** A JSON string literal. */
export function jsonString(value: string): string {
  return '"' + value + '"';
}
