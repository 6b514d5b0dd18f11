// A whole Koii round of the `engagement-reports` kind: three aggregator nodes on in-process HTTP servers, each with its
// own SQLite store, build the report of one (community, epoch) from the same three contributions; node C builds its
// report from a lying input (a larger creators' share), so its report hash differs. A and B recompute C's report in
// the audit, vote fail (`report-mismatch`) and the distribution slashes C; a node listing a contribution its node does
// not serve is caught too (`contribution-missing`).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  applyMigrations,
  createBindingRecord,
  generatePrivateKey,
  KoiiTask,
  koiiPublicKeyOf,
  koiiRoutes,
  type PeerAudit,
  RequestRejectedError,
  ROUND_MIGRATIONS,
  RoundStore,
  readBody,
  sendJson,
  silentLogger,
  type TaskSettings,
} from "@maskoii/node-kit";
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportContribution, ReportInputsSource } from "../src/epoch/inputs.ts";
import { EngagementReportsKind, type ReportItem } from "../src/epoch/koii-kind.ts";
import { PayoutStore } from "../src/epoch/payout-store.ts";
import { EpochReporter } from "../src/epoch/reporter.ts";
import { AggregatorStore } from "../src/store.ts";

const addr = (n: number): Address => getAddress(toHex(n, { size: 20 }));
const h32 = (s: string): Hex => keccak256(toHex(s));
const ZERO = `0x${"00".repeat(32)}` as Hex;
const T1 = addr(0xa1);
const [P1, P2] = [addr(0x101), addr(0x102)];

const chain = (creators: number): ReportInputsSource => ({
  inputsFor: async () => ({
    community: 7n,
    epoch: 3n,
    campaigns: [
      {
        id: 1n,
        token: T1,
        cpm: 2_000_000n,
        cpe: 70_000n,
        epochCap: 10n ** 24n,
        available: 10n ** 24n,
        epochSpent: 0n,
        live: true,
        targets: true,
      },
    ],
    policy: { creators, treasury: 2_000, operators: 8_000 - creators - 500, protocol: 500 },
    k: 3,
    payouts: new Map([[P1, { family: "evm", recipient: P1 }]]),
    saltSecret: h32("shared secret"),
    solanaUnits: new Map(),
  }),
});

const settings: TaskSettings = {
  taskId: "engagement-test",
  schedule: { genesisMs: 0, roundMs: 1_000, submissionMs: 200, auditMs: 200 },
  rewardPerRound: 300n,
  quorumBps: 6_667,
  slashBps: 1_000,
  equivocationSlashBps: 5_000,
  requestTimeoutMs: 5_000,
};

type Node = {
  name: string;
  key: string;
  store: AggregatorStore;
  payouts: PayoutStore;
  kind: EngagementReportsKind;
  task: KoiiTask<ReportItem>;
  server: Server;
};
const nodes: Node[] = [];
/** What each node serves as its contribution (the injected fetcher reads it; part B's fetchContribution in a node). */
const served = new Map<string, ReportContribution>();

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const keys = ["a", "b", "c"].map((name) => ({
    name,
    ed: generatePrivateKey("ed25519"),
    ec: generatePrivateKey("secp256k1"),
  }));
  for (const [i, k] of keys.entries()) {
    const node = koiiPublicKeyOf(k.ed);
    served.set(node, {
      node,
      hash: h32(`contribution ${k.name}`),
      users: [
        {
          leaf: h32(`user ${k.name}`),
          accounts: 1 + i,
          ads: [{ campaignId: 1n, impressions: 10 * (i + 1), engagements: i }],
          creators: [
            { persona: P1, points: 5 + i },
            { persona: P2, points: 2 },
          ],
        },
      ],
    });
  }
  const servers = keys.map(() => createServer());
  const urls = await Promise.all(servers.map(listen));
  const taskNodes = keys.map((k, i) => ({ koiiPublicKey: koiiPublicKeyOf(k.ed), stake: 100n, url: urls[i] }));
  for (const [i, k] of keys.entries()) {
    const store = await AggregatorStore.open({ kind: "sqlite", path: ":memory:" });
    await applyMigrations(store.db, ROUND_MIGRATIONS);
    const payouts = new PayoutStore(store.db);
    const kind = new EngagementReportsKind({
      store: payouts,
      inputs: chain(5_000),
      fetchContribution: async (ref) => {
        const c = served.get(ref.node);
        return c === undefined || ref.community !== 7n || ref.epoch !== 3n ? undefined : c;
      },
    });
    const task = new KoiiTask<ReportItem>({
      kind,
      settings,
      ed25519PrivateKey: k.ed,
      binding: createBindingRecord({
        ed25519PrivateKey: k.ed,
        secp256k1PrivateKey: k.ec,
        attester: privateKeyToAddress(k.ec),
        issuedAt: 1,
      }),
      nodes: taskNodes,
      store: new RoundStore(store.db),
      log: silentLogger(),
      now: () => 100,
    });
    const routes = koiiRoutes({
      tasks: new Map([[kind.name, task as KoiiTask<unknown>]]),
      store: new RoundStore(store.db),
      log: silentLogger(),
      now: () => 500,
    });
    const server = servers[i] as Server;
    server.on("request", (req, res) => {
      const url = new URL(req.url ?? "/", "http://node");
      routes(req, res, url, { id: "addr:test", body: () => readBody(req, 64 * 1024) })
        .then((handled) => {
          if (!handled) sendJson(res, 404, { error: "not found" });
        })
        .catch((error: unknown) => {
          if (error instanceof RequestRejectedError) sendJson(res, error.status, { error: error.message });
          else sendJson(res, 500, { error: String(error) });
        });
    });
    nodes.push({ name: k.name, key: koiiPublicKeyOf(k.ed), store, payouts, kind, task, server });
    // Each node closes the epoch in round 0's work period; C from a lying input (creators 60% instead of 50%).
    const reporter = new EpochReporter({
      store: payouts,
      inputs: chain(k.name === "c" ? 6_000 : 5_000),
      attesterKey: k.ec,
      domain: { domain: 1001, epochReports: addr(0xe9), attesterSetId: 1n },
      now: () => 400,
    });
    const out = await reporter.close({
      community: 7n,
      epoch: 3n,
      prevPayoutRoot: ZERO,
      contributions: [...served.values()],
    });
    expect(out.kind).toBe("report");
  }
});

afterAll(async () => {
  for (const n of nodes) {
    await new Promise<void>((resolve) => n.server.close(() => resolve()));
    await n.store.close();
  }
});

const node = (name: string): Node => nodes.find((n) => n.name === name) as Node;

describe("the engagement-reports kind in a Koii round", () => {
  it("honest nodes agree byte for byte; the liar is voted down and slashed", async () => {
    const a = await node("a").payouts.report(7n, 3n);
    const b = await node("b").payouts.report(7n, 3n);
    const c = await node("c").payouts.report(7n, 3n);
    expect(b?.reportHash).toBe(a?.reportHash);
    expect(c?.reportHash).not.toBe(a?.reportHash);
    // The same contributions listed, whoever built it.
    expect(c?.contributions).toEqual(a?.contributions);

    for (const n of nodes) await n.task.tick();
    for (const n of nodes) {
      const s = await n.task.submit(0);
      expect(s.items).toHaveLength(1);
      expect(s.items[0]?.reportHash).toBe((await n.payouts.report(7n, 3n))?.reportHash);
    }
    const audits = new Map<string, PeerAudit[]>();
    for (const n of nodes) audits.set(n.name, await n.task.audit(0));
    const verdicts = (auditor: string) =>
      Object.fromEntries(
        (audits.get(auditor) ?? []).map((x) => [
          nodes.find((n) => n.key === x.peer)?.name,
          x.status === "voted" ? x.vote.verdict : x.status,
        ]),
      );
    expect(verdicts("a")).toEqual({ b: "pass", c: "fail" });
    expect(verdicts("b")).toEqual({ a: "pass", c: "fail" });
    const onC = (audits.get("a") ?? []).find((x) => x.peer === node("c").key);
    if (onC?.status !== "voted") throw new Error(`expected a vote on C, got ${onC?.status}`);
    expect(onC.vote.faults.map((f) => f.code)).toEqual(["report-mismatch"]);

    for (const n of nodes) await n.task.gatherVotes(0);
    const bodies = [];
    for (const n of nodes) bodies.push(await n.task.distribute(0));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    const d = bodies[0] as {
      slashes: { node: string; reason: string; stakeAfter: string }[];
      rewards: { node: string }[];
    };
    expect(d.slashes).toEqual([expect.objectContaining({ node: node("c").key, reason: "audit", stakeAfter: "90" })]);
    expect(d.rewards.map((r) => r.node).sort()).toEqual([node("a").key, node("b").key].sort());
    expect((await node("a").task.distribute(0)) as unknown).toEqual(d);
  });

  it("faults a contribution its node does not serve, or serves with another hash", async () => {
    const a = await node("a").payouts.report(7n, 3n);
    if (a === undefined) throw new Error("no report on A");
    const item: ReportItem = {
      community: "7",
      epoch: "3",
      reportHash: a.reportHash,
      prevPayoutRoot: ZERO,
      contributions: a.contributions.map((c, i) => (i === 0 ? { ...c, hash: h32("another") } : c)),
    };
    const faults = await node("b").kind.auditItem(item);
    expect(faults.map((f) => f.code)).toEqual(["contribution-missing"]);
    const honest = await node("b").kind.auditItem({ ...item, contributions: [...a.contributions] });
    expect(honest).toEqual([]);
    // A report built from fewer contributions than it lists no longer matches.
    const fewer = await node("b").kind.auditItem({ ...item, contributions: a.contributions.slice(1) });
    expect(fewer.map((f) => f.code)).toEqual(["report-mismatch"]);
  });
});
