// What a node waits for is said once (src/state-log.ts): a condition is logged at warn when it is lost and when it
// is back, never per tick, and exported as maskoii_condition_ok / maskoii_condition_changes_total. Unit test of the
// logger, then the relayer's delivery loop (fake chains, real store) through attesters going down and up, an origin
// RPC failing and a paused destination: one line per transition, named, however many ticks pass.
import { Writable } from "node:stream";
import { createLogger, type Logger, silentLogger } from "@maskoii/node-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttesterSetView } from "../src/chains/adapter.ts";
import { MessageWatcher } from "../src/chains/watcher.ts";
import { Metrics } from "../src/metrics.ts";
import { Relayer } from "../src/relayer-service.ts";
import { StateLog } from "../src/state-log.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { FakeAttesters, FakeChain, members, sampleMessage } from "./helpers.ts";

type Line = Record<string, unknown> & { level: number; msg: string };

function capture(level = "debug"): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split("\n")) if (line !== "") lines.push(JSON.parse(line) as Line);
      cb();
    },
  });
  return { log: createLogger({ level }, sink), lines };
}

const WARN = 40;
const ERROR = 50;

describe("StateLog", () => {
  it("logs a condition once per transition (warn; error for operator alerts), and mirrors it in metrics", async () => {
    const { log, lines } = capture();
    const metrics = new Metrics();
    const states = new StateLog(log, metrics);
    // Healthy from the start: nothing to say.
    for (let i = 0; i < 3; i++) expect(states.report("attester-reachable", "http://a:1", true)).toBe(false);
    expect(lines).toEqual([]);
    for (let i = 0; i < 5; i++) states.report("attester-reachable", "http://a:1", false, { error: "refused" });
    for (let i = 0; i < 4; i++) states.report("attester-reachable", "http://a:1", true);
    for (let i = 0; i < 3; i++) states.report("attester-reachable", "http://a:1", false);
    expect(lines.map((l) => [l.level, l.msg, l.subject])).toEqual([
      [WARN, "attester endpoint unreachable", "http://a:1"],
      [WARN, "attester endpoint reachable again", "http://a:1"],
      [WARN, "attester endpoint unreachable", "http://a:1"],
    ]);
    expect(lines[0]?.error).toBe("refused");
    // Down on the first report: said at once. Funds are an operator alert (error).
    states.report("funds-sufficient", "1002", false, { account: "0xabc" });
    states.report("funds-sufficient", "1002", false, { account: "0xabc" });
    expect(lines.slice(3).map((l) => [l.level, l.subject, l.account])).toEqual([[ERROR, "1002", "0xabc"]]);
    expect(states.state("funds-sufficient", "1002")).toBe(false);
    const text = await metrics.render();
    expect(text).toContain('maskoii_condition_ok{condition="attester-reachable",subject="http://a:1"} 0');
    expect(text).toContain(
      'maskoii_condition_changes_total{condition="attester-reachable",subject="http://a:1",to="lost"} 2',
    );
    expect(text).toContain(
      'maskoii_condition_changes_total{condition="attester-reachable",subject="http://a:1",to="ok"} 1',
    );
    expect(text).toContain('maskoii_condition_ok{condition="funds-sufficient",subject="1002"} 0');
  });
});

describe("relayer: what it waits for, once per change", () => {
  const keys = members(3);
  const set: AttesterSetView = {
    setId: 1n,
    attesters: keys.map((k) => k.address),
    weights: [1n, 1n, 1n],
    thresholdBps: 6666,
    totalWeight: 3n,
    expiresAt: 0,
  };
  let store: Store;
  let chainA: FakeChain;
  let chainB: FakeChain;
  let attesters: FakeAttesters;
  let clock = 1_000_000;

  beforeEach(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory://" });
    chainA = new FakeChain(1001, { ...set });
    chainB = new FakeChain(1002, { ...set });
    attesters = new FakeAttesters(keys, chainB, [0, 1, 2]);
  });
  afterEach(async () => store.close());

  function relayer(log: Logger, metrics: Metrics, maxBatchSize = 1): Relayer {
    let r: Relayer | undefined;
    const watcher = new MessageWatcher({
      adapter: chainA,
      store,
      startBlock: 0,
      maxBlockRange: 50,
      role: "relayer",
      log: silentLogger(),
      onMessage: async (m) => r?.track(m),
    });
    r = new Relayer({
      chains: new Map([
        [1001, chainA],
        [1002, chainB],
      ]),
      watchers: [watcher],
      store,
      attesters,
      log,
      metrics,
      pollIntervalMs: 1_000,
      retry: { baseMs: 1_000, maxMs: 10_000, maxAttempts: 5 },
      maxBatchSize,
      pipeline: true,
      now: () => clock,
    });
    return r;
  }

  /** A new final message on A (the watcher has scanned past the earlier blocks). */
  function emit(nonce: bigint) {
    chainA.head += 1n;
    const m = { ...sampleMessage(nonce), blockNumber: chainA.head };
    chainA.sent.push(m);
    return m;
  }

  async function ticks(r: Relayer, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await r.tick();
      await r.settled();
      clock += 1_000;
    }
  }

  it("attesters down and up, quorum lost and regained, origin RPC down and up, pause: one warn line each", async () => {
    const { log, lines } = capture("info");
    const metrics = new Metrics();
    const r = relayer(log, metrics);
    // Healthy rounds with traffic: nothing logged at warn.
    emit(0n);
    await ticks(r, 3);
    expect((await store.getDelivery(sampleMessage(0n).messageId))?.state).toBe("delivered");
    expect(lines.filter((l) => l.level >= WARN)).toEqual([]);

    // Two of three attesters down for 6 rounds while a message waits: each endpoint named once, quorum lost once.
    attesters.online = new Set([0]);
    const waiting = emit(1n);
    await ticks(r, 6);
    expect((await store.getDelivery(waiting.messageId))?.state).toBe("pending");
    const warned = () => lines.filter((l) => l.level >= WARN).map((l) => [l.msg.split(":")[0], l.subject]);
    expect(warned()).toEqual([
      ["attester endpoint unreachable", "attester1"],
      ["attester endpoint unreachable", "attester2"],
      ["quorum lost", "1002"],
    ]);
    // Back up: named once each, quorum regained once, and the message delivered.
    attesters.online = new Set([0, 1, 2]);
    await ticks(r, 4);
    expect((await store.getDelivery(waiting.messageId))?.state).toBe("delivered");
    expect(warned().slice(3)).toEqual([
      ["attester endpoint reachable again", "attester1"],
      ["attester endpoint reachable again", "attester2"],
      ["quorum regained", "1002"],
    ]);

    // The origin's RPC fails for 5 rounds, then answers again.
    const finalizedBlock = chainA.finalizedBlock.bind(chainA);
    chainA.finalizedBlock = async () => {
      throw new Error("ECONNREFUSED 127.0.0.1:8545");
    };
    await ticks(r, 5);
    chainA.finalizedBlock = finalizedBlock;
    await ticks(r, 3);
    expect(warned().slice(6)).toEqual([
      ["chain RPC unreachable", "scan:1001"],
      ["chain RPC reachable again", "scan:1001"],
    ]);

    // Paused destination for 4 rounds with a message waiting, then unpaused.
    chainB.paused = true;
    emit(2n);
    await ticks(r, 4);
    chainB.paused = false;
    await ticks(r, 3);
    expect(warned().slice(8)).toEqual([
      ["destination gateway paused by its guardian", "1002"],
      ["destination gateway unpaused", "1002"],
    ]);
    expect((await store.getDelivery(sampleMessage(2n).messageId))?.state).toBe("delivered");

    // No per-tick chatter at info: no "handed back unfinished delivery claims", no per-tick scan failure lines.
    expect(lines.filter((l) => l.msg === "handed back unfinished delivery claims")).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith("origin scan failed"))).toEqual([]);
    const text = await metrics.render();
    expect(text).toContain('maskoii_condition_ok{condition="quorum-reachable",subject="1002"} 1');
    expect(text).toContain('maskoii_condition_changes_total{condition="quorum-reachable",subject="1002",to="lost"} 1');
    expect(text).toContain('maskoii_condition_ok{condition="attester-reachable",subject="attester2"} 1');
    expect(text).toContain(
      'maskoii_condition_changes_total{condition="chain-rpc-reachable",subject="scan:1001",to="lost"} 1',
    );
  });
});
