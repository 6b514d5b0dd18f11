// The attester's HTTP API (node:http, JSON):
//   GET  /signatures/:messageId  every signature this node made over the id (alone or in a batch root)
//   POST /signatures             {messageIds, sign?}: for each id, whether it is observed final here and this
//                                node's MESSAGE signatures over it (batch signatures come from POST /batches);
//                                `sign: true` signs the ones not signed yet first (attester.messageSignDelayMs)
//   POST /batches                {destination, messageIds}: sign the batch root, if every id is observed final here
//   GET  /identity               the Koii binding record (ed25519 node key <-> secp256k1 attesting key)
//   GET  /health                 the process is up
//   GET  /ready                  the node has completed a scan-and-sign round and its store answers
//   GET  /metrics                Prometheus
//   /koii/...                    the Koii task round (src/koii/routes.ts), when configured
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hex } from "viem";
import { z } from "zod";
import type { Chains } from "../chains/adapter.ts";
import { describeError, NotAnAttesterError, SigningConflictError } from "../errors.ts";
import type { BindingRecord } from "../identity.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Store, StoredSignature } from "../store/types.ts";
import { isMember } from "./observer.ts";
import type { AttesterSigner, Signable } from "./signer.ts";

const MESSAGE_ID = /^0x[0-9a-fA-F]{64}$/;
const MAX_BODY = 64 * 1024;

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
  koii?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function handle(deps: AttesterServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  if (req.method === "GET" && path === "/health") return send(res, 200, { status: "ok" });
  if (req.method === "GET" && path === "/ready") {
    const ready = deps.ready();
    return send(res, ready ? 200 : 503, { ready });
  }
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
    let parsed: z.infer<typeof bulkSignaturesRequestSchema>;
    try {
      parsed = bulkSignaturesRequestSchema.parse(await readBody(req));
    } catch (error) {
      return send(res, 400, { error: `bad signatures request: ${describeError(error)}` });
    }
    const ids = [...new Set(parsed.messageIds.map((id) => id.toLowerCase() as Hex))];
    if (parsed.sign === true && deps.signNow !== undefined) {
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
    let parsed: z.infer<typeof batchRequestSchema>;
    try {
      parsed = batchRequestSchema.parse(await readBody(req));
    } catch (error) {
      return send(res, 400, { error: `bad batch request: ${describeError(error)}` });
    }
    const adapter = deps.chains.get(parsed.destination);
    if (adapter === undefined) return send(res, 404, { error: `destination ${parsed.destination} not served` });
    const known = new Map(
      (await deps.store.getObservedMany(parsed.messageIds as Hex[])).map((m) => [m.messageId.toLowerCase(), m]),
    );
    const messages: Signable[] = [];
    for (const id of parsed.messageIds) {
      const m = known.get(id.toLowerCase());
      if (m === undefined) return send(res, 409, { error: `${id} is not observed final by this node` });
      if (m.destination !== parsed.destination) return send(res, 409, { error: `${id} is not for that destination` });
      messages.push({ messageId: m.messageId, originDomain: m.origin, nonce: m.nonce, originBlock: m.blockNumber });
    }
    if (new Set(parsed.messageIds.map((id) => id.toLowerCase())).size !== parsed.messageIds.length) {
      return send(res, 400, { error: "duplicate message id in batch" });
    }
    try {
      const setId = await adapter.currentSetId();
      // As for message ids (observer): a node outside the current set never signs for it.
      const set = await adapter.getAttesterSet(setId);
      if (!isMember(set.attesters, set.weights, deps.signer.address)) {
        const error = new NotAnAttesterError(deps.signer.address, parsed.destination, setId);
        return send(res, 403, { error: error.message, code: error.code });
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
  if (deps.koii !== undefined && path.startsWith("/koii/") && (await deps.koii(req, res, url))) return;
  return send(res, 404, { error: "not found" });
}

/** Starts the server on `host:port` (port 0 = any free port); resolves once it listens. */
export async function startAttesterServer(
  deps: AttesterServerDeps,
  listen: { host: string; port: number },
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
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
