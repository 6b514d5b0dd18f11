// Wires and runs one attester node: store, chains, watchers, signer, signing loop, HTTP server.
import { getAddress } from "viem";
import type { Chains } from "../chains/adapter.ts";
import type { ResolvedConfig } from "../config.ts";
import { createBindingRecord } from "../identity.ts";
import type { UnlockedKey } from "../keys/keystore.ts";
import type { Logger } from "../log.ts";
import { startLoop } from "../loop.ts";
import { Metrics } from "../metrics.ts";
import { connectChains, makeWatchers } from "../runtime.ts";
import { openStore } from "../store/index.ts";
import type { Store } from "../store/types.ts";
import { AttesterObserver } from "./observer.ts";
import { startAttesterServer } from "./server.ts";
import { AttesterSigner } from "./signer.ts";

export type AttesterHandle = {
  readonly url: string;
  readonly address: string;
  readonly store: Store;
  readonly chains: Chains;
  readonly observer: AttesterObserver;
  stop: () => Promise<void>;
};

export async function startAttester(args: {
  config: ResolvedConfig;
  attestingKey: UnlockedKey;
  identityKey?: UnlockedKey;
  log: Logger;
}): Promise<AttesterHandle> {
  const { config, log } = args;
  const settings = config.attester ?? {
    listen: { host: "127.0.0.1", port: 7300 },
    pollIntervalMs: 1_000,
    signBatches: true,
  };
  const metrics = new Metrics();
  const store = await openStore(config.store);
  try {
    const chains = await connectChains(config, { metrics });
    const address = getAddress(args.attestingKey.publicId);
    const signer = new AttesterSigner({ address, privateKey: args.attestingKey.privateKey, store, log, metrics });
    const watchers = makeWatchers({ config, chains, store, role: "attester", log, metrics });
    const observer = new AttesterObserver({ chains, watchers, store, signer, log, metrics });
    const binding =
      args.identityKey === undefined
        ? undefined
        : createBindingRecord({
            ed25519PrivateKey: args.identityKey.privateKey,
            secp256k1PrivateKey: args.attestingKey.privateKey,
            attester: address,
            issuedAt: Math.floor(Date.now() / 1000),
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
        ...(binding === undefined ? {} : { binding }),
      },
      settings.listen,
    );
    const loop = startLoop(() => observer.tick(), settings.pollIntervalMs);
    log.info({ url: server.url, attester: address, koii: binding?.koiiPublicKey }, "attester node up");
    return {
      url: server.url,
      address,
      store,
      chains,
      observer,
      stop: async () => {
        await loop.stop();
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
