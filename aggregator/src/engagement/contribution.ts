// Contributions (docs/protocol.md §12.2): the only thing about engagement that leaves a node. One per (node,
// community, epoch), folded from the node's accepted beacons once the epoch closed: per user a salted pseudonym
// (`leaf`, unlinkable without the node's secret), the number of its distinct bound accounts that engaged, its ad counts
// per campaign (per-user caps applied) and its organic points per creator persona. Signed with the node's Koii ed25519
// key over canonical bytes; `contributionHash` is keccak256 of those bytes. The same beacons, in any order, give the
// same bytes.
import { CanonicalWriter, koiiPublicKeyOf, NodeError, verifyRelayerSignature } from "@maskoii/node-kit";
import { base58Decode } from "@maskoii/sdk";
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  type Address,
  bytesToHex,
  encodeAbiParameters,
  getAddress,
  type Hex,
  hexToBytes,
  keccak256,
  stringToBytes,
} from "viem";
import { z } from "zod";
import { communityIdSchema } from "./beacon.ts";
import type { StoredBeacon } from "./beacon-store.ts";

export const CONTRIBUTION_VERSION = 1;
export const CONTRIBUTION_TAG = "maskoii engagement contribution v1";
/** Per-user caps per (user, campaign, epoch). */
export const MAX_USER_IMPRESSIONS_PER_CAMPAIGN = 100;
export const MAX_USER_ENGAGEMENTS_PER_CAMPAIGN = 20;
/** Organic points a creator earns per impression and per engagement on its posts. */
export const IMPRESSION_POINTS = 1;
export const ENGAGEMENT_POINTS = 5;

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "expected 32 bytes in lower-case 0x hex");
const u64 = z.string().regex(/^[1-9][0-9]{0,19}$/, "expected a positive integer");

export const userLeafSchema = z
  .object({
    leaf: hex32,
    accounts: z.number().int().min(1).max(0xffffffff),
    ads: z
      .array(
        z
          .object({
            campaignId: u64,
            impressions: z.number().int().min(0).max(MAX_USER_IMPRESSIONS_PER_CAMPAIGN),
            engagements: z.number().int().min(0).max(MAX_USER_ENGAGEMENTS_PER_CAMPAIGN),
          })
          .strict(),
      )
      .max(0xffff),
    creators: z
      .array(
        z
          .object({
            persona: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address"),
            points: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
          })
          .strict(),
      )
      .max(0xffff),
  })
  .strict();
export type UserLeaf = z.infer<typeof userLeafSchema>;

export const contributionSchema = z
  .object({
    version: z.literal(CONTRIBUTION_VERSION),
    community: communityIdSchema,
    epoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    node: z.string().min(32).max(44),
    users: z.array(userLeafSchema),
    signature: z.string().regex(/^0x[0-9a-f]{128}$/, "expected a 64-byte ed25519 signature in lower-case 0x hex"),
  })
  .strict();
export type Contribution = z.infer<typeof contributionSchema>;

/** A contribution that fails verification: what is wrong. */
export class InvalidContributionError extends NodeError {
  override name = "InvalidContributionError";
  readonly reason: string;
  constructor(reason: string, detail: string) {
    super("InvalidContribution", `invalid contribution (${reason}): ${detail}`);
    this.reason = reason;
  }
}

function nodeKey(node: string): Uint8Array {
  const key = base58Decode(node);
  if (key === undefined || key.length !== 32)
    throw new InvalidContributionError("malformed", "node is not a 32-byte base58 key");
  return key;
}

/** The canonical bytes (everything but the signature). */
export function contributionBytes(c: Omit<Contribution, "signature">): Uint8Array {
  const w = new CanonicalWriter()
    .raw(stringToBytes(CONTRIBUTION_TAG))
    .uint(c.version, 1)
    .uint(BigInt(c.community), 8)
    .uint(c.epoch, 8)
    .raw(nodeKey(c.node))
    .uint(c.users.length, 4);
  for (const u of c.users) {
    w.fixed(u.leaf as Hex, 32)
      .uint(u.accounts, 4)
      .uint(u.ads.length, 2);
    for (const a of u.ads) w.uint(BigInt(a.campaignId), 8).uint(a.impressions, 4).uint(a.engagements, 4);
    w.uint(u.creators.length, 2);
    for (const cr of u.creators) w.fixed(cr.persona as Hex, 20).uint(cr.points, 8);
  }
  return w.toBytes();
}

export function contributionHash(c: Omit<Contribution, "signature">): Hex {
  return keccak256(contributionBytes(c));
}

/** The user's salted pseudonym: keccak256(abi.encode(nodeSecret, community, epoch, persona)). */
export function userLeafId(nodeSecret: Hex, community: bigint, epoch: number, persona: Address): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint64" }, { type: "address" }],
      [nodeSecret, community, BigInt(epoch), getAddress(persona)],
    ),
  );
}

const byHex = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** Folds the node's accepted beacons of one community epoch (any order; duplicates by id count once). */
export function buildContribution(args: {
  community: string;
  epoch: number;
  beacons: readonly StoredBeacon[];
  nodeSecret: Hex;
  ed25519PrivateKey: Hex;
}): Contribution {
  type Acc = {
    accounts: Set<string>;
    ads: Map<string, { impressions: number; engagements: number }>;
    creators: Map<string, number>;
  };
  const users = new Map<string, Acc>();
  const seen = new Set<string>();
  for (const b of args.beacons) {
    if (b.community !== args.community || b.epoch !== args.epoch) {
      throw new RangeError(`beacon ${b.beaconId} is of ${b.community}/${b.epoch}, not ${args.community}/${args.epoch}`);
    }
    const id = b.beaconId.toLowerCase();
    if (seen.has(id)) continue;
    seen.add(id);
    const persona = b.persona.toLowerCase();
    let u = users.get(persona);
    if (u === undefined) {
      u = { accounts: new Set(), ads: new Map(), creators: new Map() };
      users.set(persona, u);
    }
    u.accounts.add(`${b.platform}:${b.accountId.toLowerCase()}`);
    if (b.campaign !== null) {
      const a = u.ads.get(b.campaign) ?? { impressions: 0, engagements: 0 };
      if (b.action === "impression") a.impressions += 1;
      else a.engagements += 1;
      u.ads.set(b.campaign, a);
    } else if (b.creator !== null) {
      const creator = b.creator.toLowerCase();
      const points = b.action === "impression" ? IMPRESSION_POINTS : ENGAGEMENT_POINTS;
      u.creators.set(creator, (u.creators.get(creator) ?? 0) + points);
    }
  }
  const community = BigInt(args.community);
  const leaves: UserLeaf[] = [...users.entries()].map(([persona, u]) => ({
    leaf: userLeafId(args.nodeSecret, community, args.epoch, persona as Address),
    accounts: u.accounts.size,
    ads: [...u.ads.entries()]
      .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .map(([campaignId, a]) => ({
        campaignId,
        impressions: Math.min(a.impressions, MAX_USER_IMPRESSIONS_PER_CAMPAIGN),
        engagements: Math.min(a.engagements, MAX_USER_ENGAGEMENTS_PER_CAMPAIGN),
      })),
    creators: [...u.creators.entries()]
      .sort(([a], [b]) => byHex(a, b))
      .map(([persona, points]) => ({ persona: getAddress(persona), points })),
  }));
  leaves.sort((a, b) => byHex(a.leaf, b.leaf));
  const unsigned = {
    version: CONTRIBUTION_VERSION,
    community: args.community,
    epoch: args.epoch,
    node: koiiPublicKeyOf(args.ed25519PrivateKey),
    users: leaves,
  } as const;
  const signature = bytesToHex(ed25519.sign(contributionBytes(unsigned), hexToBytes(args.ed25519PrivateKey)));
  return { ...unsigned, signature };
}

function strictlyAscending<T>(items: readonly T[], key: (t: T) => bigint): boolean {
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1];
    const cur = items[i];
    if (prev === undefined || cur === undefined || key(prev) >= key(cur)) return false;
  }
  return true;
}

/**
 * Verifies a contribution: shape, the expected community, epoch and node, canonical order (users by leaf, ads by
 * campaign id, creators by persona, each strictly ascending), the caps, and the ed25519 signature under `node`.
 * Returns it parsed; throws InvalidContributionError naming the first failure.
 */
export function verifyContribution(
  value: unknown,
  expected: { community?: string; epoch?: number; node?: string } = {},
): Contribution {
  const parsed = contributionSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidContributionError(
      "malformed",
      `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const c = parsed.data;
  if (expected.community !== undefined && c.community !== expected.community) {
    throw new InvalidContributionError("wrong-community", `community ${c.community}, expected ${expected.community}`);
  }
  if (expected.epoch !== undefined && c.epoch !== expected.epoch) {
    throw new InvalidContributionError("wrong-epoch", `epoch ${c.epoch}, expected ${expected.epoch}`);
  }
  if (expected.node !== undefined && c.node !== expected.node) {
    throw new InvalidContributionError("wrong-node", `node ${c.node}, expected ${expected.node}`);
  }
  if (!strictlyAscending(c.users, (u) => BigInt(u.leaf))) {
    throw new InvalidContributionError("order", "users are not strictly ascending by leaf");
  }
  for (const [i, u] of c.users.entries()) {
    if (!strictlyAscending(u.ads, (a) => BigInt(a.campaignId))) {
      throw new InvalidContributionError("order", `users.${i}.ads are not strictly ascending by campaignId`);
    }
    if (!strictlyAscending(u.creators, (cr) => BigInt(cr.persona))) {
      throw new InvalidContributionError("order", `users.${i}.creators are not strictly ascending by persona`);
    }
  }
  const { signature, ...unsigned } = c;
  if (!verifyRelayerSignature(c.node, contributionBytes(unsigned), signature)) {
    throw new InvalidContributionError("bad-signature", `the ed25519 signature does not verify under ${c.node}`);
  }
  return c;
}
