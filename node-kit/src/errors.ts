/**
 * Typed errors of every maskoii node process (identity, keys, config, store, HTTP requests, the Koii task round).
 * Every error has a stable `code`; callers branch on the class, logs and the CLI print `code: message`. The
 * relayer's errors extend the same root (`RelayerError` is `NodeError`).
 */
import { BaseError, type BaseErrorOptions } from "@maskoii/sdk";

export type NodeErrorCode =
  | "InvalidConfig"
  | "ConfigReadFailed"
  | "KeystoreMalformed"
  | "KeystoreWrongPassword"
  | "KeystoreKindMismatch"
  | "SecretUnavailable"
  | "InvalidBindingRecord"
  | "StoreFailed"
  | "InvalidKoiiArtefact"
  | "RequestRejected"
  | "PeerRequestFailed";

/**
 * The root of every node error, itself a `BaseError` of the sdk (one root for every maskoii TypeScript error):
 * `code`, `details`, `cause`, `walk()` and `retryable`, which the relayer's retry decisions read.
 */
export class NodeError extends BaseError {
  override name = "NodeError";
  constructor(code: string, message: string, options: BaseErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A config field is missing or wrong; `field` is its dotted path. */
export class InvalidConfigError extends NodeError {
  override name = "InvalidConfigError";
  readonly field: string;
  readonly problem: string;
  readonly issues: readonly { field: string; problem: string }[];
  constructor(source: string, issues: readonly { field: string; problem: string }[]) {
    const first = issues[0] ?? { field: "(root)", problem: "invalid" };
    const rest = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).map((i) => i.field)})` : "";
    super("InvalidConfig", `${source}: ${first.field}: ${first.problem}${rest}`);
    this.field = first.field;
    this.problem = first.problem;
    this.issues = issues;
  }
}

/** The config file cannot be read or is not JSON. */
export class ConfigReadFailedError extends NodeError {
  override name = "ConfigReadFailedError";
  constructor(path: string, cause: unknown) {
    super("ConfigReadFailed", `cannot read config ${path}: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
    });
  }
}

/** A keystore file does not have the expected structure. */
export class KeystoreMalformedError extends NodeError {
  override name = "KeystoreMalformedError";
  constructor(source: string, problem: string) {
    super("KeystoreMalformed", `keystore ${source}: ${problem}`);
  }
}

/** The password does not open the keystore (authentication tag mismatch). */
export class KeystoreWrongPasswordError extends NodeError {
  override name = "KeystoreWrongPasswordError";
  constructor(source: string) {
    super("KeystoreWrongPassword", `keystore ${source}: wrong password (or the file was tampered with)`);
  }
}

/** A keystore holds another kind of key than the one asked for. */
export class KeystoreKindMismatchError extends NodeError {
  override name = "KeystoreKindMismatchError";
  constructor(source: string, expected: string, actual: string) {
    super("KeystoreKindMismatch", `keystore ${source} holds a ${actual} key, expected ${expected}`);
  }
}

/** A secret (password) could not be read from its file, environment variable or stdin. */
export class SecretUnavailableError extends NodeError {
  override name = "SecretUnavailableError";
  constructor(what: string) {
    super("SecretUnavailable", `no secret available: ${what}`);
  }
}

/** A Koii identity binding record does not verify. */
export class InvalidBindingRecordError extends NodeError {
  override name = "InvalidBindingRecordError";
  constructor(problem: string) {
    super("InvalidBindingRecord", `binding record: ${problem}`);
  }
}

/** The store failed (connection, migration, query). */
export class StoreError extends NodeError {
  override name = "StoreError";
  constructor(what: string, cause: unknown) {
    super("StoreFailed", `store: ${what}: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
      retryable: true,
    });
  }
}

/**
 * A Koii task artefact (submission, audit vote, byzantine evidence; docs/protocol.md §9) was refused. `reason` is a
 * stable name (bad-signature, binding-mismatch, wrong-round, ...); callers and tests branch on it.
 */
export class InvalidKoiiArtefactError extends NodeError {
  override name = "InvalidKoiiArtefactError";
  readonly artefact: "submission" | "vote" | "evidence";
  readonly reason: string;
  constructor(artefact: "submission" | "vote" | "evidence", reason: string, detail: string) {
    super("InvalidKoiiArtefact", `${artefact} rejected (${reason}): ${detail}`);
    this.artefact = artefact;
    this.reason = reason;
  }
}

/**
 * An attester HTTP request refused before any work: `status` is the HTTP status (400 bad field, 401 unauthenticated,
 * 403 not allowed, 409 conflict, 413 body too large, 429 rate limited), `field` the request field at fault when one
 * is, `retryAfterSeconds` when waiting helps (429).
 */
export class RequestRejectedError extends NodeError {
  override name = "RequestRejectedError";
  readonly status: number;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(status: number, message: string, options: { field?: string; retryAfterSeconds?: number } = {}) {
    // Waiting helps a 429 (rate limit, in-flight cap) and a 503; a malformed request stays malformed.
    super("RequestRejected", options.field === undefined ? message : `${options.field}: ${message}`, {
      retryable: status === 429 || status === 503,
    });
    this.status = status;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A peer node answered a Koii task request with an HTTP error; waiting helps a 429 or a 5xx. */
export class PeerRequestFailedError extends NodeError {
  override name = "PeerRequestFailedError";
  readonly url: string;
  readonly status: number;
  constructor(url: string, status: number, detail?: string) {
    super("PeerRequestFailed", `HTTP ${status}${detail === undefined ? "" : `: ${detail}`} from ${url}`, {
      retryable: status === 429 || status >= 500,
    });
    this.url = url;
    this.status = status;
  }
}

/** A short text for logs: `code: message` for our errors, the message otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof BaseError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
