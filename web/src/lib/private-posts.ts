// Private posts (Mask's signature feature) over public networks, with the sdk's sealed payloads:
// - a member's seal key: X25519, its secret derived from the member's wallet signature of a fixed statement (so the
//   wallet recovers it anywhere, and nothing is stored); its public key is announced by a public post
//   `maskoii-member-key:v1:<persona>:<x25519 public key>` from an account bound to that persona (the node resolves the
//   author to the persona, so nobody can announce a key for someone else's persona);
// - a private post: one post per member, `maskoii-sealed:v1:0x<sealPayload(JSON {v, id, text}, member key,
//   {destinationDomain: the community's chain domain, recipient: the member's persona as bytes32})>`; the nodes serve
//   the ciphertext only, each member opens the copy sealed to them (the shared `id` folds the copies into one post);
//   anyone else sees that it is encrypted and nothing more.
import { openPayload, sealPayload, sealPublicKey } from "@maskoii/sdk";
import { type Address, bytesToHex, getAddress, type Hex, hexToString, keccak256, pad, stringToHex } from "viem";
import { z } from "zod";
import type { TimelineEntry } from "./api.ts";

export const SEALED_PREFIX = "maskoii-sealed:v1:";
export const MEMBER_KEY_PREFIX = "maskoii-member-key:v1:";
const MEMBER_KEY_RE = /maskoii-member-key:v1:(0x[0-9a-fA-F]{40}):(0x[0-9a-fA-F]{64})/;

export function sealKeyStatement(community: string, chainId: number): string {
  return [
    "maskoii member seal key v1",
    `community: ${community}`,
    `chain: ${chainId}`,
    "Signing this derives the key that opens private posts. Sign it only on the maskoii client.",
  ].join("\n");
}

/** The member's X25519 secret: keccak256 of the wallet's signature of the statement. */
export function sealSecretOf(signature: Hex): Hex {
  return keccak256(signature);
}

export function memberKeyPostText(persona: Address, secret: Hex, hashtag: string): string {
  return `My maskoii member key ${MEMBER_KEY_PREFIX}${getAddress(persona)}:${sealPublicKey(secret)} #${hashtag}`;
}

export function isMemberKeyPost(entry: TimelineEntry): boolean {
  return entry.body !== null && MEMBER_KEY_RE.test(entry.body);
}

/** The members' announced keys: persona → public key, only from posts whose author is bound to that persona. */
export function memberKeys(entries: readonly TimelineEntry[]): Map<Address, Hex> {
  const keys = new Map<Address, Hex>();
  // Oldest first, so a newer announcement replaces an older one.
  for (const e of [...entries].sort((a, b) => a.createdAt - b.createdAt)) {
    const m = e.body === null ? null : MEMBER_KEY_RE.exec(e.body);
    if (m?.[1] === undefined || m[2] === undefined || e.author.persona === null) continue;
    if (getAddress(m[1]) !== getAddress(e.author.persona)) continue;
    keys.set(getAddress(m[1]), m[2].toLowerCase() as Hex);
  }
  return keys;
}

const plaintextSchema = z.object({
  v: z.literal(1),
  id: z.string().regex(/^0x[0-9a-f]{32}$/),
  text: z.string().max(4_000),
});
export type PrivatePost = z.infer<typeof plaintextSchema>;

const contextOf = (domain: number, persona: Address) => ({
  destinationDomain: domain,
  recipient: pad(getAddress(persona), { size: 32 }).toLowerCase() as Hex,
});

/** The post texts to publish: the same post sealed to each member. */
export function sealToMembers(
  text: string,
  members: ReadonlyMap<Address, Hex>,
  domain: number,
  hashtag: string,
): string[] {
  const id = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
  const plaintext = stringToHex(JSON.stringify({ v: 1, id, text } satisfies PrivatePost));
  return [...members].map(
    ([persona, key]) => `${SEALED_PREFIX}${sealPayload(plaintext, key, contextOf(domain, persona))} #${hashtag}`,
  );
}

/** Opens a sealed entry with the member's secret: the post, or undefined when it is not sealed to this member. */
export function openSealed(sealed: Hex, secret: Hex, domain: number, persona: Address): PrivatePost | undefined {
  try {
    const parsed = plaintextSchema.safeParse(
      JSON.parse(hexToString(openPayload(sealed, secret, contextOf(domain, persona)))),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
