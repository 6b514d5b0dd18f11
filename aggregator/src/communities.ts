// Communities on chain (issue 15 point 3). CommunityRegistry stores each community's sources as opaque bytes; the
// aggregator reads them as UTF-8 source descriptors, each naming streams of its connectors:
//
//   farcaster:channel:<channel URL>    the Farcaster connectors' stream `channel:<url>`
//   farcaster:fid:<fid>                the Farcaster connectors' stream `fid:<fid>`
//   mastodon:tag:<instance host>#<tag> the stream `tag:<tag>` of the Mastodon connectors reading that instance
//   rss:<feed URL>                     the RSS connectors' stream `<feed URL>`
//   lens:<stream>                      the Lens connectors' stream `<stream>` (name them `feed:<0x..>`, `author:<0x..>`)
//   bluesky:<stream>                   the Bluesky connectors' stream `<stream>`
//
// A descriptor no configured connector reads is reported as unresolved (the timeline is built from the others). The
// reader also answers the moderator and identity questions the timeline asks the chain.
import { communityRegistryAbi, identityRegistryAbi } from "@maskoii/sdk";
import { type Address, getAddress, type Hex, hexToString, type PublicClient, zeroAddress } from "viem";
import type { Connector } from "./connector.ts";
import { NETWORKS, type Network } from "./item.ts";
import { ReadCache } from "./read-cache.ts";

/** One stream of one connector. */
export type StreamRef = { readonly connector: string; readonly stream: string };

export type ParsedDescriptor = { readonly network: Network; readonly stream: string; readonly host?: string };

/** Parses a source descriptor (see the table above); undefined when it names no network or stream. */
export function parseSourceDescriptor(descriptor: string): ParsedDescriptor | undefined {
  const colon = descriptor.indexOf(":");
  if (colon <= 0) return undefined;
  const network = descriptor.slice(0, colon);
  const rest = descriptor.slice(colon + 1);
  if (!(NETWORKS as readonly string[]).includes(network) || rest === "") return undefined;
  if (network === "mastodon") {
    const m = /^tag:([^#\s/]+)#([\p{L}\p{N}_]+)$/u.exec(rest);
    if (m?.[1] === undefined || m[2] === undefined) return undefined;
    return { network: "mastodon", stream: `tag:${m[2]}`, host: m[1].toLowerCase() };
  }
  return { network: network as Network, stream: rest };
}

/** The connector streams each descriptor names, and the descriptors no connector reads. */
export function resolveSources(
  descriptors: readonly string[],
  connectors: readonly Connector[],
): { streams: StreamRef[]; unresolved: string[] } {
  const streams: StreamRef[] = [];
  const unresolved: string[] = [];
  for (const d of descriptors) {
    const parsed = parseSourceDescriptor(d);
    const matches =
      parsed === undefined
        ? []
        : connectors.filter(
            (c) =>
              c.network === parsed.network &&
              c.streams.includes(parsed.stream) &&
              (parsed.host === undefined || hostOf(c) === parsed.host),
          );
    if (matches.length === 0) unresolved.push(d);
    for (const c of matches) streams.push({ connector: c.name, stream: parsed?.stream ?? "" });
  }
  return { streams, unresolved };
}

function hostOf(c: Connector): string | undefined {
  return "instanceHost" in c && typeof c.instanceHost === "string" ? c.instanceHost : undefined;
}

/** What the timeline asks the chain. */
export interface CommunityReader {
  /** The community's source descriptors, or undefined when there is no such community. */
  sourcesOf(communityId: bigint): Promise<string[] | undefined>;
  isModerator(communityId: bigint, account: Address): Promise<boolean>;
  /** The persona an account is bound to now (undefined when unbound or revoked). */
  personaOf(platform: number, accountId: Hex): Promise<Address | undefined>;
}

/** Reads CommunityRegistry and IdentityRegistry through a viem client, caching answers for `cacheMs`. */
export class ChainCommunityReader implements CommunityReader {
  readonly #client: PublicClient;
  readonly #communityRegistry: Address;
  readonly #identityRegistry: Address;
  readonly #cache: ReadCache;

  constructor(args: {
    client: PublicClient;
    communityRegistry: Address;
    identityRegistry: Address;
    cacheMs?: number;
  }) {
    this.#client = args.client;
    this.#communityRegistry = args.communityRegistry;
    this.#identityRegistry = args.identityRegistry;
    this.#cache = new ReadCache(args.cacheMs ?? 10_000);
  }

  sourcesOf(communityId: bigint): Promise<string[] | undefined> {
    return this.#cache.get(`sources:${communityId}`, async () => {
      const exists = await this.#client.readContract({
        address: this.#communityRegistry,
        abi: communityRegistryAbi,
        functionName: "exists",
        args: [communityId],
      });
      if (!exists) return undefined;
      const sources = await this.#client.readContract({
        address: this.#communityRegistry,
        abi: communityRegistryAbi,
        functionName: "sourcesOf",
        args: [communityId],
      });
      return sources.map((s) => hexToString(s));
    });
  }

  isModerator(communityId: bigint, account: Address): Promise<boolean> {
    return this.#cache.get(`moderator:${communityId}:${account}`, () =>
      this.#client.readContract({
        address: this.#communityRegistry,
        abi: communityRegistryAbi,
        functionName: "isModerator",
        args: [communityId, account],
      }),
    );
  }

  personaOf(platform: number, accountId: Hex): Promise<Address | undefined> {
    return this.#cache.get(`persona:${platform}:${accountId}`, async () => {
      const persona = await this.#client.readContract({
        address: this.#identityRegistry,
        abi: identityRegistryAbi,
        functionName: "personaOf",
        args: [platform, accountId],
      });
      return persona === zeroAddress ? undefined : getAddress(persona);
    });
  }
}
