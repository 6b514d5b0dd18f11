/** Exponential backoff with full jitter in [delay/2, delay]: base · 2^(attempt-1), capped at maxMs. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(exp / 2 + (random() * exp) / 2);
}
