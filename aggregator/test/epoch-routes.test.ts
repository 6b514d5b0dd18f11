// The report and payout routes on a real HTTP server over a SQLite store: a report built, signed and stored is served
// with a signature that recovers to the node's attester; a persona gets its own EVM leaf and Solana claim with proofs
// that verify against the roots (sdk verification), and nobody else's: another persona's signature, a stale time or a
// missing header is refused, and bad fields are named. On SQLite and PGlite.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sendJson } from "@maskoii/node-kit";
import {
  type ClaimLeaf,
  parseEpochReport,
  parsePayoutEntries,
  reportHash,
  verifyClaimProof,
  verifyPayoutProof,
} from "@maskoii/sdk";
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEpochReport } from "../src/epoch/builder.ts";
import { type CreatorPayout, EMPTY_CARRY } from "../src/epoch/inputs.ts";
import { PayoutStore } from "../src/epoch/payout-store.ts";
import { handleReportRoute } from "../src/epoch/report-routes.ts";
import { type PayoutAuthDomain, reportSigner, signPayoutRequest, signReport } from "../src/epoch/signer.ts";
import { AggregatorStore } from "../src/store.ts";

const addr = (n: number): Address => getAddress(toHex(n, { size: 20 }));
const h32 = (s: string): Hex => keccak256(toHex(s));
const T1 = addr(0xa1);
const T2 = addr(0xa2);
const keys = { p1: generatePrivateKey(), p2: generatePrivateKey(), p3: generatePrivateKey() };
const P1 = privateKeyToAddress(keys.p1);
const P2 = privateKeyToAddress(keys.p2);
const P3 = privateKeyToAddress(keys.p3);
const SOL = h32("P3 on Solana");
const attesterKey = generatePrivateKey();
const domain = { domain: 1001, epochReports: addr(0xe9), attesterSetId: 1n };
const auth: PayoutAuthDomain = { chainId: 31337, communityRegistry: addr(0xc0) };
const NOW = 1_800_000_000_000;

describe.each(["sqlite", "pglite"] as const)("report routes on %s", (kind) => {
  let store: AggregatorStore;
  let server: Server;
  let base: string;
  let built: ReturnType<typeof buildEpochReport>;

  beforeAll(async () => {
    store = await AggregatorStore.open(
      kind === "sqlite" ? { kind: "sqlite", path: ":memory:" } : { kind: "pglite", dataDir: "memory://" },
    );
    const payouts = new PayoutStore(store.db);
    built = buildEpochReport({
      community: 7n,
      epoch: 3n,
      contributions: [
        {
          node: "node-a",
          hash: h32("a"),
          users: [1, 2, 3].map((u) => ({
            leaf: h32(`u${u}`),
            accounts: 1,
            ads: [
              { campaignId: 1n, impressions: 30, engagements: 2 },
              { campaignId: 2n, impressions: 5, engagements: 4 },
            ],
            creators: [
              { persona: P1, points: 4 * u },
              { persona: P2, points: 3 },
              { persona: P3, points: 5 },
            ],
          })),
        },
      ],
      campaigns: [1n, 2n].map((id) => ({
        id,
        token: id === 1n ? T1 : T2,
        cpm: 10n ** 15n,
        cpe: 10n ** 16n,
        epochCap: 10n ** 24n,
        available: 10n ** 24n,
        epochSpent: 0n,
        live: true,
        targets: true,
      })),
      policy: { creators: 6_000, treasury: 2_000, operators: 1_500, protocol: 500 },
      k: 3,
      carry: EMPTY_CARRY,
      prev: { root: `0x${"00".repeat(32)}`, entries: [] },
      payouts: new Map<Address, CreatorPayout>([[P3, { family: "svm", recipient: SOL }]]),
      saltSecret: h32("secret"),
      solanaUnits: new Map([[T2, 10n ** 10n]]),
    });
    if (built.kind !== "report") throw new Error("no report");
    const signed = signReport(built.report, attesterKey, domain);
    await payouts.saveReport({
      built,
      contributions: [{ node: "node-a", hash: h32("a") }],
      signer: signed.signer,
      signature: signed.signature,
      at: NOW - 10_000,
    });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://node");
      if (!handleReportRoute(req, res, url, { store: payouts, auth, now: () => NOW }))
        sendJson(res, 404, { error: "none" });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  async function payout(persona: Address, signerKey: Hex, query: string, time = NOW) {
    const { signature } = await signPayoutRequest(signerKey, auth, time);
    return fetch(`${base}/payouts/${persona}${query}`, {
      headers: { "x-maskoii-time": String(time), "x-maskoii-signature": signature },
    });
  }

  it("serves the signed report, pending and by (community, epoch)", async () => {
    if (built.kind !== "report") throw new Error("no report");
    const pending = (await (await fetch(`${base}/reports/pending`)).json()) as {
      reports: { reportHash: Hex; report: unknown; signer: Address; signature: { r: Hex; s: Hex; v: number } }[];
    };
    expect(pending.reports).toHaveLength(1);
    const r = pending.reports[0];
    if (r === undefined) throw new Error("no pending report");
    const report = parseEpochReport(r.report);
    expect(reportHash(report)).toBe(built.reportHash);
    expect(r.reportHash).toBe(built.reportHash);
    expect(reportSigner(report, r.signature, domain)).toBe(privateKeyToAddress(attesterKey));
    expect(r.signer).toBe(privateKeyToAddress(attesterKey));
    const one = await fetch(`${base}/reports/7/3`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { reportHash: Hex }).reportHash).toBe(built.reportHash);
    expect((await fetch(`${base}/reports/7/4`)).status).toBe(404);
    const bad = await fetch(`${base}/reports/x/3`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe("community");
    expect((await fetch(`${base}/reports/pending?limit=0`)).status).toBe(400);
    expect((await fetch(`${base}/reports/pending`, { method: "POST" })).status).toBe(405);
  });

  it("gives a persona its own EVM leaf with a proof that verifies against the root", async () => {
    if (built.kind !== "report") throw new Error("no report");
    const res = await payout(P1, keys.p1, `?token=${T1}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { evm: { root: Hex; leaf: unknown; proof: Hex[] }; solana: unknown[] };
    const [entry] = parsePayoutEntries([body.evm.leaf]);
    if (entry === undefined) throw new Error("no entry");
    expect(body.evm.root).toBe(built.report.payoutRoot);
    expect(entry.account.endsWith(P1.slice(2).toLowerCase())).toBe(true);
    expect(verifyPayoutProof({ entry, proof: body.evm.proof, root: built.report.payoutRoot })).toBe(true);
    // The served amount is what the builder owes P1 in T1.
    const owed = built.lines.filter((l) => l.token === T1).flatMap((l) => l.creators.filter((c) => c.persona === P1));
    expect(BigInt(entry.cumulative)).toBe(owed.reduce((s, c) => s + c.amount, 0n));
    expect(body.solana).toEqual([]);
  });

  it("gives a Solana persona its claim leaf and a proof that verifies against the distribution's root", async () => {
    if (built.kind !== "report") throw new Error("no report");
    const res = await payout(P3, keys.p3, `?token=${T2}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      evm: unknown;
      solana: { root: Hex; leaf: { index: number; claimant: Hex; amount: string; salt: Hex }; proof: Hex[] }[];
    };
    expect(body.evm).toBeNull();
    expect(body.solana).toHaveLength(1);
    const c = body.solana[0];
    if (c === undefined) throw new Error("no claim");
    const leaf: ClaimLeaf = { ...c.leaf, amount: BigInt(c.leaf.amount) };
    expect(leaf.claimant).toBe(SOL);
    expect(c.root).toBe(built.report.solana?.[0]?.root);
    expect(verifyClaimProof({ leaf, proof: c.proof, root: c.root })).toBe(true);
  });

  it("refuses another persona's signature, a stale time, and names bad fields", async () => {
    // P2 signs a request for P1's leaf: 403, nothing of P1 served.
    const other = await payout(P1, keys.p2, `?token=${T1}`);
    expect(other.status).toBe(403);
    const otherBody = (await other.json()) as Record<string, unknown>;
    expect(otherBody.field).toBe("x-maskoii-signature");
    expect(JSON.stringify(otherBody)).not.toContain("cumulative");
    // P1's own signature, two minutes old.
    const stale = await payout(P1, keys.p1, `?token=${T1}`, NOW - 120_000);
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { field: string }).field).toBe("x-maskoii-time");
    // A signature of one time replayed under another.
    const { signature } = await signPayoutRequest(keys.p1, auth, NOW);
    const shifted = await fetch(`${base}/payouts/${P1}?token=${T1}`, {
      headers: { "x-maskoii-time": String(NOW + 1), "x-maskoii-signature": signature },
    });
    expect(shifted.status).toBe(403);
    const noToken = await payout(P1, keys.p1, "");
    expect(noToken.status).toBe(400);
    expect(((await noToken.json()) as { field: string }).field).toBe("token");
    const noSig = await fetch(`${base}/payouts/${P1}?token=${T1}`, { headers: { "x-maskoii-time": String(NOW) } });
    expect(noSig.status).toBe(400);
    expect(((await noSig.json()) as { field: string }).field).toBe("signature");
    const badPersona = await payout("0x1234" as Address, keys.p1, `?token=${T1}`);
    expect(((await badPersona.json()) as { field: string }).field).toBe("persona");
  });
});
