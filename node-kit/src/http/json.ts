// JSON answers of a node's HTTP server: every body is JSON with its length, every refusal names what is wrong.
import type { ServerResponse } from "node:http";
import type { z } from "zod";
import { RequestRejectedError } from "../errors.ts";

/** Answers `status` with `body` as JSON (plus `headers`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Answers a refused request: status, the field at fault, Retry-After on 429. 413 closes the connection (the unread
 * rest of the body must not be taken for the next request).
 */
export function sendRejection(res: ServerResponse, error: RequestRejectedError): void {
  sendJson(
    res,
    error.status,
    { error: error.message, code: error.code, ...(error.field === undefined ? {} : { field: error.field }) },
    {
      ...(error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) }),
      ...(error.status === 413 ? { connection: "close" } : {}),
    },
  );
}

/** A zod failure as a 400 naming the first bad field. */
export function badRequest(what: string, error: z.ZodError): RequestRejectedError {
  const issue = error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? "(body)" : issue.path.map(String).join(".");
  return new RequestRejectedError(400, `bad ${what}: ${issue?.message ?? "invalid"}`, { field });
}

/** `value` parsed by `schema`, or a 400 naming the first bad field. */
export function parseRequest<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(what, parsed.error);
  return parsed.data;
}
