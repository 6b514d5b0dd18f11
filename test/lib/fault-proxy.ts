// An HTTP JSON-RPC fault proxy on 127.0.0.1, placed between a maskoii process and a chain's RPC. By default it
// forwards every request unchanged; a test programs faults: drop the connection without an answer (before or after the
// upstream saw the request: "drop" / "drop-response"), delay, or answer HTTP 500, either for a fraction of requests (seeded, so a run is reproducible) or for every request during a time
// window. Counters say what was injected, so a test can prove the faults actually happened.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * drop: cut the connection, the upstream never sees the request. drop-response: forward, then cut the connection
 * instead of answering (a transaction that reached the node while its sender believes it failed). delay: hold the
 * request, then forward. error500: answer HTTP 500 without forwarding.
 */
export type FaultKind = "drop" | "drop-response" | "delay" | "error500";

/** One fault rule. The first rule (in order) that fires for a request decides its fate. */
export type FaultRule = {
  readonly kind: FaultKind;
  /** Fraction of matching requests hit, 0..1 (default 1: every matching request). */
  readonly rate?: number;
  /** Only requests whose JSON-RPC method (any method of a batch) is listed; all methods when absent. */
  readonly methods?: readonly string[];
  /** Only until this time (ms since the epoch); forever when absent. */
  readonly until?: number;
  /** How long a `delay` holds the request before forwarding it (default 500 ms). */
  readonly delayMs?: number;
};

export type FaultCounters = {
  /** Requests received. */
  requests: number;
  /** Requests answered by the upstream (including delayed ones). */
  forwarded: number;
  dropped: number;
  /** Forwarded, answer thrown away. */
  droppedResponses: number;
  delayed: number;
  error500: number;
  /** Forwarding failed (upstream unreachable): answered 502. */
  upstreamErrors: number;
  /** Received requests per JSON-RPC method. */
  byMethod: Record<string, number>;
  /** Injected faults per JSON-RPC method ("drop:eth_sendRawTransaction"). */
  faultsByMethod: Record<string, number>;
};

/** Raised when the proxy cannot listen. */
export class FaultProxyError extends Error {
  override readonly name = "FaultProxyError";
}

const MAX_BODY = 8 * 1024 * 1024;

function emptyCounters(): FaultCounters {
  return {
    requests: 0,
    forwarded: 0,
    dropped: 0,
    droppedResponses: 0,
    delayed: 0,
    error500: 0,
    upstreamErrors: 0,
    byMethod: {},
    faultsByMethod: {},
  };
}

/** mulberry32: a small seeded PRNG, so that which requests are hit is the same run after run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function methodsOf(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    return calls
      .map((c) => (typeof c === "object" && c !== null ? (c as { method?: unknown }).method : undefined))
      .filter((m): m is string => typeof m === "string");
  } catch {
    return [];
  }
}

export class FaultProxy {
  readonly upstream: string;
  readonly name: string;
  #server: Server | undefined;
  #url = "";
  #rules: FaultRule[] = [];
  #random: () => number;
  #counters = emptyCounters();

  constructor(args: { upstream: string; name: string; seed?: number }) {
    this.upstream = args.upstream;
    this.name = args.name;
    this.#random = seeded(args.seed ?? 1);
  }

  /** The proxy's URL (valid after `start`). */
  get url(): string {
    if (this.#url === "") throw new FaultProxyError(`fault proxy ${this.name} is not started`);
    return this.#url;
  }

  /** A copy of the counters. */
  get counters(): FaultCounters {
    return structuredClone(this.#counters);
  }

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error) => reject(new FaultProxyError(`fault proxy ${this.name}: ${error.message}`)));
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Replaces the fault rules (an empty list makes the proxy a plain pass-through). */
  setFaults(rules: readonly FaultRule[]): void {
    for (const rule of rules) {
      if (rule.rate !== undefined && (rule.rate < 0 || rule.rate > 1)) {
        throw new FaultProxyError(`fault rate ${rule.rate} is outside 0..1`);
      }
    }
    this.#rules = [...rules];
  }

  /** Adds one rule active for `ms` from now. */
  faultFor(ms: number, rule: Omit<FaultRule, "until">): void {
    this.setFaults([...this.#rules, { ...rule, until: Date.now() + ms }]);
  }

  clearFaults(): void {
    this.#rules = [];
  }

  resetCounters(): void {
    this.#counters = emptyCounters();
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #pick(methods: readonly string[]): FaultRule | undefined {
    const now = Date.now();
    for (const rule of this.#rules) {
      if (rule.until !== undefined && now >= rule.until) continue;
      if (rule.methods !== undefined && !methods.some((m) => rule.methods?.includes(m))) continue;
      if (this.#random() < (rule.rate ?? 1)) return rule;
    }
    return undefined;
  }

  #countFault(kind: FaultKind, methods: readonly string[]): void {
    if (kind === "drop") this.#counters.dropped++;
    else if (kind === "drop-response") this.#counters.droppedResponses++;
    else if (kind === "delay") this.#counters.delayed++;
    else this.#counters.error500++;
    for (const m of methods) {
      const key = `${kind}:${m}`;
      this.#counters.faultsByMethod[key] = (this.#counters.faultsByMethod[key] ?? 0) + 1;
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        res.writeHead(413);
        res.end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString("utf8");
    const methods = methodsOf(body);
    this.#counters.requests++;
    for (const m of methods) this.#counters.byMethod[m] = (this.#counters.byMethod[m] ?? 0) + 1;

    const rule = this.#pick(methods);
    if (rule !== undefined) this.#countFault(rule.kind, methods);
    if (rule?.kind === "drop") {
      // No answer at all: the client sees a reset connection, as with a crashed load balancer.
      req.socket.destroy();
      return;
    }
    if (rule?.kind === "error500") {
      const text = JSON.stringify({ error: "injected fault" });
      res.writeHead(500, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (rule?.kind === "delay") await sleep(rule.delayMs ?? 500);

    let upstream: Response;
    try {
      upstream = await fetch(this.upstream, {
        method: req.method ?? "POST",
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        ...(req.method === "GET" || req.method === "HEAD" ? {} : { body }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      this.#counters.upstreamErrors++;
      res.writeHead(502);
      res.end();
      return;
    }
    const answer = Buffer.from(await upstream.arrayBuffer());
    this.#counters.forwarded++;
    if (rule?.kind === "drop-response") {
      req.socket.destroy();
      return;
    }
    res.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/json",
      "content-length": answer.length,
    });
    res.end(answer);
  }
}
