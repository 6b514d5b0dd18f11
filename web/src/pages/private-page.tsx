// Private posts: unlock (derive the member key from a wallet signature), announce the key once, compose a post
// sealed to every member with an announced key, and read: the copies sealed to you open, the rest stay "encrypted".
import { useState } from "react";
import type { Address, Hex } from "viem";
import { AccountFields, loadAccount } from "../account.tsx";
import { fromAnyNode, type TimelineEntry, timelinePageSchema } from "../lib/api.ts";
import {
  memberKeyPostText,
  memberKeys,
  openSealed,
  type PrivatePost,
  sealKeyStatement,
  sealSecretOf,
  sealToMembers,
} from "../lib/private-posts.ts";
import { publishStatus } from "../lib/publish.ts";
import { useAction, useRequest } from "../lib/use-request.ts";
import { useWallet } from "../lib/wallet.tsx";
import { useStack } from "../stack.tsx";
import { ActionStatus, Field, NeedsWallet, Request, short } from "../ui.tsx";
import { PostCard } from "./community-page.tsx";

const secrets = new Map<string, Hex>();

export function PrivatePage() {
  const stack = useStack();
  const wallet = useWallet();
  const home = stack.home;
  const persona = wallet.address;
  const [secret, setSecret] = useState<Hex | undefined>(persona === undefined ? undefined : secrets.get(persona));
  const [text, setText] = useState("");
  const [unlock, runUnlock] = useAction();
  const [announce, runAnnounce] = useAction();
  const [compose, runCompose] = useAction();
  const { state, reload } = useRequest(
    () => fromAnyNode(stack.nodes, `/communities/${stack.community}/timeline?limit=100`, timelinePageSchema),
    [stack.community],
    4_000,
  );
  if (home === undefined) return <p className="notice">No chain with the community contracts is configured.</p>;
  const mine = secret !== undefined && persona !== undefined && secrets.get(persona) === secret ? secret : undefined;

  return (
    <section aria-labelledby="private-title">
      <h1 id="private-title">Private posts</h1>
      <p className="muted">
        Posts sealed to the community's members travel as ciphertext on public networks; only members open them.
      </p>
      <NeedsWallet connected={persona !== undefined}>
        {mine === undefined ? (
          <div className="row">
            <button
              type="button"
              onClick={() =>
                void runUnlock(async () => {
                  const signature = await wallet.signMessage(sealKeyStatement(stack.community, home.chainId));
                  const s = sealSecretOf(signature);
                  if (persona !== undefined) secrets.set(persona, s);
                  setSecret(s);
                  return "Member key unlocked for this tab.";
                })
              }
            >
              Unlock private posts
            </button>
            <ActionStatus state={unlock} label="Waiting for the wallet's signature" />
          </div>
        ) : null}
      </NeedsWallet>
      <Request state={state} what="the community timeline" retry={reload}>
        {({ data }) => {
          const keys = memberKeys(data.entries);
          const announced = persona !== undefined && keys.has(persona);
          const sealed = data.entries.filter((e) => e.sealed !== null);
          const opened = new Map<string, { post: PrivatePost; entry: TimelineEntry }>();
          let locked = 0;
          for (const e of sealed) {
            const post =
              mine === undefined || persona === undefined
                ? undefined
                : openSealed(e.sealed as Hex, mine, home.domain, persona);
            if (post === undefined) locked += 1;
            else if (!opened.has(post.id)) opened.set(post.id, { post, entry: e });
          }
          return (
            <>
              <h2>Members with a key</h2>
              <p data-testid="member-keys" data-count={keys.size}>
                {keys.size === 0
                  ? "No member has announced a key yet."
                  : [...keys.keys()].map((p) => short(p, 4)).join(", ")}
              </p>
              {mine !== undefined && persona !== undefined && stack.publish !== undefined ? (
                <>
                  <AccountFields host={stack.publish.host} />
                  {announced ? (
                    <p className="ok">Your member key is announced.</p>
                  ) : (
                    <div className="row">
                      <button
                        type="button"
                        onClick={() =>
                          void runAnnounce(async () => {
                            const publish = stack.publish;
                            if (publish === undefined) return "no network to publish to";
                            await publishStatus(
                              publish.url,
                              loadAccount().token,
                              memberKeyPostText(persona, mine, publish.hashtag),
                            );
                            reload();
                            return "Announced; it shows once the nodes read it (a few seconds).";
                          })
                        }
                      >
                        Announce my member key
                      </button>
                      <ActionStatus state={announce} label="Publishing" />
                    </div>
                  )}
                  <h2>Compose</h2>
                  <form
                    onSubmit={(ev) => {
                      ev.preventDefault();
                      void runCompose(async () => {
                        const publish = stack.publish;
                        if (publish === undefined) return "no network to publish to";
                        if (keys.size === 0) throw new RangeError("No member has a key yet: announce yours first.");
                        const token = loadAccount().token;
                        const texts = sealToMembers(text, keys as Map<Address, Hex>, home.domain, publish.hashtag);
                        for (const t of texts) await publishStatus(publish.url, token, t);
                        setText("");
                        reload();
                        return `Sealed to ${keys.size} member${keys.size === 1 ? "" : "s"} and published.`;
                      });
                    }}
                  >
                    <Field label="Private message" id="private-text">
                      <textarea
                        id="private-text"
                        value={text}
                        maxLength={2000}
                        onChange={(e) => setText(e.target.value)}
                      />
                    </Field>
                    <button type="submit" disabled={text.trim() === "" || compose.status === "busy"}>
                      Seal and post
                    </button>
                    <ActionStatus state={compose} label="Sealing and publishing" />
                  </form>
                </>
              ) : null}
              <h2>Private posts</h2>
              <ol className="cards" aria-label="Private posts">
                {[...opened.values()].map(({ post, entry }) => (
                  <li key={post.id}>
                    <PostCard entry={entry}>
                      <p data-testid="opened-post">
                        <span className="badge sealed">Private</span> {post.text}
                      </p>
                    </PostCard>
                  </li>
                ))}
              </ol>
              {locked === 0 ? null : (
                <p className="muted" data-testid="locked-count">
                  {locked} encrypted post{locked === 1 ? "" : "s"}{" "}
                  {mine === undefined ? "(unlock to read the ones sealed to you)" : "sealed to other members"}.
                </p>
              )}
            </>
          );
        }}
      </Request>
    </section>
  );
}
