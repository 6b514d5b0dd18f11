// Builds a node's engagement part from its config (config `engagement`): unlocks the Koii ed25519 key, reads the node
// secret, checks the node is among the task's nodes, and wires the intake to the store, the chain and the node's
// community streams.
import { readFile } from "node:fs/promises";
import { koiiPublicKeyOf, readPassword, unlockKeystore } from "@maskoii/node-kit";
import { getAddress, type Hex, type PublicClient } from "viem";
import { type CommunityReader, resolveSources } from "../communities.ts";
import type { EngagementConfig } from "../config.ts";
import type { Connector } from "../connector.ts";
import type { AggregatorMetrics } from "../metrics.ts";
import type { AggregatorStore } from "../store.ts";
import { ChainEngagementReader } from "./beacon-chain.ts";
import { BeaconIntake, storePostLookup } from "./beacon-intake.ts";
import { BeaconStore } from "./beacon-store.ts";
import type { CampaignLookup } from "./filters.ts";
import type { EngagementDeps } from "./routes.ts";

export async function setupEngagement(args: {
  config: EngagementConfig;
  env: NodeJS.ProcessEnv;
  client: PublicClient;
  communityRegistry: string;
  identityRegistry: string;
  reader: CommunityReader;
  store: AggregatorStore;
  connectors: readonly Connector[];
  metrics: AggregatorMetrics;
  campaigns?: CampaignLookup;
  /** The node's clock (unix ms); default Date.now. */
  now?: () => number;
}): Promise<EngagementDeps> {
  const { config } = args;
  const key = await unlockKeystore(
    config.keystore,
    await readPassword({ file: config.passwordFile, env: args.env }),
    "ed25519",
  );
  const secret = (await readFile(config.nodeSecretFile, "utf8")).trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(secret)) {
    throw new RangeError(`${config.nodeSecretFile} must hold a 32-byte secret in 0x hex`);
  }
  const self = koiiPublicKeyOf(key.privateKey);
  const chainId = await args.client.getChainId();
  const communityRegistry = getAddress(args.communityRegistry);
  const chain = new ChainEngagementReader({
    client: args.client,
    communityRegistry,
    identityRegistry: getAddress(args.identityRegistry),
    reader: args.reader,
  });
  const beaconStore = new BeaconStore(args.store.db);
  const intake = new BeaconIntake({
    store: beaconStore,
    chain,
    posts: storePostLookup(args.store.db, async (community) => {
      const sources = await args.reader.sourcesOf(community);
      return sources === undefined ? undefined : resolveSources(sources, args.connectors).streams;
    }),
    ...(args.campaigns === undefined ? {} : { campaigns: args.campaigns }),
    domain: { chainId, communityRegistry },
    self,
    nodes: config.nodes,
    rate: config.rateLimit,
    metrics: args.metrics,
    ...(args.now === undefined ? {} : { now: args.now }),
  });
  return {
    intake,
    store: beaconStore,
    chain,
    nodeSecret: secret.toLowerCase() as Hex,
    ed25519PrivateKey: key.privateKey,
    members: new Set(config.nodes.map((n) => n.koiiPublicKey)),
    closeGraceMs: config.closeGraceMs,
    ...(args.now === undefined ? {} : { now: args.now }),
  };
}
