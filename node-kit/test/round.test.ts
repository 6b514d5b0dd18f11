// The task round is generic: a small "counter" kind, unrelated to any bridge, runs a whole round through it
// (submission, audit, vote, distribution, slashing) with its own items, its own evidence (POST /koii/evidence), its own
// equivocation check and its own migration list applied beside the round's. Three nodes on in-process HTTP servers,
// each with its own SQLite store; node C submits a wrong count and two counts for one slot.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Hex, keccak256, stringToBytes } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type AcceptedEvidence,
  type AuditOutcome,
  type AuditSubject,
  applyMigrations,
  CanonicalWriter,
  createBindingRecord,
  type EquivocationSink,
  type EvidenceIntake,
  type Fault,
  generatePrivateKey,
  KoiiTask,
  koiiPublicKeyOf,
  koiiRoutes,
  type Migration,
  openSqlite,
  type PeerAudit,
  RequestRejectedError,
  ROUND_MIGRATIONS,
  RoundStore,
  readBody,
  SQLITE_MEMORY,
  type SqlClient,
  sendJson,
  silentLogger,
  type TaskSettings,
  type WorkKind,
} from "../src/index.ts";

// -- the counter kind ------------------------------------------------------------------------------------------------

/** The kind's own table, contributed as its own migration list and applied after the round's. */
const COUNTER_MIGRATIONS: readonly Migration[] = [
  {
    version: 9001,
    name: "counter kind evidence",
    sql: `
CREATE TABLE counter_evidence (
  evidence_id TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  slot INTEGER NOT NULL,
  count INTEGER NOT NULL,
  round BIGINT NOT NULL
);
`,
  },
];

const counterItemSchema = z.object({ slot: z.number().int().min(0), count: z.number().int().min(0) }).strict();
type CounterItem = z.infer<typeof counterItemSchema>;

const reportSchema = z
  .object({
    node: z.string().min(32).max(44),
    slot: z.number().int().min(0),
    count: z.number().int(),
    source: z.string(),
  })
  .strict();

type Row = Record<string, unknown>;

/** A node's counts for the round, checked by auditors against `truth` (what every node can observe). */
class CounterKind implements WorkKind<CounterItem> {
  readonly name = "counter";
  readonly itemSchema = counterItemSchema;
  readonly evidence: EvidenceIntake;
  readonly #db: SqlClient;
  readonly #own: () => CounterItem[];
  readonly #truth: ReadonlyMap<number, number>;

  constructor(db: SqlClient, own: () => CounterItem[], truth: ReadonlyMap<number, number>) {
    this.#db = db;
    this.#own = own;
    this.#truth = truth;
    this.evidence = {
      accept: (json: unknown): AcceptedEvidence => {
        const parsed = reportSchema.safeParse(json);
        if (!parsed.success) {
          throw new RequestRejectedError(400, "bad counter report", {
            field: parsed.error.issues[0]?.path.map(String).join(".") || "(body)",
          });
        }
        const r = parsed.data;
        return {
          evidenceId: keccak256(stringToBytes(`${r.node}|${r.slot}|${r.count}`)),
          signer: r.node,
          reason: "reported-count",
          source: r.source,
          body: r,
        };
      },
      store: async (e, round) => {
        const r = e.body as z.infer<typeof reportSchema>;
        const rows = await this.#db.query(
          `INSERT INTO counter_evidence (evidence_id, node, slot, count, round) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (evidence_id) DO NOTHING RETURNING evidence_id`,
          [e.evidenceId, r.node, r.slot, r.count, round],
        );
        return rows.length > 0;
      },
      count: async () => Number((await this.#db.query<Row>("SELECT COUNT(*) AS n FROM counter_evidence"))[0]?.n ?? 0),
    };
  }

  encodeItem(item: CounterItem): Uint8Array {
    return new CanonicalWriter().uint(item.slot, 4).uint(item.count, 4).toBytes();
  }

  checkItem(item: CounterItem): Fault | undefined {
    return item.slot >= 100 ? { code: "slot-out-of-range", detail: `slot ${item.slot}` } : undefined;
  }

  async collect(): Promise<CounterItem[]> {
    return this.#own();
  }

  async audit(items: readonly CounterItem[], subject: AuditSubject, round: number): Promise<AuditOutcome> {
    const faults: Fault[] = [];
    const equivocations: { attester: Hex; proof: unknown }[] = [];
    const bySlot = new Map<number, CounterItem>();
    for (const item of items) {
      const seen = bySlot.get(item.slot);
      if (seen !== undefined && seen.count !== item.count) {
        // Two counts for one slot in one signed submission: equivocation, proven by the submission itself.
        faults.push({ code: "equivocation", detail: `slot ${item.slot}: ${seen.count} and ${item.count}` });
        equivocations.push({ attester: subject.binding.attester as Hex, proof: { slot: item.slot, a: seen, b: item } });
      }
      bySlot.set(item.slot, item);
      if (this.#truth.get(item.slot) !== item.count) {
        faults.push({ code: "wrong-count", detail: `slot ${item.slot}: ${item.count}` });
      }
    }
    // Evidence reported against the subject this round: a count it published elsewhere that is not the truth.
    const reported = await this.#db.query<Row>(
      "SELECT slot, count FROM counter_evidence WHERE node = $1 AND round = $2 ORDER BY slot",
      [subject.koiiPublicKey, round],
    );
    for (const r of reported) {
      if (this.#truth.get(Number(r.slot)) !== Number(r.count)) {
        faults.push({ code: "reported-wrong-count", detail: `slot ${r.slot}: ${r.count}` });
      }
    }
    return { faults, equivocations };
  }
}

/** Records every proof handed to it (a chain report in a real kind). */
class RecordingSink implements EquivocationSink<string> {
  readonly enabled = true;
  readonly proofs: unknown[] = [];
  async report(proof: unknown): Promise<string[]> {
    this.proofs.push(proof);
    return [`reported slot ${(proof as { slot: number }).slot}`];
  }
}

// -- three nodes ------------------------------------------------------------------------------------------------------

type Node = {
  readonly name: string;
  readonly key: string;
  readonly db: SqlClient;
  readonly store: RoundStore;
  readonly task: KoiiTask<CounterItem, string>;
  readonly sink: RecordingSink;
  readonly server: Server;
  readonly url: string;
};

const truth = new Map([
  [0, 5],
  [1, 7],
  [2, 9],
]);
const honest = (): CounterItem[] => [...truth].map(([slot, count]) => ({ slot, count }));
// C: a wrong count for slot 1, and two counts for slot 2.
const dishonest = (): CounterItem[] => [
  { slot: 0, count: 5 },
  { slot: 1, count: 8 },
  { slot: 2, count: 9 },
  { slot: 2, count: 10 },
];

const settings: TaskSettings = {
  taskId: "counter-test",
  schedule: { genesisMs: 0, roundMs: 1_000, submissionMs: 200, auditMs: 200 },
  rewardPerRound: 300n,
  quorumBps: 6_667,
  slashBps: 1_000,
  equivocationSlashBps: 5_000,
  requestTimeoutMs: 5_000,
};

const nodes: Node[] = [];

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
  // Servers first: every node's task needs the peers' URLs.
  const servers = keys.map(() => createServer());
  const urls = await Promise.all(servers.map(listen));
  const taskNodes = keys.map((k, i) => ({ koiiPublicKey: koiiPublicKeyOf(k.ed), stake: 100n, url: urls[i] }));
  for (const [i, k] of keys.entries()) {
    const db = openSqlite(SQLITE_MEMORY);
    // Each package contributes its own list; the node applies them in one stable order.
    await applyMigrations(db, [...ROUND_MIGRATIONS, ...COUNTER_MIGRATIONS]);
    const store = new RoundStore(db);
    const kind = new CounterKind(db, k.name === "c" ? dishonest : honest, truth);
    const sink = new RecordingSink();
    const task = new KoiiTask<CounterItem, string>({
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
      store,
      reporter: sink,
      log: silentLogger(),
      // In round 0's work period: a tick only seeds the stake ledger; the test drives the phases itself.
      now: () => 100,
    });
    // Reports arrive during round 0's work period: judged in round 0's audit.
    const routes = koiiRoutes({
      tasks: new Map([[kind.name, task as KoiiTask<unknown>]]),
      store,
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
    nodes.push({ name: k.name, key: koiiPublicKeyOf(k.ed), db, store, task, sink, server, url: urls[i] as string });
  }
});

afterAll(async () => {
  for (const n of nodes) {
    await new Promise<void>((resolve) => n.server.close(() => resolve()));
    await n.db.close();
  }
});

const node = (name: string): Node => nodes.find((n) => n.name === name) as Node;

describe("the task round with a second, non-bridge kind of work", () => {
  it("takes the kind's evidence over POST /koii/evidence: stored once, refused when malformed", async () => {
    const post = (body: unknown) =>
      fetch(`${node("a").url}/koii/evidence`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    // B published a wrong count for slot 0 somewhere the reporter saw.
    const report = { node: node("b").key, slot: 0, count: 4, source: "test" };
    const first = await post(report);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ signer: node("b").key, stored: true });
    expect(await (await post(report)).json()).toMatchObject({ stored: false });
    expect((await post({ node: "x" })).status).toBe(400);
    const status = (await (await fetch(`${node("a").url}/koii/status`)).json()) as { evidence: number };
    expect(status.evidence).toBe(1);
  });

  it("submits, audits, votes and distributes: the equivocating node is slashed, the honest ones paid", async () => {
    for (const n of nodes) await n.task.tick();
    for (const n of nodes) {
      const s = await n.task.submit(0);
      expect(s.kind).toBe("counter");
      expect(s.items).toHaveLength(n.name === "c" ? 4 : 3);
    }
    const audits = new Map<string, PeerAudit<string>[]>();
    for (const n of nodes) audits.set(n.name, await n.task.audit(0));

    const verdicts = (auditor: string) =>
      Object.fromEntries(
        (audits.get(auditor) ?? []).map((a) => [
          nodes.find((n) => n.key === a.peer)?.name,
          a.status === "voted" ? a.vote.verdict : a.status,
        ]),
      );
    expect(verdicts("a")).toEqual({ b: "fail", c: "fail" }); // b: A holds evidence against it
    expect(verdicts("b")).toEqual({ a: "pass", c: "fail" });
    expect(verdicts("c")).toEqual({ a: "pass", b: "pass" });

    // The kind's equivocation check found C's two counts for slot 2 and the sink got the kind's proof.
    const onC = (audits.get("b") ?? []).find((a) => a.peer === node("c").key);
    if (onC?.status !== "voted") throw new Error(`expected a vote on C, got ${onC?.status}`);
    // Slot 1's count is wrong; slot 2 has two counts (one of them wrong too).
    expect(onC.vote.faults.map((f) => f.code).sort()).toEqual(["equivocation", "wrong-count", "wrong-count"]);
    expect(onC.reports).toEqual(["reported slot 2"]);
    const proofs = node("b").sink.proofs as { slot: number; a: CounterItem; b: CounterItem }[];
    expect(proofs.map((p) => [p.slot, [p.a.count, p.b.count].sort()])).toEqual([[2, [10, 9]]]);

    // A second audit pass votes nothing twice.
    expect((await node("a").task.audit(0)).map((a) => a.status)).toEqual(["already-voted", "already-voted"]);

    for (const n of nodes) await n.task.gatherVotes(0);
    const bodies = [];
    for (const n of nodes) bodies.push(await n.task.distribute(0));
    // Every node computes the same distribution from the same signed votes.
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    const d = bodies[0] as {
      rewards: { node: string; amount: string }[];
      slashes: { node: string; reason: string; stakeAfter: string }[];
    };
    // C: A and B (all the others' stake) voted fail naming equivocation. B: only A voted fail, below the quorum.
    expect(d.slashes).toEqual([
      expect.objectContaining({ node: node("c").key, reason: "equivocation", stakeAfter: "50" }),
    ]);
    expect(d.rewards.map((r) => [r.node, r.amount]).sort()).toEqual(
      [
        [node("a").key, "150"],
        [node("b").key, "150"],
      ].sort(),
    );
    expect(await node("a").store.stakes()).toEqual(
      new Map([
        [node("a").key, 100n],
        [node("b").key, 100n],
        [node("c").key, 50n],
      ]),
    );
    // Distributed once: a second call returns the stored body and slashes nothing more.
    expect(await node("a").task.distribute(0)).toEqual(d);
    expect((await node("a").store.stakes()).get(node("c").key)).toBe(50n);
  });
});
