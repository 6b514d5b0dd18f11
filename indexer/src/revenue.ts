// EVM handlers of the revenue suite (issue 14 points 2 and 4): CommunityRegistry, IdentityRegistry, CampaignLedger,
// EpochReports and CreatorPayouts, written into the revenue tables of ponder.schema.ts with their aggregates (revenue
// per community and epoch, campaign spend/impressions/engagements, creators' claims, ledger balances) kept current.
import { type Context, ponder } from "ponder:registry";
import schema from "ponder:schema";
import { epochReportsAbi } from "@maskoii/sdk";
import { decodeFunctionData, type Hex } from "viem";

const {
  campaign,
  claim,
  community,
  communityEpochRevenue,
  communityPolicy,
  communitySource,
  creatorEarnings,
  epochReport,
  identityBinding,
  identityBindingEvent,
  ledgerBalance,
  personaPayout,
  reportLine,
  solanaPayout,
  split,
} = schema;

type Db = Context["db"];
type EventBase = {
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex; input: Hex };
  log: { logIndex: number };
};

const lower = (a: Hex): Hex => a.toLowerCase() as Hex;
const eventId = (chainId: number, event: EventBase) => `${chainId}-${event.transaction.hash}-${event.log.logIndex}`;

/** The four basis-point shares of a packed SplitPolicy word (contracts/src/types/SplitPolicy.sol). */
export function unpackPolicy(policy: bigint) {
  const bps = (shift: bigint) => Number((policy >> shift) & 0xffffn);
  return { creatorsBps: bps(48n), treasuryBps: bps(32n), operatorsBps: bps(16n), protocolBps: bps(0n) };
}

async function credit(db: Db, chainId: number, kind: string, owner: string, token: Hex, accrued: bigint, out = 0n) {
  await db
    .insert(ledgerBalance)
    .values({ chainId, kind, owner, token: lower(token), accrued, withdrawn: out, balance: accrued - out })
    .onConflictDoUpdate((row) => ({
      accrued: row.accrued + accrued,
      withdrawn: row.withdrawn + out,
      balance: row.balance + accrued - out,
    }));
}

/** Sets the status of a report and of its lines. */
async function setReportStatus(db: Db, chainId: number, seq: bigint, status: string, extra: Record<string, unknown>) {
  const report = await db.update(epochReport, { chainId, seq }).set({ status, ...extra });
  for (const campaignId of report.campaignIds) {
    await db.update(reportLine, { chainId, seq, campaignId: BigInt(campaignId) }).set({ status });
  }
  return report;
}

// ---------------------------------------------------------------------------------------------------------------
// CommunityRegistry
// ---------------------------------------------------------------------------------------------------------------

ponder.on("CommunityRegistry:CommunityCreated", async ({ event, context }) => {
  const a = event.args;
  const chainId = context.chain.id;
  const policy = unpackPolicy(BigInt(a.policy));
  await context.db.insert(community).values({
    chainId,
    communityId: a.communityId,
    owner: lower(a.owner),
    treasury: lower(a.treasury),
    metadataURI: a.metadataURI,
    ...policy,
    policyFrom: 0n,
    kAnonymity: a.kAnonymity,
    unclaimedExpiryEpochs: BigInt(a.unclaimedExpiryEpochs),
    createdAt: event.block.timestamp,
  });
  await context.db
    .insert(communityPolicy)
    .values({ chainId, communityId: a.communityId, effectiveFrom: 0n, ...policy, scheduledAt: event.block.timestamp })
    .onConflictDoNothing();
});

ponder.on("CommunityRegistry:TreasurySet", async ({ event, context }) => {
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set({ treasury: lower(event.args.treasury) });
});

ponder.on("CommunityRegistry:PolicyScheduled", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { communityId, effectiveFrom } = event.args;
  const policy = unpackPolicy(BigInt(event.args.policy));
  await context.db
    .insert(communityPolicy)
    .values({ chainId, communityId, effectiveFrom, ...policy, scheduledAt: event.block.timestamp })
    .onConflictDoUpdate({ ...policy, scheduledAt: event.block.timestamp });
  await context.db
    .update(community, { chainId, communityId })
    .set((row) => (effectiveFrom >= row.policyFrom ? { ...policy, policyFrom: effectiveFrom } : {}));
});

ponder.on("CommunityRegistry:KAnonymitySet", async ({ event, context }) => {
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set({ kAnonymity: event.args.kAnonymity });
});

ponder.on("CommunityRegistry:UnclaimedExpirySet", async ({ event, context }) => {
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set({ unclaimedExpiryEpochs: BigInt(event.args.unclaimedExpiryEpochs) });
});

ponder.on("CommunityRegistry:ModeratorAdded", async ({ event, context }) => {
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set((row) => ({ moderatorCount: row.moderatorCount + 1 }));
});

ponder.on("CommunityRegistry:ModeratorRemoved", async ({ event, context }) => {
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set((row) => ({ moderatorCount: Math.max(0, row.moderatorCount - 1) }));
});

ponder.on("CommunityRegistry:OwnershipTransferStarted", async ({ event, context }) => {
  const p = event.args.pendingOwner;
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set({ pendingOwner: /^0x0{40}$/.test(p) ? null : lower(p) });
});

ponder.on("CommunityRegistry:OwnershipTransferred", async ({ event, context }) => {
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set({ owner: lower(event.args.newOwner), pendingOwner: null });
});

ponder.on("CommunityRegistry:MetadataSet", async ({ event, context }) => {
  await context.db
    .update(community, { chainId: context.chain.id, communityId: event.args.communityId })
    .set({ metadataURI: event.args.metadataURI });
});

ponder.on("CommunityRegistry:SourceAdded", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { communityId, sourceHash, source } = event.args;
  await context.db
    .insert(communitySource)
    .values({ chainId, communityId, sourceHash, source, active: true, addedAt: event.block.timestamp })
    .onConflictDoUpdate({ source, active: true, addedAt: event.block.timestamp, removedAt: null });
  await context.db.update(community, { chainId, communityId }).set((row) => ({ sourceCount: row.sourceCount + 1 }));
});

ponder.on("CommunityRegistry:SourceRemoved", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { communityId, sourceHash } = event.args;
  await context.db
    .update(communitySource, { chainId, communityId, sourceHash })
    .set({ active: false, removedAt: event.block.timestamp });
  await context.db
    .update(community, { chainId, communityId })
    .set((row) => ({ sourceCount: Math.max(0, row.sourceCount - 1) }));
});

// ---------------------------------------------------------------------------------------------------------------
// IdentityRegistry
// ---------------------------------------------------------------------------------------------------------------

const ZERO_ADDRESS = /^0x0{40}$/;
const orNull = (a: Hex): Hex | null => (ZERO_ADDRESS.test(a) ? null : lower(a));

ponder.on("IdentityRegistry:AccountBound", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { platform, accountId, persona, previousPersona, sequence } = event.args;
  await context.db
    .insert(identityBinding)
    .values({ chainId, platform, accountId, persona: lower(persona), sequence, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ persona: lower(persona), sequence, updatedAt: event.block.timestamp });
  await context.db.insert(identityBindingEvent).values({
    id: eventId(chainId, event),
    chainId,
    platform,
    accountId,
    kind: "bound",
    persona: lower(persona),
    previousPersona: orNull(previousPersona),
    sequence,
    at: event.block.timestamp,
    block: event.block.number,
    tx: event.transaction.hash,
  });
});

ponder.on("IdentityRegistry:AccountUnbound", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { platform, accountId, previousPersona, sequence, byPersona } = event.args;
  await context.db
    .insert(identityBinding)
    .values({ chainId, platform, accountId, persona: null, sequence, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ persona: null, sequence, updatedAt: event.block.timestamp });
  await context.db.insert(identityBindingEvent).values({
    id: eventId(chainId, event),
    chainId,
    platform,
    accountId,
    kind: byPersona ? "released" : "revoked",
    persona: null,
    previousPersona: orNull(previousPersona),
    sequence,
    at: event.block.timestamp,
    block: event.block.number,
    tx: event.transaction.hash,
  });
});

ponder.on("IdentityRegistry:PayoutSet", async ({ event, context }) => {
  const { persona, family, recipient } = event.args;
  await context.db
    .insert(personaPayout)
    .values({ chainId: context.chain.id, persona: lower(persona), family, recipient, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ family, recipient, updatedAt: event.block.timestamp });
});

// ---------------------------------------------------------------------------------------------------------------
// CampaignLedger
// ---------------------------------------------------------------------------------------------------------------

ponder.on("CampaignLedger:CampaignCreated", async ({ event, context }) => {
  const { campaignId, advertiser, token, params } = event.args;
  await context.db.insert(campaign).values({
    chainId: context.chain.id,
    campaignId,
    advertiser: lower(advertiser),
    token: lower(token),
    communities: params.communities.map(String),
    tags: [...params.tags],
    cpm: params.cpm,
    cpe: params.cpe,
    epochCap: params.epochCap,
    start: BigInt(params.start),
    end: BigInt(params.end),
    creativeHash: params.creativeHash,
    creativeURI: params.creativeURI,
    status: "active",
    funded: params.budget,
    createdAt: event.block.timestamp,
  });
});

ponder.on("CampaignLedger:CampaignToppedUp", async ({ event, context }) => {
  await context.db
    .update(campaign, { chainId: context.chain.id, campaignId: event.args.campaignId })
    .set((row) => ({ funded: row.funded + event.args.amount }));
});

ponder.on("CampaignLedger:CampaignPaused", async ({ event, context }) => {
  await context.db
    .update(campaign, { chainId: context.chain.id, campaignId: event.args.campaignId })
    .set({ status: "paused" });
});

ponder.on("CampaignLedger:CampaignUnpaused", async ({ event, context }) => {
  await context.db
    .update(campaign, { chainId: context.chain.id, campaignId: event.args.campaignId })
    .set({ status: "active" });
});

ponder.on("CampaignLedger:CampaignCancelled", async ({ event, context }) => {
  await context.db
    .update(campaign, { chainId: context.chain.id, campaignId: event.args.campaignId })
    .set({ status: "cancelled" });
});

ponder.on("CampaignLedger:CampaignRefunded", async ({ event, context }) => {
  await context.db
    .update(campaign, { chainId: context.chain.id, campaignId: event.args.campaignId })
    .set((row) => ({ refunded: row.refunded + event.args.amount }));
});

ponder.on("CampaignLedger:SpendCommitted", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { campaignId, communityId, epoch, spend, creators, treasury, operators, protocol } = event.args;
  const c = await context.db
    .update(campaign, { chainId, campaignId })
    .set((row) => ({ spent: row.spent + spend, reserved: row.reserved > spend ? row.reserved - spend : 0n }));
  const token = c.token;
  await context.db.insert(split).values({
    id: eventId(chainId, event),
    chainId,
    campaignId,
    communityId,
    epoch,
    token,
    spend,
    creators,
    treasury,
    operators,
    protocol,
    at: event.block.timestamp,
  });
  await context.db
    .insert(communityEpochRevenue)
    .values({ chainId, communityId, epoch, token, spend, creators, treasury, operators, protocol, lines: 1 })
    .onConflictDoUpdate((row) => ({
      spend: row.spend + spend,
      creators: row.creators + creators,
      treasury: row.treasury + treasury,
      operators: row.operators + operators,
      protocol: row.protocol + protocol,
      lines: row.lines + 1,
    }));
  await credit(context.db, chainId, "treasury", communityId.toString(), token, treasury);
  await credit(context.db, chainId, "protocol", "protocol", token, protocol);
});

ponder.on("CampaignLedger:SpendReleased", async ({ event, context }) => {
  const { spend } = event.args;
  await context.db
    .update(campaign, { chainId: context.chain.id, campaignId: event.args.campaignId })
    .set((row) => ({ reserved: row.reserved > spend ? row.reserved - spend : 0n }));
});

ponder.on("CampaignLedger:OperatorAccrued", async ({ event, context }) => {
  const { operator, token, amount } = event.args;
  await credit(context.db, context.chain.id, "operator", lower(operator), token, amount);
});

ponder.on("CampaignLedger:DustAccrued", async ({ event, context }) => {
  await credit(context.db, context.chain.id, "protocol", "protocol", event.args.token, event.args.amount);
});

ponder.on("CampaignLedger:SolanaPendingAccrued", async ({ event, context }) => {
  await credit(context.db, context.chain.id, "solana", "creators", event.args.token, event.args.amount);
});

ponder.on("CampaignLedger:SolanaPayoutSent", async ({ event, context }) => {
  const { token, distributionId, messageId, amount } = event.args;
  const chainId = context.chain.id;
  await credit(context.db, chainId, "solana", "creators", token, 0n, amount);
  await context.db
    .insert(solanaPayout)
    .values({
      chainId,
      distributionId: lower(distributionId),
      token: lower(token),
      amount,
      messageId: lower(messageId),
      sentAt: event.block.timestamp,
      sentTx: event.transaction.hash,
    })
    .onConflictDoUpdate({ amount });
});

ponder.on("CampaignLedger:ExpiredReturned", async ({ event, context }) => {
  const { communityId, token, amount } = event.args;
  await credit(context.db, context.chain.id, "treasury", communityId.toString(), token, amount);
});

ponder.on("CampaignLedger:TreasuryWithdrawn", async ({ event, context }) => {
  const { communityId, token, amount } = event.args;
  await credit(context.db, context.chain.id, "treasury", communityId.toString(), token, 0n, amount);
});

ponder.on("CampaignLedger:OperatorWithdrawn", async ({ event, context }) => {
  const { operator, token, amount } = event.args;
  await credit(context.db, context.chain.id, "operator", lower(operator), token, 0n, amount);
});

ponder.on("CampaignLedger:ProtocolFeesWithdrawn", async ({ event, context }) => {
  await credit(context.db, context.chain.id, "protocol", "protocol", event.args.token, 0n, event.args.amount);
});

// ---------------------------------------------------------------------------------------------------------------
// EpochReports
// ---------------------------------------------------------------------------------------------------------------

type Line = { campaignId: bigint; impressions: bigint; engagements: bigint; spend: bigint; solanaCreators: bigint };

/** The report of a `submit` call (calldata), when the transaction called EpochReports directly. */
function submittedReport(input: Hex, communityId: bigint, epoch: bigint) {
  try {
    const call = decodeFunctionData({ abi: epochReportsAbi, data: input });
    if (call.functionName !== "submit") return undefined;
    const report = call.args[0];
    return report.communityId === communityId && report.epoch === epoch ? report : undefined;
  } catch {
    return undefined; // submitted through another contract: only the event's fields are known
  }
}

ponder.on("EpochReports:ReportSubmitted", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { seq, communityId, epoch, reportHash, payoutRoot, parent } = event.args;
  const report = submittedReport(event.transaction.input, communityId, epoch);
  const lines: readonly Line[] = report?.lines ?? [];
  const sum = (f: (l: Line) => bigint) => lines.reduce((s, l) => s + f(l), 0n);
  await context.db.insert(epochReport).values({
    chainId,
    seq,
    communityId,
    epoch,
    reportHash,
    payoutRoot,
    parent,
    status: "pending",
    linesKnown: report !== undefined,
    engagedAccounts: report?.engagedAccounts ?? null,
    payoutLeafCount: report?.payoutLeafCount ?? null,
    lineCount: lines.length,
    campaignIds: lines.map((l) => l.campaignId.toString()),
    spend: sum((l) => l.spend),
    impressions: sum((l) => l.impressions),
    engagements: sum((l) => l.engagements),
    submittedAt: event.block.timestamp,
    submittedTx: event.transaction.hash,
  });
  for (const l of lines) {
    await context.db.insert(reportLine).values({ chainId, seq, communityId, epoch, ...l, status: "pending" });
    await context.db
      .update(campaign, { chainId, campaignId: l.campaignId })
      .set((row) => ({ reserved: row.reserved + l.spend }));
  }
});

ponder.on("EpochReports:ReportChallenged", async ({ event, context }) => {
  await setReportStatus(context.db, context.chain.id, event.args.seq, "challenged", {
    challengedAt: event.block.timestamp,
    challenger: lower(event.args.challenger),
    conflictingReportHash: event.args.conflictingReportHash,
  });
});

ponder.on("EpochReports:ReportDisputed", async ({ event, context }) => {
  await setReportStatus(context.db, context.chain.id, event.args.seq, "challenged", {
    challengedAt: event.block.timestamp,
    challenger: lower(event.args.disputer),
    bond: event.args.bond,
  });
});

ponder.on("EpochReports:ReportResolved", async ({ event, context }) => {
  const { seq, upheld } = event.args;
  await setReportStatus(context.db, context.chain.id, seq, upheld ? "rejected" : "pending", {
    resolvedAt: event.block.timestamp,
    upheld,
  });
});

ponder.on("EpochReports:ReportDropped", async ({ event, context }) => {
  await setReportStatus(context.db, context.chain.id, event.args.seq, "dropped", { droppedAt: event.block.timestamp });
});

ponder.on("EpochReports:SolanaPayoutSent", async ({ event, context }) => {
  const { seq, index, token, distributionId, messageId } = event.args;
  await context.db
    .insert(solanaPayout)
    .values({
      chainId: context.chain.id,
      distributionId: lower(distributionId),
      seq,
      index: Number(index),
      token: lower(token),
      messageId: lower(messageId),
      sentAt: event.block.timestamp,
      sentTx: event.transaction.hash,
    })
    .onConflictDoUpdate({ seq, index: Number(index) });
});

ponder.on("EpochReports:ReportFinalized", async ({ event, context }) => {
  const chainId = context.chain.id;
  const report = await setReportStatus(context.db, chainId, event.args.seq, "final", {
    finalizedAt: event.block.timestamp,
  });
  // Impressions and engagements count once their report is final (spend: SpendCommitted, emitted just before).
  for (const id of report.campaignIds) {
    const campaignId = BigInt(id);
    const line = await context.db.find(reportLine, { chainId, seq: report.seq, campaignId });
    if (line === null) continue;
    await context.db.update(campaign, { chainId, campaignId }).set((row) => {
      const impressions = row.impressions + line.impressions;
      const engagements = row.engagements + line.engagements;
      return {
        impressions,
        engagements,
        engagementRate: impressions === 0n ? 0 : Number(engagements) / Number(impressions),
        finalLines: row.finalLines + 1,
      };
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// CreatorPayouts
// ---------------------------------------------------------------------------------------------------------------

ponder.on("CreatorPayouts:Claimed", async ({ event, context }) => {
  const chainId = context.chain.id;
  const { persona, token, to, amount } = event.args;
  await context.db.insert(claim).values({
    id: eventId(chainId, event),
    chainId,
    persona: lower(persona),
    token: lower(token),
    to: lower(to),
    amount,
    at: event.block.timestamp,
    tx: event.transaction.hash,
  });
  await context.db
    .insert(creatorEarnings)
    .values({
      chainId,
      persona: lower(persona),
      token: lower(token),
      claimed: amount,
      claims: 1,
      lastClaimAt: event.block.timestamp,
    })
    .onConflictDoUpdate((row) => ({
      claimed: row.claimed + amount,
      claims: row.claims + 1,
      lastClaimAt: event.block.timestamp,
    }));
});
