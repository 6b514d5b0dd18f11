// Bounded waiting: every wait in the e2e suite has a deadline and says what it waited for when it gives up.
import { setTimeout as sleep } from "node:timers/promises";
import { TestkitError } from "./errors.ts";

/** Raised when a condition does not hold within its deadline. */
export class WaitTimeoutError extends TestkitError {
  override name = "WaitTimeoutError";
  constructor(what: string, timeoutMs: number, last: unknown) {
    super(
      "WaitTimedOut",
      `timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? "" : ` (last error: ${describe(last)})`}`,
      { cause: last },
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Polls `check` every `everyMs` until it returns something other than undefined, at most `timeoutMs`. A check that
 * throws counts as "not yet" (a process still starting); its last error is reported on timeout.
 */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const everyMs = options.everyMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new WaitTimeoutError(what, timeoutMs, last);
}

/** Free TCP port on 127.0.0.1 (closed again before it is returned: bind it soon). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
