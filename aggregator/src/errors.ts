// Typed errors of the aggregator node. Every one extends node-kit's NodeError, itself the sdk's BaseError: one root
// for every maskoii error, with a stable `code` and `retryable`.
import { NodeError } from "@maskoii/node-kit";

export type AggregatorErrorCode = "UpstreamFailed" | "UpstreamMalformed" | "Usage";

/** An upstream API answered with an HTTP error or could not be reached; waiting helps a 429, a 5xx or a network error. */
export class UpstreamError extends NodeError {
  override name = "UpstreamError";
  readonly url: string;
  /** The HTTP status, or 0 when no answer came (connection refused, reset, timeout). */
  readonly status: number;
  constructor(url: string, status: number, detail: string, cause?: unknown) {
    super("UpstreamFailed", `${status === 0 ? "no answer" : `HTTP ${status}`} from ${url}: ${detail}`, {
      retryable: status === 0 || status === 429 || status >= 500,
      ...(cause === undefined ? {} : { cause }),
    });
    this.url = url;
    this.status = status;
  }
}

/** An upstream answer (a whole page, not one item) does not have the shape its API documents. */
export class UpstreamMalformedError extends NodeError {
  override name = "UpstreamMalformedError";
  readonly url: string;
  constructor(url: string, problem: string) {
    super("UpstreamMalformed", `malformed answer from ${url}: ${problem}`);
    this.url = url;
  }
}

/** The command line is incomplete or wrong. */
export class UsageError extends NodeError {
  override name = "UsageError";
  constructor(problem: string, usage: string) {
    super("Usage", `${problem}\n${usage}`);
  }
}
