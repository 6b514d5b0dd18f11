// What the beacon tests share: a node's engagement routes on a real HTTP server (127.0.0.1) over a fresh in-memory
// store, and a POST helper.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { BucketSettings } from "@maskoii/node-kit";
import type { Hex } from "viem";
import type { Beacon, EngagementDomain } from "../src/engagement/beacon.ts";
import { BeaconIntake, type TaskNodeRef } from "../src/engagement/beacon-intake.ts";
import { BeaconStore } from "../src/engagement/beacon-store.ts";
import type { BeaconFilter, CampaignLookup, EngagementChain, PostLookup } from "../src/engagement/filters.ts";
import { type EngagementDeps, handleEngagementRoute } from "../src/engagement/routes.ts";
import type { Item } from "../src/item.ts";
import { AggregatorMetrics } from "../src/metrics.ts";
import { AggregatorStore } from "../src/store.ts";

export type EngagementNode = {
  url: string;
  store: AggregatorStore;
  beacons: BeaconStore;
  metrics: AggregatorMetrics;
  deps: EngagementDeps;
  post(body: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  close(): Promise<void>;
};

export async function startEngagementNode(args: {
  chain: EngagementChain;
  domain: EngagementDomain;
  posts: (store: AggregatorStore) => PostLookup;
  campaigns?: CampaignLookup;
  self: { koiiPublicKey: string; privateKey: Hex };
  nodes?: readonly TaskNodeRef[];
  rate?: BucketSettings;
  filters?: readonly BeaconFilter[];
  now: () => number;
  items?: { connector: string; stream: string; items: readonly Item[] };
  closeGraceMs?: number;
}): Promise<EngagementNode> {
  const store = await AggregatorStore.open({ kind: "sqlite", path: ":memory:" });
  if (args.items !== undefined) {
    await store.commitPage(
      args.items.connector,
      args.items.stream,
      { items: args.items.items, rejects: 0, cursor: {}, more: false },
      Date.now(),
    );
  }
  const metrics = new AggregatorMetrics();
  const beacons = new BeaconStore(store.db);
  const nodes = args.nodes ?? [{ koiiPublicKey: args.self.koiiPublicKey, url: "http://127.0.0.1:1" }];
  const intake = new BeaconIntake({
    store: beacons,
    chain: args.chain,
    posts: args.posts(store),
    ...(args.campaigns === undefined ? {} : { campaigns: args.campaigns }),
    domain: args.domain,
    self: args.self.koiiPublicKey,
    nodes,
    ...(args.rate === undefined ? {} : { rate: args.rate }),
    ...(args.filters === undefined ? {} : { filters: args.filters }),
    metrics,
    now: args.now,
  });
  const deps: EngagementDeps = {
    intake,
    store: beacons,
    chain: args.chain,
    nodeSecret: `0x${"5a".repeat(32)}`,
    ed25519PrivateKey: args.self.privateKey,
    members: new Set(nodes.map((n) => n.koiiPublicKey)),
    closeGraceMs: args.closeGraceMs ?? 60_000,
    now: args.now,
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!handleEngagementRoute(req, res, url, deps)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    beacons,
    metrics,
    deps,
    async post(body) {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      const r = await fetch(`${url}/beacons`, {
        method: "POST",
        body: text,
        headers: { "content-type": "application/json" },
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/** The verdicts of a 200 answer. */
export function verdictsOf(answer: { status: number; body: Record<string, unknown> }): string[] {
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
  return (answer.body.verdicts as { verdict: string }[]).map((v) => v.verdict);
}

export const batch = (...beacons: Beacon[]) => ({ beacons });
