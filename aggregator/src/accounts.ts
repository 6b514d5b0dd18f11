// The bridge between the items' network-qualified authors (`farcaster:fid:3`, `mastodon:acct:alice@social.example`)
// and the IdentityRegistry's platform accounts (`(platform, accountId)`, sdk `accountIdOf`, docs/protocol.md §11.2).
// Every node derives the same account from the same author, so their binding attestations agree.
import { accountIdOf, Platform } from "@maskoii/sdk";
import type { Hex } from "viem";

/** A platform account as the registry sees it: the platform number, the platform's own name for it, its 32-byte id. */
export type PlatformAccount = { readonly platform: Platform; readonly name: string; readonly accountId: Hex };

/** Names a proof payload uses for the platforms (the sdk's PLATFORM_NAMES, Mastodon spelled `activitypub`). */
export const PROOF_PLATFORMS = {
  farcaster: Platform.Farcaster,
  bluesky: Platform.Bluesky,
  activitypub: Platform.ActivityPub,
  lens: Platform.Lens,
} as const;
export type ProofPlatform = keyof typeof PROOF_PLATFORMS;

/**
 * The ActivityPub actor URI of a Mastodon account `user@host`: Mastodon's own `https://host/users/user` convention.
 * (A server with other actor URIs needs WebFinger; the connector reads Mastodon, so this is the rule it follows.)
 */
export function mastodonActorUri(acct: string): string {
  const at = acct.lastIndexOf("@");
  return `https://${acct.slice(at + 1)}/users/${acct.slice(0, at)}`;
}

/** The platform account an item's author is, or undefined for authors no registry platform names (RSS feeds). */
export function accountOfAuthor(author: string): PlatformAccount | undefined {
  const make = (platform: Platform, name: string): PlatformAccount | undefined => {
    try {
      return { platform, name, accountId: accountIdOf(platform, name) };
    } catch {
      return undefined;
    }
  };
  let m = /^farcaster:fid:([1-9][0-9]*)$/.exec(author);
  if (m?.[1] !== undefined) return make(Platform.Farcaster, m[1]);
  m = /^mastodon:acct:([^@\s]+@[^@\s]+)$/.exec(author);
  if (m?.[1] !== undefined) return make(Platform.ActivityPub, mastodonActorUri(m[1]));
  m = /^lens:account:(0x[0-9a-fA-F]{40})$/.exec(author);
  if (m?.[1] !== undefined) return make(Platform.Lens, BigInt(m[1]).toString());
  m = /^bluesky:(did:.+)$/.exec(author);
  if (m?.[1] !== undefined) return make(Platform.Bluesky, m[1]);
  return undefined;
}

/** The platform account a proof names: `identity` in the platform's own spelling (a fid, an actor URI, a DID ...). */
export function accountOfProof(platform: ProofPlatform, identity: string): PlatformAccount | undefined {
  const number = PROOF_PLATFORMS[platform];
  const name = platform === "lens" && /^0x[0-9a-fA-F]{40}$/.test(identity) ? BigInt(identity).toString() : identity;
  try {
    return { platform: number, name, accountId: accountIdOf(number, name) };
  } catch {
    return undefined;
  }
}
