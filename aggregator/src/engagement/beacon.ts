// Engagement beacons (docs/protocol.md §12.1): a user's signed report of one impression or engagement, sent to its
// home node. The canonical bytes start with an ASCII tag and the domain (chain id and CommunityRegistry address), so a
// beacon signature is valid for this one format, one deployment and one chain. The persona signs keccak256 of them
// (the beacon's id) with EIP-191 personal_sign; clients build beacons with `signBeacon`.
import { CanonicalWriter } from "@maskoii/node-kit";
import {
  type Address,
  getAddress,
  type Hex,
  hexToBytes,
  isAddressEqual,
  keccak256,
  type LocalAccount,
  recoverMessageAddress,
  stringToBytes,
} from "viem";
import { z } from "zod";

export const BEACON_VERSION = 1;
export const BEACON_TAG = "maskoii engagement beacon v1";
/** Beacons per `POST /beacons`. */
export const MAX_BEACON_BATCH = 100;

const U64_MAX = (1n << 64n) - 1n;
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes in 0x hex");
export const communityIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,19}$/, "expected a community id (a positive integer)")
  .refine((s) => BigInt(s) <= U64_MAX, "expected a uint64");

/** The deployment a beacon is for: the chain and its CommunityRegistry (the community clock). */
export type EngagementDomain = { readonly chainId: number; readonly communityRegistry: Address };

export const beaconFieldsSchema = z
  .object({
    version: z.literal(BEACON_VERSION),
    community: communityIdSchema,
    epoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    action: z.enum(["impression", "engagement"]),
    /** `post:<canonical item id>` or `ad:<campaignId>`. */
    target: z
      .string()
      .max(520)
      .regex(/^(post:\S{3,512}|ad:[1-9][0-9]{0,19})$/, "expected post:<item id> or ad:<campaign id>"),
    platform: z.number().int().min(1).max(255),
    accountId: hex32,
    persona: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address"),
    nonce: hex32,
    /** Unix seconds when the client saw or engaged. */
    at: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40),
  })
  .strict();
export type BeaconFields = z.infer<typeof beaconFieldsSchema>;

export const beaconSchema = beaconFieldsSchema
  .extend({ signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature in 0x hex") })
  .strict();
export type Beacon = z.infer<typeof beaconSchema>;

export const beaconBatchSchema = z
  .object({
    beacons: z
      .array(z.unknown())
      .min(1, "send at least one beacon")
      .max(MAX_BEACON_BATCH, `at most ${MAX_BEACON_BATCH} beacons per batch`),
  })
  .strict();

/** The campaign id of an `ad:` target, or undefined for a post. */
export function adCampaignOf(target: string): bigint | undefined {
  return target.startsWith("ad:") ? BigInt(target.slice(3)) : undefined;
}

/** The canonical item id of a `post:` target, or undefined for an ad. */
export function postItemOf(target: string): string | undefined {
  return target.startsWith("post:") ? target.slice(5) : undefined;
}

/** The exact bytes a beacon's id hashes (tag, domain, then every field but the signature). */
export function beaconBytes(beacon: BeaconFields, domain: EngagementDomain): Uint8Array {
  return new CanonicalWriter()
    .raw(stringToBytes(BEACON_TAG))
    .uint(domain.chainId, 8)
    .fixed(domain.communityRegistry, 20)
    .uint(beacon.version, 1)
    .uint(BigInt(beacon.community), 8)
    .uint(beacon.epoch, 8)
    .uint(beacon.action === "impression" ? 0 : 1, 1)
    .text(beacon.target, 2)
    .uint(beacon.platform, 1)
    .fixed(beacon.accountId as Hex, 32)
    .fixed(beacon.persona as Hex, 20)
    .fixed(beacon.nonce as Hex, 32)
    .uint(beacon.at, 8)
    .toBytes();
}

/** keccak256 of the canonical bytes: the beacon's id, and what the persona signs. */
export function beaconId(beacon: BeaconFields, domain: EngagementDomain): Hex {
  return keccak256(beaconBytes(beacon, domain));
}

/** A random 32-byte nonce. */
export function randomNonce(): Hex {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

/** Signs a beacon with the persona's key (`persona` is taken from the signer). */
export async function signBeacon(
  fields: Omit<BeaconFields, "version" | "persona" | "nonce"> & { nonce?: Hex },
  domain: EngagementDomain,
  signer: Pick<LocalAccount, "address" | "signMessage">,
): Promise<Beacon> {
  const unsigned: BeaconFields = {
    ...fields,
    version: BEACON_VERSION,
    persona: getAddress(signer.address),
    nonce: fields.nonce ?? randomNonce(),
  };
  const signature = await signer.signMessage({ message: { raw: hexToBytes(beaconId(unsigned, domain)) } });
  return { ...unsigned, signature };
}

/** The tag of a batch-signed beacon batch's digest. */
export const BEACON_BATCH_TAG = "maskoii engagement beacon batch v1";

/**
 * A batch-signed beacon batch: up to MAX_BEACON_BATCH beacons of one persona, unsigned each, with one EIP-191
 * signature by the persona over `beaconBatchDigest` (docs/protocol.md §12.1). Verified once per batch; every filter
 * still judges each beacon.
 */
export const signedBeaconBatchSchema = z
  .object({
    persona: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address"),
    beacons: z
      .array(beaconFieldsSchema)
      .min(1, "send at least one beacon")
      .max(MAX_BEACON_BATCH, `at most ${MAX_BEACON_BATCH} beacons per batch`),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature in 0x hex"),
  })
  .strict();
export type SignedBeaconBatch = z.infer<typeof signedBeaconBatchSchema>;

/**
 * What the persona signs for a batch: keccak256 of the tag, the member count (uint16) and each member's beacon id in
 * batch order (each id already covers the beacon tag, the domain and every field, the persona included).
 */
export function beaconBatchDigest(beacons: readonly BeaconFields[], domain: EngagementDomain): Hex {
  const w = new CanonicalWriter().raw(stringToBytes(BEACON_BATCH_TAG)).uint(beacons.length, 2);
  for (const b of beacons) w.fixed(beaconId(b, domain), 32);
  return keccak256(w.toBytes());
}

/** Signs a batch of the persona's beacons once (`persona` and missing nonces filled in as `signBeacon` does). */
export async function signBeaconBatch(
  fields: readonly (Omit<BeaconFields, "version" | "persona" | "nonce"> & { nonce?: Hex })[],
  domain: EngagementDomain,
  signer: Pick<LocalAccount, "address" | "signMessage">,
): Promise<SignedBeaconBatch> {
  const persona = getAddress(signer.address);
  const beacons: BeaconFields[] = fields.map((f) => ({
    ...f,
    version: BEACON_VERSION,
    persona,
    nonce: f.nonce ?? randomNonce(),
  }));
  const signature = await signer.signMessage({ message: { raw: hexToBytes(beaconBatchDigest(beacons, domain)) } });
  return { persona, beacons, signature };
}

/** Whether every member names the batch's persona and the batch signature recovers to it under this domain. */
export async function verifyBeaconBatchSignature(batch: SignedBeaconBatch, domain: EngagementDomain): Promise<boolean> {
  const persona = batch.persona as Address;
  if (!batch.beacons.every((b) => isAddressEqual(b.persona as Address, persona))) return false;
  try {
    const signer = await recoverMessageAddress({
      message: { raw: hexToBytes(beaconBatchDigest(batch.beacons, domain)) },
      signature: batch.signature as Hex,
    });
    return isAddressEqual(signer, persona);
  } catch {
    return false;
  }
}

/** Whether the beacon's signature recovers to its persona under this domain. */
export async function verifyBeaconSignature(beacon: Beacon, domain: EngagementDomain): Promise<boolean> {
  const { signature, ...fields } = beacon;
  try {
    const signer = await recoverMessageAddress({
      message: { raw: hexToBytes(beaconId(fields, domain)) },
      signature: signature as Hex,
    });
    return isAddressEqual(signer, beacon.persona as Address);
  } catch {
    return false;
  }
}
