// Every request the app makes goes through here: a bounded fetch whose failures say which service failed and how
// (down, an HTTP status with the service's own error text, or an answer of the wrong shape).
import { BaseError } from "@maskoii/sdk";
import type { z } from "zod";

/** A request that failed: `kind` says how (the code is `web-request-<kind>`); `down` and 5xx are retryable. */
export class RequestFailedError extends BaseError<string> {
  override name = "RequestFailedError";
  readonly service: string;
  readonly kind: "down" | "status" | "invalid";
  readonly status: number | undefined;
  readonly body: unknown;
  constructor(service: string, kind: "down" | "status" | "invalid", message: string, status?: number, body?: unknown) {
    super(`web-request-${kind}`, message, { retryable: kind === "down" || (status ?? 0) >= 500 });
    this.service = service;
    this.kind = kind;
    this.status = status;
    this.body = body;
  }
}

const TIMEOUT_MS = 10_000;

export async function request<T>(
  service: string,
  url: string,
  schema: z.ZodType<T> | undefined,
  init: RequestInit = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    throw new RequestFailedError(service, "down", `${service} is not answering (${url}). Is it running?`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  if (!res.ok) {
    // 502/503/504: a gateway (the devnet's proxy) could not reach the service.
    if (res.status >= 502 && res.status <= 504) {
      throw new RequestFailedError(
        service,
        "down",
        `${service} is not answering (HTTP ${res.status}). Is it running?`,
        res.status,
        body,
      );
    }
    const reason =
      typeof body === "object" && body !== null && "error" in body ? String((body as { error: unknown }).error) : text;
    throw new RequestFailedError(
      service,
      "status",
      `${service} answered ${res.status}${reason === "" ? "" : `: ${reason.slice(0, 300)}`}`,
      res.status,
      body,
    );
  }
  if (schema === undefined) return body as T;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RequestFailedError(
      service,
      "invalid",
      `${service} answered something unexpected (${issue?.path.join(".") || "(body)"}: ${issue?.message ?? "invalid"})`,
    );
  }
  return parsed.data;
}

export const postJson = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: unknown }).shortMessage;
    return typeof short === "string" ? short : error.message;
  }
  return String(error);
}
