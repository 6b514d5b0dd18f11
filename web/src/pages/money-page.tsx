// Earnings: what the indexer saw paid to the persona (claims per chain and token), what is claimable now (the
// persona's payout leaf and proof, from a node's payout-proof route when it serves one, or pasted), and a one-click
// claim through CreatorPayouts; Solana recipients see their bridged claim.
import { type PayoutEntry, payoutEntryJsonSchema } from "@maskoii/sdk";
import { useState } from "react";
import { type Address, encodePacked, formatUnits, getAddress, type Hex, keccak256 } from "viem";
import { z } from "zod";
import { earningsSchema } from "../lib/api.ts";
import { tokenInfo } from "../lib/erc20.ts";
import { RequestFailedError, request } from "../lib/http.ts";
import { revenueOf } from "../lib/revenue.ts";
import { useAction, useRequest } from "../lib/use-request.ts";
import { useWallet } from "../lib/wallet.tsx";
import { type Stack, useStack } from "../stack.tsx";
import { ActionStatus, Field, NeedsWallet, Request, short } from "../ui.tsx";

const claimSchema = z.object({
  leaf: payoutEntryJsonSchema,
  proof: z.array(z.string().regex(/^0x[0-9a-fA-F]{64}$/)),
  root: z.string().optional(),
});
const servedPayoutSchema = z
  .object({
    evm: claimSchema.nullable(),
    solana: z
      .array(
        z
          .object({ root: z.string(), leaf: z.object({ claimant: z.string(), amount: z.string() }).passthrough() })
          .passthrough(),
      )
      .default([]),
  })
  .passthrough();
type ServedPayout = z.infer<typeof servedPayoutSchema>;

/** The persona's payout leaf from the first node that serves payout proofs; `undefined` when none does. */
async function servedPayout(
  stack: Stack,
  persona: Address,
  token: Address,
  sign: (raw: Hex) => Promise<Hex>,
): Promise<ServedPayout | undefined> {
  const home = stack.home;
  if (home?.revenue == null) return undefined;
  const time = Date.now();
  const digest = keccak256(
    encodePacked(
      ["string", "uint64", "address", "address", "uint64"],
      [
        "maskoii payout proof v1",
        BigInt(home.chainId),
        getAddress(home.revenue.communityRegistry),
        persona,
        BigInt(time),
      ],
    ),
  );
  const signature = await sign(digest);
  for (const node of stack.nodes) {
    try {
      return await request(
        `aggregator node ${node.name}`,
        `${node.url}/payouts/${persona}?token=${token}`,
        servedPayoutSchema,
        {
          headers: { "x-maskoii-time": String(time), "x-maskoii-signature": signature },
        },
      );
    } catch (e) {
      if (e instanceof RequestFailedError && e.status === 404) continue;
      throw e;
    }
  }
  return undefined;
}

export function MoneyPage() {
  const stack = useStack();
  const wallet = useWallet();
  const home = stack.home;
  const persona = wallet.address;
  const [claimAction, runClaim] = useAction();
  const [fetchAction, runFetch] = useAction();
  const [pasted, setPasted] = useState("");
  const [served, setServed] = useState<ServedPayout | "none" | undefined>();
  const earnings = useRequest(
    persona === undefined || stack.indexer === undefined
      ? undefined
      : () => request("the indexer", `${stack.indexer}/accounts/${persona}/earnings`, earningsSchema),
    [persona, claimAction.status],
  );
  const token = home?.token ?? undefined;
  const balance = useRequest(
    persona === undefined || home === undefined || token === undefined
      ? undefined
      : () => tokenInfo(home, token, persona),
    [persona, claimAction.status],
  );
  if (home === undefined) return <p className="notice">No chain with the community contracts is configured.</p>;

  const claim = (() => {
    if (served !== undefined && served !== "none" && served.evm !== null) return served.evm;
    if (pasted.trim() === "") return undefined;
    try {
      return claimSchema.parse(JSON.parse(pasted));
    } catch {
      return "invalid" as const;
    }
  })();

  return (
    <section aria-labelledby="money-title">
      <h1 id="money-title">Earnings</h1>
      <NeedsWallet connected={persona !== undefined}>
        {token === undefined ? null : (
          <Request state={balance.state} what={`your token balance on ${home.name}`} retry={balance.reload}>
            {(t) => (
              <p>
                Balance on {home.name}:{" "}
                <strong data-testid="token-balance">
                  {formatUnits(t.balance ?? 0n, t.decimals)} {t.symbol}
                </strong>
              </p>
            )}
          </Request>
        )}
        <h2>Paid so far</h2>
        {stack.indexer === undefined ? (
          <p className="notice">This stack runs no indexer: past earnings are not available.</p>
        ) : (
          <Request state={earnings.state} what="your earnings (indexer)" retry={earnings.reload}>
            {(e) =>
              e.earnings.length === 0 ? (
                <p className="muted">No earnings claimed yet.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <caption className="muted">Claimed per chain and token</caption>
                    <thead>
                      <tr>
                        <th scope="col">Chain</th>
                        <th scope="col">Token</th>
                        <th scope="col">Claimed</th>
                        <th scope="col">Claims</th>
                      </tr>
                    </thead>
                    <tbody>
                      {e.earnings.map((x) => (
                        <tr key={`${x.chainId}-${x.token}`}>
                          <td>{stack.config.chains.find((c) => c.chainId === x.chainId)?.name ?? x.chainId}</td>
                          <td className="mono">{short(x.token, 4)}</td>
                          <td>{formatUnits(x.claimed, 18)}</td>
                          <td>{x.claims}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </Request>
        )}
        <h2>Claimable</h2>
        {token === undefined ? null : (
          <div className="row">
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void runFetch(async () => {
                  if (persona === undefined) return "";
                  const answer = await servedPayout(stack, persona, token, (raw) => wallet.signMessage({ raw }));
                  setServed(answer ?? "none");
                  return answer === undefined
                    ? "No node serves payout proofs yet: paste your claim below."
                    : answer.evm === null
                      ? "Nothing to claim on EVM yet."
                      : "Your payout proof is loaded.";
                })
              }
            >
              Ask the nodes for my payout proof
            </button>
            <ActionStatus state={fetchAction} label="Asking the nodes" />
          </div>
        )}
        {served !== undefined && served !== "none" && served.solana.length > 0 ? (
          <ul className="cards" aria-label="Solana claims">
            {served.solana.map((s) => (
              <li key={s.root} className="card">
                Bridged to Solana: {String(s.leaf.amount)} to {short(String(s.leaf.claimant), 6)} (claim on Solana)
              </li>
            ))}
          </ul>
        ) : null}
        <Field label="Or paste your claim (JSON: leaf and proof)" id="claim-json">
          <textarea
            id="claim-json"
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            spellCheck={false}
            className="mono"
          />
        </Field>
        {claim === "invalid" ? <p className="error-line">That is not a claim (expected {"{ leaf, proof }"}).</p> : null}
        {claim === undefined || claim === "invalid" ? null : (
          <p>
            Owed in total: <strong>{formatUnits(BigInt(claim.leaf.cumulative), 18)}</strong> (slot {claim.leaf.slot}, to{" "}
            {short(claim.leaf.recipient, 4)})
          </p>
        )}
        <div className="row">
          <button
            type="button"
            disabled={claim === undefined || claim === "invalid" || claimAction.status === "busy"}
            onClick={() =>
              void runClaim(async () => {
                if (claim === undefined || claim === "invalid") return "";
                const entry: PayoutEntry = {
                  slot: BigInt(claim.leaf.slot),
                  account: claim.leaf.account as Hex,
                  token: claim.leaf.token as Hex,
                  recipient: claim.leaf.recipient as Hex,
                  cumulative: BigInt(claim.leaf.cumulative),
                  salt: claim.leaf.salt as Hex,
                };
                const client = await wallet.client(home);
                const { result } = await revenueOf(home, client).claim(entry, claim.proof as Hex[]);
                return `Claimed ${formatUnits(result, 18)}.`;
              })
            }
          >
            Claim
          </button>
          <ActionStatus state={claimAction} label="Claiming" />
        </div>
      </NeedsWallet>
    </section>
  );
}
