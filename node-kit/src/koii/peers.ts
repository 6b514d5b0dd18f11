// HTTP client for the task's routes on peer attester servers (routes.ts). A peer that is down or answers garbage is
// reported, never fatal: the round goes on with whoever answers.
import { PeerRequestFailedError } from "../errors.ts";
import type { RelayerRequestSigner } from "../identity.ts";

/** GET `url` as JSON; undefined on 404 (nothing there yet), throws on other failures. */
export async function getJson(url: string, timeoutMs: number): Promise<unknown | undefined> {
  // One retry on a network error: a pooled keep-alive socket the peer just closed fails the first attempt.
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(() =>
    fetch(url, { signal: AbortSignal.timeout(timeoutMs) }),
  );
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  const body: unknown = await response.json();
  if (!response.ok) throw new PeerRequestFailedError(url, response.status);
  return body;
}

/**
 * POST `body` as JSON, signed by `signer` when given (nodes with attester.auth); throws unless 2xx. One retry on a
 * network error, as for GET (a pooled keep-alive socket the peer just closed), signed anew: evidence (the one route posted to)
 * is stored once per what it proves, so a retry of a request that did arrive changes nothing.
 */
export async function postJson(
  url: string,
  body: unknown,
  timeoutMs: number,
  signer?: RelayerRequestSigner,
): Promise<unknown> {
  const text = JSON.stringify(body);
  const post = () =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signer?.headers("POST", url, text) ?? {}) },
      body: text,
      signal: AbortSignal.timeout(timeoutMs),
    });
  const response = await post().catch(post);
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (answer as { error?: unknown } | undefined)?.error;
    throw new PeerRequestFailedError(url, response.status, typeof error === "string" ? error : undefined);
  }
  return answer;
}

export const submissionUrl = (base: string, round: number, kind: string) =>
  `${base.replace(/\/+$/, "")}/koii/rounds/${round}/submission?kind=${encodeURIComponent(kind)}`;
export const votesUrl = (base: string, round: number, kind: string) =>
  `${base.replace(/\/+$/, "")}/koii/rounds/${round}/votes?kind=${encodeURIComponent(kind)}`;
export const evidenceUrl = (base: string) => `${base.replace(/\/+$/, "")}/koii/evidence`;
