// Builds what both roles share from a resolved config: chain adapters, origin watchers, the signing key.

import type { Logger } from "@maskoii/node-kit";
import { type KeyKind, readPassword, type UnlockedKey, unlockKeystore } from "@maskoii/node-kit";
import { hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ChainAdapter, Chains } from "./chains/adapter.ts";
import { EvmChainAdapter } from "./chains/evm.ts";
import type { FeePolicy } from "./chains/evm-sender.ts";
import { type OriginReader, providerName, QuorumOriginReader } from "./chains/quorum.ts";
import { MessageWatcher } from "./chains/watcher.ts";
import type { ResolvedConfig } from "./config.ts";
import { UnknownChainError } from "./errors.ts";
import type { Metrics } from "./metrics.ts";
import type { ObservedMessage, Store } from "./store/types.ts";

/**
 * Connects an adapter per configured chain, by family (checking each EVM RPC's chain id against the domain registry,
 * and each Solana endpoint's program and local domain). `signer` pays on EVM chains, `solanaSigner` (ed25519) on
 * Solana chains; without them the adapters are read-only.
 */
export async function connectChains(
  config: ResolvedConfig,
  options: { metrics?: Metrics; signer?: UnlockedKey; solanaSigner?: UnlockedKey; log?: Logger },
): Promise<Chains> {
  const fees = config.relayer?.fees;
  const policy: FeePolicy | undefined =
    fees === undefined
      ? undefined
      : {
          maxFeePerGas: BigInt(Math.round(fees.maxFeePerGasGwei * 1e9)),
          bumpAfterMs: fees.bumpAfterMs,
          bumpPercent: fees.bumpPercent,
          receiptTimeoutMs: fees.receiptTimeoutMs,
          pollIntervalMs: Math.min(500, Math.max(50, Math.floor(fees.bumpAfterMs / 4))),
        };
  const account = options.signer === undefined ? undefined : privateKeyToAccount(options.signer.privateKey);
  // The Solana client stack (web3.js and its native-binding probes) loads only when a Solana chain is configured.
  const solana = config.chains.some((chain) => chain.family === "solana")
    ? {
        ...(await import("@solana/web3.js")),
        ...(await import("./chains/solana.ts")),
      }
    : undefined;
  const payer =
    options.solanaSigner === undefined || solana === undefined
      ? undefined
      : solana.Keypair.fromSeed(hexToBytes(options.solanaSigner.privateKey));
  const chains = new Map<number, ChainAdapter>();
  for (const chain of config.chains) {
    const onRpcError = (call: string) => options.metrics?.rpcErrors.inc({ domain: String(chain.domain), call });
    if (chain.family === "solana") {
      if (solana === undefined) throw new UnknownChainError(chain.domain);
      const adapter = await solana.SolanaChainAdapter.connect({
        domain: chain.domain,
        rpcUrl: chain.rpcUrl,
        programId: new solana.PublicKey(chain.programId),
        commitment: chain.commitment,
        priorityFee: chain.priorityFee,
        confirmTimeoutMs: chain.confirmTimeoutMs,
        ...(payer === undefined ? {} : { payer }),
        onRpcError,
      });
      chains.set(chain.domain, adapter);
      continue;
    }
    const adapter = await EvmChainAdapter.connect({
      domain: chain.domain,
      rpcUrl: chain.rpcUrl,
      gateway: chain.gateway,
      finality: chain.finality,
      ...(account === undefined ? {} : { account }),
      ...(policy === undefined ? {} : { fees: policy }),
      ...(options.log === undefined ? {} : { log: options.log.child({ domain: chain.domain }) }),
      onRpcError,
      onFeeBump: () => options.metrics?.feeBumps.inc({ domain: String(chain.domain) }),
    });
    chains.set(chain.domain, adapter);
  }
  return chains;
}

/** A read-only adapter of `chain` through another provider: same family, deployment and finality. */
async function connectOriginReader(
  chain: ResolvedConfig["chains"][number],
  rpcUrl: string,
  onRpcError: (call: string) => void,
): Promise<OriginReader> {
  if (chain.family === "evm") {
    return EvmChainAdapter.connect({
      domain: chain.domain,
      rpcUrl,
      gateway: chain.gateway,
      finality: chain.finality,
      onRpcError,
    });
  }
  const [{ PublicKey }, { SolanaChainAdapter }] = await Promise.all([
    import("@solana/web3.js"),
    import("./chains/solana.ts"),
  ]);
  return SolanaChainAdapter.connect({
    domain: chain.domain,
    rpcUrl,
    programId: new PublicKey(chain.programId),
    commitment: chain.commitment,
    onRpcError,
  });
}

/**
 * For each chain (EVM or Solana) with more RPC providers (`rpcs`), a reader that records only what `rpcQuorum` of
 * them (default a majority of rpcUrl + rpcs) agree on (chains/quorum.ts). `chains` supplies the rpcUrl provider;
 * the others are read-only adapters of the same family, deployment and finality.
 */
export async function connectOriginQuorums(
  config: ResolvedConfig,
  chains: Chains,
  options: { log: Logger; metrics?: Metrics },
): Promise<Map<number, QuorumOriginReader>> {
  const readers = new Map<number, QuorumOriginReader>();
  for (const chain of config.chains) {
    if (chain.rpcs === undefined) continue;
    const primary = chains.get(chain.domain);
    if (primary === undefined) throw new UnknownChainError(chain.domain);
    const onRpcError = (call: string) => options.metrics?.rpcErrors.inc({ domain: String(chain.domain), call });
    const providers: { name: string; reader: OriginReader }[] = [{ name: providerName(chain.rpcUrl), reader: primary }];
    for (const rpcUrl of chain.rpcs) {
      const reader = await connectOriginReader(chain, rpcUrl, onRpcError);
      providers.push({ name: providerName(rpcUrl), reader });
    }
    readers.set(
      chain.domain,
      new QuorumOriginReader({
        domain: chain.domain,
        providers,
        quorum: chain.rpcQuorum ?? Math.floor(providers.length / 2) + 1,
        log: options.log.child({ origin: chain.domain }),
        ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      }),
    );
  }
  return readers;
}

/** One watcher per configured chain (every chain is an origin). */
export function makeWatchers(args: {
  config: ResolvedConfig;
  chains: Chains;
  /** Origins read through a quorum of providers instead of their adapter (connectOriginQuorums). */
  origins?: ReadonlyMap<number, OriginReader>;
  store: Store;
  role: "attester" | "relayer";
  log: Logger;
  metrics?: Metrics;
  onMessage?: (m: ObservedMessage) => Promise<void>;
  /** Called once per scanned range with its observed messages (in bulk). */
  onMessages?: (ms: readonly ObservedMessage[]) => Promise<void>;
}): MessageWatcher[] {
  return args.config.chains.map((chain) => {
    const adapter = args.origins?.get(chain.domain) ?? args.chains.get(chain.domain);
    if (adapter === undefined) throw new UnknownChainError(chain.domain);
    return new MessageWatcher({
      adapter,
      store: args.store,
      startBlock: chain.startBlock,
      maxBlockRange: chain.maxBlockRange,
      role: args.role,
      log: args.log.child({ origin: chain.domain }),
      ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
      ...(args.onMessage === undefined ? {} : { onMessage: args.onMessage }),
      ...(args.onMessages === undefined ? {} : { onMessages: args.onMessages }),
    });
  });
}

/** Unlocks a keystore of the config with the password from the password file, the environment or stdin. */
export async function unlockConfigured(
  config: ResolvedConfig,
  which: "keystore" | "identityKeystore" | "solanaKeystore",
  kind: KeyKind,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UnlockedKey | undefined> {
  const path = config.keys[which];
  if (path === undefined) return undefined;
  const password = await readPassword({ file: config.keys.passwordFile, env, stdin: process.stdin });
  return unlockKeystore(path, password, kind);
}
