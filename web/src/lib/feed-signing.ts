// What a user signs for the personal feed and its engagement beacons (issue 16, docs/protocol.md §12.1): EIP-191
// personal_sign of keccak256(canonical bytes), each format under its own ASCII tag with the domain (chain id and
// CommunityRegistry) in the bytes, so a signature is good for one format, one deployment, one chain.
import { type Address, concat, getAddress, type Hex, keccak256, numberToBytes, stringToBytes } from "viem";

export type Domain = { chainId: number; communityRegistry: Address };

export function header(tag: string, d: Domain, persona: Address, at: number): string[] {
  return [
    tag,
    `chain: ${d.chainId}`,
    `registry: ${getAddress(d.communityRegistry)}`,
    `persona: ${getAddress(persona)}`,
    `at: ${at}`,
  ];
}
export const raw = (lines: string[]) => ({ raw: keccak256(stringToBytes(lines.join("\n"))) });

/** The canonical bytes of a beacon (docs/protocol.md §12.1): tag, domain, then every field but the signature. */
export function beaconDigest(b: BeaconFields, d: Domain): Hex {
  const u = (v: bigint | number, size: number) => numberToBytes(BigInt(v), { size });
  const target = stringToBytes(b.target);
  return keccak256(
    concat([
      stringToBytes("maskoii engagement beacon v1"),
      u(d.chainId, 8),
      getAddress(d.communityRegistry),
      u(1, 1),
      u(BigInt(b.community), 8),
      u(b.epoch, 8),
      u(b.action === "impression" ? 0 : 1, 1),
      u(target.length, 2),
      target,
      u(b.platform, 1),
      b.accountId,
      getAddress(b.persona),
      b.nonce,
      u(b.at, 8),
    ]),
  );
}
export type BeaconFields = {
  version: 1;
  community: string;
  epoch: number;
  action: "impression" | "engagement";
  target: string;
  platform: number;
  accountId: Hex;
  persona: Address;
  nonce: Hex;
  at: number;
};
