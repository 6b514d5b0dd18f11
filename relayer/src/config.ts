// The one config of `maskoii attester` and `maskoii relayer`: a JSON file validated with zod, plus environment
// overrides `MASKOII_<PATH>` where the path's segments are joined by `__` (MASKOII_LOG__LEVEL=debug,
// MASKOII_CHAINS__0__RPC_URL=http://..., MASKOII_RELAYER__POLL_INTERVAL_MS=500). Values are parsed as JSON when
// they are JSON (numbers, booleans, arrays), else taken as strings. A bad config names the field and what is wrong.
import { dirname, resolve } from "node:path";
import {
  logConfigSchema,
  overrideFromEnv,
  parseWithSchema,
  readJsonConfig,
  resolveStorePaths,
  storeConfigSchema,
} from "@maskoii/node-kit";
import { base58Decode, checksummedAddress, findDomain, MASKOII_PROGRAM_ADDRESS } from "@maskoii/sdk";
import { loadDeployment } from "@maskoii/sdk/node";
import { z } from "zod";
import { InvalidConfigError } from "./errors.ts";
import { koiiConfigSchema } from "./koii/config.ts";
import { reportsConfigSchema } from "./reports/config.ts";

/**
 * How a chain decides that a block is final. Required per EVM chain (no default: the operator decides, knowing the
 * chain): the `finalized` tag, or a confirmation depth >= 1. Depth 0 (the latest block, undone by any reorg) is
 * refused outside the dev profile (`profile: "dev"` or `--dev`).
 */
export const finalitySchema = z.discriminatedUnion("kind", [
  /** `depth` blocks on top of it (0 = the latest block; only with the dev profile, for local devnets). */
  z.object({ kind: z.literal("confirmations"), depth: z.number().int().min(0).max(100_000) }).strict(),
  /** The node's `finalized` block tag (post-merge Ethereum, most L2s). */
  z.object({ kind: z.literal("finalized") }).strict(),
]);
export type Finality = z.infer<typeof finalitySchema>;

const listenSchema = z
  .object({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535),
  })
  .strict();

const domainSchema = (family: "evm" | "svm") =>
  z
    .number()
    .int()
    .min(1)
    .max(0xffffffff)
    .refine((d) => findDomain(d) !== undefined, { message: "not a domain of the registry (sdk/src/domains.ts)" })
    .refine((d) => findDomain(d) === undefined || findDomain(d)?.family === family, {
      message: `not an ${family} domain of the registry (set "family" to the chain's family)`,
    });

/**
 * Origin reads through several providers, either family (attester only): the watcher reads every origin range from
 * `rpcUrl` and each of `rpcs`, and records (so signs) only what `rpcQuorum` of them report identically
 * (chains/quorum.ts).
 */
const originProviders = {
  rpcs: z
    .array(z.url({ message: "expected an http(s) URL" }))
    .min(1)
    .max(8)
    .optional(),
  /** Providers that must agree, of 1 + rpcs.length; default a majority. More than half, so two lies never agree. */
  rpcQuorum: z.number().int().min(1).max(9).optional(),
};
const quorumFits = (c: { rpcs?: string[] | undefined; rpcQuorum?: number | undefined }): boolean =>
  c.rpcQuorum === undefined ||
  (c.rpcQuorum <= 1 + (c.rpcs?.length ?? 0) && 2 * c.rpcQuorum > 1 + (c.rpcs?.length ?? 0));
const quorumFitsMessage = {
  message: "must be more than half of, and at most, the providers (rpcUrl + rpcs)",
  path: ["rpcQuorum"],
};

/** An EVM chain (`family` "evm", the default, so configs written before Solana support keep working). */
export const evmChainConfigSchema = z
  .object({
    family: z.literal("evm").default("evm"),
    domain: domainSchema("evm"),
    rpcUrl: z.url({ message: "expected an http(s) URL" }),
    /** deployments/<chainId>.json; fills `gateway` and `startBlock` when they are not given. */
    deploymentFile: z.string().min(1).optional(),
    gateway: checksummedAddress.optional(),
    /** The TokenBridge whose queued transfers the relayer's keeper releases; default the deployment file's. */
    tokenBridge: checksummedAddress.optional(),
    /** First block to scan for MessageSent. */
    startBlock: z.number().int().nonnegative().optional(),
    finality: finalitySchema,
    pollIntervalMs: z.number().int().min(10).max(600_000).default(2_000),
    /** Largest eth_getLogs range. */
    maxBlockRange: z.number().int().min(1).max(100_000).default(2_000),
    ...originProviders,
  })
  .strict()
  .refine((c) => c.gateway !== undefined || c.deploymentFile !== undefined, {
    message: "give gateway or deploymentFile",
    path: ["gateway"],
  })
  .refine(quorumFits, quorumFitsMessage);

const base58PublicKey = z.string().refine((s) => base58Decode(s)?.length === 32, {
  message: "expected a base58 Solana public key (32 bytes)",
});

/** A Solana / Koii K2 (SVM) chain running the maskoii program. "Blocks" are slots. */
export const solanaChainConfigSchema = z
  .object({
    family: z.literal("solana"),
    domain: domainSchema("svm"),
    rpcUrl: z.url({ message: "expected an http(s) URL" }),
    /** The maskoii program id (base58); default the sdk's `MASKOII_PROGRAM_ADDRESS`. */
    programId: base58PublicKey.default(MASKOII_PROGRAM_ADDRESS),
    /**
     * Commitment at which an outbound message is final, required: `finalized`, or `confirmed` (optimistically
     * confirmed, can still be rolled back) only with the dev profile.
     */
    commitment: z.enum(["confirmed", "finalized"], { message: 'expected "confirmed" or "finalized"' }),
    /** First slot to scan for outbox messages. */
    startBlock: z.number().int().nonnegative().default(0),
    pollIntervalMs: z.number().int().min(10).max(600_000).default(2_000),
    /** Largest slot range per scan. */
    maxBlockRange: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Compute-unit price bounds of deliveries (micro-lamports per CU): recent fees, clamped, doubled on expiry. */
    priorityFee: z
      .object({
        minMicroLamports: z.number().int().nonnegative().default(0),
        maxMicroLamports: z.number().int().nonnegative().default(1_000_000),
      })
      .strict()
      .refine((p) => p.maxMicroLamports >= p.minMicroLamports, {
        message: "maxMicroLamports must be at least minMicroLamports",
        path: ["maxMicroLamports"],
      })
      .default({ minMicroLamports: 0, maxMicroLamports: 1_000_000 }),
    /** How long a delivery transaction is awaited before it is re-sent with a new blockhash and a higher price. */
    confirmTimeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
    ...originProviders,
  })
  .strict()
  .refine(quorumFits, quorumFitsMessage);

export const chainConfigSchema = z.discriminatedUnion("family", [evmChainConfigSchema, solanaChainConfigSchema]);

export { type StoreConfig, storeConfigSchema } from "@maskoii/node-kit";

export const keysConfigSchema = z
  .object({
    /** Keystore of the secp256k1 key that signs attestations (attester) or pays for deliveries (relayer). */
    keystore: z.string().min(1),
    /**
     * Keystore of the ed25519 node identity. Attester: its Koii identity (binding record, Koii task). Relayer: signs
     * every request to the attesters (nodes with `attester.auth` list its base58 public key, `maskoii keys show`).
     */
    identityKeystore: z.string().min(1).optional(),
    /** Keystore of the ed25519 key that pays for deliveries on Solana chains (relayer with a Solana chain only). */
    solanaKeystore: z.string().min(1).optional(),
    /**
     * File holding the keystore password. Without it the password comes from MASKOII_KEYSTORE_PASSWORD or stdin;
     * it is never a command-line argument.
     */
    passwordFile: z.string().min(1).optional(),
  })
  .strict();

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
const bucketSchema = z
  .object({
    perSecond: z.number().positive().max(1_000_000),
    burst: z.number().int().min(1).max(1_000_000),
  })
  .strict();

export const ATTESTER_LIMIT_DEFAULTS = {
  maxBodyBytes: 64 * 1024,
  requests: { perSecond: 50, burst: 200 },
  signing: { perSecond: 5, burst: 20 },
  idsPerToken: 32,
  maxInFlightPerClient: 8,
  maxBatchIds: 256,
  maxBulkIds: 512,
  maxBatchesPerMessage: 16,
  evidencePerSubmitterPerRound: 64,
  maxClients: 10_000,
} as const;

export const attesterLimitsSchema = z
  .object({
    /** Largest request body; a larger one is answered 413 without reading the rest. */
    maxBodyBytes: z
      .number()
      .int()
      .min(1_024)
      .max(16 * 1024 * 1024)
      .default(ATTESTER_LIMIT_DEFAULTS.maxBodyBytes),
    /** Every request of one client (its relayer key when authenticated, else its address); 429 + Retry-After. */
    requests: bucketSchema.default(ATTESTER_LIMIT_DEFAULTS.requests),
    /** Requests that may sign (POST /batches, POST /signatures with `sign: true`), per client, on top. */
    signing: bucketSchema.default(ATTESTER_LIMIT_DEFAULTS.signing),
    /**
     * Requests are charged by work: a request over n message ids costs ceil(n / idsPerToken) tokens (at least one) of
     * the requests bucket, and so many of the signing bucket for POST /signatures with `sign: true` (POST /batches
     * makes one signature: one signing token).
     */
    idsPerToken: z.number().int().min(1).max(512).default(ATTESTER_LIMIT_DEFAULTS.idsPerToken),
    /** Requests one client (address) may have in flight at once; one more is answered 429 with Retry-After. */
    maxInFlightPerClient: z.number().int().min(1).max(10_000).default(ATTESTER_LIMIT_DEFAULTS.maxInFlightPerClient),
    /** Ids per POST /batches. */
    maxBatchIds: z.number().int().min(1).max(256).default(ATTESTER_LIMIT_DEFAULTS.maxBatchIds),
    /** Ids per POST /signatures. */
    maxBulkIds: z.number().int().min(1).max(512).default(ATTESTER_LIMIT_DEFAULTS.maxBulkIds),
    /** Batch roots one message may be part of (POST /batches refuses a new root past it: 409); bounds the store. */
    maxBatchesPerMessage: z.number().int().min(1).max(10_000).default(ATTESTER_LIMIT_DEFAULTS.maxBatchesPerMessage),
    /** Evidence items one client may have stored per Koii round (POST /koii/evidence); more: 429. */
    evidencePerSubmitterPerRound: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(ATTESTER_LIMIT_DEFAULTS.evidencePerSubmitterPerRound),
    /** Clients tracked at once (least recently seen forgotten first): bounds the limiter's memory. */
    maxClients: z.number().int().min(16).max(1_000_000).default(ATTESTER_LIMIT_DEFAULTS.maxClients),
  })
  .strict();
export type AttesterLimits = z.infer<typeof attesterLimitsSchema>;

export const attesterAuthSchema = z
  .object({
    /** Relayer ed25519 public keys (base58, the node identity format of identity.ts) allowed to call. */
    relayers: z.array(base58PublicKey).min(1).max(1_000),
    /** How far a request's timestamp may be from this node's clock; also how long a signature is remembered. */
    maxSkewMs: z.number().int().min(1_000).max(600_000).default(30_000),
  })
  .strict();
export type AttesterAuth = z.infer<typeof attesterAuthSchema>;

export const attesterConfigSchema = z
  .object({
    listen: listenSchema.default({ host: "127.0.0.1", port: 7300 }),
    /** Ticks of the signing loop. */
    pollIntervalMs: z.number().int().min(10).max(600_000).default(1_000),
    /** Whether the node signs batch roots proposed by relayers (POST /batches). */
    signBatches: z.boolean().default(true),
    /**
     * The signing loop signs a message on its own only once it has been open this long (0: as soon as it is final).
     * Relayers that batch need only batch roots, so a delay spares a signature per message (~1 ms of CPU each) for
     * what they deliver first; a relayer that needs a message signature sooner asks for it (POST /signatures with
     * `sign: true`).
     */
    messageSignDelayMs: z.number().int().min(0).max(3_600_000).default(0),
    /** Abuse limits of the HTTP API (attester/limits.ts). */
    limits: attesterLimitsSchema.default(ATTESTER_LIMIT_DEFAULTS),
    /**
     * Optional relayer authentication: when set, POST /signatures, POST /batches and POST /koii/evidence need a
     * request signed by one of these relayer keys (attester/auth.ts); everything else stays open.
     */
    auth: attesterAuthSchema.optional(),
  })
  .strict();

export const retrySchema = z
  .object({
    baseMs: z.number().int().min(1).default(1_000),
    maxMs: z.number().int().min(1).default(300_000),
    /** After this many failed deliveries the message is parked as `failed` (doctor says why). */
    maxAttempts: z.number().int().min(1).default(20),
  })
  .strict()
  .refine((r) => r.maxMs >= r.baseMs, { message: "maxMs must be at least baseMs", path: ["maxMs"] });

/** Delivery transaction fees (EVM): estimation cap, bumping of unmined transactions, how long to wait. */
export const feesSchema = z
  .object({
    /** Hard cap on maxFeePerGas, in gwei: no delivery ever offers more; above it the relayer waits. */
    maxFeePerGasGwei: z.number().positive().max(1_000_000).default(500),
    /** A delivery not mined after this long is replaced at the same nonce with higher fees. */
    bumpAfterMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** Raise per replacement, in percent of both fee fields. */
    bumpPercent: z
      .number()
      .int()
      .min(10, { message: "must be at least 10: nodes reject a replacement raising fees by less than 10%" })
      .max(1_000)
      .default(20),
    /** Stop waiting for a delivery after this long (its nonce is replaced by the next delivery). */
    receiptTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(180_000),
  })
  .strict()
  .refine((f) => f.receiptTimeoutMs > f.bumpAfterMs, {
    message: "must be longer than bumpAfterMs, or no bump ever happens",
    path: ["receiptTimeoutMs"],
  });
export type FeesConfig = z.infer<typeof feesSchema>;

/**
 * The keeper that releases inbound transfers an EVM TokenBridge queued (rate limit) once its bucket refilled
 * (keeper.ts). Off unless enabled.
 */
export const releaseQueuedSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Release attempts per destination chain per tick (each is a transaction). */
    maxPerTick: z.number().int().min(1).max(1_000).default(10),
    /** Ticks of the keeper's loop (scan for TransferQueued, release what is due). */
    intervalMs: z.number().int().min(10).max(600_000).default(5_000),
    /** Longest wait after a failed release (reverted simulation, fee cap, RPC error), and between rechecks of an
     * entry that never fits the bucket at its current limits. */
    maxBackoffMs: z.number().int().min(10).max(86_400_000).default(600_000),
  })
  .strict();
export type ReleaseQueuedConfig = z.infer<typeof releaseQueuedSchema>;

/**
 * Refunds on origins (refunder.ts, docs/protocol.md §8.1): scan every token bridge's final refund records (EVM
 * TokenBridges, the Solana program), collect the attesters' refund receipts and submit the refund on the origin (EVM
 * `refund`, Solana `post_signatures` kind 3 then `token_refund`). Off unless enabled.
 */
export const refundsConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Refund attempts per tick (each may be a transaction). */
    maxPerTick: z.number().int().min(1).max(1_000).default(10),
    /** Ticks of the refund loop. */
    intervalMs: z.number().int().min(10).max(600_000).default(5_000),
    /** Longest wait between attempts of a refund that has no quorum yet, or whose origin is paused. */
    maxBackoffMs: z.number().int().min(10).max(86_400_000).default(600_000),
  })
  .strict();
export type RefundsConfig = z.infer<typeof refundsConfigSchema>;

export const relayerConfigSchema = z
  .object({
    /** Base URLs of the attester nodes' HTTP servers. */
    attesters: z.array(z.url({ message: "expected an http(s) URL" })).min(1),
    pollIntervalMs: z.number().int().min(10).max(600_000).default(2_000),
    requestTimeoutMs: z.number().int().min(10).max(120_000).default(5_000),
    retry: retrySchema.default({ baseMs: 1_000, maxMs: 300_000, maxAttempts: 20 }),
    /** Messages per deliverBatch; 1 delivers one by one. */
    maxBatchSize: z.number().int().min(1).max(256).default(1),
    /** Where the relayer serves /health, /ready, /metrics and /messages/:id. */
    metrics: listenSchema.optional(),
    fees: feesSchema.default({
      maxFeePerGasGwei: 500,
      bumpAfterMs: 30_000,
      bumpPercent: 20,
      receiptTimeoutMs: 180_000,
    }),
    /** This instance's name in delivery claims (several relayers on one PostgreSQL); default host-pid-random. */
    instanceId: z.string().min(1).max(200).optional(),
    /** How long a claimed delivery stays this instance's; a crashed instance's claims are taken over after it. */
    leaseMs: z.number().int().min(1_000).max(86_400_000).default(600_000),
    /**
     * Deliveries claimed per tick (the share of the work one instance takes at a time); default 200, or four full
     * batches when that is more (a round can then keep several batch transactions in flight).
     */
    claimLimit: z.number().int().min(1).max(10_000).optional(),
    releaseQueued: releaseQueuedSchema.default({
      enabled: false,
      maxPerTick: 10,
      intervalMs: 5_000,
      maxBackoffMs: 600_000,
    }),
    refunds: refundsConfigSchema.default({ enabled: false, maxPerTick: 10, intervalMs: 5_000, maxBackoffMs: 600_000 }),
    /** Epoch reports collected from aggregator nodes, submitted, finalized, Solana payouts sent (reports/). */
    reports: reportsConfigSchema.optional(),
  })
  .strict()
  .refine((r) => r.leaseMs > r.fees.receiptTimeoutMs, {
    message: "must be longer than fees.receiptTimeoutMs, or a slow delivery's claim could expire while it is sent",
    path: ["leaseMs"],
  })
  .transform((r) => ({ ...r, claimLimit: r.claimLimit ?? Math.max(200, 4 * r.maxBatchSize) }));

/**
 * `production` (the default) accepts only reorg-safe finality; `dev` (a local devnet whose chains mine a block per
 * transaction) also accepts EVM `confirmations: 0` and Solana `confirmed`. The CLI's `--dev` sets it.
 */
export const profileSchema = z.enum(["production", "dev"], { message: 'expected "production" or "dev"' });
export type Profile = z.infer<typeof profileSchema>;

/** The problem with a chain's finality under `profile`, or undefined when it is acceptable. */
export function unsafeFinality(chain: ChainConfig, profile: Profile): { field: string; problem: string } | undefined {
  if (profile === "dev") return undefined;
  if (chain.family === "solana" && chain.commitment === "confirmed") {
    return {
      field: "commitment",
      problem: 'commitment "confirmed" can be rolled back; use "finalized" (or the dev profile: --dev / profile "dev")',
    };
  }
  if (chain.family === "evm" && chain.finality.kind === "confirmations" && chain.finality.depth === 0) {
    return {
      field: "finality.depth",
      problem:
        'depth 0 signs blocks any reorg undoes; use { "kind": "finalized" } or a depth >= 1 (or the dev profile: --dev / profile "dev")',
    };
  }
  return undefined;
}

export const configSchema = z
  .object({
    /** Which finality rules are accepted (see profileSchema). */
    profile: profileSchema.default("production"),
    chains: z.array(chainConfigSchema).min(1),
    store: storeConfigSchema.default({ kind: "sqlite", path: "./.maskoii/store.sqlite" }),
    keys: keysConfigSchema,
    attester: attesterConfigSchema.optional(),
    relayer: relayerConfigSchema.optional(),
    /** The Koii task round (attester only; src/koii/config.ts). */
    koii: koiiConfigSchema.optional(),
    log: logConfigSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<number>();
    for (const [i, chain] of c.chains.entries()) {
      if (seen.has(chain.domain)) {
        ctx.addIssue({ code: "custom", path: ["chains", i, "domain"], message: `domain ${chain.domain} listed twice` });
      }
      seen.add(chain.domain);
      const unsafe = unsafeFinality(chain, c.profile);
      if (unsafe !== undefined) {
        ctx.addIssue({ code: "custom", path: ["chains", i, ...unsafe.field.split(".")], message: unsafe.problem });
      }
    }
    const reports = c.relayer?.reports;
    if (reports !== undefined && !c.chains.some((chain) => chain.family === "evm" && chain.domain === reports.domain)) {
      ctx.addIssue({
        code: "custom",
        path: ["relayer", "reports", "domain"],
        message: `domain ${reports.domain} is not an EVM chain of chains`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ChainConfig = z.infer<typeof chainConfigSchema>;
export type EvmChainConfig = z.infer<typeof evmChainConfigSchema>;
export type SolanaChainConfig = z.infer<typeof solanaChainConfigSchema>;
/** An EVM chain whose gateway and start block are known (and its TokenBridge when the config or deployment names it). */
export type ResolvedEvmChainConfig = EvmChainConfig & {
  gateway: `0x${string}`;
  startBlock: number;
  tokenBridge?: `0x${string}`;
  /** The revenue suite's EpochReports named by the deployment file, if any (relayer.reports' default). */
  epochReports?: `0x${string}`;
};
/** A chain whose gateway (EVM) or program (Solana) and start block are known. */
export type ResolvedChainConfig = ResolvedEvmChainConfig | SolanaChainConfig;
export type ResolvedConfig = Omit<Config, "chains"> & { chains: ResolvedChainConfig[] };

const ENV_PREFIX = "MASKOII_";
const TOP_LEVEL = new Set(["profile", "chains", "store", "keys", "attester", "relayer", "koii", "log"]);

/** Applies MASKOII_* overrides to a parsed config object (a new object; the input is not changed). */
export function applyEnvOverrides(value: unknown, env: NodeJS.ProcessEnv): unknown {
  return overrideFromEnv(value, env, { prefix: ENV_PREFIX, topLevel: TOP_LEVEL });
}

/** Validates a config object (after env overrides); throws `InvalidConfigError` naming the first bad field. */
export function parseConfig(value: unknown, source = "config", env: NodeJS.ProcessEnv = {}): Config {
  return parseWithSchema(configSchema, applyEnvOverrides(value, env), source);
}

/** Fills each chain's gateway / startBlock from its deployment file; relative paths resolve against `baseDir`. */
export async function resolveChains(config: Config, baseDir: string): Promise<ResolvedConfig> {
  const chains: ResolvedChainConfig[] = [];
  for (const [i, chain] of config.chains.entries()) {
    if (chain.family === "solana") {
      chains.push(chain);
      continue;
    }
    let gateway = chain.gateway;
    let startBlock = chain.startBlock;
    let tokenBridge = chain.tokenBridge;
    let epochReports: `0x${string}` | undefined;
    if (chain.deploymentFile !== undefined) {
      const deployment = await loadDeployment(resolve(baseDir, chain.deploymentFile));
      if (deployment.domain !== chain.domain) {
        throw new InvalidConfigError("config", [
          {
            field: `chains.${i}.deploymentFile`,
            problem: `deployment is for domain ${deployment.domain}, not ${chain.domain}`,
          },
        ]);
      }
      gateway ??= deployment.contracts.gateway;
      startBlock ??= deployment.deployedAt.blockNumber;
      tokenBridge ??= deployment.contracts.tokenBridge;
      epochReports = deployment.contracts.revenue?.epochReports;
    }
    if (gateway === undefined) {
      throw new InvalidConfigError("config", [{ field: `chains.${i}.gateway`, problem: "missing" }]);
    }
    chains.push({
      ...chain,
      gateway,
      startBlock: startBlock ?? 0,
      ...(tokenBridge === undefined ? {} : { tokenBridge }),
      ...(epochReports === undefined ? {} : { epochReports }),
    });
  }
  const resolvePath = (p: string | undefined) => (p === undefined ? undefined : resolve(baseDir, p));
  const keys = {
    keystore: resolve(baseDir, config.keys.keystore),
    ...(config.keys.identityKeystore === undefined
      ? {}
      : { identityKeystore: resolvePath(config.keys.identityKeystore) }),
    ...(config.keys.passwordFile === undefined ? {} : { passwordFile: resolvePath(config.keys.passwordFile) }),
    ...(config.keys.solanaKeystore === undefined ? {} : { solanaKeystore: resolvePath(config.keys.solanaKeystore) }),
  } as Config["keys"];
  const store = resolveStorePaths(config.store, baseDir);
  return { ...config, chains, keys, store };
}

/**
 * Reads, overrides from `env`, validates and resolves a config file. `options.profile` (the CLI's `--dev`) overrides
 * the file's `profile`.
 */
export async function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { profile?: Profile } = {},
): Promise<ResolvedConfig> {
  let json = await readJsonConfig(path);
  if (options.profile !== undefined && typeof json === "object" && json !== null) {
    json = { ...json, profile: options.profile };
  }
  return resolveChains(parseConfig(json, path, env), dirname(resolve(path)));
}
