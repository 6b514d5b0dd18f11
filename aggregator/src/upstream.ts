// Requests to upstream APIs (hubs, Mastodon instances, the Lens API, feeds): bounded in time, retried with
// exponential backoff and full jitter on a network error, a 5xx or a 429, and honouring what the server says about
// its rate limit: `Retry-After` (seconds or an HTTP date), `X-RateLimit-Reset` (Mastodon: an ISO date; others: epoch
// seconds) and `RateLimit-Reset` (seconds from now). A server that announces `X-RateLimit-Remaining: 0` is not asked
// again before its reset. Every wait is reported, so the node counts rate-limit waits per connector.
import { setTimeout as sleep } from "node:timers/promises";
import { UpstreamError } from "./errors.ts";

export type RetryPolicy = {
  /** Attempts in all, the first one included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The longest a server's rate-limit headers may make us wait once (longer: give up this tick, try next). */
  readonly maxRateLimitWaitMs: number;
  readonly timeoutMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRateLimitWaitMs: 120_000,
  timeoutMs: 15_000,
};

export type UpstreamEvents = {
  /** A wait the server asked for (429, or its remaining quota at zero). */
  onRateLimitWait?: (ms: number, url: string) => void;
  /** A retry after a failure, with the delay chosen. */
  onRetry?: (attempt: number, delayMs: number, error: UpstreamError) => void;
};

/**
 * The wait a response's rate-limit headers ask for, in ms from `now`, or undefined when they ask for none.
 * Retry-After wins, then RateLimit-Reset (delta seconds), then X-RateLimit-Reset (ISO date, or epoch seconds).
 */
export function rateLimitWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const delta = headers.get("ratelimit-reset");
  if (delta !== null && Number.isFinite(Number(delta))) return Math.max(0, Number(delta) * 1_000);
  const reset = headers.get("x-ratelimit-reset");
  if (reset !== null) {
    const n = Number(reset);
    // Epoch seconds (a number past 2001), else an ISO 8601 date (Mastodon).
    const at = Number.isFinite(n) ? (n > 1e9 ? n * 1_000 : now + n * 1_000) : Date.parse(reset);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  return undefined;
}

/** Exponential backoff with full jitter: a random delay in [base·2^(n-1)/2, base·2^(n-1)], capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * One upstream API's client: `request` fetches with retries; `waitForQuota` holds a request back while the server
 * said its quota is spent. One per connector, so one connector's limits never slow the others.
 */
export class Upstream {
  readonly #policy: RetryPolicy;
  readonly #events: UpstreamEvents;
  readonly #signal: AbortSignal | undefined;
  /** Epoch ms before which the server asked not to be called (its X-RateLimit-Remaining reached 0). */
  #quotaResetAt = 0;

  constructor(policy: RetryPolicy, events: UpstreamEvents = {}, signal?: AbortSignal) {
    this.#policy = policy;
    this.#events = events;
    this.#signal = signal;
  }

  async #wait(ms: number, url: string, rateLimited: boolean): Promise<void> {
    if (ms <= 0) return;
    if (rateLimited) this.#events.onRateLimitWait?.(ms, url);
    await sleep(ms, undefined, this.#signal === undefined ? {} : { signal: this.#signal });
  }

  /**
   * Fetches `url`; answers any status below 400 and 304 as is (the caller reads the body), retries what waiting
   * helps and throws `UpstreamError` when the attempts are spent or the failure is permanent (4xx other than 429).
   */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    let last: UpstreamError | undefined;
    for (let attempt = 1; attempt <= this.#policy.attempts; attempt++) {
      const quotaWait = this.#quotaResetAt - Date.now();
      if (quotaWait > 0) {
        if (quotaWait > this.#policy.maxRateLimitWaitMs) {
          throw new UpstreamError(url, 429, `quota spent until ${new Date(this.#quotaResetAt).toISOString()}`);
        }
        await this.#wait(quotaWait, url, true);
      }
      let response: Response;
      try {
        const signals = [AbortSignal.timeout(this.#policy.timeoutMs)];
        if (this.#signal !== undefined) signals.push(this.#signal);
        response = await fetch(url, { ...init, signal: AbortSignal.any(signals) });
      } catch (cause) {
        if (this.#signal?.aborted === true) throw cause;
        last = new UpstreamError(url, 0, cause instanceof Error ? cause.message : String(cause), cause);
        if (attempt < this.#policy.attempts) {
          const delay = backoffMs(attempt, this.#policy);
          this.#events.onRetry?.(attempt, delay, last);
          await this.#wait(delay, url, false);
        }
        continue;
      }
      const remaining = response.headers.get("x-ratelimit-remaining");
      if (remaining !== null && Number(remaining) <= 0) {
        const wait = rateLimitWaitMs(response.headers, Date.now());
        if (wait !== undefined) this.#quotaResetAt = Date.now() + wait;
      }
      if (response.status < 400) return response;
      const text = (await response.text().catch(() => "")).slice(0, 200);
      last = new UpstreamError(url, response.status, text.length > 0 ? text : response.statusText);
      if (!last.retryable || attempt === this.#policy.attempts) throw last;
      if (response.status === 429) {
        const asked = rateLimitWaitMs(response.headers, Date.now());
        const delay = asked ?? backoffMs(attempt, this.#policy);
        if (delay > this.#policy.maxRateLimitWaitMs) throw last;
        // A little jitter on top of the server's reset, so that many nodes do not return in the same instant.
        await this.#wait(delay + Math.round(Math.random() * this.#policy.baseDelayMs), url, true);
      } else {
        const delay = backoffMs(attempt, this.#policy);
        this.#events.onRetry?.(attempt, delay, last);
        await this.#wait(delay, url, false);
      }
    }
    throw last ?? new UpstreamError(url, 0, "no attempt made");
  }

  /** `request` and the body as JSON; a body that is not JSON is an UpstreamError (not retried). */
  async json(url: string, init: RequestInit = {}): Promise<unknown> {
    const response = await this.request(url, init);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new UpstreamError(url, response.status, `the body is not JSON: ${text.slice(0, 80)}`);
    }
  }
}
