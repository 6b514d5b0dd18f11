// Identity: bind a platform account to the persona (the wallet's address). The client signs the proof with the
// wallet and shows the text to post from the account (or posts it, for Mastodon); the nodes find it and sign the
// binding; with a quorum of their signatures anyone (here the wallet) binds it on the IdentityRegistry. Then the
// payout: the chain family and recipient creators' earnings go to.
import { accountOfProof, mastodonActorUri, PROOF_PLATFORMS, type ProofPlatform } from "@maskoii/aggregator/accounts";
import { PROOF_PREFIX, type ProofPayload, proofStatement } from "@maskoii/aggregator/identity-proof";
import { encodeAttestation, PayoutFamily } from "@maskoii/sdk";
import { useState } from "react";
import { type Address, getAddress, type Hex, isAddress, pad, stringToBytes, zeroAddress } from "viem";
import { AccountFields, loadAccount } from "../account.tsx";
import { type NodeRef, type ServedBindings, servedBindingsSchema } from "../lib/api.ts";
import { request } from "../lib/http.ts";
import { publishStatus } from "../lib/publish.ts";
import { revenueOf } from "../lib/revenue.ts";
import { useAction, useRequest } from "../lib/use-request.ts";
import { useWallet } from "../lib/wallet.tsx";
import { useStack } from "../stack.tsx";
import { ActionStatus, Field, NeedsWallet, Request, short } from "../ui.tsx";

function base64url(text: string): string {
  let binary = "";
  for (const b of stringToBytes(text)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

type NodeAnswer = { node: NodeRef; served?: ServedBindings; error?: string };

async function bindingsOnNodes(nodes: readonly NodeRef[], platform: number, accountId: Hex): Promise<NodeAnswer[]> {
  return Promise.all(
    nodes.map(async (node) => {
      try {
        return {
          node,
          served: await request(
            `aggregator node ${node.name}`,
            `${node.url}/bindings/${platform}/${accountId}`,
            servedBindingsSchema,
          ),
        };
      } catch (e) {
        return { node, error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}

export function IdentityPage() {
  const stack = useStack();
  const wallet = useWallet();
  const home = stack.home;
  const [platform, setPlatform] = useState<ProofPlatform>("activitypub");
  const [handle, setHandle] = useState("");
  const [proofText, setProofText] = useState<string | undefined>();
  const [sign, runSign] = useAction();
  const [post, runPost] = useAction();
  const [bind, runBind] = useAction();
  const [payoutAction, runPayout] = useAction();
  const [family, setFamily] = useState<number>(PayoutFamily.EVM);
  const [recipient, setRecipient] = useState("");
  const persona = wallet.address;
  const identity = platform === "activitypub" && /^[^@\s]+@[^@\s]+$/.test(handle) ? mastodonActorUri(handle) : handle;
  const account = identity === "" ? undefined : accountOfProof(platform, identity);

  const bindings = useRequest(
    account === undefined ? undefined : () => bindingsOnNodes(stack.nodes, account.platform, account.accountId),
    [account?.accountId, proofText],
    3_000,
  );
  const onChain = useRequest(
    account === undefined || home === undefined
      ? undefined
      : () => revenueOf(home).personaOf(account.platform, account.accountId),
    [account?.accountId, bind.status],
    3_000,
  );
  const payout = useRequest(
    persona === undefined || home === undefined ? undefined : () => revenueOf(home).payoutOf(persona),
    [persona, payoutAction.status],
  );
  if (home === undefined) return <p className="notice">No chain with the community contracts is configured.</p>;

  return (
    <section aria-labelledby="identity-title">
      <h1 id="identity-title">Identity</h1>
      <NeedsWallet connected={persona !== undefined}>
        <p>
          Your persona is <span className="mono">{persona}</span>.
        </p>
        <h2>Bind an account</h2>
        <div className="row">
          <Field label="Platform" id="platform">
            <select id="platform" value={platform} onChange={(e) => setPlatform(e.target.value as ProofPlatform)}>
              {Object.keys(PROOF_PLATFORMS).map((p) => (
                <option key={p} value={p}>
                  {p === "activitypub" ? "Mastodon (ActivityPub)" : p}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Account"
            id="account"
            hint={
              platform === "activitypub" ? "user@host" : platform === "farcaster" ? "fid" : "the platform's account id"
            }
          >
            <input id="account" value={handle} onChange={(e) => setHandle(e.target.value.trim())} />
          </Field>
        </div>
        <div className="row">
          <button
            type="button"
            disabled={account === undefined || persona === undefined}
            onClick={() =>
              void runSign(async () => {
                if (persona === undefined || account === undefined) return "";
                const answers = bindings.state.status === "ok" ? bindings.state.data : [];
                const previous =
                  answers
                    .flatMap((a) => a.served?.bindings ?? [])
                    .sort((a, b) => Number(BigInt(b.binding.sequence) - BigInt(a.binding.sequence)))[0]?.proofId ??
                  null;
                const payload: ProofPayload = {
                  v: 1,
                  action: "bind",
                  platform,
                  identity,
                  persona: getAddress(persona),
                  created_at: Math.floor(Date.now() / 1000),
                  previous: previous === null ? null : (previous.toLowerCase() as Hex),
                };
                const sig = await wallet.signMessage(proofStatement(payload));
                const tag = stack.publish === undefined ? "" : ` #${stack.publish.hashtag}`;
                setProofText(
                  `Verifying my maskoii persona ${PROOF_PREFIX}${base64url(JSON.stringify({ ...payload, sig }))}${tag}`,
                );
                return "Signed. Post the text below from the account.";
              })
            }
          >
            Sign the proof
          </button>
          <ActionStatus state={sign} label="Waiting for the wallet's signature" />
        </div>
        {proofText === undefined ? null : (
          <>
            <h2>Post this from the account</h2>
            <pre className="proof" data-testid="proof-text">
              {proofText}
            </pre>
            <div className="row">
              <button
                type="button"
                className="secondary"
                onClick={() => void navigator.clipboard?.writeText(proofText)}
              >
                Copy
              </button>
              {platform === "activitypub" && stack.publish !== undefined ? (
                <>
                  <button
                    type="button"
                    onClick={() =>
                      void runPost(async () => {
                        const publish = stack.publish;
                        if (publish === undefined) return "";
                        await publishStatus(publish.url, loadAccount().token, proofText);
                        return "Posted; the nodes check it on their next scan.";
                      })
                    }
                  >
                    Post it to Mastodon
                  </button>
                  <ActionStatus state={post} label="Posting" />
                </>
              ) : null}
            </div>
            {platform === "activitypub" && stack.publish !== undefined ? (
              <AccountFields host={stack.publish.host} />
            ) : null}
          </>
        )}
        {account === undefined ? null : (
          <>
            <h2>What the nodes saw</h2>
            <Request state={bindings.state} what="the nodes' binding signatures" retry={bindings.reload}>
              {(answers) => {
                const mine = answers.flatMap((a) =>
                  (a.served?.bindings ?? [])
                    .filter((b) => persona !== undefined && getAddress(b.binding.persona) === persona)
                    .slice(-1),
                );
                return (
                  <>
                    <ul className="cards" aria-label="Nodes">
                      {answers.map((a) => {
                        const latest = a.served?.bindings.at(-1);
                        return (
                          <li key={a.node.url} className="card">
                            <strong>{a.node.name}</strong>{" "}
                            {a.error !== undefined ? (
                              <span className="error-line">{a.error}</span>
                            ) : latest === undefined ? (
                              <span className="muted">no signed binding of this account yet</span>
                            ) : (
                              <span data-testid="node-signed">
                                signed: bound to {short(latest.binding.persona, 4)} (sequence {latest.binding.sequence})
                              </span>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                    <div className="row">
                      <button
                        type="button"
                        disabled={mine.length === 0 || home.attesters === null}
                        onClick={() =>
                          void runBind(async () => {
                            const set = home.attesters;
                            const first = mine[0];
                            if (set === null || first === undefined) return "";
                            const digest = first.digest;
                            const same = mine.filter((b) => b.digest === digest);
                            const positions = new Map(set.members.map((m, i) => [m.toLowerCase(), i]));
                            const signatures = same
                              .map((b) => ({ index: positions.get(b.attester.toLowerCase()) ?? -1, ...b.signature }))
                              .filter((s) => s.index >= 0)
                              .sort((x, y) => x.index - y.index)
                              .map((s) => ({ ...s, r: s.r as Hex, s: s.s as Hex }));
                            const attestation = encodeAttestation(BigInt(set.setId), signatures);
                            const client = await wallet.client(home);
                            await revenueOf(home, client).bind(
                              {
                                platform: first.binding.platform,
                                accountId: first.binding.accountId as Hex,
                                persona: getAddress(first.binding.persona),
                                sequence: BigInt(first.binding.sequence),
                              },
                              attestation,
                            );
                            return `Bound on ${home.name} with ${signatures.length} nodes' signatures.`;
                          })
                        }
                      >
                        Bind on chain
                      </button>
                      <ActionStatus state={bind} label="Binding" />
                    </div>
                  </>
                );
              }}
            </Request>
            <Request state={onChain.state} what={`the binding on ${home.name}`} retry={onChain.reload}>
              {(bound: Address) =>
                bound === zeroAddress ? (
                  <p className="muted">Not bound on {home.name} yet.</p>
                ) : (
                  <p className={persona !== undefined && bound === persona ? "ok" : "notice"} data-testid="bound">
                    Bound on {home.name} to persona {bound}
                    {persona !== undefined && bound === persona ? " (you)" : ""}.
                  </p>
                )
              }
            </Request>
          </>
        )}
        <h2>Payout</h2>
        <Request state={payout.state} what="your payout setting" retry={payout.reload}>
          {(p) => (
            <p>
              Now:{" "}
              {p.family === 0
                ? "not set (earnings go to the persona on EVM)"
                : p.family === PayoutFamily.SVM
                  ? `Solana recipient ${p.recipient}`
                  : `EVM recipient ${getAddress(`0x${p.recipient.slice(-40)}`)}`}
            </p>
          )}
        </Request>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void runPayout(async () => {
              let word: Hex;
              if (family === PayoutFamily.EVM) {
                if (!isAddress(recipient)) throw new RangeError("recipient: expected an EVM address (0x…)");
                word = pad(getAddress(recipient), { size: 32 });
              } else {
                if (!/^0x[0-9a-fA-F]{64}$/.test(recipient))
                  throw new RangeError("recipient: expected a Solana key as 32 bytes of hex");
                word = recipient as Hex;
              }
              const client = await wallet.client(home);
              await revenueOf(home, client).setPayout(family, word);
              return "Payout updated.";
            });
          }}
        >
          <div className="row">
            <Field label="Chain" id="payout-family">
              <select id="payout-family" value={family} onChange={(e) => setFamily(Number(e.target.value))}>
                <option value={PayoutFamily.EVM}>EVM</option>
                <option value={PayoutFamily.SVM}>Solana</option>
              </select>
            </Field>
            <Field label="Recipient" id="payout-recipient" hint="an EVM address, or a Solana key in hex">
              <input id="payout-recipient" value={recipient} onChange={(e) => setRecipient(e.target.value.trim())} />
            </Field>
          </div>
          <button type="submit">Save payout</button>
          <ActionStatus state={payoutAction} label="Saving" />
        </form>
      </NeedsWallet>
    </section>
  );
}
