// The task's routes on the attester server (mounted by attester/server.ts under /koii/):
//   GET  /koii/rounds/:n/submission[?kind=]    this node's signed submission for round n (404 until it exists)
//   GET  /koii/rounds/:n/votes[?kind=]         the votes this node cast for round n (signed; peers count them)
//   GET  /koii/rounds/:n/distribution[?kind=]  the round's distribution once computed
//   GET  /koii/status                          round, phases, stake ledger
//   POST /koii/evidence                        a relayer reports a byzantine signature claim (attributable only);
//                                              stored once per what it proves (evidence.ts evidenceIdOf), at most
//                                              `evidencePerSubmitterPerRound` new items per client and round (429)
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestClient } from "../attester/server.ts";
import { RequestRejectedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { evidenceIdOf, evidenceRequestSchema, recoverClaim } from "./evidence.ts";
import { roundAt, windowsOf } from "./rounds.ts";
import type { KoiiStore } from "./store.ts";
import type { KoiiTask } from "./task.ts";

/** New evidence items one client may store per round, by default (config attester.limits). */
export const EVIDENCE_PER_SUBMITTER_PER_ROUND = 64;

export type KoiiRouteDeps = {
  /** The node's tasks by kind name; the first is the default kind. */
  tasks: ReadonlyMap<string, KoiiTask<unknown>>;
  store: KoiiStore;
  log: Logger;
  metrics?: Metrics;
  now?: () => number;
  /** New evidence items stored per client per round; default EVIDENCE_PER_SUBMITTER_PER_ROUND. */
  evidencePerSubmitterPerRound?: number;
};

export type KoiiRoutes = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  client: RequestClient,
) => Promise<boolean>;

function send(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
  return true;
}

export function koiiRoutes(deps: KoiiRouteDeps): KoiiRoutes {
  const now = deps.now ?? Date.now;
  const cap = deps.evidencePerSubmitterPerRound ?? EVIDENCE_PER_SUBMITTER_PER_ROUND;
  /** `${round}` -> client -> new evidence stored this round (only the current round is kept: bounded). */
  const stored = new Map<number, Map<string, number>>();
  return async (req, res, url, client) => {
    const path = url.pathname;
    const round = /^\/koii\/rounds\/(\d{1,15})\/(submission|votes|distribution)$/.exec(path);
    if (req.method === "GET" && round !== null) {
      const n = Number(round[1]);
      const kindName = url.searchParams.get("kind") ?? [...deps.tasks.keys()][0] ?? "";
      const task = deps.tasks.get(kindName);
      if (task === undefined) return send(res, 404, { error: `no task of kind ${kindName}` });
      if (round[2] === "submission") {
        const body = await deps.store.getSubmission(n, kindName, task.node);
        return body === undefined ? send(res, 404, { error: `no submission for round ${n}` }) : send(res, 200, body);
      }
      if (round[2] === "votes") return send(res, 200, await deps.store.listVotes(n, kindName, task.node));
      const body = await deps.store.getDistribution(n, kindName);
      return body === undefined ? send(res, 404, { error: `round ${n} not distributed` }) : send(res, 200, body);
    }
    if (req.method === "GET" && path === "/koii/status") {
      const out = [];
      for (const task of deps.tasks.values()) out.push(await task.status());
      return send(res, 200, { tasks: out, evidence: await deps.store.countEvidence() });
    }
    if (req.method === "POST" && path === "/koii/evidence") {
      let json: unknown;
      const body = await client.body();
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        throw new RequestRejectedError(400, "the request body is not JSON", { field: "(body)" });
      }
      const result = evidenceRequestSchema.safeParse(json);
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue === undefined || issue.path.length === 0 ? "(body)" : issue.path.map(String).join(".");
        throw new RequestRejectedError(400, `bad evidence: ${issue?.message ?? "invalid"}`, { field });
      }
      const parsed = result.data;
      // Only a signature that recovers over its own fields names a key; anything else could frame anyone.
      const recovered = recoverClaim(parsed.claim);
      if ("error" in recovered) {
        throw new RequestRejectedError(400, `not attributable: ${recovered.error}`, { field: "claim.signature" });
      }
      const task = [...deps.tasks.values()][0];
      const evidenceId = evidenceIdOf(parsed);
      // Judged in the audit of the round it arrived in.
      const round = task === undefined ? 0 : Math.max(0, roundAt(task.settings.schedule, now()));
      for (const r of stored.keys()) if (r !== round) stored.delete(r);
      const counts = stored.get(round) ?? new Map<string, number>();
      stored.set(round, counts);
      const count = counts.get(client.id) ?? 0;
      if (count >= cap) {
        const next = task === undefined ? now() + 60_000 : windowsOf(task.settings.schedule, round).workEnd;
        throw new RequestRejectedError(429, `at most ${cap} new evidence items per client per round`, {
          retryAfterSeconds: Math.max(1, Math.ceil((next - now()) / 1_000)),
        });
      }
      const fresh = await deps.store.saveEvidence({
        evidenceId,
        signer: recovered.signer,
        attributable: true,
        reason: parsed.reason,
        source: parsed.source,
        body: parsed,
        round,
        createdAt: now(),
      });
      if (fresh) {
        counts.set(client.id, count + 1);
        deps.metrics?.koii.inc({ event: `evidence-${parsed.reason}` });
        deps.log.warn(
          { signer: recovered.signer, reason: parsed.reason, source: parsed.source },
          "byzantine evidence received",
        );
      }
      return send(res, 202, { evidenceId, signer: recovered.signer, stored: fresh });
    }
    return false;
  };
}
