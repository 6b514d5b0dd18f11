// HTTP client for the task's routes on peer attester servers (routes.ts). A peer that is down or answers garbage is
// reported, never fatal: the round goes on with whoever answers.

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
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return body;
}

/** POST `body` as JSON; throws unless 2xx. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (answer as { error?: unknown } | undefined)?.error;
    throw new Error(`HTTP ${response.status}${typeof error === "string" ? `: ${error}` : ""}`);
  }
  return answer;
}

export const submissionUrl = (base: string, round: number, kind: string) =>
  `${base.replace(/\/+$/, "")}/koii/rounds/${round}/submission?kind=${encodeURIComponent(kind)}`;
export const votesUrl = (base: string, round: number, kind: string) =>
  `${base.replace(/\/+$/, "")}/koii/rounds/${round}/votes?kind=${encodeURIComponent(kind)}`;
export const evidenceUrl = (base: string) => `${base.replace(/\/+$/, "")}/koii/evidence`;
