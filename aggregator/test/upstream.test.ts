import { describe, expect, it } from "vitest";
import { UpstreamError } from "../src/errors.ts";
import { backoffMs, rateLimitWaitMs, Upstream } from "../src/upstream.ts";
import { startFixture } from "./fixtures/http-fixture.ts";
import { FAST_RETRY } from "./helpers.ts";

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

describe("upstream client", () => {
  it("reads the wait from Retry-After (seconds or HTTP date), RateLimit-Reset and X-RateLimit-Reset (ISO or epoch)", () => {
    const wait = (h: Record<string, string>) => rateLimitWaitMs(new Headers(h), NOW);
    expect(wait({ "retry-after": "3" })).toBe(3_000);
    expect(wait({ "retry-after": new Date(NOW + 5_000).toUTCString() })).toBe(5_000);
    expect(wait({ "ratelimit-reset": "7" })).toBe(7_000);
    expect(wait({ "x-ratelimit-reset": new Date(NOW + 9_000).toISOString() })).toBe(9_000);
    expect(wait({ "x-ratelimit-reset": String(NOW / 1_000 + 11) })).toBe(11_000);
    expect(wait({ "retry-after": "2", "x-ratelimit-reset": new Date(NOW + 9_000).toISOString() })).toBe(2_000);
    expect(wait({ "x-ratelimit-reset": new Date(NOW - 9_000).toISOString() })).toBe(0);
    expect(wait({})).toBeUndefined();
  });

  it("backs off exponentially with jitter, capped", () => {
    const policy = { ...FAST_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffMs(1, policy, () => 0)).toBe(50);
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(3, policy, () => 0.5)).toBe(300);
    expect(backoffMs(10, policy, () => 1)).toBe(1_000);
    const draws = new Set(Array.from({ length: 20 }, () => backoffMs(2, policy)));
    expect(draws.size).toBeGreaterThan(1);
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(100);
  });

  it("does not retry a 404, gives up on a 429 asking for longer than the longest wait, and names the URL", async () => {
    const server = await startFixture((_req, _url, _body, res) => {
      res.writeHead(404);
      res.end("no such tag");
    });
    try {
      const upstream = new Upstream(FAST_RETRY);
      const notFound = await upstream.request(`${server.url}/x`).catch((e: unknown) => e);
      expect(notFound).toBeInstanceOf(UpstreamError);
      expect((notFound as UpstreamError).status).toBe(404);
      expect((notFound as UpstreamError).retryable).toBe(false);
      expect(server.requests.length).toBe(1);

      server.faults.push({ kind: "status", status: 429, headers: { "retry-after": "3600" } });
      const started = Date.now();
      const limited = await upstream.request(`${server.url}/y`).catch((e: unknown) => e);
      expect((limited as UpstreamError).status).toBe(429);
      expect((limited as UpstreamError).message).toContain(`${server.url}/y`);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await server.close();
    }
  });
});
