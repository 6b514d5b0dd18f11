// The bridge lifecycle end to end on two local hardhat chains: a round trip A → B → A, a failed then retried message,
// a rate-limited transfer queued then released (done while the indexer is stopped: the restarted indexer resumes
// without gaps or duplicates), a rotation, and what REST, GraphQL and SQL over HTTP return for them.
import { attestationDigest, buildAttestation, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { MaskoiiSolanaClient, pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { devnetAttesters, localRpcFromEnv, until } from "@maskoii/testkit";
import { createClient } from "@ponder/client";
import { getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../ponder.schema.ts";
import { IndexerStack, type Sent } from "./stack.ts";

const stack = new IndexerStack();
const WAD = 10n ** 18n;
const HAVE_SOLANA = localRpcFromEnv() !== undefined;
if (!HAVE_SOLANA) process.stderr.write("skipping the Solana lifecycle test: MASKOII_LOCAL_RPC is not set\n");

type Row = Record<string, unknown>;

async function messageWith(id: Hex, check: (m: Row) => boolean): Promise<Row> {
  return stack.waitFor(`/messages/${id}`, (m) => (check(m) ? m : undefined));
}

function kinds(m: Row): string[] {
  return (m.events as Row[]).map((e) => String(e.kind));
}

async function graphql(query: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (body.errors !== undefined) throw new Error(JSON.stringify(body.errors));
  return body.data ?? {};
}

beforeAll(async () => {
  await stack.start();
});

afterAll(async () => {
  await stack.stop();
});

describe(`bridge lifecycle (${stack.kind})`, () => {
  const sent: Record<string, Sent> = {};

  it("indexes a token round trip A → B → A with both legs, timings and the attestation", async () => {
    sent.out = await stack.transfer(1001, 1002, 100n * WAD);
    await stack.deliver(1002, sent.out);
    sent.back = await stack.transfer(1002, 1001, 40n * WAD, stack.deployed.b.bridgedToken);
    await stack.deliver(1001, sent.back);

    const out = await messageWith(
      sent.out.id,
      (m) => m.status === "delivered" && m.kind === "transfer" && kinds(m).length === 3,
    );
    expect(out).toMatchObject({ originDomain: 1001, destinationDomain: 1002, attesterSetId: "1", signerCount: 3 });
    expect(out.latencySeconds).not.toBeNull();
    expect(kinds(out)).toEqual(["sent", "transfer_sent", "delivered"]);
    expect(out.transfer).toMatchObject({
      originToken: stack.deployed.a.demoToken.toLowerCase(),
      destinationToken: stack.deployed.b.bridgedToken.toLowerCase(),
      amount: String(100n * WAD),
      receivedAmount: String(100n * WAD),
      destinationStatus: "received",
    });
    const back = await messageWith(sent.back.id, (m) => m.status === "delivered" && kinds(m).length === 3);
    expect(back.transfer).toMatchObject({
      originToken: stack.deployed.b.bridgedToken.toLowerCase(),
      destinationToken: stack.deployed.a.demoToken.toLowerCase(),
      receivedAmount: String(40n * WAD),
    });

    const volume = await stack.get("/routes/1001/1002/volume");
    expect(volume.body).toMatchObject({ origin: 1001, destination: 1002, transfers: 1 });
  });

  it("indexes a failed then retried message", async () => {
    await stack.setRejecting(1002, true);
    sent.failed = await stack.message(1001, 1002, "0xc0ffee");
    await stack.deliver(1002, sent.failed);
    const failed = await messageWith(sent.failed.id, (m) => m.status === "failed" && kinds(m).length === 2);
    expect(failed.failCount).toBe(1);
    expect(String(failed.failureReason)).toMatch(/^0x/);

    await stack.setRejecting(1002, false);
    await stack.retry(1002, sent.failed);
    const retried = await messageWith(sent.failed.id, (m) => m.status === "delivered" && kinds(m).length === 4);
    expect(retried).toMatchObject({ kind: "message", failCount: 1, retryCount: 1 });
    expect(kinds(retried)).toEqual(["sent", "failed", "retried", "delivered"]);
  });

  it("resumes after a restart without gaps or duplicates, through a transfer queued by a rate limit then released", async () => {
    await stack.stopPonder();
    // While the indexer is down: chain B's inbound bucket for A's token is set to 10 tokens; a 50-token transfer is
    // queued; the limit is raised, time passes, the queued transfer is released.
    const bridged = stack.deployed.b.bridgedToken;
    await stack.setInboundLimit(1002, bridged, 1001, 10n * 10n ** 8n, 1n);
    sent.queued = await stack.transfer(1001, 1002, 50n * WAD);
    const receipt = await stack.deliver(1002, sent.queued);
    const [queuedEvent] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferQueued", logs: receipt.logs });
    expect(queuedEvent).toBeDefined();
    const queueId = queuedEvent?.args.queueId ?? 0n;
    await stack.startPonder();
    const queued = await messageWith(sent.queued.id, (m) => m.status === "queued" && kinds(m).length === 3);
    expect(queued.transfer).toMatchObject({ destinationStatus: "queued", queueId: String(queueId) });

    await stack.setInboundLimit(1002, bridged, 1001, 1_000_000n * 10n ** 8n, 1_000_000n * 10n ** 8n);
    await stack.b.test.increaseTime({ seconds: 60 });
    await stack.b.mine(1);
    await stack.releaseQueued(1002, queueId);
    const released = await messageWith(sent.queued.id, (m) => m.status === "released" && kinds(m).length === 4);
    expect(kinds(released)).toEqual(["sent", "transfer_sent", "queued", "released"]);
    expect(released.transfer).toMatchObject({ destinationStatus: "released", receivedAmount: String(50n * WAD) });

    // No gaps, no duplicates: every lifecycle event on both chains is one message_event row, and the aggregates
    // count each transfer once.
    const sql = createClient(`${stack.url}/sql`, { schema });
    const steps = await sql.db.select().from(schema.messageEvent);
    let onChain = 0;
    for (const domain of [1001, 1002]) {
      const chain = stack.chain(domain);
      const c = stack.contracts(domain);
      const gw = await chain.public.getLogs({ address: c.gateway, fromBlock: 0n });
      const br = await chain.public.getLogs({ address: c.tokenBridge, fromBlock: 0n });
      const names = new Set(["MessageSent", "MessageDelivered", "MessageFailed", "MessageRetried", "MessageSkipped"]);
      onChain += parseEventLogs({ abi: gatewayAbi, logs: gw }).filter((e) => names.has(e.eventName)).length;
      onChain += parseEventLogs({ abi: tokenBridgeAbi, logs: br }).filter((e) =>
        ["TransferSent", "QueuedTransferReleased"].includes(e.eventName),
      ).length;
    }
    // A queued delivery is recorded as "queued" (not "delivered"): still one row per Gateway event.
    expect(steps.length).toBe(onChain);
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    const volumes = await sql.db.select().from(schema.routeVolume);
    const ab = volumes.find((v) => v.originDomain === 1001 && v.destinationDomain === 1002);
    expect(ab?.transfers).toBe(2);
    expect(ab?.amount).toBe(150n * WAD);

    const [limit] = (await sql.db.select().from(schema.rateLimit)).filter(
      (r) => r.domain === 1002 && r.token === bridged.toLowerCase() && r.remoteDomain === 1001,
    );
    expect(limit).toMatchObject({
      queuedCount: 0,
      totalQueued: 1,
      totalReleased: 1,
      inCapacity: 1_000_000n * 10n ** 8n,
    });
  });

  it.runIf(HAVE_SOLANA)(
    "gives a transfer EVM → Solana one lifecycle across both chains (the Solana reader)",
    async () => {
      const solana = stack.solana;
      const mint = stack.deployed.mint;
      if (solana === undefined || mint === undefined) throw new Error("no Solana in the stack");
      const connection = new Connection(solana.rpcUrl, "confirmed");
      const client = new MaskoiiSolanaClient({ connection, programId: new PublicKey(solana.programId) });
      const payer = Keypair.generate();
      const signature = await connection.requestAirdrop(payer.publicKey, 5 * LAMPORTS_PER_SOL);
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
      const account = await getOrCreateAssociatedTokenAccount(connection, payer, new PublicKey(mint), payer.publicKey);
      const toSolana = await stack.transfer(1001, 1003, 3n * WAD, undefined, pubkeyToBytes32(account.address));
      const attestation = buildAttestation({
        digest: attestationDigest("message", {
          domain: 1003,
          verifier: client.verifier,
          attesterSetId: 1,
          value: toSolana.id,
        }),
        attesterSetId: 1,
        attesters: stack.genesis.map((x) => x.account.address),
        signers: stack.genesis.map((x) => x.privateKey),
      });
      await client.deliver({
        relayer: payer,
        message: toSolana.message,
        attestation,
        remainingAccounts: await client.tokenHandleAccounts(payer.publicKey, toSolana.message),
      });
      // The Solana reader polls on chain A's new blocks: mine one per check.
      const m = await until(
        "the Solana delivery in the indexer",
        async () => {
          await stack.a.mine(1);
          const r = await stack.get(`/messages/${toSolana.id}`);
          return r.status === 200 && r.body.status === "delivered" && kinds(r.body).length === 3 ? r.body : undefined;
        },
        { timeoutMs: 60_000, everyMs: 500 },
      );
      expect(m).toMatchObject({ originDomain: 1001, destinationDomain: 1003, kind: "transfer" });
      expect((m.events as Row[]).map((e) => [e.kind, e.domain])).toEqual([
        ["sent", 1001],
        ["transfer_sent", 1001],
        ["delivered", 1003],
      ]);
      expect(m.transfer).toMatchObject({
        destinationToken: pubkeyToBytes32(new PublicKey(mint)),
        destinationStatus: "received",
      });
    },
  );

  it("indexes a rotation, and deliveries under the new set credit its attesters", async () => {
    const next = devnetAttesters(4, "maskoii indexer rotated");
    const setId = await stack.rotate(1001, next);
    sent.afterRotation = await stack.transfer(1002, 1001, 5n * WAD, stack.deployed.b.bridgedToken);
    await stack.deliver(1001, sent.afterRotation);
    await messageWith(sent.afterRotation.id, (m) => m.status === "delivered" && m.attesterSetId === String(setId));

    const data = await graphql(
      `{ attesterSets(where: { domain: 1001 }, orderBy: "setId") { items { setId kind memberCount thresholdBps } } }`,
    );
    expect((data.attesterSets as { items: Row[] }).items).toEqual([
      { setId: "1", kind: "genesis", memberCount: 3, thresholdBps: 6666 },
      { setId: "2", kind: "rotation", memberCount: 4, thresholdBps: 6666 },
    ]);
    const one = await graphql(`{ message(id: "${sent.failed?.id}") { status failCount retryCount } }`);
    expect(one.message).toEqual({ status: "delivered", failCount: 1, retryCount: 1 });
    const sql = createClient(`${stack.url}/sql`, { schema });
    const stats = (await sql.db.select().from(schema.attesterStats)).filter((s) => s.domain === 1001);
    const newMember = next[0]?.account.address.toLowerCase();
    expect(stats.find((s) => s.attester === newMember)).toMatchObject({ setsJoined: 1, signedDeliveries: 1 });
  });

  it("lists messages by sender and status with cursor pagination", async () => {
    const user = stack.user.address;
    const all = await stack.get(`/messages?sender=${user}&limit=100`);
    const items = all.body.items as Row[];
    expect(items.length).toBe(HAVE_SOLANA ? 6 : 5);
    const pages: Row[] = [];
    let cursor: string | null = null;
    do {
      const page = await stack.get(`/messages?sender=${user}&limit=2${cursor === null ? "" : `&cursor=${cursor}`}`);
      pages.push(...(page.body.items as Row[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    expect(pages.map((m) => m.id)).toEqual(items.map((m) => m.id));
    const released = await stack.get(`/messages?sender=${user}&status=released`);
    expect((released.body.items as Row[]).map((m) => m.id)).toEqual([sent.queued?.id]);
  });

  it("answers 400 naming the bad field, and serves its OpenAPI document", async () => {
    const cases: Array<[string, string]> = [
      ["/messages/0x1234", "id"],
      ["/messages?sender=0xnothex", "sender"],
      ["/messages?status=lost", "status"],
      ["/messages?limit=1000", "limit"],
      ["/messages?cursor=abc", "cursor"],
      ["/routes/abc/1002/volume", "origin"],
      ["/routes/1001/0/volume", "destination"],
    ];
    for (const [path, field] of cases) {
      const r = await stack.get(path);
      expect({ path, status: r.status, field: r.body.field }).toEqual({ path, status: 400, field });
    }
    const missing = await stack.get(`/messages/0x${"ab".repeat(32)}`);
    expect(missing.status).toBe(404);
    const doc = await stack.get("/openapi.json");
    // Every REST route is in the document: the bridge's three, then the revenue routes (revenue.test.ts exercises those).
    expect(Object.keys(doc.body.paths as Row)).toEqual([
      "/messages/{id}",
      "/messages",
      "/routes/{origin}/{destination}/volume",
      "/accounts/{address}/earnings",
      "/communities/{id}/stats",
      "/campaigns/{id}/stats",
    ]);
  });

  // Point 5: a reorg before finality. Ponder treats a block as final 30 blocks behind the tip on chain ids it does not
  // know (31337/31338 included: ponder/src/utils/finality.ts), and checks every polled block's parent hash against
  // the blocks it holds, so a hardhat evm_revert followed by new blocks is a reorg it reverts to the common ancestor.
  it("drops every row of blocks a reorg removed before finality (evm_snapshot, evm_revert, new blocks)", async () => {
    // Read through GraphQL and REST, which query the database on every request. (Ponder's SQL over HTTP caches a
    // query's result until a live-query trigger reports a change to its tables, and Ponder drops those triggers
    // while it reverts a reorg, so a repeated /sql query can answer the pre-reorg rows: README.md.)
    const state = async (id: Hex) => {
      const data = await graphql(`{
        routeVolumes(where: { originDomain: 1001, destinationDomain: 1002 }) { items { token transfers amount wireAmount lastAt } }
        steps: messageEvents(limit: 1) { totalCount }
        dropped: messageEvents(where: { messageId: "${id}" }) { totalCount }
        tokenTransfers(limit: 1) { totalCount }
      }`);
      const count = (k: string) => (data[k] as { totalCount: number }).totalCount;
      return {
        volume: (data.routeVolumes as { items: Row[] }).items,
        steps: count("steps"),
        dropped: count("dropped"),
        transfers: count("tokenTransfers"),
      };
    };
    const snapshot = await stack.a.test.snapshot();
    const before = await state("0x00");
    const restVolume = (await stack.get("/routes/1001/1002/volume")).body;
    const dropped = await stack.transfer(1001, 1002, 7n * WAD);
    await messageWith(dropped.id, (m) => m.status === "sent" && kinds(m).length === 2);
    const during = await state(dropped.id);
    expect(during).toMatchObject({ dropped: 2, steps: before.steps + 2, transfers: before.transfers + 1 });
    expect(during.volume).not.toEqual(before.volume);

    // The dropped blocks go; new, different blocks take their heights (and more).
    await stack.a.test.revert({ id: snapshot });
    const kept = await stack.message(1001, 1002, "0xbeef");
    await stack.a.mine(3);
    await messageWith(kept.id, (m) => m.status === "sent");
    await until(
      "the dropped message gone",
      async () => ((await stack.get(`/messages/${dropped.id}`)).status === 404 ? true : undefined),
      { timeoutMs: 60_000, everyMs: 250 },
    );
    const after = await state(dropped.id);
    expect(after).toEqual({ ...before, steps: before.steps + 1, dropped: 0 });
    expect((await stack.get("/routes/1001/1002/volume")).body).toEqual(restVolume);
  });
});
