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

// ---------------------------------------------------------------------------------------------------------------
// Revenue (issue 14 points 2 and 4): communities, identity bindings, campaigns, epoch reports with their lines,
// splits, claims, and aggregates kept current by src/revenue.ts. Every key starts with the chain id: each chain's
// revenue suite numbers its communities, campaigns and reports on its own.
// ---------------------------------------------------------------------------------------------------------------

/** Epoch report states: `challenged` = frozen (challengeConflicting or dispute) until a resolution. */
export const REPORT_STATUSES = ["pending", "challenged", "final", "rejected", "dropped"] as const;

export const community = onchainTable(
  "community",
  (t) => ({
    chainId: t.integer().notNull(),
    communityId: t.bigint().notNull(),
    owner: t.hex().notNull(),
    pendingOwner: t.hex(),
    treasury: t.hex().notNull(),
    metadataURI: t.text().notNull(),
    /** The split policy in force from `policyFrom` (basis points; the latest scheduled one). */
    creatorsBps: t.integer().notNull(),
    treasuryBps: t.integer().notNull(),
    operatorsBps: t.integer().notNull(),
    protocolBps: t.integer().notNull(),
    policyFrom: t.bigint().notNull(),
    kAnonymity: t.integer().notNull(),
    unclaimedExpiryEpochs: t.bigint().notNull(),
    sourceCount: t.integer().notNull().default(0),
    moderatorCount: t.integer().notNull().default(0),
    createdAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.communityId] }), ownerIdx: index().on(table.owner) }),
);

/** Every split policy a community scheduled, by the epoch it takes effect from. */
export const communityPolicy = onchainTable(
  "community_policy",
  (t) => ({
    chainId: t.integer().notNull(),
    communityId: t.bigint().notNull(),
    effectiveFrom: t.bigint().notNull(),
    creatorsBps: t.integer().notNull(),
    treasuryBps: t.integer().notNull(),
    operatorsBps: t.integer().notNull(),
    protocolBps: t.integer().notNull(),
    scheduledAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.communityId, table.effectiveFrom] }) }),
);

export const communitySource = onchainTable(
  "community_source",
  (t) => ({
    chainId: t.integer().notNull(),
    communityId: t.bigint().notNull(),
    sourceHash: t.hex().notNull(),
    source: t.hex(),
    active: t.boolean().notNull(),
    addedAt: t.bigint().notNull(),
    removedAt: t.bigint(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.communityId, table.sourceHash] }) }),
);

/** The current binding of each platform account (persona null once revoked or released). */
export const identityBinding = onchainTable(
  "identity_binding",
  (t) => ({
    chainId: t.integer().notNull(),
    platform: t.integer().notNull(),
    accountId: t.hex().notNull(),
    persona: t.hex(),
    sequence: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.platform, table.accountId] }),
    personaIdx: index().on(table.persona),
  }),
);

/** Every bind, revoke and release, in order. */
export const identityBindingEvent = onchainTable(
  "identity_binding_event",
  (t) => ({
    id: t.text().primaryKey(),
    chainId: t.integer().notNull(),
    platform: t.integer().notNull(),
    accountId: t.hex().notNull(),
    /** "bound", "revoked" (by the quorum) or "released" (by the persona). */
    kind: t.text().notNull(),
    persona: t.hex(),
    previousPersona: t.hex(),
    sequence: t.bigint().notNull(),
    at: t.bigint().notNull(),
    block: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  (table) => ({
    accountIdx: index().on(table.platform, table.accountId),
    personaIdx: index().on(table.persona),
  }),
);

/** Where a persona's creator payouts go (PayoutSet; family 1 EVM, 2 SVM). */
export const personaPayout = onchainTable(
  "persona_payout",
  (t) => ({
    chainId: t.integer().notNull(),
    persona: t.hex().notNull(),
    family: t.integer().notNull(),
    recipient: t.hex().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.persona] }) }),
);

/**
 * A campaign and its aggregates: `spent`, `impressions`, `engagements` from final reports, `reserved` from pending
 * (or challenged) ones, `engagementRate` = engagements / impressions of final reports.
 */
export const campaign = onchainTable(
  "campaign",
  (t) => ({
    chainId: t.integer().notNull(),
    campaignId: t.bigint().notNull(),
    advertiser: t.hex().notNull(),
    token: t.hex().notNull(),
    communities: t.json().$type<string[]>().notNull(),
    tags: t.json().$type<string[]>().notNull(),
    cpm: t.bigint().notNull(),
    cpe: t.bigint().notNull(),
    epochCap: t.bigint().notNull(),
    start: t.bigint().notNull(),
    end: t.bigint().notNull(),
    creativeHash: t.hex().notNull(),
    creativeURI: t.text().notNull(),
    /** "active", "paused" or "cancelled". */
    status: t.text().notNull(),
    funded: t.bigint().notNull(),
    spent: t.bigint().notNull().default(0n),
    reserved: t.bigint().notNull().default(0n),
    refunded: t.bigint().notNull().default(0n),
    impressions: t.bigint().notNull().default(0n),
    engagements: t.bigint().notNull().default(0n),
    engagementRate: t.doublePrecision().notNull().default(0),
    finalLines: t.integer().notNull().default(0),
    createdAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.campaignId] }),
    advertiserIdx: index().on(table.advertiser),
  }),
);

export const epochReport = onchainTable(
  "epoch_report",
  (t) => ({
    chainId: t.integer().notNull(),
    seq: t.bigint().notNull(),
    communityId: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    reportHash: t.hex().notNull(),
    payoutRoot: t.hex().notNull(),
    parent: t.bigint().notNull(),
    status: t.text().notNull(),
    /** Whether the lines were decoded from the `submit` calldata (false when submit came through another contract). */
    linesKnown: t.boolean().notNull(),
    engagedAccounts: t.integer(),
    payoutLeafCount: t.integer(),
    lineCount: t.integer().notNull().default(0),
    /** The lines' campaign ids (decimal strings), in report order. */
    campaignIds: t.json().$type<string[]>().notNull(),
    spend: t.bigint().notNull().default(0n),
    impressions: t.bigint().notNull().default(0n),
    engagements: t.bigint().notNull().default(0n),
    submittedAt: t.bigint().notNull(),
    submittedTx: t.hex().notNull(),
    challengedAt: t.bigint(),
    /** The challenger (challengeConflicting) or the disputer (dispute). */
    challenger: t.hex(),
    conflictingReportHash: t.hex(),
    bond: t.bigint(),
    resolvedAt: t.bigint(),
    upheld: t.boolean(),
    finalizedAt: t.bigint(),
    droppedAt: t.bigint(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.seq] }),
    communityEpochIdx: index().on(table.communityId, table.epoch),
    statusIdx: index().on(table.status),
  }),
);

/** One campaign line of a report (from the submit calldata), with the report's status. */
export const reportLine = onchainTable(
  "report_line",
  (t) => ({
    chainId: t.integer().notNull(),
    seq: t.bigint().notNull(),
    campaignId: t.bigint().notNull(),
    communityId: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    impressions: t.bigint().notNull(),
    engagements: t.bigint().notNull(),
    spend: t.bigint().notNull(),
    solanaCreators: t.bigint().notNull(),
    status: t.text().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.seq, table.campaignId] }),
    campaignIdx: index().on(table.campaignId, table.epoch),
  }),
);

/** A final line's split (SpendCommitted). */
export const split = onchainTable(
  "split",
  (t) => ({
    id: t.text().primaryKey(),
    chainId: t.integer().notNull(),
    campaignId: t.bigint().notNull(),
    communityId: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    token: t.hex().notNull(),
    spend: t.bigint().notNull(),
    creators: t.bigint().notNull(),
    treasury: t.bigint().notNull(),
    operators: t.bigint().notNull(),
    protocol: t.bigint().notNull(),
    at: t.bigint().notNull(),
  }),
  (table) => ({ campaignIdx: index().on(table.campaignId), communityIdx: index().on(table.communityId, table.epoch) }),
);

/** A creator's claim (CreatorPayouts Claimed). */
export const claim = onchainTable(
  "claim",
  (t) => ({
    id: t.text().primaryKey(),
    chainId: t.integer().notNull(),
    persona: t.hex().notNull(),
    token: t.hex().notNull(),
    to: t.hex().notNull(),
    amount: t.bigint().notNull(),
    at: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  (table) => ({ personaIdx: index().on(table.persona) }),
);

/**
 * A final report's Solana payout (docs/protocol.md §11.3): the creators' parts owed on Solana, sent through the bridge
 * as one distribution. `messageId` is the Gateway message, whose lifecycle (delivery on Solana, by the Solana reader)
 * is in `message`. Written by the ledger's and EpochReports' `SolanaPayoutSent` (same transaction, either order).
 */
export const solanaPayout = onchainTable(
  "solana_payout",
  (t) => ({
    chainId: t.integer().notNull(),
    distributionId: t.hex().notNull(),
    /** The report (EpochReports `seq`) and the index of its `solana` entry. */
    seq: t.bigint(),
    index: t.integer(),
    token: t.hex().notNull(),
    /** Local units of `token` that left the ledger's Solana bucket. */
    amount: t.bigint(),
    messageId: t.hex().notNull(),
    sentAt: t.bigint().notNull(),
    sentTx: t.hex().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.distributionId] }),
    seqIdx: index().on(table.seq),
    messageIdx: index().on(table.messageId),
  }),
);

/** Revenue of a community in an epoch, per token, from final reports' splits. */
export const communityEpochRevenue = onchainTable(
  "community_epoch_revenue",
  (t) => ({
    chainId: t.integer().notNull(),
    communityId: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    token: t.hex().notNull(),
    spend: t.bigint().notNull(),
    creators: t.bigint().notNull(),
    treasury: t.bigint().notNull(),
    operators: t.bigint().notNull(),
    protocol: t.bigint().notNull(),
    lines: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.communityId, table.epoch, table.token] }) }),
);

/**
 * A creator's (persona's) earnings per token. Only `claimed` is derivable from events: a final root commits to each
 * persona's cumulative amount, but the leaves are off chain (the aggregator's payout tree), so what a persona may
 * still claim is not in any event (README.md).
 */
export const creatorEarnings = onchainTable(
  "creator_earnings",
  (t) => ({
    chainId: t.integer().notNull(),
    persona: t.hex().notNull(),
    token: t.hex().notNull(),
    claimed: t.bigint().notNull(),
    claims: t.integer().notNull(),
    lastClaimAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.persona, table.token] }) }),
);

/**
 * Ledger balances per token: `operator` (owner = operator address), `treasury` (owner = community id), `protocol`
 * (owner = "protocol"), `solana` (owner = "creators": the creators' parts owed on Solana, out as Solana payouts);
 * balance = accrued − withdrawn.
 */
export const ledgerBalance = onchainTable(
  "ledger_balance",
  (t) => ({
    chainId: t.integer().notNull(),
    kind: t.text().notNull(),
    owner: t.text().notNull(),
    token: t.hex().notNull(),
    accrued: t.bigint().notNull(),
    withdrawn: t.bigint().notNull(),
    balance: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.chainId, table.kind, table.owner, table.token] }) }),
);
