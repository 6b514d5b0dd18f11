// EVM handlers (bridge part of issue 14): the Gateway's message lifecycle and attester set events and the
// TokenBridge's legs, queue and rate limits, written into ponder.schema.ts's tables.

import { type Context, ponder } from "ponder:registry";
import schema from "ponder:schema";
import {
  addressToBytes32,
  decodeAttestation,
  decodeMessage,
  decodeTokenMessage,
  gatewayAbi,
  messageId as idOf,
  toLocal,
} from "@maskoii/sdk";
import { type Address, decodeFunctionData, type Hex } from "viem";
import { domainsByChainId, IndexerConfigError, loadIndexedChains } from "./deployments.ts";
import { type MessageStatus, touchMessage } from "./lifecycle.ts";

const {
  bridgeToken,
  attesterSet,
  attesterStats,
  emergencyRotation,
  messageEvent,
  pendingLeg,
  queuedTransfer,
  rateLimit,
  routeVolume,
  slashing,
  tokenTransfer,
} = schema;
const indexedChains = loadIndexedChains();
const domains = domainsByChainId(indexedChains);
/** Each chain's TokenBridge as a bytes32 message recipient. */
const bridges = new Map(
  indexedChains.map((c) => [c.deployment.chainId, addressToBytes32(c.deployment.contracts.tokenBridge)]),
);

type Db = Context["db"];
type EventBase = {
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex; input: Hex; from: Address; to: Address | null };
  log: { logIndex: number };
};

function domainOf(chainId: number): number {
  const domain = domains.get(chainId);
  if (domain === undefined) throw new IndexerConfigError(`no deployment for chain ${chainId}`);
  return domain;
}

function eventId(chainId: number, event: EventBase): string {
  return `${chainId}-${event.transaction.hash}-${event.log.logIndex}`;
}

const lower = (a: Hex): Hex => a.toLowerCase() as Hex;

async function recordStep(
  db: Db,
  chainId: number,
  event: EventBase,
  id: Hex,
  kind: string,
  detail: Record<string, unknown> | null = null,
): Promise<void> {
  await db
    .insert(messageEvent)
    .values({
      id: eventId(chainId, event),
      messageId: id,
      kind,
      domain: domainOf(chainId),
      block: event.block.number,
      tx: event.transaction.hash,
      timestamp: event.block.timestamp,
      detail:
        detail === null
          ? null
          : JSON.parse(JSON.stringify(detail, (_k, v) => (typeof v === "bigint" ? v.toString() : v))),
    })
    .onConflictDoNothing();
}

/** What a delivery transaction's calldata tells about message `id`: its fields and the attestation that carried it. */
type DeliveryCall = {
  message: Hex | undefined;
  attesterSetId: bigint | undefined;
  signerIndexes: number[];
};

function deliveryCall(input: Hex, id: Hex): DeliveryCall {
  const none: DeliveryCall = { message: undefined, attesterSetId: undefined, signerIndexes: [] };
  let call: ReturnType<typeof decodeFunctionData<typeof gatewayAbi>>;
  try {
    call = decodeFunctionData({ abi: gatewayAbi, data: input });
  } catch {
    return none; // delivered through another contract: only the event's fields are known
  }
  const find = (messages: readonly Hex[]) => messages.find((m) => lower(idOf(m)) === lower(id));
  const withAttestation = (message: Hex | undefined, attestation: Hex): DeliveryCall => {
    try {
      const a = decodeAttestation(attestation);
      return { message, attesterSetId: a.attesterSetId, signerIndexes: a.signatures.map((s) => s.index) };
    } catch {
      return { message, attesterSetId: undefined, signerIndexes: [] };
    }
  };
  if (call.functionName === "deliver") return withAttestation(find([call.args[0]]), call.args[1]);
  if (call.functionName === "deliverBatch") return withAttestation(find(call.args[0]), call.args[2]);
  if (call.functionName === "retry") return { ...none, message: find([call.args[0]]) };
  return none;
}

function messageFields(raw: Hex | undefined) {
  if (raw === undefined) return {};
  const m = decodeMessage(raw);
  const senderAddress = m.sender.slice(2, 26) === "0".repeat(24) ? (`0x${m.sender.slice(26)}` as Hex) : null;
  return {
    originDomain: m.originDomain,
    destinationDomain: m.destinationDomain,
    nonce: m.nonce,
    sender: m.sender as Hex,
    recipient: m.recipient as Hex,
    senderAddress,
    payloadLength: (m.payload.length - 2) / 2,
  };
}

/** Counts one co-signed delivery for each signer of the attestation, by the set's recorded members. */
async function creditSigners(db: Db, domain: number, call: DeliveryCall): Promise<void> {
  if (call.attesterSetId === undefined) return;
  const set = await db.find(attesterSet, { domain, setId: call.attesterSetId });
  const members = (set?.members ?? []) as Hex[];
  for (const index of call.signerIndexes) {
    const attester = members[index];
    if (attester === undefined) continue;
    await db
      .insert(attesterStats)
      .values({ domain, attester: lower(attester), signedDeliveries: 1 })
      .onConflictDoUpdate((row) => ({ signedDeliveries: row.signedDeliveries + 1 }));
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Gateway: messages

ponder.on("Gateway:MessageSent", async ({ event, context }) => {
  const id = lower(event.args.messageId);
  const at = event.block.timestamp;
  await touchMessage(context.db, id, at, "sent", (row) => ({
    ...messageFields(event.args.message),
    // A transfer's user-level sender is the token bridge's `from` (TransferSent), not the bridge itself.
    ...(row !== null && row.kind !== "message" ? { senderAddress: row.senderAddress } : {}),
    sentAt: at,
    sentBlock: event.block.number,
    sentTx: event.transaction.hash,
  }));
  await recordStep(context.db, context.chain.id, event, id, "sent", { nonce: event.args.nonce });
});

/** The outcome of a delivery on the destination: fields and attestation from calldata, token leg from the bridge. */
async function onDelivered(
  db: Db,
  chainId: number,
  event: EventBase,
  rawId: Hex,
  origin: number,
  nonce: bigint,
): Promise<void> {
  const id = lower(rawId);
  const at = event.block.timestamp;
  const domain = domainOf(chainId);
  const call = deliveryCall(event.transaction.input, id);
  const legKey = `${chainId}-${event.transaction.hash}`;
  const leg = await db.find(pendingLeg, { id: legKey });
  let status: MessageStatus = "delivered";
  if ((leg === null || leg.kind === "release") && call.message !== undefined) {
    // A transfer credited at once emits nothing of its own (the bridge's credit path is kept event-free for gas):
    // its leg is the delivered message's TokenMessage, scaled with the token's registered decimals.
    await creditedLeg(db, chainId, id, call.message, at);
  }
  if (leg !== null && leg.kind !== "release") {
    await db.delete(pendingLeg, { id: legKey });
    const queued = leg.kind === "queued";
    status = queued ? "queued" : "delivered";
    await db
      .insert(tokenTransfer)
      .values({
        id,
        destinationToken: leg.token,
        destinationRecipient: leg.recipient,
        destinationStatus: queued ? "queued" : "received",
        ...(queued ? { queueId: leg.queueId } : { receivedAmount: leg.amount, receivedAt: at }),
      })
      .onConflictDoUpdate(() => ({
        destinationToken: leg.token,
        destinationRecipient: leg.recipient,
        destinationStatus: queued ? "queued" : "received",
        ...(queued ? { queueId: leg.queueId } : { receivedAmount: leg.amount, receivedAt: at }),
      }));
    if (queued && leg.queueId !== null) {
      await db.update(queuedTransfer, { domain, queueId: leg.queueId }).set({ messageId: id });
    }
  }
  await touchMessage(db, id, at, status, (row) => ({
    ...(row?.sentAt == null ? messageFields(call.message) : {}),
    originDomain: origin,
    destinationDomain: domain,
    nonce,
    ...(call.attesterSetId === undefined
      ? {}
      : {
          attestedAt: row?.attestedAt ?? at,
          attesterSetId: call.attesterSetId,
          signerCount: call.signerIndexes.length,
        }),
    deliveredAt: at,
    deliveredBlock: event.block.number,
    deliveredTx: event.transaction.hash,
    ...(status === "queued" ? { queuedAt: at } : {}),
  }));
  await creditSigners(db, domain, call);
  await recordStep(db, chainId, event, id, status === "queued" ? "queued" : "delivered", {
    attesterSetId: call.attesterSetId,
    signers: call.signerIndexes.length,
  });
}

async function creditedLeg(db: Db, chainId: number, id: Hex, raw: Hex, at: bigint): Promise<void> {
  const m = decodeMessage(raw);
  if (lower(m.recipient as Hex) !== bridges.get(chainId)) return;
  let tm: ReturnType<typeof decodeTokenMessage>;
  try {
    tm = decodeTokenMessage(m.payload as Hex);
  } catch {
    return; // not a transfer (a distribution fails on EVM and never gets here)
  }
  if (tm.recipient.slice(2, 26) !== "0".repeat(24)) return; // refundable: TransferRefundable records it
  const token = `0x${tm.token.slice(26)}` as Hex;
  const recipient = `0x${tm.recipient.slice(26)}` as Hex;
  const registered = await db.find(bridgeToken, { domain: domainOf(chainId), token });
  const amount = registered === null ? null : toLocal(tm.amount, registered.localDecimals, registered.sharedDecimals);
  const leg = {
    destinationToken: token,
    destinationRecipient: recipient,
    destinationStatus: "received",
    receivedAmount: amount,
    receivedAt: at,
    wireAmount: tm.amount,
  };
  await db
    .insert(tokenTransfer)
    .values({ id, ...leg })
    .onConflictDoUpdate(() => leg);
}

ponder.on("TokenBridge:TokenRegistered", async ({ event, context }) => {
  const values = {
    mode: Number(event.args.mode),
    localDecimals: Number(event.args.localDecimals),
    sharedDecimals: Number(event.args.sharedDecimals),
    registeredAt: event.block.timestamp,
  };
  await context.db
    .insert(bridgeToken)
    .values({ domain: domainOf(context.chain.id), token: lower(event.args.token), ...values })
    .onConflictDoUpdate(() => values);
});

ponder.on("Gateway:MessageDelivered", async ({ event, context }) => {
  await onDelivered(
    context.db,
    context.chain.id,
    event,
    event.args.messageId,
    Number(event.args.origin),
    event.args.nonce,
  );
});

ponder.on("Gateway:MessageFailed", async ({ event, context }) => {
  const id = lower(event.args.messageId);
  const at = event.block.timestamp;
  const domain = domainOf(context.chain.id);
  const call = deliveryCall(event.transaction.input, id);
  await touchMessage(context.db, id, at, "failed", (row) => ({
    ...(row?.sentAt == null ? messageFields(call.message) : {}),
    originDomain: Number(event.args.origin),
    destinationDomain: domain,
    nonce: event.args.nonce,
    ...(call.attesterSetId === undefined
      ? {}
      : {
          attestedAt: row?.attestedAt ?? at,
          attesterSetId: call.attesterSetId,
          signerCount: call.signerIndexes.length,
        }),
    failedAt: at,
    failureReason: event.args.reason,
    failCount: (row?.failCount ?? 0) + 1,
  }));
  await recordStep(context.db, context.chain.id, event, id, "failed", { reason: event.args.reason });
});

ponder.on("Gateway:MessageRetried", async ({ event, context }) => {
  const id = lower(event.args.messageId);
  const at = event.block.timestamp;
  await touchMessage(context.db, id, at, undefined, (row) => ({
    retryCount: (row?.retryCount ?? 0) + 1,
    retriedAt: at,
  }));
  await recordStep(context.db, context.chain.id, event, id, "retried");
});

ponder.on("Gateway:MessageSkipped", async ({ event, context }) => {
  const id = lower(event.args.messageId);
  await touchMessage(context.db, id, event.block.timestamp, undefined, (row) => ({
    skipCount: (row?.skipCount ?? 0) + 1,
  }));
  await recordStep(context.db, context.chain.id, event, id, "skipped");
});

// ------------------------------------------------------------------------------------------------------------------
// Gateway: attester sets

ponder.on("Gateway:AttesterSetRotated", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  const setId = event.args.setId;
  const [attesters, , thresholdBps] = await context.client.readContract({
    abi: gatewayAbi,
    address: event.log.address,
    functionName: "getSet",
    args: [setId],
    blockNumber: event.block.number,
  });
  let kind = "genesis";
  if (setId !== 1n) {
    try {
      const call = decodeFunctionData({ abi: gatewayAbi, data: event.transaction.input });
      kind = call.functionName === "executeEmergencyRotation" ? "emergency" : "rotation";
    } catch {
      kind = "rotation";
    }
  }
  const members = attesters.map((a) => lower(a));
  await context.db.insert(attesterSet).values({
    domain,
    setId,
    setHash: event.args.setHash,
    kind,
    thresholdBps,
    memberCount: members.length,
    members,
    installedAt: event.block.timestamp,
    installedBlock: event.block.number,
    tx: event.transaction.hash,
    previousSetExpiresAt: BigInt(event.args.previousSetExpiresAt),
  });
  for (const attester of members) {
    await context.db
      .insert(attesterStats)
      .values({ domain, attester, setsJoined: 1, lastSetId: setId })
      .onConflictDoUpdate((row) => ({ setsJoined: row.setsJoined + 1, lastSetId: setId }));
  }
  const proposal = await context.db.find(emergencyRotation, { domain, setHash: event.args.setHash });
  if (proposal !== null && proposal.status === "proposed") {
    await context.db
      .update(emergencyRotation, { domain, setHash: event.args.setHash })
      .set({ status: "executed", setId, closedAt: event.block.timestamp });
  }
});

ponder.on("Gateway:EmergencyRotationProposed", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  await context.db
    .insert(emergencyRotation)
    .values({
      domain,
      setHash: event.args.setHash,
      setId: event.args.setId,
      executableAt: BigInt(event.args.executableAt),
      proposedAt: event.block.timestamp,
      status: "proposed",
    })
    .onConflictDoUpdate(() => ({
      setId: event.args.setId,
      executableAt: BigInt(event.args.executableAt),
      proposedAt: event.block.timestamp,
      status: "proposed",
      closedAt: null,
    }));
});

ponder.on("Gateway:EmergencyRotationCancelled", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  const proposal = await context.db.find(emergencyRotation, { domain, setHash: event.args.setHash });
  if (proposal === null) return;
  await context.db
    .update(emergencyRotation, { domain, setHash: event.args.setHash })
    .set({ status: "cancelled", closedAt: event.block.timestamp });
});

ponder.on("Gateway:AttesterSlashed", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  const attester = lower(event.args.attester);
  await context.db.insert(slashing).values({
    id: eventId(context.chain.id, event),
    domain,
    attester,
    messageIdA: lower(event.args.messageIdA),
    messageIdB: lower(event.args.messageIdB),
    digestA: event.args.digestA,
    digestB: event.args.digestB,
    reporter: lower(event.transaction.from),
    at: event.block.timestamp,
    tx: event.transaction.hash,
  });
  await context.db
    .insert(attesterStats)
    .values({ domain, attester, slashed: 1, lastSlashedAt: event.block.timestamp })
    .onConflictDoUpdate((row) => ({ slashed: row.slashed + 1, lastSlashedAt: event.block.timestamp }));
});

// ------------------------------------------------------------------------------------------------------------------
// TokenBridge: the origin leg

async function onOutbound(
  db: Db,
  chainId: number,
  event: EventBase,
  args: { messageId: Hex; token: Address; destination: number; from: Address; amount: bigint; wireAmount: bigint },
  kind: "transfer" | "distribution",
  recipient: Hex,
): Promise<void> {
  const id = lower(args.messageId);
  const at = event.block.timestamp;
  const origin = domainOf(chainId);
  const token = lower(args.token);
  const leg = {
    originDomain: origin,
    destinationDomain: args.destination,
    originToken: token,
    from: lower(args.from),
    recipient,
    amount: args.amount,
    wireAmount: args.wireAmount,
    sentAt: at,
  };
  await db
    .insert(tokenTransfer)
    .values({ id, ...leg })
    .onConflictDoUpdate(() => leg);
  await touchMessage(db, id, at, undefined, () => ({ kind, senderAddress: lower(args.from) }));
  await db
    .insert(routeVolume)
    .values({
      originDomain: origin,
      destinationDomain: args.destination,
      token,
      transfers: 1,
      amount: args.amount,
      wireAmount: args.wireAmount,
      firstAt: at,
      lastAt: at,
    })
    .onConflictDoUpdate((row) => ({
      transfers: row.transfers + 1,
      amount: row.amount + args.amount,
      wireAmount: row.wireAmount + args.wireAmount,
      lastAt: at,
    }));
  await recordStep(db, chainId, event, id, kind === "transfer" ? "transfer_sent" : "distribution_sent", {
    token,
    amount: args.amount,
  });
}

ponder.on("TokenBridge:TransferSent", async ({ event, context }) => {
  await onOutbound(
    context.db,
    context.chain.id,
    event,
    { ...event.args, destination: Number(event.args.destination) },
    "transfer",
    event.args.recipient,
  );
});

ponder.on("TokenBridge:DistributionSent", async ({ event, context }) => {
  await onOutbound(
    context.db,
    context.chain.id,
    event,
    { ...event.args, destination: Number(event.args.destination) },
    "distribution",
    event.args.root,
  );
});

ponder.on("TokenBridge:TransferRefunded", async ({ event, context }) => {
  const id = lower(event.args.messageId);
  const at = event.block.timestamp;
  await touchMessage(context.db, id, at, "refunded", () => ({ refundedAt: at }));
  const transfer = await context.db.find(tokenTransfer, { id });
  if (transfer !== null) await context.db.update(tokenTransfer, { id }).set({ destinationStatus: "refunded" });
  await recordStep(context.db, context.chain.id, event, id, "refunded", {
    refundTo: lower(event.args.refundTo),
    amount: event.args.amount,
  });
});

// ------------------------------------------------------------------------------------------------------------------
// TokenBridge: the destination leg. TransferReceived and TransferQueued carry no message id: they are emitted inside
// the Gateway's call to `handle`, right before the Gateway's MessageDelivered of the same message in the same
// transaction, so they wait in pending_leg (keyed by transaction) until that MessageDelivered names the message.

ponder.on("TokenBridge:TransferReceived", async ({ event, context }) => {
  const key = `${context.chain.id}-${event.transaction.hash}`;
  const marker = await context.db.find(pendingLeg, { id: key });
  if (marker !== null && marker.kind === "release" && marker.logIndex === event.log.logIndex - 1) {
    // The second half of releaseQueued (QueuedTransferReleased then TransferReceived), handled by the former.
    await context.db.delete(pendingLeg, { id: key });
    return;
  }
  const leg = {
    kind: "received",
    token: lower(event.args.token),
    recipient: lower(event.args.recipient),
    amount: event.args.amount,
    queueId: null,
    logIndex: event.log.logIndex,
  };
  await context.db
    .insert(pendingLeg)
    .values({ id: key, ...leg })
    .onConflictDoUpdate(() => leg);
});

ponder.on("TokenBridge:TransferQueued", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  const at = event.block.timestamp;
  const token = lower(event.args.token);
  const origin = Number(event.args.origin);
  await context.db.insert(queuedTransfer).values({
    domain,
    queueId: event.args.queueId,
    originDomain: origin,
    token,
    recipient: lower(event.args.recipient),
    amount: event.args.amount,
    queuedAt: at,
    status: "queued",
  });
  await context.db
    .insert(rateLimit)
    .values({
      domain,
      token,
      remoteDomain: origin,
      queuedCount: 1,
      queuedAmount: event.args.amount,
      totalQueued: 1,
      updatedAt: at,
    })
    .onConflictDoUpdate((row) => ({
      queuedCount: row.queuedCount + 1,
      queuedAmount: row.queuedAmount + event.args.amount,
      totalQueued: row.totalQueued + 1,
      updatedAt: at,
    }));
  const leg = {
    kind: "queued",
    token,
    recipient: lower(event.args.recipient),
    amount: event.args.amount,
    queueId: event.args.queueId,
    logIndex: event.log.logIndex,
  };
  const key = `${context.chain.id}-${event.transaction.hash}`;
  await context.db
    .insert(pendingLeg)
    .values({ id: key, ...leg })
    .onConflictDoUpdate(() => leg);
});

/** Leaves the queue: released (credited) or cancelled. Returns the entry, or null if it was never seen. */
async function dequeue(db: Db, domain: number, queueId: bigint, at: bigint, outcome: "released" | "cancelled") {
  const entry = await db.find(queuedTransfer, { domain, queueId });
  if (entry === null) return null;
  await db
    .update(queuedTransfer, { domain, queueId })
    .set(outcome === "released" ? { status: outcome, releasedAt: at } : { status: outcome, cancelledAt: at });
  const limit = await db.find(rateLimit, { domain, token: entry.token, remoteDomain: entry.originDomain });
  if (limit !== null) {
    await db.update(rateLimit, { domain, token: entry.token, remoteDomain: entry.originDomain }).set({
      queuedCount: limit.queuedCount - 1,
      queuedAmount: limit.queuedAmount - entry.amount,
      ...(outcome === "released"
        ? { totalReleased: limit.totalReleased + 1 }
        : { totalCancelled: limit.totalCancelled + 1 }),
      updatedAt: at,
    });
  }
  return entry;
}

ponder.on("TokenBridge:QueuedTransferReleased", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  const at = event.block.timestamp;
  const entry = await dequeue(context.db, domain, event.args.queueId, at, "released");
  const key = `${context.chain.id}-${event.transaction.hash}`;
  const marker = {
    kind: "release",
    token: entry?.token ?? "0x",
    recipient: entry?.recipient ?? "0x",
    amount: entry?.amount ?? 0n,
    queueId: event.args.queueId,
    logIndex: event.log.logIndex,
  };
  await context.db
    .insert(pendingLeg)
    .values({ id: key, ...marker })
    .onConflictDoUpdate(() => marker);
  if (entry?.messageId == null) return;
  const id = entry.messageId;
  await touchMessage(context.db, id, at, "released", () => ({ releasedAt: at }));
  const released = { destinationStatus: "released", receivedAmount: entry.amount, receivedAt: at };
  await context.db
    .insert(tokenTransfer)
    .values({ id, ...released })
    .onConflictDoUpdate(() => released);
  await recordStep(context.db, context.chain.id, event, id, "released", { queueId: event.args.queueId });
});

ponder.on("TokenBridge:QueuedTransferCancelled", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  const at = event.block.timestamp;
  const id = lower(event.args.messageId);
  await dequeue(context.db, domain, event.args.queueId, at, "cancelled");
  await touchMessage(context.db, id, at, "cancelled", () => ({ cancelledAt: at }));
  const transfer = await context.db.find(tokenTransfer, { id });
  if (transfer !== null) await context.db.update(tokenTransfer, { id }).set({ destinationStatus: "cancelled" });
  await recordStep(context.db, context.chain.id, event, id, "cancelled", {
    queueId: event.args.queueId,
    by: lower(event.args.by),
  });
});

ponder.on("TokenBridge:TransferRefundable", async ({ event, context }) => {
  const id = lower(event.args.messageId);
  const at = event.block.timestamp;
  await touchMessage(context.db, id, at, "refundable", () => ({
    refundableAt: at,
    refundReason: Number(event.args.reason),
  }));
  const transfer = await context.db.find(tokenTransfer, { id });
  if (transfer !== null && transfer.destinationStatus !== "cancelled") {
    await context.db.update(tokenTransfer, { id }).set({ destinationStatus: "refundable" });
  }
  await recordStep(context.db, context.chain.id, event, id, "refundable", { reason: event.args.reason });
});

ponder.on("TokenBridge:RateLimitsSet", async ({ event, context }) => {
  const domain = domainOf(context.chain.id);
  const values = {
    outCapacity: BigInt(event.args.outCapacity),
    outRefillPerSecond: BigInt(event.args.outRefillPerSecond),
    inCapacity: BigInt(event.args.inCapacity),
    inRefillPerSecond: BigInt(event.args.inRefillPerSecond),
    updatedAt: event.block.timestamp,
  };
  await context.db
    .insert(rateLimit)
    .values({ domain, token: lower(event.args.token), remoteDomain: Number(event.args.remoteDomain), ...values })
    .onConflictDoUpdate(() => values);
});
