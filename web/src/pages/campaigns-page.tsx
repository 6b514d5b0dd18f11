// Campaigns, for advertisers: create and fund one (approve the budget, createCampaign), then per campaign the spend
// and engagement per epoch (the indexer's report lines) as charts, and pause / resume / cancel.
import { useState } from "react";
import { type Address, formatUnits, type Hex, keccak256, parseUnits, stringToHex } from "viem";
import { type CampaignStats, campaignStatsSchema } from "../lib/api.ts";
import { approve } from "../lib/erc20.ts";
import { request } from "../lib/http.ts";
import { revenueOf } from "../lib/revenue.ts";
import { useAction, useRequest } from "../lib/use-request.ts";
import { useWallet } from "../lib/wallet.tsx";
import { useStack } from "../stack.tsx";
import { ActionStatus, Field, NeedsWallet, Request } from "../ui.tsx";

function EpochChart({ stats }: { stats: CampaignStats }) {
  const byEpoch = new Map<string, { spend: bigint; engagements: bigint; impressions: bigint }>();
  for (const l of stats.lines) {
    const k = l.epoch.toString();
    const v = byEpoch.get(k) ?? { spend: 0n, engagements: 0n, impressions: 0n };
    byEpoch.set(k, {
      spend: v.spend + l.spend,
      engagements: v.engagements + l.engagements,
      impressions: v.impressions + l.impressions,
    });
  }
  const rows = [...byEpoch].sort((a, b) => Number(BigInt(a[0]) - BigInt(b[0])));
  if (rows.length === 0) return <p className="muted">No reported epoch yet.</p>;
  let maxSpend = 1n;
  let maxEng = 1n;
  for (const [, v] of rows) {
    if (v.spend > maxSpend) maxSpend = v.spend;
    if (v.engagements > maxEng) maxEng = v.engagements;
  }
  const w = 40;
  const h = 120;
  return (
    <figure>
      <svg
        className="chart"
        viewBox={`0 0 ${rows.length * w * 2 + 20} ${h + 30}`}
        role="img"
        aria-label="Spend and engagements per epoch"
      >
        {rows.map(([epoch, v], i) => {
          const sh = Number((v.spend * BigInt(h)) / maxSpend);
          const eh = Number((v.engagements * BigInt(h)) / maxEng);
          const x = 10 + i * w * 2;
          return (
            <g key={epoch}>
              <rect className="bar-spend" x={x} y={h - sh} width={w * 0.8} height={sh} />
              <rect className="bar-eng" x={x + w * 0.85} y={h - eh} width={w * 0.8} height={eh} />
              <text x={x} y={h + 16}>
                e{epoch}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">Blue: spend; amber: engagements (each scaled to its own maximum).</figcaption>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">Spend</th>
              <th scope="col">Impressions</th>
              <th scope="col">Engagements</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([epoch, v]) => (
              <tr key={epoch}>
                <td>{epoch}</td>
                <td>{formatUnits(v.spend, 18)}</td>
                <td>{v.impressions.toString()}</td>
                <td>{v.engagements.toString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function CampaignView({ id }: { id: bigint }) {
  const stack = useStack();
  const wallet = useWallet();
  const home = stack.home;
  const [action, run] = useAction();
  const onChain = useRequest(home === undefined ? undefined : () => revenueOf(home).campaign(id), [id, action.status]);
  const stats = useRequest(
    stack.indexer === undefined
      ? undefined
      : () => request("the indexer", `${stack.indexer}/campaigns/${id}/stats`, campaignStatsSchema),
    [id, action.status],
  );
  if (home === undefined) return null;
  const act = (what: "pause" | "unpause" | "cancel") =>
    void run(async () => {
      const client = await wallet.client(home);
      const r = revenueOf(home, client);
      await (what === "pause" ? r.pause(id) : what === "unpause" ? r.unpause(id) : r.cancel(id));
      return `Campaign ${id}: ${what === "unpause" ? "resumed" : what === "pause" ? "paused" : "cancelled"}.`;
    });
  return (
    <section aria-label={`Campaign ${id}`}>
      <h2>Campaign {id.toString()}</h2>
      <Request state={onChain.state} what={`campaign ${id} on ${home.name}`} retry={onChain.reload}>
        {(c) => (
          <p>
            Funded {formatUnits(c.funded, 18)}, spent {formatUnits(c.spent, 18)}, available{" "}
            {formatUnits(c.available, 18)}; CPM {formatUnits(c.cpm, 18)}, CPE {formatUnits(c.cpe, 18)}.
          </p>
        )}
      </Request>
      {stack.indexer === undefined ? (
        <p className="notice">This stack runs no indexer: no per-epoch history.</p>
      ) : (
        <Request state={stats.state} what={`campaign ${id}'s statistics (indexer)`} retry={stats.reload}>
          {(s) => (
            <>
              <p>
                Status <strong>{String(s.campaign.status ?? "?")}</strong>: {s.impressions.toString()} impressions,{" "}
                {s.engagements.toString()} engagements, {formatUnits(s.remaining, 18)} remaining.
              </p>
              <EpochChart stats={s} />
            </>
          )}
        </Request>
      )}
      <NeedsWallet connected={wallet.address !== undefined}>
        <div className="row">
          <button type="button" className="secondary" onClick={() => act("pause")}>
            Pause
          </button>
          <button type="button" className="secondary" onClick={() => act("unpause")}>
            Resume
          </button>
          <button type="button" className="secondary" onClick={() => act("cancel")}>
            Cancel campaign
          </button>
          <ActionStatus state={action} label="Sending" />
        </div>
      </NeedsWallet>
    </section>
  );
}

export function CampaignsPage() {
  const stack = useStack();
  const wallet = useWallet();
  const home = stack.home;
  const [lookup, setLookup] = useState("");
  const [shown, setShown] = useState<bigint | undefined>();
  const [form, setForm] = useState({
    budget: "100",
    cpm: "1",
    cpe: "0.1",
    epochCap: "10",
    days: "7",
    creative: "https://example.org/ad",
  });
  const [create, runCreate] = useAction();
  if (home === undefined) return <p className="notice">No chain with the community contracts is configured.</p>;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm({ ...form, [k]: e.target.value });
  return (
    <section aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">Campaigns</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (/^[1-9][0-9]*$/.test(lookup)) setShown(BigInt(lookup));
        }}
      >
        <Field label="Campaign id" id="campaign-id">
          <input
            id="campaign-id"
            inputMode="numeric"
            value={lookup}
            onChange={(e) => setLookup(e.target.value.trim())}
          />
        </Field>
        <button type="submit">Show</button>
      </form>
      {shown === undefined ? null : <CampaignView id={shown} />}
      <h2>Create and fund a campaign</h2>
      <NeedsWallet connected={wallet.address !== undefined}>
        {home.token === null || home.revenue === null ? (
          <p className="notice">No campaign token is configured for {home.name}.</p>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void runCreate(async () => {
                const token = home.token as Address;
                const revenue = home.revenue;
                if (revenue === null) return "";
                const budget = parseUnits(form.budget, 18);
                const client = await wallet.client(home);
                await approve(home, client, token, revenue.campaignLedger, budget);
                const now = Math.floor(Date.now() / 1000);
                const { result } = await revenueOf(home, client).createCampaign({
                  token,
                  communities: [BigInt(stack.community)],
                  cpm: parseUnits(form.cpm, 18),
                  cpe: parseUnits(form.cpe, 18),
                  budget,
                  epochCap: parseUnits(form.epochCap, 18),
                  start: now,
                  end: now + Math.max(1, Number(form.days)) * 86_400,
                  creativeHash: keccak256(stringToHex(form.creative)) as Hex,
                  creativeURI: form.creative,
                });
                setShown(result);
                setLookup(result.toString());
                return `Campaign ${result} created and funded with ${form.budget}.`;
              });
            }}
          >
            <div className="row">
              <Field label="Budget" id="c-budget">
                <input id="c-budget" inputMode="decimal" value={form.budget} onChange={set("budget")} />
              </Field>
              <Field label="Price per 1000 impressions" id="c-cpm">
                <input id="c-cpm" inputMode="decimal" value={form.cpm} onChange={set("cpm")} />
              </Field>
              <Field label="Price per engagement" id="c-cpe">
                <input id="c-cpe" inputMode="decimal" value={form.cpe} onChange={set("cpe")} />
              </Field>
              <Field label="Cap per epoch" id="c-cap">
                <input id="c-cap" inputMode="decimal" value={form.epochCap} onChange={set("epochCap")} />
              </Field>
              <Field label="Runs for (days)" id="c-days">
                <input id="c-days" inputMode="numeric" value={form.days} onChange={set("days")} />
              </Field>
            </div>
            <Field label="Creative URL" id="c-creative">
              <input id="c-creative" value={form.creative} onChange={set("creative")} />
            </Field>
            <button type="submit" disabled={create.status === "busy"}>
              Create and fund
            </button>
            <ActionStatus state={create} label="Approving the budget and creating the campaign" />
          </form>
        )}
      </NeedsWallet>
    </section>
  );
}
