// The Koii task round end to end over real parts: a `hardhat node` with a deployed Gateway (set 1 = the three
// attesters), three attester nodes each with its own PGlite store on disk, its attester HTTP server with the /koii
// routes, a real MessageWatcher and AttesterSigner, and a KoiiTask driven by a test clock (rounds are 10 minutes long;
// the clock moves each round through its submission, audit and distribution windows). Node 2 turns byzantine.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildSubmission,
  createBindingRecord,
  generatePrivateKey,
  KoiiTask,
  koiiPublicKeyOf,
  silentLogger,
  type TaskSettings,
  verifySubmission,
  windowsOf,
} from "@maskoii/node-kit";
import { attestationDigest, encodeMessage, messageId as idOf, signDigest } from "@maskoii/sdk";
import { freePort } from "@maskoii/testkit";
import { type Address, getAddress, type Hex, keccak256, stringToHex, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signatureToJson, startAttesterServer } from "../src/attester/server.ts";
import { AttesterSigner, packSignature } from "../src/attester/signer.ts";
import { EvmChainAdapter } from "../src/chains/evm.ts";
import { MessageWatcher } from "../src/chains/watcher.ts";
import { EquivocationReporter } from "../src/koii/equivocation.ts";
import type { SignatureClaim } from "../src/koii/evidence.ts";
import {
  type AttestationItem,
  AttestationsKind,
  type EvidencePair,
  encodeAttestationItem,
} from "../src/koii/kinds/attestations.ts";
import { ByzantineReporter } from "../src/koii/reporter.ts";
import { koiiRoutes } from "../src/koii/routes.ts";
import { KoiiStore } from "../src/koii/store.ts";
import { Metrics } from "../src/metrics.ts";
import { openStore } from "../src/store/index.ts";
import type { Store } from "../src/store/types.ts";
import { members } from "./helpers.ts";
import { startTestChain, type TestChain } from "./koii-chain.ts";

const log = silentLogger();
const VERIFIER_B = `0x${"00".repeat(12)}${"bb".repeat(20)}` as Hex;
const TARGET = { domain: 1002, verifier: VERIFIER_B, attesterSetId: 1n };
const POOL = 1_000n;
const STAKES = [100n, 200n, 300n];

let clock = 0;
const now = () => clock;

type Identity = { secp: { key: Hex; address: Address }; ed: Hex; koii: string };

type Node = {
  readonly id: Identity;
  readonly store: Store;
  readonly koii: KoiiStore;
  readonly adapter: EvmChainAdapter;
  readonly signer: AttesterSigner;
  readonly task: KoiiTask<AttestationItem>;
  readonly url: string;
  close: () => Promise<void>;
};

const bindingOf = (id: Identity) =>
  createBindingRecord({
    ed25519PrivateKey: id.ed,
    secp256k1PrivateKey: id.secp.key,
    attester: id.secp.address,
    issuedAt: 1_700_000_000,
  });

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  // Client and servers share this process: a PGlite call that blocks the event loop can let a server's keep-alive
  // timeout close a pooled socket just as fetch reuses it (ECONNRESET). A GET is safe to send once more.
  const response = await fetch(url, init).catch((error: unknown) => {
    if (init?.method !== undefined && init.method !== "GET") throw error;
    return fetch(url, init);
  });
  return { status: response.status, body: await response.json() };
}

describe("koii task round over a real chain, real stores and real HTTP", () => {
  const ids: Identity[] = members(4, "koii round attester").map((secp) => {
    const ed = generatePrivateKey("ed25519");
    return { secp, ed, koii: koiiPublicKeyOf(ed) };
  });
  const byz = 2;
  let chain: TestChain;
  let root = "";
  let settings: TaskSettings;
  const nodes: Node[] = [];
  const ports: number[] = [];
  let sent: Awaited<ReturnType<TestChain["send"]>>[] = [];

  /** Opens (or reopens after a restart) node `i` on its port and data directory. */
  async function openNode(i: number): Promise<Node> {
    const id = ids[i] as Identity;
    const dir = join(root, `node${i}`);
    const port = ports[i] as number;
    const store = await openStore({ kind: "pglite", dataDir: dir });
    const koii = KoiiStore.of(store);
    const adapter = await EvmChainAdapter.connect({
      domain: 1001,
      rpcUrl: chain.rpcUrl,
      gateway: chain.gateway,
      finality: { kind: "confirmations", depth: 0 },
      // Node 0 opted in to equivocation reports: its attesting key pays for them.
      ...(i === 0 ? { account: privateKeyToAccount(id.secp.key) } : {}),
    });
    const chains = new Map([[1001, adapter]]);
    const metrics = new Metrics();
    const signer = new AttesterSigner({ address: id.secp.address, privateKey: id.secp.key, store, log, metrics });
    const kind = new AttestationsKind({ store: koii, chains, startBlocks: new Map([[1001, chain.deployBlock]]), log });
    const task = new KoiiTask({
      kind,
      settings,
      ed25519PrivateKey: id.ed,
      binding: bindingOf(id),
      nodes: ids.slice(0, 3).map((x, j) => ({
        koiiPublicKey: x.koii,
        stake: STAKES[j] ?? 0n,
        url: `http://127.0.0.1:${ports[j]}`,
      })),
      store: koii,
      reporter: new EquivocationReporter({ chains, domains: i === 0 ? [1001] : [], store: koii, log }),
      log,
      metrics,
      now,
    });
    const server = await startAttesterServer(
      {
        store,
        chains,
        signer,
        metrics,
        log,
        ready: () => true,
        signBatches: true,
        koii: koiiRoutes({ tasks: new Map([[kind.name, task as KoiiTask<unknown>]]), store: koii, log, metrics, now }),
      },
      { host: "127.0.0.1", port },
    );
    return {
      id,
      store,
      koii,
      adapter,
      signer,
      task,
      url: server.url,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  }

  async function reopen(i: number): Promise<void> {
    await (nodes[i] as Node).close();
    nodes[i] = await openNode(i);
  }

  async function tickAll(at: number): Promise<void> {
    clock = at;
    for (const n of nodes) await n.task.tick();
  }

  /** Runs round r through submission, audit and distribution on every node. */
  async function runRound(r: number): Promise<void> {
    const w = windowsOf(settings.schedule, r);
    await tickAll(w.workEnd + 1_000);
    await tickAll(w.submissionEnd + 1_000);
    await tickAll(w.auditEnd + 1);
  }

  /** A byzantine signature of node `byz`, stored as its own work of round r: a message the chain never showed. */
  async function fabricate(r: number, fields: { nonce: bigint; payload: Hex }): Promise<{ id: Hex; message: Hex }> {
    const n = nodes[byz] as Node;
    const message = encodeMessage({
      nonce: fields.nonce,
      originDomain: 1001,
      sender: toHex(1n, { size: 32 }),
      destinationDomain: 1002,
      recipient: toHex(7n, { size: 32 }),
      payload: fields.payload,
    });
    const id = idOf(message);
    const at = windowsOf(settings.schedule, r).workStart + 10;
    await n.store.recordObserved({
      messageId: id,
      origin: 1001,
      destination: 1002,
      nonce: fields.nonce,
      message,
      blockNumber: chain.deployBlock + 1n,
      txHash: keccak256(stringToHex(`fake tx ${id}`)),
      observedAt: at,
    });
    const digest = attestationDigest("message", { ...TARGET, value: id });
    await n.store.saveSignature({
      kind: "message",
      value: id,
      domain: TARGET.domain,
      verifier: TARGET.verifier,
      attesterSetId: TARGET.attesterSetId,
      signer: n.id.secp.address,
      signature: packSignature(signDigest(digest, n.id.secp.key)),
      messageIds: [id],
      createdAt: at,
    });
    return { id, message };
  }

  const stakesOf = async (n: Node) => Object.fromEntries(await n.koii.stakes());

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "maskoii-koii-"));
    chain = await startTestChain(ids.slice(0, 3).map((x) => x.secp.address));
    await chain.setBalance((ids[0] as Identity).secp.address, 10n ** 20n);
    settings = {
      taskId: "maskoii-test-task",
      schedule: { genesisMs: Date.now() - 5_000, roundMs: 600_000, submissionMs: 60_000, auditMs: 60_000 },
      rewardPerRound: POOL,
      quorumBps: 6_667,
      slashBps: 1_000,
      equivocationSlashBps: 10_000,
      requestTimeoutMs: 5_000,
    };
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    for (let i = 0; i < 3; i++) nodes.push(await openNode(i));
    // Three real messages, observed final by every node's watcher and signed alone and as one batch.
    sent = [await chain.send("0x01"), await chain.send("0x0202"), await chain.send("0x030303")];
    for (const n of nodes) {
      const watcher = new MessageWatcher({
        adapter: n.adapter,
        store: n.store,
        startBlock: Number(chain.deployBlock),
        maxBlockRange: 1_000,
        role: "attester",
        log,
      });
      await watcher.poll();
      const signables = sent.map((m) => ({ messageId: m.messageId, originDomain: 1001, nonce: m.nonce }));
      for (const m of signables) await n.signer.signMessage(m, TARGET);
      await n.signer.signBatch(signables, TARGET);
    }
  }, 240_000);

  afterAll(async () => {
    for (const n of nodes) await n.close().catch(() => {});
    await chain?.stop();
    if (root !== "") await rm(root, { recursive: true, force: true });
  });

  it("honest round: every submission verifies and passes, rewards split by stake with exact conservation", async () => {
    const w = windowsOf(settings.schedule, 0);
    await tickAll(w.workEnd + 1_000);
    for (const n of nodes) {
      const { status, body } = await json(`${n.url}/koii/rounds/0/submission`);
      expect(status).toBe(200);
      const s = verifySubmission(body, { kind: n.task.kind, taskId: settings.taskId, round: 0, node: n.id.koii });
      // 3 message signatures + 1 batch signature, each with the origin tx and block it was read from.
      expect(s.items).toHaveLength(4);
      const batch = s.items.find((x) => x.kind === "batch");
      expect(batch?.messages.map((m) => m.messageId)).toEqual(sent.map((m) => m.messageId));
      expect(batch?.messages[0]?.originBlock).toBe(sent[0]?.blockNumber.toString());
      // Canonical: the JSON round trip gives the same bytes.
      for (const item of s.items) {
        expect(encodeAttestationItem(JSON.parse(JSON.stringify(item)))).toEqual(encodeAttestationItem(item));
      }
    }
    // Nothing is served before the round ends.
    expect((await json(`${nodes[0]?.url}/koii/rounds/1/submission`)).status).toBe(404);

    await tickAll(w.submissionEnd + 1_000);
    for (const n of nodes) {
      const votes = (await json(`${n.url}/koii/rounds/0/votes`)).body as { verdict: string; subject: string }[];
      expect(votes).toHaveLength(2);
      expect(votes.every((v) => v.verdict === "pass")).toBe(true);
    }
    await tickAll(w.auditEnd + 1);
    const distributions = await Promise.all(
      nodes.map(async (n) => (await json(`${n.url}/koii/rounds/0/distribution`)).body),
    );
    // Every node computed the same distribution.
    expect(distributions[1]).toEqual(distributions[0]);
    expect(distributions[2]).toEqual(distributions[0]);
    const d = distributions[0] as { rewards: { node: string; amount: string }[]; unallocated: string; slashes: [] };
    const amounts = Object.fromEntries(d.rewards.map((r) => [r.node, BigInt(r.amount)]));
    // 1000 by 100:200:300 = 166.67, 333.33, 500: floors 166/333/500, the one unit left to the largest remainder.
    expect(amounts).toEqual({ [ids[0]!.koii]: 167n, [ids[1]!.koii]: 333n, [ids[2]!.koii]: 500n });
    expect(Object.values(amounts).reduce((a, b) => a + b, 0n)).toBe(POOL);
    expect(d.unallocated).toBe("0");
    expect(d.slashes).toEqual([]);
  });

  it("a node that signs a message the chain does not show is audited out, slashed and unpaid", async () => {
    const fake = await fabricate(1, { nonce: 999n, payload: "0xdead" });
    await runRound(1);
    for (const auditor of [0, 1]) {
      const votes = (await json(`${nodes[auditor]?.url}/koii/rounds/1/votes`)).body as {
        subject: string;
        verdict: string;
        faults: { code: string; detail: string }[];
      }[];
      const onByz = votes.find((v) => v.subject === ids[byz]?.koii);
      expect(onByz?.verdict).toBe("fail");
      expect(onByz?.faults.some((f) => f.code === "not-on-chain" && f.detail.includes(fake.id))).toBe(true);
      expect(votes.filter((v) => v.subject !== ids[byz]?.koii).every((v) => v.verdict === "pass")).toBe(true);
    }
    const d = (await json(`${nodes[0]?.url}/koii/rounds/1/distribution`)).body as {
      rewards: { node: string; amount: string }[];
      slashes: { node: string; reason: string; penalty: string; stakeAfter: string }[];
    };
    expect(d.rewards.map((r) => r.node).sort()).toEqual([ids[0]!.koii, ids[1]!.koii].sort());
    expect(d.rewards.reduce((a, r) => a + BigInt(r.amount), 0n)).toBe(POOL);
    expect(d.slashes).toEqual([
      { node: ids[byz]!.koii, reason: "audit", bps: 1_000, stakeBefore: "300", penalty: "30", stakeAfter: "270" },
    ]);
    // Every node's ledger applied the same slash, once.
    for (const n of nodes) expect((await stakesOf(n))[ids[byz]!.koii]).toBe(270n);
  });

  it("equivocation: the auditor puts the evidence pair on the Gateway, the attester's weight drops to 0", async () => {
    const byzAddress = ids[byz]!.secp.address;
    expect(await chain.weightOf(byzAddress)).toBe(1n);
    // Round 2: node 2 signs another message with the (origin, nonce) of a real one it signed in round 0.
    const real = sent[0]!;
    const conflicting = await fabricate(2, { nonce: real.nonce, payload: "0xbadbad" });
    const w = windowsOf(settings.schedule, 2);
    await tickAll(w.workEnd + 1_000);
    clock = w.submissionEnd + 1_000;
    const results = await nodes[0]!.task.audit(2);
    const onByz = results.find((r) => r.peer === ids[byz]?.koii);
    expect(onByz?.status).toBe("voted");
    if (onByz?.status !== "voted") throw new Error("unreachable");
    expect(onByz.vote.faults.map((f) => f.code)).toContain("equivocation");
    expect(onByz.reports).toEqual([{ domain: 1001, outcome: "slashed", txHash: expect.stringMatching(/^0x/) }]);
    expect(await chain.weightOf(byzAddress)).toBe(0n);
    const events = await chain.slashedEvents();
    expect(events).toHaveLength(1);
    expect(getAddress(events[0]!.attester)).toBe(byzAddress);
    expect(new Set([events[0]!.messageIdA, events[0]!.messageIdB])).toEqual(new Set([real.messageId, conflicting.id]));
    // Idempotent: the pair (rebuilt from the stored submission) is not reported twice by node 0, and a reporter
    // that never reported it sees the attester already removed and sends nothing.
    const submission = verifySubmission((await json(`${nodes[byz]!.url}/koii/rounds/2/submission`)).body, {
      kind: nodes[0]!.task.kind,
      taskId: settings.taskId,
      round: 2,
      node: ids[byz]!.koii,
    });
    const outcome = await nodes[0]!.task.kind.audit(
      submission.items,
      { koiiPublicKey: ids[byz]!.koii, binding: submission.binding },
      2,
    );
    const pair = outcome.equivocations[0]?.proof as EvidencePair;
    expect(pair.attester).toBe(byzAddress);
    const reporter0 = new EquivocationReporter({
      chains: new Map([[1001, nodes[0]!.adapter]]),
      domains: [1001],
      store: nodes[0]!.koii,
      log,
    });
    expect(await reporter0.report(pair)).toEqual(onByz.reports);
    const otherStore = await openStore({ kind: "pglite", dataDir: "memory://" });
    try {
      const fresh = new EquivocationReporter({
        chains: new Map([[1001, nodes[0]!.adapter]]),
        domains: [1001],
        store: KoiiStore.of(otherStore),
        log,
      });
      expect(await fresh.report(pair)).toEqual([{ domain: 1001, outcome: "already-slashed", txHash: null }]);
    } finally {
      await otherStore.close();
    }
    expect(await chain.slashedEvents()).toHaveLength(1);
    // The rest of the round: node 1 (not reporting) also fails it; the tally takes the whole stake.
    await tickAll(w.submissionEnd + 2_000);
    await tickAll(w.auditEnd + 1);
    const d = (await json(`${nodes[1]?.url}/koii/rounds/2/distribution`)).body as {
      slashes: { node: string; reason: string; stakeAfter: string }[];
      rewards: { node: string }[];
    };
    expect(d.slashes).toEqual([
      expect.objectContaining({ node: ids[byz]!.koii, reason: "equivocation", stakeAfter: "0" }),
    ]);
    expect(d.rewards.map((r) => r.node)).not.toContain(ids[byz]!.koii);
    expect(await chain.slashedEvents()).toHaveLength(1);
  });

  it("a tampered submission is rejected with a named reason (bad signature, binding mismatch, wrong round, task)", async () => {
    const stranger = ids[3] as Identity;
    const build = (round: number, taskId = settings.taskId, binding = bindingOf(stranger)) =>
      buildSubmission({
        kind: nodes[0]!.task.kind,
        taskId,
        round,
        ed25519PrivateKey: stranger.ed,
        binding,
        items: [],
      });
    const honest = build(0);
    const flipped = `${honest.signature.slice(0, -2)}${honest.signature.endsWith("00") ? "01" : "00"}`;
    const variants: [string, unknown][] = [
      ["bad-signature", { ...honest, signature: flipped }],
      // Signed by the stranger, but carrying node 1's (valid) binding record.
      ["binding-mismatch", build(0, settings.taskId, bindingOf(ids[1] as Identity))],
      ["wrong-round", build(5)],
      ["wrong-task", build(0, "another-task")],
      ["root-mismatch", { ...honest, root: `0x${"11".repeat(32)}` }],
      ["malformed", { ...honest, items: "nope" }],
    ];
    let serving: unknown;
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(serving));
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      const peer = { koiiPublicKey: stranger.koii, stake: 1n, url: `http://127.0.0.1:${port}` };
      for (const [reason, body] of variants) {
        serving = body;
        const result = await nodes[0]!.task.auditPeer(peer, 0);
        expect(result, reason).toMatchObject({ status: "rejected", reason });
      }
      // No vote and no stored submission came out of any of them; the untampered one is accepted.
      expect(await nodes[0]!.koii.getSubmission(0, nodes[0]!.task.kind.name, stranger.koii)).toBeUndefined();
      serving = honest;
      expect(await nodes[0]!.task.auditPeer(peer, 0)).toMatchObject({ status: "voted", vote: { verdict: "pass" } });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("a restart in the middle of a round loses nothing: submission, votes and distribution are persisted", async () => {
    const w = windowsOf(settings.schedule, 3);
    await tickAll(w.workEnd + 1_000);
    const before = (await json(`${nodes[1]!.url}/koii/rounds/3/submission`)).body;
    await reopen(1);
    // The node restarted within the submission window: it serves the same signed submission, not a new one.
    await tickAll(w.workEnd + 2_000);
    expect((await json(`${nodes[1]!.url}/koii/rounds/3/submission`)).body).toEqual(before);
    clock = w.submissionEnd + 1_000;
    const audited = await nodes[1]!.task.audit(3);
    expect(audited.map((a) => a.status)).toEqual(["voted", "voted"]);
    const votes = (await json(`${nodes[1]!.url}/koii/rounds/3/votes`)).body;
    await reopen(1);
    expect((await json(`${nodes[1]!.url}/koii/rounds/3/votes`)).body).toEqual(votes);
    expect((await nodes[1]!.task.audit(3)).map((a) => a.status)).toEqual(["already-voted", "already-voted"]);
    await tickAll(w.submissionEnd + 2_000);
    await tickAll(w.auditEnd + 1);
    const distribution = (await json(`${nodes[1]!.url}/koii/rounds/3/distribution`)).body;
    const stakes = await stakesOf(nodes[1]!);
    await reopen(1);
    await tickAll(w.auditEnd + 2);
    expect((await json(`${nodes[1]!.url}/koii/rounds/3/distribution`)).body).toEqual(distribution);
    // Distributed (and slashed) once: the ledger did not move on the second pass.
    expect(await stakesOf(nodes[1]!)).toEqual(stakes);
    const rewards = (distribution as { rewards: { amount: string }[] }).rewards;
    expect(rewards.reduce((a, r) => a + BigInt(r.amount), 0n)).toBe(POOL);
  });

  it("the relayer reports byzantine claims; attributable ones reach the auditors and fail the signer", async () => {
    const w = windowsOf(settings.schedule, 4);
    clock = w.workStart + 100;
    const relayerStore = await openStore({ kind: "pglite", dataDir: "memory://" });
    const metrics = new Metrics();
    try {
      const reporter = new ByzantineReporter({
        store: KoiiStore.of(relayerStore),
        attesters: [nodes[0]!.url, nodes[1]!.url],
        log,
        metrics,
        timeoutMs: 5_000,
        // This relayer knows the phantom's bytes (say, it was asked to deliver it): it forwards them.
        messageOf: async (id) => (id.toLowerCase() === phantom ? phantomMessage : undefined),
      });
      const asked = sent[1]!.messageId;
      const honest = (await json(`${nodes[0]!.url}/signatures/${asked}`)).body as { signatures: SignatureClaim[] };
      // A message of origin 1001 with a nonce the Gateway never assigned: no chain has it, and its bytes say so.
      const phantomMessage = encodeMessage({
        nonce: 10_000n,
        originDomain: 1001,
        sender: toHex(1n, { size: 32 }),
        destinationDomain: 1002,
        recipient: toHex(7n, { size: 32 }),
        payload: "0xfeed",
      });
      const phantom = idOf(phantomMessage);
      const byzKey = ids[byz]!.secp;
      const offTopic: SignatureClaim = {
        kind: "message",
        value: phantom,
        domain: TARGET.domain,
        verifier: TARGET.verifier,
        attesterSetId: "1",
        signer: byzKey.address,
        signature: packSignature(signDigest(attestationDigest("message", { ...TARGET, value: phantom }), byzKey.key)),
        messageIds: [phantom],
      };
      const garbage: SignatureClaim = { ...offTopic, value: asked, messageIds: [asked], signature: "0x1234" };
      const answers = [
        { source: nodes[0]!.url, ok: true as const, observed: true, signatures: honest.signatures },
        { source: nodes[byz]!.url, ok: true as const, observed: true, signatures: [offTopic, garbage] },
      ];
      const reports = await reporter.inspect(asked, answers);
      expect(reports.map((r) => [r.reason, r.signer])).toEqual([
        ["off-topic", byzKey.address],
        ["malformed", null],
      ]);
      // Seen again: stored once, not reported twice.
      expect(await reporter.inspect(asked, answers)).toEqual([]);
      const text = await metrics.render();
      expect(text).toMatch(/maskoii_byzantine_signatures_total\{reason="off-topic"\} 1/);
      expect(text).toMatch(/maskoii_byzantine_signatures_total\{reason="malformed"\} 1/);
      expect(await KoiiStore.of(relayerStore).countEvidence()).toBe(2);
      // Only the attributable claim was forwarded; an auditor refuses a claim that names no key.
      expect(await nodes[0]!.koii.countEvidence()).toBe(1);
      const refused = await json(`${nodes[0]!.url}/koii/evidence`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ source: "x", requested: asked, reason: "off-topic", claim: garbage }),
      });
      expect(refused.status).toBe(400);
      // Round 4: node 2 submits nothing wrong, but the evidence shows it signed a message no origin has.
      await runRound(4);
      for (const auditor of [0, 1]) {
        const votes = (await json(`${nodes[auditor]!.url}/koii/rounds/4/votes`)).body as {
          subject: string;
          verdict: string;
          faults: { code: string }[];
        }[];
        const onByz = votes.find((v) => v.subject === ids[byz]!.koii);
        expect(onByz?.verdict).toBe("fail");
        expect(onByz?.faults.map((f) => f.code)).toContain("unbacked-attestation");
        expect(votes.filter((v) => v.subject !== ids[byz]!.koii).every((v) => v.verdict === "pass")).toBe(true);
      }
    } finally {
      await relayerStore.close();
    }
  });

  it("audits cannot frame: an honest node's real signature posted as evidence to auditors that cannot check it", async () => {
    const honest = nodes[0]!;
    const w = windowsOf(settings.schedule, 5);
    clock = w.workStart + 100;
    const stakesBefore = await stakesOf(nodes[1]!);
    // A real message of origin 1003 (Solana), which no node here serves, signed for real by node 0.
    const foreign = encodeMessage({
      nonce: 3n,
      originDomain: 1003,
      sender: toHex(1n, { size: 32 }),
      destinationDomain: 1002,
      recipient: toHex(7n, { size: 32 }),
      payload: "0x0a11",
    });
    const foreignId = idOf(foreign);
    const real = await honest.signer.signMessage({ messageId: foreignId, originDomain: 1003, nonce: 3n }, TARGET);
    // Node 0 also signed sent[0] (origin 1001): served, but see the start-block case below.
    const fetched = (await json(`${honest.url}/signatures/${sent[0]!.messageId}`)).body as {
      signatures: SignatureClaim[];
    };
    const onChain = fetched.signatures.find((c) => c.kind === "message") as SignatureClaim;
    const { createdAt: _createdAt, ...served } = signatureToJson(real);
    const claim: SignatureClaim = { ...served, messageIds: [...served.messageIds] };
    for (const body of [
      // With the bytes (origin 1003 named) and without (an id alone names no origin): neither is checkable here.
      { source: "framer", requested: foreignId, reason: "off-topic", claim, messages: [foreign] },
      { source: "framer", requested: keccak256(stringToHex("x")), reason: "off-topic", claim },
      { source: "framer", requested: keccak256(stringToHex("y")), reason: "off-topic", claim: onChain },
    ]) {
      for (const n of nodes) {
        const answer = await json(`${n.url}/koii/evidence`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect(answer.status).toBe(202);
      }
    }
    // An auditor whose start block is after sent[0] cannot see it: unauditable, not unbacked.
    const late = new AttestationsKind({
      store: nodes[1]!.koii,
      chains: new Map([[1001, nodes[1]!.adapter]]),
      startBlocks: new Map([[1001, sent[2]!.blockNumber + 1n]]),
      log,
    });
    const lateOutcome = await late.audit([], { koiiPublicKey: honest.id.koii, binding: bindingOf(honest.id) }, 5);
    expect(lateOutcome.faults).toEqual([]);
    await runRound(5);
    for (const auditor of [1, 2]) {
      const votes = (await json(`${nodes[auditor]!.url}/koii/rounds/5/votes`)).body as {
        subject: string;
        verdict: string;
        faults: { code: string }[];
      }[];
      const onHonest = votes.find((v) => v.subject === honest.id.koii);
      expect(onHonest).toMatchObject({ verdict: "pass", faults: [] });
    }
    const d = (await json(`${nodes[1]!.url}/koii/rounds/5/distribution`)).body as {
      rewards: { node: string }[];
      slashes: { node: string }[];
    };
    expect(d.slashes.map((x) => x.node)).not.toContain(honest.id.koii);
    expect(d.rewards.map((r) => r.node)).toContain(honest.id.koii);
    // The honest node keeps its stake on every ledger.
    for (const n of nodes) expect((await stakesOf(n))[honest.id.koii]).toBe(stakesBefore[honest.id.koii]);
  });
});
