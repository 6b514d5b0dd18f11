// The attester's HTTP API (node:http, JSON):
//   GET  /signatures/:messageId  every signature this node made over the id (alone or in a batch root)
//   POST /signatures             {messageIds, sign?}: for each id, whether it is observed final here and this
//                                node's MESSAGE signatures over it (batch signatures come from POST /batches);
//                                `sign: true` signs the ones not signed yet first (attester.messageSignDelayMs)
//   POST /batches                {destination, messageIds}: sign the batch root, if every id is observed final here,
//                                open (not known delivered) and listed once
//   GET  /refunds/:messageId     the refund receipt this node journaled for the id and its TransferRefund signatures
//                                (404 with the reason it has not signed, when known)
//   POST /refunds                {messageId}: judge the refund now (docs/protocol.md §8.1; signing bucket) and answer
//                                like GET, or 409 with the reason it refuses
//   GET  /identity               the Koii binding record (ed25519 node key <-> secp256k1 attesting key)
//   GET  /health                 the process is up
//   GET  /ready                  the node has completed a scan-and-sign round and its store answers
//   GET  /metrics                Prometheus
//   /koii/...                    the Koii task round (src/koii/routes.ts), when configured
// Abuse limits (config attester.limits, attester/limits.ts): every request but /health and /ready takes a token of
// its client's bucket, and requests over many ids more (one per idsPerToken ids); requests that may sign take tokens
// of the signing bucket too (POST /batches one for a new root, POST /signatures with `sign: true` one per idsPerToken ids); a client
// (address) has at most maxInFlightPerClient requests in flight (429 + Retry-After for all of these); bodies are bounded (413); a bad field is a 400 naming it. With attester.auth,
// the POST routes need a signed request of an allow-listed relayer (attester/auth.ts; 401/403).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BindingRecord, Logger, RequestClient } from "@maskoii/node-kit";
import {
  costOf,
  InFlightLimiter,
  parseJson,
  parseRequest as parseWith,
  RateLimiter,
  readBody,
  sendJson as send,
  sendRejection,
} from "@maskoii/node-kit";
import { batchRoot } from "@maskoii/sdk";
import type { Hex } from "viem";
import { z } from "zod";
import type { Chains } from "../chains/adapter.ts";
import type { AttesterLimits } from "../config.ts";
import { ATTESTER_LIMIT_DEFAULTS } from "../config.ts";
import {
  describeError,
  NotAnAttesterError,
  RefundConflictError,
  RefundRefusedError,
  RequestRejectedError,
  SigningConflictError,
} from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import type { RefundJournalRow, RefundSignature } from "../store/refunds.ts";
import type { Store, StoredSignature } from "../store/types.ts";
import type { RelayerAuthenticator } from "./auth.ts";
import { isMember } from "./observer.ts";
import type { RefundAttester } from "./refunds.ts";
import type { AttesterSigner, Signable } from "./signer.ts";

const MESSAGE_ID = /^0x[0-9a-fA-F]{64}$/;

export const batchRequestSchema = z
  .object({
    destination: z.number().int().min(1).max(0xffffffff),
    messageIds: z.array(z.string().regex(MESSAGE_ID)).min(1).max(256),
  })
  .strict();

/** Ids per POST /signatures (the body stays far below MAX_BODY). */
export const MAX_BULK_IDS = 512;

export const bulkSignaturesRequestSchema = z
  .object({
    messageIds: z.array(z.string().regex(MESSAGE_ID)).min(1).max(MAX_BULK_IDS),
    /** Sign the observed, undelivered ones this node has not signed yet before answering. */
    sign: z.boolean().optional(),
  })
  .strict();

export const refundRequestSchema = z.object({ messageId: z.string().regex(MESSAGE_ID) }).strict();

/** The JSON answer of GET/POST /refunds (bigints as decimal strings). */
export function refundToJson(attester: string, journal: RefundJournalRow, signatures: readonly RefundSignature[]) {
  return {
    messageId: journal.messageId,
    attester,
    origin: journal.origin,
    nonce: journal.nonce.toString(),
    destination: journal.destination,
    basis: journal.basis,
    receipt: journal.receipt,
    signatures: signatures.map((s) => ({
      domain: s.domain,
      verifier: s.verifier,
      attesterSetId: s.attesterSetId.toString(),
      signer: s.signer,
      signature: s.signature,
    })),
  };
}

/** The JSON form of a stored signature (bigints as decimal strings). */
export type SignatureJson = Omit<StoredSignature, "attesterSetId"> & { attesterSetId: string };

export function signatureToJson(s: StoredSignature): SignatureJson {
  return { ...s, attesterSetId: s.attesterSetId.toString() };
}

export type AttesterServerDeps = {
  store: Store;
  chains: Chains;
  signer: AttesterSigner;
  metrics: Metrics;
  log: Logger;
  ready: () => boolean;
  binding?: BindingRecord;
  signBatches: boolean;
  /** Signs the given messages now if this node has not yet (POST /signatures with `sign: true`); absent: ignored. */
  signNow?: (messageIds: readonly Hex[]) => Promise<void>;
  /** The Koii task's routes (/koii/..., src/koii/routes.ts), when the node takes part in the task. */
  koii?: (req: IncomingMessage, res: ServerResponse, url: URL, client: RequestClient) => Promise<boolean>;
  /** Refund receipts (GET/POST /refunds); absent: 404. */
  refunds?: RefundAttester;
  /** Abuse limits; default ATTESTER_LIMIT_DEFAULTS. */
  limits?: AttesterLimits;
  /** Relayer authentication of the POST routes; absent: open. */
  auth?: RelayerAuthenticator;
  now?: () => number;
};

export type { RequestClient } from "@maskoii/node-kit";

type Guards = {
  readonly limits: AttesterLimits;
  readonly requests: RateLimiter;
  readonly signing: RateLimiter;
  readonly inFlight: InFlightLimiter;
};

export { sendRejection } from "@maskoii/node-kit";

/** 400 naming `messageIds` when there are more than `max` ids. */
function capIds(ids: readonly string[], max: number): void {
  if (ids.length > max) {
    throw new RequestRejectedError(400, `at most ${max} ids per request, got ${ids.length}`, { field: "messageIds" });
  }
}

/**
 * Takes the rest of a request's `cost` from its client's requests bucket (its first token was taken at entry). Capped
 * so that a request costing more than the burst still passes from a full bucket.
 */
function chargeRest(guards: Guards, client: RequestClient, cost: number): void {
  const rest = Math.min(cost, guards.limits.requests.burst) - 1;
  if (rest > 0) guards.requests.take(client.id, "requests", rest);
}

function clientOf(deps: AttesterServerDeps, guards: Guards, req: IncomingMessage, path: string): RequestClient {
  let body: Promise<Buffer> | undefined;
  const read = () => {
    body ??= readBody(req, guards.limits.maxBodyBytes);
    return body;
  };
  const address = `addr:${req.socket.remoteAddress ?? "unknown"}`;
  if (deps.auth === undefined || req.method !== "POST") return { id: address, body: read };
  const auth = deps.auth;
  let id: string | undefined;
  return {
    get id() {
      return id ?? address;
    },
    body: async () => {
      const bytes = await read();
      id ??= `relayer:${auth.authenticate(req, path, bytes)}`;
      return bytes;
    },
  };
}

async function handle(
  deps: AttesterServerDeps,
  guards: Guards,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  if (req.method === "GET" && path === "/health") return send(res, 200, { status: "ok" });
  if (req.method === "GET" && path === "/ready") {
    const ready = deps.ready();
    return send(res, ready ? 200 : 503, { ready });
  }
  const client = clientOf(deps, guards, req, path);
  // Before any work: one token of the address's bucket (authentication needs the body, read after this).
  guards.requests.take(client.id, "requests");
  if (req.method === "GET" && path === "/metrics") {
    const text = await deps.metrics.render();
    res.writeHead(200, { "content-type": deps.metrics.contentType });
    res.end(text);
    return;
  }
  if (req.method === "GET" && path === "/identity") {
    return deps.binding === undefined
      ? send(res, 404, { error: "no Koii identity configured" })
      : send(res, 200, deps.binding);
  }
  const match = /^\/signatures\/([^/]+)$/.exec(path);
  if (req.method === "GET" && match !== null) {
    const id = match[1] ?? "";
    if (!MESSAGE_ID.test(id)) return send(res, 400, { error: "messageId must be 32 bytes of 0x-hex" });
    const observed = await deps.store.getObserved(id as Hex);
    const signatures = await deps.store.getSignatures(id as Hex);
    return send(res, 200, {
      messageId: id.toLowerCase(),
      attester: deps.signer.address,
      observed: observed !== undefined,
      signatures: signatures.map(signatureToJson),
    });
  }
  if (req.method === "POST" && path === "/signatures") {
    const parsed = parseWith(bulkSignaturesRequestSchema, parseJson(await client.body()), "signatures request");
    capIds(parsed.messageIds, guards.limits.maxBulkIds);
    const ids = [...new Set(parsed.messageIds.map((id) => id.toLowerCase() as Hex))];
    // Charged by work: reads (and maybe signatures) per id, one token per idsPerToken ids (the first one at entry).
    const cost = costOf(ids.length, guards.limits.idsPerToken);
    chargeRest(guards, client, cost);
    if (parsed.sign === true && deps.signNow !== undefined) {
      // Signing on request costs chain reads and signatures: the signing bucket too (per relayer when authenticated).
      guards.signing.take(client.id, "signing", cost);
      // A failure (RPC down) still answers with what exists: the relayer judges the quorum from it.
      await deps.signNow(ids).catch((error: unknown) => {
        deps.log.warn({ error: describeError(error) }, "signing on request failed");
      });
    }
    const observed = new Set((await deps.store.getObservedMany(ids)).map((m) => m.messageId.toLowerCase()));
    const byId = new Map<string, SignatureJson[]>();
    for (const s of await deps.store.getMessageSignatures(ids)) {
      const id = s.value.toLowerCase();
      byId.set(id, [...(byId.get(id) ?? []), signatureToJson(s)]);
    }
    return send(res, 200, {
      attester: deps.signer.address,
      results: ids.map((id) => ({ messageId: id, observed: observed.has(id), signatures: byId.get(id) ?? [] })),
    });
  }
  if (req.method === "POST" && path === "/batches") {
    if (!deps.signBatches) return send(res, 403, { error: "this node does not sign batches" });
    const parsed = parseWith(batchRequestSchema, parseJson(await client.body()), "batch request");
    capIds(parsed.messageIds, guards.limits.maxBatchIds);
    // A root over n ids reads and stores a row per id: one token per idsPerToken ids (the first one at entry).
    chargeRest(guards, client, costOf(parsed.messageIds.length, guards.limits.idsPerToken));
    const seen = new Set<string>();
    for (const [i, id] of parsed.messageIds.entries()) {
      if (seen.has(id.toLowerCase())) {
        throw new RequestRejectedError(400, `duplicate message id ${id}`, { field: `messageIds.${i}` });
      }
      seen.add(id.toLowerCase());
    }
    const adapter = deps.chains.get(parsed.destination);
    if (adapter === undefined) return send(res, 404, { error: `destination ${parsed.destination} not served` });
    const ids = parsed.messageIds as Hex[];
    const known = new Map((await deps.store.getObservedMany(ids)).map((m) => [m.messageId.toLowerCase(), m]));
    const closed = new Set((await deps.store.closedAmong(ids)).map((id) => id.toLowerCase()));
    const messages: Signable[] = [];
    for (const id of parsed.messageIds) {
      const m = known.get(id.toLowerCase());
      if (m === undefined) return send(res, 409, { error: `${id} is not observed final by this node` });
      if (m.destination !== parsed.destination) return send(res, 409, { error: `${id} is not for that destination` });
      // Delivered (or refused by the journal): a batch of it could never be consumed, and each costs a signature.
      if (closed.has(id.toLowerCase())) return send(res, 409, { error: `${id} is closed (already delivered)` });
      messages.push({ messageId: m.messageId, originDomain: m.origin, nonce: m.nonce, originBlock: m.blockNumber });
    }
    try {
      const setId = await adapter.currentSetId();
      // As for message ids (observer): a node outside the current set never signs for it.
      const set = await adapter.getAttesterSet(setId);
      if (!isMember(set.attesters, set.weights, deps.signer.address)) {
        const error = new NotAnAttesterError(deps.signer.address, parsed.destination, setId);
        return send(res, 403, { error: error.message, code: error.code });
      }
      // Each new root stores a signature and a row per member: a message may be in at most maxBatchesPerMessage
      // roots (per node), so permutations and subsets of the open ids cannot grow the store without bound. A root
      // already signed is served again.
      const root = batchRoot(parsed.messageIds.map((id) => id.toLowerCase() as Hex));
      const signed = await deps.store.findSignature("batch", root, parsed.destination, adapter.verifier, setId);
      if (signed === undefined) {
        const counts = await deps.store.batchCountsOf(parsed.messageIds as Hex[]);
        const full = parsed.messageIds.find(
          (id) => (counts.get(id.toLowerCase()) ?? 0) >= guards.limits.maxBatchesPerMessage,
        );
        if (full !== undefined) {
          return send(res, 409, {
            error: `${full} is already in ${guards.limits.maxBatchesPerMessage} batch roots; ask for its message signature`,
          });
        }
        // Only a new root costs a signature: the signing bucket (a refused or re-served root signs nothing).
        guards.signing.take(client.id, "signing");
      }
      const signature = await deps.metrics.time("attester_batch_sign", () =>
        deps.signer.signBatch(messages, {
          domain: parsed.destination,
          verifier: adapter.verifier,
          attesterSetId: setId,
        }),
      );
      return send(res, 200, signatureToJson(signature));
    } catch (error) {
      if (error instanceof SigningConflictError) return send(res, 409, { error: error.message });
      throw error;
    }
  }
  const refundMatch = /^\/refunds\/([^/]+)$/.exec(path);
  if (req.method === "GET" && refundMatch !== null && deps.refunds !== undefined) {
    const id = refundMatch[1] ?? "";
    if (!MESSAGE_ID.test(id)) return send(res, 400, { error: "messageId must be 32 bytes of 0x-hex" });
    const signed = await deps.refunds.signed(id as Hex);
    if (signed === undefined) {
      const problem = await deps.refunds.problemOf(id as Hex);
      return send(res, 404, { error: "no refund receipt signed", ...(problem === undefined ? {} : { problem }) });
    }
    return send(res, 200, refundToJson(deps.signer.address, signed.journal, signed.signatures));
  }
  if (req.method === "POST" && path === "/refunds" && deps.refunds !== undefined) {
    const parsed = parseWith(refundRequestSchema, parseJson(await client.body()), "refund request");
    const id = parsed.messageId.toLowerCase() as Hex;
    const known = await deps.refunds.signed(id);
    // Judging costs chain reads and maybe a signature: the signing bucket, unless only re-served.
    if (known === undefined) guards.signing.take(client.id, "signing");
    try {
      const { journal } = await deps.metrics.time("attester_refund_sign", () =>
        (deps.refunds as RefundAttester).sign(id),
      );
      const signatures = (await deps.refunds.signed(id))?.signatures ?? [];
      return send(res, 200, refundToJson(deps.signer.address, journal, signatures));
    } catch (error) {
      if (error instanceof RefundRefusedError) {
        return send(res, 409, { error: error.message, code: error.code, retry: error.retry });
      }
      if (error instanceof RefundConflictError) return send(res, 409, { error: error.message, code: error.code });
      throw error;
    }
  }
  if (deps.koii !== undefined && path.startsWith("/koii/") && (await deps.koii(req, res, url, client))) return;
  return send(res, 404, { error: "not found" });
}

/** Starts the server on `host:port` (port 0 = any free port); resolves once it listens. */
export async function startAttesterServer(
  deps: AttesterServerDeps,
  listen: { host: string; port: number },
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const limits = deps.limits ?? ATTESTER_LIMIT_DEFAULTS;
  const now = deps.now ?? Date.now;
  const guards: Guards = {
    limits,
    requests: new RateLimiter(limits.requests, { maxClients: limits.maxClients, now }),
    signing: new RateLimiter(limits.signing, { maxClients: limits.maxClients, now }),
    inFlight: new InFlightLimiter(limits.maxInFlightPerClient),
  };
  const server = createServer((req, res) => {
    // At most maxInFlightPerClient requests of one address are being worked on at once (probes excepted).
    let leave: (() => void) | undefined;
    const probe = req.method === "GET" && (req.url === "/health" || req.url === "/ready");
    const work = async () => {
      if (!probe) {
        leave = guards.inFlight.enter(`addr:${req.socket.remoteAddress ?? "unknown"}`);
        res.once("close", leave);
      }
      await handle(deps, guards, req, res);
    };
    work().catch((error: unknown) => {
      if (error instanceof RequestRejectedError) {
        deps.metrics.httpRejections.inc({ status: String(error.status) });
        if (!res.headersSent) sendRejection(res, error);
        else res.end();
        return;
      }
      deps.log.error({ error: describeError(error), url: req.url }, "request failed");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${listen.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
