// The aggregator's config: node-kit's store and log sections, the HTTP listener, polling and retry settings, and the
// connectors, each a discriminated `kind` with its own fields. Read from a JSON file, overridden from
// MASKOII_AGGREGATOR_* variables (MASKOII_AGGREGATOR_STORE__KIND=postgres), validated by zod: a bad config fails
// naming the field and what is wrong (`connectors.1.hubUrl: expected a URL`).
import { dirname, resolve } from "node:path";
import {
  logConfigSchema,
  overrideFromEnv,
  parseWithSchema,
  readJsonConfig,
  resolveStorePaths,
  storeConfigSchema,
} from "@maskoii/node-kit";
import { z } from "zod";
import { reportsConfigSchema } from "./epoch/config.ts";
import { DEFAULT_RETRY } from "./upstream.ts";

const httpUrl = z
  .string()
  .url("expected a URL")
  .refine((u) => /^https?:\/\//.test(u), "expected an http(s) URL");
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "expected a lowercase name of letters, digits, - and _ (metrics label it)");

const farcasterSchema = z
  .object({
    kind: z.literal("farcaster"),
    name,
    hubUrl: httpUrl,
    channels: z.array(httpUrl).default([]),
    fids: z.array(z.number().int().positive()).default([]),
    reactions: z.boolean().default(true),
    pageSize: z.number().int().min(1).max(1000).default(100),
    network: z.enum(["mainnet", "testnet", "devnet"]).default("mainnet"),
    /**
     * Who may sign for a fid: "hub" reads the key registry's signer events from the hub (the default); "config"
     * trusts `signers`, a fixed list of each fid's ed25519 keys (0x hex). Messages signed by any other key are refused.
     */
    signerSource: z.enum(["hub", "config"]).default("hub"),
    signers: z
      .record(
        z.string().regex(/^\d+$/, "expected a fid"),
        z.array(z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte ed25519 public key in 0x hex")).min(1),
      )
      .default({}),
    /** How long a fid's signers read from the hub are trusted before they are read again. */
    signerCacheMs: z.number().int().min(0).default(300_000),
  })
  .strict()
  .refine((c) => c.channels.length + c.fids.length > 0, {
    message: "list at least one channel or fid",
    path: ["channels"],
  })
  .refine((c) => c.signerSource === "hub" || Object.keys(c.signers).length > 0, {
    message: 'list each fid\'s signer keys when signerSource is "config"',
    path: ["signers"],
  });

const mastodonSchema = z
  .object({
    kind: z.literal("mastodon"),
    name,
    instanceUrl: httpUrl,
    hashtags: z.array(z.string().regex(/^#?[\p{L}\p{N}_]+$/u, "expected a hashtag")).min(1),
    limit: z.number().int().min(1).max(40).default(40),
  })
  .strict();

const lensSchema = z
  .object({
    kind: z.literal("lens"),
    name,
    apiUrl: httpUrl.default("https://api.lens.xyz/graphql"),
    /** Named streams, each a PostsRequest filter. */
    streams: z.record(z.string().min(1), z.record(z.string(), z.unknown())).refine((s) => Object.keys(s).length > 0, {
      message: "list at least one stream",
    }),
    pageSize: z.enum(["TEN", "FIFTY"]).default("FIFTY"),
  })
  .strict();

const blueskySchema = z
  .object({
    kind: z.literal("bluesky"),
    name,
    /** The relay or PDS whose `com.atproto.sync.subscribeRepos` firehose is read (ws:// or wss://, or http(s)://). */
    firehoseUrl: z
      .string()
      .url("expected a URL")
      .refine((u) => /^(wss?|https?):\/\//.test(u), "expected a ws(s):// or http(s):// URL")
      .default("wss://bsky.network"),
    /** The PLC directory that resolves did:plc identities to their signing keys (commit signatures are checked). */
    plcUrl: httpUrl.default("https://plc.directory"),
    /**
     * Resolve identities with a plain fetch that may reach loopback and private addresses (a local PLC directory).
     * Off by default: `@atproto/identity`'s SSRF-protected fetch refuses them, as did:web hosts are chosen by users.
     */
    localIdentity: z.boolean().default(false),
    /** Only these accounts' records are kept (empty: everyone on the firehose). */
    dids: z.array(z.string().regex(/^did:(plc|web):[a-zA-Z0-9._:%-]+$/, "expected a did:plc or did:web")).default([]),
    /** Record collections kept: posts, and likes and reposts as reactions. */
    collections: z
      .array(z.enum(["app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost"]))
      .min(1)
      .default(["app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost"]),
    /** Events handed to the store per page (one transaction each). */
    pageSize: z.number().int().min(1).max(10_000).default(500),
    /** An AppView (https://public.api.bsky.app) and the actors whose `app.bsky.feed.getAuthorFeed` is also read. */
    appviewUrl: httpUrl.optional(),
    authorFeeds: z.array(z.string().min(3)).default([]),
  })
  .strict()
  .refine((c) => c.authorFeeds.length === 0 || c.appviewUrl !== undefined, {
    message: "authorFeeds need an appviewUrl",
    path: ["appviewUrl"],
  });

const rssSchema = z.object({ kind: z.literal("rss"), name, feeds: z.array(httpUrl).min(1) }).strict();

export const connectorConfigSchema = z.discriminatedUnion("kind", [
  farcasterSchema,
  mastodonSchema,
  lensSchema,
  rssSchema,
  blueskySchema,
]);
export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;

export const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(DEFAULT_RETRY.attempts),
    baseDelayMs: z.number().int().min(1).default(DEFAULT_RETRY.baseDelayMs),
    maxDelayMs: z.number().int().min(1).default(DEFAULT_RETRY.maxDelayMs),
    maxRateLimitWaitMs: z.number().int().min(0).default(DEFAULT_RETRY.maxRateLimitWaitMs),
    timeoutMs: z.number().int().min(100).default(DEFAULT_RETRY.timeoutMs),
  })
  .strict()
  .default(DEFAULT_RETRY);

const evmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");
export const communitiesSchema = z
  .object({
    rpcUrl: httpUrl,
    communityRegistry: evmAddress,
    identityRegistry: evmAddress,
    /** The CampaignLedger: the feed's ad slots, the beacons' ad targets and own-ad filter, the reports' lines. */
    campaignLedger: evmAddress.optional(),
    /** How long a registry answer (sources, moderators, personas) is reused. */
    cacheMs: z.number().int().min(0).default(10_000),
    /** How long a built community timeline is served before it is rebuilt (0: on every request). */
    timelineCacheMs: z.number().int().min(0).default(1_000),
  })
  .strict();

/**
 * Identity proofs run by the node (issue 15 point 2): every `scanIntervalMs` the node checks the stored proof posts
 * and signs each good binding with its secp256k1 attester key, a node-kit keystore (the password from `passwordFile`,
 * MASKOII_KEYSTORE_PASSWORD or stdin, as the relayer's attester key); the signatures are served at `/bindings/...`.
 */
export const identityConfigSchema = z
  .object({
    keystore: z.string().min(1),
    passwordFile: z.string().min(1).optional(),
    /** The chain's attester domain the attestations name (the Gateway's domain id). */
    domain: z.number().int().min(0).max(0xffffffff),
    identityRegistry: evmAddress,
    /** The attester set in force (its members sign; IdentityRegistry checks against it). */
    attesterSetId: z
      .union([z.number().int().min(0), z.string().regex(/^[0-9]{1,20}$/, "expected a set id")])
      .transform((v) => BigInt(v)),
    scanIntervalMs: z.number().int().min(50).default(5_000),
  })
  .strict();
export type IdentityConfig = z.infer<typeof identityConfigSchema>;

/**
 * Engagement beacons and contributions (issue 16 point 2): the task's nodes (this one among them, known by the Koii
 * ed25519 key in `keystore`), the file holding the node's 32-byte secret that salts users' leaves, how long after an
 * epoch ends its contribution is built, and each persona's beacon token bucket. Needs the `communities` chain.
 */
export const engagementConfigSchema = z
  .object({
    nodes: z
      .array(z.object({ koiiPublicKey: z.string().min(32).max(44), url: httpUrl }).strict())
      .min(1, "list the task's nodes"),
    keystore: z.string().min(1),
    passwordFile: z.string().min(1).optional(),
    nodeSecretFile: z.string().min(1),
    closeGraceMs: z.number().int().min(60_000, "at least the beacons' 60 s clock skew").default(120_000),
    rateLimit: z
      .object({ perSecond: z.number().positive().default(2), burst: z.number().int().min(1).default(60) })
      .strict()
      .default({ perSecond: 2, burst: 60 }),
  })
  .strict();
export type EngagementConfig = z.infer<typeof engagementConfigSchema>;

/**
 * The personalized feed (`/feed`, issue 16 point 1), served when `communities` is configured too: the chain id (the
 * signed requests' domain, with communities.communityRegistry), the CampaignLedger whose campaigns fill the ad slots,
 * the task's nodes for the home-node rule (this node is `self`; without `nodes`, every persona's home), the ad rate.
 */
export const feedConfigSchema = z
  .object({
    chainId: z.number().int().positive(),
    campaignLedger: evmAddress.optional(),
    self: z.string().min(32).max(44).optional(),
    nodes: z
      .array(z.object({ koiiPublicKey: z.string().min(32).max(44), url: httpUrl.optional() }).strict())
      .default([]),
    adEvery: z.number().int().min(3).max(100).default(5),
    halfLifeHours: z
      .number()
      .min(0.1)
      .max(24 * 30)
      .default(6),
    outOfNetwork: z
      .array(z.string().regex(/^[1-9][0-9]{0,19}$/, "expected a community id"))
      .max(64)
      .default([]),
    minReactions: z.number().int().min(0).default(2),
  })
  .strict()
  .refine((f) => f.nodes.length === 0 || (f.self !== undefined && f.nodes.some((n) => n.koiiPublicKey === f.self)), {
    message: "list this node (self) among nodes",
    path: ["self"],
  });
export type FeedConfig = z.infer<typeof feedConfigSchema>;

export const aggregatorConfigSchema = z
  .object({
    store: storeConfigSchema.default({ kind: "pglite", dataDir: "./data/aggregator" }),
    log: logConfigSchema,
    http: z
      .object({ host: z.string().min(1).default("127.0.0.1"), port: z.number().int().min(0).max(65535).default(9464) })
      .strict()
      .default({ host: "127.0.0.1", port: 9464 }),
    pollIntervalMs: z.number().int().min(50).default(30_000),
    maxPagesPerTick: z.number().int().min(1).default(20),
    retry: retrySchema,
    connectors: z.array(connectorConfigSchema).min(1, "configure at least one connector"),
    /** Community timelines (`/communities/:id/timeline`): the chain whose registries list communities and bindings. */
    communities: communitiesSchema.optional(),
    /** Identity proofs checked and signed by this node (`/bindings/...`). */
    identity: identityConfigSchema.optional(),
    /** Engagement beacons and contributions (`/beacons`, `/peer/contributions/...`). */
    engagement: engagementConfigSchema.optional(),
    /** The personalized feed (`/feed...`); needs `communities`. */
    feed: feedConfigSchema.optional(),
    /** Epoch reports signed and payout proofs served by this node (`/reports/...`, `/payouts/...`). */
    reports: reportsConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.engagement !== undefined && config.communities === undefined) {
      ctx.addIssue({ code: "custom", message: "engagement needs the communities chain", path: ["engagement"] });
    }
    if (config.feed !== undefined && config.communities === undefined)
      ctx.addIssue({ code: "custom", message: "the feed needs a communities section", path: ["feed"] });
    if (config.reports?.loop !== undefined) {
      const lacking: string[] = [];
      if (config.engagement === undefined) lacking.push("engagement");
      if (config.identity === undefined) lacking.push("identity (the attester key)");
      if (config.communities?.campaignLedger === undefined && config.feed?.campaignLedger === undefined)
        lacking.push("communities.campaignLedger");
      if (lacking.length > 0)
        ctx.addIssue({
          code: "custom",
          message: `the epoch loop needs ${lacking.join(", ")}`,
          path: ["reports", "loop"],
        });
    }
    const seen = new Set<string>();
    for (const [i, c] of config.connectors.entries()) {
      if (seen.has(c.name))
        ctx.addIssue({
          code: "custom",
          message: `connector name ${c.name} is used twice`,
          path: ["connectors", i, "name"],
        });
      seen.add(c.name);
    }
  });
export type AggregatorConfig = z.infer<typeof aggregatorConfigSchema>;

const TOP_LEVEL = new Set([
  "store",
  "log",
  "http",
  "pollIntervalMs",
  "maxPagesPerTick",
  "retry",
  "communities",
  "identity",
  "engagement",
  "feed",
  "reports",
]);

/** Validates a config object (env overrides applied); relative store paths resolve against `baseDir`. */
export function parseConfig(
  value: unknown,
  source: string,
  env: NodeJS.ProcessEnv = {},
  baseDir = process.cwd(),
): AggregatorConfig {
  const overridden = overrideFromEnv(value, env, { prefix: "MASKOII_AGGREGATOR_", topLevel: TOP_LEVEL });
  const config = parseWithSchema(aggregatorConfigSchema, overridden, source);
  const identity =
    config.identity === undefined
      ? undefined
      : {
          ...config.identity,
          keystore: resolve(baseDir, config.identity.keystore),
          ...(config.identity.passwordFile === undefined
            ? {}
            : { passwordFile: resolve(baseDir, config.identity.passwordFile) }),
        };
  const engagement =
    config.engagement === undefined
      ? undefined
      : {
          ...config.engagement,
          keystore: resolve(baseDir, config.engagement.keystore),
          nodeSecretFile: resolve(baseDir, config.engagement.nodeSecretFile),
          ...(config.engagement.passwordFile === undefined
            ? {}
            : { passwordFile: resolve(baseDir, config.engagement.passwordFile) }),
        };
  return {
    ...config,
    store: resolveStorePaths(config.store, baseDir),
    ...(identity === undefined ? {} : { identity }),
    ...(engagement === undefined ? {} : { engagement }),
  };
}

/** Reads and validates the JSON config at `path`. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<AggregatorConfig> {
  return parseConfig(await readJsonConfig(path), path, env, dirname(path));
}
