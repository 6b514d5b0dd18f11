// The report and payout routes of the node's HTTP server (config `reports`, docs/protocol.md §12.5):
//   GET /reports/pending?limit=        the reports this node built and signed, not marked settled, newest first
//   GET /reports/:community/:epoch     one of them (404 when this node built none)
//   GET /payouts/:persona?token=&root= the persona's own EVM leaf (entry with salt, proof, root; the newest root this
//                                      node built unless `root` names another) and its Solana claims of `token`;
//                                      only with the persona's signature (x-maskoii-time, x-maskoii-signature): 403
//                                      otherwise, so nobody learns another persona's amount or salt.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseRequest, RequestRejectedError, sendJson, sendRejection } from "@maskoii/node-kit";
import { addressToBytes32, epochReportToJson, payoutEntryToJson } from "@maskoii/sdk";
import { type Address, getAddress, type Hex } from "viem";
import { z } from "zod";
import type { PayoutStore, StoredReport } from "./payout-store.ts";
import { PAYOUT_REQUEST_SKEW_MS, type PayoutAuthDomain, verifyPayoutRequest } from "./signer.ts";

const ROUTE = /^\/(?:reports\/(?:(pending)|([^/]*)\/([^/]*))|payouts\/([^/]*))$/;
export const DEFAULT_REPORTS_LIMIT = 20;
export const MAX_REPORTS_LIMIT = 100;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes in 0x hex");
const u64 = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})$/, "expected a decimal integer")
  .transform(BigInt)
  .refine((v) => v < 1n << 64n, "expected a uint64");

const limitSchema = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, "expected an integer")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_REPORTS_LIMIT, `at most ${MAX_REPORTS_LIMIT}`))
    .optional(),
});
const reportKeySchema = z.object({ community: u64, epoch: u64 });
const payoutQuerySchema = z.object({
  persona: address,
  token: address,
  root: hex32.optional(),
  time: z
    .string({ error: "missing x-maskoii-time" })
    .regex(/^[0-9]{1,16}$/, "expected unix milliseconds")
    .transform(Number),
  signature: z
    .string({ error: "missing x-maskoii-signature" })
    .regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature in 0x hex"),
});

export type ReportRouteDeps = {
  readonly store: PayoutStore;
  readonly auth: PayoutAuthDomain;
  readonly now?: () => number;
};

/** A stored report as served (`GET /reports/...`). */
export function serveReport(r: StoredReport) {
  return {
    community: r.community.toString(),
    epoch: r.epoch.toString(),
    reportHash: r.reportHash,
    report: epochReportToJson(r.report),
    contributions: r.contributions,
    signer: r.signer,
    signature: r.signature,
  };
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

async function payouts(req: IncomingMessage, url: URL, rawPersona: string, deps: ReportRouteDeps) {
  const q = parseRequest(
    payoutQuerySchema,
    {
      persona: rawPersona,
      token: url.searchParams.get("token") ?? undefined,
      root: url.searchParams.get("root") ?? undefined,
      time: header(req, "x-maskoii-time"),
      signature: header(req, "x-maskoii-signature"),
    },
    "payout request",
  );
  const now = (deps.now ?? Date.now)();
  if (Math.abs(now - q.time) > PAYOUT_REQUEST_SKEW_MS)
    throw new RequestRejectedError(403, "request time is not within 60 s of the node's clock", {
      field: "x-maskoii-time",
    });
  const persona: Address = getAddress(q.persona);
  if (!(await verifyPayoutRequest(deps.auth, persona, q.time, q.signature as Hex)))
    throw new RequestRejectedError(403, "not signed by the persona", { field: "x-maskoii-signature" });
  const token = getAddress(q.token);
  const root = (q.root as Hex | undefined) ?? (await deps.store.newestRoot());
  const evm =
    root === undefined
      ? undefined
      : await deps.store.evmClaim(root, addressToBytes32(persona), addressToBytes32(token));
  const solana = await deps.store.solanaClaims(persona, token);
  return {
    persona,
    token,
    evm: evm === undefined ? null : { root: evm.root, leaf: payoutEntryToJson(evm.entry), proof: evm.proof },
    solana: solana.map((c) => ({
      reportHash: c.reportHash,
      root: c.root,
      leaf: { index: c.leaf.index, claimant: c.leaf.claimant, amount: c.leaf.amount.toString(), salt: c.leaf.salt },
      proof: c.proof,
    })),
  };
}

/** Answers the request when it is a report or payout route; false otherwise (the caller goes on routing). */
export function handleReportRoute(req: IncomingMessage, res: ServerResponse, url: URL, deps: ReportRouteDeps): boolean {
  const match = ROUTE.exec(url.pathname);
  if (match === null) return false;
  const [, pending, rawCommunity, rawEpoch, rawPersona] = match;
  const answer = async () => {
    if (req.method !== "GET") return sendJson(res, 405, { error: "only GET" }, { allow: "GET" });
    if (rawPersona !== undefined) return sendJson(res, 200, await payouts(req, url, rawPersona, deps));
    if (pending !== undefined) {
      const q = parseRequest(limitSchema, Object.fromEntries(url.searchParams), "query");
      const reports = await deps.store.pendingReports(q.limit ?? DEFAULT_REPORTS_LIMIT);
      return sendJson(res, 200, { reports: reports.map(serveReport) });
    }
    const key = parseRequest(reportKeySchema, { community: rawCommunity, epoch: rawEpoch }, "report");
    const r = await deps.store.report(key.community, key.epoch);
    if (r === undefined)
      return sendJson(res, 404, { error: `no report of community ${key.community} epoch ${key.epoch}` });
    return sendJson(res, 200, serveReport(r));
  };
  answer().catch((error: unknown) => {
    if (res.headersSent) res.destroy();
    else if (error instanceof RequestRejectedError) sendRejection(res, error);
    else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
  return true;
}
