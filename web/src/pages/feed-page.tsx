// The personal feed (issue 16's feed API on the persona's home node): ranked items, each with "why this item" (its
// source and each feature's contribution to the score), weight sliders (signed settings), more / less like this
// (signed feedback), ads labelled "Sponsored"; impressions and engagements go out as signed beacons. A node without
// the feed routes (404) says so plainly.

import { accountOfProof, mastodonActorUri } from "@maskoii/aggregator/accounts";
import { communityRegistryAbi } from "@maskoii/sdk";
import { useEffect, useRef, useState } from "react";
import { type Address, type Hex, toHex } from "viem";
import { z } from "zod";
import { loadAccount } from "../account.tsx";
import { publicClientOf } from "../lib/chains.ts";
import { type BeaconFields, beaconDigest, type Domain, header, raw } from "../lib/feed-signing.ts";
import { postJson, RequestFailedError, request } from "../lib/http.ts";
import { useAction, useRequest } from "../lib/use-request.ts";
import { useWallet } from "../lib/wallet.tsx";
import { type Stack, useStack } from "../stack.tsx";
import { ActionStatus, NeedsWallet, Request } from "../ui.tsx";
import { networkName } from "./community-page.tsx";

export const FEATURES = ["engagement", "recency", "following", "positive", "negative", "diversity"] as const;
const MAX_WEIGHT = 10;

const whySchema = z
  .object({
    source: z.string().optional(),
    features: z
      .array(
        z
          .object({
            feature: z.string(),
            value: z.number().optional(),
            weight: z.number().optional(),
            contribution: z.number().optional(),
          })
          .passthrough(),
      )
      .default([]),
    total: z.number().optional(),
  })
  .passthrough();
const adSchema = z.object({
  type: z.literal("ad"),
  label: z.string(),
  campaignId: z.union([z.string(), z.number()]).transform(String),
  creativeURI: z.string(),
});
const postSchema = z.object({
  type: z.literal("post").optional(),
  id: z.string(),
  network: z.string().default("?"),
  author: z.union([z.string(), z.object({ id: z.string() })]).optional(),
  body: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  why: whySchema.optional(),
});
const feedItemSchema = z.union([adSchema, postSchema]);
const feedSchema = z.object({ items: z.array(feedItemSchema), nextCursor: z.string().nullable().optional() });
type FeedItem = z.infer<typeof feedItemSchema>;
type AdItem = z.infer<typeof adSchema>;
type PostItem = z.infer<typeof postSchema>;
const isAd = (item: FeedItem): item is AdItem => item.type === "ad";

/** The persona's bound account the beacons name: the Mastodon account this tab publishes with, else the indexer's. */
async function boundAccount(
  stack: Stack,
  persona: Address,
): Promise<{ platform: number; accountId: string } | undefined> {
  const acct = loadAccount().acct;
  if (/^[^@\s]+@[^@\s]+$/.test(acct)) {
    const account = accountOfProof("activitypub", mastodonActorUri(acct));
    if (account !== undefined) return account;
  }
  if (stack.indexer === undefined) return undefined;
  const bound = await request(
    "the indexer",
    `${stack.indexer}/accounts/${persona}/earnings`,
    z.object({ bindings: z.array(z.object({ platform: z.number(), accountId: z.string() })) }),
  );
  return bound.bindings[0];
}

function domainOf(stack: Stack): Domain | undefined {
  const home = stack.home;
  return home?.revenue == null
    ? undefined
    : { chainId: home.chainId, communityRegistry: home.revenue.communityRegistry };
}

function Why({ item }: { item: PostItem }) {
  const why = item.why;
  if (why === undefined) return null;
  return (
    <details className="why">
      <summary>Why this item</summary>
      <p>
        {why.source === undefined ? "" : `From ${why.source.replace(/-/g, " ")}. `}
        {why.total === undefined ? "" : `Score ${why.total}.`}
      </p>
      <dl>
        {why.features.map((f) => (
          <div key={f.feature} style={{ display: "contents" }}>
            <dt>{f.feature}</dt>
            <dd>
              {f.contribution ?? "?"}
              {f.value === undefined || f.weight === undefined ? "" : ` (value ${f.value} × weight ${f.weight})`}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export function FeedPage() {
  const stack = useStack();
  const wallet = useWallet();
  const persona = wallet.address;
  const domain = domainOf(stack);
  const [node, setNode] = useState(stack.nodes[0]);
  const [weights, setWeights] = useState<Record<string, number>>(Object.fromEntries(FEATURES.map((f) => [f, 5])));
  const [settings, runSettings] = useAction();
  const [feedback, runFeedback] = useAction();
  const [beacons, setBeacons] = useState<string>("");
  const { state, reload } = useRequest(
    persona === undefined || node === undefined || domain === undefined
      ? undefined
      : async () => {
          const at = Math.floor(Date.now() / 1000);
          const signature = await wallet.signMessage(raw(header("maskoii feed read v1", domain, persona, at)));
          const url = `${node.url}/feed?persona=${persona}&community=${stack.community}&limit=20&at=${at}&signature=${signature}`;
          try {
            return { kind: "feed" as const, feed: await request(`aggregator node ${node.name}`, url, feedSchema) };
          } catch (e) {
            if (e instanceof RequestFailedError && e.status === 404) return { kind: "unsupported" as const };
            if (e instanceof RequestFailedError && e.status === 421) {
              const home = z.object({ url: z.string() }).safeParse(e.body);
              const next = stack.nodes.find(
                (n) => home.success && new URL(n.url).host === new URL(home.data.url, n.url).host,
              );
              if (next !== undefined && next !== node) setNode(next);
              return { kind: "moved" as const };
            }
            throw e;
          }
        },
    [persona, node?.url],
  );

  const sent = useRef(new Set<string>());
  const sendBeacons = (items: { target: string; action: "impression" | "engagement" }[]) =>
    signAndSend(items).catch((e: unknown) =>
      setBeacons(`Beacons not sent: ${e instanceof Error ? e.message : String(e)}`),
    );
  const signAndSend = async (items: { target: string; action: "impression" | "engagement" }[]) => {
    if (persona === undefined || domain === undefined || node === undefined || stack.home === undefined) return;
    const fresh = items.filter((i) => i.action === "engagement" || !sent.current.has(i.target));
    if (fresh.length === 0) return;
    const client = publicClientOf(stack.home);
    const registry = domain.communityRegistry;
    const [genesis, length] = await Promise.all([
      client.readContract({ address: registry, abi: communityRegistryAbi, functionName: "genesis" }),
      client.readContract({ address: registry, abi: communityRegistryAbi, functionName: "epochLength" }),
    ]);
    const account = await boundAccount(stack, persona);
    if (account === undefined) {
      setBeacons("Bind an account (Identity) to count your views.");
      return;
    }
    const at = Math.floor(Date.now() / 1000);
    const epoch = Math.floor((at - Number(genesis)) / Number(length));
    const signed = [];
    for (const i of fresh) {
      const fields: BeaconFields = {
        version: 1,
        community: stack.community,
        epoch,
        action: i.action,
        target: i.target,
        platform: account.platform,
        accountId: account.accountId as Hex,
        persona,
        nonce: toHex(crypto.getRandomValues(new Uint8Array(32))),
        at,
      };
      signed.push({ ...fields, signature: await wallet.signMessage({ raw: beaconDigest(fields, domain) }) });
      if (i.action === "impression") sent.current.add(i.target);
    }
    try {
      await request(`aggregator node ${node.name}`, `${node.url}/beacons`, undefined, postJson({ beacons: signed }));
      setBeacons(`${signed.length} signed beacon${signed.length === 1 ? "" : "s"} sent.`);
    } catch (e) {
      setBeacons(e instanceof Error ? `Beacons not accepted: ${e.message}` : String(e));
    }
  };

  const items = state.status === "ok" && state.data.kind === "feed" ? state.data.feed.items : [];
  // biome-ignore lint/correctness/useExhaustiveDependencies: impressions once per loaded page
  useEffect(() => {
    if (items.length === 0) return;
    void sendBeacons(
      items.map((i) => ({ target: isAd(i) ? `ad:${i.campaignId}` : `post:${i.id}`, action: "impression" as const })),
    );
  }, [items.length]);

  return (
    <section aria-labelledby="feed-title">
      <h1 id="feed-title">For you</h1>
      <NeedsWallet connected={persona !== undefined}>
        {domain === undefined ? <p className="notice">No chain with the community contracts is configured.</p> : null}
        <Request state={state} what="your feed" retry={reload}>
          {(answer) =>
            answer.kind === "unsupported" ? (
              <div className="notice" data-testid="feed-unsupported">
                <strong>This node does not serve personal feeds.</strong>
                <p>
                  {node?.name} answers no feed route (it runs without the feed). The community timeline is on the
                  Community page; your personal feed appears here once your home node serves it.
                </p>
              </div>
            ) : answer.kind === "moved" ? (
              <p className="muted">Your home node is another node; asking it…</p>
            ) : (
              <>
                <details>
                  <summary>Tune your feed</summary>
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      void runSettings(async () => {
                        if (persona === undefined || domain === undefined || node === undefined) return "";
                        const at = Math.floor(Date.now() / 1000);
                        const s = { communities: [stack.community], follows: [], tags: [], weights };
                        const signature = await wallet.signMessage(
                          raw([
                            ...header("maskoii feed settings v1", domain, persona, at),
                            `settings: ${JSON.stringify(s)}`,
                          ]),
                        );
                        await request(
                          `aggregator node ${node.name}`,
                          `${node.url}/feed/settings`,
                          undefined,
                          postJson({ persona, at, settings: s, signature }, "PUT"),
                        );
                        reload();
                        return "Saved.";
                      });
                    }}
                  >
                    <div className="sliders">
                      {FEATURES.map((f) => (
                        <label key={f} htmlFor={`w-${f}`}>
                          {f}: {weights[f]}
                          <input
                            id={`w-${f}`}
                            type="range"
                            min={0}
                            max={MAX_WEIGHT}
                            step={1}
                            value={weights[f]}
                            onChange={(e) => setWeights({ ...weights, [f]: Number(e.target.value) })}
                          />
                        </label>
                      ))}
                    </div>
                    <button type="submit">Save weights</button>
                    <ActionStatus state={settings} label="Saving" />
                  </form>
                </details>
                <ActionStatus state={feedback} label="Sending" />
                {beacons === "" ? null : (
                  <p className="muted" role="status">
                    {beacons}
                  </p>
                )}
                <ol className="cards" aria-label="Your feed">
                  {answer.feed.items.map((item) =>
                    !isAd(item) ? (
                      <li key={item.id} className="card">
                        <div className="meta">
                          <span className="badge net">{networkName(item.network)}</span>
                          <span>{typeof item.author === "string" ? item.author : item.author?.id}</span>
                        </div>
                        <p>{item.body ?? "Encrypted post (for community members)"}</p>
                        <Why item={item} />
                        <div className="row">
                          {item.url == null ? null : (
                            <a
                              href={item.url}
                              target="_blank"
                              rel="noreferrer noopener"
                              onClick={() => void sendBeacons([{ target: `post:${item.id}`, action: "engagement" }])}
                            >
                              Open original
                            </a>
                          )}
                          {(["more", "less"] as const).map((signal) => (
                            <button
                              key={signal}
                              type="button"
                              className="secondary"
                              onClick={() =>
                                void runFeedback(async () => {
                                  if (persona === undefined || domain === undefined || node === undefined) return "";
                                  const at = Math.floor(Date.now() / 1000);
                                  const signature = await wallet.signMessage(
                                    raw([
                                      ...header("maskoii feed feedback v1", domain, persona, at),
                                      `target: item:${item.id}`,
                                      `signal: ${signal}`,
                                    ]),
                                  );
                                  await request(
                                    `aggregator node ${node.name}`,
                                    `${node.url}/feed/feedback`,
                                    undefined,
                                    postJson({ persona, at, target: { item: item.id }, signal, signature }),
                                  );
                                  reload();
                                  return signal === "more"
                                    ? "You'll see more like this."
                                    : "You'll see less like this.";
                                })
                              }
                            >
                              {signal === "more" ? "More like this" : "Less like this"}
                            </button>
                          ))}
                        </div>
                      </li>
                    ) : (
                      <li key={`ad-${item.campaignId}`} className="card" aria-label="Sponsored">
                        <span className="badge ad">{item.label || "Sponsored"}</span>{" "}
                        <a
                          href={item.creativeURI}
                          target="_blank"
                          rel="noreferrer noopener sponsored"
                          onClick={() => void sendBeacons([{ target: `ad:${item.campaignId}`, action: "engagement" }])}
                        >
                          {item.creativeURI}
                        </a>
                        <span className="muted"> · campaign {item.campaignId}</span>
                      </li>
                    ),
                  )}
                </ol>
              </>
            )
          }
        </Request>
      </NeedsWallet>
    </section>
  );
}
