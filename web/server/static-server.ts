// A tiny static server for the built app (`web/dist`) on 127.0.0.1, with same-origin proxies to the stack's HTTP
// services (aggregator nodes, the indexer, the chains' RPC, the publishing network): the nodes answer no CORS, and one
// origin keeps the browser's view simple. Only GET/HEAD of files and the listed proxy prefixes are served; a path
// never leaves the dist directory.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
};

export type WebServer = { readonly url: string; close(): Promise<void> };

export type WebServerOptions = {
  /** The built app (web/dist). */
  readonly dir: string;
  readonly host?: string;
  /** 0 (default): a free port. */
  readonly port?: number;
  /** Path prefix (`/proxy/node-1`) → upstream base URL (`http://127.0.0.1:7401`). */
  readonly proxies?: Readonly<Record<string, string>>;
  /** Served as /config.json instead of the file in `dir` (tests). */
  readonly config?: unknown;
};

function proxy(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const headers = { ...req.headers, host: target.host };
  delete headers.origin;
  delete headers.referer;
  delete headers.cookie;
  const upstream = httpRequest(
    target,
    {
      method: req.method,
      headers,
      timeout: 30_000,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("timeout", () => upstream.destroy());
  upstream.on("error", () => {
    if (!res.headersSent) {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `${target.origin} is not answering` }));
    } else res.destroy();
  });
  req.pipe(upstream);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const root = resolve(options.dir);
  const proxies = Object.entries(options.proxies ?? {}).sort((a, b) => b[0].length - a[0].length);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    for (const [prefix, base] of proxies) {
      if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) {
        const rest = url.pathname.slice(prefix.length);
        proxy(req, res, new URL(`${base.replace(/\/$/, "")}${rest}${url.search}`));
        return;
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return;
    }
    if (url.pathname === "/config.json" && options.config !== undefined) {
      res.writeHead(200, { "content-type": TYPES[".json"] as string, "cache-control": "no-store" });
      res.end(JSON.stringify(options.config));
      return;
    }
    void (async () => {
      let path = normalize(join(root, decodeURIComponent(url.pathname)));
      if (path !== root && !path.startsWith(root + sep)) {
        res.writeHead(404);
        res.end();
        return;
      }
      let info = await stat(path).catch(() => undefined);
      if (info?.isDirectory() === true) {
        path = join(path, "index.html");
        info = await stat(path).catch(() => undefined);
      }
      if (info === undefined || !info.isFile()) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found");
        return;
      }
      res.writeHead(200, {
        "content-type": TYPES[extname(path)] ?? "application/octet-stream",
        "content-length": info.size,
        "cache-control": path.endsWith("config.json") || path.endsWith(".html") ? "no-store" : "max-age=3600",
        "x-content-type-options": "nosniff",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(path).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export { type WebConfig, type WebConfigInput, webConfigSchema } from "../src/lib/config.ts";
