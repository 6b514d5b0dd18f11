// The epoch report builder (docs/protocol.md §12.3): a pure function of its input (no I/O, no clock), so every node
// given the same contributions and chain state produces the same EpochReport, payout tree and Solana claims, byte for
// byte. Steps: merge the contributions (sorted by node), add the carry, k gate, lines (campaignId ascending, trimmed to
// the cap and the budget), split (sdk splitSpend), each line's creators' share divided by points (Solana personas in
// whole shared units first, then the EVM personas), the cumulative EVM tree (sdk PayoutTree, PayoutSlots, deriveSalt)
// and one §8 claims tree per token owed to Solana personas (sdk claimRoot). Every rounding rule is in §12.3.
import {
  addressToBytes32,
  type CheckedPayoutEntry,
  type ClaimLeaf,
  claimRoot,
  deriveSalt,
  type EpochReport,
  lineSpend,
  PayoutSlots,
  PayoutTree,
  reportHash,
  type SolanaDistribution,
  splitSpend,
} from "@maskoii/sdk";
import { type Address, encodeAbiParameters, getAddress, type Hex, keccak256, stringToHex } from "viem";
import { InvalidReportInputError } from "./errors.ts";
import type {
  AdCounts,
  CreatorPayout,
  CreatorPoints,
  EpochReportInput,
  ReportCampaign,
  RolloverCarry,
} from "./inputs.ts";

/** At most this many lines per report (EpochReports' `InvalidLineCount`). */
export const MAX_REPORT_LINES = 32;
/** At most this many leaves per Solana claims tree (the program's bound). */
export const MAX_SOLANA_LEAVES = 65_536;
const UINT64_MAX = (1n << 64n) - 1n;

/** One creator persona's part of one line. */
export type CreatorAmount = { readonly persona: Address; readonly family: "evm" | "svm"; readonly amount: bigint };

/** A line with how it was split and paid. */
export type LineDetail = {
  readonly campaignId: bigint;
  readonly token: Address;
  readonly impressions: bigint;
  readonly engagements: bigint;
  readonly spend: bigint;
  /** The sdk splitSpend shares. */
  readonly creatorsShare: bigint;
  readonly solanaCreators: bigint;
  /** Non-zero amounts, persona ascending. */
  readonly creators: readonly CreatorAmount[];
  /** The part of the creators' share no leaf holds (no EVM creator to take it): it stays in CreatorPayouts' pool. */
  readonly unallocated: bigint;
};

/** One token's Solana payout: the claims tree's leaves (index order) and whom each pays. */
export type SolanaPayout = {
  readonly token: Address;
  /** 10^(L − S). */
  readonly unit: bigint;
  /** Σ solanaCreators of the token's lines, local units (a multiple of unit). */
  readonly total: bigint;
  readonly root: Hex;
  readonly leaves: readonly ClaimLeaf[];
  /** leaves[i] pays personas[i]. */
  readonly personas: readonly Address[];
};

export type BuiltReport = {
  readonly kind: "report";
  readonly report: EpochReport;
  readonly reportHash: Hex;
  readonly lines: readonly LineDetail[];
  /** The whole EVM payout state after this report (every leaf under report.payoutRoot), in leaf order. */
  readonly payout: { readonly root: Hex; readonly entries: readonly CheckedPayoutEntry[] };
  readonly solana: readonly SolanaPayout[];
};

export type ReportOutcome =
  | BuiltReport
  /** Fewer than k distinct accounts: no report; `carry` (everything so far) rolls over to the next epoch. */
  | { readonly kind: "rolled-over"; readonly engagedAccounts: number; readonly carry: RolloverCarry }
  /** k reached but nothing billable (no live targeting campaign with counts): no report, nothing carried. */
  | { readonly kind: "empty"; readonly engagedAccounts: number };

const lower = (a: string) => a.toLowerCase();
const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const byBigint = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function count(field: string, v: number): bigint {
  if (!Number.isSafeInteger(v) || v < 0) throw new InvalidReportInputError(field, `expected a count, got ${v}`);
  return BigInt(v);
}

type Merged = {
  accounts: bigint;
  ads: Map<bigint, { impressions: bigint; engagements: bigint }>;
  points: Map<string, bigint>;
};

function addAds(m: Merged, ads: readonly AdCounts[], at: string): void {
  for (const [j, a] of ads.entries()) {
    const row = m.ads.get(a.campaignId) ?? { impressions: 0n, engagements: 0n };
    row.impressions += count(`${at}.ads[${j}].impressions`, a.impressions);
    row.engagements += count(`${at}.ads[${j}].engagements`, a.engagements);
    m.ads.set(a.campaignId, row);
  }
}

function addPoints(m: Merged, creators: readonly CreatorPoints[], at: string): void {
  for (const [j, c] of creators.entries()) {
    const key = lower(getAddress(c.persona));
    m.points.set(key, (m.points.get(key) ?? 0n) + count(`${at}.creators[${j}].points`, c.points));
  }
}

/** Merge: every user of every contribution (nodes ascending) and the carry, summed. */
function merge(input: EpochReportInput): Merged {
  const m: Merged = { accounts: 0n, ads: new Map(), points: new Map() };
  const nodes = new Set<string>();
  const sorted = [...input.contributions].sort((a, b) => byString(a.node, b.node));
  for (const c of sorted) {
    if (nodes.has(c.node)) throw new InvalidReportInputError("contributions", `node ${c.node} is listed twice`);
    nodes.add(c.node);
    for (const [i, u] of c.users.entries()) {
      const at = `contributions[${c.node}].users[${i}]`;
      m.accounts += count(`${at}.accounts`, u.accounts);
      addAds(m, u.ads, at);
      addPoints(m, u.creators, at);
    }
  }
  m.accounts += count("carry.accounts", input.carry.accounts);
  addAds(m, input.carry.ads, "carry");
  addPoints(m, input.carry.creators, "carry");
  return m;
}

function carryOf(m: Merged): RolloverCarry {
  return {
    accounts: Number(m.accounts),
    ads: [...m.ads]
      .filter(([, a]) => a.impressions + a.engagements > 0n)
      .sort(([a], [b]) => byBigint(a, b))
      .map(([campaignId, a]) => ({
        campaignId,
        impressions: Number(a.impressions),
        engagements: Number(a.engagements),
      })),
    creators: [...m.points]
      .filter(([, p]) => p > 0n)
      .sort(([a], [b]) => byString(a, b))
      .map(([persona, points]) => ({ persona: getAddress(persona), points: Number(points) })),
  };
}

/**
 * Trims (impressions, engagements) so the spend fits `limit`: engagements are kept first (as many as fit at cpe),
 * then impressions fill what remains (the largest i with floor(i·cpm/1000) ≤ rest). Never raises a count.
 */
export function trimToLimit(
  counts: { impressions: bigint; engagements: bigint },
  c: { cpm: bigint; cpe: bigint },
  limit: bigint,
): { impressions: bigint; engagements: bigint } {
  const engagements = c.cpe === 0n ? counts.engagements : minOf(counts.engagements, limit / c.cpe);
  const rest = limit - engagements * c.cpe;
  const fit = c.cpm === 0n ? counts.impressions : (1000n * (rest + 1n) - 1n) / c.cpm;
  return { impressions: minOf(minOf(counts.impressions, fit), UINT64_MAX), engagements };
}

/**
 * Divides `amount` among `weights` (persona → points): floor(amount·w/W) each, then the remaining units one each by
 * the largest remainder (amount·w mod W), ties by persona ascending. Σ = amount when W > 0; empty when W = 0.
 */
export function divideByPoints(amount: bigint, weights: ReadonlyMap<string, bigint>): Map<string, bigint> {
  const keys = [...weights.keys()].filter((k) => (weights.get(k) ?? 0n) > 0n).sort(byString);
  const total = keys.reduce((s, k) => s + (weights.get(k) ?? 0n), 0n);
  const out = new Map<string, bigint>();
  if (total === 0n) return out;
  let left = amount;
  const rems: { key: string; rem: bigint }[] = [];
  for (const k of keys) {
    const w = weights.get(k) ?? 0n;
    const share = (amount * w) / total;
    out.set(k, share);
    left -= share;
    rems.push({ key: k, rem: (amount * w) % total });
  }
  rems.sort((a, b) => (a.rem === b.rem ? byString(a.key, b.key) : a.rem > b.rem ? -1 : 1));
  for (let i = 0; left > 0n; i++, left--) {
    const k = rems[i]?.key;
    if (k === undefined) break;
    out.set(k, (out.get(k) ?? 0n) + 1n);
  }
  return out;
}

function checkPolicy(p: EpochReportInput["policy"]): void {
  const sum = p.creators + p.treasury + p.operators + p.protocol;
  if (sum !== 10_000) throw new InvalidReportInputError("policy", `shares sum to ${sum}, not 10000`);
}

/** The salt of a Solana claim leaf: sdk deriveSalt over the persona and a per-(community, epoch, token) tag. */
export function solanaClaimSalt(args: {
  secret: Hex;
  community: bigint;
  epoch: bigint;
  token: Address;
  persona: Address;
}): Hex {
  const tag = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint64" }, { type: "address" }],
      [keccak256(stringToHex("maskoii solana claim salt v1")), args.community, args.epoch, args.token],
    ),
  );
  return deriveSalt({ secret: args.secret, account: addressToBytes32(args.persona), token: tag });
}

/** Builds the report of one (community, epoch), or says why there is none. Pure. */
export function buildEpochReport(input: EpochReportInput): ReportOutcome {
  checkPolicy(input.policy);
  if (!Number.isInteger(input.k) || input.k < 1) throw new InvalidReportInputError("k", `expected ≥ 1, got ${input.k}`);
  const merged = merge(input);
  if (merged.accounts > 0xffff_ffffn) throw new InvalidReportInputError("accounts", "above uint32");
  const engagedAccounts = Number(merged.accounts);
  if (engagedAccounts < input.k) return { kind: "rolled-over", engagedAccounts, carry: carryOf(merged) };

  const campaigns = new Map<bigint, ReportCampaign>(input.campaigns.map((c) => [c.id, c]));
  const payouts = new Map<string, CreatorPayout>([...input.payouts].map(([k, v]) => [lower(k), v]));
  const units = new Map<string, bigint>([...input.solanaUnits].map(([k, v]) => [lower(k), v]));
  // Lines: billable campaigns ascending, trimmed to min(epochCap − epochSpent, available); empty lines dropped.
  const raw: { campaign: ReportCampaign; impressions: bigint; engagements: bigint; spend: bigint }[] = [];
  for (const [id, counts] of [...merged.ads].sort(([a], [b]) => byBigint(a, b))) {
    const c = campaigns.get(id);
    if (c === undefined || !c.live || !c.targets) continue;
    const capRoom = c.epochCap > c.epochSpent ? c.epochCap - c.epochSpent : 0n;
    const limit = minOf(capRoom, c.available);
    const t = trimToLimit(counts, c, limit < 0n ? 0n : limit);
    if (t.impressions + t.engagements === 0n) continue;
    raw.push({ campaign: c, ...t, spend: lineSpend({ ...t, cpm: c.cpm, cpe: c.cpe }) });
    if (raw.length === MAX_REPORT_LINES) break;
  }
  if (raw.length === 0) return { kind: "empty", engagedAccounts };

  const svmPoints = new Map<string, bigint>();
  const evmPoints = new Map<string, bigint>();
  for (const [persona, points] of merged.points) {
    if (points === 0n) continue;
    const p = payouts.get(persona);
    // A persona with no payout named is paid at itself on EVM (payoutOf's default).
    (p?.family === "svm" ? svmPoints : evmPoints).set(persona, points);
  }
  const allPoints = new Map([...svmPoints, ...evmPoints]);
  const totalPoints = [...allPoints.values()].reduce((s, v) => s + v, 0n);

  const lines: LineDetail[] = [];
  const evmOwed = new Map<string, bigint>(); // `${persona}|${token}` → amount
  const svmOwed = new Map<string, Map<string, bigint>>(); // token → persona → amount
  for (const r of raw) {
    const token = getAddress(r.campaign.token);
    const share = splitSpend(r.spend, input.policy).creators;
    const unit = units.get(lower(token));
    const amounts: CreatorAmount[] = [];
    let solana = 0n;
    // Solana personas: floor(share·points/P) rounded down to whole shared units (unit = 10^(L−S)); none without a route.
    if (unit !== undefined && unit > 0n && totalPoints > 0n) {
      for (const [persona, pts] of [...svmPoints].sort(([a], [b]) => byString(a, b))) {
        const a = ((share * pts) / (totalPoints * unit)) * unit;
        if (a === 0n) continue;
        solana += a;
        amounts.push({ persona: getAddress(persona), family: "svm", amount: a });
        const byPersona = svmOwed.get(lower(token)) ?? new Map<string, bigint>();
        byPersona.set(persona, (byPersona.get(persona) ?? 0n) + a);
        svmOwed.set(lower(token), byPersona);
      }
    }
    // EVM personas: the rest of the share, by their points (floor, largest remainder, persona ascending).
    const evmShare = totalPoints === 0n ? 0n : share - solana;
    const evm = divideByPoints(evmShare, evmPoints);
    let allocated = solana;
    for (const [persona, a] of evm) {
      allocated += a;
      if (a === 0n) continue;
      amounts.push({ persona: getAddress(persona), family: "evm", amount: a });
      const key = `${persona}|${lower(token)}`;
      evmOwed.set(key, (evmOwed.get(key) ?? 0n) + a);
    }
    amounts.sort((a, b) => byString(lower(a.persona), lower(b.persona)));
    lines.push({
      campaignId: r.campaign.id,
      token,
      impressions: r.impressions,
      engagements: r.engagements,
      spend: r.spend,
      creatorsShare: share,
      solanaCreators: solana,
      creators: amounts,
      unallocated: share - allocated,
    });
  }

  // The cumulative EVM tree: previous leaves carried (recipient updated to a newly named EVM payout), new amounts added.
  const slots = new PayoutSlots(input.prev.entries);
  const entries = new Map<string, CheckedPayoutEntry>();
  for (const e of input.prev.entries) entries.set(`${e.account}|${e.token}`, e);
  const recipientOf = (persona: string): Hex => {
    const p = payouts.get(persona);
    return addressToBytes32(p?.family === "evm" ? getAddress(p.recipient) : getAddress(persona));
  };
  for (const e of input.prev.entries) {
    const persona = lower(`0x${e.account.slice(26)}`);
    const p = payouts.get(persona);
    if (p?.family === "evm") entries.set(`${e.account}|${e.token}`, { ...e, recipient: recipientOf(persona) });
  }
  for (const [key, amount] of [...evmOwed].sort(([a], [b]) => byString(a, b))) {
    const [persona = "", token = ""] = key.split("|");
    const account = addressToBytes32(getAddress(persona));
    const tokenWord = addressToBytes32(getAddress(token));
    const id = `${account}|${tokenWord}`;
    const before = entries.get(id);
    entries.set(id, {
      slot: slots.slotOf(account, tokenWord),
      account,
      token: tokenWord,
      recipient: recipientOf(persona),
      cumulative: (before?.cumulative ?? 0n) + amount,
      salt: before?.salt ?? deriveSalt({ secret: input.saltSecret, account, token: tokenWord }),
    });
  }
  const tree = PayoutTree.build([...entries.values()]);

  // One §8 claims tree per token owed to Solana personas: leaves persona ascending, amounts in shared units.
  const solana: SolanaPayout[] = [];
  for (const [token, byPersona] of [...svmOwed].sort(([a], [b]) => byString(a, b))) {
    const unit = units.get(token) ?? 1n;
    const personas = [...byPersona.keys()].sort(byString);
    if (personas.length > MAX_SOLANA_LEAVES)
      throw new InvalidReportInputError("payouts", `more than ${MAX_SOLANA_LEAVES} Solana creators in ${token}`);
    const leaves: ClaimLeaf[] = personas.map((persona, index) => {
      const p = payouts.get(persona);
      const shared = (byPersona.get(persona) ?? 0n) / unit;
      if (shared > UINT64_MAX) throw new InvalidReportInputError("payouts", `Solana amount of ${persona} above uint64`);
      return {
        index,
        claimant: (p?.recipient ?? "0x") as Hex,
        amount: shared,
        salt: solanaClaimSalt({
          secret: input.saltSecret,
          community: input.community,
          epoch: input.epoch,
          token: getAddress(token),
          persona: getAddress(persona),
        }),
      };
    });
    const total = [...byPersona.values()].reduce((s, v) => s + v, 0n);
    solana.push({
      token: getAddress(token),
      unit,
      total,
      root: claimRoot(leaves),
      leaves,
      personas: personas.map((p) => getAddress(p)),
    });
  }

  const solanaEntries: SolanaDistribution[] = solana.map((s) => ({
    token: s.token,
    root: s.root,
    leafCount: s.leaves.length,
  }));
  const report: EpochReport = {
    communityId: input.community,
    epoch: input.epoch,
    engagedAccounts,
    lines: lines.map((l) => ({
      campaignId: l.campaignId,
      impressions: l.impressions,
      engagements: l.engagements,
      spend: l.spend,
      solanaCreators: l.solanaCreators,
    })),
    prevPayoutRoot: input.prev.root,
    payoutRoot: tree.root,
    payoutLeafCount: tree.leafCount,
    expired: [],
    solana: solanaEntries,
  };
  return {
    kind: "report",
    report,
    reportHash: reportHash(report),
    lines,
    payout: { root: tree.root, entries: tree.entries },
    solana,
  };
}
