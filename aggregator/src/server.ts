// The node's operator endpoints: `/health` (the process answers), `/ready` (the store answers and every connector has
// finished its first tick), `/metrics` (Prometheus) and `/status` (each connector's cursors and lag).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describeError, type KoiiRoutes, RequestRejectedError, readBody, sendJson } from "@maskoii/node-kit";
import { handleBindingRoute } from "./binding-routes.ts";
import { type EngagementDeps, handleEngagementRoute } from "./engagement/routes.ts";
import { handleReportRoute, type ReportRouteDeps } from "./epoch/report-routes.ts";
import { type FeedRouteDeps, handleFeedRoute } from "./feed/feed-routes.ts";
import type { Ingestor } from "./ingestor.ts";
import type { AggregatorMetrics } from "./metrics.ts";
import type { BindingDomain, ProofVerifier } from "./proof-verifier.ts";
import { statusView } from "./status.ts";
import type { AggregatorStore } from "./store.ts";
import type { TimelineService } from "./timeline.ts";
import { handleCommunityRoute } from "./timeline-routes.ts";

export type OperatorServer = { readonly url: string; close(): Promise<void> };

export async function startOperatorServer(
  deps: {
    readonly store: AggregatorStore;
    readonly ingestor: Ingestor;
    readonly metrics: AggregatorMetrics;
    /** Community timelines (`/communities/:id/...`), when the node reads a chain. */
    readonly timelines?: TimelineService;
    /** Identity bindings this node signs (`/bindings/...`), when it holds an attester key. */
    readonly identity?: { readonly verifier: ProofVerifier; readonly domain: BindingDomain };
    /** Engagement beacons and peer contributions (`/beacons`, `/peer/contributions/...`). */
    readonly engagement?: EngagementDeps;
    /** The personalized feed (`/feed...`), when the config has a `feed` section. */
    readonly feed?: FeedRouteDeps;
    /** Signed epoch reports and payout proofs (`/reports/...`, `/payouts/...`), when configured. */
    readonly reports?: ReportRouteDeps;
    /** The engagement-reports Koii task's round routes (`/koii/...`), when the epoch loop runs one. */
    readonly koii?: KoiiRoutes;
  },
  listen: { readonly host: string; readonly port: number },
): Promise<OperatorServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (deps.timelines !== undefined && handleCommunityRoute(req, res, url, deps.timelines)) return;
    if (deps.engagement !== undefined && handleEngagementRoute(req, res, url, deps.engagement)) return;
    if (deps.feed !== undefined && handleFeedRoute(req, res, url, deps.feed)) return;
    const identity = deps.identity;
    if (identity !== undefined && handleBindingRoute(req, res, url, identity.verifier, identity.domain)) return;
    if (deps.reports !== undefined && handleReportRoute(req, res, url, deps.reports)) return;
    const koii = deps.koii;
    if (koii !== undefined && path.startsWith("/koii/")) {
      const client = { id: `addr:${req.socket.remoteAddress ?? "?"}`, body: () => readBody(req, 256 * 1024) };
      koii(req, res, url, client)
        .then((handled) => {
          if (!handled) sendJson(res, 404, { error: `no route ${path}` });
        })
        .catch((error: unknown) => {
          if (res.headersSent) res.destroy();
          else if (error instanceof RequestRejectedError) sendJson(res, error.status, { error: error.message });
          else sendJson(res, 500, { error: describeError(error) });
        });
      return;
    }
    if (req.method !== "GET") {
      sendJson(res, 405, { error: "only GET" });
      return;
    }
    const answer = async () => {
      switch (path) {
        case "/health":
          return sendJson(res, 200, { status: "ok" });
        case "/ready": {
          const waiting = deps.ingestor.connectors.filter((c) => !deps.ingestor.hasTicked(c.name)).map((c) => c.name);
          try {
            await deps.store.db.query("SELECT 1");
          } catch (error) {
            return sendJson(res, 503, { ready: false, store: describeError(error), waiting });
          }
          return sendJson(res, waiting.length === 0 ? 200 : 503, { ready: waiting.length === 0, waiting });
        }
        case "/metrics": {
          await deps.ingestor.refreshLag();
          const text = await deps.metrics.registry.metrics();
          res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
          res.end(text);
          return;
        }
        case "/status":
          return sendJson(res, 200, await statusView(deps.store, deps.ingestor.connectors));
        default:
          return sendJson(res, 404, { error: `no route ${path}` });
      }
    };
    answer().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: describeError(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
