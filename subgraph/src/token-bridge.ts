// TokenBridge handlers: the origin leg, the destination leg (pending until the Gateway's outcome names the message),
// the rate-limit queue and the route aggregates, as indexer/src/index.ts's TokenBridge handlers.
import { Address, BigInt, Bytes, ethereum, store } from "@graphprotocol/graph-ts";
import { BridgeToken, PendingLeg, QueuedTransfer, RateLimit, RouteVolume, TokenTransfer } from "../generated/schema";
import {
  DistributionSent,
  QueuedTransferCancelled,
  QueuedTransferReleased,
  RateLimitsSet,
  TokenRegistered,
  TransferQueued,
  TransferReceived,
  TransferRefundable,
  TransferRefunded,
  TransferSent,
} from "../generated/TokenBridge/TokenBridge";
import { jsonString, loadMessage, recordStep, saveMessage } from "./lifecycle";
import { domain } from "./network";

function hex(b: Bytes): string {
  return b.toHexString();
}

export function handleTokenRegistered(event: TokenRegistered): void {
  const key = hex(event.params.token);
  let t = BridgeToken.load(key);
  if (t == null) {
    t = new BridgeToken(key);
    t.domain = domain();
    t.token = event.params.token;
  }
  t.mode = event.params.mode;
  t.localDecimals = event.params.localDecimals;
  t.sharedDecimals = event.params.sharedDecimals;
  t.registeredAt = event.block.timestamp;
  t.save();
}

function onOutbound(
  event: ethereum.Event,
  id: Bytes,
  token: Address,
  destination: i32,
  from: Address,
  amount: BigInt,
  wireAmount: BigInt,
  kind: string,
  recipient: Bytes,
): void {
  const at = event.block.timestamp;
  let t = TokenTransfer.load(id);
  if (t == null) {
    t = new TokenTransfer(id);
    t.destinationStatus = "pending";
  }
  t.originDomain = domain();
  t.destinationDomain = destination;
  t.originToken = token;
  t.from = from;
  t.recipient = recipient;
  t.amount = amount;
  t.wireAmount = wireAmount;
  t.sentAt = at;
  t.save();
  const m = loadMessage(id, at);
  m.kind = kind;
  m.senderAddress = from;
  saveMessage(m, at, "");
  const volumeKey = destination.toString() + "-" + hex(token);
  let v = RouteVolume.load(volumeKey);
  if (v == null) {
    v = new RouteVolume(volumeKey);
    v.originDomain = domain();
    v.destinationDomain = destination;
    v.token = token;
    v.transfers = 0;
    v.amount = BigInt.zero();
    v.wireAmount = BigInt.zero();
    v.firstAt = at;
  }
  v.transfers = v.transfers + 1;
  v.amount = v.amount.plus(amount);
  v.wireAmount = v.wireAmount.plus(wireAmount);
  v.lastAt = at;
  v.save();
  recordStep(
    event,
    id,
    kind == "transfer" ? "transfer_sent" : "distribution_sent",
    '{"token":' + jsonString(hex(token)) + ',"amount":' + jsonString(amount.toString()) + "}",
  );
}

export function handleTransferSent(event: TransferSent): void {
  const p = event.params;
  onOutbound(
    event,
    p.messageId,
    p.token,
    p.destination.toI32(),
    p.from,
    p.amount,
    p.wireAmount,
    "transfer",
    p.recipient,
  );
}

export function handleDistributionSent(event: DistributionSent): void {
  const p = event.params;
  onOutbound(
    event,
    p.messageId,
    p.token,
    p.destination.toI32(),
    p.from,
    p.amount,
    p.wireAmount,
    "distribution",
    p.root,
  );
}

export function handleTransferRefunded(event: TransferRefunded): void {
  const id = event.params.messageId;
  const at = event.block.timestamp;
  const m = loadMessage(id, at);
  m.refundedAt = at;
  saveMessage(m, at, "refunded");
  const t = TokenTransfer.load(id);
  if (t != null) {
    t.destinationStatus = "refunded";
    t.save();
  }
  recordStep(
    event,
    id,
    "refunded",
    '{"refundTo":' +
      jsonString(hex(event.params.refundTo)) +
      ',"amount":' +
      jsonString(event.params.amount.toString()) +
      "}",
  );
}

function savePendingLeg(
  event: ethereum.Event,
  kind: string,
  token: Bytes,
  recipient: Bytes,
  amount: BigInt,
  queueId: BigInt | null,
): void {
  const leg = new PendingLeg(hex(event.transaction.hash));
  leg.kind = kind;
  leg.token = token;
  leg.recipient = recipient;
  leg.amount = amount;
  leg.queueId = queueId;
  leg.logIndex = event.logIndex.toI32();
  leg.save();
}

export function handleTransferReceived(event: TransferReceived): void {
  const key = hex(event.transaction.hash);
  const marker = PendingLeg.load(key);
  if (marker != null && marker.kind == "release" && marker.logIndex == event.logIndex.toI32() - 1) {
    // The second half of releaseQueued (QueuedTransferReleased then TransferReceived), handled by the former.
    store.remove("PendingLeg", key);
    return;
  }
  savePendingLeg(event, "received", event.params.token, event.params.recipient, event.params.amount, null);
}

function rateLimitOf(token: Bytes, remoteDomain: i32, at: BigInt): RateLimit {
  const key = hex(token) + "-" + remoteDomain.toString();
  let r = RateLimit.load(key);
  if (r == null) {
    r = new RateLimit(key);
    r.domain = domain();
    r.token = token;
    r.remoteDomain = remoteDomain;
    r.outCapacity = BigInt.zero();
    r.outRefillPerSecond = BigInt.zero();
    r.inCapacity = BigInt.zero();
    r.inRefillPerSecond = BigInt.zero();
    r.queuedCount = 0;
    r.queuedAmount = BigInt.zero();
    r.totalQueued = 0;
    r.totalReleased = 0;
    r.totalCancelled = 0;
    r.updatedAt = at;
  }
  return r;
}

export function handleTransferQueued(event: TransferQueued): void {
  const at = event.block.timestamp;
  const origin = event.params.origin.toI32();
  const q = new QueuedTransfer(event.params.queueId.toString());
  q.domain = domain();
  q.queueId = event.params.queueId;
  q.originDomain = origin;
  q.token = event.params.token;
  q.recipient = event.params.recipient;
  q.amount = event.params.amount;
  q.queuedAt = at;
  q.status = "queued";
  q.save();
  const r = rateLimitOf(event.params.token, origin, at);
  r.queuedCount = r.queuedCount + 1;
  r.queuedAmount = r.queuedAmount.plus(event.params.amount);
  r.totalQueued = r.totalQueued + 1;
  r.updatedAt = at;
  r.save();
  savePendingLeg(
    event,
    "queued",
    event.params.token,
    event.params.recipient,
    event.params.amount,
    event.params.queueId,
  );
}

/** Leaves the queue: released (credited) or cancelled. Returns the entry, or null if it was never seen. */
function dequeue(queueId: BigInt, at: BigInt, outcome: string): QueuedTransfer | null {
  const entry = QueuedTransfer.load(queueId.toString());
  if (entry == null) return null;
  entry.status = outcome;
  if (outcome == "released") entry.releasedAt = at;
  else entry.cancelledAt = at;
  entry.save();
  const r = RateLimit.load(hex(entry.token) + "-" + entry.originDomain.toString());
  if (r != null) {
    r.queuedCount = r.queuedCount - 1;
    r.queuedAmount = r.queuedAmount.minus(entry.amount);
    if (outcome == "released") r.totalReleased = r.totalReleased + 1;
    else r.totalCancelled = r.totalCancelled + 1;
    r.updatedAt = at;
    r.save();
  }
  return entry;
}

export function handleQueuedTransferReleased(event: QueuedTransferReleased): void {
  const at = event.block.timestamp;
  const entry = dequeue(event.params.queueId, at, "released");
  savePendingLeg(
    event,
    "release",
    entry == null ? Bytes.empty() : entry.token,
    entry == null ? Bytes.empty() : entry.recipient,
    entry == null ? BigInt.zero() : entry.amount,
    event.params.queueId,
  );
  if (entry == null) return;
  const id = entry.messageId;
  if (id === null) return;
  const m = loadMessage(id, at);
  m.releasedAt = at;
  saveMessage(m, at, "released");
  let t = TokenTransfer.load(id);
  if (t == null) t = new TokenTransfer(id);
  t.destinationStatus = "released";
  t.receivedAmount = entry.amount;
  t.receivedAt = at;
  t.save();
  recordStep(event, id, "released", '{"queueId":' + jsonString(event.params.queueId.toString()) + "}");
}

export function handleQueuedTransferCancelled(event: QueuedTransferCancelled): void {
  const at = event.block.timestamp;
  const id = event.params.messageId;
  const entry = dequeue(event.params.queueId, at, "cancelled");
  if (entry != null) {
    entry.cancelledBy = event.params.by;
    entry.save();
  }
  const m = loadMessage(id, at);
  m.cancelledAt = at;
  saveMessage(m, at, "cancelled");
  const t = TokenTransfer.load(id);
  if (t != null) {
    t.destinationStatus = "cancelled";
    t.save();
  }
  recordStep(
    event,
    id,
    "cancelled",
    '{"queueId":' + jsonString(event.params.queueId.toString()) + ',"by":' + jsonString(hex(event.params.by)) + "}",
  );
}

export function handleTransferRefundable(event: TransferRefundable): void {
  const id = event.params.messageId;
  const at = event.block.timestamp;
  const m = loadMessage(id, at);
  m.refundableAt = at;
  m.refundReason = event.params.reason;
  saveMessage(m, at, "refundable");
  const t = TokenTransfer.load(id);
  if (t != null && t.destinationStatus != "cancelled") {
    t.destinationStatus = "refundable";
    t.save();
  }
  recordStep(event, id, "refundable", '{"reason":' + event.params.reason.toString() + "}");
}

export function handleRateLimitsSet(event: RateLimitsSet): void {
  const at = event.block.timestamp;
  const r = rateLimitOf(event.params.token, event.params.remoteDomain.toI32(), at);
  r.outCapacity = event.params.outCapacity;
  r.outRefillPerSecond = event.params.outRefillPerSecond;
  r.inCapacity = event.params.inCapacity;
  r.inRefillPerSecond = event.params.inRefillPerSecond;
  r.updatedAt = at;
  r.save();
}
