// Relayer errors: epoch reports (src/reports/).
import { RelayerError } from "./root.ts";

/** An aggregator node's `GET /reports/pending` failed: HTTP error, oversized answer, not the expected JSON. */
export class AggregatorRequestFailedError extends RelayerError {
  override name = "AggregatorRequestFailedError";
  readonly endpoint: string;
  readonly status: number;
  constructor(endpoint: string, status: number, detail: string) {
    super("AggregatorRequestFailed", `aggregator ${endpoint} (HTTP ${status}): ${detail}`, {
      retryable: status === 429 || status >= 500 || status === 200,
    });
    this.endpoint = endpoint;
    this.status = status;
  }
}

/** A report transaction (submit, finalize, sendSolanaPayout) failed in a way the submitter retries later. */
export class ReportTransactionFailedError extends RelayerError {
  override name = "ReportTransactionFailedError";
  readonly call: string;
  constructor(call: string, detail: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super("ReportTransactionFailed", `${call}: ${detail}`, {
      retryable: options.retryable ?? true,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.call = call;
  }
}
