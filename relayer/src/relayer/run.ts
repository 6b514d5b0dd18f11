// Wires and runs the relayer: store, chains (with the paying account), watchers, attester client, delivery loop and
// an optional /health + /metrics server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Chains } from "../chains/adapter.ts";
import type { ResolvedConfig } from "../config.ts";
import { InvalidConfigError } from "../errors.ts";
import type { UnlockedKey } from "../keys/keystore.ts";
import { ByzantineReporter } from "../koii/reporter.ts";
import { KoiiStore } from "../koii/store.ts";
import type { Logger } from "../log.ts";
import { startLoop } from "../loop.ts";
import { Metrics } from "../metrics.ts";
import { connectChains, makeWatchers } from "../runtime.ts";
import { openStore } from "../store/index.ts";
import type { Store } from "../store/types.ts";
import { AttesterClient } from "./collector.ts";
import { Relayer } from "./service.ts";

export type RelayerHandle = {
  readonly store: Store;
  readonly chains: Chains;
  readonly relayer: Relayer;
  readonly metricsUrl: string | undefined;
  stop: () => Promise<void>;
};

async function metricsServer(metrics: Metrics, listen: { host: string; port: number }): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      metrics.render().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
    res.end(req.url === "/health" ? '{"status":"ok"}' : '{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return server;
}

export async function startRelayer(args: {
  config: ResolvedConfig;
  payingKey: UnlockedKey;
  log: Logger;
}): Promise<RelayerHandle> {
  const { config, log } = args;
  const settings = config.relayer;
  if (settings === undefined) throw new InvalidConfigError("config", [{ field: "relayer", problem: "missing" }]);
  const metrics = new Metrics();
  const store = await openStore(config.store);
  try {
    const chains = await connectChains(config, { metrics, signer: args.payingKey });
    let relayer: Relayer | undefined;
    const watchers = makeWatchers({
      config,
      chains,
      store,
      role: "relayer",
      log,
      metrics,
      onMessage: async (m) => relayer?.track(m),
    });
    relayer = new Relayer({
      chains,
      watchers,
      store,
      attesters: new AttesterClient(settings.attesters, settings.requestTimeoutMs),
      log,
      metrics,
      pollIntervalMs: settings.pollIntervalMs,
      retry: settings.retry,
      maxBatchSize: settings.maxBatchSize,
      byzantine: new ByzantineReporter({
        store: KoiiStore.of(store),
        attesters: settings.attesters,
        log,
        metrics,
        timeoutMs: settings.requestTimeoutMs,
      }),
    });
    const active = relayer;
    const loop = startLoop(() => active.tick(), settings.pollIntervalMs);
    const server = settings.metrics === undefined ? undefined : await metricsServer(metrics, settings.metrics);
    const address = server?.address() as AddressInfo | undefined;
    const metricsUrl = address === undefined ? undefined : `http://${settings.metrics?.host}:${address.port}`;
    log.info({ attesters: settings.attesters, metricsUrl }, "relayer up");
    return {
      store,
      chains,
      relayer: active,
      metricsUrl,
      stop: async () => {
        await loop.stop();
        if (server !== undefined) {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
        await store.close();
        log.info("relayer stopped");
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
