// Abuse limits of the attester's HTTP API: per-client token buckets charged by the work a request asks for (429 with
// Retry-After), a cap on each client's requests in flight (429) and a bounded body reader (413). A client is its authenticated relayer key when it has one, else its address. The limiter forgets the least
// recently seen client past `maxClients`, so a flood of distinct clients costs bounded memory.
import type { IncomingMessage } from "node:http";
import { RequestRejectedError } from "../errors.ts";

export type BucketSettings = { readonly perSecond: number; readonly burst: number };

type Bucket = { tokens: number; at: number };

export class RateLimiter {
  readonly #settings: BucketSettings;
  readonly #maxClients: number;
  readonly #now: () => number;
  /** Insertion order = least recently seen first (a client is re-inserted on every take). */
  readonly #buckets = new Map<string, Bucket>();

  constructor(settings: BucketSettings, options: { maxClients: number; now?: () => number }) {
    this.#settings = settings;
    this.#maxClients = options.maxClients;
    this.#now = options.now ?? Date.now;
  }

  /** Clients tracked now (bounded by maxClients). */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes `cost` tokens for `client` (at most the burst, so any request can pass once the bucket is full); throws
   * RequestRejectedError 429 (with the seconds until enough are back) when there are fewer.
   */
  take(client: string, what: string, cost = 1): void {
    const now = this.#now();
    const { perSecond, burst } = this.#settings;
    const known = this.#buckets.get(client);
    const bucket = known ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1_000) * perSecond);
    bucket.at = now;
    this.#buckets.delete(client);
    this.#buckets.set(client, bucket);
    if (known === undefined && this.#buckets.size > this.#maxClients) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    const need = Math.min(Math.max(cost, 0), burst);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((need - bucket.tokens) / perSecond));
    throw new RequestRejectedError(429, `rate limited (${what}): retry after ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

/** Tokens a request over `items` ids costs: one per `itemsPerToken` started (at least one). */
export function costOf(items: number, itemsPerToken: number): number {
  return Math.max(1, Math.ceil(items / itemsPerToken));
}

/**
 * Requests in flight per client: `enter` refuses (429) a client that already has `max` requests being answered; the
 * returned function ends the request (call it once the answer is sent or the connection is gone). Only clients with
 * a request in flight are tracked, so memory follows the open connections.
 */
export class InFlightLimiter {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Clients with a request in flight now. */
  get size(): number {
    return this.#counts.size;
  }

  enter(client: string): () => void {
    const count = this.#counts.get(client) ?? 0;
    if (count >= this.#max) {
      throw new RequestRejectedError(429, `too many requests in flight (at most ${this.#max} per client)`, {
        retryAfterSeconds: 1,
      });
    }
    this.#counts.set(client, count + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#counts.get(client) ?? 1) - 1;
      if (left <= 0) this.#counts.delete(client);
      else this.#counts.set(client, left);
    };
  }
}

/**
 * Reads a request body of at most `maxBytes` (413 past it: a Content-Length above it is refused before reading, a
 * chunked body as soon as it crosses it).
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new RequestRejectedError(413, `request body of ${declared} bytes is over the limit of ${maxBytes}`);
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new RequestRejectedError(413, `request body is over the limit of ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body as JSON; 400 when it is not. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new RequestRejectedError(400, "the request body is not JSON", { field: "(body)" });
  }
}
