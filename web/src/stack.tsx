// The stack the app talks to, from config.json: nodes, the indexer, the chains (the first chain with the revenue
// contracts is the community's home chain).
import { createContext, useContext } from "react";
import { absolute, type WebChain, type WebConfig } from "./lib/config.ts";

export type Stack = {
  readonly config: WebConfig;
  readonly community: string;
  readonly nodes: readonly { name: string; url: string }[];
  readonly indexer: string | undefined;
  readonly home: WebChain | undefined;
  readonly publish: { url: string; host: string; hashtag: string } | undefined;
};

export function stackOf(config: WebConfig, base: string): Stack {
  return {
    config,
    community: config.community,
    nodes: config.nodes.map((n) => ({ name: n.name, url: absolute(n.url, base) })),
    indexer: config.indexer === null ? undefined : absolute(config.indexer, base),
    home: config.chains.find((c) => c.revenue !== null),
    publish:
      config.publish === null
        ? undefined
        : { url: absolute(config.publish.url, base), host: config.publish.host, hashtag: config.publish.hashtag },
  };
}

export const StackContext = createContext<Stack | undefined>(undefined);

export function useStack(): Stack {
  const stack = useContext(StackContext);
  if (stack === undefined) throw new TypeError("useStack outside the app");
  return stack;
}

export function chainName(stack: Stack, domain: number | null | undefined): string {
  if (domain === 1003) return "Solana";
  return stack.config.chains.find((c) => c.domain === domain)?.name ?? `domain ${domain ?? "?"}`;
}
