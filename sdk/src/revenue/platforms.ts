/**
 * Social platforms and their 32-byte account ids (docs/protocol.md §11.2). The contracts only see `(platform,
 * accountId)`; these helpers are the one rule turning a platform's own account name into the id, so every node derives
 * the same id for the same account.
 */
import { type Hex, keccak256, stringToHex } from "viem";
import { InvalidAccountIdError, UnknownPlatformError } from "../errors/index.ts";
import { uintHex } from "../internal/assert.ts";

/** Platform numbers, as RevenueCodec.sol's PLATFORM_* constants. */
export const Platform = {
  /** accountId = bytes32(uint256(fid)). */
  Farcaster: 1,
  /** accountId = keccak256(utf8 DID), e.g. `did:plc:...`. */
  Bluesky: 2,
  /** accountId = keccak256(utf8 actor URI), the actor document's `id` exactly. */
  ActivityPub: 3,
  /** accountId = bytes32(uint256(profileId)). */
  Lens: 4,
  /** accountId = keccak256(utf8 lowercase handle, without the leading '@'). */
  X: 5,
} as const;

/** A platform number (1..5). */
export type Platform = (typeof Platform)[keyof typeof Platform];

/** The largest defined platform; 0 and anything above are unknown. */
export const MAX_PLATFORM = Platform.X;

/** Lower-case platform names, as the vectors and the CLI spell them. */
export const PLATFORM_NAMES: Readonly<Record<Platform, string>> = {
  1: "farcaster",
  2: "bluesky",
  3: "activitypub",
  4: "lens",
  5: "x",
};

/** Whether `value` is a defined platform number. */
export function isPlatform(value: unknown): value is Platform {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_PLATFORM;
}

/** Returns `value` as a platform; throws `UnknownPlatformError` (RevenueCodec.UnknownPlatform) unless 1..5. */
export function assertPlatform(value: unknown): Platform {
  if (!isPlatform(value)) throw new UnknownPlatformError(value);
  return value;
}

const U256_MAX = (1n << 256n) - 1n;
/** atproto caps a DID at 2 KiB; the same cap keeps actor URIs bounded. */
const MAX_NAME_LENGTH = 2048;
const DID_RE = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._%-]$/;
const X_HANDLE_RE = /^[a-z0-9_]{1,15}$/;

function numericId(platform: Platform, value: unknown): Hex {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === "string" && /^[1-9][0-9]*$/.test(value) && value.length <= 78) v = BigInt(value);
  else throw new InvalidAccountIdError(platform, value, "expected a positive integer");
  if (v < 1n || v > U256_MAX) throw new InvalidAccountIdError(platform, value, "expected an integer in [1, 2^256 - 1]");
  return `0x${uintHex(v, 32)}`;
}

/** The account id of a Farcaster fid: bytes32(uint256(fid)). A decimal string, number or bigint, at least 1. */
export function farcasterAccountId(fid: bigint | number | string): Hex {
  return numericId(Platform.Farcaster, fid);
}

/** The account id of a Lens profile id: bytes32(uint256(profileId)). A decimal string, number or bigint, at least 1. */
export function lensAccountId(profileId: bigint | number | string): Hex {
  return numericId(Platform.Lens, profileId);
}

/**
 * The account id of a Bluesky account: keccak256 of its DID's UTF-8 bytes, exactly as given (DIDs are case-sensitive;
 * never the handle, which can change). Throws unless it is a syntactically valid DID of at most 2048 characters.
 */
export function blueskyAccountId(did: string): Hex {
  if (typeof did !== "string" || did.length > MAX_NAME_LENGTH || !DID_RE.test(did)) {
    throw new InvalidAccountIdError(Platform.Bluesky, did, "expected a DID such as did:plc:...");
  }
  return keccak256(stringToHex(did));
}

/**
 * The account id of an ActivityPub (Mastodon, ...) actor: keccak256 of the UTF-8 bytes of its actor URI, exactly as the
 * actor document's `id` gives it (no normalization). Throws unless it is an absolute http(s) URL without fragment or
 * whitespace, of at most 2048 characters.
 */
export function activityPubAccountId(actorUri: string): Hex {
  const bad = (reason: string) => new InvalidAccountIdError(Platform.ActivityPub, actorUri, reason);
  if (typeof actorUri !== "string" || actorUri.length > MAX_NAME_LENGTH) throw bad("expected a URI of ≤ 2048 chars");
  if (/\s/.test(actorUri) || actorUri.includes("#")) throw bad("whitespace or a fragment");
  let url: URL;
  try {
    url = new URL(actorUri);
  } catch {
    throw bad("not an absolute URL");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.host === "") throw bad("expected an http(s) URL");
  return keccak256(stringToHex(actorUri));
}

/**
 * The normalized X handle: one leading '@' dropped, lower-cased; throws unless 1..15 of [a-z0-9_] remain (X's handle
 * rule). Handles are case-insensitive on X, so `@Alice` and `alice` are one account.
 */
export function normalizeXHandle(handle: string): string {
  if (typeof handle !== "string") throw new InvalidAccountIdError(Platform.X, handle, "expected a string");
  const h = (handle.startsWith("@") ? handle.slice(1) : handle).toLowerCase();
  if (!X_HANDLE_RE.test(h)) throw new InvalidAccountIdError(Platform.X, handle, "expected 1-15 of [A-Za-z0-9_]");
  return h;
}

/** The account id of an X handle: keccak256(utf8(normalizeXHandle(handle))). */
export function xAccountId(handle: string): Hex {
  return keccak256(stringToHex(normalizeXHandle(handle)));
}

/**
 * The account id of `name` on `platform` (a fid / profile id as a decimal string, number or bigint; a DID; an actor
 * URI; an X handle). Throws `UnknownPlatformError` or `InvalidAccountIdError`.
 */
export function accountIdOf(platform: number, name: string | bigint | number): Hex {
  switch (assertPlatform(platform)) {
    case Platform.Farcaster:
      return farcasterAccountId(name);
    case Platform.Lens:
      return lensAccountId(name);
    case Platform.Bluesky:
      return blueskyAccountId(stringName(Platform.Bluesky, name));
    case Platform.ActivityPub:
      return activityPubAccountId(stringName(Platform.ActivityPub, name));
    case Platform.X:
      return xAccountId(stringName(Platform.X, name));
  }
}

function stringName(platform: Platform, name: unknown): string {
  if (typeof name !== "string") throw new InvalidAccountIdError(platform, name, "expected a string");
  return name;
}
