// Wires and runs one attester node: store, chains, watchers, signer, signing loop, HTTP server.

import type { Logger, UnlockedKey } from "@maskoii/node-kit";
import { createBindingRecord, startLoop } from "@maskoii/node-kit";
import { getAddress, type Hex } from "viem";
import type { Chains } from "../chains/adapter.ts";
import { attesterConfigSchema, type ResolvedConfig } from "../config.ts";
import { describeError, InvalidConfigError } from "../errors.ts";
import { type KoiiNode, startKoiiTask } from "../koii/node.ts";
import { Metrics } from "../metrics.ts";
import { connectChains, connectOriginQuorums, makeWatchers } from "../runtime.ts";
import { openStore } from "../store/index.ts";
import { RefundStore } from "../store/refunds.ts";
import type { Store } from "../store/types.ts";
import { RelayerAuthenticator } from "./auth.ts";
import { AttesterObserver } from "./observer.ts";
import { bridgeChains, RefundAttester } from "./refunds.ts";
import { startAttesterServer } from "./server.ts";
import { AttesterSigner } from "./signer.ts";

export type AttesterHandle = {
  readonly url: string;
  readonly address: string;
  readonly store: Store;
  readonly chains: Chains;
  readonly observer: AttesterObserver;
  /** Refund receipts (attester/refunds.ts). */
  readonly refunds: RefundAttester;
  /** The Koii task round, when `koii` is configured. */
  readonly koii: KoiiNode | undefined;
  stop: () => Promise<void>;
};

export async function startAttester(args: {
  config: ResolvedConfig;
  attestingKey: UnlockedKey;
  identityKey?: UnlockedKey;
  log: Logger;
}): Promise<AttesterHandle> {
  const { config, log } = args;
  const settings = config.attester ?? attesterConfigSchema.parse({});
  const metrics = new Metrics();
  const store = await openStore(config.store);
  try {
    if (config.koii !== undefined && args.identityKey === undefined) {
      throw new InvalidConfigError("config", [
        { field: "keys.identityKeystore", problem: "the koii task needs the node's ed25519 identity" },
      ]);
    }
    // The attesting key pays for equivocation reports only on nodes that opted in (koii.reportEquivocationOn).
    const reports = (config.koii?.reportEquivocationOn.length ?? 0) > 0;
    const chains = await connectChains(config, { metrics, ...(reports ? { signer: args.attestingKey } : {}) });
    const address = getAddress(args.attestingKey.publicId);
    const signer = new AttesterSigner({ address, privateKey: args.attestingKey.privateKey, store, log, metrics });
    const origins = await connectOriginQuorums(config, chains, { log, metrics });
    const watchers = makeWatchers({ config, chains, origins, store, role: "attester", log, metrics });
    const observer = new AttesterObserver({
      chains,
      watchers,
      store,
      signer,
      log,
      metrics,
      signDelayMs: settings.messageSignDelayMs,
    });
    const refunds = new RefundAttester({
      bridges: bridgeChains(config, chains),
      store,
      refunds: RefundStore.of(store),
      signer,
      log: log.child({ component: "refunds" }),
      metrics,
    });
    const binding =
      args.identityKey === undefined
        ? undefined
        : createBindingRecord({
            ed25519PrivateKey: args.identityKey.privateKey,
            secp256k1PrivateKey: args.attestingKey.privateKey,
            attester: address,
            issuedAt: Math.floor(Date.now() / 1000),
          });
    const koii =
      config.koii === undefined || binding === undefined || args.identityKey === undefined
        ? undefined
        : await startKoiiTask({
            config: config.koii,
            chains,
            origins,
            startBlocks: new Map(config.chains.map((c) => [c.domain, BigInt(c.startBlock)])),
            store,
            ed25519PrivateKey: args.identityKey.privateKey as Hex,
            binding,
            log,
            metrics,
            evidencePerSubmitterPerRound: settings.limits.evidencePerSubmitterPerRound,
          });
    const server = await startAttesterServer(
      {
        store,
        chains,
        signer,
        metrics,
        log,
        ready: () => observer.ready,
        signBatches: settings.signBatches,
        signNow: (ids) => observer.signNow(ids),
        refunds,
        limits: settings.limits,
        ...(settings.auth === undefined ? {} : { auth: new RelayerAuthenticator(settings.auth) }),
        ...(binding === undefined ? {} : { binding }),
        ...(koii === undefined ? {} : { koii: koii.routes }),
      },
      settings.listen,
    );
    const loop = startLoop(async () => {
      await observer.tick();
      await refunds.tick().catch((error: unknown) => {
        log.warn({ error: describeError(error) }, "refund round failed; retrying next round");
      });
    }, settings.pollIntervalMs);
    log.info({ url: server.url, attester: address, koii: binding?.koiiPublicKey }, "attester node up");
    return {
      url: server.url,
      address,
      store,
      chains,
      observer,
      refunds,
      koii,
      stop: async () => {
        await loop.stop();
        await koii?.stop();
        await server.close();
        await store.close();
        log.info("attester node stopped");
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
