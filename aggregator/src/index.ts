// @maskoii/aggregator: the social aggregation node (issue 15). Connectors for Farcaster, Mastodon, Lens and
// RSS/Atom behind one interface, a durable store keyed by canonical ids, and the operator endpoints.
export * from "./accounts.ts";
export * from "./communities.ts";
export * from "./config.ts";
export * from "./connector.ts";
export * from "./connectors/build.ts";
export * from "./connectors/farcaster.ts";
export * from "./connectors/farcaster-message.ts";
export * from "./connectors/farcaster-signers.ts";
export * from "./connectors/lens.ts";
export * from "./connectors/mastodon.ts";
export * from "./connectors/rss.ts";
export * from "./errors.ts";
export * from "./identity-proof.ts";
export * from "./ingestor.ts";
export * from "./item.ts";
export * from "./metrics.ts";
export * from "./node.ts";
export * from "./proof-verifier.ts";
export * from "./server.ts";
export * from "./status.ts";
export * from "./store.ts";
export * from "./timeline.ts";
export * from "./timeline-routes.ts";
export * from "./upstream.ts";
