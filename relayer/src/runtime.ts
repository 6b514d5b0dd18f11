// Builds what both roles share from a resolved config: chain adapters, origin watchers, the signing key.
import { privateKeyToAccount } from "viem/accounts";
import type { Chains } from "./chains/adapter.ts";
import { EvmChainAdapter } from "./chains/evm.ts";
import type { FeePolicy } from "./chains/evm-sender.ts";
import { MessageWatcher } from "./chains/watcher.ts";
import type { ResolvedConfig } from "./config.ts";
import { type KeyKind, type UnlockedKey, unlockKeystore } from "./keys/keystore.ts";
import { readPassword } from "./keys/secrets.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { ObservedMessage, Store } from "./store/types.ts";

/** Connects an adapter per configured chain (checking each RPC's chain id against the domain registry). */
export async function connectChains(
  config: ResolvedConfig,
  options: { metrics?: Metrics; signer?: UnlockedKey; log?: Logger },
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
  const chains = new Map<number, EvmChainAdapter>();
  for (const chain of config.chains) {
    const adapter = await EvmChainAdapter.connect({
      domain: chain.domain,
      rpcUrl: chain.rpcUrl,
      gateway: chain.gateway,
      finality: chain.finality,
      ...(account === undefined ? {} : { account }),
      ...(policy === undefined ? {} : { fees: policy }),
      ...(options.log === undefined ? {} : { log: options.log.child({ domain: chain.domain }) }),
      onRpcError: (call) => options.metrics?.rpcErrors.inc({ domain: String(chain.domain), call }),
      onFeeBump: () => options.metrics?.feeBumps.inc({ domain: String(chain.domain) }),
    });
    chains.set(chain.domain, adapter);
  }
  return chains;
}

/** One watcher per configured chain (every chain is an origin). */
export function makeWatchers(args: {
  config: ResolvedConfig;
  chains: Chains;
  store: Store;
  role: "attester" | "relayer";
  log: Logger;
  metrics?: Metrics;
  onMessage?: (m: ObservedMessage) => Promise<void>;
}): MessageWatcher[] {
  return args.config.chains.map((chain) => {
    const adapter = args.chains.get(chain.domain);
    if (adapter === undefined) throw new Error(`no adapter for domain ${chain.domain}`);
    return new MessageWatcher({
      adapter,
      store: args.store,
      startBlock: chain.startBlock,
      maxBlockRange: chain.maxBlockRange,
      role: args.role,
      log: args.log.child({ origin: chain.domain }),
      ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
      ...(args.onMessage === undefined ? {} : { onMessage: args.onMessage }),
    });
  });
}

/** Unlocks a keystore of the config with the password from the password file, the environment or stdin. */
export async function unlockConfigured(
  config: ResolvedConfig,
  which: "keystore" | "identityKeystore",
  kind: KeyKind,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UnlockedKey | undefined> {
  const path = config.keys[which];
  if (path === undefined) return undefined;
  const password = await readPassword({ file: config.keys.passwordFile, env, stdin: process.stdin });
  return unlockKeystore(path, password, kind);
}
