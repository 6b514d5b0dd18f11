// The indexer's tables (issue 14, bridge part). One `message` row per message id whichever chains it crosses: the
// origin's MessageSent, the destination's delivery outcome, the token bridge's legs and the Solana reader's events all
// update the same row (upserts, so the order in which chains are read does not matter). `message_event` keeps every
// step with its chain, block or slot and time. Indexes cover the API's filters (sender/status/route, time order).
import { index, onchainTable, primaryKey } from "ponder";

/** Lifecycle states, in rank order (a later event never lowers the rank; see src/lifecycle.ts). */
export const MESSAGE_STATUSES = [
  "sent",
  "attested",
  "failed",
  "delivered",
  "queued",
  "released",
  "refundable",
  "cancelled",
  "refunded",
] as const;

export const message = onchainTable(
  "message",
  (t) => ({
    /** keccak256 of the encoded message (protocol §2). */
    id: t.hex().primaryKey(),
    originDomain: t.integer(),
    destinationDomain: t.integer(),
    nonce: t.bigint(),
    /** bytes32 sender and recipient as in the message (left-padded EVM addresses). */
    sender: t.hex(),
    recipient: t.hex(),
    /** The EVM address of the sender when it is one (lowercase), for `GET /messages?sender=`. */
    senderAddress: t.hex(),
    payloadLength: t.integer(),
    /** "message", "transfer" or "distribution" (set by the token bridge's events). */
    kind: t.text().notNull().default("message"),
    status: t.text().notNull(),
    statusRank: t.integer().notNull(),
    sentAt: t.bigint(),
    sentBlock: t.bigint(),
    sentTx: t.hex(),
    attestedAt: t.bigint(),
    attesterSetId: t.bigint(),
    signerCount: t.integer(),
    deliveredAt: t.bigint(),
    deliveredBlock: t.bigint(),
    deliveredTx: t.hex(),
    failedAt: t.bigint(),
    failureReason: t.hex(),
    failCount: t.integer().notNull().default(0),
    retryCount: t.integer().notNull().default(0),
    retriedAt: t.bigint(),
    skipCount: t.integer().notNull().default(0),
    queuedAt: t.bigint(),
    releasedAt: t.bigint(),
    cancelledAt: t.bigint(),
    refundableAt: t.bigint(),
    refundReason: t.integer(),
    refundedAt: t.bigint(),
    /** deliveredAt − sentAt (seconds), once both sides are known. */
    latencySeconds: t.bigint(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    senderStatusIdx: index().on(table.senderAddress, table.status, table.id),
    statusIdx: index().on(table.status, table.id),
    routeIdx: index().on(table.originDomain, table.destinationDomain),
  }),
);

/** Every lifecycle step of every message, on whichever chain it happened. */
export const messageEvent = onchainTable(
  "message_event",
  (t) => ({
    /** `<chainId>-<tx>-<logIndex>` on EVM, `svm-<signature>-<index>` from the Solana reader. */
    id: t.text().primaryKey(),
    messageId: t.hex().notNull(),
    kind: t.text().notNull(),
    domain: t.integer().notNull(),
    /** Block number (EVM) or slot (Solana). */
    block: t.bigint().notNull(),
    tx: t.text().notNull(),
    timestamp: t.bigint().notNull(),
    detail: t.json(),
  }),
  (table) => ({
    messageIdx: index().on(table.messageId, table.timestamp),
  }),
);

/** A token transfer with both legs: the origin's TransferSent and the destination's credit, queue or refund. */
export const tokenTransfer = onchainTable(
  "token_transfer",
  (t) => ({
    /** The message id. */
    id: t.hex().primaryKey(),
    originDomain: t.integer(),
    destinationDomain: t.integer(),
    /** Origin leg. */
    originToken: t.hex(),
    from: t.hex(),
    recipient: t.hex(),
    amount: t.bigint(),
    wireAmount: t.bigint(),
    sentAt: t.bigint(),
    /** Destination leg. */
    destinationToken: t.hex(),
    destinationRecipient: t.hex(),
    receivedAmount: t.bigint(),
    receivedAt: t.bigint(),
    queueId: t.bigint(),
    /** pending, received, queued, released, cancelled, refundable, refunded. */
    destinationStatus: t.text().notNull().default("pending"),
  }),
  (table) => ({
    fromIdx: index().on(table.from),
    routeIdx: index().on(table.originDomain, table.destinationDomain),
  }),
);

/** Tokens registered on each chain's TokenBridge (TokenRegistered): their mode and decimals. */
export const bridgeToken = onchainTable(
  "bridge_token",
  (t) => ({
    domain: t.integer().notNull(),
    token: t.hex().notNull(),
    /** 0 lock, 1 mint (ITokenBridge). */
    mode: t.integer().notNull(),
    localDecimals: t.integer().notNull(),
    sharedDecimals: t.integer().notNull(),
    registeredAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.domain, table.token] }),
  }),
);

/** Inbound transfers queued by a rate limit, per destination chain. */
export const queuedTransfer = onchainTable(
  "queued_transfer",
  (t) => ({
    domain: t.integer().notNull(),
    queueId: t.bigint().notNull(),
    messageId: t.hex(),
    originDomain: t.integer().notNull(),
    token: t.hex().notNull(),
    recipient: t.hex().notNull(),
    amount: t.bigint().notNull(),
    queuedAt: t.bigint().notNull(),
    releasedAt: t.bigint(),
    cancelledAt: t.bigint(),
    cancelledBy: t.hex(),
    status: t.text().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.domain, table.queueId] }),
    messageIdx: index().on(table.messageId),
  }),
);

/** Rate-limit configuration and queue state of one (chain, token, remote domain) route. */
export const rateLimit = onchainTable(
  "rate_limit",
  (t) => ({
    domain: t.integer().notNull(),
    token: t.hex().notNull(),
    remoteDomain: t.integer().notNull(),
    outCapacity: t.bigint().notNull().default(0n),
    outRefillPerSecond: t.bigint().notNull().default(0n),
    inCapacity: t.bigint().notNull().default(0n),
    inRefillPerSecond: t.bigint().notNull().default(0n),
    /** Transfers currently waiting in the queue on this route, and their amount (local units). */
    queuedCount: t.integer().notNull().default(0),
    queuedAmount: t.bigint().notNull().default(0n),
    totalQueued: t.integer().notNull().default(0),
    totalReleased: t.integer().notNull().default(0),
    totalCancelled: t.integer().notNull().default(0),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.domain, table.token, table.remoteDomain] }),
  }),
);

/** Volume sent per route and origin token, kept current as transfers are sent. */
export const routeVolume = onchainTable(
  "route_volume",
  (t) => ({
    originDomain: t.integer().notNull(),
    destinationDomain: t.integer().notNull(),
    /** The origin token (EVM address, or the Solana mint as hex of its 32 bytes). */
    token: t.hex().notNull(),
    transfers: t.integer().notNull().default(0),
    /** Sum of the origin amounts (local units) and of the wire amounts (shared decimals). */
    amount: t.bigint().notNull().default(0n),
    wireAmount: t.bigint().notNull().default(0n),
    firstAt: t.bigint().notNull(),
    lastAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.originDomain, table.destinationDomain, table.token] }),
  }),
);

/** Attester sets per chain: genesis, quorum rotations and executed emergency rotations. */
export const attesterSet = onchainTable(
  "attester_set",
  (t) => ({
    domain: t.integer().notNull(),
    setId: t.bigint().notNull(),
    setHash: t.hex().notNull(),
    /** "genesis", "rotation" or "emergency". */
    kind: t.text().notNull(),
    thresholdBps: t.integer(),
    memberCount: t.integer(),
    members: t.json(),
    installedAt: t.bigint().notNull(),
    installedBlock: t.bigint().notNull(),
    tx: t.hex().notNull(),
    /** When the previous set stops being accepted (0 = at once). */
    previousSetExpiresAt: t.bigint(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.domain, table.setId] }),
  }),
);

/** Emergency rotation proposals and their outcome. */
export const emergencyRotation = onchainTable(
  "emergency_rotation",
  (t) => ({
    domain: t.integer().notNull(),
    setHash: t.hex().notNull(),
    setId: t.bigint(),
    executableAt: t.bigint(),
    proposedAt: t.bigint().notNull(),
    /** proposed, executed, cancelled. */
    status: t.text().notNull(),
    closedAt: t.bigint(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.domain, table.setHash] }),
  }),
);

/** Equivocation evidence accepted on chain and the slashing it caused. */
export const slashing = onchainTable(
  "slashing",
  (t) => ({
    /** `<chainId>-<tx>-<logIndex>`. */
    id: t.text().primaryKey(),
    domain: t.integer().notNull(),
    attester: t.hex().notNull(),
    messageIdA: t.hex().notNull(),
    messageIdB: t.hex().notNull(),
    digestA: t.hex().notNull(),
    digestB: t.hex().notNull(),
    reporter: t.hex().notNull(),
    at: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  (table) => ({
    attesterIdx: index().on(table.attester),
  }),
);

/**
 * Per attester and chain: sets joined, deliveries it co-signed (from the attestations the deliveries carry) and
 * slashings. The bridge contracts emit no reward events, so there is no reward column (README.md).
 */
export const attesterStats = onchainTable(
  "attester_stats",
  (t) => ({
    domain: t.integer().notNull(),
    attester: t.hex().notNull(),
    setsJoined: t.integer().notNull().default(0),
    lastSetId: t.bigint(),
    signedDeliveries: t.integer().notNull().default(0),
    slashed: t.integer().notNull().default(0),
    lastSlashedAt: t.bigint(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.domain, table.attester] }),
  }),
);

/** Token legs seen inside a delivery transaction before the Gateway's outcome names their message (internal). */
export const pendingLeg = onchainTable("pending_leg", (t) => ({
  /** `<chainId>-<tx>`. */
  id: t.text().primaryKey(),
  kind: t.text().notNull(),
  token: t.hex().notNull(),
  recipient: t.hex().notNull(),
  amount: t.bigint().notNull(),
  queueId: t.bigint(),
  logIndex: t.integer().notNull(),
}));

/** The Solana reader's cursor: the newest confirmed signature it has fully written (src/solana/reader.ts). */
export const solanaCursor = onchainTable("solana_cursor", (t) => ({
  programId: t.text().primaryKey(),
  signature: t.text().notNull(),
  slot: t.bigint().notNull(),
  updatedAt: t.bigint().notNull(),
}));
