// The relayer's operations HTTP API (node:http, JSON):
//   GET /health        the process is up (200 while it serves)
//   GET /ready         200 once a tick succeeded with the store and every chain reachable, else 503 and why
//   GET /metrics       Prometheus text format
//   GET /messages/:id  the delivery record of a message and its claim, and its refund on the origin when the
//                      destination recorded it refundable (400 malformed id, 404 unknown)
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@maskoii/node-kit";
import type { Hex } from "viem";
import { describeError } from "./errors.ts";
import type { Metrics } from "./metrics.ts";
import { type RefundDelivery, RefundStore } from "./store/refunds.ts";
import type { DeliveryClaim, DeliveryRecord, Store } from "./store/types.ts";

const MESSAGE_ID = /^0x[0-9a-fA-F]{64}$/;

/** Readiness as the delivery loop last saw it. */
export type Readiness = { readonly ready: boolean; readonly reason: string };

export type RelayerServerDeps = {
  store: Store;
  metrics: Metrics;
  log: Logger;
  readiness: () => Readiness;
  instanceId: string;
};

export type RelayerServer = { readonly url: string; close: () => Promise<void> };

/** The JSON form of a delivery record (bigints as decimal strings) with its claim. */
export function deliveryToJson(
  d: DeliveryRecord,
  claim: DeliveryClaim | undefined,
): Record<string, string | number | null | Record<string, string | number>> {
  return {
    messageId: d.messageId,
    state: d.state,
    origin: d.origin,
    destination: d.destination,
    nonce: d.nonce.toString(),
    message: d.message,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    firstSeenAt: d.firstSeenAt,
    quorumAt: d.quorumAt,
    deliveredAt: d.deliveredAt,
    txHash: d.txHash,
    gasUsed: d.gasUsed === null ? null : d.gasUsed.toString(),
    lastError: d.lastError,
    claim: claim === undefined ? null : { claimedBy: claim.claimedBy, leaseUntil: claim.leaseUntil },
  };
}

/** The JSON form of a refund the relayer tracks (bigints as decimal strings). */
export function refundToJson(r: RefundDelivery) {
  return {
    state: r.state,
    origin: r.origin,
    destination: r.destination,
    nonce: r.nonce.toString(),
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    txHash: r.txHash,
    lastError: r.lastError,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startRelayerServer(
  deps: RelayerServerDeps,
  listen: { host: string; port: number },
): Promise<RelayerServer> {
  const route = async (method: string, path: string, res: ServerResponse): Promise<void> => {
    if (method !== "GET") return send(res, 405, { error: "method not allowed" });
    if (path === "/health") return send(res, 200, { status: "ok", instanceId: deps.instanceId });
    if (path === "/ready") {
      const r = deps.readiness();
      return send(res, r.ready ? 200 : 503, { ready: r.ready, reason: r.reason });
    }
    if (path === "/metrics") {
      const text = await deps.metrics.render();
      res.writeHead(200, { "content-type": deps.metrics.contentType });
      res.end(text);
      return;
    }
    if (path.startsWith("/messages/")) {
      const id = path.slice("/messages/".length);
      if (!MESSAGE_ID.test(id)) return send(res, 400, { error: "expected a 0x-prefixed 32-byte message id" });
      const delivery = await deps.store.getDelivery(id as Hex);
      const refund = await RefundStore.tryOf(deps.store)?.delivery(id as Hex);
      if (delivery === undefined && refund === undefined) {
        return send(res, 404, { error: `message ${id.toLowerCase()} is not tracked` });
      }
      return send(res, 200, {
        ...(delivery === undefined
          ? { messageId: id.toLowerCase() }
          : deliveryToJson(delivery, await deps.store.getClaim(id as Hex))),
        ...(refund === undefined ? {} : { refund: refundToJson(refund) }),
      });
    }
    return send(res, 404, { error: "not found" });
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://relayer").pathname;
    route(req.method ?? "GET", path, res).catch((error: unknown) => {
      deps.log.warn({ path, error: describeError(error) }, "relayer http request failed");
      if (!res.headersSent) send(res, 500, { error: describeError(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${listen.host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
