// The task's routes on a node's HTTP server (mounted under /koii/; the relayer's attester server mounts them):
//   GET  /koii/rounds/:n/submission[?kind=]    this node's signed submission for round n (404 until it exists)
//   GET  /koii/rounds/:n/votes[?kind=]         the votes this node cast for round n (signed; peers count them)
//   GET  /koii/rounds/:n/distribution[?kind=]  the round's distribution once computed
//   GET  /koii/status                          round, phases, stake ledger
//   POST /koii/evidence                        a third party reports evidence against a signer, in the form the
//                                              kind that owns it accepts (kind.ts EvidenceIntake; attributable
//                                              only); stored once per what it proves, at most
//                                              `evidencePerSubmitterPerRound` new items per client and round (429)
import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestRejectedError } from "../errors.ts";
import type { RequestClient } from "../http/client.ts";
import { sendJson } from "../http/json.ts";
import type { Logger } from "../log.ts";
import type { RoundMetrics } from "../metrics.ts";
import type { EvidenceIntake } from "./kind.ts";
import { roundAt, windowsOf } from "./rounds.ts";
import type { RoundStore } from "./store.ts";
import type { KoiiTask } from "./task.ts";

/** New evidence items one client may store per round, by default (config attester.limits). */
export const EVIDENCE_PER_SUBMITTER_PER_ROUND = 64;

export type KoiiRouteDeps = {
  /** The node's tasks by kind name; the first is the default kind. */
  tasks: ReadonlyMap<string, KoiiTask<unknown>>;
  store: RoundStore;
  /** The evidence POST /koii/evidence accepts; default: the first task whose kind takes evidence. Absent: no route. */
  evidence?: EvidenceIntake;
  log: Logger;
  metrics?: RoundMetrics;
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
  sendJson(res, status, body);
  return true;
}

export function koiiRoutes(deps: KoiiRouteDeps): KoiiRoutes {
  const now = deps.now ?? Date.now;
  const cap = deps.evidencePerSubmitterPerRound ?? EVIDENCE_PER_SUBMITTER_PER_ROUND;
  /** `${round}` -> client -> new evidence stored this round (only the current round is kept: bounded). */
  const stored = new Map<number, Map<string, number>>();
  const evidence = deps.evidence ?? [...deps.tasks.values()].find((t) => t.kind.evidence !== undefined)?.kind.evidence;
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
      return send(res, 200, { tasks: out, evidence: evidence === undefined ? 0 : await evidence.count() });
    }
    if (req.method === "POST" && path === "/koii/evidence" && evidence !== undefined) {
      let json: unknown;
      const body = await client.body();
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        throw new RequestRejectedError(400, "the request body is not JSON", { field: "(body)" });
      }
      // The kind parses and attributes it (400 naming the field otherwise): only evidence that names a key counts.
      const accepted = evidence.accept(json);
      const task = [...deps.tasks.values()][0];
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
      const fresh = await evidence.store(accepted, round, now());
      if (fresh) {
        counts.set(client.id, count + 1);
        deps.metrics?.koii.inc({ event: `evidence-${accepted.reason}` });
        deps.log.warn(
          { signer: accepted.signer, reason: accepted.reason, source: accepted.source },
          "byzantine evidence received",
        );
      }
      return send(res, 202, { evidenceId: accepted.evidenceId, signer: accepted.signer, stored: fresh });
    }
    return false;
  };
}
