// JSON-RPC readiness checks for the devnet's chains.

import { setTimeout as sleep } from "node:timers/promises";
import { RpcError } from "./errors.ts";

type RpcResponse = { result?: unknown; error?: { message?: string } };

/** eth_chainId of `url`, or undefined when nothing answers there (connection refused, timeout, garbage). */
export async function probeChainId(url: string, timeoutMs = 1_000): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as RpcResponse;
    return typeof body.result === "string" ? Number.parseInt(body.result, 16) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls `url` until it answers eth_chainId with `chainId`. Fails after `timeoutMs`, when it answers with another
 * chain id, or as soon as `abort` settles (the process that should serve it exited).
 */
export async function waitForRpc(
  url: string,
  chainId: number,
  options: { timeoutMs: number; abort?: Promise<unknown> },
): Promise<void> {
  let aborted = false;
  void options.abort?.then(() => {
    aborted = true;
  });
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (aborted) throw new RpcError(`the process serving ${url} exited before its RPC came up`);
    const answered = await probeChainId(url);
    if (answered !== undefined) {
      if (answered !== chainId) throw new RpcError(`${url} answers chain id ${answered}, expected ${chainId}`);
      return;
    }
    await sleep(250);
  }
  throw new RpcError(`${url} did not answer within ${options.timeoutMs} ms`);
}

export { RpcError };
