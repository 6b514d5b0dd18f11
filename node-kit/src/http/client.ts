// Who sent a request to a node's HTTP server, as its limits (limits.ts) and routes see it.

/** Who sent a request, as the limits count it; `body` reads the (bounded) body once. */
export type RequestClient = {
  /** `relayer:<key>` once authenticated, else `addr:<remote address>`. */
  readonly id: string;
  body(): Promise<Buffer>;
};
