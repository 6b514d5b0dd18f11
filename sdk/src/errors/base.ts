/**
 * The root of every maskoii TypeScript error (sdk, Solana program, node processes), modelled on viem's `BaseError`:
 * a `shortMessage`, `details` (what the cause said), the `cause` itself and `walk()` over the cause chain, plus two
 * things viem leaves out: a stable `code` to branch on (never parse `message`) and `retryable`, which says whether
 * doing the same thing again can succeed (an RPC timeout) or cannot (a malformed message).
 *
 * Browser-safe: no Node built-ins, so it lives in the sdk root and anything (a browser client, a node process) can
 * extend it.
 */

export type BaseErrorOptions = {
  /** The error this one wraps. */
  cause?: unknown;
  /** What went wrong below this error; defaults to what the cause says (its `details`, else its message). */
  details?: string;
  /** Whether trying the same operation again can succeed. Default false. */
  retryable?: boolean;
};

/**
 * Base class of every maskoii error. `code` is stable across releases (a string such as `MessageTooShort`; the
 * Solana program's errors keep the program's numeric error code, with the name in `errorName`); `message` is the
 * human sentence and may change.
 */
export class BaseError<TCode extends string | number = string> extends Error {
  override name = "BaseError";
  /** A stable identifier of the failure: branch on this, not on `message`. */
  readonly code: TCode;
  /** The message without details (equal to `message`: maskoii messages carry no appended sections). */
  readonly shortMessage: string;
  /** What the cause said, or the details given; empty when there is neither. */
  readonly details: string;
  /** Whether repeating the same operation can succeed. */
  readonly retryable: boolean;

  constructor(code: TCode, shortMessage: string, options: BaseErrorOptions = {}) {
    super(shortMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details ?? detailsOf(options.cause);
    this.retryable = options.retryable ?? false;
  }

  /** The deepest error of the cause chain (this error when it has no cause). */
  walk(): unknown;
  /** The first error of the cause chain, starting with this one, for which `fn` holds; null when none does. */
  walk(fn: (error: unknown) => boolean): unknown;
  walk(fn?: (error: unknown) => boolean): unknown {
    return walk(this, fn);
  }
}

/** Whether `error` is a maskoii error (any `BaseError` subclass). */
export function isBaseError(error: unknown): error is BaseError<string | number> {
  return error instanceof BaseError;
}

function detailsOf(cause: unknown): string {
  if (cause === undefined || cause === null) return "";
  if (cause instanceof BaseError) return cause.details === "" ? cause.shortMessage : cause.details;
  if (cause instanceof Error) return cause.message;
  return typeof cause === "string" ? cause : "";
}

function walk(error: unknown, fn: ((error: unknown) => boolean) | undefined): unknown {
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (;;) {
    if (fn?.(current)) return current;
    seen.add(current);
    const next =
      typeof current === "object" && current !== null && "cause" in current
        ? (current as { cause?: unknown }).cause
        : undefined;
    if (next === undefined || seen.has(next)) return fn === undefined ? current : null;
    current = next;
  }
}
