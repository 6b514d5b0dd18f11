// What the beacon filters read from the chain: the community clock (CommunityRegistry `genesis` / `epochLength`,
// immutable, read once), bindings (through the node's CommunityReader and its cache) and payout recipients
// (IdentityRegistry.payoutOf, cached like the bindings).
import { communityRegistryAbi, identityRegistryAbi } from "@maskoii/sdk";
import type { Address, Hex, PublicClient } from "viem";
import type { CommunityReader } from "../communities.ts";
import type { EngagementChain, EpochClock } from "./filters.ts";

export class ChainEngagementReader implements EngagementChain {
  readonly #client: PublicClient;
  readonly #communityRegistry: Address;
  readonly #identityRegistry: Address;
  readonly #reader: CommunityReader;
  readonly #cacheMs: number;
  #clock: Promise<EpochClock> | undefined;
  readonly #payouts = new Map<string, { at: number; value: Promise<{ family: number; recipient: Hex }> }>();

  constructor(args: {
    client: PublicClient;
    communityRegistry: Address;
    identityRegistry: Address;
    reader: CommunityReader;
    cacheMs?: number;
  }) {
    this.#client = args.client;
    this.#communityRegistry = args.communityRegistry;
    this.#identityRegistry = args.identityRegistry;
    this.#reader = args.reader;
    this.#cacheMs = args.cacheMs ?? 10_000;
  }

  clock(): Promise<EpochClock> {
    if (this.#clock === undefined) {
      const read = (functionName: "genesis" | "epochLength") =>
        this.#client.readContract({ address: this.#communityRegistry, abi: communityRegistryAbi, functionName });
      this.#clock = Promise.all([read("genesis"), read("epochLength")]).then(([genesis, epochLength]) => ({
        genesis: Number(genesis),
        epochLength: Number(epochLength),
      }));
      this.#clock.catch(() => {
        this.#clock = undefined;
      });
    }
    return this.#clock;
  }

  personaOf(platform: number, accountId: Hex): Promise<Address | undefined> {
    return this.#reader.personaOf(platform, accountId);
  }

  payoutOf(persona: Address): Promise<{ family: number; recipient: Hex }> {
    const key = persona.toLowerCase();
    const hit = this.#payouts.get(key);
    if (hit !== undefined && Date.now() - hit.at < this.#cacheMs) return hit.value;
    const value = this.#client
      .readContract({
        address: this.#identityRegistry,
        abi: identityRegistryAbi,
        functionName: "payoutOf",
        args: [persona],
      })
      .then(([family, recipient]) => ({ family: Number(family), recipient }));
    if (this.#payouts.size > 10_000) this.#payouts.clear();
    this.#payouts.set(key, { at: Date.now(), value });
    value.catch(() => this.#payouts.delete(key));
    return value;
  }
}
