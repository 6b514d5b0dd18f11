// Builds each configured connector with its own upstream client (its own retries and rate-limit state), whose waits
// and retries are counted under the connector's name.
import { FarcasterNetwork } from "@farcaster/core";
import type { Logger } from "@maskoii/node-kit";
import type { ConnectorConfig } from "../config.ts";
import type { Connector } from "../connector.ts";
import type { AggregatorMetrics } from "../metrics.ts";
import { type RetryPolicy, Upstream } from "../upstream.ts";
import { BlueskyConnector } from "./bluesky.ts";
import { FarcasterConnector } from "./farcaster.ts";
import { configuredSigners } from "./farcaster-message.ts";
import { HubSigners } from "./farcaster-signers.ts";
import { LensConnector } from "./lens.ts";
import { MastodonConnector } from "./mastodon.ts";
import { RssConnector } from "./rss.ts";

const NETWORKS = {
  mainnet: FarcasterNetwork.MAINNET,
  testnet: FarcasterNetwork.TESTNET,
  devnet: FarcasterNetwork.DEVNET,
};

export function buildConnector(
  config: ConnectorConfig,
  deps: {
    readonly retry: RetryPolicy;
    readonly metrics: AggregatorMetrics;
    readonly log: Logger;
    readonly signal?: AbortSignal;
  },
): Connector {
  const labels = { connector: config.name };
  const upstream = new Upstream(
    deps.retry,
    {
      onRateLimitWait: (ms, url) => {
        deps.metrics.rateLimitWaits.inc(labels);
        deps.metrics.rateLimitWaitSeconds.inc(labels, ms / 1_000);
        deps.log.info({ connector: config.name, url, waitMs: ms }, "rate limited: waiting");
      },
      onRetry: (attempt, delayMs, error) => {
        deps.metrics.retries.inc(labels);
        deps.log.debug({ connector: config.name, attempt, delayMs, err: error.message }, "retrying");
      },
    },
    deps.signal,
  );
  const ctx = { upstream, log: deps.log.child({ connector: config.name }) };
  switch (config.kind) {
    case "farcaster":
      return new FarcasterConnector(
        {
          ...config,
          network: NETWORKS[config.network],
          signers:
            config.signerSource === "hub"
              ? new HubSigners(config.hubUrl, upstream, config.signerCacheMs)
              : configuredSigners(config.signers),
        },
        ctx,
      );
    case "mastodon":
      return new MastodonConnector(config, ctx);
    case "lens":
      return new LensConnector(config, ctx);
    case "rss":
      return new RssConnector(config, ctx);
    case "bluesky":
      return new BlueskyConnector(
        {
          ...config,
          ...(config.localIdentity ? { identityFetch: globalThis.fetch.bind(globalThis) } : {}),
        },
        ctx,
        deps.signal,
      );
  }
}
