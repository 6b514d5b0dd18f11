// The task's routes on the attester server (mounted by attester/server.ts under /koii/):
//   GET  /koii/rounds/:n/submission[?kind=]    this node's signed submission for round n (404 until it exists)
//   GET  /koii/rounds/:n/votes[?kind=]         the votes this node cast for round n (signed; peers count them)
//   GET  /koii/rounds/:n/distribution[?kind=]  the round's distribution once computed
//   GET  /koii/status                          round, phases, stake ledger
//   POST /koii/evidence                        a relayer reports a byzantine signature claim (attributable only)
import type { IncomingMessage, ServerResponse } from "node:http";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { evidenceIdOf, evidenceRequestSchema, recoverClaim } from "./evidence.ts";
import { roundAt } from "./rounds.ts";
import type { KoiiStore } from "./store.ts";
import type { KoiiTask } from "./task.ts";

const MAX_BODY = 16 * 1024;

export type KoiiRouteDeps = {
  /** The node's tasks by kind name; the first is the default kind. */
  tasks: ReadonlyMap<string, KoiiTask<unknown>>;
  store: KoiiStore;
  log: Logger;
  metrics?: Metrics;
  now?: () => number;
};

export type KoiiRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

function send(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
  return true;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export function koiiRoutes(deps: KoiiRouteDeps): KoiiRoutes {
  const now = deps.now ?? Date.now;
  return async (req, res, url) => {
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
      let parsed: ReturnType<typeof evidenceRequestSchema.parse>;
      try {
        parsed = evidenceRequestSchema.parse(await readJson(req));
      } catch (error) {
        return send(res, 400, { error: `bad evidence: ${describeError(error)}` });
      }
      // Only a signature that recovers over its own fields names a key; anything else could frame anyone.
      const recovered = recoverClaim(parsed.claim);
      if ("error" in recovered) return send(res, 400, { error: `not attributable: ${recovered.error}` });
      const task = [...deps.tasks.values()][0];
      const evidenceId = evidenceIdOf(parsed);
      const stored = await deps.store.saveEvidence({
        evidenceId,
        signer: recovered.signer,
        attributable: true,
        reason: parsed.reason,
        source: parsed.source,
        body: parsed,
        // Judged in the audit of the round it arrived in.
        round: task === undefined ? 0 : Math.max(0, roundAt(task.settings.schedule, now())),
        createdAt: now(),
      });
      if (stored) {
        deps.metrics?.koii.inc({ event: `evidence-${parsed.reason}` });
        deps.log.warn(
          { signer: recovered.signer, reason: parsed.reason, source: parsed.source },
          "byzantine evidence received",
        );
      }
      return send(res, 202, { evidenceId, signer: recovered.signer, stored });
    }
    return false;
  };
}
